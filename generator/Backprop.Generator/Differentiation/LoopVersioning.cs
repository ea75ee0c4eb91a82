using System.Collections.Generic;
using System.Linq;

namespace Backprop.Generator.Differentiation;

/// <summary>
/// Loop versioning on requested gradients. A reverse sweep adds into a parameter's gradient span only when the caller
/// asked for it (<c>if (!dX.IsEmpty)</c>, see <see cref="ReverseModeBuilder"/>), and RyuJIT does not hoist that
/// loop-invariant check out of a loop. So each outermost reverse loop with such checks is emitted twice:
/// <c>if (every span it checks is non-empty) { the loop without the checks } else { the loop as it was }</c>.
/// </summary>
internal static class LoopVersioning
{
    /// <param name="guarded">The gradient spans whose emptiness the reverse sweep checks (never reassigned).</param>
    public static List<Code> Apply(List<Code> code, IReadOnlyCollection<string> guarded)
    {
        if (guarded.Count == 0) return code;
        var output = new List<Code>(code.Count);
        foreach (var item in code)
        {
            if (item is not CodeBlock block)
            {
                output.Add(item);
                continue;
            }
            if (!IsLoop(block))
            {
                output.Add(new CodeBlock(block.Header, Apply(block.Body, guarded), block.ElseBody is null ? null : Apply(block.ElseBody, guarded)));
                continue;
            }
            var spans = new List<string>();
            Collect(block.Body, guarded, spans);
            if (spans.Count == 0)
            {
                output.Add(block);
                continue;
            }
            output.Add(new CodeComment("Every gradient span this loop adds to is wanted: the same loop without the emptiness checks."));
            output.Add(new CodeBlock(string.Join(" && ", spans.Select(s => "!" + s + ".IsEmpty")).Insert(0, "if (") + ")",
                new List<Code> { Unguard(block, guarded) }, new List<Code> { block }));
        }
        return output;
    }

    private static bool IsLoop(CodeBlock block) =>
        block.Header.StartsWith("for (", System.StringComparison.Ordinal) || block.Header.StartsWith("while (", System.StringComparison.Ordinal);

    private static string? GuardedSpan(CodeBlock block, IReadOnlyCollection<string> guarded) =>
        block.ElseBody is null && guarded.FirstOrDefault(s => block.Header == "if (!" + s + ".IsEmpty)") is { } span ? span : null;

    private static void Collect(List<Code> code, IReadOnlyCollection<string> guarded, List<string> spans)
    {
        foreach (var block in code.OfType<CodeBlock>())
        {
            if (GuardedSpan(block, guarded) is { } span && !spans.Contains(span)) spans.Add(span);
            Collect(block.Body, guarded, spans);
            if (block.ElseBody is not null) Collect(block.ElseBody, guarded, spans);
        }
    }

    private static CodeBlock Unguard(CodeBlock block, IReadOnlyCollection<string> guarded) =>
        new(block.Header, Unguard(block.Body, guarded), block.ElseBody is null ? null : Unguard(block.ElseBody, guarded));

    private static List<Code> Unguard(List<Code> code, IReadOnlyCollection<string> guarded)
    {
        var output = new List<Code>(code.Count);
        foreach (var item in code)
        {
            if (item is not CodeBlock block) output.Add(item);
            else if (GuardedSpan(block, guarded) is not null) output.AddRange(Unguard(block.Body, guarded));
            else output.Add(Unguard(block, guarded));
        }
        return output;
    }
}
