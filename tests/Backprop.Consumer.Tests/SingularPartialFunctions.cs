using System;
using Backprop;

namespace Backprop.Consumer.Tests;

/// <summary>Operations whose partials are infinite or NaN where their value is finite (Pow at a base ≤ 0), in every mode.</summary>
public static partial class SingularPartialFunctions
{
    [Differentiable(Forward = true)]
    public static double Power(double x, double y) => Math.Pow(x, y);

    /// <summary>Taller than wide: its Jacobian takes forward sweeps (vector mode).</summary>
    [Differentiable(Jacobian = true)]
    public static void PowerTall(double x, double y, Span<double> o)
    {
        o[0] = Math.Pow(x, y);
        o[1] = x * y;
        o[2] = x + y;
    }

    /// <summary>Wider than tall: its Jacobian takes reverse sweeps.</summary>
    [Differentiable(Jacobian = true)]
    public static void PowerWide(double x, double y, Span<double> o) => o[0] = Math.Pow(x, y);

    [Differentiable(Jacobian = true)]
    public static void PowerTallF(float x, float y, Span<float> o)
    {
        o[0] = MathF.Pow(x, y);
        o[1] = x * y;
        o[2] = x + y;
    }

    [Differentiable(Jacobian = true)]
    public static void PowerWideF(float x, float y, Span<float> o) => o[0] = MathF.Pow(x, y);
}

public static partial class SingularPartialFunctions
{
    /// <summary>o[0] = √x + y is infinite in x at 0; a loss or a Jacobian row that reads only o[1] must not see it.</summary>
    [Differentiable(Jacobian = true)]
    public static void SqrtAndProduct(double x, double y, double z, Span<double> o)
    {
        o[0] = Math.Sqrt(x) + y;
        o[1] = x * y * z;
    }

    /// <summary>√x is infinite in x at 0; the Hessian's row along y, in which √x does not move, must not see it.</summary>
    [Differentiable(Hessian = true)]
    public static double SqrtPlusProduct(double x, double y) => Math.Sqrt(x + 0.0 * y) + x * y;

    [Differentiable]
    public static double SecondOutput(double x, double y, double z)
    {
        Span<double> o = stackalloc double[2];
        SqrtAndProduct(x, y, z, o);
        return o[1];
    }

    private static double Root(double x) => Math.Sqrt(x);

    /// <summary>The same through an unmarked helper, whose partial the reverse sweep takes eagerly (seed 1).</summary>
    [Differentiable]
    public static double SecondOutputOfHelper(double x, double y, double z)
    {
        Span<double> o = stackalloc double[2];
        o[0] = Root(x) + y;
        o[1] = x * y * z;
        return o[1];
    }
}
