using System.Collections.Generic;
using System.Linq;
using Backprop.Generator.Helpers;

namespace Backprop.Generator.Ir;

/// <summary>A pure expression of the IR. Every node knows its type; no node holds anything of Roslyn.</summary>
internal abstract record IrExpression(IrType Type)
{
    /// <summary>The node's operands, in evaluation order: the one way every pass enumerates them (see <see cref="IrWalker"/>).</summary>
    public virtual IEnumerable<IrExpression> Children => System.Array.Empty<IrExpression>();
}

/// <summary>
/// A literal or a folded constant, as a value: its type's bits, compared exactly (<c>-0.0</c> is not <c>0.0</c>, NaN is
/// itself), so that a pass asks <see cref="Value"/> or <see cref="Truth"/> and only the printer spells it.
/// </summary>
internal sealed record IrConstant : IrExpression
{
    private IrConstant(IrType type, long bits, string? name) : base(type)
    {
        Bits = bits;
        Name = name;
    }

    /// <summary>A real's <c>double</c> bits (a <c>float</c>'s value widened, exactly), an integer's value, a bool's 0 or 1.</summary>
    private long Bits { get; }

    /// <summary>
    /// The named constant it is, as generated code spells it (<c>global::Ns.Model.Inputs</c>), or null: printed instead of
    /// the value so that generated code reads like the source.
    /// </summary>
    public string? Name { get; }

    /// <summary>A constant of <paramref name="type"/> (a scalar type), the value converted as C# converts it to that type.</summary>
    public static IrConstant Of(IrType type, double value, string? name = null) => type.Scalar switch
    {
        ScalarKind.Double => new(type, System.BitConverter.DoubleToInt64Bits(value), name),
        ScalarKind.Float => new(type, System.BitConverter.DoubleToInt64Bits((float)value), name),
        ScalarKind.Boolean => new(type, value != 0 ? 1 : 0, name),
        ScalarKind.Int32 => new(type, unchecked((int)value), name),
        _ => new(type, (long)value, name),
    };

    /// <summary>An integer (or bool) constant held exactly, whatever its magnitude.</summary>
    public static IrConstant OfInteger(IrType type, long value, string? name = null) =>
        type.IsReal ? Of(type, value, name) : new(type, type.Scalar == ScalarKind.Int32 ? unchecked((int)value) : type.Scalar == ScalarKind.Boolean ? (value != 0 ? 1 : 0) : value, name);

    public static IrConstant Bool(bool value) => new(IrType.Boolean, value ? 1 : 0, null);

    /// <summary>The <c>int</c> constant <paramref name="value"/>.</summary>
    public static IrConstant Int(int value) => new(IrType.Int32, value, null);

    /// <summary>The numeric value (a bool's 0 or 1); a <c>long</c> beyond 2^53 is rounded, <see cref="Integer"/> is exact.</summary>
    public double Value => Type.IsReal ? System.BitConverter.Int64BitsToDouble(Bits) : Bits;

    /// <summary>An integer's or bool's exact value (0 for reals).</summary>
    public long Integer => Type.IsReal ? 0 : Bits;

    /// <summary>An integer constant equal to <paramref name="value"/> (an index <c>0</c>, a step <c>1</c>).</summary>
    public bool IsInteger(long value) => !Type.IsReal && Type.Scalar != ScalarKind.Boolean && Bits == value;

    /// <summary>A bool constant's value, or null for a number.</summary>
    public bool? Truth => Type.Scalar == ScalarKind.Boolean ? Bits != 0 : null;
}

/// <summary>The current value of a variable (parameter, local or synthetic).</summary>
internal sealed record IrRead(IrType Type, int Variable) : IrExpression(Type);

/// <summary><c>buffer[index]</c>; for a jagged array the index is an <see cref="IrRowIndex"/> (<c>w[row][column]</c>).</summary>
internal sealed record IrElement(IrType Type, int Buffer, IrExpression Index) : IrExpression(Type)
{
    public override IEnumerable<IrExpression> Children => new[] { Index };
}

