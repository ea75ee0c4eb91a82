using System.Collections.Generic;
using System.Linq;
using Backprop.Generator.Differentiation;
using Backprop.Generator.Helpers;
using Backprop.Generator.Ir;

namespace Backprop.Generator.Analysis;

/// <summary>
/// Which variables carry derivatives: those that depend on a differentiated parameter (varied) and
/// influence the result (useful), as in Enzyme and Tapenade. The analysis is flow-insensitive, so it can
/// only over-approximate: a variable it calls inactive truly has a zero derivative.
/// </summary>
internal sealed class ActivityAnalysis
{
    private readonly HashSet<int> _active;
    private readonly Dictionary<IrExpression, bool> _activeExpressions = new(ReferenceComparer<IrExpression>.Instance);

    private ActivityAnalysis(HashSet<int> varied, HashSet<int> useful)
    {
        Varied = varied;
        Useful = useful;
        _active = new HashSet<int>(varied.Where(useful.Contains));
    }

    public HashSet<int> Varied { get; }

    public HashSet<int> Useful { get; }

    public bool IsActive(int variable) => _active.Contains(variable);

    /// <summary>True when a derivative flows through the expression to an active variable.</summary>
    public bool IsActive(IrExpression expression)
    {
        if (_activeExpressions.TryGetValue(expression, out bool known)) return known;
        bool active = expression switch
        {
            IrRead r => _active.Contains(r.Variable),
            IrElement e => _active.Contains(e.Buffer),
            IrDifferentiableCall { Callee.ThisGradientPath: not null } when _active.Contains(Instance) => true,
            _ => DifferentiableChildren(expression).Any(IsActive),
        };
        _activeExpressions[expression] = active;
        return active;
    }

    /// <summary>
    /// The instance as a source of derivatives: a call of a method of <c>this</c> or of a sub-module that differentiates
    /// members depends on it, like an expression on the variables it reads.
    /// </summary>
    public const int Instance = -1;

    public static ActivityAnalysis Run(IrMethod method)
    {
        var assignments = new List<(int Target, HashSet<int> Sources)>();
        foreach (var statement in method.Body) Collect(statement, assignments);

        var varied = new HashSet<int>(method.Parameters.Where(p => method.Variables[p].IsDifferentiableParameter && !method.Outputs.Contains(p)));
        varied.UnionWith(method.Variables.Where(v => v.Kind == VariableKind.Member && v.IsDifferentiableInput).Select(v => v.Id));
        if (method.Shape.HasThisGradient) varied.Add(Instance);
        bool changed = true;
        while (changed)
        {
            changed = false;
            foreach (var (target, sources) in assignments)
            {
                if (method.Variables[target].Type.IsReal && !varied.Contains(target) && sources.Overlaps(varied))
                    changed |= varied.Add(target);
            }
        }

        var useful = method.Shape.IsVoid ? new HashSet<int>(method.Outputs) : new HashSet<int> { method.Result };
        changed = true;
        while (changed)
        {
            changed = false;
            foreach (var (target, sources) in assignments)
            {
                if (!useful.Contains(target)) continue;
                foreach (var source in sources) changed |= useful.Add(source);
            }
        }
        return new ActivityAnalysis(varied, useful);
    }

    /// <summary>The operands a derivative can flow into: not conditions, comparisons, integer conversions or opaque calls.</summary>
    public static IEnumerable<IrExpression> DifferentiableChildren(IrExpression expression)
    {
        switch (expression)
        {
            case IrUnary { Operator: UnaryOperator.Negate } u:
                yield return u.Operand;
                break;
            case IrBinary { Operator: BinaryOperator.Add or BinaryOperator.Subtract or BinaryOperator.Multiply or BinaryOperator.Divide or BinaryOperator.Remainder } b when b.Type.IsReal:
                yield return b.Left;
                yield return b.Right;
                break;
            case IrConvert c when c.Type.IsReal && c.Operand.Type.IsReal:
                yield return c.Operand;
                break;
            case IrConditional c:
                yield return c.WhenTrue;
                yield return c.WhenFalse;
                break;
            case IrMathCall m when m.Type.IsReal:
                var partials = DerivativeRules.Get(m.Function, m.Arguments.Count).Trees;
                for (int i = 0; i < partials.Count; i++)
                    if (partials[i] is not null) yield return m.Arguments[i];
                break;
            case IrDifferentiableCall d:
                for (int i = 0; i < d.Arguments.Count; i++)
                    if (d.Callee.ActiveParameters[i] && !d.Callee.OutputParameters[i]) yield return d.Arguments[i];
                break;
            case IrSlice slice:
                yield return slice.Buffer;
                break;
        }
    }

