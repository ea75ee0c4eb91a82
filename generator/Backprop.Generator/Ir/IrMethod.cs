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
}

/// <summary>A variable of the method; <paramref name="Name"/> is unique within the method.</summary>
/// <param name="DeclaredType">The C# spelling of the declared type (parameters may have types the IR does not model).</param>
internal sealed record IrVariable(int Id, string Name, IrType Type, VariableKind Kind, bool NoDerivative, string DeclaredType)
{
    /// <summary>Parameters that get a gradient: real scalars and buffers not marked <c>[NoDerivative]</c>.</summary>
    public bool IsDifferentiableParameter => Kind == VariableKind.Parameter && Type.IsReal && !NoDerivative;
}

/// <summary>The declaration of the method and of the partial types around it, to emit the gradient beside it.</summary>
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
    bool SkipsLocalsInit = false)
{
    public string ForwardName => ForwardNameOf(Name);

    public string ReverseName => ReverseNameOf(Name);

    public static string ForwardNameOf(string method) => method + "Forward";

    public static string ReverseNameOf(string method) => method + "Reverse";
}

/// <summary>The lowered method: what the rest of the pipeline works on.</summary>
/// <param name="Outputs">For a layer (void method): the span parameters it writes, whose adjoints seed the reverse sweep.</param>
internal sealed record IrMethod(
    MethodShape Shape,
    EquatableArray<IrVariable> Variables,
    EquatableArray<int> Parameters,
    int Result,
    EquatableArray<IrStatement> Body,
    string SourceFile,
    EquatableArray<int> Outputs = default);
