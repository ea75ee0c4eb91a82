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
}