/// <summary>
/// <c>buffer.Slice(start, length)</c> (also <c>AsSpan</c> and ranges): a view of part of a buffer, passed as an input
/// of a <c>[Differentiable]</c> callee. Its gradient is the same view of the buffer's gradient; a
/// <paramref name="Detached"/> view (<c>Ad.StopGradient(w)</c>) has none: no derivative flows through it, and its
/// elements are read under <c>Ad.StopGradient</c>.
/// </summary>
internal sealed record IrSlice(IrType Type, IrRead Buffer, IrExpression Start, IrExpression Length, bool Detached = false) : IrExpression(Type)
{
    public override IEnumerable<IrExpression> Children => new IrExpression[] { Buffer, Start, Length };

    /// <summary>The buffer a callee's buffer argument reads or writes: the buffer itself, or the one under the slice.</summary>
    public static int BufferOf(IrExpression argument) => argument is IrSlice slice ? slice.Buffer.Variable : ((IrRead)argument).Variable;
}

/// <summary>
/// The position of an element of a jagged array (<c>w[row][column]</c>): the index of an <see cref="IrElement"/> whose
/// buffer is one (<see cref="IrVariable.Jagged"/>). A pass that does arithmetic on indices sees a node it does not know
/// and stays on the safe side; every walk sees both operands.
/// </summary>
internal sealed record IrRowIndex(IrExpression Row, IrExpression Column) : IrExpression(IrType.Int32)
{
    public override IEnumerable<IrExpression> Children => new[] { Row, Column };
}

/// <summary>
/// <c>buffer.Length</c>, or with a <paramref name="Dimension"/> <c>buffer.GetLength(dimension)</c> of a two-dimensional
/// array, or with a <paramref name="Row"/> the length of that row of a jagged array (<c>w[row].Length</c>).
/// </summary>
internal sealed record IrLength(int Buffer, int Dimension = -1, IrExpression? Row = null) : IrExpression(IrType.Int32)
{
    public override IEnumerable<IrExpression> Children => Row is null ? System.Array.Empty<IrExpression>() : new[] { Row };
}

/// <summary>A value the method reads but never differentiates (a field, a property of a constant), spelled as C#.</summary>
/// <param name="Public">The member is public, in public types (<see cref="Helpers.SymbolFacts.IsPublicEverywhere"/>): an inlined callee's read of it moves into any method.</param>
internal sealed record IrExternal(IrType Type, string Text, bool Public = false) : IrExpression(Type);

internal enum UnaryOperator
{
    Negate,
    Not,
}

internal sealed record IrUnary(IrType Type, UnaryOperator Operator, IrExpression Operand) : IrExpression(Type)
{
    public override IEnumerable<IrExpression> Children => new[] { Operand };
}

internal enum BinaryOperator
{
    Add,
    Subtract,
    Multiply,
    Divide,
    Remainder,
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
    Equal,
    NotEqual,
    And,
    Or,
}

internal sealed record IrBinary(IrType Type, BinaryOperator Operator, IrExpression Left, IrExpression Right) : IrExpression(Type)
{
    public override IEnumerable<IrExpression> Children => new[] { Left, Right };
}

/// <summary>A numeric conversion (<c>(float)x</c>, <c>(double)i</c>, <c>(int)x</c>).</summary>
internal sealed record IrConvert(IrType Type, IrExpression Operand) : IrExpression(Type)
{
    public override IEnumerable<IrExpression> Children => new[] { Operand };
}

/// <summary>A call of a known math function (one entry of the rules table), e.g. <c>Math.Tanh</c>.</summary>
internal sealed record IrMathCall(IrType Type, string Function, EquatableArray<IrExpression> Arguments) : IrExpression(Type)
{
    public override IEnumerable<IrExpression> Children => Arguments;
}

/// <summary><c>condition ? whenTrue : whenFalse</c>.</summary>
internal sealed record IrConditional(IrType Type, IrExpression Condition, IrExpression WhenTrue, IrExpression WhenFalse) : IrExpression(Type)
{
    public override IEnumerable<IrExpression> Children => new[] { Condition, WhenTrue, WhenFalse };
}

/// <summary>A call of another <c>[Differentiable]</c> method; the chain rule goes through its emitted pullback.</summary>
internal sealed record IrDifferentiableCall(IrType Type, CalleeInfo Callee, EquatableArray<IrExpression> Arguments) : IrExpression(Type)
{
    public override IEnumerable<IrExpression> Children => Arguments;
}

