using System;
using System.Collections.Generic;
using System.Linq;
using Backprop.Generator.Analysis;
using Backprop.Generator.Helpers;
using Backprop.Generator.Ir;

namespace Backprop.Generator.Differentiation;

/// <summary>
/// Forward mode as an IR-to-IR transformation, for second derivatives: from a scalar method <c>f(p)</c> it builds the
/// method <c>g(p, v) = f'(p)·v</c> (its directional derivative along <c>v</c>) as IR, so that the reverse-mode builder
/// differentiates it like any method: <c>∇ₚ g = H·v</c>, the Hessian–vector product (reverse over forward), and, in the
/// same sweep, <c>∇ᵥ g = ∇f</c>, the gradient. Each active write gets its tangent written just before it, from the same rules table
/// (the partials' trees become IR over the operation's arguments and result).
/// </summary>
internal sealed class TangentLowering
{
    private readonly IrMethod _method;
    private readonly ActivityAnalysis _activity;
    private readonly List<IrVariable> _variables;
    private readonly Dictionary<int, int> _tangents = new();
    private readonly HashSet<string> _names;
    private bool _resultIsRead;

    /// <summary>Tangents kept in a local before the statement being lowered, so that a strong zero reads them twice for free.</summary>
    private readonly List<IrAssign> _pending = new();

    /// <summary>Locals made for <see cref="_pending"/>, declared (zero) at the top like the tangent locals.</summary>
    private readonly List<int> _temporaries = new();

    /// <summary>How many conditional arms enclose the expression being lowered: a tangent there may not be evaluated early.</summary>
    private int _arms;

    private SourceRef _source = new(0, "");

    private TangentLowering(IrMethod method, ActivityAnalysis activity)
    {
        _method = method;
        _activity = activity;
        _variables = method.Variables.ToList();
        _names = new HashSet<string>(method.Variables.Select(v => Identifiers.Bare(v.Name)));
    }

    /// <summary>
    /// What makes <paramref name="method"/> unfit for this transformation, in the user's words, or null. Calls are not
    /// its concern: the analysis inlines them first (<see cref="Analysis.Inliner"/>), and reports what it cannot inline.
    /// </summary>
    public static string? Limit(IrMethod method)
    {
        if (method.Shape.IsVoid) return "it is a layer (a void method); Hessians are of scalar methods";
        if (method.Shape.HasThisGradient) return "it differentiates members of 'this'; make it static and pass the parameters";
        return null;
    }

    /// <summary>The method <c>g(p, v)</c>, named <paramref name="name"/>: the parameters, then one tangent per differentiated parameter.</summary>
    public static IrMethod Build(IrMethod method, ActivityAnalysis activity, string name) => new TangentLowering(method, activity).Run(name);

