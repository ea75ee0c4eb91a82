using System;
using System.Collections.Generic;
using System.Linq;
using Backprop.Generator.Helpers;
using Backprop.Generator.Ir;

namespace Backprop.Generator.Analysis;

/// <summary>
/// Inlines the static methods a method calls (value-returning calls and layers, recursively) into one equivalent
/// <see cref="IrMethod"/>, for the transformations that work on a single body (second derivatives: <c>TangentLowering</c>;
/// forward mode: <c>TangentBuilder</c>, where a call of a callee with a tangent of its own stays a call).
/// Both sides are normalized IR (no return, break or continue): a callee's early returns are already its result variable
/// and exit flags, so its body runs top to bottom where the call was.
/// </summary>
/// <remarks>
/// Every callee variable gets a fresh, unique variable of the caller. A scalar parameter reads its argument directly when
/// the callee never assigns it and the argument is a constant or a variable (nothing the inlined body does can change a
/// variable of the caller), else a fresh local holds the argument. A buffer parameter becomes a view of the argument's
/// buffer: <c>p[i]</c> is <c>buffer[start + i]</c> and <c>p.Length</c> the slice's length. A call inside an expression
/// is hoisted before its statement, in evaluation order; where C# might not evaluate it (the right of <c>&amp;&amp;</c>
/// and <c>||</c>, an arm of a conditional, a loop condition), it moves into a branch that runs exactly when C# would.
/// A local buffer of a callee inlined inside a loop or a branch is allocated once at the top of the method and zeroed
/// where the callee declared it, as the lowering does for the method's own nested buffers.
/// </remarks>
internal sealed class Inliner
{
    /// <summary>What the inlined method is built for: the wording of its limits, and which calls stay calls.</summary>
    public enum Purpose
    {
        /// <summary>Second derivatives: every call is inlined.</summary>
        SecondDerivatives,

        /// <summary>Forward mode: a call of a callee with forward mode of its own stays a call of its <c>MTangent</c>, where the method can make it.</summary>
        ForwardMode,
    }

    /// <summary>A callee's IR (lowered, normalized and gated like any method), or null and why not.</summary>
    public delegate IrMethod? Resolver(CalleeInfo callee, IReadOnlyList<IrExpression> arguments, out string why);

    private readonly IrMethod _root;
    private readonly Resolver _resolve;
    private readonly Purpose _purpose;
    private readonly List<IrVariable> _variables;
    private readonly HashSet<string> _names;
    private readonly HashSet<int> _assignedInRoot = new();
    private readonly List<IrStatement> _allocations = new();

    /// <summary>The methods being inlined, outermost first (the root's key first): a call back into one is recursion.</summary>
    /// <summary>The methods being inlined, outermost first: each one's key and name (for the message of a recursion).</summary>
    private readonly List<(string Key, string Name)> _chain = new();

    /// <summary>How many loops and branches of the result enclose the statement being built.</summary>
    private int _depth;

    private Inliner(IrMethod root, string key, Resolver resolve, Purpose purpose)
    {
        _root = root;
        _resolve = resolve;
        _purpose = purpose;
        _variables = root.Variables.ToList();
        _names = new HashSet<string>(root.Variables.Select(v => Identifiers.Bare(v.Name)));
        _chain.Add((key, root.Shape.Name));
        foreach (var statement in root.Body)
            IrWalker.VisitStatements(statement, s => { if (s is IrAssign a) _assignedInRoot.Add(a.Variable); });
    }

    /// <summary>Why a call cannot be inlined, in the user's words (the second half of BPG032's or BPG036's message).</summary>
    private sealed class LimitException : Exception
    {
        public LimitException(string reason)
            : base(reason)
        {
        }
    }

