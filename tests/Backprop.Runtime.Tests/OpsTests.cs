using System;
using Backprop;
using Xunit;

namespace Backprop.Runtime.Tests;

/// <summary><see cref="Ops.MatMul(ReadOnlySpan{double}, ReadOnlySpan{double}, Span{double}, int, int, int)"/> and its rule against naive loops, vector tails included.</summary>
public sealed class OpsTests
{
    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(2, 3, 5)]
    [InlineData(7, 9, 13)]
    [InlineData(4, 16, 32)]
    public void MatMul_AndItsReverse_MatchNaiveLoops(int m, int k, int n)
    {
        var random = new Random(m * 100 + k * 10 + n);
        double[] Fill(int length) { var v = new double[length]; for (int i = 0; i < length; i++) v[i] = random.NextDouble() * 2 - 1; return v; }
        double[] a = Fill(m * k), b = Fill(k * n), dC = Fill(m * n), c = new double[m * n];
        Ops.MatMul(a, b, c, m, k, n);
        double[] dA = Fill(m * k), dB = Fill(k * n);
        double[] dA0 = (double[])dA.Clone(), dB0 = (double[])dB.Clone();
        Ops.MatMulReverse(a, b, c, m, k, n, dC, dA, dB);
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double s = 0;
                for (int p = 0; p < k; p++) s += a[i * k + p] * b[p * n + j];
                Assert.Equal(s, c[i * n + j], 12);
            }
        for (int i = 0; i < m; i++)
            for (int p = 0; p < k; p++)
            {
                double s = dA0[i * k + p];
                for (int j = 0; j < n; j++) s += dC[i * n + j] * b[p * n + j];
                Assert.Equal(s, dA[i * k + p], 12);
            }
        for (int p = 0; p < k; p++)
            for (int j = 0; j < n; j++)
            {
                double s = dB0[p * n + j];
                for (int i = 0; i < m; i++) s += a[i * k + p] * dC[i * n + j];
                Assert.Equal(s, dB[p * n + j], 12);
            }
    }

    [Fact]
    public void MatMul_WithWrongShapes_NamesTheBuffer()
    {
        var error = Assert.Throws<ArgumentException>(() => Ops.MatMul(new double[6], new double[5], new double[4], 2, 3, 2));
        Assert.Equal("b", error.ParamName);
    }
}