    private IrMethod Run(string name)
    {
        foreach (var statement in _method.Body)
            IrWalker.VisitStatements(statement, s => IrWalker.VisitStatement(s, e => _resultIsRead |= e is IrRead { Variable: var v } && v == _method.Result));
        // Nothing reads the result: its variable holds its tangent instead (the method returns that), and is not written twice.
        if (!_resultIsRead) _tangents[_method.Result] = _method.Result;
        var parameters = _method.Parameters.ToList();
        var prologue = new List<IrStatement>();
        var none = new SourceRef(0, "");
        foreach (int p in _method.Parameters)
        {
            var v = _variables[p];
            var fields = _method.Variables.Where(f => f.IsParameterField && f.Owner == v.Name).ToList();
            if (v.Kind == VariableKind.Parameter && fields.Any(f => f.IsDifferentiableInput))
            {
                // A struct parameter's direction is a struct of the same type (S vP): the tangent of the field p.X is vP.X,
                // read where p.X is (fields of a parameter are never written).
                int structDirection = Add("v" + Identifiers.Capitalized(Identifiers.Bare(v.Name)), v.Type, VariableKind.Parameter, v.DeclaredType, noDerivative: true);
                parameters.Add(structDirection);
                foreach (var field in fields)
                {
                    int id = _variables.Count;
                    string fieldName = Identifiers.Escape(Identifiers.Reserve(_names, Identifiers.Bare(_variables[structDirection].Name) + "_" + field.Member.Replace('.', '_').Replace("@", "")));
                    _variables.Add(new IrVariable(id, fieldName, field.Type, VariableKind.Member, field.NoDerivative, field.DeclaredType, field.Member, _variables[structDirection].Name));
                    if (field.IsDifferentiableInput) _tangents[field.Id] = id;
                }
                continue;
            }
            if (!v.IsDifferentiableParameter) continue;
            string keyword = v.Type.IsBuffer ? "global::System.ReadOnlySpan<" + (v.View.Length > 0 ? v.View : v.Type.ScalarKeyword) + ">" : v.Type.Keyword;
            var type = v.Type.IsBuffer ? v.Type with { Shape = ShapeKind.ReadOnlySpan } : v.Type;
            // Differentiated too: g is linear in v, so ∂g/∂v = ∇f comes out of the same reverse sweep as ∂g/∂p = H·v.
            int direction = Add("v" + Identifiers.Capitalized(v.Name), type, VariableKind.Parameter, keyword);
            if (v.View.Length > 0)
            {
                // An array or span of structs: so is its direction, read through its flat view like the parameter.
                _variables[direction] = _variables[direction] with { View = v.View };
                _names.Add(_variables[direction].Spelling);
            }
            parameters.Add(direction);
            if (v.Type.IsBuffer)
            {
                _tangents[p] = direction;
                continue;
            }
            // A scalar parameter the body may assign: its tangent is a local, starting at the direction.
            prologue.Add(new IrAssign(none, Tangent(p), new IrRead(type, direction), IsDeclaration: true));
        }
        var body = Block(_method.Body);
        int result = Tangent(_method.Result);
        // Every scalar tangent local is declared (zero) first: a primal declared in a branch may be read after it.
        foreach (var pair in _tangents.OrderBy(t => t.Value))
            if (_variables[pair.Key].Kind != VariableKind.Parameter && _variables[pair.Value].Kind != VariableKind.Member && !_variables[pair.Value].Type.IsBuffer)
                prologue.Add(new IrAssign(none, pair.Value, Zero(_variables[pair.Value].Type), IsDeclaration: true));
        foreach (int temporary in _temporaries) prologue.Add(new IrAssign(none, temporary, Zero(_variables[temporary].Type), IsDeclaration: true));
        var shape = _method.Shape with
        {
            Name = name,
            GradientName = name + "Gradient",
            PullbackName = name + "Pullback",
            Accessibility = "private",
            EmitTangent = false,
            EmitJacobian = false,
            EmitHessian = false,
        };
        return _method with
        {
            Shape = shape,
            Variables = _variables.ToEquatableArray(),
            Parameters = parameters.ToEquatableArray(),
            Result = result,
            // Primal values only the dropped result read (a constant assigned, never read again) would be CS0219.
            Body = UnreadAssignments.Prune(prologue.Concat(body).ToList(), _variables, result).ToEquatableArray(),
        };
    }

    private int Add(string name, IrType type, VariableKind kind, string declaredType, bool noDerivative = false)
    {
        int id = _variables.Count;
        _variables.Add(new IrVariable(id, Identifiers.Escape(Identifiers.Reserve(_names, name)), type, kind, noDerivative, declaredType));
        return id;
    }

    /// <summary>The tangent variable of <paramref name="variable"/>, made on first use.</summary>
    private int Tangent(int variable)
    {
        if (_tangents.TryGetValue(variable, out int tangent)) return tangent;
        var v = _variables[variable];
        // A local buffer's tangent is allocated like it (an array or a stackalloc'd span).
        tangent = Add("t" + Identifiers.Capitalized(Identifiers.Bare(v.Name)), v.Type, v.Kind == VariableKind.Synthetic ? VariableKind.Synthetic : VariableKind.Local, v.DeclaredType);
        _tangents[variable] = tangent;
        return tangent;
    }

