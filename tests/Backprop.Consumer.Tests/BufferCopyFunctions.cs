using System;
using Backprop;

namespace Backprop.Consumer.Tests;

/// <summary>Buffers initialized as copies of part of another: an array's range (which C# copies) and a slice's ToArray.</summary>
public static partial class BufferCopyFunctions
{
    /// <summary>b = p[1..] is a copy: writing it leaves p alone. Σ_{i≥1} p_i² + p0 · b0.</summary>
    [Differentiable]
    public static double ArrayRange(double[] p)
    {
        var b = p[1..];
        double s = 0;
        for (int i = 0; i < b.Length; i++) s += b[i] * b[i];
        b[0] = 10;
        return s + p[0] * b[0] + p[1];
    }

    /// <summary>c = w.AsSpan(1, 2).ToArray(): c0 c1 w0.</summary>
    [Differentiable]
    public static double SliceToArray(double[] w)
    {
        double[] c = w.AsSpan(1, 2).ToArray();
        return c[0] * c[1] * w[0];
    }

    [Differentiable]
    public static void TwoOut(ReadOnlySpan<double> x, Span<double> y, Span<double> z)
    {
        for (int i = 0; i < x.Length; i++)
        {
            y[i] = x[i] * x[i];
            z[i] = 3 * x[i];
        }
    }

    /// <summary>An output nobody reads passed as a fresh buffer: stackalloc double[n] or new double[n] in the call.</summary>
    [Differentiable]
    public static double ScratchArguments(double[] x)
    {
        Span<double> y = stackalloc double[x.Length];
        TwoOut(x, y, stackalloc double[x.Length]);
        var z = new double[x.Length];
        TwoOut(x, new double[x.Length], z);
        return y[0] + y[1] + z[1];
    }
}
