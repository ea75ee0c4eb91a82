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

    public static void VisitExpression(IrExpression expression, Action<IrExpression> visit) =>
        VisitExpressionPruned(expression, e => { visit(e); return true; });

    /// <summary>Visits an expression and its children, parents first; a node for which <paramref name="visit"/> returns false is not descended into.</summary>
    public static void VisitExpressionPruned(IrExpression expression, Func<IrExpression, bool> visit)
    {
        if (!visit(expression)) return;
        foreach (var child in expression.Children) VisitExpressionPruned(child, visit);
    }
}
