using System;
using System.Linq;
using Backprop.Training;
using Xunit;

namespace Backprop.Consumer.Tests;

/// <summary>Generated gradients of losses that call <see cref="Ops"/> (<see cref="OpsLibraryFunctions"/>) against central finite differences.</summary>
public sealed class OpsConsumerTests
{
    private static double[] Random(int n, int seed, double low = -1, double high = 1)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, n).Select(_ => low + (high - low) * random.NextDouble()).ToArray();
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(37)]
    public void LogSumExp_MatchesFiniteDifferences(int n)
    {
        var x = Random(n, n, -5, 5);
        var dX = Enumerable.Repeat(0.5, n).ToArray();   // span gradients accumulate: start from a nonzero value
        double value = OpsLibraryFunctions.LogSumExpGradient(x, dX);
        Assert.Equal(OpsLibraryFunctions.LogSumExp(x), value);
        var result = GradientCheck.Check(p => OpsLibraryFunctions.LogSumExp(p), x, dX.Select(g => g - 0.5).ToArray());
        Assert.True(result.Passed, result.ToString());
    }

    [Fact]
    public void LogSumExp_Float_MatchesFiniteDifferences()
    {
        var x = Random(13, 3, -5, 5).Select(v => (float)v).ToArray();
        var dX = new float[x.Length];
        OpsLibraryFunctions.LogSumExpFGradient(x, dX);
        var result = GradientCheck.Check(p => OpsLibraryFunctions.LogSumExpF(p), x, dX);
        Assert.True(result.Passed, result.ToString());
    }

    [Fact]
    public void Reductions_MatchFiniteDifferences()
    {
        double[] x = Random(9, 4), y = Random(9, 5);
        double[] dX = new double[9], dY = new double[9];
        double value = OpsLibraryFunctions.ReductionsGradient(x, y, 0.7, dX, dY, out double dScale);
        Assert.Equal(OpsLibraryFunctions.Reductions(x, y, 0.7), value);
        var result = GradientCheck.Check(p => OpsLibraryFunctions.Reductions(p.AsSpan(0, 9), p.AsSpan(9, 9), p[18]),
            x.Concat(y).Append(0.7).ToArray(), dX.Concat(dY).Append(dScale).ToArray());
        Assert.True(result.Passed, result.ToString());
    }

    [Fact]
    public void Activations_MatchFiniteDifferences()
    {
        var x = Random(11, 6).Select(v => v + Math.CopySign(0.05, v)).ToArray();   // away from ReLU's kink
        var dX = new double[x.Length];
        double value = OpsLibraryFunctions.ActivationsGradient(x, dX);
        Assert.Equal(OpsLibraryFunctions.Activations(x), value);
        var result = GradientCheck.Check(p => OpsLibraryFunctions.Activations(p), x, dX);
        Assert.True(result.Passed, result.ToString());
    }

    [Fact]
    public void SoftmaxAndLogSoftmax_MatchFiniteDifferences()
    {
        double[] logits = Random(10, 7, -3, 3), target = Random(10, 8, 0, 1);
        var dLogits = new double[10];
        OpsLibraryFunctions.SoftmaxMseGradient(logits, target, dLogits);
        var result = GradientCheck.Check(p => OpsLibraryFunctions.SoftmaxMse(p, target), logits, dLogits);
        Assert.True(result.Passed, result.ToString());
    }

    [Fact]
    public void Mse_DifferentiatesBothArguments()
    {
        double[] p = Random(6, 9), t = Random(6, 10);
        double[] dP = new double[6], dT = new double[6];
        OpsLibraryFunctions.MseGradient(p, t, dP, dT);
        var result = GradientCheck.Check(v => OpsLibraryFunctions.Mse(v.AsSpan(0, 6), v.AsSpan(6)), p.Concat(t).ToArray(), dP.Concat(dT).ToArray());
        Assert.True(result.Passed, result.ToString());
        Assert.Equal(dP, dT.Select(g => -g));
    }

    [Fact]
    public void Cnn_ConvReluMaxPoolLinearCrossEntropy_MatchesFiniteDifferences()
    {
        const int K = OpsLibraryFunctions.Filters * OpsLibraryFunctions.Kernel * OpsLibraryFunctions.Kernel, W = OpsLibraryFunctions.Classes * OpsLibraryFunctions.Features;
        double[] k = Random(K, 11), kb = Random(OpsLibraryFunctions.Filters, 12), w = Random(W, 13), b = Random(OpsLibraryFunctions.Classes, 14);
        var images = Random(OpsLibraryFunctions.Batch * OpsLibraryFunctions.Size * OpsLibraryFunctions.Size, 15);
        int[] labels = { 2, 0, 1 };
        double[] dK = new double[K], dKb = new double[kb.Length], dW = new double[W], dB = new double[b.Length];
        double value = OpsLibraryFunctions.CnnGradient(k, kb, w, b, images, labels, dK, dKb, dW, dB);
        Assert.Equal(OpsLibraryFunctions.Cnn(k, kb, w, b, images, labels), value);

        var point = k.Concat(kb).Concat(w).Concat(b).ToArray();
        double Loss(double[] p) => OpsLibraryFunctions.Cnn(p.AsSpan(0, K), p.AsSpan(K, kb.Length), p.AsSpan(K + kb.Length, W), p.AsSpan(K + kb.Length + W), images, labels);
        var options = GradientCheckOptions.Default with { Layout = new[] { ("k", K), ("kb", kb.Length), ("w", W), ("b", b.Length) } };
        var result = GradientCheck.Check(Loss, point, dK.Concat(dKb).Concat(dW).Concat(dB).ToArray(), options);
        Assert.True(result.Passed, result.ToString());
    }

    [Fact]
    public void StridedPaddedConv_DifferentiatesItsInputToo()
    {
        double[] input = Random(60, 16), weight = Random(24, 17), bias = Random(2, 18);
        double[] dInput = new double[60], dWeight = new double[24], dBias = new double[2];
        OpsLibraryFunctions.StridedConvGradient(input, weight, bias, dInput, dWeight, dBias);
        var result = GradientCheck.Check(p => OpsLibraryFunctions.StridedConv(p.AsSpan(0, 60), p.AsSpan(60, 24), p.AsSpan(84)),
            input.Concat(weight).Concat(bias).ToArray(), dInput.Concat(dWeight).Concat(dBias).ToArray());
        Assert.True(result.Passed, result.ToString());
    }

    [Fact]
    public void Cnn_Gradient_AfterWarmUp_AllocatesNothing()
    {
        double[] k = Random(18, 11), kb = Random(2, 12), w = Random(54, 13), b = Random(3, 14), images = Random(192, 15);
        int[] labels = { 2, 0, 1 };
        double[] dK = new double[18], dKb = new double[2], dW = new double[54], dB = new double[3];
        for (int i = 0; i < 5; i++) OpsLibraryFunctions.CnnGradient(k, kb, w, b, images, labels, dK, dKb, dW, dB);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 50; i++) OpsLibraryFunctions.CnnGradient(k, kb, w, b, images, labels, dK, dKb, dW, dB);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Theory]
    [InlineData(2, 64)]
    [InlineData(3, 50)]
    [InlineData(4, 5)]
    public void DataParallel_OfAGeneratedGradient_EqualsTheSingleThreadGradient(int workers, int batch)
    {
        const int Parameters = 6 * 4 + 6 + 6 + 1;
        var theta = Random(Parameters, 19);
        var xs = Random(batch * 4, 20);
        var ys = Random(batch, 21);

        var expected = Enumerable.Repeat(0.125, Parameters).ToArray();
        double expectedLoss = OpsLibraryFunctions.MlpGradient(theta, xs, ys, expected);

        using var parallel = new DataParallel<double>(Parameters, workers);
        var gradient = Enumerable.Repeat(0.125, Parameters).ToArray();
        double loss = parallel.Run(batch,
            (_, start, count, g) => OpsLibraryFunctions.MlpGradient(theta, xs.AsSpan(start * 4, count * 4), ys.AsSpan(start, count), g), gradient);

        Assert.Equal(expectedLoss, loss, 12);
        for (int i = 0; i < Parameters; i++) Assert.Equal(expected[i], gradient[i], 12);
    }
}
