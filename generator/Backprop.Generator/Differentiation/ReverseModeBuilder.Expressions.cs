using System.Collections.Generic;
using System.Linq;
using Backprop.Generator.Analysis;
using Backprop.Generator.Emit;
using Backprop.Generator.Helpers;
using Backprop.Generator.Ir;

namespace Backprop.Generator.Differentiation;

/// <summary>Expressions: which values to keep, the forward spelling, and the reverse propagation.</summary>
internal sealed partial class ReverseModeBuilder
{
    /// <summary>The nodes of one expression whose values the reverse sweep reads.</summary>
    private sealed class ExpressionPlan
    {
        public HashSet<IrExpression> Needed { get; } = new(ReferenceComparer<IrExpression>.Instance);

        /// <summary>Calls with buffer arguments that run split (forward now, reverse after the statement's propagation).</summary>
        public HashSet<IrExpression> Split { get; } = new(ReferenceComparer<IrExpression>.Instance);
    }

    private ExpressionPlan Plan(IrExpression root)
    {
        var plan = new ExpressionPlan();
        // Inside a conditional's arms a call may not run: it stays joint (its pullback runs it in the reverse sweep).
        int arms = 0;
        void Visit(IrExpression node)
        {
            if (!_activity.IsActive(node)) return;
            if (RuleOf(node) is { } applied)
            {
                var active = applied.Arguments.Select(_activity.IsActive).ToArray();
                var (arguments, result) = applied.Rule.Needs(active);
                for (int i = 0; i < arguments.Length; i++)
                    if (arguments[i]) plan.Needed.Add(applied.Arguments[i]);
                if (result) plan.Needed.Add(node);
            }
            else if (node is IrConditional conditional)
            {
                plan.Needed.Add(conditional.Condition);
            }
            else if (node is IrDifferentiableCall call && !IsEager(call))
            {
                foreach (var argument in call.Arguments)
                    if (!argument.Type.IsBuffer) plan.Needed.Add(argument);
                // A custom rule runs joint: the reverse sweep calls it with the kept result and the buffers as they were.
                if (call.Callee.CustomRule) plan.Needed.Add(call);
                else if (arms == 0) plan.Split.Add(call);
            }
            if (node is IrConditional) arms++;
            foreach (var child in ActivityAnalysis.DifferentiableChildren(node)) Visit(child);
            if (node is IrConditional) arms--;
        }
        Visit(root);
        return plan;
    }

    /// <summary>The derivative rule applied at <paramref name="node"/> and its operands; null for a node without one.</summary>
    internal static (DerivativeRule Rule, IReadOnlyList<IrExpression> Arguments)? RuleOf(IrExpression node) => node switch
    {
        IrBinary b when b.Type.IsReal && OperatorRule(b.Operator) is { } name => (DerivativeRules.Get(name, 2), new[] { b.Left, b.Right }),
        IrUnary { Operator: UnaryOperator.Negate } u when u.Type.IsReal => (DerivativeRules.Get(DerivativeRules.Negate, 1), new[] { u.Operand }),
        IrMathCall m when m.Type.IsReal => (DerivativeRules.Get(m.Function, m.Arguments.Count), m.Arguments.ToArray()),
        _ => null,
    };

    private static string? OperatorRule(BinaryOperator op) => op switch
    {
        BinaryOperator.Add => DerivativeRules.Add,
        BinaryOperator.Subtract => DerivativeRules.Subtract,
        BinaryOperator.Multiply => DerivativeRules.Multiply,
        BinaryOperator.Divide => DerivativeRules.Divide,
        BinaryOperator.Remainder => DerivativeRules.Remainder,
        _ => null,
    };

    private static bool IsLeaf(IrExpression node) => node is IrRead or IrConstant or IrExternal or IrElement or IrLength;

    /// <summary>Inactive and cheap: the reverse sweep recomputes it from restored variables instead of keeping it.</summary>
    private bool IsRecomputable(IrExpression node)
    {
        if (_activity.IsActive(node)) return false;
        bool cheap = true;
        IrWalker.VisitExpression(node, e => cheap &= e is IrRead or IrConstant or IrExternal or IrElement or IrLength or IrConvert or IrUnary or IrBinary);
        return cheap;
    }