    /// <summary>
    /// <paramref name="method"/> with every call inlined, or <paramref name="method"/> itself when it calls nothing. When a
    /// call cannot be inlined, <paramref name="limit"/> says why and the method is returned unchanged.
    /// </summary>
    /// <param name="key">The method's own <see cref="Key"/>, so that a callee calling back into it is recursion.</param>
    public static IrMethod Inline(IrMethod method, string key, Resolver resolve, out string? limit, Purpose purpose = Purpose.SecondDerivatives)
    {
        limit = null;
        if (!method.Body.Any(s => CallsIn(s))) return method;
        var inliner = new Inliner(method, key, resolve, purpose);
        try
        {
            var body = inliner.Block(method.Body, Binding.Identity);
            body.InsertRange(0, inliner._allocations);
            // A parameter the callee never reads, or a layer's unused result, would be a local assigned and never read (CS0219).
            var pruned = UnreadAssignments.Prune(body, inliner._variables, method.Result);
            return method with
            {
                Variables = inliner._variables.ToEquatableArray(),
                Body = pruned.ToEquatableArray(),
                Helpers = EquatableArray<IrMethod>.Empty,
                Inlined = null,
            };
        }
        catch (LimitException e)
        {
            limit = e.Message;
            return method;
        }
    }

    /// <summary>Names a static method by its type, name and parameter names: <c>global::Ns.T.Square(x)</c>.</summary>
    public static string Key(string target, string name, IEnumerable<string> parameterNames) =>
        target + "." + name + "(" + string.Join(", ", parameterNames) + ")";

    private static string Key(CalleeInfo callee) => Key(callee.Target, callee.Name, callee.ParameterNames);

    private static bool CallsIn(IrStatement statement)
    {
        bool calls = false;
        IrWalker.VisitStatements(statement, s =>
        {
            calls |= s is IrCallStatement;
            IrWalker.VisitStatement(s, e => calls |= e is IrDifferentiableCall);
        });
        return calls;
    }

    private static bool CallsIn(IrExpression expression)
    {
        bool calls = false;
        IrWalker.VisitExpression(expression, e => calls |= e is IrDifferentiableCall);
        return calls;
    }

    // ---------------------------------------------------------------- statements

    private List<IrStatement> Block(IEnumerable<IrStatement> statements, Binding binding)
    {
        var output = new List<IrStatement>();
        foreach (var statement in statements) Statement(statement, binding, output);
        return output;
    }

    private List<IrStatement> Nested(IEnumerable<IrStatement> statements, Binding binding)
    {
        _depth++;
        var block = Block(statements, binding);
        _depth--;
        return block;
    }

    private void Statement(IrStatement statement, Binding binding, List<IrStatement> output)
    {
        var source = binding.Source(statement.Source);
        switch (statement)
        {
            case IrAssign { Value: IrNewBuffer allocation } declaration when !binding.IsIdentity:
                Allocate(declaration, allocation, binding, source, output);
                break;
            case IrAssign assign:
                var value = Expression(assign.Value, binding, output, source);
                output.Add(new IrAssign(source, binding.Variable(assign.Variable, this), value, assign.IsDeclaration));
                break;
            case IrStore store:
                var index = Expression(store.Index, binding, output, source);
                var stored = Expression(store.Value, binding, output, source);
                var (buffer, offset, _) = binding.Element(store.Buffer, index, this);
                output.Add(new IrStore(source, buffer, offset, stored));
                break;
            case IrIf branch:
                var condition = Expression(branch.Condition, binding, output, source);
                output.Add(new IrIf(source, condition, Nested(branch.Then, binding).ToEquatableArray(), Nested(branch.Else, binding).ToEquatableArray()));
                break;
            case IrLoop { Condition: { } test } loop when CallsIn(test):
                LoopWithCallInCondition(loop, test, binding, source, output);
                break;
            case IrLoop loop:
                var whileTrue = loop.Condition is null ? null : Expression(loop.Condition, binding, output, source);
                output.Add(new IrLoop(source, whileTrue, Nested(loop.Body, binding).ToEquatableArray(), Nested(loop.Step, binding).ToEquatableArray()));
                break;
            case IrCallStatement call:
                var arguments = call.Arguments.Select(a => Expression(a, binding, output, source)).ToList();
                if (KeepsCall(call.Callee, binding)) output.Add(new IrCallStatement(source, call.Callee, arguments.ToEquatableArray()));
                else Call(call.Callee, arguments, source, output);
                break;
            case IrKept kept when binding.IsIdentity:
                output.Add(kept);
                break;
            // Second derivatives run without side effects (TangentLowering): a callee's are dropped, unless its body serves forward mode too.
            case IrKept { Kind: KeptKind.Effect or KeptKind.WriteBack } when _purpose == Purpose.SecondDerivatives && !_root.Shape.EmitTangent:
                break;
            case IrKept kept:
                throw new LimitException("it calls '" + binding.Callee + "', which runs '" + kept.Text + "' as written, and " + For + " cannot move code kept as written into '"
                    + _root.Shape.Name + "'" + (_purpose == Purpose.ForwardMode ? "; mark '" + binding.Callee + "' [Differentiable(Forward = true)], so that its own tangent runs it, or move the statement into '" + _root.Shape.Name + "'" : "; move the statement into '" + _root.Shape.Name + "'"));
            default:
                throw new InvalidOperationException("Inlining needs normalized IR, not " + statement.GetType().Name);
        }
    }

