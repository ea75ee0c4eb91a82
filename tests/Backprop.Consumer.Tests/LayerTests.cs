using System;
using System.Linq;
using Xunit;

namespace Backprop.Consumer.Tests;

/// <summary>Layers, local buffers and element writes against central finite differences.</summary>
public sealed class LayerTests
{
    private static double[] Random(int n, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, n).Select(_ => random.NextDouble() * 2 - 1).ToArray();
    }

    [Fact]
    public void PackedParameters_SlicedForLayers_MatchFiniteDifferences()
    {
        double[] theta = Random(26, 11), x = Random(3, 12);
        var dTheta = new double[26];
        double value = LayerFunctions.PackedNetworkGradient(theta, x, 0.25, dTheta);
        Assert.Equal(LayerFunctions.PackedNetwork(theta, x, 0.25), value);
        var result = GradientCheck.Check(p => LayerFunctions.PackedNetwork(p, x, 0.25), theta, dTheta);
        Assert.True(result.Passed, result.ToString());

        // The same network with separate parameters gives the same gradient, piece by piece.
        double[] dW1 = new double[15], dB1 = new double[5], dW2 = new double[5], dB2 = new double[1];
        LayerFunctions.SimpleNNGradient(theta.AsSpan(0, 15), theta.AsSpan(15, 5), theta.AsSpan(20, 5), theta.AsSpan(25), x, 0.25, dW1, dB1, dW2, dB2);
        Assert.Equal(dW1.Concat(dB1).Concat(dW2).Concat(dB2), dTheta);
    }

    [Fact]
    public void PackedParameters_UnwantedGradient_IsAnEmptySpan()
    {
        double[] theta = Random(26, 11), x = Random(3, 12);
        double value = LayerFunctions.PackedNetworkPullback(theta, x, 0.25, 1, default);
        Assert.Equal(LayerFunctions.PackedNetwork(theta, x, 0.25), value);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    [InlineData(4)]
    public void RangeSlices_MatchFiniteDifferences(int k)
    {
        double[] w = Random(6, 15), x = Random(5, 16);
        double[] dW = new double[6], dX = new double[5];
        double value = LayerFunctions.RangesGradient(w, x, k, dW, dX);
        Assert.Equal(LayerFunctions.Ranges(w, x, k), value);
        var result = GradientCheck.Check(p => LayerFunctions.Ranges(p[..6], p.AsSpan(6), k), w.Concat(x).ToArray(), dW.Concat(dX).ToArray());
        Assert.True(result.Passed, result.ToString());
    }

    [Fact]
    public void OutputSlices_Concatenation_MatchesFiniteDifferences()
    {
        double[] x = Random(3, 17), theta = Random(14, 18);
        double[] dX = new double[3], dTheta = new double[14];
        double value = LayerFunctions.ConcatenatedBranchesGradient(x, theta, dX, dTheta);
        Assert.Equal(LayerFunctions.ConcatenatedBranches(x, theta), value);
        var result = GradientCheck.Check(p => LayerFunctions.ConcatenatedBranches(p.AsSpan(0, 3), p[3..]), x.Concat(theta).ToArray(), dX.Concat(dTheta).ToArray());
        Assert.True(result.Passed, result.ToString());
    }

    [Fact]
    public void OutputSlices_InALoopOfALayer_MatchFiniteDifferences()
    {
        double[] x = Random(4, 19), w = Random(4, 20);
        double[] dX = new double[4], dW = new double[4];
        LayerFunctions.TwoBlockLayersGradient(x, w, dX, dW);
        var result = GradientCheck.Check(p => LayerFunctions.TwoBlockLayers(p.AsSpan(0, 4), p.AsSpan(4)), x.Concat(w).ToArray(), dX.Concat(dW).ToArray());
        Assert.True(result.Passed, result.ToString());
    }

    [Fact]
    public void SlicesWithRunTimeStarts_MatchFiniteDifferences()
    {
        double[] signal = Random(7, 13), kernel = Random(3, 14);
        double[] dSignal = new double[7], dKernel = new double[3];
        LayerFunctions.SlidingWindowsGradient(signal, kernel, dSignal, dKernel);
        var result = GradientCheck.Check(p => LayerFunctions.SlidingWindows(p.AsSpan(0, 7), p.AsSpan(7)), signal.Concat(kernel).ToArray(), dSignal.Concat(dKernel).ToArray());
        Assert.True(result.Passed, result.ToString());
    }

    [Fact]
    public void LinearBackward_AccumulatesInputGradients_ForGivenOutputAdjoints()
    {
        double[] x = Random(4, 1), w = Random(12, 2), b = Random(3, 3), seed = Random(3, 4);
        double[] dX = new double[4], dW = new double[12], dB = new double[3], y = new double[3];
        double[] dY = seed.ToArray();
        LayerFunctions.LinearBackward(x, w, b, y, dY, dX, dW, dB);

        double Projected(double[] p)
        {
            var output = new double[3];
            LayerFunctions.Linear(p.AsSpan(0, 4), p.AsSpan(4, 12), p.AsSpan(16, 3), output);
            return output.Zip(seed, (o, s) => o * s).Sum();
        }
        var result = GradientCheck.Check(Projected, x.Concat(w).Concat(b).ToArray(), dX.Concat(dW).Concat(dB).ToArray(),
            GradientCheckOptions.Default with { Layout = new[] { ("x", 4), ("w", 12), ("b", 3) } });
        Assert.True(result.Passed, result.ToString());

        // The backward ran the layer (its outputs hold the forward values) and consumed the output adjoints.
        var expected = new double[3];
        LayerFunctions.Linear(x, w, b, expected);
        Assert.Equal(expected, y);
        Assert.All(dY, v => Assert.Equal(0, v));
    }

    [Fact]
    public void Backward_TakesAnEmptySpanForAnUnwantedGradient_AndStillChecksWrongLengths()
    {
        double[] x = Random(4, 1), w = Random(12, 2), b = Random(3, 3), seed = Random(3, 4);
        double[] dXFull = new double[4], dW = new double[12], dB = new double[3], dWOnly = new double[12], dBOnly = new double[3];
        LayerFunctions.LinearBackward(x, w, b, new double[3], seed.ToArray(), dXFull, dW, dB);
        LayerFunctions.LinearBackward(x, w, b, new double[3], seed.ToArray(), default, dWOnly, dBOnly);
        Assert.Equal(dW, dWOnly);
        Assert.Equal(dB, dBOnly);
        Assert.Throws<ArgumentException>(() => LayerFunctions.LinearBackward(x, w, b, new double[3], seed.ToArray(), new double[3], dWOnly, dBOnly));

        // Every combination of wanted and unwanted gradients (each reaches its own copy of the versioned reverse loop)
        // gives the wanted ones exactly as when all are wanted.
        for (int wanted = 0; wanted < 8; wanted++)
        {
            double[] dXSome = new double[(wanted & 1) != 0 ? 4 : 0], dWSome = new double[(wanted & 2) != 0 ? 12 : 0], dBSome = new double[(wanted & 4) != 0 ? 3 : 0];
            var dY = seed.ToArray();
            LayerFunctions.LinearBackward(x, w, b, new double[3], dY, dXSome, dWSome, dBSome);
            if ((wanted & 1) != 0) Assert.Equal(dXFull, dXSome);
            if ((wanted & 2) != 0) Assert.Equal(dW, dWSome);
            if ((wanted & 4) != 0) Assert.Equal(dB, dBSome);
            Assert.All(dY, v => Assert.Equal(0, v));
        }
    }

    [Fact]
    public void SimpleNN_LossThroughLayersAndStackBuffers_MatchesFiniteDifferences()
    {
        double[] w1 = Random(50, 5), b1 = Random(5, 6), w2 = Random(5, 7), b2 = Random(1, 8), x = Random(10, 9);
        double[] dW1 = new double[50], dB1 = new double[5], dW2 = new double[5], dB2 = new double[1];
        double loss = LayerFunctions.SimpleNNGradient(w1, b1, w2, b2, x, 0.3, dW1, dB1, dW2, dB2);
        Assert.Equal(LayerFunctions.SimpleNN(w1, b1, w2, b2, x, 0.3), loss);
        var result = GradientCheck.Check(
            p => LayerFunctions.SimpleNN(p.AsSpan(0, 50), p.AsSpan(50, 5), p.AsSpan(55, 5), p.AsSpan(60, 1), x, 0.3),
            w1.Concat(b1).Concat(w2).Concat(b2).ToArray(), dW1.Concat(dB1).Concat(dW2).Concat(dB2).ToArray(),
            GradientCheckOptions.Default with { Layout = new[] { ("w1", 50), ("b1", 5), ("w2", 5), ("b2", 1) } });
        Assert.True(result.Passed, result.ToString());
    }

    [Fact]
    public void SoftmaxCrossEntropy_WithMaxShiftAndStackBuffer_MatchesFiniteDifferences()
    {
        var logits = Random(6, 11);
        for (int label = 0; label < 6; label++)
        {
            var dLogits = new double[6];
            LayerFunctions.SoftmaxCrossEntropyGradient(logits, label, dLogits);
            var result = GradientCheck.Check(p => LayerFunctions.SoftmaxCrossEntropy(p, label), logits, dLogits);
            Assert.True(result.Passed, result.ToString());
            Assert.Equal(0, dLogits.Sum(), 12); // softmax minus one-hot sums to zero
        }
    }

    [Fact]
    public void Recurrence_OverAnArrayLocal_MatchesFiniteDifferences()
    {
        var xs = Random(25, 12);
        var u = new[] { 0.4, -0.2 };
        var dU = new double[2];
        LayerFunctions.RecurrentGradient(u, 0.8, xs, dU, out double dW);
        var result = GradientCheck.Check(p => LayerFunctions.Recurrent(p.AsSpan(0, 2), p[2], xs), u.Append(0.8).ToArray(), dU.Append(dW).ToArray());
        Assert.True(result.Passed, result.ToString());
    }

    [Fact]
    public void OverwrittenBufferElements_AreRestoredForTheReverseSweep()
    {
        foreach (var (x, y) in new[] { (0.3, 0.7), (-1.2, 0.4), (1.1, -0.9) })
        {
            LayerFunctions.OverwritesGradient(x, y, out double dX, out double dY);
            var result = GradientCheck.Check(p => LayerFunctions.Overwrites(p[0], p[1]), new[] { x, y }, new[] { dX, dY });
            Assert.True(result.Passed, result.ToString());
        }
    }

    [Fact]
    public void LayerArgumentReadingItsOwnOutput_IsDifferentiatedBeforeTheCall()
    {
        foreach (var (x, y) in new[] { (0.3, 0.7), (-1.2, 0.4), (1.1, -0.9) })
        {
            LayerFunctions.LayerArgumentReadsItsOutputGradient(x, y, out double dX, out double dY);
            var result = GradientCheck.Check(p => LayerFunctions.LayerArgumentReadsItsOutput(p[0], p[1]), new[] { x, y }, new[] { dX, dY },
                GradientCheckOptions.Default with { AbsoluteTolerance = 1e-7, RelativeTolerance = 1e-5 });
            Assert.True(result.Passed, result.ToString());
        }
    }

    [Fact]
    public void FloatLayersWithArrayArguments_MatchFiniteDifferences()
    {
        var random = new Random(21);
        float[] w1 = new float[6], w2 = new float[3], x = { 0.5f, -0.8f };
        for (int i = 0; i < 6; i++) w1[i] = (float)(random.NextDouble() - 0.5);
        for (int i = 0; i < 3; i++) w2[i] = (float)(random.NextDouble() - 0.5);
        var dW1 = new float[6];
        var dW2 = new float[3];
        float loss = FloatLayers.LossGradient(w1, w2, x, 0.2f, dW1, dW2);
        Assert.Equal(FloatLayers.Loss(w1, w2, x, 0.2f), loss);
        var point = new float[9];
        w1.CopyTo(point, 0);
        w2.CopyTo(point, 6);
        var analytic = new float[9];
        dW1.CopyTo(analytic, 0);
        dW2.CopyTo(analytic, 6);
        var result = GradientCheck.Check(p => FloatLayers.Loss(p[..6], p[6..], x, 0.2f), point, analytic);
        Assert.True(result.Passed, result.ToString());
    }

    [Fact]
    public void LayerGradients_AllocateNothing()
    {
        double[] w1 = Random(50, 5), b1 = Random(5, 6), w2 = Random(5, 7), b2 = Random(1, 8), x = Random(10, 9);
        double[] dW1 = new double[50], dB1 = new double[5], dW2 = new double[5], dB2 = new double[1];
        for (int i = 0; i < 100; i++) LayerFunctions.SimpleNNGradient(w1, b1, w2, b2, x, 0.3, dW1, dB1, dW2, dB2);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++) LayerFunctions.SimpleNNGradient(w1, b1, w2, b2, x, 0.3, dW1, dB1, dW2, dB2);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
