using System;
using Xunit;

namespace Backprop.Consumer.Tests;

/// <summary>Buffers shared between a call's inputs and outputs: the fix BPG036 advises, and the entry points' overlap check.</summary>
public sealed class InPlaceTests
{
    [Fact]
    public void OutputsWrittenIntoSeparateBuffers_AsBPG036Advises_MatchFiniteDifferences()
    {
        double[] x = [0.3, -0.5, 0.8, 0.1, -0.7, 0.4, 0.6];
        var dX = new double[x.Length];
        double value = InPlaceFunctions.SeparateOutputsGradient(x, dX);
        Assert.Equal(InPlaceFunctions.SeparateOutputs(x), value);
        var result = GradientCheck.Check(p => InPlaceFunctions.SeparateOutputs(p), x, dX);
        Assert.True(result.Passed, result.ToString());
    }

    [Fact]
    public void WrittenBufferParameterOverlappingAnother_Throws_BeforeAnythingIsWritten_SeparateBuffersWork()
    {
        double[] w = [0.5, -1.5, 2.0];
        double[] dA = new double[3], dB = new double[3];
        var thrown = Assert.Throws<ArgumentException>(() => InPlaceFunctions.UpdateGradient(w, w, dA, dB));
        Assert.Equal("b", thrown.ParamName);
        Assert.StartsWith("The buffers 'a' and 'b' overlap: 'Update' writes into 'a'", thrown.Message);
        Assert.Throws<ArgumentException>(() => InPlaceFunctions.UpdatePullback(w, w, 1, dA, dB));
        double[] y = [1, 2, 3];
        Assert.Throws<ArgumentException>(() => InPlaceFunctions.SqBackward(y.AsSpan(0, 2), y.AsSpan(1, 2), new double[2], new double[2]));
        Assert.Equal([1, 2, 3], y);
        Assert.Equal([0.5, -1.5, 2.0], w);
        Assert.Equal(new double[3], dA);
        Assert.Equal(new double[3], dB);

        // Separate buffers: the value and the buffer Update leaves, and the gradient at the values on entry.
        double[] a = [0.5, -1.5, 2.0], b = [0.25, 0.75, -1.0];
        double[] expectedA = (double[])a.Clone();
        double expected = InPlaceFunctions.Update(expectedA, b);
        double[] point = [.. a, .. b];
        Assert.Equal(expected, InPlaceFunctions.UpdateGradient(a, b, dA, dB));
        Assert.Equal(expectedA, a);
        var result = GradientCheck.Check(p => InPlaceFunctions.Update(p[..3], p[3..]), point, [.. dA, .. dB]);
        Assert.True(result.Passed, result.ToString());
    }
}
