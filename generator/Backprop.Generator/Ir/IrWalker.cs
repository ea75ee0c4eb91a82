using System;

namespace Backprop.Generator.Ir;

/// <summary>Visits every node of statements and expressions, parents before children.</summary>
internal static class IrWalker
{
    public static void VisitStatement(IrStatement statement, Action<IrExpression> visit)
    {
        switch (statement)
        {
            case IrAssign a:
                VisitExpression(a.Value, visit);
                break;
            case IrStore s:
                VisitExpression(s.Index, visit);
                VisitExpression(s.Value, visit);
                break;
            case IrReturn { Value: { } value }:
                VisitExpression(value, visit);
                break;
            case IrCallStatement c:
                foreach (var a in c.Arguments) VisitExpression(a, visit);
                break;
            case IrKept k:
                foreach (var a in k.Operands) VisitExpression(a, visit);
                break;
            case IrIf i:
                VisitExpression(i.Condition, visit);
                foreach (var s in i.Then) VisitStatement(s, visit);
                foreach (var s in i.Else) VisitStatement(s, visit);
                break;
            case IrLoop l:
                if (l.Condition is not null) VisitExpression(l.Condition, visit);
                foreach (var s in l.Body) VisitStatement(s, visit);
                foreach (var s in l.Step) VisitStatement(s, visit);
                break;
        }
    }

    /// <summary>Visits a statement and every statement nested in it, parents first.</summary>
    public static void VisitStatements(IrStatement statement, Action<IrStatement> visit)
    {
        visit(statement);
        switch (statement)
        {
            case IrIf i:
                foreach (var s in i.Then) VisitStatements(s, visit);
                foreach (var s in i.Else) VisitStatements(s, visit);
                break;
            case IrLoop l:
                foreach (var s in l.Body) VisitStatements(s, visit);
                foreach (var s in l.Step) VisitStatements(s, visit);
                break;
        }
    }

    /// <summary>
    /// Whether running the statements runs a call for its side effect outside the method (<see cref="KeptKind.Effect"/>),
    /// directly or in a method they call.
    /// </summary>
    public static bool RunsEffects(System.Collections.Generic.IEnumerable<IrStatement> statements)
    {
        bool found = false;
        foreach (var statement in statements)
            VisitStatements(statement, s =>
            {
                found |= s is IrKept { Kind: KeptKind.Effect or KeptKind.WriteBack } or IrCallStatement { Callee.HasEffects: true };
                VisitStatement(s, e => found |= e is IrDifferentiableCall { Callee.HasEffects: true });
            });
        return found;
    }

    /// <summary>Whether the statements hold user code kept as written (<see cref="IrKept"/>, <see cref="IrVerbatim"/>).</summary>
    public static bool KeepCodeAsWritten(System.Collections.Generic.IEnumerable<IrStatement> statements)
    {
        bool found = false;
        foreach (var statement in statements)
            VisitStatements(statement, s =>
            {
                found |= s is IrKept;
                VisitStatement(s, e => found |= e is IrVerbatim);
            });
        return found;
    }

    public static void VisitExpression(IrExpression expression, Action<IrExpression> visit) =>
        VisitExpressionPruned(expression, e => { visit(e); return true; });

    /// <summary>Visits an expression and its children, parents first; a node for which <paramref name="visit"/> returns false is not descended into.</summary>
    public static void VisitExpressionPruned(IrExpression expression, Func<IrExpression, bool> visit)
    {
        if (!visit(expression)) return;
        foreach (var child in expression.Children) VisitExpressionPruned(child, visit);
    }
}
