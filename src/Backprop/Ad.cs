using System;

namespace Backprop;

/// <summary>Operations that shape differentiation inside a <see cref="DifferentiableAttribute"/> method.</summary>
public static class Ad
{
    /// <summary>
    /// Returns <paramref name="value"/> unchanged, with no derivative: inside a <c>[Differentiable]</c> method the
    /// generated gradient treats the result as a constant (Swift's <c>withoutDerivative(at:)</c>, PyTorch's
    /// <c>detach()</c>, JAX's <c>stop_gradient</c>).
    /// </summary>
    public static double StopGradient(double value) => value;

    /// <inheritdoc cref="StopGradient(double)"/>
    public static float StopGradient(float value) => value;

    /// <summary>
    /// Returns <paramref name="values"/> unchanged, with no derivative: inside a <c>[Differentiable]</c> method the
    /// generated gradient treats its entries as constants (the span form of <see cref="StopGradient(double)"/>).
    /// </summary>
    public static ReadOnlySpan<double> StopGradient(ReadOnlySpan<double> values) => values;

    /// <inheritdoc cref="StopGradient(ReadOnlySpan{double})"/>
    public static ReadOnlySpan<float> StopGradient(ReadOnlySpan<float> values) => values;
}
