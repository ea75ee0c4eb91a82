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
    public List<string> Declarations { get; } = new();

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

    private TangentBuilder(IrMethod method, ActivityAnalysis activity)
    {
        _method = method;
        _activity = activity;
        _text = new ExpressionText(method) { Substitute = e => _values.TryGetValue(e, out var name) ? name : null };
        _names = new HashSet<string>(method.Variables.Select(v => Identifiers.Bare(v.Name))) { method.Shape.Name, method.Shape.TangentName };
    }

    public static TangentProgram Build(IrMethod method, ActivityAnalysis activity)
    {
        var builder = new TangentBuilder(method, activity);
        builder.Run();
        return builder._program;
    }

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
            _program.Declarations.Add(_method.Variables[parameter].Type.Keyword + " " + local + " = " + name + ";");
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
                code.Add(new CodeLine(Declared(declaration) + " = " + _text.Of(allocation) + ";"));
                if (_activity.IsActive(declaration.Variable) || _callBuffers.Contains(declaration.Variable))
                {
                    // The tangent buffer is allocated like the buffer (stackalloc and new zero it).
                    var v = _method.Variables[declaration.Variable];
                    code.Add(new CodeLine("global::System.Span<" + v.Type.ScalarKeyword + "> " + TangentOf(declaration.Variable) + " = " + _text.Of(allocation) + ";"));
                }
                break;
            case IrAssign assign:
                Comment(code, assign.Source);
                if (!_activity.IsActive(assign.Variable))
                {
                    code.Add(new CodeLine(Declared(assign) + " = " + _text.Of(assign.Value) + ";"));
                    break;
                }
                string tangent = TangentValue(assign.Value, code);
                code.Add(new CodeLine(Declared(assign) + " = " + _text.Of(assign.Value) + ";"));
                // x = x + 1 leaves x's tangent as it is (an assignment to itself would be CS1717).
                if (tangent != TangentOf(assign.Variable)) code.Add(new CodeLine(TangentOf(assign.Variable) + " = " + tangent + ";"));
                _values.Clear();
                break;
            case IrStore store:
                Comment(code, store.Source);
                string target = "[" + _text.Of(store.Index) + "]";
                if (!_activity.IsActive(store.Buffer) || !_activity.IsActive(store.Value) && _tangents.ContainsKey(store.Buffer))
                {
                    code.Add(new CodeLine(_text.Name(store.Buffer) + target + " = " + _text.Of(store.Value) + ";"));
                    // An output written with a constant has a zero tangent there.
                    if (_tangents.TryGetValue(store.Buffer, out var outputTangent))
                        code.Add(new CodeLine(outputTangent + target + " = 0;"));
                    break;
                }
                string elementTangent = TangentValue(store.Value, code);
                string index = Reserve("index");
                code.Add(new CodeLine("int " + index + " = " + _text.Of(store.Index) + ";"));
                code.Add(new CodeLine(_text.Name(store.Buffer) + "[" + index + "] = " + _text.Of(store.Value) + ";"));
                code.Add(new CodeLine(TangentOf(store.Buffer) + "[" + index + "] = " + elementTangent + ";"));
                _values.Clear();
                break;
            case IrCallStatement call:
                Comment(code, call.Source);
                foreach (var a in call.Arguments.Where(a => !a.Type.IsBuffer)) Keep(a, code, root: false);
                var layerArguments = call.Arguments.Select(a => a.Type.IsBuffer ? _text.Of(a) : Value(a)).ToList();
                for (int i = 0; i < call.Arguments.Count; i++)
                    if (call.Callee.ActiveParameters[i] && !call.Callee.OutputParameters[i]) layerArguments.Add(TangentArgument(call.Arguments[i], code));
                for (int i = 0; i < call.Arguments.Count; i++)
                    if (call.Callee.OutputParameters[i]) layerArguments.Add(BufferTangent(call.Arguments[i]));
                code.Add(new CodeLine(call.Callee.Target + "." + MethodShape.TangentNameOf(call.Callee.Name) + "(" + string.Join(", ", layerArguments) + ");"));
                _values.Clear();
                break;
            case IrIf branch:
                var then = new List<Code>();
                var otherwise = new List<Code>();
                Block(branch.Then, then);
                Block(branch.Else, otherwise);
                code.Add(new CodeBlock("if (" + _text.Of(branch.Condition) + ")", then, otherwise.Count > 0 ? otherwise : null));
                break;
            case IrLoop loop:
                var body = new List<Code>();
                Block(loop.Body, body);
                Block(loop.Step, body);
                code.Add(new CodeBlock("while (" + (loop.Condition is null ? "true" : _text.Of(loop.Condition)) + ")", body));
                break;
            case IrKept kept:
                code.Add(new CodeLine(kept.Text + ";"));
                break;
            default:
                throw new System.InvalidOperationException("Forward mode does not support " + statement.GetType().Name + ".");
        }
    }

    /// <summary>Keeps the values the partials read, then returns the tangent of <paramref name="value"/>, spelled with them.</summary>
    private string TangentValue(IrExpression value, List<Code> code)
    {
        Keep(value, code, root: true);
        if (Tangent(value, code) is not { } tangent) return Zero(value.Type);
        // The primal write comes next: a tangent that still reads primal values (a conditional's condition) is computed first.
        if (IsName(tangent) || value is IrElement) return tangent;
        string name = Reserve("tangent");
        code.Add(new CodeLine(value.Type.Keyword + " " + name + " = " + tangent + ";"));
        return name;
    }

    /// <summary>Declares a local for every active non-leaf value below the root that a partial derivative reads.</summary>
    private void Keep(IrExpression node, List<Code> code, bool root)
    {
        if (!_activity.IsActive(node) || IsLeaf(node)) return;
        foreach (var child in ActivityAnalysis.DifferentiableChildren(node)) Keep(child, code, root: false);
        if (node is IrConditional) return;
        if (node is IrDifferentiableCall call)
        {
            // The callee's tangent gives its value and its tangent at once.
            string value = Reserve(char.ToLowerInvariant(call.Callee.Name[0]) + call.Callee.Name.Substring(1));
            string tangent = Reserve("t" + call.Callee.Name);
            var callArguments = call.Arguments.Select(a => a.Type.IsBuffer ? _text.Of(a) : Value(a)).ToList();
            for (int i = 0; i < call.Arguments.Count; i++)
                if (call.Callee.ActiveParameters[i]) callArguments.Add(TangentArgument(call.Arguments[i], code));
            callArguments.Add("out " + call.Type.Keyword + " " + tangent);
            code.Add(new CodeLine(call.Type.Keyword + " " + value + " = " + call.Callee.Target + "." + MethodShape.TangentNameOf(call.Callee.Name) + "(" + string.Join(", ", callArguments) + ");"));
            _values[node] = value;
            _callTangents[node] = tangent;
            return;
        }
        var applied = ReverseModeBuilder.RuleOf(node);
        if (applied is null) return;
        // The result itself is read by rules like exp' = exp: keep it, the root too (its primal is written after).
        var (arguments, result) = applied.Value.Rule.Needs(applied.Value.Arguments.Select(_activity.IsActive).ToArray());
        for (int i = 0; i < arguments.Length; i++)
            if (arguments[i]) KeepValue(applied.Value.Arguments[i], code);
        if (result || !root) KeepValue(node, code);
    }

    private void KeepValue(IrExpression node, List<Code> code)
    {
        if (IsLeaf(node) || _values.ContainsKey(node)) return;
        string name = Reserve("value");
        code.Add(new CodeLine(node.Type.Keyword + " " + name + " = " + _text.Of(node) + ";"));
        _values[node] = name;
    }

    /// <summary>The tangent of an expression, or null where it is zero.</summary>
    private string? Tangent(IrExpression node, List<Code> code)
    {
        if (!_activity.IsActive(node)) return null;
        switch (node)
        {
            case IrRead read:
                return TangentOf(read.Variable);
            case IrElement element:
                return TangentOf(element.Buffer) + "[" + _text.Of(element.Index) + "]";
            case IrConvert convert:
                return Tangent(convert.Operand, code) is { } t ? "(" + convert.Type.Keyword + ")" + ExpressionText.Atom(t) : null;
            case IrDifferentiableCall:
                return _callTangents[node];
            case IrConditional conditional:
                string whenTrue = Tangent(conditional.WhenTrue, code) ?? Zero(node.Type);
                string whenFalse = Tangent(conditional.WhenFalse, code) ?? Zero(node.Type);
                return ExpressionText.Atom(_text.Of(conditional.Condition)) + " ? " + ExpressionText.Atom(whenTrue) + " : " + ExpressionText.Atom(whenFalse);
        }
        var applied = ReverseModeBuilder.RuleOf(node) ?? throw new System.InvalidOperationException("No derivative rule for " + node.GetType().Name);
        var context = new RuleContext(node.Type.Scalar, applied.Arguments.Select(Value).ToArray(), Value(node));
        var partials = applied.Rule.Partials(context);
        var terms = new List<string>();
        for (int i = 0; i < partials.Length; i++)
        {
            if (partials[i] is not { } partial || Tangent(applied.Arguments[i], code) is not { } t) continue;
            terms.Add(partial switch
            {
                "1" => ExpressionText.Atom(t),
                "-1" => "-" + ExpressionText.Atom(t),
                _ => ExpressionText.Atom(partial) + " * " + ExpressionText.Atom(t),
            });
        }
        if (terms.Count == 0) return null;
        string sum = string.Join(" + ", terms);
        if (terms.Count == 1 && IsName(sum)) return sum;
        // One local per operation keeps the tangent of a deep expression linear in its size.
        string name = Reserve("tangent");
        code.Add(new CodeLine(node.Type.Keyword + " " + name + " = " + sum + ";"));
        return name;
    }

    /// <summary>A callee's tangent argument: a scalar's tangent (or 0), a buffer's tangent buffer or the same slice of it.</summary>
    private string TangentArgument(IrExpression argument, List<Code> code) =>
        argument.Type.IsBuffer ? BufferTangent(argument) : ExpressionText.Atom(Tangent(argument, code) ?? Zero(argument.Type));

    private string BufferTangent(IrExpression argument)
    {
        int buffer = IrSlice.BufferOf(argument);
        // A buffer without a tangent (an inactive parameter) has a zero one; an empty span says so to a callee that reads none.
        if (!_tangents.ContainsKey(buffer) && !_activity.IsActive(buffer) && !_callBuffers.Contains(buffer)) return "default";
        if (!_tangents.ContainsKey(buffer) && _method.Variables[buffer].Kind == VariableKind.Parameter) return "default";
        string tangent = TangentOf(buffer);
        return argument is IrSlice slice ? tangent + ".Slice(" + _text.Of(slice.Start) + ", " + _text.Of(slice.Length) + ")" : tangent;
    }

    private string Value(IrExpression node) => _values.TryGetValue(node, out var name) ? name : ExpressionText.Atom(_text.Of(node));

    private string TangentOf(int variable)
    {
        if (_tangents.TryGetValue(variable, out var name)) return name;
        var v = _method.Variables[variable];
        name = Reserve("t" + Identifiers.Capitalized(v.Name));
        _tangents[variable] = name;
        if (!v.Type.IsBuffer) _program.Declarations.Add(v.Type.Keyword + " " + name + " = 0;");
        return name;
    }

    /// <summary>The assignment's target: a scalar local is declared at the top once, a buffer where it is allocated.</summary>
    private string Declared(IrAssign assign)
    {
        var v = _method.Variables[assign.Variable];
        if (v.Kind == VariableKind.Parameter || !_declared.Add(assign.Variable)) return v.Name;
        if (v.Type.IsBuffer) return (v.Type.Shape == ShapeKind.Array ? v.Type.Keyword : "global::System.Span<" + v.Type.ScalarKeyword + ">") + " " + v.Name;
        _program.Declarations.Add(v.Type.Keyword + " " + v.Name + " = " + Zero(v.Type) + ";");
        return v.Name;
    }

    private readonly HashSet<int> _declared = new();

    private static bool IsLeaf(IrExpression node) => node is IrRead or IrConstant or IrExternal or IrElement or IrLength;

    private static bool IsName(string text) => text.All(c => char.IsLetterOrDigit(c) || c == '_');

    private static string Zero(IrType type) => type.Scalar == ScalarKind.Boolean ? "false" : "0";

    private string Reserve(string name) => Identifiers.Reserve(_names, name);

    private static void Comment(List<Code> code, SourceRef source)
    {
        if (source.Line <= 0) return;
        string text = "line " + source.Line + ": " + source.Text;
        if (code.LastOrDefault() is CodeComment previous && previous.Text == text) return;
        code.Add(new CodeComment(text));
    }
}