/// <summary>What a caller needs to know of a <c>[Differentiable]</c> callee: its names and which parameters are active.</summary>
/// <param name="Target">The C# spelling of the receiver: <c>global::Ns.Type</c>, or empty for an instance call on <c>this</c>.</param>
/// <param name="OutputParameters">For a layer (a void method), the span parameters it writes.</param>
/// <param name="ThisGradientPath">
/// For a callee that takes <c>dThis</c>: the path from the caller's <c>dThis</c> to the callee's (empty for a method of
/// <c>this</c>, <c>.Fc1</c> for a sub-module); null when the callee takes none.
/// </param>
/// <param name="CustomRule">
/// The callee has a <c>[DerivativeOf]</c> rule: <paramref name="PullbackName"/> is the rule's qualified name, called with the
/// arguments, the result, its adjoint and the gradients; the callee itself is only run.
/// </param>
/// <param name="HasTangent">
/// The callee has forward mode of its own (<c>Forward = true</c>, no <c>dThis</c>, or a <c>[DerivativeOf]</c> tangent
/// rule): a caller's <c>MTangent</c> calls its <c>MTangent</c> (or <paramref name="TangentRule"/>); forward mode inlines
/// any other callee (<c>Pipeline/CalleeBodies</c>).
/// </param>
/// <param name="TangentRule">
/// With <paramref name="CustomRule"/>: the qualified name of the callee's tangent rule, called like an <c>MTangent</c>
/// (arguments, their tangents, <c>out</c> the result's tangent; returns the value); null when it has none.
/// </param>
/// <param name="HasEffects">
/// The callee runs calls for their side effects (<see cref="KeptKind.Effect"/>), itself or through its callees: a caller
/// runs it split on its own tape, never through its pullback, so that a restart of the caller's forward sweep does not run
/// them again (see <see cref="IrWalker.RunsEffects"/>).
/// </param>
/// <param name="ElementAccess">
/// For a call on an element of an array or list of sub-modules (<c>Layers[i].Forward(h, y)</c>): what follows the index,
/// <c>]</c> (or <c>]!</c> for elements of a nullable type). <paramref name="Target"/> is then the collection
/// (<c>this.Layers</c>), <paramref name="ThisGradientPath"/> its path in <c>dThis</c> (<c>.Layers</c>), and the last
/// argument the element's index: an inactive <c>int</c> that analyses see as any argument (so the reverse sweep finds it
/// restored), never passed to the callee. Empty for any other call.
/// </param>
/// <param name="GenericName">A generic callee's own name (<c>TemplatedFn</c>), called with <paramref name="TypeArguments"/>
/// (<c>double</c>, <c>float</c>); <paramref name="Name"/> is then its specialization's (see <c>GenericSpecialization</c>).</param>
/// <param name="IsStatic">A static callee: <paramref name="Target"/> is its type, which names it from anywhere it is visible.</param>
/// <param name="Public">The callee (or its tangent rule, when it has one) is public in public types: visible from any method.</param>
/// <param name="ClearedOutputs">With <paramref name="CustomRule"/> on a layer: the outputs whose adjoints the rule only reads
/// (<c>ReadOnlySpan&lt;T&gt;</c>: its original overwrote every entry), which the caller clears after the rule; an output
/// adjoint taken as <c>Span&lt;T&gt;</c> the rule consumes itself.</param>
/// <param name="Variant">What the names of the callee's derivatives add to its name: <c>Frozen</c> for a call on a frozen
/// sub-module (<c>ForwardFrozenReverse</c>, see <c>MethodLowerer.Frozen.cs</c>), else empty.</param>
internal sealed record CalleeInfo(string Target, string Name, string PullbackName, EquatableArray<bool> ActiveParameters, EquatableArray<bool> OutputParameters, EquatableArray<string> ParameterNames, string? ThisGradientPath = null, bool ThisByRef = false, bool CustomRule = false, bool HasTangent = false, bool HasEffects = false, string? TangentRule = null, string ElementAccess = "", string? GenericName = null, EquatableArray<string> TypeArguments = default, string Variant = "", bool IsStatic = false, bool Public = false, bool Singular = false, EquatableArray<bool> ClearedOutputs = default)
{
    /// <summary>How generated code calls the original: its name, or a generic method's name with its type arguments (<c>F&lt;double&gt;</c>).</summary>
    public string CallName => GenericName is null ? Helpers.Identifiers.Escape(Name) : Helpers.Identifiers.Escape(GenericName) + "<" + string.Join(", ", TypeArguments) + ">";

