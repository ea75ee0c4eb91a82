using System;
using System.Collections.Generic;
using System.Linq;
using Backprop.Generator.Analysis;
using Backprop.Generator.Emit;
using Backprop.Generator.Helpers;
using Backprop.Generator.Ir;

namespace Backprop.Generator.Differentiation;

/// <summary>
/// Reverse mode on the normalized IR. The forward sweep is the original code with three additions: values the
/// reverse sweep needs are kept (temporaries for intermediate results, the old value of an overwritten variable),
/// branch decisions are recorded, and loop trips are counted. Outside loops each kept value is a local; inside
/// loops it goes on a pooled tape. The reverse sweep walks the statements backwards, restores overwritten
/// variables, and applies one rule of <see cref="DerivativeRules"/> per operation.
/// </summary>
internal sealed partial class ReverseModeBuilder
{
    private readonly IrMethod _method;
    private readonly ActivityAnalysis _activity;
    private readonly ExpressionText _text;
    private readonly GradientProgram _program = new();
    private readonly HashSet<string> _names;
    private readonly RecordingPlan _plan;
    private readonly HashSet<int> _inlineDeclared = new();
    private readonly Dictionary<int, string> _adjoints = new();
    private readonly Dictionary<IrExpression, string> _values = new(ReferenceComparer<IrExpression>.Instance);
    private int _loopDepth;
    private int _nesting;

    private ReverseModeBuilder(IrMethod method, ActivityAnalysis activity)
    {
        _method = method;
        _activity = activity;
        _text = new ExpressionText(method) { Substitute = e => _values.TryGetValue(e, out var name) ? name : null, EffectTape = Tape };
        _names = new HashSet<string>(method.Variables.Select(v => Identifiers.Bare(v.Name))) { method.Shape.Name, method.Shape.GradientName, method.Shape.PullbackName };
        _plan = RecordingPlan.Compute(method, activity);
    }

    private string MethodName => _method.Shape.Name;

    public static GradientProgram Build(IrMethod method, ActivityAnalysis activity)
    {
        var builder = new ReverseModeBuilder(method, activity);
        builder.Run();
        return builder._program;
    }

