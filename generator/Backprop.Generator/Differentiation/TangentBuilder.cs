using System.Collections.Generic;
using System.Linq;
using Backprop.Generator.Analysis;
using Backprop.Generator.Emit;
using Backprop.Generator.Helpers;
using Backprop.Generator.Ir;

namespace Backprop.Generator.Differentiation;

/// <summary>What the emitter needs to print <c>MTangent</c>.</summary>
internal sealed class TangentProgram
{
    public List<Declaration> Declarations { get; } = new();

    public List<Code> Body { get; } = new();

    /// <summary>For each differentiated input: its variable and the name of its tangent parameter.</summary>
    public List<(int Variable, string Name)> Inputs { get; } = new();

    /// <summary>For a layer: each output span and the name of its tangent span parameter.</summary>
    public List<(int Variable, string Name)> Outputs { get; } = new();

    /// <summary>The tangent of the result (scalar methods): the name of the <c>out</c> parameter.</summary>
    public string ResultName { get; set; } = "";

    /// <summary>The local that holds the result's tangent.</summary>
    public string ResultTangent { get; set; } = "";
}

/// <summary>
/// Forward mode: the method itself, each statement followed by its tangent, the directional derivative of what it
/// computes along the input tangents. The tangent of an operation is the sum of its rule's partial derivatives (the same
/// rules table as reverse mode) times its operands' tangents; values a partial reads are kept in locals first, so that
/// an assignment that reads its own target (<c>v = v * x</c>) sees the old value in both. Control flow is the method's
/// own: nothing is recorded, nothing reversed.
/// </summary>
/// <remarks>
/// Vector mode (<see cref="BuildLanes"/>) is the same program with every tangent a <c>System.Numerics.Vector&lt;T&gt;</c>:
/// one primal pass carries <c>Vector&lt;T&gt;.Count</c> directions at once (a scalar partial times a vector tangent is
/// one SIMD multiply), for the forward sweeps of a layer's Jacobian. It needs a body without calls (callees inlined) and
/// without struct tangents or conversions between floating types; otherwise there is no vector program.
/// </remarks>
internal sealed class TangentBuilder
{
    private readonly IrMethod _method;
    private readonly ActivityAnalysis _activity;
    private readonly ExpressionText _text;
    private readonly Dictionary<IrExpression, string> _values = new(ReferenceComparer<IrExpression>.Instance);
    private readonly Dictionary<int, string> _tangents = new();
    private readonly HashSet<string> _names;
    private readonly TangentProgram _program = new();
    private readonly HashSet<int> _callBuffers = new();
    private readonly Dictionary<IrExpression, string> _callTangents = new(ReferenceComparer<IrExpression>.Instance);
    private readonly bool _lanes;

    private TangentBuilder(IrMethod method, ActivityAnalysis activity, bool lanes = false)
    {
        _method = method;
        _lanes = lanes;
        _activity = activity;
        _text = new ExpressionText(method) { Substitute = e => _values.TryGetValue(e, out var name) ? name : null };
        _names = new HashSet<string>(method.Variables.Select(v => Identifiers.Bare(v.Name)).Concat(method.Variables.Where(v => v.View.Length > 0).Select(v => v.Spelling))) { method.Shape.Name, method.Shape.TangentName };
    }

    public static TangentProgram Build(IrMethod method, ActivityAnalysis activity)
    {
        var builder = new TangentBuilder(method, activity);
        builder.Run();
        return builder._program;
    }

    /// <summary>The vector-mode program (tangents as <c>Vector&lt;T&gt;</c>), or null where vector mode does not apply.</summary>
    public static TangentProgram? BuildLanes(IrMethod method, ActivityAnalysis activity)
    {
        var builder = new TangentBuilder(method, activity, lanes: true);
        try
        {
            builder.Run();
        }
        catch (NoLanes)
        {
            return null;
        }
        return builder._program;
    }

    /// <summary>A construct vector mode does not carry: the Jacobian keeps one forward sweep per column.</summary>
    private sealed class NoLanes : System.Exception
    {
    }

    /// <summary>The type of a scalar's tangent: the scalar, or in vector mode a vector of them.</summary>
    private string TangentKeyword(IrType type) => _lanes ? LanesKeyword(type) : type.Keyword;

    /// <summary><c>System.Numerics.Vector&lt;T&gt;</c> of the type's scalar.</summary>
    public static string LanesKeyword(IrType type) => "global::System.Numerics.Vector<" + type.ScalarKeyword + ">";

