using System;
using System.Numerics;
using System.Runtime.InteropServices;

namespace Backprop;

/// <summary>
/// Differentiable operations with hand-written, vectorized kernels and reverse rules (<see cref="DerivativeOfAttribute"/>),
/// for use inside <see cref="DifferentiableAttribute"/> methods where a scalar loop would be slow: the generated gradient
/// calls the kernel in its forward sweep and the rule in its reverse sweep.
/// </summary>
public static partial class Ops
{
    /// <summary><c>c = a · b</c> for row-major <c>a</c> (<paramref name="m"/> × <paramref name="k"/>), <c>b</c> (<paramref name="k"/> × <paramref name="n"/>) and <c>c</c> (<paramref name="m"/> × <paramref name="n"/>).</summary>
    public static void MatMul(ReadOnlySpan<double> a, ReadOnlySpan<double> b, Span<double> c, int m, int k, int n) => MatMulCore(a, b, c, m, k, n);

    /// <inheritdoc cref="MatMul(ReadOnlySpan{double}, ReadOnlySpan{double}, Span{double}, int, int, int)"/>
    public static void MatMul(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int k, int n) => MatMulCore(a, b, c, m, k, n);

    /// <summary>The reverse rule of <see cref="MatMul(ReadOnlySpan{double}, ReadOnlySpan{double}, Span{double}, int, int, int)"/>: <c>dA += dC · bᵀ</c>, <c>dB += aᵀ · dC</c>.</summary>
    [DerivativeOf(typeof(Ops), nameof(MatMul))]
    public static void MatMulReverse(ReadOnlySpan<double> a, ReadOnlySpan<double> b, Span<double> c, int m, int k, int n,
        ReadOnlySpan<double> dC, Span<double> dA, Span<double> dB) => MatMulReverseCore(a, b, m, k, n, dC, dA, dB);

    /// <inheritdoc cref="MatMulReverse(ReadOnlySpan{double}, ReadOnlySpan{double}, Span{double}, int, int, int, ReadOnlySpan{double}, Span{double}, Span{double})"/>
    [DerivativeOf(typeof(Ops), nameof(MatMul))]
    public static void MatMulReverse(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int k, int n,
        ReadOnlySpan<float> dC, Span<float> dA, Span<float> dB) => MatMulReverseCore(a, b, m, k, n, dC, dA, dB);

    private static void CheckShapes<T>(int aLength, int bLength, int cLength, int m, int k, int n)
    {
        if (m < 0 || k < 0 || n < 0) throw new ArgumentOutOfRangeException(nameof(m), "Matrix dimensions must not be negative.");
        if (aLength != m * k) throw new ArgumentException($"a must have m * k = {m * k} entries, but has {aLength}.", "a");
        if (bLength != k * n) throw new ArgumentException($"b must have k * n = {k * n} entries, but has {bLength}.", "b");
        if (cLength != m * n) throw new ArgumentException($"c must have m * n = {m * n} entries, but has {cLength}.", "c");
    }

    /// <summary>Row by row: each row of <c>c</c> accumulates <c>a[i, p] · b[p, :]</c>, vectorized along the row.</summary>
    private static void MatMulCore<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> c, int m, int k, int n)
        where T : unmanaged, INumber<T>
    {
        CheckShapes<T>(a.Length, b.Length, c.Length, m, k, n);
        c.Clear();
        for (int i = 0; i < m; i++)
        {
            var row = c.Slice(i * n, n);
            for (int p = 0; p < k; p++) AddScaled(row, a[i * k + p], b.Slice(p * n, n));
        }
    }

    private static void MatMulReverseCore<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, int m, int k, int n, ReadOnlySpan<T> dC, Span<T> dA, Span<T> dB)
        where T : unmanaged, INumber<T>
    {
        // dA[i, p] += Σ_j dC[i, j] b[p, j]; dB[p, :] += Σ_i a[i, p] dC[i, :]. Empty spans are gradients not wanted.
        if (!dA.IsEmpty)
        {
            for (int i = 0; i < m; i++)
                for (int p = 0; p < k; p++) dA[i * k + p] += Dot(dC.Slice(i * n, n), b.Slice(p * n, n));
        }
        if (!dB.IsEmpty)
        {
            for (int i = 0; i < m; i++)
                for (int p = 0; p < k; p++) AddScaled(dB.Slice(p * n, n), a[i * k + p], dC.Slice(i * n, n));
        }
    }

    /// <summary><c>target += scale · source</c>.</summary>
    private static void AddScaled<T>(Span<T> target, T scale, ReadOnlySpan<T> source)
        where T : unmanaged, INumber<T>
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated && target.Length >= Vector<T>.Count)
        {
            var s = new Vector<T>(scale);
            var t = MemoryMarshal.Cast<T, Vector<T>>(target);
            var x = MemoryMarshal.Cast<T, Vector<T>>(source);
            for (int v = 0; v < t.Length; v++) t[v] += s * x[v];
            i = t.Length * Vector<T>.Count;
        }
        for (; i < target.Length; i++) target[i] += scale * source[i];
    }

    private static T Dot<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y)
        where T : unmanaged, INumber<T>
    {
        int i = 0;
        var sum = Vector<T>.Zero;
        if (Vector.IsHardwareAccelerated && x.Length >= Vector<T>.Count)
        {
            var xv = MemoryMarshal.Cast<T, Vector<T>>(x);
            var yv = MemoryMarshal.Cast<T, Vector<T>>(y);
            for (int v = 0; v < xv.Length; v++) sum += xv[v] * yv[v];
            i = xv.Length * Vector<T>.Count;
        }
        T total = Vector.Sum(sum);
        for (; i < x.Length; i++) total += x[i] * y[i];
        return total;
    }
}
