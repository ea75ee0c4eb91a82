using System;
using Backprop.Training;
using Xunit;

namespace Backprop.Runtime.Tests;

public class AdagradTests
{
    /// <summary>torch.optim.Adagrad, one element at a time.</summary>
    private static Action<double[], double[], int> Reference(
        double lr, double weightDecay, double lrDecay = 0, double initialAccumulatorValue = 0, double eps = 1e-10, bool maximize = false)
    {
        var sum = new double[OptimizerHarness.Length];
        Array.Fill(sum, initialAccumulatorValue);
        return (p, g, step) =>
        {
            double decayedLr = lr / (1 + (step - 1) * lrDecay);
            for (int i = 0; i < p.Length; i++)
            {
                double d = maximize ? -g[i] : g[i];
                d = d + weightDecay * p[i];
                sum[i] = sum[i] + d * d;
                p[i] = p[i] - decayedLr * d / (Math.Sqrt(sum[i]) + eps);
            }
        };
    }

    [Fact]
    public void Adagrad_Defaults_MatchesReferenceSequence() =>
        OptimizerHarness.AssertMatchesReference(s => new Adagrad<double>(s), 0.1, 0, Reference(0.1, 0));

    [Fact]
    public void Adagrad_LrDecay_MatchesReferenceSequence() =>
        OptimizerHarness.AssertMatchesReference(
            s => new Adagrad<double>(s, new AdagradOptions { LrDecay = 0.5 }), 0.1, 0, Reference(0.1, 0, lrDecay: 0.5));

    [Fact]
    public void Adagrad_InitialAccumulatorValue_MatchesReferenceSequence() =>
        OptimizerHarness.AssertMatchesReference(
            s => new Adagrad<double>(s, new AdagradOptions { InitialAccumulatorValue = 0.7 }), 0.1, 0, Reference(0.1, 0, initialAccumulatorValue: 0.7));

    [Fact]
    public void Adagrad_WeightDecayAndEps_MatchesReferenceSequence() =>
        OptimizerHarness.AssertMatchesReference(
            s => new Adagrad<double>(s, new AdagradOptions { Eps = 0.05 }), 0.1, 0.2, Reference(0.1, 0.2, eps: 0.05));

    [Fact]
    public void Adagrad_Maximize_MatchesReferenceSequence() =>
        OptimizerHarness.AssertMatchesReference(
            s => new Adagrad<double>(s, new AdagradOptions { Maximize = true, LrDecay = 0.1 }), 0.1, 0, Reference(0.1, 0, lrDecay: 0.1, maximize: true));

    [Theory]
    [InlineData(-1.0)]
    [InlineData(double.NaN)]
    public void AdagradOptions_NegativeOrNaNLrDecay_ThrowsNamingLrDecay(double lrDecay)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new AdagradOptions { LrDecay = lrDecay });
        Assert.Equal("LrDecay", error.ParamName);
    }

    [Fact]
    public void AdagradOptions_NegativeInitialAccumulator_ThrowsNamingIt()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new AdagradOptions { InitialAccumulatorValue = -0.1 });
        Assert.Equal("InitialAccumulatorValue", error.ParamName);
    }
}
