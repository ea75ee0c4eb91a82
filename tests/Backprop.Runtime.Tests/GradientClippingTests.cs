using System;
using System.Linq;
using Backprop.Training;
using CsCheck;
using Xunit;

namespace Backprop.Runtime.Tests;

public class GradientClippingTests
{
    private static (ParameterSet<double> Set, double[] A, double[] B) TwoParameters(double[] a, double[] b)
    {
        var set = new ParameterSet<double>();
        set.AddGroup(0.1).Add("a", new double[a.Length], a);
        set.AddGroup(0.2).Add("b", new double[b.Length], b);
        return (set, a, b);
    }

    private static readonly double[] GradA = { 3, -4, 1, 2, -2, 0.5, 7 };
    private static readonly double[] GradB = { -6, 1, 2 };

    [Theory]
    [InlineData(NormType.L2)]
    [InlineData(NormType.L1)]
    [InlineData(NormType.Infinity)]
    public void ClipGradNorm_AboveMax_ScalesLikeTorchAndReturnsNormBeforeClipping(NormType normType)
    {
        var (set, a, b) = TwoParameters((double[])GradA.Clone(), (double[])GradB.Clone());
        var all = GradA.Concat(GradB).ToArray();
        double expectedTotal = normType switch
        {
            NormType.L2 => Math.Sqrt(all.Sum(x => x * x)),
            NormType.L1 => all.Sum(Math.Abs),
            _ => all.Max(Math.Abs),
        };
        double scale = Math.Min(2.0 / (expectedTotal + 1e-6), 1.0);

        double total = GradientClipping.ClipGradNorm(set, maxNorm: 2.0, normType);

        Assert.Equal(expectedTotal, total, 12);
        OptimizerHarness.AssertClose(GradA.Select(x => x * scale).ToArray(), a, 1e-14, "a");
        OptimizerHarness.AssertClose(GradB.Select(x => x * scale).ToArray(), b, 1e-14, "b");
    }

    [Fact]
    public void ClipGradNorm_BelowMax_LeavesGradientsExactlyUnchanged()
    {
        var (set, a, b) = TwoParameters((double[])GradA.Clone(), (double[])GradB.Clone());
        double total = GradientClipping.ClipGradNorm(set, maxNorm: 100);
        Assert.Equal(Math.Sqrt(GradA.Concat(GradB).Sum(x => x * x)), total, 12);
        Assert.Equal(GradA, a);
        Assert.Equal(GradB, b);
    }

    [Theory]
    [InlineData(NormType.L2, double.PositiveInfinity)]
    [InlineData(NormType.L1, double.NaN)]
    [InlineData(NormType.Infinity, double.NaN)]
    [InlineData(NormType.Infinity, double.NegativeInfinity)]
    public void ClipGradNorm_NonFiniteTotal_ThrowsNamingParameterAndChangesNothing(NormType normType, double bad)
    {
        var badB = (double[])GradB.Clone();
        badB[2] = bad;
        var (set, a, b) = TwoParameters((double[])GradA.Clone(), badB);

        var error = Assert.Throws<InvalidOperationException>(() => GradientClipping.ClipGradNorm(set, 1.0, normType));

        Assert.Contains("'b'", error.Message);
        Assert.Equal(GradA, a);
        Assert.Equal(badB, b);
    }

    [Fact]
    public void ClipGradNorm_OverflowingSquares_ThrowsNamingTheParameterThatOverflowed()
    {
        var (set, _, _) = TwoParameters((double[])GradA.Clone(), new[] { 1e200, 1.0, 1.0 });
        var error = Assert.Throws<InvalidOperationException>(() => GradientClipping.ClipGradNorm(set, 1.0));
        Assert.Contains("'b'", error.Message);
    }

    [Fact]
    public void ClipGradNorm_NonFiniteWithErrorDisabled_ReturnsTotalAndScalesLikeTorch()
    {
        var (set, a, b) = TwoParameters((double[])GradA.Clone(), new[] { double.PositiveInfinity, 1.0, 1.0 });
        double total = GradientClipping.ClipGradNorm(set, 1.0, errorIfNonfinite: false);
        Assert.Equal(double.PositiveInfinity, total);
        Assert.All(a, x => Assert.Equal(0.0, Math.Abs(x)));   // scale = 1/(∞ + 1e-6) = 0
        Assert.True(double.IsNaN(b[0]));                       // ∞ · 0
    }

