using Backprop.Generator.Helpers;

namespace Backprop.Generator.Ir;

internal enum VariableKind
{
    Parameter,
    Local,
    /// <summary>A variable the lowering or normalization introduced (the result, exit flags).</summary>
    Synthetic,
    /// <summary>
    /// A buffer the method reads from a static or <c>this</c> field or property (a table of coefficients): its name is
    /// the C# spelling of that member, so it is never declared, handed over, written or differentiated.
    /// </summary>
    External,
    /// <summary>
    /// An instance field or auto-property of <c>this</c> that the method differentiates (a model's weight): read as
    /// <c>this.Member</c>, never written, its gradient accumulated into the same member of <c>dThis</c>.
    /// </summary>
    Member,
    /// <summary>
    /// A local of a type the IR does not model (a string, a list, an enum): declared, assigned and read only by code
    /// kept as written (<see cref="IrKept"/>, <see cref="IrVerbatim"/>), where it was declared; never differentiated.
    /// Its <see cref="IrVariable.Type"/> is a placeholder.
    /// </summary>
    Data,
}

/// <summary>A variable of the method; <paramref name="Name"/> is unique within the method.</summary>
/// <param name="DeclaredType">The C# spelling of the declared type (parameters may have types the IR does not model).</param>
/// <param name="Member">For <see cref="VariableKind.Member"/>: the member's C# path (the variable is <c>this.Member</c>, or <c>Owner.Member</c>).</param>
/// <param name="Owner">For a field of a struct parameter: the parameter's name (its gradient is the same field of the parameter's gradient); empty for <c>this</c>.</param>
/// <param name="View">For an array or span of structs (<c>Vec2[] pts</c>): the struct's type; the IR sees the flat view of its numbers, <c>ptsFlat</c>.</param>
/// <param name="Rank">
/// 2 for a two-dimensional array (<c>double[,] w</c>, a parameter or a member): the IR sees the flat view of its
/// elements row by row, <c>wFlat</c>, and reads <c>w[i, j]</c> as <c>wFlat[i * w.GetLength(1) + j]</c>.
/// </param>
/// <param name="Public">For <see cref="VariableKind.External"/>: a static member, public in public types, which any method can name.</param>
/// <param name="Jagged">
/// An array of arrays (<c>double[][] w</c>, a member of <c>this</c>): its elements are indexed by an
/// <see cref="IrRowIndex"/>, its gradient is an array of arrays of the same lengths.
/// </param>
internal sealed record IrVariable(int Id, string Name, IrType Type, VariableKind Kind, bool NoDerivative, string DeclaredType, string Member = "", string Owner = "", string View = "", int Rank = 1, bool Jagged = false, bool Public = false)
{
    /// <summary>Parameters that get a gradient: real scalars and buffers not marked <c>[NoDerivative]</c>.</summary>
    public bool IsDifferentiableParameter => Kind == VariableKind.Parameter && Type.IsReal && !NoDerivative;

    /// <summary>Parameters and members of <c>this</c> that get a gradient.</summary>
    public bool IsDifferentiableInput => (Kind == VariableKind.Parameter || Kind == VariableKind.Member) && Type.IsReal && !NoDerivative;

    /// <summary>How the variable is written in C#: its name, <c>this.Member</c>, or the name of its flat view.</summary>
    public string Spelling => HasFlatView ? FlatName(Name) : Kind == VariableKind.Member ? Path : Name;

    /// <summary>A member's C# path (<c>this.Member</c>, <c>p.X</c>); the variable's name otherwise.</summary>
    public string Path => Kind == VariableKind.Member ? (Owner.Length == 0 ? "this." : Owner + ".") + Member : Name;

    /// <summary>Whether the IR sees the buffer through a flat view of its numbers: an array or span of structs, or a two-dimensional array.</summary>
    public bool HasFlatView => View.Length > 0 || Rank > 1;

    /// <summary>A two-dimensional array: its gradient is an array of the same dimensions.</summary>
    public bool IsMatrix => Rank > 1;

    /// <summary>The flat view of an array or span of structs: its numbers in memory order.</summary>
    public static string FlatName(string name) => name + "Flat";