    /// <summary>
    /// <c>while (F(x) &gt; t) { body; step; }</c>: the call must run before every test, so the test moves into the body,
    /// guarding the rest: <c>looping = true; while (looping) { looping = F(x) &gt; t; if (looping) { body; step; } }</c>.
    /// </summary>
    private void LoopWithCallInCondition(IrLoop loop, IrExpression test, Binding binding, SourceRef source, List<IrStatement> output)
    {
        int looping = NewVariable("looping", IrType.Boolean);
        output.Add(new IrAssign(source, looping, True, IsDeclaration: true));
        _depth++;
        var body = new List<IrStatement>();
        body.Add(new IrAssign(source, looping, Expression(test, binding, body, source)));
        var rest = Block(loop.Body, binding);
        rest.AddRange(Block(loop.Step, binding));
        body.Add(new IrIf(SourceRef.None, Read(looping), rest.ToEquatableArray(), EquatableArray<IrStatement>.Empty));
        _depth--;
        output.Add(new IrLoop(source, Read(looping), body.ToEquatableArray(), EquatableArray<IrStatement>.Empty));
    }

    /// <summary>
    /// A callee's local buffer: where the callee runs unconditionally, allocated in place; inside a loop or a branch, once at
    /// the top of the method (a stackalloc per pass would grow the stack) and zeroed here, as every call of the callee
    /// gets a fresh zeroed buffer.
    /// </summary>
    private void Allocate(IrAssign declaration, IrNewBuffer allocation, Binding binding, SourceRef source, List<IrStatement> output)
    {
        int buffer = binding.Variable(declaration.Variable, this);
        var placed = allocation with { Length = Expression(allocation.Length, binding, output, source) };
        // Under [SkipLocalsInit] on the method a stackalloc is not zeroed, where the callee's own may have been.
        bool zero = _depth > 0 || allocation.OnStack && _root.Shape.SkipsLocalsInit && !binding.Method!.Shape.SkipsLocalsInit;
        if (_depth == 0)
        {
            output.Add(new IrAssign(source, buffer, placed, IsDeclaration: true));
        }
        else
        {
            if (!KnownAtStart(placed.Length))
                throw new LimitException("it calls '" + binding.Callee + "' inside a loop or a branch, and '" + binding.Callee + "' allocates the buffer '"
                    + Identifiers.Bare(binding.Method!.Variables[declaration.Variable].Name) + "' with a length not known at the start of '" + _root.Shape.Name + "'; allocate it with a constant length or one of a parameter");
            _allocations.Add(new IrAssign(source, buffer, placed, IsDeclaration: true));
        }
        if (!zero) return;
        int clear = NewVariable("clear", IrType.Int32);
        var counter = new IrRead(IrType.Int32, clear);
        output.Add(new IrAssign(source, clear, IrConstant.Int(0), IsDeclaration: true));
        output.Add(new IrLoop(
            source,
            new IrBinary(IrType.Boolean, BinaryOperator.Less, counter, new IrLength(buffer)),
            new IrStatement[] { new IrStore(SourceRef.None, buffer, counter, IrConstant.Of(allocation.Type.Element, 0)) }.ToEquatableArray(),
            new IrStatement[] { new IrAssign(SourceRef.None, clear, new IrBinary(IrType.Int32, BinaryOperator.Add, counter, IrConstant.Int(1))) }.ToEquatableArray()));
    }