    [Theory]
    [InlineData(-1.0)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void ClipGradNorm_InvalidMaxNorm_ThrowsNamingMaxNorm(double maxNorm)
    {
        var (set, _, _) = TwoParameters((double[])GradA.Clone(), (double[])GradB.Clone());
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => GradientClipping.ClipGradNorm(set, maxNorm));
        Assert.Equal("maxNorm", error.ParamName);
    }

    [Fact]
    public void ClipGradNorm_UnknownNormType_ThrowsNamingNormType()
    {
        var (set, _, _) = TwoParameters((double[])GradA.Clone(), (double[])GradB.Clone());
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => GradientClipping.ClipGradNorm(set, 1, (NormType)7));
        Assert.Equal("normType", error.ParamName);
    }

    [Fact]
    public void ClipGradNorm_Float_MatchesDoubleFormula()
    {
        var g = GradA.Select(x => (float)x).ToArray();
        var set = new ParameterSet<float>();
        set.AddGroup(0.1).Add("a", new float[g.Length], g);
        double total = GradientClipping.ClipGradNorm(set, 1.0);
        double expectedTotal = Math.Sqrt(GradA.Sum(x => x * x));
        Assert.Equal(expectedTotal, total, 5);
        for (int i = 0; i < g.Length; i++)
            Assert.Equal(GradA[i] / (expectedTotal + 1e-6), g[i], 5);
    }

    [Fact]
    public void ClipGradValue_ClampsIntoRangeAndKeepsNaN()
    {
        var (set, a, b) = TwoParameters(new[] { 3, -4, 0.5, -0.5, 1, -1, 2.5, double.NaN, 0 }, new[] { double.NegativeInfinity, 0.25, 9 });
        GradientClipping.ClipGradValue(set, 1.0);
        Assert.Equal(new[] { 1, -1, 0.5, -0.5, 1, -1, 1, double.NaN, 0 }, a);
        Assert.Equal(new[] { -1, 0.25, 1.0 }, b);
    }

    [Fact]
    public void ClipGradValue_NegativeClipValue_ThrowsNamingClipValue()
    {
        var (set, _, _) = TwoParameters((double[])GradA.Clone(), (double[])GradB.Clone());
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => GradientClipping.ClipGradValue(set, -1));
        Assert.Equal("clipValue", error.ParamName);
    }

    [Fact]
    public void ClipGradNorm_NeverIncreasesNormAndPreservesDirection()
    {
        var gradients = Gen.Double[-1e3, 1e3].Array[1, 40];
        Gen.Select(gradients, gradients, Gen.Double[1e-3, 1e3], Gen.Enum<NormType>()).Sample(t =>
        {
            var (a, b, maxNorm, normType) = t;
            var (set, clippedA, clippedB) = TwoParameters((double[])a.Clone(), (double[])b.Clone());

            double before = GradientClipping.ClipGradNorm(set, maxNorm, normType);
            double after = GradientClipping.ClipGradNorm(set, double.MaxValue, normType);

            Assert.True(after <= before * (1 + 1e-12), $"norm grew from {before} to {after}");
            Assert.True(after <= maxNorm * (1 + 1e-12) || before <= maxNorm, $"norm {after} above max {maxNorm}");
            var original = a.Concat(b).ToArray();
            var clipped = clippedA.Concat(clippedB).ToArray();
            int pivot = Array.FindIndex(original, x => x != 0);
            if (pivot < 0) return;
            double scale = clipped[pivot] / original[pivot];
            Assert.InRange(scale, 0, 1 + 1e-15);
            for (int i = 0; i < original.Length; i++)
                Assert.True(Math.Abs(clipped[i] - scale * original[i]) <= 1e-12 * Math.Abs(original[i]), $"entry {i} changed direction");
        });
    }
}
