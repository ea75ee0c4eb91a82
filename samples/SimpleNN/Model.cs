using System;
using Backprop;

namespace SimpleNN;

/// <summary>
/// The classic PyTorch example: Linear(10, 5) → ReLU → Linear(5, 1), mean squared error.
/// Weights are row-major: <c>w1[j * 10 + i]</c> connects input i to hidden unit j.
/// </summary>
public static partial class Model
{
    public const int Inputs = 10;
    public const int Hidden = 5;

    /// <summary>y = W x + b, with W row-major (y.Length × x.Length).</summary>
    [Differentiable]
    public static void Linear(ReadOnlySpan<double> x, ReadOnlySpan<double> w, ReadOnlySpan<double> b, Span<double> y)
    {
        int n = x.Length;
        for (int j = 0; j < y.Length; j++)
        {
            double s = b[j];
            for (int i = 0; i < n; i++)
                s += w[j * n + i] * x[i];
            y[j] = s;
        }
    }

    [Differentiable]
    public static void Relu(ReadOnlySpan<double> x, Span<double> y)
    {
        for (int i = 0; i < x.Length; i++)
            y[i] = x[i] > 0 ? x[i] : 0.0;
    }

    /// <summary>The network's output for one input.</summary>
    [Differentiable]
    public static double Predict(ReadOnlySpan<double> w1, ReadOnlySpan<double> b1, ReadOnlySpan<double> w2, ReadOnlySpan<double> b2,
        [NoDerivative] ReadOnlySpan<double> x)
    {
        Span<double> h = stackalloc double[Hidden];
        Span<double> a = stackalloc double[Hidden];
        Span<double> o = stackalloc double[1];
        Linear(x, w1, b1, h);
        Relu(h, a);
        Linear(a, w2, b2, o);
        return o[0];
    }

    /// <summary>Mean squared error over a mini-batch: <c>xs</c> holds <c>ys.Length</c> rows of 10 inputs.</summary>
    [Differentiable]
    public static double Loss(ReadOnlySpan<double> w1, ReadOnlySpan<double> b1, ReadOnlySpan<double> w2, ReadOnlySpan<double> b2,
        [NoDerivative] ReadOnlySpan<double> xs, [NoDerivative] ReadOnlySpan<double> ys)
    {
        Span<double> x = stackalloc double[Inputs];
        double sum = 0;
        for (int s = 0; s < ys.Length; s++)
        {
            for (int i = 0; i < Inputs; i++)
                x[i] = xs[s * Inputs + i];
            double d = Predict(w1, b1, w2, b2, x) - ys[s];
            sum += d * d;
        }
        return sum / ys.Length;
    }
}
