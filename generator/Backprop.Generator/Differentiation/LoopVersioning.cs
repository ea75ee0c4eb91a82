using System.Collections.Generic;
using System.Linq;

namespace Backprop.Generator.Differentiation;

/// <summary>
/// Loop versioning on requested gradients. A reverse sweep adds into a parameter's gradient span only when the caller
/// asked for it (<c>if (!dX.IsEmpty)</c>, see <see cref="ReverseModeBuilder"/>), and RyuJIT does not hoist that
/// loop-invariant check out of a loop. So each outermost reverse loop with such checks is emitted once per combination
/// of its (at most <see cref="MaxVersioned"/>) most deeply nested checked spans, wanted or not, each copy without those
/// checks: a dense layer's reverse runs without checks both when its input gradient is wanted and when it is not (the
/// first layer). Checks of further spans stay in place.
/// </summary>
internal static class LoopVersioning
{
    /// <summary>Spans versioned per loop: 2 gives at most 4 copies.</summary>
    private const int MaxVersioned = 2;

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
            var found = new List<(string Span, int Depth)>();
            Collect(block.Body, guarded, 1, found);
            var spans = found.OrderByDescending(f => f.Depth).Select(f => f.Span).Distinct().Take(MaxVersioned).ToList();
            if (spans.Count == 0)
            {
                output.Add(block);
                continue;
            }
            if (Versions(block, spans, guarded) is not { } versions)
            {
                // No combination leaves the loop anything to do: it goes, with its source comment.
                if (output.Count > 0 && output[output.Count - 1] is CodeComment) output.RemoveAt(output.Count - 1);
                continue;
            }
            output.Add(new CodeComment("One copy of this loop per combination of wanted gradient spans, without emptiness checks inside."));
            output.Add(versions);
        }
        return output;
    }

    /// <summary>
    /// <c>if (a and b wanted) { … } else if (a wanted) { … } else if (b wanted) { … } else { … }</c>, without the copies
    /// left with nothing to do; null when that is all of them.
    /// </summary>
    private static Code? Versions(CodeBlock loop, List<string> spans, IReadOnlyCollection<string> guarded)
    {
        int combinations = 1 << spans.Count;
        List<Code>? next = null;
        bool hasElse = false;
        for (int absent = combinations - 1; absent >= 0; absent--)
        {
            // Bit s of 'absent' set: span s is empty in this copy.
            var wanted = spans.Where((_, s) => (absent & (1 << s)) == 0).ToList();
            var specialized = Specialize(loop, guarded, spans, wanted);
            // A copy whose body has no statement left (the loop only added to unwanted spans) has no effect but on its
            // counter, and nothing after a reverse loop reads the counter it leaves (see Specialize): it goes. The copy
            // without any versioned span is the final else; once it is gone, every remaining case is named by a condition
            // over all the versioned spans, so a case whose copy goes runs nothing, as it should.
            bool empty = !HasStatements(specialized.Body);
            if (absent == combinations - 1)
            {
                hasElse = !empty;
                if (hasElse) next = new List<Code> { specialized };
                continue;
            }
            if (empty && !hasElse) continue;
            string condition = string.Join(" && ", wanted.Select(s => "!" + s + ".IsEmpty"));
            if (wanted.Count < spans.Count) condition = string.Join(" && ", new[] { condition }.Concat(spans.Except(wanted).Select(s => s + ".IsEmpty")));
            next = new List<Code> { new CodeBlock("if (" + condition + ")", new List<Code> { specialized }, next) };
        }
        return next?[0];
    }

    private static bool IsLoop(CodeBlock block) =>
        block.Header.StartsWith("for (", System.StringComparison.Ordinal) || block.Header.StartsWith("while (", System.StringComparison.Ordinal);

    private static string? GuardedSpan(CodeBlock block, IReadOnlyCollection<string> guarded) =>
        block.ElseBody is null && guarded.FirstOrDefault(s => block.Header == "if (!" + s + ".IsEmpty)") is { } span ? span : null;

    private static void Collect(List<Code> code, IReadOnlyCollection<string> guarded, int depth, List<(string, int)> found)
    {
        foreach (var block in code.OfType<CodeBlock>())
        {
            if (GuardedSpan(block, guarded) is { } span) found.Add((span, depth));
            int inner = IsLoop(block) ? depth + 1 : depth;
            Collect(block.Body, guarded, inner, found);
            if (block.ElseBody is not null) Collect(block.ElseBody, guarded, inner, found);
        }
    }

    /// <summary>The loop with the checks of <paramref name="versioned"/> spans resolved: kept bodies where wanted, dropped where not.</summary>
    private static CodeBlock Specialize(CodeBlock block, IReadOnlyCollection<string> guarded, List<string> versioned, List<string> wanted) =>
        new(block.Header, Specialize(block.Body, guarded, versioned, wanted), block.ElseBody is null ? null : Specialize(block.ElseBody, guarded, versioned, wanted));

    private static List<Code> Specialize(List<Code> code, IReadOnlyCollection<string> guarded, List<string> versioned, List<string> wanted)
    {
        var output = new List<Code>(code.Count);
        foreach (var item in code)
        {
            if (item is not CodeBlock block) output.Add(item);
            else if (GuardedSpan(block, guarded) is { } span && versioned.Contains(span))
            {
                if (wanted.Contains(span)) output.AddRange(Specialize(block.Body, guarded, versioned, wanted));
            }
            else
            {
                var specialized = Specialize(block, guarded, versioned, wanted);
                if (IsLoop(specialized) && !HasStatements(specialized.Body))
                {
                    // A reverse loop left with nothing to do (every span it added to is unwanted) goes, with its source comment;
                    // nothing after it reads the counter it would leave (reverse loops set their counters themselves).
                    if (output.Count > 0 && output[output.Count - 1] is CodeComment) output.RemoveAt(output.Count - 1);
                    continue;
                }
                output.Add(specialized);
            }
        }
        return output;
    }

    private static bool HasStatements(List<Code> code) =>
        code.Any(c => c is CodeLine || c is CodeBlock b && (HasStatements(b.Body) || b.ElseBody is { } e && HasStatements(e)));
}