    /// <summary>A length the top of the method can compute: constants, fields, lengths and unassigned int parameters.</summary>
    private bool KnownAtStart(IrExpression length)
    {
        bool known = true;
        IrWalker.VisitExpression(length, e => known &= e switch
        {
            IrConstant or IrExternal => true,
            IrLength l => _variables[l.Buffer].Kind is VariableKind.Parameter or VariableKind.External,
            IrRead r => _variables[r.Variable].Kind == VariableKind.Parameter && !_assignedInRoot.Contains(r.Variable),
            IrBinary { Operator: BinaryOperator.Add or BinaryOperator.Subtract or BinaryOperator.Multiply or BinaryOperator.Divide or BinaryOperator.Remainder } => true,
            _ => false,
        });
        return known;
    }

    // ---------------------------------------------------------------- expressions

    /// <summary>
    /// The expression in the caller's variables, with its calls inlined into <paramref name="before"/> (in evaluation
    /// order) and replaced by their results.
    /// </summary>
    private IrExpression Expression(IrExpression expression, Binding binding, List<IrStatement> before, SourceRef source)
    {
        IrExpression Child(IrExpression child) => Expression(child, binding, before, source);
        switch (expression)
        {
            case IrConstant:
                return expression;
            case IrExternal external:
                if (!binding.IsIdentity) binding.CheckVisible(external.Text, external.Public, _root);
                return expression;
            case IrRead read:
                return binding.Read(read, this);
            case IrElement element:
                var (buffer, index, detached) = binding.Element(element.Buffer, Child(element.Index), this);
                var entry = new IrElement(element.Type, buffer, index);
                return detached ? IrOpaqueCall.StopGradientOf(entry) : entry;
            case IrLength { Row: { } row } length:
                return length with { Buffer = binding.Variable(length.Buffer, this), Row = Child(row) };
            case IrLength length:
                return binding.Length(length.Buffer, this);
            case IrRowIndex position:
                var positionRow = Child(position.Row);
                return position with { Row = positionRow, Column = Child(position.Column) };
            case IrSlice slice:
                return binding.Slice(slice, Child(slice.Start), Child(slice.Length), this);
            case IrUnary unary:
                return unary with { Operand = Child(unary.Operand) };
            case IrConvert convert:
                return convert with { Operand = Child(convert.Operand) };
            case IrBinary { Operator: BinaryOperator.And or BinaryOperator.Or } logical when CallsIn(logical.Right):
                return ShortCircuit(logical, binding, before, source);
            case IrBinary binary:
                var left = Child(binary.Left);
                return binary with { Left = left, Right = Child(binary.Right) };
            case IrConditional conditional when CallsIn(conditional.WhenTrue) || CallsIn(conditional.WhenFalse):
                return Choice(conditional, binding, before, source);
            case IrConditional conditional:
                var test = Child(conditional.Condition);
                var whenTrue = Child(conditional.WhenTrue);
                return conditional with { Condition = test, WhenTrue = whenTrue, WhenFalse = Child(conditional.WhenFalse) };
            case IrMathCall math:
                return math with { Arguments = math.Arguments.Select(Child).ToList().ToEquatableArray() };
            case IrOpaqueCall opaque:
                if (!binding.IsIdentity) binding.CheckVisible(opaque.Method, opaque.Public, _root);
                return opaque with { Arguments = opaque.Arguments.Select(Child).ToList().ToEquatableArray() };
            case IrNewBuffer allocation:
                return allocation with { Length = Child(allocation.Length) };
            case IrVerbatim verbatim:
                if (!binding.IsIdentity)
                    throw new LimitException("it calls '" + binding.Callee + "', which computes '" + verbatim.Text + "' on data the generator keeps as written and cannot move into '"
                        + _root.Shape.Name + "'; pass that value to '" + binding.Callee + "' as a [NoDerivative] parameter");
                return verbatim with { Operands = verbatim.Operands.Select(Child).ToList().ToEquatableArray() };
            case IrDifferentiableCall call:
                var arguments = call.Arguments.Select(Child).ToList();
                if (KeepsCall(call.Callee, binding)) return call with { Arguments = arguments.ToEquatableArray() };
                return Read(Call(call.Callee, arguments, source, before), call.Type);
            default:
                throw new InvalidOperationException("Unknown IR expression " + expression.GetType().Name);
        }
    }