    /// <summary>Whether the receiver is an element of a collection of sub-modules, indexed by the last argument.</summary>
    public bool IndexedReceiver => ElementAccess.Length > 0;

    /// <summary>The callee's own arguments: all of <paramref name="arguments"/> but the receiver's index.</summary>
    public IEnumerable<T> Own<T>(IReadOnlyList<T> arguments) => IndexedReceiver ? arguments.Take(arguments.Count - 1) : arguments;

    /// <summary>The split forward sweep: runs the callee, leaving what its reverse sweep reads on the caller's tape.</summary>
    public string ForwardName => MethodShape.ForwardNameOf(Name + Variant);

    /// <summary>The split reverse sweep: consumes what <see cref="ForwardName"/> left and accumulates the gradients.</summary>
    public string ReverseName => MethodShape.ReverseNameOf(Name + Variant);
}

/// <summary>
/// An expression on data that the IR does not model (<c>labels.Count</c>, <c>ys.Average()</c>, <c>mode == Mode.Fast</c>,
/// <c>grid.GetLength(0)</c>), kept as the user wrote it with the method's variables re-spelled. It never carries a
/// derivative; <paramref name="Operands"/> are the IR variables it reads, so that the support gate can reject it where
/// one of them does (BPG010) and what-to-record sees the reads.
/// </summary>
/// <param name="Advice">What BPG010 tells the user to do if a derivative would flow through it.</param>
/// <param name="Construct">For an expression that is not a call (a conversion to <c>uint</c>), what it is in the user's words:
/// on a derivative path it is then an unsupported expression (BPG014), not an unknown call (BPG010).</param>
/// <param name="IsPrimary">Its text is a primary expression (a name, a literal, a member or element access, a call): printed
/// without parentheses around it.</param>
internal sealed record IrVerbatim(IrType Type, string Text, string DisplayName, string Advice, EquatableArray<IrExpression> Operands, string? Construct = null, bool IsPrimary = false) : IrExpression(Type)
{
    public override IEnumerable<IrExpression> Children => Operands;
}

/// <summary><c>stackalloc T[length]</c> or <c>new T[length]</c>: the initializer of a local buffer.</summary>
/// <param name="SpillsToHeap">
/// For a buffer the generator allocates itself (the copy of a buffer parameter the method writes), whose length the user
/// does not see: on the stack up to <see cref="StackLimit"/> elements, on the heap beyond (a stackalloc of a large array
/// would overflow the stack).
/// </param>
internal sealed record IrNewBuffer(IrType Type, IrExpression Length, bool OnStack, bool SpillsToHeap = false) : IrExpression(Type)
{
    /// <summary>The most elements a buffer that <see cref="SpillsToHeap"/> takes on the stack (8 KiB of doubles).</summary>
    public const int StackLimit = 1024;

    public override IEnumerable<IrExpression> Children => new[] { Length };

    /// <summary>Whether it is always on the stack (the user's stackalloc), so that its gradient buffer may be too.</summary>
    public bool AlwaysOnStack => OnStack && !SpillsToHeap;
}

/// <summary>
/// A call of a static method without a derivative rule (<c>Math.BitIncrement</c>, a helper not marked
/// <c>[Differentiable]</c>). Allowed only where no argument depends on differentiated values.
/// </summary>
/// <param name="Advice">What BPG010 tells the user to do if a derivative would flow through it.</param>
/// <param name="Public">The method is public, in public types: an inlined callee's call of it moves into any method.</param>
internal sealed record IrOpaqueCall(IrType Type, string Method, string DisplayName, string Advice, EquatableArray<IrExpression> Arguments, bool Public = false) : IrExpression(Type)
{
    /// <summary><c>Backprop.Ad.StopGradient</c>: an opaque call through which no derivative flows, on purpose.</summary>
    public const string StopGradient = "global::Backprop.Ad.StopGradient";

    /// <summary><c>Ad.StopGradient(value)</c> of a scalar.</summary>
    public static IrOpaqueCall StopGradientOf(IrExpression value) =>
        new(value.Type, StopGradient, "Ad.StopGradient", "", new EquatableArray<IrExpression>(new[] { value }), Public: true);

    public override IEnumerable<IrExpression> Children => Arguments;
}
