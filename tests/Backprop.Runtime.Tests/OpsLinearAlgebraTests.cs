using System;
using System.Numerics;
using System.Threading.Tasks;
using Xunit;

namespace Backprop.Runtime.Tests;

/// <summary>
/// <c>Ops.MatMul</c> with transposes, <c>Ops.Linear</c> and their reverse rules against naive loops, in both precisions:
/// ragged sizes, accumulation into the gradients, unwanted (empty) gradients, allocation, threads and bad shapes.
/// </summary>
public sealed class OpsLinearAlgebraTests
{
    private static readonly int[] Sizes = { 1, 3, 17, 33, 65 };

    private static T[] Fill<T>(Random random, int length) where T : INumber<T>
    {
        var v = new T[length];
        for (int i = 0; i < length; i++) v[i] = T.CreateChecked(random.NextDouble() * 2 - 1);
        return v;
    }

    private static void Near<T>(double expected, T actual, double scale, double tolerance, string what) where T : INumber<T>
    {
        double a = double.CreateChecked(actual);
        Assert.True(Math.Abs(a - expected) <= tolerance * (1 + scale), $"{what}: {a}, expected {expected}");
    }

    [Fact]
    public void MatMul_AllTransposes_Double_MatchesNaiveLoopsAndAccumulatesGradients() => MatMulAllTransposes<double>(1e-12);

    [Fact]
    public void MatMul_AllTransposes_Float_MatchesNaiveLoopsAndAccumulatesGradients() => MatMulAllTransposes<float>(3e-6);

    private static void MatMulAllTransposes<T>(double tolerance) where T : unmanaged, INumber<T>
    {
        foreach (int m in Sizes)
            foreach (int k in new[] { 1, 17, 65 })
                foreach (int n in new[] { 3, 33 })
                    foreach (bool ta in new[] { false, true })
                        foreach (bool tb in new[] { false, true })
                        {
                            var random = new Random(m * 10_000 + k * 100 + n);
                            T[] a = Fill<T>(random, m * k), b = Fill<T>(random, k * n), dC = Fill<T>(random, m * n);
                            T[] c = Fill<T>(random, m * n), dA = Fill<T>(random, m * k), dB = Fill<T>(random, k * n);
                            T[] dA0 = (T[])dA.Clone(), dB0 = (T[])dB.Clone();
                            double A(int i, int p) => double.CreateChecked(ta ? a[p * m + i] : a[i * k + p]);
                            double B(int p, int j) => double.CreateChecked(tb ? b[j * k + p] : b[p * n + j]);
                            MatMulAndReverse(a, b, c, m, k, n, ta, tb, dC, dA, dB);
                            string shape = $"{typeof(T).Name} m={m} k={k} n={n} ta={ta} tb={tb}";
                            for (int i = 0; i < m; i++)
                                for (int j = 0; j < n; j++)
                                {
                                    double s = 0, scale = 0;
                                    for (int p = 0; p < k; p++) { s += A(i, p) * B(p, j); scale += Math.Abs(A(i, p) * B(p, j)); }
                                    Near(s, c[i * n + j], scale, tolerance, $"{shape} c[{i}, {j}]");
                                }
                            // d op(a)[i, p] = Σ_j dC[i, j] op(b)[p, j], stored where a stores op(a)[i, p].
                            for (int i = 0; i < m; i++)
                                for (int p = 0; p < k; p++)
                                {
                                    int at = ta ? p * m + i : i * k + p;
                                    double s = double.CreateChecked(dA0[at]), scale = Math.Abs(s);
                                    for (int j = 0; j < n; j++) { double t = double.CreateChecked(dC[i * n + j]) * B(p, j); s += t; scale += Math.Abs(t); }
                                    Near(s, dA[at], scale, tolerance, $"{shape} dA[{at}]");
                                }
                            for (int p = 0; p < k; p++)
                                for (int j = 0; j < n; j++)
                                {
                                    int at = tb ? j * k + p : p * n + j;
                                    double s = double.CreateChecked(dB0[at]), scale = Math.Abs(s);
                                    for (int i = 0; i < m; i++) { double t = A(i, p) * double.CreateChecked(dC[i * n + j]); s += t; scale += Math.Abs(t); }
                                    Near(s, dB[at], scale, tolerance, $"{shape} dB[{at}]");
                                }
                        }
    }