    /// <summary><c>a &amp;&amp; F(x) &gt; 0</c>: the call runs only when C# evaluates the right operand.</summary>
    private IrExpression ShortCircuit(IrBinary logical, Binding binding, List<IrStatement> before, SourceRef source)
    {
        int test = NewVariable("test", IrType.Boolean);
        before.Add(new IrAssign(source, test, Expression(logical.Left, binding, before, source), IsDeclaration: true));
        _depth++;
        var right = new List<IrStatement>();
        right.Add(new IrAssign(source, test, Expression(logical.Right, binding, right, source)));
        _depth--;
        IrExpression evaluatesRight = logical.Operator == BinaryOperator.And ? Read(test) : new IrUnary(IrType.Boolean, UnaryOperator.Not, Read(test));
        before.Add(new IrIf(source, evaluatesRight, right.ToEquatableArray(), EquatableArray<IrStatement>.Empty));
        return Read(test);
    }

    /// <summary><c>c ? F(x) : y</c>: the call runs only in the arm the condition selects.</summary>
    private IrExpression Choice(IrConditional conditional, Binding binding, List<IrStatement> before, SourceRef source)
    {
        var test = Expression(conditional.Condition, binding, before, source);
        int choice = NewVariable("choice", conditional.Type);
        _depth++;
        var whenTrue = new List<IrStatement>();
        whenTrue.Add(new IrAssign(source, choice, Expression(conditional.WhenTrue, binding, whenTrue, source)));
        var whenFalse = new List<IrStatement>();
        whenFalse.Add(new IrAssign(source, choice, Expression(conditional.WhenFalse, binding, whenFalse, source)));
        _depth--;
        before.Add(new IrIf(source, test, whenTrue.ToEquatableArray(), whenFalse.ToEquatableArray()));
        return Read(choice, conditional.Type);
    }

    // ---------------------------------------------------------------- calls

    /// <summary>
    /// Forward mode calls the tangent of a callee that has one: from the method itself, or from an inlined body when the
    /// callee is static and seen from the method as from that body.
    /// </summary>
    private bool KeepsCall(CalleeInfo callee, Binding binding) =>
        _purpose == Purpose.ForwardMode && callee.HasTangent
        && (binding.IsIdentity || callee.IsStatic && binding.SeesAsRoot(callee.Public, _root));

    private string For => _purpose == Purpose.ForwardMode ? "forward mode" : "second derivatives";