    private Fragment TangentZero(IrType type) => _lanes ? Fragment.Literal(LanesKeyword(type) + ".Zero") : Zero(type);

    private void Run()
    {
        // A local buffer passed to a call gets a tangent buffer even when it is inactive: the callee reads its tangent (zero).
        foreach (var statement in _method.Body)
            IrWalker.VisitStatements(statement, s =>
            {
                var arguments = s is IrCallStatement call ? call.Arguments : default;
                foreach (var a in arguments) if (a.Type.IsBuffer) _callBuffers.Add(IrSlice.BufferOf(a));
                IrWalker.VisitStatement(s, e =>
                {
                    if (e is IrDifferentiableCall d)
                        foreach (var a in d.Arguments) if (a.Type.IsBuffer) _callBuffers.Add(IrSlice.BufferOf(a));
                });
            });
        // A struct parameter's tangent is a struct of the same type (S tP): its fields' tangents are its fields.
        var structOwners = new HashSet<string>(_method.Variables.Where(v => v.IsParameterField && v.IsDifferentiableInput).Select(v => v.Owner));
        if (_lanes && structOwners.Count > 0) throw new NoLanes();
        foreach (int parameter in _method.Parameters)
        {
            var variable = _method.Variables[parameter];
            if (variable.Kind == VariableKind.Parameter && structOwners.Contains(variable.Name))
            {
                string structTangent = Reserve("t" + Identifiers.Capitalized(variable.Name));
                _program.Inputs.Add((parameter, structTangent));
                foreach (var field in _method.Variables.Where(v => v.IsParameterField && v.IsDifferentiableInput && v.Owner == variable.Name))
                    _tangents[field.Id] = structTangent + "." + field.Member;
                continue;
            }
            if (variable.View.Length > 0)
            {
                // An array or span of structs: its numbers are read through a flat view, and so are its tangent's.
                _program.Declarations.Insert(0, new Declaration("global::System.ReadOnlySpan<" + variable.Type.ScalarKeyword + ">", variable.Spelling, variable.FlatViewOf("(global::System.ReadOnlySpan<" + variable.View + ">)" + variable.Name)));
                if (!variable.IsDifferentiableParameter) continue;
                if (_lanes) throw new NoLanes();
                string structTangents = Reserve("t" + Identifiers.Capitalized(variable.Name));
                string flat = Reserve(IrVariable.FlatName(structTangents));
                _program.Declarations.Add(new Declaration("global::System.ReadOnlySpan<" + variable.Type.ScalarKeyword + ">", flat, variable.FlatViewOf(structTangents)));
                _tangents[parameter] = flat;
                _program.Inputs.Add((parameter, structTangents));
                continue;
            }
            if (!variable.IsDifferentiableParameter) continue;
            string name = Reserve("t" + Identifiers.Capitalized(variable.Name));
            _tangents[parameter] = name;
            if (_method.Outputs.Contains(parameter)) _program.Outputs.Add((parameter, name));
            else _program.Inputs.Add((parameter, name));
        }
        // Scalar parameters the method assigns need their own tangent local: their tangent parameters are read-only.
        var assigned = new HashSet<int>();
        foreach (var statement in _method.Body)
            IrWalker.VisitStatements(statement, s => { if (s is IrAssign a) assigned.Add(a.Variable); });
        foreach (var (parameter, name) in _program.Inputs.Where(p => !_method.Variables[p.Variable].Type.IsBuffer && assigned.Contains(p.Variable)).ToList())
        {
            string local = Reserve(name + "Local");
            _program.Declarations.Add(new Declaration(TangentKeyword(_method.Variables[parameter].Type), local, name));
            _tangents[parameter] = local;
        }
        _program.ResultName = Reserve("t" + _method.Shape.Name);
        if (!_method.Shape.IsVoid) _program.ResultTangent = TangentOf(_method.Result);
        Block(_method.Body, _program.Body);
    }

    private void Block(IEnumerable<IrStatement> statements, List<Code> code)
    {
        foreach (var statement in statements) Statement(statement, code);
    }

