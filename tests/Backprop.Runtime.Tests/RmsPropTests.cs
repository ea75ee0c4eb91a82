using System;
using Backprop.Training;
using Xunit;

namespace Backprop.Runtime.Tests;

public class RmsPropTests
{
    /// <summary>torch.optim.RMSprop, one element at a time.</summary>
    private static Action<double[], double[], int> Reference(
        double lr, double weightDecay, double alpha = 0.99, double eps = 1e-8, double momentum = 0, bool centered = false, bool maximize = false)
    {
        var squareAverage = new double[OptimizerHarness.Length];
        var gradientAverage = new double[OptimizerHarness.Length];
        var buffer = new double[OptimizerHarness.Length];
        return (p, g, step) =>
        {
            for (int i = 0; i < p.Length; i++)
            {
                double d = maximize ? -g[i] : g[i];
                d = d + weightDecay * p[i];
                squareAverage[i] = alpha * squareAverage[i] + (1 - alpha) * d * d;
                double denominator;
                if (centered)
                {
                    gradientAverage[i] = alpha * gradientAverage[i] + (1 - alpha) * d;
                    denominator = Math.Sqrt(squareAverage[i] - gradientAverage[i] * gradientAverage[i]) + eps;
                }
                else
                {
                    denominator = Math.Sqrt(squareAverage[i]) + eps;
                }
                if (momentum > 0)
                {
                    buffer[i] = momentum * buffer[i] + d / denominator;
                    p[i] = p[i] - lr * buffer[i];
                }
                else
                {
                    p[i] = p[i] - lr * d / denominator;
                }
            }
        };
    }

    [Fact]
    public void RmsProp_Defaults_MatchesReferenceSequence() =>
        OptimizerHarness.AssertMatchesReference(s => new RmsProp<double>(s), 0.01, 0, Reference(0.01, 0));

    [Fact]
    public void RmsProp_Alpha_MatchesReferenceSequence() =>
        OptimizerHarness.AssertMatchesReference(
            s => new RmsProp<double>(s, new RmsPropOptions { Alpha = 0.7, Eps = 1e-3 }), 0.01, 0, Reference(0.01, 0, alpha: 0.7, eps: 1e-3));

    [Fact]
    public void RmsProp_Centered_MatchesReferenceSequence() =>
        OptimizerHarness.AssertMatchesReference(
            s => new RmsProp<double>(s, new RmsPropOptions { Centered = true, Alpha = 0.9 }), 0.01, 0, Reference(0.01, 0, alpha: 0.9, centered: true));

    [Fact]
    public void RmsProp_Momentum_MatchesReferenceSequence() =>
        OptimizerHarness.AssertMatchesReference(
            s => new RmsProp<double>(s, new RmsPropOptions { Momentum = 0.9 }), 0.01, 0, Reference(0.01, 0, momentum: 0.9));

    [Fact]
    public void RmsProp_WeightDecay_MatchesReferenceSequence() =>
        OptimizerHarness.AssertMatchesReference(s => new RmsProp<double>(s), 0.01, 0.3, Reference(0.01, 0.3));

    [Fact]
    public void RmsProp_Maximize_MatchesReferenceSequence() =>
        OptimizerHarness.AssertMatchesReference(
            s => new RmsProp<double>(s, new RmsPropOptions { Maximize = true }), 0.01, 0, Reference(0.01, 0, maximize: true));

    [Fact]
    public void RmsProp_CenteredMomentumAndWeightDecay_MatchesReferenceSequence() =>
        OptimizerHarness.AssertMatchesReference(
            s => new RmsProp<double>(s, new RmsPropOptions { Centered = true, Momentum = 0.5, Alpha = 0.8 }),
            0.01, 0.1, Reference(0.01, 0.1, alpha: 0.8, momentum: 0.5, centered: true));

    [Theory]
    [InlineData(-0.1)]
    [InlineData(1.1)]
    [InlineData(double.NaN)]
    public void RmsPropOptions_AlphaOutOfRange_ThrowsNamingAlpha(double alpha)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new RmsPropOptions { Alpha = alpha });
        Assert.Equal("Alpha", error.ParamName);
    }

    [Fact]
    public void RmsPropOptions_NegativeMomentum_ThrowsNamingMomentum()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new RmsPropOptions { Momentum = -0.5 });
        Assert.Equal("Momentum", error.ParamName);
    }
}
