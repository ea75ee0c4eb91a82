using System;
using Backprop;

namespace Backprop.Consumer.Tests;

/// <summary>
/// Loops whose reverse sweeps run over <c>Vector&lt;T&gt;</c> lanes with a scalar tail (the reverse of a dot product, an
/// axpy, an element-wise map, a row of a matrix at an offset), in double and float, and loops that must stay scalar
/// (a value carried from one iteration to the next, a read at another offset, a call).
/// </summary>
public static partial class VectorizedLoopFunctions
{
    /// <summary>Reverse: dW[i] += dS * x[i]; dX[i] += dS * w[i].</summary>
    [Differentiable]
    public static double Dot(ReadOnlySpan<double> w, ReadOnlySpan<double> x)
    {
        double s = 0.5;
        for (int i = 0; i < w.Length; i++)
            s += w[i] * x[i];
        return s * s;
    }

    [Differentiable]
    public static float DotF(ReadOnlySpan<float> w, ReadOnlySpan<float> x)
    {
        float s = 0.5f;
        for (int i = 0; i < w.Length; i++)
            s += w[i] * x[i];
        return s * s;
    }

    /// <summary>z = a·x + y into a local buffer, then a sum of squares: the reverse has a reduction into dA.</summary>
    [Differentiable]
    public static double Axpy(double a, ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        Span<double> z = stackalloc double[x.Length];
        for (int i = 0; i < x.Length; i++)
            z[i] = a * x[i] + y[i];
        double s = 0;
        for (int i = 0; i < z.Length; i++)
            s += z[i] * z[i];
        return s;
    }

    [Differentiable]
    public static float AxpyF(float a, ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        Span<float> z = stackalloc float[x.Length];
        for (int i = 0; i < x.Length; i++)
            z[i] = a * x[i] + y[i];
        float s = 0;
        for (int i = 0; i < z.Length; i++)
            s += z[i] * z[i];
        return s;
    }

    /// <summary>An element-wise map with + - * / and negation, then a weighted sum.</summary>
    [Differentiable]
    public static double Map(ReadOnlySpan<double> x, double c)
    {
        Span<double> y = stackalloc double[x.Length];
        for (int i = 0; i < x.Length; i++)
            y[i] = -(x[i] * x[i]) * c + x[i] / 3 - 2 * c;
        double s = 0;
        for (int i = 0; i < y.Length; i++)
            s += y[i] * (i + 1);
        return s;
    }

    [Differentiable]
    public static float MapF(ReadOnlySpan<float> x, float c)
    {
        Span<float> y = stackalloc float[x.Length];
        for (int i = 0; i < x.Length; i++)
            y[i] = -(x[i] * x[i]) * c + x[i] / 3 - 2 * c;
        float s = 0;
        for (int i = 0; i < y.Length; i++)
            s += y[i] * (i + 1);
        return s;
    }

    /// <summary>Rows of a matrix at an offset: w[j * n + i] (a dense layer's weights).</summary>
    [Differentiable]
    public static double Rows(ReadOnlySpan<double> w, ReadOnlySpan<double> x, int n)
    {
        double total = 0;
        for (int j = 0; j < 3; j++)
        {
            double a = 0.1 * j;
            for (int i = 0; i < n; i++)
                a += w[j * n + i] * x[i];
            total += Math.Tanh(a);
        }
        return total;
    }

    [Differentiable]
    public static float RowsF(ReadOnlySpan<float> w, ReadOnlySpan<float> x, int n)
    {
        float total = 0;
        for (int j = 0; j < 3; j++)
        {
            float a = 0.1f * j;
            for (int i = 0; i < n; i++)
                a += w[j * n + i] * x[i];
            total += MathF.Tanh(a);
        }
        return total;
    }

    /// <summary>Loop-carried: a[i] = a[i - 1] * x (must stay scalar).</summary>
    [Differentiable]
    public static double Carried(ReadOnlySpan<double> w, double x)
    {
        Span<double> a = stackalloc double[w.Length + 1];
        a[0] = 1;
        for (int i = 1; i <= w.Length; i++)
            a[i] = a[i - 1] * x + w[i - 1];
        return a[w.Length];
    }

    /// <summary>A read at another offset: w[i] * w[n - 1 - i] (must stay scalar).</summary>
    [Differentiable]
    public static double Mirrored(ReadOnlySpan<double> w)
    {
        double s = 0;
        for (int i = 0; i < w.Length; i++)
            s += w[i] * w[w.Length - 1 - i];
        return s;
    }

    /// <summary>A call in the loop: Math.Sin (must stay scalar).</summary>
    [Differentiable]
    public static double WithCall(ReadOnlySpan<double> w, ReadOnlySpan<double> x)
    {
        double s = 0;
        for (int i = 0; i < w.Length; i++)
            s += Math.Sin(w[i]) * x[i];
        return s;
    }
}
