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
            if (item is CodeIf branch)
            {
                output.Add(branch.With(Apply(branch.Then, guarded), branch.Else is null ? null : Apply(branch.Else, guarded)));
                continue;
            }
            if (item is not CodeLoop block)
            {
                output.Add(item);
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
    private static Code? Versions(CodeLoop loop, List<string> spans, IReadOnlyCollection<string> guarded)
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
            bool empty = !specialized.Body.HasEffect();
            if (absent == combinations - 1)
            {
                hasElse = !empty;
                if (hasElse) next = new List<Code> { specialized };
                continue;
            }
            if (empty && !hasElse) continue;
            var condition = Fragment.Join(" && ", wanted.Select(s => "!" + Fragment.Of(s) + ".IsEmpty"));
            if (wanted.Count < spans.Count) condition = Fragment.Join(" && ", new[] { condition }.Concat(spans.Except(wanted).Select(s => Fragment.Of(s) + ".IsEmpty")));
            next = new List<Code> { new CodeIf(condition, new List<Code> { specialized }, next) };
        }
        return next?[0];
    }

    private static string? GuardedSpan(Code code, IReadOnlyCollection<string> guarded) =>
        code is CodeIf { Else: null, Guard: { } span } && guarded.Contains(span) ? span : null;

    private static void Collect(List<Code> code, IReadOnlyCollection<string> guarded, int depth, List<(string, int)> found)
    {
        foreach (var item in code)
        {
            if (GuardedSpan(item, guarded) is { } span) found.Add((span, depth));
            if (item is CodeLoop loop) Collect(loop.Body, guarded, depth + 1, found);
            if (item is not CodeIf branch) continue;
            Collect(branch.Then, guarded, depth, found);
            if (branch.Else is not null) Collect(branch.Else, guarded, depth, found);
        }
    }

    /// <summary>The loop with the checks of <paramref name="versioned"/> spans resolved: kept bodies where wanted, dropped where not.</summary>
    private static CodeLoop Specialize(CodeLoop loop, IReadOnlyCollection<string> guarded, List<string> versioned, List<string> wanted) =>
        loop.With(Specialize(loop.Body, guarded, versioned, wanted));

    private static List<Code> Specialize(List<Code> code, IReadOnlyCollection<string> guarded, List<string> versioned, List<string> wanted)
    {
        var output = new List<Code>(code.Count);
        foreach (var item in code)
        {
            if (GuardedSpan(item, guarded) is { } span && versioned.Contains(span))
            {
                if (wanted.Contains(span)) output.AddRange(Specialize(((CodeIf)item).Then, guarded, versioned, wanted));
            }
            else if (item is CodeIf branch)
            {
                var then = Specialize(branch.Then, guarded, versioned, wanted);
                var otherwise = branch.Else is null ? null : Specialize(branch.Else, guarded, versioned, wanted);
                // An 'if' around a reverse loop that went (a reduction's zero-adjoint skip) goes too: conditions only read.
                if (otherwise is null && !then.HasEffect() && branch.Then.HasEffect())
                {
                    while (output.Count > 0 && output[output.Count - 1] is CodeComment) output.RemoveAt(output.Count - 1);
                    continue;
                }
                output.Add(branch.With(then, otherwise));
            }
            else if (item is CodeLoop loop)
            {
                var specialized = Specialize(loop, guarded, versioned, wanted);
                if (!specialized.Body.HasEffect())
                {
                    // A reverse loop left with nothing to do (every span it added to is unwanted) goes, with its source comment;
                    // nothing after it reads the counter it would leave (reverse loops set their counters themselves).
                    if (output.Count > 0 && output[output.Count - 1] is CodeComment) output.RemoveAt(output.Count - 1);
                    continue;
                }
                output.Add(specialized);
            }
            else output.Add(item);
        }
        return output;
    }
}
