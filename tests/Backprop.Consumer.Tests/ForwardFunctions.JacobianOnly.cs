using System;
using Backprop;

namespace Backprop.Consumer.Tests;

/// <summary>
/// Layers with <c>Jacobian = true</c> alone: no public <c>MTangent</c>, yet <c>MJacobian</c> picks forward sweeps (through
/// a private tangent) when there are fewer input entries than output entries, and reverse sweeps otherwise; a layer
/// forward mode cannot follow keeps its reverse sweeps, with no diagnostic.
/// </summary>
public static partial class ForwardFunctions
{
    /// <summary>A tall Jacobian (2 inputs, 20 outputs), through an unmarked helper and a callee with forward mode of its own.</summary>
    [Differentiable(Jacobian = true)]
    public static void TallJacobianOnly(double a, double b, Span<double> y)
    {
        Span<double> h = stackalloc double[y.Length];
        for (int i = 0; i < h.Length; i++) h[i] = Blend(a * i * 0.1, b) + Math.Cos(b * i);
        Square(h, y);
    }

    /// <summary>A wide Jacobian (9 inputs, 2 outputs): reverse sweeps.</summary>
    [Differentiable(Jacobian = true)]
    public static void WideJacobianOnly(ReadOnlySpan<double> w, double s, Span<double> y)
    {
        double sum = 0;
        for (int i = 0; i < w.Length; i++) sum += Math.Tanh(w[i] * s + i);
        y[0] = sum * s;
        y[1] = Math.Exp(-sum * sum) + w[0] * w[w.Length - 1];
    }

    /// <summary>A tall layer calling a custom rule, which forward mode cannot follow: reverse sweeps, and no error.</summary>
    [Differentiable(Jacobian = true)]
    public static void TallThroughCustomRule(double a, double b, Span<double> y)
    {
        for (int i = 0; i < y.Length; i++) y[i] = Softplus(a * i - b) * b;
    }
}