    /// <summary>Spells the forward value, declaring a temporary for every needed intermediate result.</summary>
    private string ForwardValue(IrExpression node, ExpressionPlan plan, List<Code> forward, List<(string, IrType)> kept, bool root)
    {
        if (IsLeaf(node)) return _text.Of(node);
        foreach (var child in Children(node)) ForwardValue(child, plan, forward, kept, root: false);
        if (node is IrDifferentiableCall call && IsEager(call) && _activity.IsActive(call)) return EagerCall(call, plan.Needed.Contains(call), forward, kept);
        if (node is IrDifferentiableCall split && plan.Split.Contains(split)) return SplitCall(split, plan.Needed.Contains(split), forward, kept);
        string text = _text.Of(node);
        if (root || !plan.Needed.Contains(node) || IsRecomputable(node)) return text;
        string name = Reserve(TempName(node));
        forward.Add(Keep(name, node.Type, text));
        kept.Add((name, node.Type));
        _values[node] = name;
        return name;
    }

    /// <summary>
    /// A call whose arguments are all scalars is differentiated eagerly: the forward sweep calls the pullback with seed 1
    /// and keeps the partial derivatives, so the reverse sweep only multiplies (the callee runs once, not twice). A callee
    /// with side effects runs split instead, on this method's tape (see <see cref="CalleeInfo.HasEffects"/>).
    /// </summary>
    private static bool IsEager(IrDifferentiableCall call) => call.Arguments.All(a => !a.Type.IsBuffer) && call.Callee.ThisGradientPath is null && !call.Callee.HasEffects;

    /// <summary>The part of <c>dThis</c> a callee that differentiates members receives (<c>dThis</c>, <c>dThis.Fc1</c>), or null.</summary>
    private string? ThisGradientArgument(CalleeInfo callee) =>
        callee.ThisGradientPath is { } path ? (callee.ThisByRef ? "ref " : "") + _program.ThisName + path : null;

    private readonly Dictionary<IrExpression, string?[]> _partials = new(ReferenceComparer<IrExpression>.Instance);

    private string EagerCall(IrDifferentiableCall call, bool valueNeeded, List<Code> forward, List<(string, IrType)> kept)
    {
        var partials = new string?[call.Arguments.Count];
        var references = new List<string>();
        for (int i = 0; i < call.Arguments.Count; i++)
        {
            if (!call.Callee.ActiveParameters[i]) continue;
            var type = call.Arguments[i].Type;
            string name = Reserve("d" + call.Callee.Name + "_d" + call.Callee.ParameterNames[i]);
            forward.Add(Keep(name, type, "0"));
            references.Add("ref " + name);
            if (_activity.IsActive(call.Arguments[i]))
            {
                partials[i] = name;
                kept.Add((name, type));
            }
        }
        _partials[call] = partials;
        string value = Reserve(TempName(call));
        if (call.Callee.CustomRule)
        {
            // The original, then its rule with seed 1: the partial derivatives, which the reverse sweep scales.
            forward.Add(Keep(value, call.Type, _text.Of(call)));
            var ruleArguments = call.Arguments.Select(a => _text.Of(a)).Append(value).Append("1").Concat(references);
            forward.Add(new CodeLine(call.Callee.PullbackName + "(" + string.Join(", ", ruleArguments) + ");"));
            if (valueNeeded) kept.Add((value, call.Type));
            _values[call] = value;
            return value;
        }
        string arguments = string.Join(", ", call.Arguments.Select(a => _text.Of(a)).Append("1").Concat(references));
        forward.Add(Keep(value, call.Type, call.Callee.Target + "." + call.Callee.PullbackName + "(" + arguments + ")"));
        if (valueNeeded) kept.Add((value, call.Type));
        _values[call] = value;
        return value;
    }

    /// <summary>The split calls of the statement being differentiated, in the order their forward sweeps ran.</summary>
    private readonly List<(IrDifferentiableCall Call, string Adjoint)> _splitCalls = new();

