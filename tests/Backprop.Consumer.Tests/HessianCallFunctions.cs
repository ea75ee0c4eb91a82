using System;
using Backprop;

namespace Backprop.Consumer.Tests;

/// <summary>
/// Objectives with second derivatives that call helpers (issue 13): the generator inlines the helpers' bodies before it
/// builds <c>MHessianVectorProduct</c> and <c>MHessian</c>. <see cref="HessianTests"/> checks them like the others.
/// </summary>
public static partial class HessianCallFunctions
{
    // ---------------------------------------------------------------- unmarked helpers

    private static double Pair(double a, double b) => a * Math.Sin(b) + b * b * a;

    private static double Inner(double u) => Math.Exp(0.5 * u) - u * u;

    /// <summary>Calls <see cref="Inner"/> twice, and assigns its parameter.</summary>
    private static double Outer(double u, double v)
    {
        double s = Inner(u * v);
        u = u + s;
        return s * s + Inner(v) * u;
    }

    /// <summary>An early return inside a branch.</summary>
    private static double Piecewise(double u, double c)
    {
        if (u > c)
        {
            double t = u - c;
            return t * t * t + u;
        }
        return Math.Sin(u) * c;
    }

    private static double Term(double w, double k) => Math.Log(1 + w * w * k) + Math.Tanh(w) / k;

    /// <summary>A helper over a window of a span, with an index from the end.</summary>
    private static double Window(ReadOnlySpan<double> v, double scale)
    {
        double s = 0;
        for (int k = 0; k < v.Length; k++) s += v[k] * v[^(k + 1)] * (k + scale);
        return Math.Sqrt(1 + s * s);
    }

    /// <summary>A layer: <c>y[i] = tanh(Σⱼ a[i·n + j]·x[j])</c>.</summary>
    private static void Dense(ReadOnlySpan<double> x, ReadOnlySpan<double> a, Span<double> y)
    {
        int n = x.Length;
        for (int i = 0; i < y.Length; i++)
        {
            double s = 0;
            for (int j = 0; j < n; j++) s += a[i * n + j] * x[j];
            y[i] = Math.Tanh(s);
        }
    }

    /// <summary>A layer with a scratch buffer of its own, calling another layer.</summary>
    private static void TwoLayers(ReadOnlySpan<double> x, ReadOnlySpan<double> a, Span<double> y)
    {
        Span<double> hidden = stackalloc double[2];
        Dense(x, a.Slice(0, 2 * x.Length), hidden);
        Dense(hidden, a.Slice(2 * x.Length, 2 * y.Length), y);
    }

    // ---------------------------------------------------------------- (a) a scalar helper

    [Differentiable(Hessian = true)]
    public static double CallsScalar(double x, double y, double z) => Pair(x, y) * z + Pair(z, x * y);

    // ---------------------------------------------------------------- (b) a helper calling a helper

    [Differentiable(Hessian = true)]
    public static double CallsNested(double x, double y) => Outer(x, y) + x * Inner(y);

    // ---------------------------------------------------------------- (c) an early return in the helper

    [Differentiable(Hessian = true)]
    public static double CallsEarlyReturn(double x, double y) => Piecewise(x, 0.1) * y + Piecewise(y * x, 0.5);

    // ---------------------------------------------------------------- (d) in a loop, with the loop index

    [Differentiable(Hessian = true)]
    public static double CallsInLoop(ReadOnlySpan<double> w)
    {
        double s = 0;
        for (int i = 0; i < w.Length; i++) s += Term(w[i] * w[(i + 1) % w.Length], i + 1);
        for (int i = 0; i + 2 <= w.Length; i++) s += Window(w.Slice(i, 2), i) * w[i];
        return s;
    }

    // ---------------------------------------------------------------- (e) layers writing local buffers and slices

    [Differentiable(Hessian = true)]
    public static double CallsLayerOnStack(ReadOnlySpan<double> w, [NoDerivative] ReadOnlySpan<double> x)
    {
        Span<double> hidden = stackalloc double[4];
        Dense(x, w.Slice(0, 6), hidden.Slice(1, 2));
        hidden[0] = w[6];
        hidden[3] = w[7] * w[6];
        double s = 0;
        for (int i = 0; i < hidden.Length; i++) s += hidden[i] * hidden[i] * (i + 1);
        return s + w[8] * hidden[2];
    }

    [Differentiable(Hessian = true)]
    public static double CallsLayerOnArray(double[] w)
    {
        double[] y = new double[3];
        Dense(w.AsSpan(0, 2), w.AsSpan(2, 6), y);
        double s = 0;
        for (int i = 0; i < y.Length; i++) s += y[i] * w[8 - i];
        return s + Math.Log(1 + y[0] * y[0]);
    }

    /// <summary>A layer with its own stack buffer, called in a loop: the buffer is allocated once, zeroed per call.</summary>
    [Differentiable(Hessian = true)]
    public static double CallsLayersInLoop(ReadOnlySpan<double> w, [NoDerivative] ReadOnlySpan<double> x)
    {
        Span<double> y = stackalloc double[2];
        double s = 0;
        for (int k = 0; k < 2; k++)
        {
            TwoLayers(x.Slice(k, 2), w, y);
            s += y[0] * y[1] + y[k] * y[k];
        }
        return s;
    }

    // ---------------------------------------------------------------- (f) a marked callee, in another type

    [Differentiable(Hessian = true)]
    public static double CallsMarked(ReadOnlySpan<double> w, double b)
    {
        double s = 0;
        for (int i = 0; i < w.Length; i++) s += HessianCallees.Softplus(w[i] * b + 0.5 * i);
        return s / w.Length + HessianCallees.Softplus(-b);
    }

    // ---------------------------------------------------------------- float

    private static float Cell(float s, float w) => MathF.Tanh(s * w + 0.5f) + 0.1f * w * w;

    /// <summary><see cref="HessianFunctions.TanhChain"/> with its step in a helper.</summary>
    [Differentiable(Hessian = true)]
    public static float TanhChainOfCalls(float[] w, float bias)
    {
        float s = bias;
        for (int i = 0; i < w.Length; i++) s = Cell(s, w[i]);
        return s * s + bias * bias * bias;
    }

    // ---------------------------------------------------------------- calls where C# may not evaluate them

    [Differentiable(Hessian = true)]
    public static double CallsInConditions(double x, double y)
    {
        double s = 0;
        int k = 0;
        while (k < 3 && Inner(x * k) < 5)
        {
            s += Pair(x, y + k);
            k++;
        }
        return s + (x > 0 && Inner(y) > 0 ? Pair(y, x) : x * y);
    }
}

/// <summary>Marked callees in a type of their own.</summary>
public static partial class HessianCallees
{
    [Differentiable]
    public static double Softplus(double u)
    {
        if (u > 20) return u;
        return Math.Log(1 + Math.Exp(u));
    }
}