    private void Statement(IrStatement statement, List<Code> code)
    {
        switch (statement)
        {
            case IrAssign { Value: IrNewBuffer allocation } declaration:
                code.Add(Declared(declaration, _text.Of(allocation)));
                if (_activity.IsActive(declaration.Variable) || _callBuffers.Contains(declaration.Variable))
                {
                    // The tangent buffer is allocated like the buffer (stackalloc and new zero it).
                    var v = _method.Variables[declaration.Variable];
                    var tangentBuffer = !_lanes ? _text.Of(allocation)
                        : allocation.SpillsToHeap && allocation.OnStack ? ExpressionText.StackOrHeap(_text.Of(allocation.Length), LanesKeyword(v.Type))
                        : (allocation.OnStack ? "stackalloc " : "new ") + LanesKeyword(v.Type) + "[" + _text.Of(allocation.Length) + "]";
                    code.Add(CodeAssign.Declare("global::System.Span<" + (_lanes ? LanesKeyword(v.Type) : v.Type.ScalarKeyword) + ">", TangentOf(declaration.Variable), tangentBuffer));
                }
                break;
            case IrAssign assign:
                Comment(code, assign.Source);
                if (!_activity.IsActive(assign.Variable))
                {
                    code.Add(Declared(assign, _text.Of(assign.Value)));
                    break;
                }
                var tangent = TangentValue(assign.Value, code);
                code.Add(Declared(assign, _text.Of(assign.Value)));
                // x = x + 1 leaves x's tangent as it is (an assignment to itself would be CS1717).
                if (tangent.AsName != TangentOf(assign.Variable)) code.Add(CodeAssign.Set(N(TangentOf(assign.Variable)), tangent));
                _values.Clear();
                break;
            case IrStore store:
                Comment(code, store.Source);
                var target = "[" + _text.Of(store.Index) + "]";
                if (!_activity.IsActive(store.Buffer) || !_activity.IsActive(store.Value) && _tangents.ContainsKey(store.Buffer))
                {
                    code.Add(CodeAssign.Set(_text.Name(store.Buffer) + target, _text.Of(store.Value)));
                    // An output written with a constant has a zero tangent there.
                    if (_tangents.TryGetValue(store.Buffer, out var outputTangent))
                        code.Add(CodeAssign.Set(N(outputTangent) + target, TangentZero(store.Value.Type)));
                    break;
                }
                var elementTangent = TangentValue(store.Value, code);
                string index = Reserve("index");
                code.Add(CodeAssign.Declare("int", index, _text.Of(store.Index)));
                code.Add(CodeAssign.Set(_text.Name(store.Buffer) + "[" + N(index) + "]", _text.Of(store.Value)));
                code.Add(CodeAssign.Set(N(TangentOf(store.Buffer)) + "[" + N(index) + "]", elementTangent));
                _values.Clear();
                break;
            case IrCallStatement call:
                if (_lanes) throw new NoLanes();
                Comment(code, call.Source);
                foreach (var a in call.Arguments.Where(a => !a.Type.IsBuffer)) Keep(a, code, root: false);
                var layerArguments = call.Arguments.Select(a => a.Type.IsBuffer ? _text.Of(a) : Value(a)).ToList();
                for (int i = 0; i < call.Arguments.Count; i++)
                    if (call.Callee.ActiveParameters[i] && !call.Callee.OutputParameters[i]) layerArguments.Add(TangentArgument(call.Arguments[i], code));
                for (int i = 0; i < call.Arguments.Count; i++)
                    if (call.Callee.OutputParameters[i]) layerArguments.Add(BufferTangent(call.Arguments[i]));
                code.Add(new CodeStatement(call.Callee.Target + "." + MethodShape.TangentNameOf(call.Callee.Name) + "(" + Fragment.Join(", ", layerArguments) + ")"));
                _values.Clear();
                break;
            case IrIf branch:
                var then = new List<Code>();
                var otherwise = new List<Code>();
                Block(branch.Then, then);
                Block(branch.Else, otherwise);
                code.Add(new CodeIf(_text.Of(branch.Condition), then, otherwise.Count > 0 ? otherwise : null));
                break;
            case IrLoop loop:
                var body = new List<Code>();
                Block(loop.Body, body);
                Block(loop.Step, body);
                code.Add(CodeLoop.While(loop.Condition is null ? Fragment.Literal("true") : _text.Of(loop.Condition), body));
                break;
            case IrKept kept:
                code.Add(new CodeStatement(_text.Kept(kept)));
                break;
            default:
                throw new System.InvalidOperationException("Forward mode does not support " + statement.GetType().Name + ".");
        }
    }

    /// <summary>Keeps the values the partials read, then returns the tangent of <paramref name="value"/>, spelled with them.</summary>
    private Fragment TangentValue(IrExpression value, List<Code> code)
    {
        Keep(value, code, root: true);
        if (Tangent(value, code) is not { } tangent) return TangentZero(value.Type);
        // The primal write comes next: a tangent that still reads primal values (a conditional's condition) is computed first.
        if (tangent.AsName is not null || value is IrElement) return tangent;
        string name = Reserve("tangent");
        code.Add(CodeAssign.Declare(TangentKeyword(value.Type), name, tangent));
        return N(name);
    }

