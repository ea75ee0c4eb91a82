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

    public static void VisitExpression(IrExpression expression, Action<IrExpression> visit)
    {
        visit(expression);
        switch (expression)
        {
            case IrElement e:
                VisitExpression(e.Index, visit);
                break;
            case IrUnary u:
                VisitExpression(u.Operand, visit);
                break;
            case IrBinary b:
                VisitExpression(b.Left, visit);
                VisitExpression(b.Right, visit);
                break;
            case IrConvert c:
                VisitExpression(c.Operand, visit);
                break;
            case IrConditional c:
                VisitExpression(c.Condition, visit);
                VisitExpression(c.WhenTrue, visit);
                VisitExpression(c.WhenFalse, visit);
                break;
            case IrMathCall m:
                foreach (var a in m.Arguments) VisitExpression(a, visit);
                break;
            case IrOpaqueCall o:
                foreach (var a in o.Arguments) VisitExpression(a, visit);
                break;
            case IrVerbatim v:
                foreach (var a in v.Operands) VisitExpression(a, visit);
                break;
            case IrDifferentiableCall d:
                foreach (var a in d.Arguments) VisitExpression(a, visit);
                break;
            case IrNewBuffer n:
                VisitExpression(n.Length, visit);
                break;
            case IrSlice s:
                VisitExpression(s.Buffer, visit);
                VisitExpression(s.Start, visit);
                VisitExpression(s.Length, visit);
                break;
        }
    }
}