    /// <summary>Inlines one call whose arguments are already in the caller's variables; returns the variable of its result (-1 for a layer).</summary>
    private int Call(CalleeInfo callee, List<IrExpression> arguments, SourceRef source, List<IrStatement> output)
    {
        string name = callee.Name;
        if (callee.CustomRule && callee.TangentRule is not null && _purpose == Purpose.ForwardMode)
            throw new LimitException("it calls '" + name + "', whose tangent rule '" + callee.TangentRule.Replace("global::", "") + "' may not be visible from '" + _root.Shape.Name + "' in another type; mark the method that calls '"
                + name + "' [Differentiable(Forward = true)], so that its own tangent calls the rule");
        if (callee.CustomRule)
            throw new LimitException(_purpose == Purpose.ForwardMode
                ? "it calls '" + name + "', whose derivative is a [DerivativeOf] rule without a tangent rule, and forward mode needs one; add a tangent rule for '" + name + "' (value-returning methods only)"
                : "it calls '" + name + "', whose derivative is a [DerivativeOf] rule: a rule gives first derivatives only, and second derivatives need the body of '" + name + "'");
        if (callee.ThisGradientPath is not null)
            throw new LimitException("it calls '" + name + "', which differentiates members of 'this'; make it static and pass the parameters");
        if (callee.Variant.Length > 0)
            throw new LimitException("it calls '" + name + "' on a frozen ([NoDerivative]) sub-module, and " + For + " follow" + (_purpose == Purpose.ForwardMode ? "s" : "")
                + " static calls only; pass the sub-module's numbers to a static method as [NoDerivative] parameters");
        if (!callee.IsStatic)
            throw new LimitException("it calls the instance method '" + name + "', and " + For + " follow" + (_purpose == Purpose.ForwardMode ? "s" : "") + " static calls only; make '" + name + "' static"
                + (_purpose == Purpose.ForwardMode ? ", or mark it [Differentiable(Forward = true)]" : ""));
        string key = Key(callee);
        int first = _chain.FindIndex(c => c.Key == key);
        if (first >= 0)
            throw new LimitException("it calls '" + name + "', which is recursive (" + string.Join(" → ", _chain.Skip(first).Select(c => c.Name).Append(name))
                + "), and " + For + (_purpose == Purpose.ForwardMode ? " inlines the methods it calls" : " inline the methods they call") + "; write the recursion as a loop");
        var method = _resolve(callee, arguments, out string why) ?? throw new LimitException("it calls '" + name + "', " + why);
        if (method.Shape.HasThisGradient)
            throw new LimitException("it calls '" + name + "', which differentiates members of 'this'; make it static and pass the parameters");

        _chain.Add((key, name));
        var binding = new Binding(method, name, source);
        // The result is a fresh variable, declared (zero) at the top by the builders; a layer has none.
        int result = -1;
        if (!method.Shape.IsVoid)
        {
            result = NewVariable(char.ToLowerInvariant(name[0]) + name.Substring(1), method.Shape.ReturnType);
            binding.Bind(method.Result, result);
        }
        var assigned = new HashSet<int>();
        foreach (var statement in method.Body)
            IrWalker.VisitStatements(statement, s => { if (s is IrAssign a) assigned.Add(a.Variable); });
        for (int i = 0; i < method.Parameters.Count; i++)
        {
            var parameter = method.Variables[method.Parameters[i]];
            if (parameter.DeclaredType != parameter.Type.Keyword)
                throw new LimitException("it calls '" + name + "', whose parameter '" + Identifiers.Bare(parameter.Name) + "' is of a type ('" + parameter.DeclaredType + "') " + For + " cannot inline");
            var argument = arguments[i];
            if (parameter.Type.IsBuffer)
            {
                binding.View(parameter.Id, ViewOf(argument, source, output));
            }
            else if (!assigned.Contains(parameter.Id) && argument is IrConstant or IrRead && argument.Type == parameter.Type)
            {
                binding.Substitute(parameter.Id, argument);
            }
            else
            {
                int local = NewVariable(parameter.Name, parameter.Type, VariableKind.Local);
                output.Add(new IrAssign(source, local, argument.Type == parameter.Type ? argument : new IrConvert(parameter.Type, argument), IsDeclaration: true));
                binding.Bind(parameter.Id, local);
            }
        }
        foreach (var statement in method.Body) Statement(statement, binding, output);
        _chain.RemoveAt(_chain.Count - 1);
        return result;
    }