    private readonly Dictionary<IrExpression, string> _splitAdjoints = new(ReferenceComparer<IrExpression>.Instance);

    /// <summary>
    /// A call with buffer arguments runs split: the forward sweep calls the callee's split forward, which leaves on the
    /// tape what its reverse reads; <see cref="Propagate"/> accumulates the call's adjoint into a local, and
    /// <see cref="ReverseSplitCalls"/> runs the callee's split reverse once the statement's propagation is done.
    /// </summary>
    private string SplitCall(IrDifferentiableCall call, bool valueNeeded, List<Code> forward, List<(string, IrType)> kept)
    {
        string arguments = string.Join(", ", call.Arguments.Select(a => _text.Of(a)).Append("ref " + Tape()));
        string value = Reserve(TempName(call));
        forward.Add(Keep(value, call.Type, call.Callee.Target + "." + call.Callee.ForwardName + "(" + arguments + ")"));
        if (valueNeeded) kept.Add((value, call.Type));
        _values[call] = value;
        string adjoint = Reserve("d" + MethodName + "_d" + value);
        _program.Declarations.Add(call.Type.Keyword + " " + adjoint + " = 0;");
        _splitCalls.Add((call, adjoint));
        _splitAdjoints[call] = adjoint;
        return value;
    }

    /// <summary>Runs the split reverses of the statement's calls, last call first, each followed by its scalar arguments.</summary>
    private void ReverseSplitCalls(List<Code> reverse)
    {
        for (int k = _splitCalls.Count - 1; k >= 0; k--)
        {
            var (call, adjoint) = _splitCalls[k];
            PropagateCall(call, adjoint, reverse, split: true);
        }
        _splitCalls.Clear();
    }

    private static IEnumerable<IrExpression> Children(IrExpression node) => node switch
    {
        IrElement e => new[] { e.Index },
        IrUnary u => new[] { u.Operand },
        IrBinary b => new[] { b.Left, b.Right },
        IrConvert c => new[] { c.Operand },
        IrConditional c => new[] { c.Condition, c.WhenTrue, c.WhenFalse },
        IrMathCall m => m.Arguments,
        IrOpaqueCall o => o.Arguments,
        IrDifferentiableCall d => d.Arguments,
        _ => System.Array.Empty<IrExpression>(),
    };

    /// <summary>The value of a node as an operand: a kept temporary, or the (parenthesized) recomputed expression.</summary>
    private string Value(IrExpression node) => _values.TryGetValue(node, out var name) ? name : ExpressionText.Atom(_text.Of(node));

