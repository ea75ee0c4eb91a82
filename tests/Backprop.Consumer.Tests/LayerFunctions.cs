using System;
using Backprop;

namespace Backprop.Consumer.Tests;

/// <summary>Layers (void methods writing Span outputs), local buffers and element writes.</summary>
public static partial class LayerFunctions
{
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

    [Differentiable]
    public static double SimpleNN(ReadOnlySpan<double> w1, ReadOnlySpan<double> b1, ReadOnlySpan<double> w2, ReadOnlySpan<double> b2,
        [NoDerivative] ReadOnlySpan<double> x, [NoDerivative] double target)
    {
        Span<double> h = stackalloc double[5];
        Span<double> a = stackalloc double[5];
        Span<double> o = stackalloc double[1];
        Linear(x, w1, b1, h);
        Relu(h, a);
        Linear(a, w2, b2, o);
        double d = o[0] - target;
        return d * d;
    }

    /// <summary>All parameters packed in one array and sliced for the layers: theta = [w1 (5×3) | b1 (5) | w2 (5) | b2].</summary>
    [Differentiable]
    public static double PackedNetwork(double[] theta, [NoDerivative] ReadOnlySpan<double> x, [NoDerivative] double target)
    {
        Span<double> h = stackalloc double[5];
        Span<double> a = stackalloc double[5];
        Span<double> o = stackalloc double[1];
        Linear(x, theta.AsSpan(0, 15), theta.AsSpan(15, 5), h);
        Relu(h, a);
        Linear(a, theta.AsSpan(20, 5), theta.AsSpan(25), o);
        double d = o[0] - target;
        return d * d;
    }

    [Differentiable]
    public static void TanhLinear(ReadOnlySpan<double> x, ReadOnlySpan<double> w, Span<double> y)
    {
        for (int j = 0; j < y.Length; j++)
        {
            double s = 0;
            for (int i = 0; i < x.Length; i++) s += w[j * x.Length + i] * x[i];
            y[j] = Math.Tanh(s);
        }
    }

    /// <summary>Two layers write the halves of one buffer (a concatenation) through output slices; a head reads it all.</summary>
    [Differentiable]
    public static double ConcatenatedBranches(ReadOnlySpan<double> x, double[] theta)
    {
        Span<double> h = stackalloc double[4];
        Span<double> o = stackalloc double[1];
        TanhLinear(x, theta.AsSpan(0, 6), h.Slice(0, 2));
        TanhLinear(x[1..], theta.AsSpan(6, 4), h[2..]);
        TanhLinear(h, theta.AsSpan(10, 4), o);
        return o[0] * o[0];
    }

    /// <summary>A layer that writes its own output block by block through a sub-layer, in a loop.</summary>
    [Differentiable]
    public static void BlockDiagonal(ReadOnlySpan<double> x, ReadOnlySpan<double> w, Span<double> y)
    {
        for (int b = 0; b < y.Length / 2; b++)
            TanhLinear(x.Slice(b * 2, 2), w, y.Slice(b * 2, 2));
    }

    [Differentiable]
    public static double TwoBlockLayers(ReadOnlySpan<double> x, ReadOnlySpan<double> w)
    {
        Span<double> z = stackalloc double[4];
        Span<double> y = stackalloc double[4];
        BlockDiagonal(x, w, z);
        BlockDiagonal(z, w, y);
        double s = 0;
        for (int i = 0; i < y.Length; i++) s += y[i] * (i + 1);
        return s;
    }

    /// <summary>A window sliding over a local buffer and over a span parameter, in a loop: slices with run-time starts.</summary>
    [Differentiable]
    public static double SlidingWindows(ReadOnlySpan<double> signal, ReadOnlySpan<double> kernel)
    {
        Span<double> squashed = stackalloc double[signal.Length];
        for (int i = 0; i < signal.Length; i++) squashed[i] = Math.Tanh(signal[i]);
        double s = 0;
        for (int i = 0; i + kernel.Length <= signal.Length; i++)
            s += Math.Exp(-Dot(squashed.Slice(i, kernel.Length), kernel)) * (i + 1) + Dot(signal.Slice(i, kernel.Length), kernel.Slice(0));
        return s;
    }

    /// <summary>Range slices: from the start, from the end (^), between run-time bounds, of an array and of a span.</summary>
    [Differentiable]
    public static double Ranges(double[] w, ReadOnlySpan<double> x, [NoDerivative] int k)
    {
        return Dot(w[..3], x[1..4]) * Dot(w[^3..], x[^3..]) + Dot(w[k..(k + 2)], x[..2]) + Math.Exp(Dot(w[1..^3], x[2..4]));
    }