    /// <summary>The variables a derivative of the expression reaches.</summary>
    public static HashSet<int> Sources(IrExpression expression)
    {
        var sources = new HashSet<int>();
        void Walk(IrExpression e)
        {
            switch (e)
            {
                case IrRead r when r.Type.IsReal:
                    sources.Add(r.Variable);
                    break;
                case IrElement el when el.Type.IsReal:
                    sources.Add(el.Buffer);
                    break;
                case IrDifferentiableCall { Callee.ThisGradientPath: not null } call:
                    sources.Add(Instance);
                    foreach (var child in DifferentiableChildren(call)) Walk(child);
                    break;
                default:
                    foreach (var child in DifferentiableChildren(e)) Walk(child);
                    break;
            }
        }
        Walk(expression);
        return sources;
    }

    /// <summary>Every real variable the expression reads, through any operation: what an opaque call could depend on.</summary>
    public static HashSet<int> SourcesAll(IrExpression expression)
    {
        var sources = new HashSet<int>();
        IrWalker.VisitExpression(expression, e =>
        {
            if (e is IrRead { Type.IsReal: true } r) sources.Add(r.Variable);
            else if (e is IrElement { Type.IsReal: true } el) sources.Add(el.Buffer);
        });
        return sources;
    }

    /// <summary>
    /// <see cref="SourcesAll"/> but for what is read under <c>Ad.StopGradient</c>, whose result has no derivative because
    /// the user said so: the variables a derivative could still come from through a value passed where none can go.
    /// </summary>
    public static HashSet<int> SourcesUnlessStopped(IrExpression expression)
    {
        var sources = new HashSet<int>();
        IrWalker.VisitExpressionPruned(expression, e =>
        {
            if (e is IrOpaqueCall { Method: IrOpaqueCall.StopGradient }) return false;
            if (e is IrRead { Type.IsReal: true } r) sources.Add(r.Variable);
            else if (e is IrElement { Type.IsReal: true } el) sources.Add(el.Buffer);
            return true;
        });
        return sources;
    }

    private static void Collect(IrStatement statement, List<(int, HashSet<int>)> assignments)
    {
        switch (statement)
        {
            case IrAssign a:
                assignments.Add((a.Variable, Sources(a.Value)));
                break;
            case IrStore s:
                assignments.Add((s.Buffer, Sources(s.Value)));
                break;
            case IrCallStatement c:
                var inputs = new HashSet<int>();
                if (c.Callee.ThisGradientPath is not null) inputs.Add(Instance);
                for (int i = 0; i < c.Arguments.Count; i++)
                    if (c.Callee.ActiveParameters[i] && !c.Callee.OutputParameters[i]) inputs.UnionWith(Sources(c.Arguments[i]));
                for (int i = 0; i < c.Arguments.Count; i++)
                    if (c.Callee.OutputParameters[i]) assignments.Add((IrSlice.BufferOf(c.Arguments[i]), inputs));
                break;
            case IrIf i:
                foreach (var s in i.Then) Collect(s, assignments);
                foreach (var s in i.Else) Collect(s, assignments);
                break;
            case IrLoop l:
                foreach (var s in l.Body) Collect(s, assignments);
                foreach (var s in l.Step) Collect(s, assignments);
                break;
        }
    }
}