    /// <summary>
    /// The flat view of the numbers of <paramref name="buffer"/>: for an array or span of structs a span of <see cref="View"/>,
    /// for a two-dimensional array the array.
    /// </summary>
    public string FlatViewOf(string buffer) => IsMatrix
        ? "global::Backprop.CompilerServices.ArrayViews.Flat(" + buffer + ")"
        : "global::System.Runtime.InteropServices.MemoryMarshal.Cast<" + View + ", " + Type.ScalarKeyword + ">(" + buffer + ")";

    /// <summary>The declaration of the variable's own flat view (<c>ptsFlat</c>, <c>wFlat</c>), read-only.</summary>
    public string FlatViewDeclaration =>
        "global::System.ReadOnlySpan<" + Type.ScalarKeyword + "> " + Spelling + " = " + FlatViewOf(IsMatrix ? Path : "(global::System.ReadOnlySpan<" + View + ">)" + Name) + ";";

    /// <summary>For an array or span of structs: a span of its numbers seen as a span of <see cref="View"/>.</summary>
    public string StructViewOf(string span) =>
        "global::System.Runtime.InteropServices.MemoryMarshal.Cast<" + Type.ScalarKeyword + ", " + View + ">(" + span + ")";

    /// <summary>How many numbers the buffer holds: its length, or for an array or span of structs its flat view's.</summary>
    public string FlatLength => View.Length > 0 ? FlatViewOf("(global::System.ReadOnlySpan<" + View + ">)" + Name) + ".Length" : Path + ".Length";

    /// <summary>
    /// The type of a buffer's gradient argument: <c>Span&lt;T&gt;</c>, <c>Span&lt;S&gt;</c> for an array or span of structs,
    /// an array of the same dimensions for a two-dimensional array.
    /// </summary>
    public string GradientBufferKeyword => IsMatrix ? DeclaredType : View.Length > 0 ? "global::System.Span<" + View + ">" : Type.GradientSpanKeyword;

    /// <summary>A field of a struct parameter (<c>p.X</c>), not a member of <c>this</c>.</summary>
    public bool IsParameterField => Kind == VariableKind.Member && Owner.Length > 0;
}

internal enum MemberCheckKind
{
    /// <summary>A sub-module: the member of <c>dThis</c> must not be null.</summary>
    Object,
    /// <summary>An array member: the member of <c>dThis</c> must be an array as long as the one of <c>this</c>.</summary>
    Array,
    /// <summary>A two-dimensional array member: the member of <c>dThis</c> must have the same dimensions.</summary>
    Matrix,
    /// <summary>An array of arrays: the member of <c>dThis</c> must have as many rows, each as long as the same row of <c>this</c>.</summary>
    Jagged,
    /// <summary>
    /// An array or list of sub-modules: the member of <c>dThis</c> must be as long as the one of <c>this</c>, and none of
    /// its elements null; checks whose path continues with <see cref="MemberCheck.EachElement"/> hold for every element.
    /// </summary>
    Elements,
}

/// <summary>
/// What the gradient checks of <c>dThis</c> before it writes anything: <paramref name="Path"/> is a dotted member path
/// (<c>Fc1.Weight</c>), where <c>[]</c> after a collection of sub-modules means each of its elements (<c>Layers[].Weight</c>).
/// </summary>
/// <param name="Count">For <see cref="MemberCheckKind.Elements"/>: how the collection counts its elements (<c>Length</c>, <c>Count</c>).</param>
/// <param name="NullableElements">For <see cref="MemberCheckKind.Elements"/>: its elements are declared nullable (<c>Linear?[]</c>), read with <c>!</c>.</param>
internal sealed record MemberCheck(string Path, MemberCheckKind Kind, string Count = "Length", bool NullableElements = false)
{
    /// <summary>The mark of "each element" in a path.</summary>
    public const string EachElement = "[]";
}