    private void Run()
    {
        FindInlineDeclarations();
        _program.TapeName = Reserve("tape");

        // A struct parameter's gradient is a struct of the same type (out S dP): its fields' gradients are its fields.
        var structGradients = new Dictionary<string, string>();
        var structOwners = new HashSet<string>(_method.Variables.Where(v => v.IsParameterField && v.IsDifferentiableInput).Select(v => v.Owner));
        foreach (int parameter in _method.Parameters)
        {
            var variable = _method.Variables[parameter];
            if (variable.Kind == VariableKind.Parameter && structOwners.Contains(variable.Name))
            {
                structGradients[variable.Name] = Reserve(GradientNameOf(variable.Name));
                _program.Gradients.Add((parameter, structGradients[variable.Name], null));
                continue;
            }
            if (!variable.IsDifferentiableParameter || _method.Outputs.Contains(parameter)) continue;
            string gradient = Reserve(GradientNameOf(variable.Name));
            string? adjoint = variable.Type.IsBuffer || !_activity.IsActive(parameter) ? null : Adjoint(parameter);
            if (variable.Type.IsBuffer) _adjoints[parameter] = variable.HasFlatView ? GradientView(variable, gradient, gradient) : gradient;
            _program.Gradients.Add((parameter, gradient, adjoint));
        }
        // Arrays and spans of structs, two-dimensional arrays: the IR reads the flat views of their numbers (a struct output
        // is written through its flat view; an input only read).
        foreach (var view in _method.Variables.Where(v => v.HasFlatView && (v.Kind == VariableKind.Parameter && _method.Parameters.Contains(v.Id) || v.Kind == VariableKind.Member)).Reverse())
            _program.Views.Insert(0, _method.Outputs.Contains(view.Id)
                ? ("global::System.Span<" + view.Type.ScalarKeyword + "> " + view.Spelling + " = " + view.FlatViewOf(view.Name) + ";", false)
                : (view.FlatViewDeclaration, false));
        foreach (int output in _method.Outputs)
        {
            var variable = _method.Variables[output];
            string adjoint = Reserve(GradientNameOf(variable.Name));
            // A struct output's adjoint is a Span<S> too, consumed through its flat view.
            _adjoints[output] = variable.HasFlatView ? GradientView(variable, adjoint, adjoint) : adjoint;
            _program.Outputs.Add((output, adjoint));
        }
        if (_method.Shape.HasThisGradient) _program.ThisName = Reserve("dThis");
        foreach (var member in _method.Variables.Where(v => v.Kind == VariableKind.Member && v.IsDifferentiableInput))
        {
            // A member's gradient is the same member of dThis: incremented, like a span gradient (arrays element-wise).
            string gradient = (member.IsParameterField ? structGradients[member.Owner] : _program.ThisName) + "." + member.Member;
            if (member.Type.IsBuffer) _adjoints[member.Id] = member.HasFlatView ? GradientView(member, "d" + Identifiers.Capitalized(Identifiers.Bare(member.Name)), gradient) : gradient;
            _program.Gradients.Add((member.Id, gradient, member.Type.IsBuffer || !_activity.IsActive(member.Id) ? null : Adjoint(member.Id)));
        }
        _program.SeedName = Reserve("d" + MethodName);
        _program.ResultAdjoint = Adjoint(_method.Result);
        foreach (int parameter in _method.Parameters.Where(_plan.NeedsGradientBuffer))
            _program.ReverseSetup.AddRange(RentScratch(parameter, onStack: false));
        foreach (int output in _method.Outputs)
            _program.ForwardLocals.Add(Local(output, ForwardLocalKind.Output));
        foreach (int parameter in AssignedScalarParameters())
            _program.ForwardLocals.Add(Local(parameter, ForwardLocalKind.Parameter));

        foreach (var variable in _method.Variables)
        {
            if (variable.Kind is VariableKind.Parameter or VariableKind.Member or VariableKind.Data || _inlineDeclared.Contains(variable.Id) || variable.Type.IsBuffer) continue;
            _program.Declarations.Add(new Declaration(variable.Type.Keyword, variable.Name, Zero(variable.Type)));
        }

        var reverse = Block(_method.Body, _program.Forward);
        var zeroAdjoints = _adjoints.Where(a => a.Key != _method.Result && _method.Variables[a.Key].Type.IsRealScalar).Select(a => a.Value);
        var guarded = _method.Parameters.Where(p => _method.Variables[p] is { Type.IsBuffer: true, IsMatrix: false } && _adjoints.ContainsKey(p) && !_method.Outputs.Contains(p))
            .Select(Adjoint).ToList();
        var versioned = LoopVersioning.Apply(FirstWrites.Apply(Simplifier.Simplify(reverse), zeroAdjoints), guarded);
        var symbols = VectorSymbols();
        _program.Reverse.AddRange(Vectorizer.Apply(versioned, name => symbols.TryGetValue(name, out var symbol) ? symbol : null, Reserve));
        foreach (int output in _method.Outputs.Where(_rewound.Contains))
            _program.RewoundOutputs.Add((output, Reserve(_method.Variables[output].Name + "Results")));
    }

    /// <summary>The flat view of a buffer's gradient <paramref name="gradient"/>, declared as a view named after <paramref name="name"/>.</summary>
    private string GradientView(IrVariable buffer, string name, string gradient)
    {
        string view = Reserve(IrVariable.FlatName(name));
        _program.Views.Add(("global::System.Span<" + buffer.Type.ScalarKeyword + "> " + view + " = " + buffer.FlatViewOf(gradient) + ";", true));
        return view;
    }

    // ---------------------------------------------------------------- statements

    /// <summary>Emits the forward code of a block into <paramref name="forward"/> and returns its reverse code.</summary>
    private List<Code> Block(IEnumerable<IrStatement> statements, List<Code> forward)
    {
        var reverseParts = new List<List<Code>>();
        foreach (var statement in statements)
        {
            var reverse = new List<Code>();
            Statement(statement, forward, reverse);
            if (reverse.Any(c => c is not CodeComment)) reverseParts.Add(reverse);
        }
        reverseParts.Reverse();
        return reverseParts.SelectMany(p => p).ToList();
    }