    /// <summary>Accumulates <paramref name="adjoint"/> times the local derivatives into the operands of <paramref name="node"/>.</summary>
    private void Propagate(IrExpression node, string adjoint, List<Code> reverse)
    {
        if (!_activity.IsActive(node)) return;
        switch (node)
        {
            case IrRead read:
                reverse.Add(new CodeLine(Adjoint(read.Variable) + " += " + adjoint + ";"));
                return;
            case IrElement element:
                var accumulate = new CodeLine(Adjoint(element.Buffer) + "[" + _text.Of(element.Index) + "] += " + adjoint + ";");
                // A caller that does not want a parameter's gradient passes an empty span (see GradientArgument).
                reverse.Add(_method.Variables[element.Buffer].Kind == VariableKind.Parameter && !_method.Outputs.Contains(element.Buffer)
                    ? new CodeBlock("if (!" + Adjoint(element.Buffer) + ".IsEmpty)", new List<Code> { accumulate })
                    : accumulate);
                return;
            case IrConvert convert:
                Propagate(convert.Operand, "(" + convert.Operand.Type.Keyword + ")" + ExpressionText.Atom(adjoint), reverse);
                return;
            case IrConditional { Condition: IrConstant constant } conditional:
                Propagate(constant.Text == "true" ? conditional.WhenTrue : conditional.WhenFalse, adjoint, reverse);
                return;
            case IrConditional conditional:
                var whenTrue = new List<Code>();
                var whenFalse = new List<Code>();
                Propagate(conditional.WhenTrue, adjoint, whenTrue);
                Propagate(conditional.WhenFalse, adjoint, whenFalse);
                string condition = _values.TryGetValue(conditional.Condition, out var kept) ? kept : _text.Of(conditional.Condition);
                reverse.Add(whenTrue.Count == 0
                    ? new CodeBlock("if (!" + ExpressionText.Atom(condition) + ")", whenFalse)
                    : new CodeBlock("if (" + condition + ")", whenTrue, whenFalse.Count > 0 ? whenFalse : null));
                return;
            case IrDifferentiableCall call when _splitAdjoints.TryGetValue(call, out var split):
                reverse.Add(new CodeLine(split + " += " + adjoint + ";"));
                return;
            case IrDifferentiableCall call when _partials.TryGetValue(call, out var eager):
                for (int i = 0; i < eager.Length; i++)
                    if (eager[i] is { } derivative) Propagate(call.Arguments[i], Scale(adjoint, derivative), reverse);
                return;
            case IrDifferentiableCall call:
                PropagateCall(call, adjoint, reverse);
                return;
        }

        var applied = RuleOf(node) ?? throw new System.InvalidOperationException("No derivative rule for " + node.GetType().Name);
        var context = new RuleContext(node.Type.Scalar, applied.Arguments.Select(Value).ToArray(), Value(node));
        var partials = applied.Rule.Partials(context);
        // The same variable in several operands (x * x) gets one accumulation of the summed partials.
        var targets = new List<(IrExpression Argument, string Partial)>();
        for (int i = 0; i < partials.Length; i++)
        {
            if (partials[i] is not { } partial || !_activity.IsActive(applied.Arguments[i])) continue;
            int same = targets.FindIndex(t => IsLeaf(t.Argument) && t.Argument.Equals(applied.Arguments[i]));
            if (same < 0) targets.Add((applied.Arguments[i], partial));
            else targets[same] = (targets[same].Argument, ExpressionText.Atom(targets[same].Partial) + " + " + ExpressionText.Atom(partial));
        }
        if (targets.Count > 1 && !IsName(adjoint))
        {
            string local = Reserve("d" + MethodName + "_d" + TempName(node));
            reverse.Add(new CodeLine(node.Type.Keyword + " " + local + " = " + adjoint + ";"));
            adjoint = local;
        }
        foreach (var (argument, partial) in targets)
            Propagate(argument, Scale(adjoint, partial), reverse);
    }

    /// <summary>
    /// Calls the callee's pullback (joint: it runs the callee again) or, for a split call, its split reverse on our tape
    /// (then resets the call's adjoint), and propagates into the scalar arguments.
    /// </summary>
    private void PropagateCall(IrDifferentiableCall call, string adjoint, List<Code> reverse, bool split = false)
    {
        var pending = new List<(IrExpression, string)>();
        var arguments = call.Arguments.Select(Argument).ToList();
        if (call.Callee.CustomRule) arguments.Add(Value(call));
        arguments.Add(adjoint);
        if (ThisGradientArgument(call.Callee) is { } thisGradient) arguments.Add(thisGradient);
        for (int i = 0; i < call.Arguments.Count; i++)
            if (call.Callee.ActiveParameters[i])
                arguments.Add(GradientArgument(call.Callee.Name, call.Callee.ParameterNames[i], call.Arguments[i], reverse, pending));
        if (split) arguments.Add("ref " + Tape());
        string callee = split ? call.Callee.Target + "." + call.Callee.ReverseName : call.Callee.CustomRule ? call.Callee.PullbackName : call.Callee.Target + "." + call.Callee.PullbackName;
        reverse.Add(new CodeLine(callee + "(" + string.Join(", ", arguments) + ");"));
        if (split) reverse.Add(new CodeLine(adjoint + " = 0;"));
        foreach (var (argument, local) in pending) Propagate(argument, local, reverse);
    }

