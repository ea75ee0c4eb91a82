using System;
using System.Numerics;
using Backprop.Kernels;

namespace Backprop;

public static partial class Ops
{
    /// <summary>
    /// <c>c = a · b</c> for row-major <c>a</c> (<paramref name="m"/> × <paramref name="k"/>), <c>b</c>
    /// (<paramref name="k"/> × <paramref name="n"/>) and <c>c</c> (<paramref name="m"/> × <paramref name="n"/>): a blocked,
    /// register-tiled GEMM (AVX-512 or AVX2/FMA where the CPU has them) that allocates nothing once warm.
    /// </summary>
    /// <exception cref="ArgumentException">A buffer's length is not its matrix's size.</exception>
    public static void MatMul(ReadOnlySpan<double> a, ReadOnlySpan<double> b, Span<double> c, int m, int k, int n) => MatMulCore(a, b, c, m, k, n, false, false);

    /// <inheritdoc cref="MatMul(ReadOnlySpan{double}, ReadOnlySpan{double}, Span{double}, int, int, int)"/>
    public static void MatMul(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int k, int n) => MatMulCore(a, b, c, m, k, n, false, false);

    /// <summary>The reverse rule of <see cref="MatMul(ReadOnlySpan{double}, ReadOnlySpan{double}, Span{double}, int, int, int)"/>: <c>dA += dC · bᵀ</c>, <c>dB += aᵀ · dC</c> (an empty gradient is not wanted).</summary>
    [DerivativeOf(typeof(Ops), nameof(MatMul))]
    public static void MatMulReverse(ReadOnlySpan<double> a, ReadOnlySpan<double> b, Span<double> c, int m, int k, int n,
        ReadOnlySpan<double> dC, Span<double> dA, Span<double> dB) => MatMulReverseCore(a, b, m, k, n, false, false, dC, dA, dB);

    /// <inheritdoc cref="MatMulReverse(ReadOnlySpan{double}, ReadOnlySpan{double}, Span{double}, int, int, int, ReadOnlySpan{double}, Span{double}, Span{double})"/>
    [DerivativeOf(typeof(Ops), nameof(MatMul))]
    public static void MatMulReverse(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int k, int n,
        ReadOnlySpan<float> dC, Span<float> dA, Span<float> dB) => MatMulReverseCore(a, b, m, k, n, false, false, dC, dA, dB);

    /// <summary>
    /// <c>c = op(a) · op(b)</c>, <c>c</c> row-major <paramref name="m"/> × <paramref name="n"/>, <c>op(a)</c>
    /// <paramref name="m"/> × <paramref name="k"/> and <c>op(b)</c> <paramref name="k"/> × <paramref name="n"/>, where
    /// <c>op(a)</c> is <c>a</c> (row-major <paramref name="m"/> × <paramref name="k"/>), or when
    /// <paramref name="transposeA"/>, <c>aᵀ</c> for <c>a</c> row-major <paramref name="k"/> × <paramref name="m"/>; likewise
    /// <c>b</c>. Transposes cost nothing extra (no transposed copy is made), like BLAS's <c>gemm</c> with
    /// <c>transa</c>/<c>transb</c> or <c>torch.matmul(a.T, b)</c>.
    /// </summary>
    /// <exception cref="ArgumentException">A buffer's length is not its matrix's size.</exception>
    public static void MatMul(ReadOnlySpan<double> a, ReadOnlySpan<double> b, Span<double> c, int m, int k, int n, bool transposeA, bool transposeB) =>
        MatMulCore(a, b, c, m, k, n, transposeA, transposeB);

    /// <inheritdoc cref="MatMul(ReadOnlySpan{double}, ReadOnlySpan{double}, Span{double}, int, int, int, bool, bool)"/>
    public static void MatMul(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int k, int n, bool transposeA, bool transposeB) =>
        MatMulCore(a, b, c, m, k, n, transposeA, transposeB);

