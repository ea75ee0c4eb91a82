using System;
using Backprop;

namespace Backprop.Consumer.Tests;

/// <summary>
/// Tall layers whose Jacobians take vector-mode forward sweeps (<c>MJacobianLanes</c>: <c>Vector&lt;T&gt;.Count</c>
/// columns per sweep): column counts below, at and across the lane count, scalar and span inputs, local buffers, branches,
/// loops and inlined calls; and one that vector mode does not carry (a conversion between floating types), which keeps
/// one forward sweep per column.
/// </summary>
public static partial class ForwardFunctions
{
    /// <summary>w[9], s → y[12] (10 columns: two full vector sweeps of doubles and a partial one); y[11] is not written.</summary>
    [Differentiable(Jacobian = true)]
    public static void VectorTall(ReadOnlySpan<double> w, double s, Span<double> y)
    {
        Span<double> h = stackalloc double[w.Length];
        for (int i = 0; i < w.Length; i++) h[i] = w[i] > 0 ? Math.Tanh(w[i] * s) : w[i] * w[i] - s;
        double total = 0;
        for (int i = 0; i < h.Length; i++) total += h[i] * (i + 1);
        for (int k = 0; k < y.Length - 1; k++)
        {
            double u = Blend(h[k % h.Length], total * 0.1) + Math.Exp(-s * k * 0.1);
            if (k % 3 == 0) u = u * u;
            y[k] = u / (1 + s * s);
        }
    }

    /// <summary>Four scalars → y[8]: exactly one vector sweep of doubles (where a vector holds four).</summary>
    [Differentiable(Jacobian = true)]
    public static void VectorFourScalars(double a, double b, double c, double d, Span<double> y)
    {
        for (int i = 0; i < y.Length; i++) y[i] = Math.Sin(a * i + b) * c - Math.Sqrt(1 + d * d * i);
    }

    /// <summary>w[9], s → y[12] in float: 10 columns, two vector sweeps of floats (eight lanes each).</summary>
    [Differentiable(Jacobian = true)]
    public static void VectorTallFloat(ReadOnlySpan<float> w, float s, Span<float> y)
    {
        for (int k = 0; k < y.Length; k++)
        {
            float u = 0;
            for (int i = 0; i < w.Length; i++) u += MathF.Sin(w[i] * (k + 1) * 0.3f) * s;
            y[k] = u + (k < w.Length ? w[k] * w[k] : s);
        }
    }

    /// <summary>A tall layer converting float to double: vector mode does not carry it; one forward sweep per column.</summary>
    [Differentiable(Jacobian = true)]
    public static void TallWithConversion(float a, double b, Span<double> y)
    {
        for (int i = 0; i < y.Length; i++) y[i] = (double)(a * a) * Math.Cos(b * i);
    }
}