    private List<IrStatement> Block(IEnumerable<IrStatement> statements)
    {
        var code = new List<IrStatement>();
        foreach (var statement in statements) Statement(statement, code);
        return code;
    }

    private void Statement(IrStatement statement, List<IrStatement> code)
    {
        switch (statement)
        {
            case IrAssign { Value: IrNewBuffer allocation } declaration when _activity.IsActive(declaration.Variable):
                code.Add(declaration);
                code.Add(new IrAssign(declaration.Source, Tangent(declaration.Variable), allocation, declaration.IsDeclaration));
                return;
            case IrAssign assign when _activity.IsActive(assign.Variable):
                if (assign.Value.Type.IsBuffer) throw new NotSupportedException("a span local bound to another buffer");
                // The tangent first: it reads the primal values before the write. x = x + 1 keeps x's tangent as it is.
                int tangent = Tangent(assign.Variable);
                var value = Lowered(assign.Source, assign.Value, code);
                if (value is not IrRead { Variable: var same } || same != tangent) code.Add(new IrAssign(assign.Source, tangent, value));
                if (assign.Variable != _method.Result || _resultIsRead) code.Add(assign);
                return;
            case IrStore store when _activity.IsActive(store.Buffer):
                if (_variables[store.Buffer].Kind == VariableKind.Parameter) throw new NotSupportedException("a write to a parameter's buffer");
                code.Add(new IrStore(store.Source, Tangent(store.Buffer), store.Index, Lowered(store.Source, store.Value, code)));
                code.Add(store);
                return;
            case IrIf branch:
                code.Add(branch with { Then = Block(branch.Then).ToEquatableArray(), Else = Block(branch.Else).ToEquatableArray() });
                return;
            case IrLoop loop:
                code.Add(loop with { Body = Block(loop.Body).ToEquatableArray(), Step = Block(loop.Step).ToEquatableArray() });
                return;
            case IrCallStatement or IrReturn:
                throw new NotSupportedException(statement.GetType().Name);
            // The Hessian methods run side effects once, through the method itself.
            case IrKept { Kind: KeptKind.Effect or KeptKind.WriteBack }:
                return;
            default:
                code.Add(statement);
                return;
        }
    }

    /// <summary>The tangent of a statement's value (0 where it is zero), after the tangents it keeps in locals.</summary>
    private IrExpression Lowered(SourceRef source, IrExpression value, List<IrStatement> code)
    {
        _source = source;
        var tangent = Of(value) ?? Zero(value.Type);
        code.AddRange(_pending);
        _pending.Clear();
        return tangent;
    }

    /// <summary>
    /// <c>partial * t</c>, but 0 where <c>t</c> is 0, for a rule whose partial may be infinite or NaN where the operation is
    /// finite (<see cref="DerivativeRule.Singular"/>), as forward and reverse mode do. <c>t</c> is read twice: a tangent that
    /// is not a variable or an element is kept in a local first (outside conditional arms, which may not run).
    /// </summary>
    private IrExpression StrongZero(IrExpression partial, IrExpression t, IrType type)
    {
        if (t is not (IrRead or IrElement or IrConstant) && _arms == 0)
        {
            int local = Add("tangent", type, VariableKind.Local, type.Keyword);
            _temporaries.Add(local);
            _pending.Add(new IrAssign(_source, local, t));
            t = new IrRead(type, local);
        }
        var isZero = new IrBinary(IrType.Boolean, BinaryOperator.Equal, t, Zero(type));
        return new IrConditional(type, isZero, Zero(type), new IrBinary(type, BinaryOperator.Multiply, partial, t));
    }