    private static string Scale(string adjoint, string partial) => partial switch
    {
        "1" => adjoint,
        "-1" => "-" + ExpressionText.Atom(adjoint),
        _ => ExpressionText.Atom(adjoint) + " * " + ExpressionText.Atom(partial),
    };

    private static bool IsName(string text) => text.All(c => char.IsLetterOrDigit(c) || c == '_');

    private static string TempName(IrExpression node) => node switch
    {
        IrMathCall m => char.ToLowerInvariant(m.Function[0]) + m.Function.Substring(1),
        IrBinary { Operator: BinaryOperator.Add } => "sum",
        IrBinary { Operator: BinaryOperator.Subtract } => "difference",
        IrBinary { Operator: BinaryOperator.Multiply } => "product",
        IrBinary { Operator: BinaryOperator.Divide } => "quotient",
        IrBinary { Operator: BinaryOperator.Remainder } => "remainder",
        IrBinary => "test",
        IrUnary { Operator: UnaryOperator.Negate } => "negated",
        IrUnary => "test",
        IrConvert => "converted",
        IrConditional => "choice",
        IrDifferentiableCall d => char.ToLowerInvariant(d.Callee.Name[0]) + d.Callee.Name.Substring(1),
        _ => "value",
    };

    // ---------------------------------------------------------------- what the reverse sweep reads

    /// <summary>Records what the reverse code of a statement reads, so that overwrites it can observe are undone.</summary>
    private void CollectReverseReads(IrStatement statement)
    {
        switch (statement)
        {
            case IrAssign assign when _activity.IsActive(assign.Variable):
                CollectExpressionReads(statement, assign.Value, assign.Variable);
                break;
            case IrStore store when HasAdjoint(store.Buffer) || _reverseRead.IsRead(store.Buffer):
                AddReads(store.Index, statement);
                if (_activity.IsActive(store.Buffer)) CollectExpressionReads(statement, store.Value, store.Buffer);
                break;
            case IrCallStatement call:
                // The layer's backward runs the layer again on the same inputs: they must hold their forward values.
                // Scalar arguments are differentiated in the reverse sweep from the variables they read.
                foreach (var argument in call.Arguments.Where((_, i) => !call.Callee.OutputParameters[i]))
                    if (argument is IrRead or IrSlice || !argument.Type.IsBuffer) AddReads(argument, statement);
                // An output slice's bounds pick the part of the adjoint its reverse consumes (not the buffer's contents).
                foreach (var slice in call.Arguments.Where((_, i) => call.Callee.OutputParameters[i]).OfType<IrSlice>())
                {
                    AddReads(slice.Start, statement);
                    AddReads(slice.Length, statement);
                }
                // A hand-written rule reads the outputs as the call left them.
                if (call.Callee.CustomRule)
                    foreach (var output in call.Arguments.Where((_, i) => call.Callee.OutputParameters[i]))
                        _reverseRead.Add(IrSlice.BufferOf(output), statement, after: true);
                break;
            case IrIf branch:
                foreach (var s in branch.Then) CollectReverseReads(s);
                foreach (var s in branch.Else) CollectReverseReads(s);
                break;
            case IrLoop loop:
                // The reverse loop 'for (i = bound - 1; i >= init; i--)' reads its bounds where the loop stands.
                if (_counted.TryGetValue(loop, out var bounds))
                {
                    AddReads(bounds.Init, statement);
                    AddReads(bounds.Bound, statement);
                }
                bool counted = _counted.TryGetValue(loop, out var c) && _countersInScope.Add(c.Counter);
                foreach (var s in loop.Body) CollectReverseReads(s);
                foreach (var s in loop.Step) CollectReverseReads(s);
                if (counted) _countersInScope.Remove(c!.Counter);
                break;
        }
    }

