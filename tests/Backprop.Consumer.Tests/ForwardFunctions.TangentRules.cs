using System;
using Backprop;

namespace Backprop.Consumer.Tests;

/// <summary>
/// Custom derivatives with tangent rules: forward mode (<c>MTangent</c>, and a tall layer's Jacobian through its forward
/// sweeps) calls the tangent rule, reverse mode the reverse rule; for a function of the test's own and for a BCL method
/// without a built-in rule (<c>double.Hypot</c>).
/// </summary>
public static partial class ForwardFunctions
{
    /// <summary>A function treated as a black box: its rules are the only derivative the generator sees.</summary>
    public static double Smoothstep(double x) => x * x * (3 - 2 * x);

    [DerivativeOf(typeof(ForwardFunctions), nameof(Smoothstep))]
    internal static void SmoothstepReverse(double x, double result, double dResult, ref double dX) => dX += dResult * 6 * x * (1 - x);

    [DerivativeOf(typeof(ForwardFunctions), nameof(Smoothstep))]
    internal static double SmoothstepTangent(double x, double tX, out double tResult)
    {
        tResult = 6 * x * (1 - x) * tX;
        return Smoothstep(x);
    }

    [DerivativeOf(typeof(double), nameof(double.Hypot))]
    internal static void HypotReverse(double x, double y, double result, double dResult, ref double dX, ref double dY)
    {
        dX += dResult * x / result;
        dY += dResult * y / result;
    }

    [DerivativeOf(typeof(double), nameof(double.Hypot))]
    internal static double HypotTangent(double x, double y, double tX, double tY, out double tResult)
    {
        double h = double.Hypot(x, y);
        tResult = (x * tX + y * tY) / h;
        return h;
    }

    /// <summary>A weighted norm over a span, with a [NoDerivative] scale: its tangent rule takes the span's tangent.</summary>
    public static double WeightedNorm(ReadOnlySpan<double> w, [NoDerivative] double scale)
    {
        double s = 0;
        for (int i = 0; i < w.Length; i++) s += w[i] * w[i] * (i + scale);
        return Math.Sqrt(s);
    }

    [DerivativeOf(typeof(ForwardFunctions), nameof(WeightedNorm))]
    internal static void WeightedNormReverse(ReadOnlySpan<double> w, double scale, double result, double dResult, Span<double> dW)
    {
        if (dW.IsEmpty) return;
        for (int i = 0; i < w.Length; i++) dW[i] += dResult * w[i] * (i + scale) / result;
    }

    [DerivativeOf(typeof(ForwardFunctions), nameof(WeightedNorm))]
    internal static double WeightedNormTangent(ReadOnlySpan<double> w, double scale, ReadOnlySpan<double> tW, out double tResult)
    {
        double norm = WeightedNorm(w, scale), dot = 0;
        for (int i = 0; i < w.Length; i++) dot += w[i] * (i + scale) * tW[i];
        tResult = dot / norm;
        return norm;
    }

    [Differentiable(Forward = true, Jacobian = true)]
    public static double ThroughTangentRules(double x, double y) => Smoothstep(x * y) * double.Hypot(x, y - 0.5) + Smoothstep(y);

    [Differentiable(Forward = true, Jacobian = true)]
    public static double SpanThroughTangentRule(ReadOnlySpan<double> w, double s) => WeightedNorm(w, 0.5) * s + Smoothstep(w[0] * s);

    /// <summary>A tall layer through tangent rules: its Jacobian's forward sweeps call them (one sweep per column).</summary>
    [Differentiable(Jacobian = true)]
    public static void TallThroughTangentRules(double a, double b, Span<double> y)
    {
        for (int i = 0; i < y.Length; i++) y[i] = Smoothstep(a * i * 0.2 - b) + double.Hypot(a, b * i);
    }
}
