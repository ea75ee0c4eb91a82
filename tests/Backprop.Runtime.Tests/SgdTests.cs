using Backprop.Training;
using Xunit;

namespace Backprop.Runtime.Tests;

public class SgdTests
{
    /// <summary>torch.optim.SGD's update, one element at a time.</summary>
    private static System.Action<double[], double[], int> Reference(
        double lr, double weightDecay, double momentum = 0, double dampening = 0, bool nesterov = false, bool maximize = false)
    {
        var buffer = new double[OptimizerHarness.Length];
        return (p, g, step) =>
        {
            for (int i = 0; i < p.Length; i++)
            {
                double d = maximize ? -g[i] : g[i];
                if (weightDecay != 0) d = d + weightDecay * p[i];
                if (momentum != 0)
                {
                    buffer[i] = step == 1 ? d : momentum * buffer[i] + (1 - dampening) * d;
                    d = nesterov ? d + momentum * buffer[i] : buffer[i];
                }
                p[i] = p[i] - lr * d;
            }
        };
    }

    [Fact]
    public void Sgd_Plain_MatchesReferenceSequence() =>
        OptimizerHarness.AssertMatchesReference(s => new Sgd<double>(s), 0.1, 0, Reference(0.1, 0));

    [Fact]
    public void Sgd_Momentum_MatchesReferenceSequence() =>
        OptimizerHarness.AssertMatchesReference(s => new Sgd<double>(s, new SgdOptions { Momentum = 0.9 }), 0.05, 0, Reference(0.05, 0, momentum: 0.9));

    [Fact]
    public void Sgd_MomentumWithDampening_MatchesReferenceSequence() =>
        OptimizerHarness.AssertMatchesReference(
            s => new Sgd<double>(s, new SgdOptions { Momentum = 0.8, Dampening = 0.3 }), 0.05, 0, Reference(0.05, 0, momentum: 0.8, dampening: 0.3));

    [Fact]
    public void Sgd_Nesterov_MatchesReferenceSequence() =>
        OptimizerHarness.AssertMatchesReference(
            s => new Sgd<double>(s, new SgdOptions { Momentum = 0.9, Nesterov = true }), 0.05, 0, Reference(0.05, 0, momentum: 0.9, nesterov: true));

    [Fact]
    public void Sgd_WeightDecay_MatchesReferenceSequence() =>
        OptimizerHarness.AssertMatchesReference(s => new Sgd<double>(s), 0.1, 0.2, Reference(0.1, 0.2));

    [Fact]
    public void Sgd_Maximize_MatchesReferenceSequence() =>
        OptimizerHarness.AssertMatchesReference(s => new Sgd<double>(s, new SgdOptions { Maximize = true }), 0.1, 0, Reference(0.1, 0, maximize: true));

    [Fact]
    public void Sgd_AllOptionsTogether_MatchesReferenceSequence() =>
        OptimizerHarness.AssertMatchesReference(
            s => new Sgd<double>(s, new SgdOptions { Momentum = 0.7, Nesterov = true, Maximize = true }),
            0.03, 0.1, Reference(0.03, 0.1, momentum: 0.7, nesterov: true, maximize: true));

    [Theory]
    [InlineData(0.0, 0.0)]
    [InlineData(0.9, 0.1)]
    public void Sgd_NesterovWithoutMomentumOrWithDampening_Throws(double momentum, double dampening)
    {
        var set = new ParameterSet<double>();
        set.AddGroup(0.1).Add("w", new double[3], new double[3]);
        var error = Assert.Throws<System.ArgumentException>(
            () => new Sgd<double>(set, new SgdOptions { Momentum = momentum, Dampening = dampening, Nesterov = true }));
        Assert.Equal("options", error.ParamName);
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void SgdOptions_InvalidMomentum_ThrowsNamingMomentum(double momentum)
    {
        var error = Assert.Throws<System.ArgumentOutOfRangeException>(() => new SgdOptions { Momentum = momentum });
        Assert.Equal("Momentum", error.ParamName);
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(1.5)]
    [InlineData(double.NaN)]
    public void SgdOptions_DampeningOutsideUnitInterval_ThrowsNamingDampening(double dampening)
    {
        var error = Assert.Throws<System.ArgumentOutOfRangeException>(() => new SgdOptions { Dampening = dampening });
        Assert.Equal("Dampening", error.ParamName);
    }
}
