using System.Collections.Generic;
using System.Linq;

namespace Backprop.Generator.Differentiation;

/// <summary>
/// Peephole clean-up of the reverse sweep. When a statement reads the variable it assigns (<c>s = s + t</c>),
/// the adjoint is captured and zeroed before the rules run; a pass-through derivative then adds it straight back
/// (<c>d = 0; d += dOut;</c>). That pair cancels, and a capture nobody reads afterwards goes too.
/// </summary>
internal static class Simplifier
{
    public static List<Code> Simplify(List<Code> code)
    {
        var output = new List<Code>();
        for (int i = 0; i < code.Count; i++)
        {
            switch (code[i])
            {
                case CodeIf branch:
                    output.Add(branch.With(Simplify(branch.Then), branch.Else is null ? null : Simplify(branch.Else)));
                    continue;
                case CodeLoop loop:
                    output.Add(loop.With(Simplify(loop.Body)));
                    continue;
                // T captured = adjoint; adjoint = 0; … adjoint += captured;
                case CodeAssign { Kind: AssignKind.Declare, TargetName: { } captured, Value.AsName: { } adjoint } capture
                    when i + 2 < code.Count && code[i + 1] is CodeAssign { Kind: AssignKind.Assign, IsZero: true } reset && reset.TargetName == adjoint
                    && IndexOfPassThrough(code, i + 2, adjoint, captured) is int passThrough and >= 0:
                    // d = d: the capture is still the adjoint's value, unless a later statement changes the adjoint.
                    var rest = code.Skip(i + 2).Where((_, k) => k + i + 2 != passThrough).ToList();
                    if (!rest.Writes(adjoint)) rest = rest.Rename(captured, adjoint);
                    else if (rest.Mentions(captured)) output.Add(capture);
                    output.AddRange(Simplify(rest));
                    return output;
                default:
                    output.Add(code[i]);
                    continue;
            }
        }
        return output;
    }

    /// <summary>The index of <c>adjoint += captured;</c> among the plain statements from <paramref name="start"/> that leave the adjoint alone, or -1.</summary>
    private static int IndexOfPassThrough(List<Code> code, int start, string adjoint, string captured)
    {
        for (int i = start; i < code.Count; i++)
        {
            if (code[i] is CodeAssign { Kind: AssignKind.Accumulate } add && add.TargetName == adjoint && add.Value.AsName == captured) return i;
            if (code[i] is not (CodeAssign or CodeStatement) || code[i] is CodeAssign other && other.TargetName == adjoint) return -1;
        }
        return -1;
    }
}