    [Differentiable]
    public static double Dot(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++) s += a[i] * b[i];
        return s;
    }

    [Differentiable]
    public static double SoftmaxCrossEntropy(ReadOnlySpan<double> logits, [NoDerivative] int label)
    {
        double m = logits[0];
        for (int i = 1; i < logits.Length; i++) m = Math.Max(m, logits[i]);
        Span<double> e = stackalloc double[logits.Length];
        double sum = 0;
        for (int i = 0; i < logits.Length; i++)
        {
            e[i] = Math.Exp(logits[i] - m);
            sum += e[i];
        }
        return -Math.Log(e[label] / sum);
    }

    [Differentiable]
    public static double Recurrent(ReadOnlySpan<double> u, double w, [NoDerivative] ReadOnlySpan<double> xs)
    {
        double[] hs = new double[xs.Length + 1];
        for (int t = 0; t < xs.Length; t++)
            hs[t + 1] = Math.Tanh(hs[t] * w + u[0] * xs[t] + u[1]);
        double s = 0;
        for (int t = 1; t <= xs.Length; t++) s += hs[t] * hs[t];
        return s;
    }

    [Differentiable]
    public static void Mix(ReadOnlySpan<double> a, double scale, Span<double> o)
    {
        for (int k = 0; k < a.Length; k++) o[k] = Math.Tanh(a[k] * scale + k);
    }

    // ---------------------------------------------------------------- what a layer's backward leaves behind (issue 15)
    // Each writes its outputs in a way whose reverse sweep rewinds them (the reverse reads a result it overwrote, or a
    // callee's reverse does), or writes an output no differentiated input reaches.

    /// <summary>Each output element a tanh: tanh' reads the result, so the reverse sweep rewinds the output.</summary>
    [Differentiable]
    public static void TanhEach(ReadOnlySpan<double> a, Span<double> o)
    {
        for (int k = 0; k < a.Length; k++) o[k] = Math.Tanh(a[k]);
    }

    /// <summary>The same into an array output.</summary>
    [Differentiable]
    public static void TanhEachIntoArray(ReadOnlySpan<double> a, double[] o)
    {
        for (int k = 0; k < a.Length; k++) o[k] = Math.Tanh(a[k]);
    }

    /// <summary>A layer calling layers: a hidden buffer, then the output written by the callee.</summary>
    [Differentiable]
    public static void StackedLayers(ReadOnlySpan<double> a, ReadOnlySpan<double> w, Span<double> o)
    {
        Span<double> h = stackalloc double[a.Length];
        TanhEach(a, h);
        TanhLinear(h, w, o);
    }

    /// <summary>Branches and loops around the writes of the output.</summary>
    [Differentiable]
    public static void Piecewise(ReadOnlySpan<double> x, double s, Span<double> y)
    {
        for (int i = 0; i < y.Length; i++)
        {
            if (x[i] > 0)
            {
                y[i] = Math.Exp(-x[i] * s);
            }
            else
            {
                double t = x[i];
                for (int k = 0; k < 3; k++) t = Math.Sin(t * s + k);
                y[i] = t * t;
            }
        }
    }

    /// <summary>Every output element written twice, the first one three times.</summary>
    [Differentiable]
    public static void WrittenTwice(ReadOnlySpan<double> x, double s, Span<double> y)
    {
        for (int i = 0; i < y.Length; i++) y[i] = Math.Sinh(x[i]);
        for (int i = 0; i < y.Length; i++) y[i] = Math.Tanh(x[i] * s);
        y[0] = Math.Exp(s);
    }

    /// <summary>Three outputs: one depends on x, one is a constant, one depends on a [NoDerivative] input only.</summary>
    [Differentiable]
    public static void WithConstantOutputs(ReadOnlySpan<double> x, [NoDerivative] ReadOnlySpan<double> mask, Span<double> y, Span<double> c, Span<double> m)
    {
        for (int i = 0; i < x.Length; i++) y[i] = Math.Tanh(x[i]);
        for (int i = 0; i < c.Length; i++) c[i] = 2;
        for (int i = 0; i < m.Length; i++) m[i] = Math.Exp(mask[i]);
    }

    /// <summary>A layer without differentiated inputs: its backward computes no gradient, but consumes the adjoints.</summary>
    [Differentiable]
    public static void AllNoDerivative([NoDerivative] ReadOnlySpan<double> x, [NoDerivative] double s, Span<double> y)
    {
        for (int i = 0; i < y.Length; i++) y[i] = Math.Tanh(x[i] * s);
    }

    /// <summary>A layer whose output a callee writes from a [NoDerivative] input only.</summary>
    [Differentiable]
    public static void CallsWithoutDerivative([NoDerivative] ReadOnlySpan<double> x, Span<double> y) => TanhEach(x, y);

    [Differentiable]
    public static void Fill([NoDerivative] double value, Span<double> o)
    {
        for (int i = 0; i < o.Length; i++) o[i] = value;
    }

    /// <summary>
    /// A buffer with adjoints overwritten by a layer whose output depends on no differentiated input: the layer's split
    /// reverse must consume the adjoints, or they flow on into the earlier writes of the buffer.
    /// </summary>
    [Differentiable]
    public static double OverwrittenByAConstantLayer(double x)
    {
        Span<double> h = stackalloc double[2];
        h[0] = x * x;
        h[1] = Math.Sin(x);
        double s = h[0] + h[1];
        Fill(2.5, h);
        return s * (h[0] + h[1]);
    }

    /// <summary>Regression (property test): a layer's scalar argument reads the buffer the layer then overwrites.</summary>
    [Differentiable]
    public static double LayerArgumentReadsItsOutput(double x, double y)
    {
        Span<double> b = stackalloc double[3];
        Span<double> c = stackalloc double[3];
        b[0] = x;
        b[1] = y;
        b[2] = x * y;
        c[2] = x;
        for (int i = 0; i < 2; i++)
        {
            c[2] -= c[0];
            Mix(b, i * (c[2] * x) + y, c);
        }
        return c[0] + c[1] * c[2];
    }

    [Differentiable]
    public static double Overwrites(double x, double y)
    {
        Span<double> buffer = stackalloc double[3];
        buffer[0] = x;
        buffer[1] = x * y;
        buffer[2] = Math.Sin(buffer[1]);
        buffer[1] = buffer[1] * buffer[2];
        buffer[0] += buffer[1];
        buffer[0] *= buffer[0];
        return buffer[0] + buffer[2];
    }
}
