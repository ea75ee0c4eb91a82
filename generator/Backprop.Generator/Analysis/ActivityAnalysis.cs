using System.Collections.Generic;
using System.Linq;
using Backprop.Generator.Differentiation;
using Backprop.Generator.Helpers;
using Backprop.Generator.Ir;

namespace Backprop.Generator.Analysis;

/// <summary>
/// Which variables carry derivatives: those that depend on a differentiated parameter (varied) and
/// influence the result (useful), as in Enzyme and Tapenade. Per variable the analysis is flow-insensitive, so it can
/// only over-approximate: a variable it calls inactive truly has a zero derivative. It leaves out the statements whose
/// targets nothing useful reads afterwards (a backward pass over the structured body, Tapenade's flow-sensitive
/// usefulness): their adjoint is zero at run time, and differentiating them anyway multiplied that zero by partials of
/// values the result never reads, which may have overflowed (0 · ∞ made a finite gradient NaN).
/// </summary>
internal sealed class ActivityAnalysis
{
    private readonly HashSet<int> _active;
    private readonly Dictionary<IrExpression, bool> _activeExpressions = new(ReferenceComparer<IrExpression>.Instance);

    private readonly HashSet<IrStatement> _dead;

    private ActivityAnalysis(HashSet<int> varied, HashSet<int> useful, HashSet<int> active, HashSet<IrStatement> dead)
    {
        Varied = varied;
        Useful = useful;
        _active = active;
        _dead = dead;
    }

    /// <summary>The variables some statement assigns a value depending on a differentiated input, read or not (for diagnostics, which must see every flow).</summary>
    public HashSet<int> Varied { get; }

    /// <summary>The variables some statement reads into what reaches the result, flow-insensitively (for diagnostics).</summary>
    public HashSet<int> Useful { get; }

    public bool IsActive(int variable) => _active.Contains(variable);

    /// <summary>
    /// The statement's target is read afterwards into nothing that reaches the result: its adjoint there is zero, so its
    /// value needs no derivative even when the target is active (written elsewhere by statements that matter).
    /// </summary>
    public bool IsDead(IrStatement statement) => _dead.Contains(statement);

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
        var assignments = new List<(int Target, HashSet<int> Sources, bool Live)>();
        var dead = DeadStatements(method);
        foreach (var statement in method.Body) Collect(statement, assignments, dead);

        var inputs = new HashSet<int>(method.Parameters.Where(p => method.Variables[p].IsDifferentiableParameter && !method.Outputs.Contains(p)));
        inputs.UnionWith(method.Variables.Where(v => v.Kind == VariableKind.Member && v.IsDifferentiableInput).Select(v => v.Id));
        if (method.Shape.HasThisGradient) inputs.Add(Instance);
        var exit = method.Shape.IsVoid ? new HashSet<int>(method.Outputs) : new HashSet<int> { method.Result };

