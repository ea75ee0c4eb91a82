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
    public void LayerRule_WritingPartOfItsOutput_KeepsTheGradientOfTheEntriesItLeaves()
    {
        double[] x = [0.3, -0.5, 0.8, 0.1, -0.6, 0.2];
        var dX = new double[6];
        Assert.Equal(LayerFunctions.PartialRule(x), LayerFunctions.PartialRuleGradient(x, dX));
        var result = GradientCheck.Check(p => LayerFunctions.PartialRule(p), x, dX);
        Assert.True(result.Passed, result.ToString());
        var dXLayer = new double[6];
        LayerFunctions.PartialRuleInLayerGradient(x, dXLayer);
        Assert.Equal(dX, dXLayer);
        // A generated layer's backward consumes dY as its rule does: the even entries zeroed, the odd ones untouched.
        double[] dY = [1, 2, 3, 4, 5, 6];
        LayerFunctions.HalfLayerBackward(x, new double[6], dY, new double[6]);
        Assert.Equal([0, 2, 0, 4, 0, 6], dY);
    }

    [Fact]
    public void LayerRule_WithAReadOnlyOutputAdjoint_OverwritesTheWholeOutput()
    {
        double[] x = [0.3, -0.5, 0.8, 0.1];
        var dX = new double[4];
        Assert.Equal(LayerFunctions.ReadOnlyRule(x), LayerFunctions.ReadOnlyRuleGradient(x, dX));
        var result = GradientCheck.Check(p => LayerFunctions.ReadOnlyRule(p), x, dX);
        Assert.True(result.Passed, result.ToString());
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

    // ---------------------------------------------------------------- what a layer's backward leaves behind (issue 15)

    /// <summary>
    /// Calls a layer's backward on outputs that hold stale values: afterwards they hold exactly what the layer itself
    /// leaves in the same buffers (its results where it writes, the stale values where it does not), and the adjoints of
    /// the entries it writes are zero (the others untouched).
    /// </summary>
    private static void AssertBackwardLeavesResults(int length, int written, Action<double[]> layer, Action<double[], double[]> backward)
    {
        double[] stale = Random(length, 30);
        double[] expected = stale.ToArray();
        layer(expected);
        double[] y = stale.ToArray();
        double[] seed = Random(length, 31);
        double[] dY = seed.ToArray();
        backward(y, dY);
        Assert.Equal(expected, y);
        Assert.Equal(new double[written].Concat(seed.Skip(written)), dY);
    }

    /// <summary>The input gradients a backward accumulates against central differences of the outputs projected on the adjoints.</summary>
    private static void AssertBackwardMatchesFiniteDifferences(double[] inputs, int outputs, Func<double[], double[]> layer, Func<double[], double[], double[]> backward)
    {
        double[] seed = Random(outputs, 32);
        double[] gradient = backward(inputs, seed.ToArray());
        var result = GradientCheck.Check(p => layer(p).Zip(seed, (o, s) => o * s).Sum(), inputs, gradient);
        Assert.True(result.Passed, result.ToString());
    }

    [Fact]
    public void TanhLoopBackward_LeavesTheLayersResults_AndConsumesTheAdjoints()
    {
        double[] a = Random(3, 33);
        AssertBackwardLeavesResults(3, 3, y => LayerFunctions.TanhEach(a, y), (y, dY) => LayerFunctions.TanhEachBackward(a, y, dY, new double[3]));
        // An output longer than what the layer writes keeps its other entries, and so do their adjoints.
        AssertBackwardLeavesResults(5, 3, y => LayerFunctions.TanhEach(a, y), (y, dY) => LayerFunctions.TanhEachBackward(a, y, dY, new double[3]));
        AssertBackwardLeavesResults(3, 3, y => LayerFunctions.TanhEachIntoArray(a, y), (y, dY) => LayerFunctions.TanhEachIntoArrayBackward(a, y, dY, new double[3]));
        AssertBackwardLeavesResults(3, 3, y => LayerFunctions.Mix(a, 0.7, y), (y, dY) =>
        {
            double dScale = 0;
            LayerFunctions.MixBackward(a, 0.7, y, dY, default, ref dScale);
        });
        AssertBackwardMatchesFiniteDifferences(a, 3, p =>
        {
            var y = new double[3];
            LayerFunctions.TanhEach(p, y);
            return y;
        }, (p, dY) =>
        {
            var dA = new double[3];
            LayerFunctions.TanhEachBackward(p, new double[3], dY, dA);
            return dA;
        });
    }

    [Fact]
    public void LayerCallingLayersBackward_LeavesTheLayersResults_AndConsumesTheAdjoints()
    {
        double[] a = Random(3, 34), w = Random(6, 35);
        AssertBackwardLeavesResults(2, 2, y => LayerFunctions.StackedLayers(a, w, y), (y, dY) => LayerFunctions.StackedLayersBackward(a, w, y, dY, new double[3], new double[6]));
        double[] x = Random(4, 36);
        AssertBackwardLeavesResults(4, 4, y => LayerFunctions.BlockDiagonal(x, w.AsSpan(0, 4), y), (y, dY) => LayerFunctions.BlockDiagonalBackward(x, w.AsSpan(0, 4), y, dY, new double[4], new double[4]));
        AssertBackwardMatchesFiniteDifferences(a.Concat(w).ToArray(), 2, p =>
        {
            var y = new double[2];
            LayerFunctions.StackedLayers(p.AsSpan(0, 3), p.AsSpan(3), y);
            return y;
        }, (p, dY) =>
        {
            double[] dA = new double[3], dW = new double[6];
            LayerFunctions.StackedLayersBackward(p.AsSpan(0, 3), p.AsSpan(3), new double[2], dY, dA, dW);
            return dA.Concat(dW).ToArray();
        });
    }

    [Fact]
    public void BranchesAndLoopsBackward_LeavesTheLayersResults_AndConsumesTheAdjoints()
    {
        double[] x = { 0.8, -0.3, 0.2, -1.1, 0.5 };
        AssertBackwardLeavesResults(5, 5, y => LayerFunctions.Piecewise(x, 0.9, y), (y, dY) =>
        {
            double dS = 0;
            LayerFunctions.PiecewiseBackward(x, 0.9, y, dY, new double[5], ref dS);
        });
        AssertBackwardMatchesFiniteDifferences(x.Append(0.9).ToArray(), 5, p =>
        {
            var y = new double[5];
            LayerFunctions.Piecewise(p.AsSpan(0, 5), p[5], y);
            return y;
        }, (p, dY) =>
        {
            double[] dX = new double[5];
            double dS = 0;
            LayerFunctions.PiecewiseBackward(p.AsSpan(0, 5), p[5], new double[5], dY, dX, ref dS);
            return dX.Append(dS).ToArray();
        });
    }

    [Fact]
    public void OutputWrittenTwiceBackward_LeavesTheLastWrites_AndConsumesTheAdjoints()
    {
        double[] x = Random(4, 37);
        AssertBackwardLeavesResults(4, 4, y => LayerFunctions.WrittenTwice(x, 0.6, y), (y, dY) =>
        {
            double dS = 0;
            LayerFunctions.WrittenTwiceBackward(x, 0.6, y, dY, new double[4], ref dS);
        });
        AssertBackwardMatchesFiniteDifferences(x.Append(0.6).ToArray(), 4, p =>
        {
            var y = new double[4];
            LayerFunctions.WrittenTwice(p.AsSpan(0, 4), p[4], y);
            return y;
        }, (p, dY) =>
        {
            double[] dX = new double[4];
            double dS = 0;
            LayerFunctions.WrittenTwiceBackward(p.AsSpan(0, 4), p[4], new double[4], dY, dX, ref dS);
            return dX.Append(dS).ToArray();
        });
    }

    [Fact]
    public void OutputsThatDependOnNoDifferentiatedInput_HaveTheirAdjointsConsumed()
    {
        double[] x = Random(3, 38), mask = Random(2, 39);
        double[] y = new double[3], c = new double[4], m = new double[2];
        double[] dY = Random(3, 40), dC = Random(4, 41), dM = Random(2, 42), dX = new double[3];
        LayerFunctions.WithConstantOutputsBackward(x, mask, y, c, m, dY, dC, dM, dX);
        double[] expectedY = new double[3], expectedC = new double[4], expectedM = new double[2];
        LayerFunctions.WithConstantOutputs(x, mask, expectedY, expectedC, expectedM);
        Assert.Equal(expectedY, y);
        Assert.Equal(expectedC, c);
        Assert.Equal(expectedM, m);
        Assert.All(dY.Concat(dC).Concat(dM), v => Assert.Equal(0, v));
        AssertBackwardMatchesFiniteDifferences(x, 3, p =>
        {
            var output = new double[3];
            LayerFunctions.WithConstantOutputs(p, mask, output, new double[4], new double[2]);
            return output;
        }, (p, seed) =>
        {
            var gradient = new double[3];
            LayerFunctions.WithConstantOutputsBackward(p, mask, new double[3], new double[4], new double[2], seed, Random(4, 43), Random(2, 44), gradient);
            return gradient;
        });
    }

    [Fact]
    public void LayersWithOnlyNoDerivativeInputs_LeaveTheirResults_AndConsumeTheAdjoints()
    {
        double[] x = Random(3, 45);
        AssertBackwardLeavesResults(3, 3, y => LayerFunctions.AllNoDerivative(x, 1.3, y), (y, dY) => LayerFunctions.AllNoDerivativeBackward(x, 1.3, y, dY));
        AssertBackwardLeavesResults(3, 3, y => LayerFunctions.CallsWithoutDerivative(x, y), (y, dY) => LayerFunctions.CallsWithoutDerivativeBackward(x, y, dY));
        AssertBackwardLeavesResults(3, 3, y => LayerFunctions.Fill(2.5, y), (y, dY) => LayerFunctions.FillBackward(2.5, y, dY));
    }

    [Fact]
    public void CallerOfALayerWithoutDerivative_OverwritingABufferWithAdjoints_MatchesFiniteDifferences()
    {
        foreach (double x in new[] { 0.3, -1.2, 0.9 })
        {
            double value = LayerFunctions.OverwrittenByAConstantLayerGradient(x, out double dX);
            Assert.Equal(LayerFunctions.OverwrittenByAConstantLayer(x), value);
            var result = GradientCheck.Check(p => LayerFunctions.OverwrittenByAConstantLayer(p[0]), new[] { x }, new[] { dX });
            Assert.True(result.Passed, result.ToString());
        }
    }

    [Fact]
    public void LayerBackwardKeepingItsResults_AllocatesNothing()
    {
        double[] x = { 0.8, -0.3, 0.2, -1.1, 0.5 }, y = new double[5], dY = new double[5], dX = new double[5];
        double dS = 0;
        for (int i = 0; i < 100; i++) LayerFunctions.PiecewiseBackward(x, 0.9, y, dY, dX, ref dS);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++) LayerFunctions.PiecewiseBackward(x, 0.9, y, dY, dX, ref dS);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
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