    /// <summary>Declares a local for every active non-leaf value below the root that a partial derivative reads.</summary>
    private void Keep(IrExpression node, List<Code> code, bool root)
    {
        if (!_activity.IsActive(node) || RecordingPlan.IsLeaf(node)) return;
        foreach (var child in ActivityAnalysis.DifferentiableChildren(node)) Keep(child, code, root: false);
        if (node is IrConditional) return;
        if (node is IrDifferentiableCall call)
        {
            if (_lanes) throw new NoLanes();
            // The callee's tangent gives its value and its tangent at once.
            string value = Reserve(char.ToLowerInvariant(call.Callee.Name[0]) + call.Callee.Name.Substring(1));
            string tangent = Reserve("t" + call.Callee.Name);
            var callArguments = call.Arguments.Select(a => a.Type.IsBuffer ? _text.Of(a) : Value(a)).ToList();
            for (int i = 0; i < call.Arguments.Count; i++)
                if (call.Callee.ActiveParameters[i]) callArguments.Add(TangentArgument(call.Arguments[i], code));
            callArguments.Add("out " + call.Type.Keyword + " " + N(tangent));
            string method = call.Callee.TangentRule ?? call.Callee.Target + "." + MethodShape.TangentNameOf(call.Callee.Name);
            code.Add(CodeAssign.Declare(call.Type.Keyword, value, method + "(" + Fragment.Join(", ", callArguments) + ")"));
            _values[node] = value;
            _callTangents[node] = tangent;
            return;
        }
        var applied = RecordingPlan.RuleOf(node);
        if (applied is null) return;
        // The result itself is read by rules like exp' = exp: keep it, the root too (its primal is written after).
        var (arguments, result) = applied.Value.Rule.Needs(applied.Value.Arguments.Select(_activity.IsActive).ToArray());
        for (int i = 0; i < arguments.Length; i++)
            if (arguments[i]) KeepValue(applied.Value.Arguments[i], code);
        if (result || !root) KeepValue(node, code);
    }

    private void KeepValue(IrExpression node, List<Code> code)
    {
        if (RecordingPlan.IsLeaf(node) || _values.ContainsKey(node)) return;
        string name = Reserve("value");
        code.Add(CodeAssign.Declare(node.Type.Keyword, name, _text.Of(node)));
        _values[node] = name;
    }

    /// <summary>The tangent of an expression, or null where it is zero.</summary>
    private Fragment? Tangent(IrExpression node, List<Code> code)
    {
        if (!_activity.IsActive(node)) return null;
        switch (node)
        {
            case IrRead read:
                return N(TangentOf(read.Variable));
            case IrElement element:
                return N(TangentOf(element.Buffer)) + "[" + _text.Of(element.Index) + "]";
            case IrConvert convert when _lanes:
                // Vector<double> and Vector<float> do not convert element-wise: vector mode keeps one floating type.
                if (convert.Type.Scalar != convert.Operand.Type.Scalar) throw new NoLanes();
                return Tangent(convert.Operand, code);
            case IrConvert convert:
                return Tangent(convert.Operand, code) is { } t ? "(" + convert.Type.Keyword + ")" + ExpressionText.Atom(t) : null;
            case IrDifferentiableCall:
                return N(_callTangents[node]);
            case IrConditional conditional:
                var whenTrue = Tangent(conditional.WhenTrue, code) ?? TangentZero(node.Type);
                var whenFalse = Tangent(conditional.WhenFalse, code) ?? TangentZero(node.Type);
                return ExpressionText.Atom(_text.Of(conditional.Condition)) + " ? " + ExpressionText.Atom(whenTrue) + " : " + ExpressionText.Atom(whenFalse);
        }
        var applied = RecordingPlan.RuleOf(node) ?? throw new System.InvalidOperationException("No derivative rule for " + node.GetType().Name);
        var context = new RuleContext(node.Type.Scalar, applied.Arguments.Select(Value).ToArray(), Value(node));
        var partials = applied.Rule.Partials(context);
        var terms = new List<Fragment>();
        for (int i = 0; i < partials.Length; i++)
        {
            if (partials[i] is not { } partial || Tangent(applied.Arguments[i], code) is not { } t) continue;
            terms.Add(partial.IsConstant(1) ? ExpressionText.Atom(t)
                : partial.IsConstant(-1) ? "-" + ExpressionText.Atom(t)
                : applied.Rule.Singular ? StrongZero(partial, t, node.Type)
                : ExpressionText.Atom(partial) + " * " + ExpressionText.Atom(t));
        }
        if (terms.Count == 0) return null;
        var sum = Fragment.Join(" + ", terms);
        if (sum.AsName is not null) return sum;
        // One local per operation keeps the tangent of a deep expression linear in its size.
        string name = Reserve("tangent");
        code.Add(CodeAssign.Declare(TangentKeyword(node.Type), name, sum));
        return N(name);
    }