        var varied = VariedBy(method, inputs, assignments);
        var useful = UsefulBy(exit, assignments);
        if (dead.Count == 0) return new ActivityAnalysis(varied, useful, new HashSet<int>(varied.Where(useful.Contains)), dead);
        var live = assignments.Where(a => a.Live).ToList();
        var active = new HashSet<int>(VariedBy(method, inputs, live).Where(UsefulBy(exit, live).Contains));
        return new ActivityAnalysis(varied, useful, active, dead);
    }

    private static HashSet<int> VariedBy(IrMethod method, HashSet<int> inputs, List<(int Target, HashSet<int> Sources, bool Live)> assignments)
    {
        var varied = new HashSet<int>(inputs);
        for (bool changed = true; changed;)
        {
            changed = false;
            foreach (var (target, sources, _) in assignments)
            {
                if (method.Variables[target].Type.IsReal && !varied.Contains(target) && sources.Overlaps(varied))
                    changed |= varied.Add(target);
            }
        }
        return varied;
    }

    private static HashSet<int> UsefulBy(HashSet<int> exit, List<(int Target, HashSet<int> Sources, bool Live)> assignments)
    {
        var useful = new HashSet<int>(exit);
        for (bool changed = true; changed;)
        {
            changed = false;
            foreach (var (target, sources, _) in assignments)
            {
                if (!useful.Contains(target)) continue;
                foreach (var source in sources) changed |= useful.Add(source);
            }
        }
        return useful;
    }

    /// <summary>
    /// The assignments, stores and layer calls whose targets are useful at no point after them: nothing reads them
    /// afterwards (later in the block, or in a later pass of an enclosing loop) into a value that reaches the result.
    /// Empty for a body that still has jumps (the pass follows structured blocks only).
    /// </summary>
    private static HashSet<IrStatement> DeadStatements(IrMethod method)
    {
        var dead = new HashSet<IrStatement>(ReferenceComparer<IrStatement>.Instance);
        bool jumps = false;
        foreach (var statement in method.Body)
            IrWalker.VisitStatements(statement, s => jumps |= s is IrReturn or IrBreak or IrContinue);
        if (jumps) return dead;
        var exit = method.Shape.IsVoid ? new HashSet<int>(method.Outputs) : new HashSet<int> { method.Result };
        UsefulBefore(method, method.Body, exit, dead);
        return dead;
    }

    /// <summary>What is useful before <paramref name="block"/>, given what is useful after it; marks its dead statements.</summary>
    private static HashSet<int> UsefulBefore(IrMethod method, IEnumerable<IrStatement> block, HashSet<int> after, HashSet<IrStatement> dead)
    {
        // One set per block, changed in place statement by statement (backwards).
        var useful = new HashSet<int>(after);
        foreach (var statement in block.Reverse()) Before(method, statement, useful, dead);
        return useful;
    }

    /// <summary>Turns <paramref name="useful"/> (what is useful after <paramref name="statement"/>) into what is useful before it.</summary>
    private static void Before(IrMethod method, IrStatement statement, HashSet<int> useful, HashSet<IrStatement> dead)
    {
        switch (statement)
        {
            case IrAssign assign:
                if (!useful.Contains(assign.Variable))
                {
                    dead.Add(assign);
                    return;
                }
                // A scalar is overwritten whole; a buffer variable's assignment (its allocation) kills nothing.
                if (!method.Variables[assign.Variable].Type.IsBuffer) useful.Remove(assign.Variable);
                useful.UnionWith(Sources(assign.Value));
                return;
            case IrStore store:
                if (!useful.Contains(store.Buffer))
                {
                    dead.Add(store);
                    return;
                }
                useful.UnionWith(Sources(store.Value));
                return;
            case IrCallStatement call:
            {
                bool anyOutput = false, usefulOutput = false;
                for (int i = 0; i < call.Arguments.Count; i++)
                {
                    if (!call.Callee.OutputParameters[i]) continue;
                    anyOutput = true;
                    usefulOutput |= useful.Contains(IrSlice.BufferOf(call.Arguments[i]));
                }
                if (!anyOutput) return;
                if (!usefulOutput)
                {
                    dead.Add(call);
                    return;
                }
                if (call.Callee.ThisGradientPath is not null) useful.Add(Instance);
                for (int i = 0; i < call.Arguments.Count; i++)
                    if (call.Callee.ActiveParameters[i] && !call.Callee.OutputParameters[i]) useful.UnionWith(Sources(call.Arguments[i]));
                return;
            }
            case IrIf branch:
            {
                var then = UsefulBefore(method, branch.Then, useful, dead);
                var otherwise = UsefulBefore(method, branch.Else, useful, dead);
                useful.Clear();
                useful.UnionWith(then);
                useful.UnionWith(otherwise);
                return;
            }
            case IrLoop loop:
            {
                // What is useful at the loop's head: after the loop, or before another pass. A fixed point from below; only
                // the pass with the final head marks statements dead (an earlier one saw too little as useful).
                var head = new HashSet<int>(useful);
                while (true)
                {
                    var marks = new HashSet<IrStatement>(ReferenceComparer<IrStatement>.Instance);
                    var next = UsefulBefore(method, loop.Body.Concat(loop.Step), head, marks);
                    next.UnionWith(useful);
                    if (next.SetEquals(head))
                    {
                        dead.UnionWith(marks);
                        useful.UnionWith(head);
                        return;
                    }
                    head = next;
                }
            }
        }
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
            case IrSlice { Detached: false } slice:
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
            if (e is IrOpaqueCall { Method: IrOpaqueCall.StopGradient } or IrSlice { Detached: true }) return false;
            if (e is IrRead { Type.IsReal: true } r) sources.Add(r.Variable);
            else if (e is IrElement { Type.IsReal: true } el) sources.Add(el.Buffer);
            return true;
        });
        return sources;
    }

    private static void Collect(IrStatement statement, List<(int, HashSet<int>, bool)> assignments, HashSet<IrStatement> dead)
    {
        bool live = !dead.Contains(statement);
        switch (statement)
        {
            case IrAssign a:
                assignments.Add((a.Variable, Sources(a.Value), live));
                break;
            case IrStore s:
                assignments.Add((s.Buffer, Sources(s.Value), live));
                break;
            case IrCallStatement c:
                var inputs = new HashSet<int>();
                if (c.Callee.ThisGradientPath is not null) inputs.Add(Instance);
                for (int i = 0; i < c.Arguments.Count; i++)
                    if (c.Callee.ActiveParameters[i] && !c.Callee.OutputParameters[i]) inputs.UnionWith(Sources(c.Arguments[i]));
                for (int i = 0; i < c.Arguments.Count; i++)
                    if (c.Callee.OutputParameters[i]) assignments.Add((IrSlice.BufferOf(c.Arguments[i]), inputs, live));
                break;
            case IrIf i:
                foreach (var s in i.Then) Collect(s, assignments, dead);
                foreach (var s in i.Else) Collect(s, assignments, dead);
                break;
            case IrLoop l:
                foreach (var s in l.Body) Collect(s, assignments, dead);
                foreach (var s in l.Step) Collect(s, assignments, dead);
                break;
        }
    }
}
