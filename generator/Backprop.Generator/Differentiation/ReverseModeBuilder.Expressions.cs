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
    /// <summary>Spells the forward value, declaring a temporary for every needed intermediate result.</summary>
    private Fragment ForwardValue(IrExpression node, RecordingPlan.ExpressionPlan plan, List<Code> forward, List<(string, IrType)> kept, bool root)
    {
        if (RecordingPlan.IsLeaf(node)) return _text.Of(node);
        foreach (var child in node.Children) ForwardValue(child, plan, forward, kept, root: false);
        if (node is IrDifferentiableCall call && RecordingPlan.IsEager(call) && _activity.IsActive(call)) return EagerCall(call, plan.Needed.Contains(call), forward, kept);
        if (node is IrDifferentiableCall split && plan.Split.Contains(split)) return SplitCall(split, plan.Needed.Contains(split), forward, kept);
        var text = _text.Of(node);
        if (root || !plan.Needed.Contains(node) || _plan.IsRecomputable(node)) return text;
        string name = Reserve(TempName(node));
        forward.Add(Keep(name, node.Type, text));
        kept.Add((name, node.Type));
        _values[node] = name;
        return N(name);
    }

    /// <summary>
    /// The part of <c>dThis</c> a callee that differentiates members receives (<c>dThis</c>, <c>dThis.Fc1</c>,
    /// <c>dThis.Layers[i]</c> with <paramref name="arguments"/> the call's arguments as spelled), or null.
    /// </summary>
    private Fragment? ThisGradientArgument(CalleeInfo callee, IReadOnlyList<Fragment> arguments) =>
        callee.ThisGradientPath is not { } path ? null
        : (callee.ThisByRef ? "ref " : "") + N(_program.ThisName) + path + (callee.IndexedReceiver ? "[" + arguments[arguments.Count - 1] + callee.ElementAccess : Fragment.Empty);

    private readonly Dictionary<IrExpression, string?[]> _partials = new(ReferenceComparer<IrExpression>.Instance);

    private Fragment EagerCall(IrDifferentiableCall call, bool valueNeeded, List<Code> forward, List<(string, IrType)> kept)
    {
        var partials = new string?[call.Arguments.Count];
        var references = new List<Fragment>();
        for (int i = 0; i < call.Arguments.Count; i++)
        {
            if (!call.Callee.ActiveParameters[i]) continue;
            var type = call.Arguments[i].Type;
            string name = Reserve("d" + call.Callee.Name + "_d" + call.Callee.ParameterNames[i]);
            forward.Add(Keep(name, type, Fragment.Zero));
            references.Add(Fragment.RefOf(name));
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
            var ruleArguments = call.Arguments.Select(a => _text.Of(a)).Append(N(value)).Append(Fragment.One).Concat(references);
            forward.Add(new CodeStatement(call.Callee.PullbackName + "(" + Fragment.Join(", ", ruleArguments) + ")"));
            if (valueNeeded) kept.Add((value, call.Type));
            _values[call] = value;
            return N(value);
        }
        var spelled = call.Arguments.Select(a => _text.Of(a)).ToList();
        var arguments = Fragment.Join(", ", call.Callee.Own(spelled).Append(Fragment.One).Concat(references));
        forward.Add(Keep(value, call.Type, ExpressionText.Receiver(call.Callee, spelled) + "." + call.Callee.PullbackName + "(" + arguments + ")"));
        if (valueNeeded) kept.Add((value, call.Type));
        _values[call] = value;
        return N(value);
    }

    /// <summary>The split calls of the statement being differentiated, in the order their forward sweeps ran.</summary>
    private readonly List<(IrDifferentiableCall Call, string Adjoint)> _splitCalls = new();

    private readonly Dictionary<IrExpression, string> _splitAdjoints = new(ReferenceComparer<IrExpression>.Instance);

    /// <summary>
    /// A call with buffer arguments runs split: the forward sweep calls the callee's split forward, which leaves on the
    /// tape what its reverse reads; <see cref="Propagate"/> accumulates the call's adjoint into a local, and
    /// <see cref="ReverseSplitCalls"/> runs the callee's split reverse once the statement's propagation is done.
    /// </summary>
    private Fragment SplitCall(IrDifferentiableCall call, bool valueNeeded, List<Code> forward, List<(string, IrType)> kept)
    {
        var spelled = call.Arguments.Select(a => _text.Of(a)).ToList();
        var arguments = Fragment.Join(", ", call.Callee.Own(spelled).Append("ref " + Tape()));
        string value = Reserve(TempName(call));
        forward.Add(Keep(value, call.Type, ExpressionText.Receiver(call.Callee, spelled) + "." + call.Callee.ForwardName + "(" + arguments + ")"));
        if (valueNeeded) kept.Add((value, call.Type));
        _values[call] = value;
        string adjoint = Reserve("d" + MethodName + "_d" + value);
        _program.Declarations.Add(new Declaration(call.Type.Keyword, adjoint, "0"));
        _splitCalls.Add((call, adjoint));
        _splitAdjoints[call] = adjoint;
        return N(value);
    }

    /// <summary>Runs the split reverses of the statement's calls, last call first, each followed by its scalar arguments.</summary>
    private void ReverseSplitCalls(List<Code> reverse)
    {
        for (int k = _splitCalls.Count - 1; k >= 0; k--)
        {
            var (call, adjoint) = _splitCalls[k];
            PropagateCall(call, N(adjoint), reverse, split: true);
        }
        _splitCalls.Clear();
    }

    /// <summary>The value of a node as an operand: a kept temporary, or the (parenthesized) recomputed expression.</summary>
    private Fragment Value(IrExpression node) => _values.TryGetValue(node, out var name) ? N(name) : ExpressionText.Atom(_text.Of(node));

    /// <summary>Accumulates <paramref name="adjoint"/> times the local derivatives into the operands of <paramref name="node"/>.</summary>
    private void Propagate(IrExpression node, Fragment adjoint, List<Code> reverse)
    {
        if (!_activity.IsActive(node)) return;
        switch (node)
        {
            case IrRead read:
                reverse.Add(CodeAssign.Add(N(Adjoint(read.Variable)), adjoint));
                return;
            case IrElement element:
                var accumulate = CodeAssign.Add(_text.Element(N(Adjoint(element.Buffer)), element.Index), adjoint);
                // A caller that does not want a parameter's gradient passes an empty span (see GradientArgument); the
                // gradient of a two-dimensional array is an array, always there.
                reverse.Add(_method.Variables[element.Buffer] is { Kind: VariableKind.Parameter, IsMatrix: false, Jagged: false } && !_method.Outputs.Contains(element.Buffer)
                    ? CodeIf.Wanted(Adjoint(element.Buffer), new List<Code> { accumulate })
                    : accumulate);
                return;
            case IrConvert convert:
                Propagate(convert.Operand, "(" + convert.Operand.Type.Keyword + ")" + ExpressionText.Atom(adjoint), reverse);
                return;
            case IrConditional { Condition: IrConstant constant } conditional:
                Propagate(constant.Truth == true ? conditional.WhenTrue : conditional.WhenFalse, adjoint, reverse);
                return;
            case IrConditional conditional:
                var whenTrue = new List<Code>();
                var whenFalse = new List<Code>();
                Propagate(conditional.WhenTrue, adjoint, whenTrue);
                Propagate(conditional.WhenFalse, adjoint, whenFalse);
                var condition = _values.TryGetValue(conditional.Condition, out var kept) ? N(kept) : _text.Of(conditional.Condition);
                reverse.Add(whenTrue.Count == 0
                    ? new CodeIf("!" + ExpressionText.Atom(condition), whenFalse)
                    : new CodeIf(condition, whenTrue, whenFalse.Count > 0 ? whenFalse : null));
                return;
            case IrDifferentiableCall call when _splitAdjoints.TryGetValue(call, out var split):
                reverse.Add(CodeAssign.Add(N(split), adjoint));
                return;
            case IrDifferentiableCall call when _partials.TryGetValue(call, out var eager):
                // The callee's partials, taken with seed 1, may be singular like a rule's (see StrongScale).
                bool strongCall = call.Callee.Singular && !adjoint.IsConstant(1) && !adjoint.IsConstant(-1);
                if (strongCall && adjoint.AsName is null)
                {
                    string local = Reserve("d" + MethodName + "_d" + TempName(call));
                    reverse.Add(CodeAssign.Declare(call.Type.Keyword, local, adjoint));
                    adjoint = N(local);
                }
                for (int i = 0; i < eager.Length; i++)
                    if (eager[i] is { } derivative) Propagate(call.Arguments[i], strongCall ? StrongScale(adjoint, N(derivative)) : Scale(adjoint, N(derivative)), reverse);
                return;
            case IrDifferentiableCall call:
                PropagateCall(call, adjoint, reverse);
                return;
        }

        var applied = RecordingPlan.RuleOf(node) ?? throw new System.InvalidOperationException("No derivative rule for " + node.GetType().Name);
        var context = new RuleContext(node.Type.Scalar, applied.Arguments.Select(Value).ToArray(), Value(node));
        var partials = applied.Rule.Partials(context);
        // The same variable in several operands (x * x) gets one accumulation of the summed partials.
        var targets = new List<(IrExpression Argument, Fragment Partial)>();
        for (int i = 0; i < partials.Length; i++)
        {
            if (partials[i] is not { } partial || !_activity.IsActive(applied.Arguments[i])) continue;
            int same = targets.FindIndex(t => RecordingPlan.IsLeaf(t.Argument) && t.Argument.Equals(applied.Arguments[i]));
            if (same < 0) targets.Add((applied.Arguments[i], partial));
            else
            {
                var (left, right) = (ExpressionText.Atom(targets[same].Partial), ExpressionText.Atom(partial));
                targets[same] = (targets[same].Argument, Fragment.Binary(TreeKind.Add, left, right, left + " + " + right));
            }
        }
        // A singular partial (infinite or NaN where the operation is finite) scales a zero adjoint to 0: see StrongScale.
        bool strong = applied.Rule.Singular && !adjoint.IsConstant(1) && !adjoint.IsConstant(-1);
        if ((targets.Count > 1 || strong) && adjoint.AsName is null)
        {
            string local = Reserve("d" + MethodName + "_d" + TempName(node));
            reverse.Add(CodeAssign.Declare(node.Type.Keyword, local, adjoint));
            adjoint = N(local);
        }
        foreach (var (argument, partial) in targets)
            Propagate(argument, strong ? StrongScale(adjoint, partial) : Scale(adjoint, partial), reverse);
    }

    /// <summary>
    /// <c>adjoint * partial</c>, but 0 where the adjoint is 0, for a rule whose partial may be infinite or NaN where the
    /// operation is finite (<see cref="DerivativeRule.Singular"/>). A zero adjoint is a strong zero, as in forward mode
    /// and in the skipped nested reductions: a value no output depends on (<c>Math.Sqrt(x)</c> at 0 in an output the loss
    /// does not read, a Jacobian row of another output) adds nothing to the gradient instead of NaN.
    /// </summary>
    private static Fragment StrongScale(Fragment adjoint, Fragment partial) =>
        Fragment.Parenthesized(ExpressionText.Atom(adjoint) + " == 0 ? 0 : " + Scale(adjoint, partial));

    /// <summary>
    /// Calls the callee's pullback (joint: it runs the callee again) or, for a split call, its split reverse on our tape
    /// (then resets the call's adjoint), and propagates into the scalar arguments.
    /// </summary>
    private void PropagateCall(IrDifferentiableCall call, Fragment adjoint, List<Code> reverse, bool split = false)
    {
        var pending = new List<(IrExpression, string)>();
        var spelled = call.Arguments.Select(Argument).ToList();
        var arguments = call.Callee.Own(spelled).ToList();
        if (call.Callee.CustomRule) arguments.Add(Value(call));
        arguments.Add(adjoint);
        if (ThisGradientArgument(call.Callee, spelled) is { } thisGradient) arguments.Add(thisGradient);
        for (int i = 0; i < call.Arguments.Count; i++)
            if (call.Callee.ActiveParameters[i])
                arguments.Add(GradientArgument(call.Callee.Name, call.Callee.ParameterNames[i], call.Arguments[i], reverse, pending));
        if (split) arguments.Add("ref " + Tape());
        var callee = call.Callee.CustomRule && !split ? Fragment.Literal(call.Callee.PullbackName)
            : ExpressionText.Receiver(call.Callee, spelled) + "." + (split ? call.Callee.ReverseName : call.Callee.PullbackName);
        reverse.Add(new CodeStatement(callee + "(" + Fragment.Join(", ", arguments) + ")"));
        if (split) reverse.Add(CodeAssign.Reset(adjoint));
        foreach (var (argument, local) in pending) Propagate(argument, N(local), reverse);
    }

    private static Fragment Scale(Fragment adjoint, Fragment partial)
    {
        if (partial.IsConstant(1)) return adjoint;
        var (left, right) = (ExpressionText.Atom(adjoint), ExpressionText.Atom(partial));
        if (partial.IsConstant(-1)) return Fragment.Negate(left, "-" + left);
        return Fragment.Binary(TreeKind.Multiply, left, right, left + " * " + right);
    }

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

    private void FindInlineDeclarations()
    {
        foreach (var statement in _method.Body)
            if (statement is IrAssign { IsDeclaration: true } assign) _inlineDeclared.Add(assign.Variable);
    }
}
