using System.Collections.Generic;
using System.Linq;
using Backprop.Generator.Helpers;
using Backprop.Generator.Ir;

namespace Backprop.Generator.Analysis;

/// <summary>
/// Drops assignments to scalars that nothing reads: synthetic exit flags, and locals such as an unused element of a
/// deconstruction (<c>var (a, b) = (z, 1.5);</c>), which the generated code would otherwise declare and assign without a
/// read (CS0219, an error under TreatWarningsAsErrors). An assignment whose value calls a method stays, for the call's
/// sake; so does every assignment of the result and of parameters. Branches left empty go too, and so does a local of
/// another type kept as written that only gets constants and that nothing reads any more (<see cref="IrKept.Removable"/>:
/// a sweep that skips the side effects reading it would otherwise be CS0219).
/// </summary>
internal static class UnreadAssignments
{
    public static List<IrStatement> Prune(List<IrStatement> body, List<IrVariable> variables, int result)
    {
        while (true)
        {
            var read = new HashSet<int>();
            foreach (var statement in body) IrWalker.VisitStatement(statement, e => { if (e is IrRead r) read.Add(r.Variable); });
            bool Unread(IrAssign assign) =>
                assign.Variable != result && !read.Contains(assign.Variable)
                && variables[assign.Variable] is { Kind: VariableKind.Local or VariableKind.Synthetic, Type.IsBuffer: false }
                && !CallsAMethod(assign.Value);
            // (Only when every write of the local goes: a declaration without its later assignment would not compile.)
            var kept = new HashSet<int>();
            foreach (var statement in body)
                IrWalker.VisitStatements(statement, s => { if (s is IrKept { Removable: false } k) kept.UnionWith(k.Writes); });
            bool UnreadKept(IrKept statement) => statement.Removable && statement.Writes.All(w => !read.Contains(w) && !kept.Contains(w));
            var pruned = Filter(body, Unread, UnreadKept);
            if (pruned.SequenceEqual(body)) return pruned;
            body = pruned;
        }
    }

    private static bool CallsAMethod(IrExpression value)
    {
        bool calls = false;
        IrWalker.VisitExpression(value, e => calls |= e is IrOpaqueCall or IrDifferentiableCall or IrVerbatim);
        return calls;
    }

    private static List<IrStatement> Filter(IEnumerable<IrStatement> block, System.Func<IrAssign, bool> unread, System.Func<IrKept, bool> unreadKept)
    {
        var output = new List<IrStatement>();
        foreach (var statement in block)
        {
            switch (statement)
            {
                case IrAssign assign when unread(assign):
                    break;
                case IrKept kept when unreadKept(kept):
                    break;
                // x = x (left by folding Min(x, x) or a constant choice) does nothing, and would be CS1717.
                case IrAssign { Value: IrRead read } assign when read.Variable == assign.Variable:
                    break;
                case IrIf branch:
                    var then = Filter(branch.Then, unread, unreadKept);
                    var otherwise = Filter(branch.Else, unread, unreadKept);
                    if (then.Count > 0 || otherwise.Count > 0)
                        output.Add(branch with { Then = then.ToEquatableArray(), Else = otherwise.ToEquatableArray() });
                    break;
                case IrLoop loop:
                    output.Add(loop with { Body = Filter(loop.Body, unread, unreadKept).ToEquatableArray(), Step = Filter(loop.Step, unread, unreadKept).ToEquatableArray() });
                    break;
                default:
                    output.Add(statement);
                    break;
            }
        }
        return output;
    }
}
