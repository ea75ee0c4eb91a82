using System;
using Backprop;

namespace Backprop.Consumer.Tests;

/// <summary>
/// Forward mode through calls of methods without forward mode of their own: unmarked helpers and <c>[Differentiable]</c>
/// methods without <c>Forward = true</c>, inlined into <c>MTangent</c> (and <c>MJacobian</c>'s forward sweeps).
/// </summary>
public static partial class ForwardFunctions
{
    private static double Bump(double a) => a * a * Math.Exp(-a);

    /// <summary>A helper calling helpers, one with an early return.</summary>
    private static double Blend(double a, double b)
    {
        if (a > 1.2) return Bump(b) * a;
        double c = Bump(a) + Math.Sin(b);
        return c * Bump(c - b);
    }

    [Differentiable]
    public static double Marked(double a, double b) => Math.Log(1 + a * a) * b;

    /// <summary>Scalar helpers: unmarked, helper of helper, and a marked callee without forward mode.</summary>
    [Differentiable(Forward = true, Jacobian = true)]
    public static double ScalarHelpers(double x, double y) => Blend(x, y) - Marked(y, x) * Bump(x * y);

    private static double WeightedSquares(ReadOnlySpan<double> v, double scale)
    {
        double s = 0;
        for (int i = 0; i < v.Length; i++) s += scale * v[i] * v[i];
        return s;
    }

    private static double Dot(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++) s += a[i] * b[i];
        return s;
    }

    /// <summary>Span helpers, on whole spans and slices.</summary>
    [Differentiable(Forward = true, Jacobian = true)]
    public static double SpanHelpers(ReadOnlySpan<double> w, double b, [NoDerivative] ReadOnlySpan<double> x) =>
        Math.Tanh(Dot(w, x) + b) + WeightedSquares(w.Slice(1), b) * Dot(w.Slice(0, 2), w.Slice(2, 2));

    /// <summary>Helpers called in a loop and in both arms of a branch, and in a loop condition.</summary>
    [Differentiable(Forward = true, Jacobian = true)]
    public static double HelpersInLoopsAndBranches(ReadOnlySpan<double> w, double s)
    {
        double total = 0;
        for (int i = 0; i < w.Length; i++)
        {
            if (w[i] > 0) total += Blend(w[i], s);
            else total -= Bump(w[i] * s) * Marked(s, w[i]);
        }
        int k = 0;
        while (Bump(total) > 0.5 && k < 3)
        {
            total *= 0.5;
            k++;
        }
        return total;
    }

    private static void Affine(ReadOnlySpan<double> x, ReadOnlySpan<double> w, ReadOnlySpan<double> b, Span<double> y)
    {
        for (int o = 0; o < y.Length; o++)
        {
            double s = b[o];
            for (int i = 0; i < x.Length; i++) s += w[o * x.Length + i] * x[i];
            y[o] = s;
        }
    }

    private static void Activate(ReadOnlySpan<double> h, Span<double> y)
    {
        for (int i = 0; i < y.Length; i++) y[i] = Bump(h[i]) + Math.Tanh(h[i]);
    }

    /// <summary>Unmarked layers writing a local buffer, then the layer's output.</summary>
    [Differentiable(Forward = true, Jacobian = true)]
    public static void LayersThroughHelpers(ReadOnlySpan<double> x, ReadOnlySpan<double> w, ReadOnlySpan<double> b, Span<double> y)
    {
        Span<double> h = stackalloc double[2];
        Affine(x, w, b, h);
        Activate(h, y);
    }

    /// <summary>
    /// A tall Jacobian (2 inputs, 6 outputs): MJacobian takes forward sweeps, through an unmarked helper and a callee with
    /// forward mode of its own (Square, called through its tangent).
    /// </summary>
    [Differentiable(Forward = true, Jacobian = true)]
    public static void Curve(double a, double b, Span<double> y)
    {
        Span<double> h = stackalloc double[6];
        for (int i = 0; i < h.Length; i++) h[i] = Blend(a * i * 0.3, b);
        Square(h, y);
    }
}
