using System;
using Backprop;
using Xunit;

namespace Backprop.Consumer.Tests;

/// <summary>A newcomer's utility class, not partial: its helpers are inlined where a differentiated method calls them.</summary>
public static class PlainMathUtil
{
    public static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));

    public static double Softplus(double x)
    {
        double e = Math.Exp(x);
        return Math.Log(1 + e);
    }

    public static double Both(double x, double y) => Sigmoid(x) * Softplus(y);

    public static double Norm(ReadOnlySpan<double> v)
    {
        double s = 0;
        for (int i = 0; i < v.Length; i++) s += v[i] * v[i];
        return Math.Sqrt(s);
    }

    private static readonly double Secret = 2;

    /// <summary>Reads a private field the generated code cannot name: it runs as written (given data only).</summary>
    public static double UsesSecret(double x) => x * Secret;
}

public static partial class NonPartialHelperFunctions
{
    [Differentiable]
    public static double F(double x, double y) => PlainMathUtil.Both(x, y) + PlainMathUtil.Sigmoid(x * y);

    [Differentiable]
    public static double G(double[] w, [NoDerivative] double d) => PlainMathUtil.Norm(w) * PlainMathUtil.UsesSecret(d);

    /// <summary>A block-bodied helper inside ?: given data only stays a call (its statements cannot run first there).</summary>
    [Differentiable]
    public static double H(double x, [NoDerivative] double d) => d > 0 ? x * PlainMathUtil.Softplus(d) : x;
}

public sealed class NonPartialHelperTests
{
    [Fact]
    public void HelpersOfATypeThatIsNotPartial_AreDifferentiated()
    {
        NonPartialHelperFunctions.FGradient(0.3, -0.7, out double dX, out double dY);
        var result = GradientCheck.Check(p => NonPartialHelperFunctions.F(p[0], p[1]), new[] { 0.3, -0.7 }, new[] { dX, dY });
        Assert.True(result.Passed, result.ToString());

        double[] w = { 0.6, -0.8 };
        var dW = new double[2];
        Assert.Equal(NonPartialHelperFunctions.G(w, 1.5), NonPartialHelperFunctions.GGradient(w, 1.5, dW));
        Assert.Equal(new[] { 0.6 * 3, -0.8 * 3 }, dW, (a, b) => Math.Abs(a - b) < 1e-12);

        NonPartialHelperFunctions.HGradient(0.3, 0.7, out double dH);
        Assert.Equal(PlainMathUtil.Softplus(0.7), dH, 12);
    }
}