    private void Statement(IrStatement statement, List<Code> forward, List<Code> reverse)
    {
        switch (statement)
        {
            case IrAssign { Value: IrNewBuffer allocation } declaration:
                forward.Add(AssignTo(declaration, _text.Of(allocation)));
                if (_plan.NeedsGradientBuffer(declaration.Variable)) _program.ReverseSetup.AddRange(RentScratch(declaration.Variable, allocation.AlwaysOnStack));
                break;
            case IrAssign assign:
                Assign(assign, forward, reverse);
                break;
            case IrStore store:
                Store(store, forward, reverse);
                break;
            case IrCallStatement call:
                CallStatement(call, forward, reverse);
                break;
            case IrIf branch:
                If(branch, forward, reverse);
                break;
            case IrLoop loop:
                Loop(loop, forward, reverse);
                break;
            // Kept as written, forward only; a side effect is not run again when the forward sweep restarts (Tape.RunsEffect).
            case IrKept { Kind: KeptKind.WriteBack } writeBack:
                _program.WriteBack.Add(new CodeStatement(_text.Kept(writeBack)));
                break;
            case IrKept kept:
                var keptStatement = new CodeStatement(_text.Kept(kept));
                forward.Add(kept.Kind == KeptKind.Effect ? new CodeIf(Tape() + ".RunsEffect()", new List<Code> { keptStatement }) : keptStatement);
                break;
            default:
                throw new InvalidOperationException("Statement " + statement.GetType().Name + " should not survive normalization.");
        }
    }

    private void If(IrIf branch, List<Code> forward, List<Code> reverse)
    {
        if (!_plan.IsRelevant(branch))
        {
            forward.Add(PlainIf(branch));
            return;
        }
        Comment(forward, branch.Source);
        string flag = Reserve("branch");
        forward.Add(Keep(flag, IrType.Boolean, _text.Of(branch.Condition)));

        _nesting++;
        var thenForward = new List<Code>();
        var elseForward = new List<Code>();
        var thenReverse = Block(branch.Then, thenForward);
        var elseReverse = Block(branch.Else, elseForward);
        _nesting--;
        forward.Add(thenForward.Count == 0
            ? new CodeIf("!" + N(flag), elseForward)
            : new CodeIf(N(flag), thenForward, elseForward.Count > 0 ? elseForward : null));

        Record(flag, IrType.Boolean, forward, reverse);
        Comment(reverse, branch.Source);
        if (thenReverse.Count == 0)
            reverse.Add(new CodeIf("!" + N(flag), elseReverse));
        else
            reverse.Add(new CodeIf(N(flag), thenReverse, elseReverse.Count > 0 ? elseReverse : null));
    }

    private void Loop(IrLoop loop, List<Code> forward, List<Code> reverse)
    {
        var condition = loop.Condition is null ? Fragment.Literal("true") : _text.Of(loop.Condition);
        if (!_plan.IsRelevant(loop))
        {
            forward.Add(PlainLoop(loop));
            return;
        }
        if (_plan.CountedLoops.TryGetValue(loop, out var counted))
        {
            CountedLoopCode(loop, counted, forward, reverse);
            return;
        }
        Comment(forward, loop.Source);
        string count = Reserve("trips");
        forward.Add(Keep(count, IrType.Int32, Fragment.Zero));

        _nesting++;
        _loopDepth++;
        var body = new List<Code> { new CodeStatement(N(count) + "++", count) };
        var bodyReverse = Block(loop.Body, body);
        var stepReverse = Block(loop.Step, body);
        _loopDepth--;
        _nesting--;
        forward.Add(CodeLoop.While(condition, body));

        Record(count, IrType.Int32, forward, reverse);
        Comment(reverse, loop.Source);
        string iteration = Reserve("trip");
        reverse.Add(CodeLoop.Down(iteration, N(count), N(iteration) + " > 0", stepReverse.Concat(bodyReverse).ToList(), declares: true));
    }