    private void CollectExpressionReads(IrStatement statement, IrExpression value, int target)
    {
        var plan = Plan(value);
        foreach (var node in plan.Needed)
        {
            if (ReferenceEquals(node, value))
            {
                // The reverse sweep reads a needed result from the target itself, right after the statement.
                // The result variable is assigned once on every path (see ControlFlowNormalizer): nothing overwrites it.
                if (!IsLeaf(node) && target != _method.Result) _reverseRead.Add(target, statement, after: true);
                continue;
            }
            if (IsLeaf(node) || IsRecomputable(node)) AddReads(node, statement);
        }
        IrWalker.VisitExpression(value, e =>
        {
            if (e is IrElement element && _activity.IsActive(element)) AddReads(element.Index, statement);
            if (e is IrDifferentiableCall call)
                foreach (var argument in call.Arguments.Where(a => a.Type.IsBuffer)) AddReads(argument, statement);
        });
    }

    private void AddReads(IrExpression expression, IrStatement statement) =>
        IrWalker.VisitExpression(expression, e =>
        {
            if (e is IrRead read)
            {
                if (!_countersInScope.Contains(read.Variable)) _reverseRead.Add(read.Variable, statement);
            }
            else if (e is IrElement element) _reverseRead.Add(element.Buffer, statement);
        });

    private bool NeedsRestore(IrAssign assign) =>
        _reverseRead.MustRestore(assign.Variable, assign) && !(assign.IsDeclaration && _reverseRead.SiteOf(assign).Loops.Length == 0)
        && !_dominatedWrites.Contains(assign);

    /// <summary>Assignments whose old values need no restore although a reverse read shares a loop with them (see <see cref="FindDominatedWrites"/>).</summary>
    private readonly HashSet<IrStatement> _dominatedWrites = new(ReferenceComparer<IrStatement>.Instance);

    /// <summary>
    /// An assignment <c>v = …</c> inside a loop needs no restore when an assignment of <c>v</c> at the top of the same
    /// block precedes that loop and the reverse sweep reads <c>v</c> nowhere from there to the loop's end: the loop's
    /// reverse leaves <c>v</c> as the loop left it, which is what the reads after the loop saw, and the earlier assignment's
    /// own restore gives the reads before it their value. <c>e = 0; for (…) e += Math.Exp(z[c] - m);</c> then saves
    /// <c>e</c> once per pass, not once per term.
    /// </summary>
    private void FindDominatedWrites()
    {
        void Visit(IReadOnlyList<IrStatement> block)
        {
            for (int k = 0; k < block.Count; k++)
            {
                if (block[k] is IrAssign first)
                {
                    int from = _reverseRead.SiteOf(first).Position;
                    for (int m = k + 1; m < block.Count; m++)
                    {
                        if (block[m] is not IrLoop loop) continue;
                        if (_reverseRead.IsReadBetween(first.Variable, from, _reverseRead.LastPosition(loop))) break;
                        IrWalker.VisitStatements(loop, s =>
                        {
                            if (s is IrAssign later && later.Variable == first.Variable) _dominatedWrites.Add(later);
                        });
                    }
                }
                switch (block[k])
                {
                    case IrIf branch:
                        Visit(branch.Then);
                        Visit(branch.Else);
                        break;
                    case IrLoop loop:
                        Visit(loop.Body);
                        Visit(loop.Step);
                        break;
                }
            }
        }
        Visit(_method.Body);
    }

    private bool IsRelevant(IrStatement statement) => statement switch
    {
        IrAssign { Value: IrNewBuffer } => false,
        IrAssign assign => _activity.IsActive(assign.Variable) || NeedsRestore(assign),
        IrStore store => HasAdjoint(store.Buffer) || _reverseRead.MustRestore(store.Buffer, store),
        IrCallStatement call => call.Arguments.Where((_, i) => call.Callee.OutputParameters[i])
            .Select(IrSlice.BufferOf).Any(b => HasAdjoint(b) || _reverseRead.MustRestore(b, call)),
        IrIf branch => branch.Then.Concat(branch.Else).Any(IsRelevant),
        IrLoop loop => loop.Body.Concat(loop.Step).Any(IsRelevant),
        _ => false,
    };

    private void FindInlineDeclarations()
    {
        foreach (var statement in _method.Body)
            if (statement is IrAssign { IsDeclaration: true } assign) _inlineDeclared.Add(assign.Variable);
    }
}
