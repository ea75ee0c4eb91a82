using System.Collections.Generic;
using System.Linq;
using Backprop.Generator.Helpers;
using Backprop.Generator.Ir;

namespace Backprop.Generator.Analysis;

/// <summary>Drops assignments to synthetic exit flags that nothing reads.</summary>
internal static class FlagPruner
{
    public static List<IrStatement> Prune(List<IrStatement> body, List<IrVariable> variables)
    {
        var read = new HashSet<int>();
        foreach (var statement in body) IrWalker.VisitStatement(statement, e => { if (e is IrRead r) read.Add(r.Variable); });
        bool Unread(int id) => variables[id].Kind == VariableKind.Synthetic && variables[id].Type.Scalar == ScalarKind.Boolean && !read.Contains(id);
        return Filter(body, Unread);
    }

    private static List<IrStatement> Filter(IEnumerable<IrStatement> block, System.Func<int, bool> unread)
    {
        var output = new List<IrStatement>();
        foreach (var statement in block)
        {
            switch (statement)
            {
                case IrAssign assign when unread(assign.Variable):
                    break;
                case IrIf branch:
                    output.Add(branch with { Then = Filter(branch.Then, unread).ToEquatableArray(), Else = Filter(branch.Else, unread).ToEquatableArray() });
                    break;
                case IrLoop loop:
                    output.Add(loop with { Body = Filter(loop.Body, unread).ToEquatableArray(), Step = Filter(loop.Step, unread).ToEquatableArray() });
                    break;
                default:
                    output.Add(statement);
                    break;
            }
        }
        return output;
    }
}
