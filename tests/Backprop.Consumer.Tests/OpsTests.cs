using System;
using System.Linq;
using Xunit;

namespace Backprop.Consumer.Tests;

/// <summary>Generated gradients of losses that call the runtime's <c>Ops.Linear</c> and <c>Ops.MatMul</c>, against central finite differences.</summary>
public sealed class OpsTests
{
    private static double[] Random(int n, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, n).Select(_ => random.NextDouble() * 2 - 1).ToArray();
    }

    private static float[] RandomF(int n, int seed) => Random(n, seed).Select(v => (float)v).ToArray();

    [Fact]
    public void LinearMlp_CrossEntropy_MatchesFiniteDifferences()
    {
        const int b = OpsFunctions.Batch, i = OpsFunctions.Inputs, h = OpsFunctions.Hidden, c = OpsFunctions.Classes;
        double[] w1 = Random(h * i, 1), b1 = Random(h, 2), w2 = Random(c * h, 3), b2 = Random(c, 4), x = Random(b * i, 5);
        double[] labels = { 2, 0, 1 };
        double[] dW1 = new double[w1.Length], dB1 = new double[h], dW2 = new double[w2.Length], dB2 = new double[c];
        double value = OpsFunctions.MlpLossGradient(w1, b1, w2, b2, x, labels, dW1, dB1, dW2, dB2);
        Assert.Equal(OpsFunctions.MlpLoss(w1, b1, w2, b2, x, labels), value);
        double[] point = [.. w1, .. b1, .. w2, .. b2];
        double F(double[] p) => OpsFunctions.MlpLoss(p[..20], p[20..24], p[24..36], p[36..], x, labels);
        var result = GradientCheck.Check(F, point, [.. dW1, .. dB1, .. dW2, .. dB2]);
        Assert.True(result.Passed, result.ToString());
    }

    [Fact]
    public void LinearMlp_Float_MatchesFiniteDifferences()
    {
        const int b = OpsFunctions.Batch, i = OpsFunctions.Inputs, h = OpsFunctions.Hidden, c = OpsFunctions.Classes;
        float[] w1 = RandomF(h * i, 6), b1 = RandomF(h, 7), w2 = RandomF(c * h, 8), b2 = RandomF(c, 9), x = RandomF(b * i, 10), t = RandomF(b * c, 11);
        float[] dW1 = new float[w1.Length], dB1 = new float[h], dW2 = new float[w2.Length], dB2 = new float[c];
        float value = OpsFunctions.MlpLossFGradient(w1, b1, w2, b2, x, t, dW1, dB1, dW2, dB2);
        Assert.Equal(OpsFunctions.MlpLossF(w1, b1, w2, b2, x, t), value);
        float[] point = [.. w1, .. b1, .. w2, .. b2];
        float F(float[] p) => OpsFunctions.MlpLossF(p[..20], p[20..24], p[24..36], p[36..], x, t);
        var result = GradientCheck.Check(F, point, [.. dW1, .. dB1, .. dW2, .. dB2]);
        Assert.True(result.Passed, result.ToString());
    }

    [Fact]
    public void Linear_InputGradientWithoutBias_MatchesFiniteDifferences()
    {
        double[] x = Random(OpsFunctions.Batch * OpsFunctions.Inputs, 12), w = Random(OpsFunctions.Hidden * OpsFunctions.Inputs, 13);
        double[] dX = new double[x.Length], dW = new double[w.Length];
        OpsFunctions.LinearNoBiasGradient(x, w, dX, dW);
        var result = GradientCheck.Check(p => OpsFunctions.LinearNoBias(p[..x.Length], p[x.Length..]), [.. x, .. w], [.. dX, .. dW]);
        Assert.True(result.Passed, result.ToString());
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(false, true)]
    [InlineData(true, false)]
    [InlineData(true, true)]
    public void MatMul_Transposed_MatchesFiniteDifferences(bool transposeA, bool transposeB)
    {
        double[] a = Random(15, 14), b = Random(20, 15);
        double[] dA = new double[15], dB = new double[20];
        double value = OpsFunctions.ProductGradient(a, b, transposeA, transposeB, dA, dB);
        Assert.Equal(OpsFunctions.Product(a, b, transposeA, transposeB), value);
        var result = GradientCheck.Check(p => OpsFunctions.Product(p[..15], p[15..], transposeA, transposeB), [.. a, .. b], [.. dA, .. dB]);
        Assert.True(result.Passed, result.ToString());
    }

    [Fact]
    public void MatMul_ChainedInFloat_MatchesFiniteDifferences()
    {
        float[] a = RandomF(6, 16), b = RandomF(12, 17), c = RandomF(8, 18);
        float[] dA = new float[6], dB = new float[12], dC = new float[8];
        OpsFunctions.ChainFGradient(a, b, c, dA, dB, dC);
        var result = GradientCheck.Check(p => OpsFunctions.ChainF(p[..6], p[6..18], p[18..]), [.. a, .. b, .. c], [.. dA, .. dB, .. dC]);
        Assert.True(result.Passed, result.ToString());
    }

    [Fact]
    public void LinearMlp_Gradient_AfterWarmUp_AllocatesNothing()
    {
        double[] w1 = Random(20, 1), b1 = Random(4, 2), w2 = Random(12, 3), b2 = Random(3, 4), x = Random(15, 5);
        double[] labels = { 2, 0, 1 };
        double[] dW1 = new double[20], dB1 = new double[4], dW2 = new double[12], dB2 = new double[3];
        for (int i = 0; i < 10; i++) OpsFunctions.MlpLossGradient(w1, b1, w2, b2, x, labels, dW1, dB1, dW2, dB2);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++) OpsFunctions.MlpLossGradient(w1, b1, w2, b2, x, labels, dW1, dB1, dW2, dB2);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
