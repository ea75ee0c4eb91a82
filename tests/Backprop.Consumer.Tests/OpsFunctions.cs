using System;

namespace Backprop.Consumer.Tests;

/// <summary>Losses built on the runtime's <see cref="Ops.Linear(ReadOnlySpan{double}, ReadOnlySpan{double}, ReadOnlySpan{double}, Span{double}, int, int, int)"/> and <see cref="Ops.MatMul(ReadOnlySpan{double}, ReadOnlySpan{double}, Span{double}, int, int, int)"/>.</summary>
public static partial class OpsFunctions
{
    public const int Batch = 3, Inputs = 5, Hidden = 4, Classes = 3;

    /// <summary>Linear(5, 4) → tanh → Linear(4, 3) → softmax cross-entropy (max-shifted), mean over a batch of 3.</summary>
    [Differentiable]
    public static double MlpLoss(double[] w1, double[] b1, double[] w2, double[] b2, [NoDerivative] double[] x, [NoDerivative] double[] labels)
    {
        Span<double> h = stackalloc double[Batch * Hidden];
        Ops.Linear(x, w1, b1, h, Batch, Inputs, Hidden);
        Span<double> a = stackalloc double[Batch * Hidden];
        for (int i = 0; i < a.Length; i++) a[i] = Math.Tanh(h[i]);
        Span<double> z = stackalloc double[Batch * Classes];
        Ops.Linear(a, w2, b2, z, Batch, Hidden, Classes);
        double sum = 0;
        for (int s = 0; s < Batch; s++)
        {
            double m = z[s * Classes];
            for (int c = 1; c < Classes; c++) m = Math.Max(m, z[s * Classes + c]);
            double e = 0;
            for (int c = 0; c < Classes; c++) e += Math.Exp(z[s * Classes + c] - m);
            sum += Math.Log(e) + m - z[s * Classes + (int)labels[s]];
        }
        return sum / Batch;
    }

    /// <summary>The same network in <see cref="float"/>, with a mean squared error against targets.</summary>
    [Differentiable]
    public static float MlpLossF(float[] w1, float[] b1, float[] w2, float[] b2, [NoDerivative] float[] x, [NoDerivative] float[] targets)
    {
        Span<float> h = stackalloc float[Batch * Hidden];
        Ops.Linear(x, w1, b1, h, Batch, Inputs, Hidden);
        Span<float> a = stackalloc float[Batch * Hidden];
        for (int i = 0; i < a.Length; i++) a[i] = MathF.Tanh(h[i]);
        Span<float> z = stackalloc float[Batch * Classes];
        Ops.Linear(a, w2, b2, z, Batch, Hidden, Classes);
        float sum = 0;
        for (int i = 0; i < z.Length; i++) sum += (z[i] - targets[i]) * (z[i] - targets[i]);
        return sum / z.Length;
    }

    /// <summary>A linear layer whose input is differentiated too (dX), with no bias.</summary>
    [Differentiable]
    public static double LinearNoBias(double[] x, double[] w)
    {
        Span<double> y = stackalloc double[Batch * Hidden];
        Ops.Linear(x, w, ReadOnlySpan<double>.Empty, y, Batch, Inputs, Hidden);
        double sum = 0;
        for (int i = 0; i < y.Length; i++) sum += Math.Sin(y[i]);
        return sum;
    }

    /// <summary><c>Σ sin(op(a) · op(b))</c> with the transposes chosen at run time: a is 3 × 5 (or 5 × 3), b 5 × 4 (or 4 × 5).</summary>
    [Differentiable]
    public static double Product(double[] a, double[] b, bool transposeA, bool transposeB)
    {
        Span<double> c = stackalloc double[3 * 4];
        Ops.MatMul(a, b, c, 3, 5, 4, transposeA, transposeB);
        double sum = 0;
        for (int i = 0; i < c.Length; i++) sum += Math.Sin(c[i] + i);
        return sum;
    }

    /// <summary>Two chained products in <see cref="float"/>: <c>Σ (a · b · c)²</c>, a 2 × 3, b 3 × 4, c 4 × 2.</summary>
    [Differentiable]
    public static float ChainF(float[] a, float[] b, float[] c)
    {
        Span<float> ab = stackalloc float[2 * 4];
        Ops.MatMul(a, b, ab, 2, 3, 4);
        Span<float> abc = stackalloc float[2 * 2];
        Ops.MatMul(ab, c, abc, 2, 4, 2);
        float sum = 0;
        for (int i = 0; i < abc.Length; i++) sum += abc[i] * abc[i];
        return sum;
    }
}
