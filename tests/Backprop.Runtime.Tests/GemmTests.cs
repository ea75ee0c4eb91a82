using System;
using System.Collections.Generic;
using System.Numerics;
using Backprop.Kernels;
using Xunit;

namespace Backprop.Runtime.Tests;

/// <summary>
/// The blocked GEMM behind <see cref="Ops.MatMul(ReadOnlySpan{double}, ReadOnlySpan{double}, Span{double}, int, int, int)"/>,
/// with every micro-kernel this machine can run, against a naive triple loop: ragged sizes around the register tile and
/// the cache blocks, all four transpose combinations, row strides wider than the rows, assignment and accumulation.
/// </summary>
public sealed class GemmTests
{
    /// <summary>Sizes around the tiles (4, 6, 8 rows; 8…32 columns) and the blocks (Mc = 96, Kc = 256).</summary>
    private static readonly (int M, int N, int K)[] Shapes =
    {
        (1, 1, 1), (1, 17, 3), (3, 1, 17), (3, 5, 7), (17, 33, 9), (33, 17, 65), (65, 3, 33), (8, 32, 32),
        (6, 16, 1), (12, 64, 5), (97, 65, 17), (5, 9, 257), (100, 40, 300), (2, 4100, 3), (1, 130, 600),
    };

    public static IEnumerable<object[]> Kernels()
    {
        if (Avx512Kernel<double>.IsSupported) yield return new object[] { "Avx512" };
        if (Avx2Kernel<double>.IsSupported) yield return new object[] { "Avx2" };
        yield return new object[] { "Portable" };
    }

    [Theory]
    [MemberData(nameof(Kernels))]
    public void Double_AllShapesAndTransposes_MatchNaiveLoops(string kernel)
    {
        foreach (var (m, n, k) in Shapes)
            foreach (bool ta in new[] { false, true })
                foreach (bool tb in new[] { false, true })
                    foreach (bool accumulate in new[] { false, true })
                        Check<double>(kernel, m, n, k, ta, tb, accumulate, extraStride: 0, 1e-12);
    }

    [Theory]
    [MemberData(nameof(Kernels))]
    public void Float_AllShapesAndTransposes_MatchNaiveLoops(string kernel)
    {
        foreach (var (m, n, k) in Shapes)
            foreach (bool ta in new[] { false, true })
                foreach (bool tb in new[] { false, true })
                    foreach (bool accumulate in new[] { false, true })
                        Check<float>(kernel, m, n, k, ta, tb, accumulate, extraStride: 0, 2e-6);
    }

    [Theory]
    [MemberData(nameof(Kernels))]
    public void RowStridesWiderThanRows_LeaveTheGapsAlone(string kernel)
    {
        foreach (bool ta in new[] { false, true })
            foreach (bool tb in new[] { false, true })
            {
                Check<double>(kernel, 19, 23, 29, ta, tb, accumulate: true, extraStride: 3, 1e-12);
                Check<float>(kernel, 19, 23, 29, ta, tb, accumulate: false, extraStride: 5, 2e-6);
            }
    }

    [Fact]
    public void ZeroDepth_AssignsZeroOrLeavesTheAccumulator()
    {
        var c = new double[] { 1, 2, 3, 4, 5, 6 };
        Gemm.Multiply<double>(false, false, 2, 3, 0, Array.Empty<double>(), 0, Array.Empty<double>(), 3, c, 3, accumulate: true);
        Assert.Equal(new double[] { 1, 2, 3, 4, 5, 6 }, c);
        Gemm.Multiply<double>(false, false, 2, 3, 0, Array.Empty<double>(), 0, Array.Empty<double>(), 3, c, 3, accumulate: false);
        Assert.Equal(new double[6], c);
    }

    [Fact]
    public void TooShortBuffer_IsRejectedBeforeAnythingIsRead()
    {
        var error = Assert.Throws<ArgumentException>(() =>
            Gemm.Multiply<double>(false, true, 4, 5, 6, new double[24], 6, new double[29], 6, new double[20], 5, accumulate: false));
        Assert.Equal("b", error.ParamName);
    }

    /// <summary>
    /// One product with <paramref name="kernel"/>: the stored operands and <c>c</c> get <paramref name="extraStride"/>
    /// unused columns, filled with NaN-free sentinels that must survive, and <c>c</c> starts from random values.
    /// </summary>
    private static void Check<T>(string kernel, int m, int n, int k, bool ta, bool tb, bool accumulate, int extraStride, double tolerance)
        where T : unmanaged, INumber<T>
    {
        var random = new Random(m * 1_000_003 + n * 1009 + k * 31 + (ta ? 2 : 0) + (tb ? 1 : 0));
        int aRows = ta ? k : m, aCols = ta ? m : k, bRows = tb ? n : k, bCols = tb ? k : n;
        int lda = aCols + extraStride, ldb = bCols + extraStride, ldc = n + extraStride;
        T[] Fill(int rows, int stride) { var v = new T[Math.Max(0, rows * stride)]; for (int i = 0; i < v.Length; i++) v[i] = T.CreateChecked(random.NextDouble() * 2 - 1); return v; }
        T[] a = Fill(aRows, lda), b = Fill(bRows, ldb), c = Fill(m, ldc);
        var c0 = (T[])c.Clone();
        switch (kernel)
        {
            case "Avx512": Gemm.Multiply<T, Avx512Kernel<T>>(ta, tb, m, n, k, a, lda, b, ldb, c, ldc, accumulate); break;
            case "Avx2": Gemm.Multiply<T, Avx2Kernel<T>>(ta, tb, m, n, k, a, lda, b, ldb, c, ldc, accumulate); break;
            default: Gemm.Multiply<T, PortableKernel<T>>(ta, tb, m, n, k, a, lda, b, ldb, c, ldc, accumulate); break;
        }
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double sum = accumulate ? double.CreateChecked(c0[i * ldc + j]) : 0, scale = 1;
                for (int p = 0; p < k; p++)
                {
                    double x = double.CreateChecked(ta ? a[p * lda + i] : a[i * lda + p]);
                    double y = double.CreateChecked(tb ? b[j * ldb + p] : b[p * ldb + j]);
                    sum += x * y;
                    scale += Math.Abs(x * y);
                }
                double actual = double.CreateChecked(c[i * ldc + j]);
                Assert.True(Math.Abs(actual - sum) <= tolerance * scale,
                    $"{kernel} {typeof(T).Name} m={m} n={n} k={k} ta={ta} tb={tb} accumulate={accumulate}: c[{i}, {j}] = {actual}, expected {sum}");
            }
            for (int j = n; j < ldc; j++) Assert.Equal(c0[i * ldc + j], c[i * ldc + j]);
        }
    }
}