    /// <summary>The typed overloads (the original ones when nothing is transposed), then the rule.</summary>
    private static void MatMulAndReverse<T>(T[] a, T[] b, T[] c, int m, int k, int n, bool ta, bool tb, T[] dC, T[] dA, T[] dB)
    {
        if (a is double[] ad && b is double[] bd && c is double[] cd && dC is double[] dCd && dA is double[] dAd && dB is double[] dBd)
        {
            if (!ta && !tb) { Ops.MatMul(ad, bd, cd, m, k, n); Ops.MatMulReverse(ad, bd, cd, m, k, n, dCd, dAd, dBd); }
            else { Ops.MatMul(ad, bd, cd, m, k, n, ta, tb); Ops.MatMulReverse(ad, bd, cd, m, k, n, ta, tb, dCd, dAd, dBd); }
        }
        else if (a is float[] af && b is float[] bf && c is float[] cf && dC is float[] dCf && dA is float[] dAf && dB is float[] dBf)
        {
            if (!ta && !tb) { Ops.MatMul(af, bf, cf, m, k, n); Ops.MatMulReverse(af, bf, cf, m, k, n, dCf, dAf, dBf); }
            else { Ops.MatMul(af, bf, cf, m, k, n, ta, tb); Ops.MatMulReverse(af, bf, cf, m, k, n, ta, tb, dCf, dAf, dBf); }
        }
    }

    [Fact]
    public void Linear_Double_MatchesNaiveLoopsAndAccumulatesGradients() => LinearAgainstLoops<double>(1e-12);

    [Fact]
    public void Linear_Float_MatchesNaiveLoopsAndAccumulatesGradients() => LinearAgainstLoops<float>(3e-6);

    private static void LinearAgainstLoops<T>(double tolerance) where T : unmanaged, INumber<T>
    {
        foreach (int batch in Sizes)
            foreach (int inF in new[] { 1, 17, 65 })
                foreach (int outF in new[] { 3, 33 })
                    foreach (bool bias in new[] { true, false })
                    {
                        var random = new Random(batch * 10_000 + inF * 100 + outF);
                        T[] x = Fill<T>(random, batch * inF), w = Fill<T>(random, outF * inF), b = bias ? Fill<T>(random, outF) : Array.Empty<T>();
                        T[] y = Fill<T>(random, batch * outF), dY = Fill<T>(random, batch * outF);
                        T[] dX = Fill<T>(random, x.Length), dW = Fill<T>(random, w.Length), dB = Fill<T>(random, b.Length);
                        T[] dX0 = (T[])dX.Clone(), dW0 = (T[])dW.Clone(), dB0 = (T[])dB.Clone();
                        if (typeof(T) == typeof(double))
                        {
                            Ops.Linear((double[])(object)x, (double[])(object)w, (double[])(object)b, (double[])(object)y, batch, inF, outF);
                            Ops.LinearReverse((double[])(object)x, (double[])(object)w, (double[])(object)b, (double[])(object)y, batch, inF, outF,
                                (double[])(object)dY, (double[])(object)dX, (double[])(object)dW, (double[])(object)dB);
                        }
                        else
                        {
                            Ops.Linear((float[])(object)x, (float[])(object)w, (float[])(object)b, (float[])(object)y, batch, inF, outF);
                            Ops.LinearReverse((float[])(object)x, (float[])(object)w, (float[])(object)b, (float[])(object)y, batch, inF, outF,
                                (float[])(object)dY, (float[])(object)dX, (float[])(object)dW, (float[])(object)dB);
                        }
                        double V(T[] v, int i) => double.CreateChecked(v[i]);
                        string shape = $"{typeof(T).Name} batch={batch} in={inF} out={outF} bias={bias}";
                        for (int s = 0; s < batch; s++)
                            for (int o = 0; o < outF; o++)
                            {
                                double sum = bias ? V(b, o) : 0, scale = Math.Abs(sum);
                                for (int i = 0; i < inF; i++) { double t = V(x, s * inF + i) * V(w, o * inF + i); sum += t; scale += Math.Abs(t); }
                                Near(sum, y[s * outF + o], scale, tolerance, $"{shape} y[{s}, {o}]");
                            }
                        for (int s = 0; s < batch; s++)
                            for (int i = 0; i < inF; i++)
                            {
                                double sum = V(dX0, s * inF + i), scale = Math.Abs(sum);
                                for (int o = 0; o < outF; o++) { double t = V(dY, s * outF + o) * V(w, o * inF + i); sum += t; scale += Math.Abs(t); }
                                Near(sum, dX[s * inF + i], scale, tolerance, $"{shape} dX[{s}, {i}]");
                            }
                        for (int o = 0; o < outF; o++)
                        {
                            for (int i = 0; i < inF; i++)
                            {
                                double sum = V(dW0, o * inF + i), scale = Math.Abs(sum);
                                for (int s = 0; s < batch; s++) { double t = V(dY, s * outF + o) * V(x, s * inF + i); sum += t; scale += Math.Abs(t); }
                                Near(sum, dW[o * inF + i], scale, tolerance, $"{shape} dW[{o}, {i}]");
                            }
                            if (!bias) continue;
                            double sb = V(dB0, o), sc = Math.Abs(sb);
                            for (int s = 0; s < batch; s++) { sb += V(dY, s * outF + o); sc += Math.Abs(V(dY, s * outF + o)); }
                            Near(sb, dB[o], sc, tolerance, $"{shape} dB[{o}]");
                        }
                    }
    }

