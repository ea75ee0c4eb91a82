using System;
using Backprop;

namespace Backprop.Consumer.Tests;

/// <summary>The span form of <c>Ad.StopGradient</c>: the entries read through it are constants to the gradient.</summary>
public static partial class StopGradientFunctions
{
    private static double Weighted([NoDerivative] ReadOnlySpan<double> w, double x) => w[0] * x + w[1];

    /// <summary>(w0 x + w1) w0, with the first factor's w constant: dW = [w0 x + w1, 0], dX = w0².</summary>
    [Differentiable]
    public static double ToNoDerivativeParameter(double[] w, double x) => Weighted(Ad.StopGradient(w), x) * w[0];

    /// <summary>Σ c_i w_i x with c = stop(w): dW_i = w_i x, dX = Σ w_i².</summary>
    [Differentiable(Forward = true)]
    public static double ThroughALocal(ReadOnlySpan<double> w, double x)
    {
        ReadOnlySpan<double> c = Ad.StopGradient(w);
        double s = 0;
        for (int i = 0; i < c.Length; i++) s += c[i] * w[i] * x;
        return s;
    }

    /// <summary>stop(w)[1] x w[^1] over three entries: dW = [0, 0, w1 x], dX = w1 w2.</summary>
    [Differentiable]
    public static double Element(double[] w, double x) => Ad.StopGradient(w)[1] * x * w[^1];

    /// <summary>Sum(stop(w[0..2])) x + Sum(w): dW_i = 1, dX = w0 + w1.</summary>
    [Differentiable]
    public static double ToARuleOfTheRuntime(double[] w, double x) => Ops.Sum(Ad.StopGradient(w.AsSpan(0, 2))) * x + Ops.Sum(w);

    /// <summary>A slice of a stopped view is stopped too: Σ_{i≥1} stop(w_i) + w0 x: dW = [x, 0, 0], dX = w0.</summary>
    [Differentiable]
    public static float SliceOfAView(float[] w, float x)
    {
        var c = Ad.StopGradient(w);
        var tail = c.Slice(1);
        float s = w[0] * x;
        for (int i = 0; i < tail.Length; i++) s += tail[i];
        return s;
    }

    private static double Squares(ReadOnlySpan<double> v, double k)
    {
        double s = 0;
        for (int i = 0; i < v.Length; i++) s += v[i] * v[i] * k;
        return s;
    }

    [Differentiable]
    public static double MarkedSquares(ReadOnlySpan<double> v, double k)
    {
        double s = 0;
        for (int i = 0; i < v.Length; i++) s += v[i] * v[i] * k;
        return s;
    }

    /// <summary>Squares(stop(w), k) + w0²: dW = [2 w0, 0, 0], dK = Σ w². In every mode.</summary>
    [Differentiable(Forward = true, Jacobian = true, Hessian = true)]
    public static double ToAnUnmarkedCallee(ReadOnlySpan<double> w, double k) => Squares(Ad.StopGradient(w), k) + w[0] * w[0];

    /// <summary>MarkedSquares(stop(w), k) + w0, through a local and a slice of it: dW = [1, 0, 0], dK = Σ_{i≥1} w².</summary>
    [Differentiable]
    public static double ToAMarkedCallee(double[] w, double k)
    {
        ReadOnlySpan<double> c = Ad.StopGradient(w);
        return MarkedSquares(c.Slice(1), k) + w[0];
    }

    /// <summary>A layer: y0 = Squares(stop(w), k) + w0.</summary>
    [Differentiable]
    public static void Layer(ReadOnlySpan<double> w, double k, Span<double> y) => y[0] = Squares(Ad.StopGradient(w), k) + w[0];
}

/// <summary>foreach and ranges over stopped views (found by a probe: foreach ignored the stop).</summary>
public static partial class StopGradientLoops
{
    /// <summary>Σ stop(w_i) x + w0: dW = [1, 0, 0], dX = Σ w.</summary>
    [Differentiable(Forward = true, Jacobian = true)]
    public static double ForEachOverALocal(double[] w, double x)
    {
        ReadOnlySpan<double> c = Ad.StopGradient(w);
        double s = 0;
        foreach (var v in c) s += v * x;
        return s + w[0];
    }

    /// <summary>Σ_{i≥1} stop(w_i)² x + Σ stop(w_i) + w0, over the call directly and a slice: dW = [1, 0, 0].</summary>
    [Differentiable]
    public static double ForEachOverTheCall(double[] w, double x)
    {
        double s = 0;
        foreach (var v in Ad.StopGradient(w).Slice(1)) s += v * v * x;
        foreach (var v in Ad.StopGradient(w)) s += v;
        return s + w[0];
    }

    /// <summary>t = stop(w)[1..]: Σ t_i w_i x.</summary>
    [Differentiable]
    public static double RangeOfAStoppedLocal(double[] w, double x)
    {
        ReadOnlySpan<double> c = Ad.StopGradient(w);
        var t = c[1..];
        double s = 0;
        for (int i = 0; i < t.Length; i++) s += t[i] * w[i] * x;
        return s;
    }
}

/// <summary>A model member under Ad.StopGradient passed to a callee: dThis.W gets only the direct read's gradient.</summary>
public partial class StopGradientModel
{
    public double[] W = { 0.3, -0.5, 0.8 };

    [Differentiable]
    public double Loss(double k) => StopGradientFunctions.MarkedSquares(Ad.StopGradient(W), k) + W[0];
}
