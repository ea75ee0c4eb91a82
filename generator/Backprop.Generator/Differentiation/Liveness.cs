using System.Collections.Generic;
using System.Linq;

namespace Backprop.Generator.Differentiation;

/// <summary>
/// Liveness over the adjoint program, for the passes that finish it: resets of adjoints nothing reads go, and the split
/// hand-over learns which forward locals its reverse half assigns before it reads them (those are not handed over).
/// </summary>
internal static class Liveness
{
    /// <summary>The reverse sweep without resets of adjoints nothing reads (their variable is overwritten by a constant).</summary>
    public static List<Code> DropDeadWrites(List<Code> reverse, List<Code> rest, IEnumerable<string> names)
    {
        var read = reverse.Concat(rest).Names(NameSelection.Read);
        var dead = new HashSet<string>(names.Where(n => !read.Contains(n)));
        if (dead.Count == 0) return reverse;
        List<Code> Filter(List<Code> code) => code
            .Where(c => !(c is CodeAssign { Kind: AssignKind.Assign, IsZero: true, TargetName: { } name } && dead.Contains(name)))
            .Select(c => c switch
            {
                CodeIf b => b.With(Filter(b.Then), b.Else is null ? null : Filter(b.Else)),
                CodeLoop l => l.With(Filter(l.Body)),
                _ => c,
            })
            .ToList();
        return Filter(reverse);
    }

    /// <summary>
    /// Whether <paramref name="code"/> assigns <paramref name="name"/> (<c>name = …;</c> or <c>for (name = …; …)</c>
    /// from something else) on every path before any read of it, so the value it had before is never used.
    /// </summary>
    public static bool AssignedBeforeRead(List<Code> code, string name) => !Scan(code, name).ReadsIncoming;

    /// <summary>Whether a path through <paramref name="code"/> may read the value <paramref name="name"/> had on entry,
    /// and whether every path assigns it.</summary>
    private static (bool ReadsIncoming, bool Assigns) Scan(List<Code> code, string name)
    {
        foreach (var item in code)
        {
            var (reads, assigns) = Scan(item, name);
            if (reads || assigns) return (reads, assigns);
        }
        return (false, false);
    }

    private static (bool ReadsIncoming, bool Assigns) Scan(Code item, string name)
    {
        switch (item)
        {
            case CodeAssign { Kind: AssignKind.Assign } assign when assign.TargetName == name && !assign.Value.Mentions(name):
                return (false, true);
            case CodeLoop { Counter: not null, DeclaresCounter: false } loop when loop.Counter == name && !loop.From!.Mentions(name):
                return (false, true);
            case CodeLoop loop:
                // The body may not run: it can only read the incoming value, not guarantee an assignment.
                return ((loop.From?.Mentions(name) ?? false) || loop.Counter == name || loop.Condition.Mentions(name) || Scan(loop.Body, name).ReadsIncoming, false);
            case CodeIf branch:
                if (branch.Condition.Mentions(name)) return (true, false);
                var then = Scan(branch.Then, name);
                var otherwise = branch.Else is null ? (ReadsIncoming: false, Assigns: false) : Scan(branch.Else, name);
                return (then.ReadsIncoming || otherwise.ReadsIncoming, then.Assigns && otherwise.Assigns);
            default:
                return (item.Mentions(name), false);
        }
    }
}