    /// <summary>
    /// <c>partial * t</c>, but 0 where the tangent is 0, for a rule whose partial may be infinite or NaN where the operation
    /// is finite (<see cref="DerivativeRule.Singular"/>): along a direction in which the argument does not move, Pow(x, y) at
    /// x &lt; 0 changes as y·x^(y−1)·tX, not NaN, and the tangent agrees with the reverse sweep's gradient.
    /// </summary>
    private Fragment StrongZero(Fragment partial, Fragment t, IrType type)
    {
        var product = ExpressionText.Atom(partial) + " * " + ExpressionText.Atom(t);
        if (!_lanes) return Fragment.Parenthesized(ExpressionText.Atom(t) + " == 0 ? 0 : " + product);
        var zero = TangentZero(type);
        const string vector = "global::System.Numerics.Vector";
        return vector + ".ConditionalSelect(" + vector + ".Equals(" + t + ", " + zero + "), " + zero + ", " + product + ")";
    }

    /// <summary>A callee's tangent argument: a scalar's tangent (or 0), a buffer's tangent buffer or the same slice of it.</summary>
    private Fragment TangentArgument(IrExpression argument, List<Code> code) =>
        argument.Type.IsBuffer ? BufferTangent(argument) : ExpressionText.Atom(Tangent(argument, code) ?? Zero(argument.Type));

    private Fragment BufferTangent(IrExpression argument)
    {
        int buffer = IrSlice.BufferOf(argument);
        // A buffer without a tangent (an inactive parameter) has a zero one; an empty span says so to a callee that reads none.
        if (!_tangents.ContainsKey(buffer) && !_activity.IsActive(buffer) && !_callBuffers.Contains(buffer)) return Fragment.Literal("default");
        if (!_tangents.ContainsKey(buffer) && _method.Variables[buffer].Kind == VariableKind.Parameter) return Fragment.Literal("default");
        var tangent = N(TangentOf(buffer));
        return argument is IrSlice slice ? tangent + ".Slice(" + _text.Of(slice.Start) + ", " + _text.Of(slice.Length) + ")" : tangent;
    }

    private Fragment Value(IrExpression node) => _values.TryGetValue(node, out var name) ? N(name) : ExpressionText.Atom(_text.Of(node));

    private static Fragment N(string name) => Fragment.Of(name);

    private string TangentOf(int variable)
    {
        if (_tangents.TryGetValue(variable, out var name)) return name;
        var v = _method.Variables[variable];
        name = Reserve("t" + Identifiers.Capitalized(v.Name));
        _tangents[variable] = name;
        if (!v.Type.IsBuffer) _program.Declarations.Add(new Declaration(TangentKeyword(v.Type), name, TangentZero(v.Type).ToString()));
        return name;
    }

    /// <summary>The assignment's target: a scalar local is declared at the top once, a buffer where it is allocated.</summary>
    private Code Declared(IrAssign assign, Fragment value)
    {
        var v = _method.Variables[assign.Variable];
        if (v.Kind == VariableKind.Parameter || !_declared.Add(assign.Variable)) return CodeAssign.Set(N(v.Name), value);
        if (v.Type.IsBuffer) return CodeAssign.Declare(v.Type.Shape == ShapeKind.Array ? v.Type.Keyword : "global::System.Span<" + v.Type.ScalarKeyword + ">", v.Name, value);
        _program.Declarations.Add(new Declaration(v.Type.Keyword, v.Name, Zero(v.Type).ToString()));
        return CodeAssign.Set(N(v.Name), value);
    }

    private readonly HashSet<int> _declared = new();

    private static Fragment Zero(IrType type) => Fragment.Literal(type.Scalar == ScalarKind.Boolean ? "false" : "0");

    private string Reserve(string name) => Identifiers.Reserve(_names, name);

    private static void Comment(List<Code> code, SourceRef source)
    {
        if (source.Line <= 0) return;
        string text = "line " + source.Line + ": " + source.Text;
        if (code.LastOrDefault() is CodeComment previous && previous.Text == text) return;
        code.Add(new CodeComment(text));
    }
}