    /// <summary>The buffer an argument passes, and where in it the callee's parameter starts.</summary>
    private View ViewOf(IrExpression argument, SourceRef source, List<IrStatement> output)
    {
        switch (argument)
        {
            case IrRead { Type.IsBuffer: true } read:
                return new View(read.Variable, null, new IrLength(read.Variable));
            case IrSlice slice:
                return new View(slice.Buffer.Variable, Stable(slice.Start, "start", source, output), Stable(slice.Length, "length", source, output), slice.Detached);
            default:
                throw new InvalidOperationException("A buffer argument must be a buffer or a slice of one, not " + argument.GetType().Name);
        }
    }

    /// <summary>
    /// An int the inlined body reads many times: itself when it reads only variables and lengths (nothing inlined writes a
    /// variable of the caller), else a fresh local holding it.
    /// </summary>
    private IrExpression Stable(IrExpression value, string name, SourceRef source, List<IrStatement> output)
    {
        bool stable = true;
        IrWalker.VisitExpression(value, e => stable &= e is IrConstant or IrRead { Type.IsBuffer: false } or IrLength or IrUnary or IrBinary or IrConvert);
        if (stable) return value;
        int local = NewVariable(name, value.Type);
        output.Add(new IrAssign(source, local, value, IsDeclaration: true));
        return Read(local, value.Type);
    }

    // ---------------------------------------------------------------- variables

    private static readonly IrConstant True = IrConstant.Bool(true);

    private IrRead Read(int variable) => new(_variables[variable].Type, variable);

    private IrRead Read(int variable, IrType type) => new(type, variable);

    private int NewVariable(string name, IrType type, VariableKind kind = VariableKind.Synthetic)
    {
        int id = _variables.Count;
        _variables.Add(new IrVariable(id, Identifiers.Escape(Identifiers.Reserve(_names, name)), type, kind, false, type.Keyword));
        return id;
    }

    /// <summary>A fresh caller variable for a callee's local (a parameter bound to a local becomes a local).</summary>
    private int Fresh(IrVariable variable)
    {
        if (variable.Kind == VariableKind.External)
        {
            // A field table: the same member wherever it is read, so the same variable.
            var known = _variables.FirstOrDefault(v => v.Kind == VariableKind.External && v.Name == variable.Name);
            if (known is not null) return known.Id;
            _variables.Add(variable with { Id = _variables.Count });
            return _variables.Count - 1;
        }
        int id = _variables.Count;
        var kind = variable.Kind == VariableKind.Parameter ? VariableKind.Local : variable.Kind;
        _variables.Add(variable with { Id = id, Name = Identifiers.Escape(Identifiers.Reserve(_names, variable.Name)), Kind = kind, NoDerivative = kind != VariableKind.Local && variable.NoDerivative });
        return id;
    }

    /// <summary>Where a buffer parameter of a callee is: a buffer of the caller from <paramref name="Start"/> (null: 0).</summary>
    private sealed record View(int Buffer, IrExpression? Start, IrExpression Length, bool Detached = false);

    /// <summary>How the variables of one inlined callee map to the caller's; the root method's is the identity.</summary>
    private sealed class Binding
    {
        private readonly Dictionary<int, int> _variables = new();
        private readonly Dictionary<int, IrExpression> _values = new();
        private readonly Dictionary<int, View> _views = new();
        private readonly SourceRef _site;

        public Binding(IrMethod? method, string callee, SourceRef site)
        {
            Method = method;
            Callee = callee;
            _site = site;
        }

        public static readonly Binding Identity = new(null, "", SourceRef.None);

        public bool IsIdentity => Method is null;

        /// <summary>The callee (null for the root).</summary>
        public IrMethod? Method { get; }

        public string Callee { get; }

        public void Bind(int variable, int to) => _variables[variable] = to;

        public void Substitute(int parameter, IrExpression value) => _values[parameter] = value;

        public void View(int parameter, View view) => _views[parameter] = view;

        /// <summary>A callee's statement, commented at the call's line in the method (<c>line 7: in Square: return x * x;</c>).</summary>
        public SourceRef Source(SourceRef source) =>
            IsIdentity ? source : source.Line <= 0 || _site.Line <= 0 ? SourceRef.None : new SourceRef(_site.Line, "in " + Callee + ": " + source.Text);