    private void Assign(IrAssign assign, List<Code> forward, List<Code> reverse)
    {
        var variable = _method.Variables[assign.Variable];
        bool active = _activity.IsActive(assign.Variable);
        bool restore = _plan.NeedsRestore(assign);
        if (!active && !restore)
        {
            forward.Add(AssignTo(assign, _text.Of(assign.Value)));
            return;
        }

        Comment(forward, assign.Source);
        var plan = active ? _plan.Plan(assign.Value) : new RecordingPlan.ExpressionPlan();
        _values.Clear();
        var kept = new List<(string Name, IrType Type)>();
        var value = ForwardValue(assign.Value, plan, forward, kept, root: true);

        // Save the old value, unless an integer step can simply be undone.
        var undo = Inverse(assign);
        string? saved = null;
        if (restore && undo is null)
        {
            if (_loopDepth > 0)
            {
                forward.Add(new CodeStatement(Tape() + ".Push(" + N(variable.Name) + ")"));
            }
            else
            {
                saved = Reserve(variable.Name + "Old");
                forward.Add(Keep(saved, variable.Type, N(variable.Name)));
            }
        }
        forward.Add(AssignTo(assign, value));
        foreach (var (name, type) in kept) Record(name, type, forward, reverse: null);

        // Reverse: read the result, reload kept values, restore the variable, then apply the rules.
        Comment(reverse, assign.Source);
        if (active && plan.Needed.Contains(assign.Value) && !RecordingPlan.IsLeaf(assign.Value))
        {
            string result = restore ? Reserve(variable.Name + "New") : variable.Name;
            if (restore) reverse.Add(CodeAssign.Declare(variable.Type.Keyword, result, N(variable.Name)));
            _values[assign.Value] = result;
        }
        if (_loopDepth > 0)
        {
            for (int i = kept.Count - 1; i >= 0; i--)
                reverse.Add(CodeAssign.Set(N(kept[i].Name), Reload(N(kept[i].Name), kept[i].Type)));
        }
        if (restore)
            reverse.Add(CodeAssign.Set(N(variable.Name), undo ?? (saved is null ? Reload(N(variable.Name), variable.Type) : N(saved))));
        if (!active) return;

        var adjoint = N(Adjoint(assign.Variable));
        bool readsItself = ReadsVariable(assign.Value, assign.Variable);
        // The result is assigned once on every path (ControlFlowNormalizer), so its adjoint needs no reset either.
        bool firstDefinition = (assign.IsDeclaration && _loopDepth == 0) || assign.Variable == _method.Result;
        // A dead assignment's adjoint is zero: propagating it would only multiply that zero by partials of values the
        // result never reads (NaN where they overflowed).
        if (!_activity.IsActive(assign.Value) || _activity.IsDead(assign))
        {
            if (!firstDefinition) reverse.Add(CodeAssign.Reset(adjoint));
        }
        else if (readsItself)
        {
            string incoming = Reserve(Adjoint(assign.Variable) + "Out");
            reverse.Add(CodeAssign.Declare(variable.Type.Keyword, incoming, adjoint));
            reverse.Add(CodeAssign.Reset(adjoint));
            Propagate(assign.Value, N(incoming), reverse);
        }
        else
        {
            Propagate(assign.Value, adjoint, reverse);
            if (!firstDefinition) reverse.Add(CodeAssign.Reset(adjoint));
        }
        ReverseSplitCalls(reverse);
        _values.Clear();
    }

    // ---------------------------------------------------------------- kept values

    /// <summary>Declares or assigns a value the reverse sweep reads: inline at the top level, hoisted when nested.</summary>
    private Code Keep(string name, IrType type, Fragment value)
    {
        if (_nesting == 0)
        {
            _program.ForwardLocals.Add(new ForwardLocal(name, type.Keyword, type.ScalarKeyword, ForwardLocalKind.Scalar));
            return CodeAssign.Declare(type.Keyword, name, value);
        }
        _program.Declarations.Add(new Declaration(type.Keyword, name, Zero(type)));
        return CodeAssign.Set(N(name), value);
    }

    /// <summary>Inside a loop, pushes a kept value on its tape in the forward sweep and pops it back in the reverse sweep.</summary>
    private void Record(string name, IrType type, List<Code> forward, List<Code>? reverse)
    {
        if (_loopDepth == 0) return;
        forward.Add(new CodeStatement(Tape() + ".Push(" + N(name) + ")"));
        reverse?.Add(CodeAssign.Set(N(name), Reload(N(name), type)));
    }

    private Fragment Reload(Fragment value, IrType type) => _loopDepth == 0 ? value : Tape() + ".Pop<" + type.ScalarKeyword + ">()";

    /// <summary>The method's one tape; naming it marks it used.</summary>
    private Fragment Tape()
    {
        _program.UsesTape = true;
        return N(_program.TapeName);
    }

    /// <summary>A name of the generated method as a fragment of the adjoint program.</summary>
    private static Fragment N(string name) => Fragment.Of(name);

    // ---------------------------------------------------------------- helpers