/// <summary>The declaration of the method and of the partial types around it, to emit the gradient beside it.</summary>
/// <param name="Variant">
/// What the names of a variant's split sweeps add to the method's (<c>Frozen</c> for the variant a call on a
/// <c>[NoDerivative]</c> sub-module runs: <c>ForwardFrozenForward</c>, see <c>MethodLowerer.Frozen.cs</c>); empty for the
/// method's own derivatives. A variant's gradient and pullback names are set in full.
/// </param>
internal sealed record MethodShape(
    string Namespace,
    EquatableArray<string> ContainingTypes,
    string Name,
    string GradientName,
    string PullbackName,
    string Accessibility,
    bool IsStatic,
    IrType ReturnType,
    string HintName,
    bool IsVoid = false,
    bool SkipsLocalsInit = false,
    bool EmitTangent = false,
    bool EmitJacobian = false,
    string ThisType = "",
    bool ThisIsStruct = false,
    EquatableArray<MemberCheck> ThisChecks = default,
    bool EmitHessian = false,
    string Variant = "")
{
    /// <summary>
    /// Whether the method differentiates members of <c>this</c> (its own, or through the methods it calls): then its
    /// gradient takes <c>dThis</c>, an instance of <see cref="ThisType"/> whose members are incremented.
    /// </summary>
    public bool HasThisGradient => ThisType.Length > 0;

    public string ForwardName => ForwardNameOf(Name + Variant);

    /// <summary>Forward mode's method (<c>[Differentiable(Forward = true)]</c>): value and directional derivative.</summary>
    public string TangentName => TangentNameOf(Name);

    public static string TangentNameOf(string method) => method + "Tangent";

    /// <summary><c>[Differentiable(Jacobian = true)]</c>: the value (or outputs) and the dense Jacobian.</summary>
    public string JacobianName => Name + "Jacobian";

    /// <summary>
    /// <c>Jacobian = true</c> on a layer without <c>Forward = true</c>: the private tangent its forward sweeps call (the
    /// public <c>MTangent</c> is only for <c>Forward = true</c>).
    /// </summary>
    public string JacobianTangentName => JacobianTangentNameOf(Name);

    public static string JacobianTangentNameOf(string method) => method + "JacobianTangent";

    /// <summary>The private vector-mode tangent of a layer's Jacobian: several columns per forward sweep.</summary>
    public string JacobianLanesName => JacobianLanesNameOf(Name);

    public static string JacobianLanesNameOf(string method) => method + "JacobianLanes";

    /// <summary>The private method that holds a layer Jacobian's forward sweeps.</summary>
    public string JacobianColumnsName => JacobianColumnsNameOf(Name);

    public static string JacobianColumnsNameOf(string method) => method + "JacobianColumns";

    public string ReverseName => ReverseNameOf(Name + Variant);

    /// <summary><c>[Differentiable(Hessian = true)]</c>: value, gradient and the Hessian–vector product.</summary>
    public string HessianVectorProductName => Name + "HessianVectorProduct";

    /// <summary><c>[Differentiable(Hessian = true)]</c>: value and the dense Hessian.</summary>
    public string HessianName => Name + "Hessian";

    /// <summary>The private directional derivative whose gradient is the Hessian–vector product (reverse over forward).</summary>
    public string DirectionalName => Name + "Directional";

    public static string ForwardNameOf(string method) => method + "Forward";

    public static string ReverseNameOf(string method) => method + "Reverse";
}

/// <summary>The lowered method: what the rest of the pipeline works on.</summary>
/// <param name="Outputs">For a layer (void method): the span parameters it writes, whose adjoints seed the reverse sweep.</param>
/// <param name="Usings">The <c>using</c> directives in force at the method, repeated in the generated file (expressions kept as written need them).</param>
/// <param name="Inlined">
/// For <c>Hessian = true</c> on a method that calls others: the same method with their bodies inlined (<c>Analysis/Inliner</c>),
/// which second derivatives and forward mode are built over; for <c>Forward = true</c> alone on a method that calls a callee
/// without forward mode of its own: the method with those callees inlined. Null otherwise.
/// </param>
/// <param name="Helpers">The unmarked methods it calls (transitively), differentiated for it: their derivatives are emitted once each.</param>
/// <param name="FullyInlined">
/// For a layer with <c>Jacobian = true</c> that calls other methods: the same method with every call inlined, which the
/// Jacobian's vector-mode forward sweeps are built over. Null when it calls none (the method itself serves) or when a
/// call cannot be inlined (no vector mode).
/// </param>
internal sealed record IrMethod(
    MethodShape Shape,
    EquatableArray<IrVariable> Variables,
    EquatableArray<int> Parameters,
    int Result,
    EquatableArray<IrStatement> Body,
    string SourceFile,
    EquatableArray<int> Outputs = default,
    EquatableArray<IrMethod> Helpers = default,
    EquatableArray<string> Usings = default,
    IrMethod? Inlined = null,
    IrMethod? FullyInlined = null);