    [Fact]
    public void LinearReverse_UnwantedGradients_AreEmptyAndUntouched()
    {
        var random = new Random(3);
        double[] x = Fill<double>(random, 6), w = Fill<double>(random, 8), b = Fill<double>(random, 4), y = new double[12], dY = Fill<double>(random, 12);
        double[] dW = new double[8];
        Ops.Linear(x, w, b, y, 3, 2, 4);
        Ops.LinearReverse(x, w, b, y, 3, 2, 4, dY, default, dW, default);
        double[] expected = new double[8];
        for (int o = 0; o < 4; o++)
            for (int i = 0; i < 2; i++)
                for (int s = 0; s < 3; s++) expected[o * 2 + i] += dY[s * 4 + o] * x[s * 2 + i];
        for (int i = 0; i < 8; i++) Assert.Equal(expected[i], dW[i], 12);
    }

    [Fact]
    public void MlpShapes_ForwardAndReverse_AfterWarmUp_AllocateNothing()
    {
        var random = new Random(4);
        float[] x = Fill<float>(random, 32 * 784), w1 = Fill<float>(random, 128 * 784), b1 = Fill<float>(random, 128), h = new float[32 * 128];
        float[] dW1 = new float[w1.Length], dB1 = new float[128], dH = Fill<float>(random, h.Length), dX = new float[x.Length];
        double[] a = Fill<double>(random, 256 * 256), c = new double[256 * 256], dC = Fill<double>(random, c.Length), dA = new double[a.Length], dB = new double[a.Length];
        void Step()
        {
            Ops.Linear(x, w1, b1, h, 32, 784, 128);
            Ops.LinearReverse(x, w1, b1, h, 32, 784, 128, dH, dX, dW1, dB1);
            Ops.MatMul(a, a, c, 256, 256, 256, true, false);
            Ops.MatMulReverse(a, a, c, 256, 256, 256, true, false, dC, dA, dB);
        }
        for (int i = 0; i < 3; i++) Step();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 5; i++) Step();
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void MatMul_OnManyThreadsAtOnce_GivesEachThreadsOwnResult()
    {
        const int m = 40, k = 300, n = 50;
        var random = new Random(5);
        double[] a = Fill<double>(random, m * k), b = Fill<double>(random, k * n), expected = new double[m * n];
        Ops.MatMul(a, b, expected, m, k, n);
        Parallel.For(0, 16, _ =>
        {
            var c = new double[m * n];
            for (int repeat = 0; repeat < 20; repeat++)
            {
                Ops.MatMul(a, b, c, m, k, n);
                Assert.Equal(expected, c);
            }
        });
    }

    [Fact]
    public void Linear_WithWrongShapes_NamesTheBuffer()
    {
        var error = Assert.Throws<ArgumentException>(() => Ops.Linear(new double[6], new double[8], new double[3], new double[12], 3, 2, 4));
        Assert.Equal("b", error.ParamName);
        error = Assert.Throws<ArgumentException>(() => Ops.LinearReverse(new double[6], new double[8], new double[4], new double[12], 3, 2, 4,
            new double[12], default, new double[7], default));
        Assert.Equal("dW", error.ParamName);
        error = Assert.Throws<ArgumentException>(() => Ops.MatMulReverse(new double[6], new double[6], new double[4], 2, 3, 2, true, false,
            new double[4], new double[5], default));
        Assert.Equal("dA", error.ParamName);
    }
}