    /// <summary>
    /// The reverse rule of <see cref="MatMul(ReadOnlySpan{double}, ReadOnlySpan{double}, Span{double}, int, int, int, bool, bool)"/>:
    /// <c>d op(a) += dC · op(b)ᵀ</c> and <c>d op(b) += op(a)ᵀ · dC</c>, each written in its buffer's own layout (an empty
    /// gradient is not wanted).
    /// </summary>
    [DerivativeOf(typeof(Ops), nameof(MatMul))]
    public static void MatMulReverse(ReadOnlySpan<double> a, ReadOnlySpan<double> b, Span<double> c, int m, int k, int n, bool transposeA, bool transposeB,
        ReadOnlySpan<double> dC, Span<double> dA, Span<double> dB) => MatMulReverseCore(a, b, m, k, n, transposeA, transposeB, dC, dA, dB);

    /// <inheritdoc cref="MatMulReverse(ReadOnlySpan{double}, ReadOnlySpan{double}, Span{double}, int, int, int, bool, bool, ReadOnlySpan{double}, Span{double}, Span{double})"/>
    [DerivativeOf(typeof(Ops), nameof(MatMul))]
    public static void MatMulReverse(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int k, int n, bool transposeA, bool transposeB,
        ReadOnlySpan<float> dC, Span<float> dA, Span<float> dB) => MatMulReverseCore(a, b, m, k, n, transposeA, transposeB, dC, dA, dB);

    private static void MatMulCore<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> c, int m, int k, int n, bool transposeA, bool transposeB)
        where T : unmanaged, INumber<T>
    {
        CheckMatMulShapes(a.Length, b.Length, m, k, n);
        CheckLength(c.Length, m, n, "c");
        Gemm.Multiply(transposeA, transposeB, m, n, k, a, transposeA ? m : k, b, transposeB ? k : n, c, n, accumulate: false);
    }

    private static void MatMulReverseCore<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, int m, int k, int n, bool transposeA, bool transposeB,
        ReadOnlySpan<T> dC, Span<T> dA, Span<T> dB)
        where T : unmanaged, INumber<T>
    {
        CheckMatMulShapes(a.Length, b.Length, m, k, n);
        CheckLength(dC.Length, m, n, "dC");
        CheckGradient(dA.Length, a.Length, "dA");
        CheckGradient(dB.Length, b.Length, "dB");
        // The row strides of a and b as stored: a is m × k, or k × m when transposed; b is k × n, or n × k.
        int lda = transposeA ? m : k, ldb = transposeB ? k : n;
        if (!dA.IsEmpty)
        {
            // d op(a) = dC · op(b)ᵀ (m × k); stored transposed, dA = op(b) · dCᵀ (k × m).
            if (transposeA) Gemm.Multiply(transposeB, true, k, m, n, b, ldb, dC, n, dA, m, accumulate: true);
            else Gemm.Multiply(false, !transposeB, m, k, n, dC, n, b, ldb, dA, k, accumulate: true);
        }
        if (!dB.IsEmpty)
        {
            // d op(b) = op(a)ᵀ · dC (k × n); stored transposed, dB = dCᵀ · op(a) (n × k).
            if (transposeB) Gemm.Multiply(true, transposeA, n, k, m, dC, n, a, lda, dB, k, accumulate: true);
            else Gemm.Multiply(!transposeA, false, k, n, m, a, lda, dC, n, dB, n, accumulate: true);
        }
    }

    private static void CheckMatMulShapes(int aLength, int bLength, int m, int k, int n)
    {
        if (m < 0 || k < 0 || n < 0) throw new ArgumentOutOfRangeException(nameof(m), "Matrix dimensions must not be negative.");
        CheckLength(aLength, m, k, "a");
        CheckLength(bLength, k, n, "b");
    }

    private static void CheckLength(int length, int rows, int columns, string name)
    {
        if (length != (long)rows * columns)
            throw new ArgumentException($"{name} must have {rows} * {columns} = {(long)rows * columns} entries, but has {length}.", name);
    }

    /// <summary>A gradient is empty (not wanted) or as long as the value it is the gradient of.</summary>
    private static void CheckGradient(int length, int valueLength, string name)
    {
        if (length != 0 && length != valueLength)
            throw new ArgumentException($"{name} must be empty (not wanted) or have {valueLength} entries, but has {length}.", name);
    }
}
