namespace Backprop.Generator.CodeFixes;

/// <summary>
/// The diagnostics that have a code fix, by ID (their descriptors are in the generator's
/// <c>Diagnostics/DiagnosticDescriptors.cs</c>; this assembly does not reference the generator, so that the compiler
/// and the IDE each load only what they use).
/// </summary>
internal static class DiagnosticIds
{
    /// <summary>A type that encloses a <c>[Differentiable]</c> method is not <c>partial</c>.</summary>
    public const string TypeNotPartial = "BPG001";

    /// <summary>The result does not depend on a differentiated parameter.</summary>
    public const string ZeroDerivative = "BPG016";

    /// <summary>A differentiated value is passed to a <c>[NoDerivative]</c> parameter.</summary>
    public const string NonDifferentiableArgument = "BPG030";

    /// <summary>A parameter holds floating-point values its type cannot carry a gradient for.</summary>
    public const string UndifferentiableParameterType = "BPG034";
}