    /// <summary>The tangent of a real expression as IR, or null where it is zero.</summary>
    private IrExpression? Of(IrExpression node)
    {
        if (!_activity.IsActive(node) || !node.Type.IsReal) return null;
        switch (node)
        {
            case IrRead read:
                return new IrRead(_variables[Tangent(read.Variable)].Type, Tangent(read.Variable));
            case IrElement element:
                return new IrElement(element.Type, Tangent(element.Buffer), element.Index);
            case IrConvert convert:
                return convert.Operand.Type.IsReal && Of(convert.Operand) is { } t ? new IrConvert(convert.Type, t) : null;
            case IrConditional conditional:
                _arms++;
                var whenTrue = Of(conditional.WhenTrue);
                var whenFalse = Of(conditional.WhenFalse);
                _arms--;
                return whenTrue is null && whenFalse is null ? null : new IrConditional(node.Type, conditional.Condition, whenTrue ?? Zero(node.Type), whenFalse ?? Zero(node.Type));
            case IrDifferentiableCall:
                throw new NotSupportedException("a call");
        }
        if (RecordingPlan.RuleOf(node) is not { } applied) return null;
        IrExpression? sum = null;
        for (int i = 0; i < applied.Arguments.Count; i++)
        {
            if (applied.Rule.Trees[i] is not { } tree || Of(applied.Arguments[i]) is not { } t) continue;
            IrExpression term = tree switch
            {
                RuleInteger { Value: 1 } => t,
                RuleInteger { Value: -1 } => new IrUnary(node.Type, UnaryOperator.Negate, t),
                _ when applied.Rule.Singular => StrongZero(Ir(tree, applied.Arguments, node), t, node.Type),
                _ => new IrBinary(node.Type, BinaryOperator.Multiply, Ir(tree, applied.Arguments, node), t),
            };
            sum = sum is null ? term : new IrBinary(node.Type, BinaryOperator.Add, sum, term);
        }
        return sum;
    }

    /// <summary>A partial's tree as IR over the operation's arguments and the operation itself (its result, recomputed).</summary>
    private static IrExpression Ir(RuleExpression tree, IReadOnlyList<IrExpression> arguments, IrExpression result)
    {
        var type = result.Type;
        IrExpression Of(RuleExpression t) => Ir(t, arguments, result);
        switch (tree)
        {
            case RuleArgument a:
                return arguments[a.Index];
            case RuleResult:
                return result;
            case RuleInteger i:
                return IrConstant.Of(type, i.Value);
            case RuleReal r:
                return IrConstant.Of(type, r.Value);
            case RuleNegate n:
                return new IrUnary(type, UnaryOperator.Negate, Of(n.Operand));
            case RuleConditional c:
                return new IrConditional(type, Of(c.Condition), Of(c.WhenTrue), Of(c.WhenFalse));
            case RuleMath m:
                return new IrMathCall(type, m.Function, m.Arguments.Select(Of).ToEquatableArray());
            case RuleBinary b:
                var (op, comparison) = b.Operator switch
                {
                    "+" => (BinaryOperator.Add, false),
                    "-" => (BinaryOperator.Subtract, false),
                    "*" => (BinaryOperator.Multiply, false),
                    "/" => (BinaryOperator.Divide, false),
                    "<" => (BinaryOperator.Less, true),
                    ">" => (BinaryOperator.Greater, true),
                    "<=" => (BinaryOperator.LessOrEqual, true),
                    ">=" => (BinaryOperator.GreaterOrEqual, true),
                    "==" => (BinaryOperator.Equal, true),
                    "&&" => (BinaryOperator.And, true),
                    _ => throw new InvalidOperationException("Unknown rule operator " + b.Operator),
                };
                return new IrBinary(comparison ? IrType.Boolean : type, op, Of(b.Left), Of(b.Right));
            default:
                throw new InvalidOperationException("Unknown rule node " + tree.GetType().Name);
        }
    }

    private static IrConstant Zero(IrType type) => IrConstant.Of(type.Element, 0);
}
