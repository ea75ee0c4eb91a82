using System;
using Backprop;

namespace Backprop.Consumer.Tests;

/// <summary>
/// Layers called in place are BPG036 (<c>Sq(b, b)</c>, <c>Ops.Tanh(b, b)</c>, <c>Shift(b.Slice(1, 6), b.Slice(0, 6))</c>);
/// these are the calls written as the diagnostic advises, word for word, and a method that writes one buffer parameter
/// and reads another (its generated entry points refuse overlapping buffers).
/// </summary>
public static partial class InPlaceFunctions
{
    [Differentiable]
    public static void Sq(ReadOnlySpan<double> x, Span<double> y)
    {
        for (int i = 0; i < x.Length; i++) y[i] = x[i] * x[i];
    }

    /// <summary>Reads an input element after writing the output element before it: in place it would compute something else.</summary>
    [Differentiable]
    public static void Shift(ReadOnlySpan<double> x, Span<double> y)
    {
        for (int i = 0; i < x.Length; i++) y[i] = Math.Sin(x[i]) + x[(i + 1) % x.Length];
    }

    [Differentiable]
    public static double SeparateOutputs(ReadOnlySpan<double> x)
    {
        Span<double> b = stackalloc double[7];
        x.CopyTo(b);
        Span<double> yOut = stackalloc double[b.Length]; Sq(b, yOut); yOut.CopyTo(b);
        Span<double> yOut2 = stackalloc double[b.Length]; Ops.Tanh(b, yOut2); yOut2.CopyTo(b);
        Span<double> yOut3 = stackalloc double[6]; Shift(b.Slice(1, 6), yOut3); yOut3.CopyTo(b.Slice(0, 6));
        double s = 0;
        for (int i = 0; i < b.Length; i++) s += b[i] * (i + 1);
        return s;
    }

    /// <summary>Writes into <paramref name="a"/> and reads <paramref name="b"/>: <c>Update(w, w)</c> reads what it wrote.</summary>
    [Differentiable]
    public static double Update(double[] a, double[] b)
    {
        a[0] = a[0] * 2 + b[1];
        return a[0] * b[0] + a[1];
    }
}