        public int Variable(int variable, Inliner inliner)
        {
            if (IsIdentity) return variable;
            if (_views.ContainsKey(variable) || _values.ContainsKey(variable))
                throw new InvalidOperationException("A parameter bound to an argument is not a variable of the caller");
            if (_variables.TryGetValue(variable, out int mapped)) return mapped;
            if (Method!.Variables[variable].Kind == VariableKind.External) CheckVisible(Method.Variables[variable].Name, Method.Variables[variable].Public, inliner._root);
            // Spelled from the callee's own receiver (this.W, or a struct parameter's p.X), which the method does not have.
            if (Method.Variables[variable].Kind == VariableKind.Member)
                throw new LimitException("it calls '" + Callee + "', which reads the member '" + Method.Variables[variable].Spelling + "'; pass its value to '" + Callee + "' as a parameter");
            mapped = inliner.Fresh(Method.Variables[variable]);
            _variables[variable] = mapped;
            return mapped;
        }

        public IrExpression Read(IrRead read, Inliner inliner)
        {
            if (_values.TryGetValue(read.Variable, out var value)) return value;
            if (_views.TryGetValue(read.Variable, out var view))
            {
                var buffer = inliner.Read(view.Buffer);
                return view.Start is null && !view.Detached ? buffer : new IrSlice(read.Type, buffer, view.Start ?? IrConstant.Int(0), view.Length, view.Detached);
            }
            return inliner.Read(Variable(read.Variable, inliner), read.Type);
        }

        public (int Buffer, IrExpression Index, bool Detached) Element(int buffer, IrExpression index, Inliner inliner) =>
            _views.TryGetValue(buffer, out var view) ? (view.Buffer, Offset(view.Start, index), view.Detached) : (Variable(buffer, inliner), index, false);

        public IrExpression Length(int buffer, Inliner inliner) =>
            _views.TryGetValue(buffer, out var view) ? view.Length : new IrLength(Variable(buffer, inliner));

        public IrSlice Slice(IrSlice slice, IrExpression start, IrExpression length, Inliner inliner)
        {
            if (!_views.TryGetValue(slice.Buffer.Variable, out var view))
                return slice with { Buffer = inliner.Read(Variable(slice.Buffer.Variable, inliner)), Start = start, Length = length };
            return slice with { Buffer = inliner.Read(view.Buffer), Start = Offset(view.Start, start), Length = length, Detached = slice.Detached || view.Detached };
        }

        /// <summary>
        /// A member or method the callee names (fully qualified): the method sees it if both are in one type, or if it is
        /// of the framework or of Backprop. Elsewhere it may be private to the callee's type.
        /// </summary>
        /// <param name="isPublic">The member is public in public types (known where it was lowered).</param>
        public void CheckVisible(string spelling, bool isPublic, IrMethod root)
        {
            if (SeesAsRoot(isPublic, root)) return;
            throw new LimitException("it calls '" + Callee + "', which reads '" + spelling.Replace("global::", "") + "', and '" + root.Shape.Name
                + "' is in another type, where it may not be visible; pass the value to '" + Callee + "' as a [NoDerivative] parameter, or move '" + Callee + "' beside '" + root.Shape.Name + "'");
        }

        /// <summary>Whether the method surely sees what the callee names (<see cref="CheckVisible"/>): it is public, or the two are in one type.</summary>
        public bool SeesAsRoot(bool isPublic, IrMethod root) =>
            isPublic || Method!.Shape.Namespace == root.Shape.Namespace && Method.Shape.ContainingTypes.SequenceEqual(root.Shape.ContainingTypes);

        private static IrExpression Offset(IrExpression? start, IrExpression index)
        {
            if (start is null || start is IrConstant { Value: 0 }) return index;
            if (index is IrConstant { Value: 0 }) return start;
            if (start is IrConstant s && index is IrConstant i)
                return IrConstant.Int((int)(s.Integer + i.Integer));
            return new IrBinary(IrType.Int32, BinaryOperator.Add, start, index);
        }
    }
}
