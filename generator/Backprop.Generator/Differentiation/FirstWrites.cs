using System.Collections.Generic;

namespace Backprop.Generator.Differentiation;

/// <summary>
/// Turns the first accumulation into an adjoint that is known to be zero into an assignment (<c>d += e</c> becomes
/// <c>d = e</c>) and drops resets of adjoints that are already zero. <c>0.0 + e</c> is not <c>e</c> in IEEE arithmetic
/// (for <c>e = -0.0</c>), so the JIT cannot do this itself. Zero-ness is tracked through branches (intersection) and
/// loops (a name written in the body is not known zero anywhere in it).
/// </summary>
internal static class FirstWrites
{
    public static List<Code> Apply(List<Code> code, IEnumerable<string> zeroAtStart)
    {
        var zero = new HashSet<string>(zeroAtStart);
        return Walk(code, zero);
    }

    private static List<Code> Walk(List<Code> code, HashSet<string> zero)
    {
        var output = new List<Code>();
        foreach (var item in code)
        {
            switch (item)
            {
                case CodeAssign { Kind: AssignKind.Declare, IsZero: true, TargetName: { } declared }:
                    zero.Add(declared);
                    output.Add(item);
                    break;
                case CodeAssign { Kind: AssignKind.Assign, IsZero: true, TargetName: { } reset }:
                    // Already zero: the reset goes.
                    if (zero.Add(reset)) output.Add(item);
                    break;
                case CodeAssign { Kind: AssignKind.Accumulate, TargetName: { } name } add when zero.Contains(name) && !add.Value.Mentions(name):
                    zero.Remove(name);
                    output.Add(CodeAssign.Set(add.Target, add.Value));
                    break;
                case CodeLoop loop:
                    zero.RemoveWhere(name => loop.Body.Writes(name));
                    output.Add(loop.With(Walk(loop.Body, new HashSet<string>(zero))));
                    break;
                case CodeIf branch:
                    var whenTrue = new HashSet<string>(zero);
                    var whenFalse = new HashSet<string>(zero);
                    var then = Walk(branch.Then, whenTrue);
                    var otherwise = branch.Else is null ? null : Walk(branch.Else, whenFalse);
                    zero.IntersectWith(whenTrue);
                    zero.IntersectWith(whenFalse);
                    output.Add(branch.With(then, otherwise));
                    break;
                default:
                    zero.RemoveWhere(item.Writes);
                    output.Add(item);
                    break;
            }
        }
        return output;
    }
}