    /// <summary>The forward assignment: a declaration where a top-level local is declared inline, else an assignment.</summary>
    private Code AssignTo(IrAssign assign, Fragment value)
    {
        var variable = _method.Variables[assign.Variable];
        if (!(assign.IsDeclaration && _inlineDeclared.Contains(assign.Variable) && _nesting == 0)) return CodeAssign.Set(N(variable.Name), value);
        _program.ForwardLocals.Add(assign.Value is IrNewBuffer allocation
            ? Local(assign.Variable, ForwardLocalKind.Buffer, allocation.OnStack) with { SpillLength = allocation.OnStack && allocation.SpillsToHeap ? Reserve(variable.Name + "Length") : null }
            : Local(assign.Variable, ForwardLocalKind.Scalar));
        return CodeAssign.Declare(variable.Type.Keyword, variable.Name, value);
    }

    private ForwardLocal Local(int variable, ForwardLocalKind kind, bool onStack = false)
    {
        var v = _method.Variables[variable];
        return new ForwardLocal(v.Name, v.Type.Keyword, v.Type.ScalarKeyword, kind, onStack);
    }

    /// <summary>Scalar parameters the body assigns: their final values are state of the forward sweep like locals.</summary>
    private IEnumerable<int> AssignedScalarParameters()
    {
        var assigned = new HashSet<int>();
        foreach (var statement in _method.Body)
            IrWalker.VisitStatements(statement, s =>
            {
                if (s is IrAssign a && _method.Variables[a.Variable].Kind == VariableKind.Parameter) assigned.Add(a.Variable);
            });
        return _method.Parameters.Where(assigned.Contains);
    }

    private string Adjoint(int variable)
    {
        if (_adjoints.TryGetValue(variable, out var name)) return name;
        var v = _method.Variables[variable];
        name = Reserve("d" + MethodName + "_d" + v.Name);
        _adjoints[variable] = name;
        if (v.Type.IsRealScalar && variable != _method.Result)
            _program.Declarations.Add(new Declaration(v.Type.Keyword, name, "0"));
        return name;
    }

    private string Reserve(string name) => Identifiers.Reserve(_names, name);

    /// <summary><c>w</c> → <c>dW</c>, <c>@params</c> → <c>dParams</c>.</summary>
    internal static string GradientNameOf(string name) => "d" + Identifiers.Capitalized(name);

    private static string Zero(IrType type) => type.Scalar == ScalarKind.Boolean ? "false" : "0";

    private static void Comment(List<Code> code, SourceRef source)
    {
        if (source.Line <= 0) return;
        string text = "line " + source.Line + ": " + source.Text;
        // The statements one source statement lowers to (a deconstruction's assignments) share one comment.
        for (int k = code.Count - 1; k >= 0; k--)
        {
            if (code[k] is not CodeComment previous) continue;
            if (previous.Text == text) return;
            break;
        }
        code.Add(new CodeComment(text));
    }

    private CodeIf PlainIf(IrIf branch)
    {
        var then = new List<Code>();
        var otherwise = new List<Code>();
        foreach (var s in branch.Then) Statement(s, then, new List<Code>());
        foreach (var s in branch.Else) Statement(s, otherwise, new List<Code>());
        return then.Count == 0
            ? new CodeIf("!" + ExpressionText.Atom(_text.Of(branch.Condition)), otherwise)
            : new CodeIf(_text.Of(branch.Condition), then, otherwise.Count > 0 ? otherwise : null);
    }

    private CodeLoop PlainLoop(IrLoop loop)
    {
        var body = new List<Code>();
        foreach (var s in loop.Body.Concat(loop.Step)) Statement(s, body, new List<Code>());
        return CodeLoop.While(loop.Condition is null ? Fragment.Literal("true") : _text.Of(loop.Condition), body);
    }

    private static bool ReadsVariable(IrExpression expression, int variable)
    {
        bool found = false;
        IrWalker.VisitExpression(expression, e => found |= e is IrRead r && r.Variable == variable);
        return found;
    }

    /// <summary>For <c>i = i ± c</c> on integers, the expression that undoes the step; null otherwise.</summary>
    private Fragment? Inverse(IrAssign assign)
    {
        var variable = _method.Variables[assign.Variable];
        if (variable.Type.Scalar is not (ScalarKind.Int32 or ScalarKind.Int64)) return null;
        if (assign.Value is IrBinary { Operator: BinaryOperator.Add or BinaryOperator.Subtract } b
            && b.Left is IrRead r && r.Variable == assign.Variable && b.Right is IrConstant c)
        {
            return N(variable.Name) + (b.Operator == BinaryOperator.Add ? " - " : " + ") + Literals.Of(c);
        }
        return null;
    }
}
