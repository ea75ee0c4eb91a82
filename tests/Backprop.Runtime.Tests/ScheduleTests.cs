using System;
using System.Collections.Generic;
using Backprop.Training;
using Xunit;

namespace Backprop.Runtime.Tests;

public class ScheduleTests
{
    private static (ParameterGroup First, ParameterGroup Second, IReadOnlyList<ParameterGroup> Groups) TwoGroups()
    {
        var set = new ParameterSet<double>();
        var first = set.AddGroup(0.1);
        var second = set.AddGroup(0.04);
        return (first, second, set.Groups);
    }

    /// <summary>Steps <paramref name="schedule"/> and records the first group's rate, epoch 0 included.</summary>
    private static double[] Trace(LearningRateSchedule schedule, ParameterGroup group, int epochs)
    {
        var rates = new double[epochs + 1];
        rates[0] = group.LearningRate;
        for (int e = 1; e <= epochs; e++)
        {
            schedule.Step();
            rates[e] = group.LearningRate;
        }
        return rates;
    }

    [Fact]
    public void StepLR_MultipliesByGammaEveryStepSizeEpochs()
    {
        var (first, second, groups) = TwoGroups();
        var schedule = new StepLR(groups, stepSize: 3, gamma: 0.5);
        var rates = Trace(schedule, first, 7);
        OptimizerHarness.AssertClose(new[] { 0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.025, 0.025 }, rates, 1e-15, "StepLR");
        Assert.Equal(0.04 * 0.25, second.LearningRate, 15);
        Assert.Equal(7, schedule.LastEpoch);
    }

    [Fact]
    public void ExponentialLR_MultipliesByGammaEveryEpoch()
    {
        var (first, second, groups) = TwoGroups();
        var rates = Trace(new ExponentialLR(groups, gamma: 0.9), first, 4);
        OptimizerHarness.AssertClose(new[] { 0.1, 0.09, 0.081, 0.0729, 0.06561 }, rates, 1e-14, "ExponentialLR");
        Assert.Equal(0.04 * 0.6561, second.LearningRate, 15);
    }

    [Fact]
    public void CosineAnnealingLR_FollowsHalfCosineToEtaMin()
    {
        var (first, _, groups) = TwoGroups();
        var rates = Trace(new CosineAnnealingLR(groups, tMax: 4, etaMin: 0.02), first, 4);
        var expected = new double[5];
        for (int e = 0; e <= 4; e++)
            expected[e] = 0.02 + (0.1 - 0.02) * (1 + Math.Cos(Math.PI * e / 4)) / 2;
        OptimizerHarness.AssertClose(expected, rates, 1e-14, "CosineAnnealingLR");
        Assert.Equal(0.06, rates[2], 15);
        Assert.Equal(0.02, rates[4], 15);
    }

    [Fact]
    public void LinearLR_WarmsUpFromStartFactorAndThenHolds()
    {
        var (first, second, groups) = TwoGroups();
        var schedule = new LinearLR(groups, startFactor: 0.25, endFactor: 1.0, totalIters: 3);
        Assert.Equal(0.025, first.LearningRate, 15);
        Assert.Equal(0.01, second.LearningRate, 15);
        var rates = Trace(schedule, first, 5);
        OptimizerHarness.AssertClose(new[] { 0.025, 0.05, 0.075, 0.1, 0.1, 0.1 }, rates, 1e-14, "LinearLR");
    }

    [Fact]
    public void StepLR_ZeroStepSize_ThrowsNamingStepSize()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new StepLR(TwoGroups().Groups, 0));
        Assert.Equal("stepSize", error.ParamName);
    }

    [Fact]
    public void ExponentialLR_NaNGamma_ThrowsNamingGamma()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new ExponentialLR(TwoGroups().Groups, double.NaN));
        Assert.Equal("gamma", error.ParamName);
    }

    [Fact]
    public void LinearLR_ZeroStartFactor_ThrowsNamingStartFactor()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new LinearLR(TwoGroups().Groups, startFactor: 0));
        Assert.Equal("startFactor", error.ParamName);
    }

    [Fact]
    public void CosineAnnealingLR_NegativeEtaMin_ThrowsNamingEtaMin()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new CosineAnnealingLR(TwoGroups().Groups, 10, -1));
        Assert.Equal("etaMin", error.ParamName);
    }

    /// <summary>A schedule of the test's own, as a user would derive one.</summary>
    private sealed class DelegateSchedule : LearningRateSchedule
    {
        private readonly Func<double, int, double> _rate;

        public DelegateSchedule(IReadOnlyList<ParameterGroup> groups, Func<double, int, double> rate)
            : base(groups)
        {
            _rate = rate;
            Start();
        }

        protected override double LearningRateAt(double baseLearningRate, int epoch) => _rate(baseLearningRate, epoch);
    }

    [Fact]
    public void Step_CustomScheduleTurnsSecondGroupNegative_ThrowsNamingScheduleGroupAndEpochAndChangesNothing()
    {
        var (first, second, groups) = TwoGroups();
        // 0.1 and 0.04 lose 0.015 an epoch: the second group goes below zero at epoch 3, the first stays positive.
        var schedule = new DelegateSchedule(groups, (baseRate, epoch) => baseRate - 0.015 * epoch);
        schedule.Step();
        schedule.Step();
        double firstBefore = first.LearningRate, secondBefore = second.LearningRate;

        var error = Assert.Throws<InvalidOperationException>(schedule.Step);

        Assert.Contains(nameof(DelegateSchedule), error.Message);
        Assert.Contains("group 1", error.Message);
        Assert.Contains("epoch 3", error.Message);
        Assert.Equal(2, schedule.LastEpoch);
        Assert.Equal(firstBefore, first.LearningRate);
        Assert.Equal(secondBefore, second.LearningRate);
        Assert.Throws<InvalidOperationException>(schedule.Step);    // still at epoch 2, so the same epoch is refused again
        Assert.Equal(2, schedule.LastEpoch);
    }

    [Fact]
    public void ExponentialLR_RateOverflowingToInfinity_ThrowsNamingScheduleGroupAndEpochAndChangesNothing()
    {
        var set = new ParameterSet<double>();
        var small = set.AddGroup(0.1);
        var huge = set.AddGroup(1e300);
        var schedule = new ExponentialLR(set.Groups, gamma: 2);
        for (int epoch = 1; epoch <= 27; epoch++)                   // 1e300 · 2^27 ≈ 1.3e308 is still finite
            schedule.Step();
        double smallBefore = small.LearningRate, hugeBefore = huge.LearningRate;
        Assert.Equal(0.1 * (1 << 27), smallBefore);

        var error = Assert.Throws<InvalidOperationException>(schedule.Step);   // 1e300 · 2^28 overflows

        Assert.Contains(nameof(ExponentialLR), error.Message);
        Assert.Contains("group 1", error.Message);
        Assert.Contains("epoch 28", error.Message);
        Assert.Equal(27, schedule.LastEpoch);
        Assert.Equal(smallBefore, small.LearningRate);
        Assert.Equal(hugeBefore, huge.LearningRate);
    }

    [Fact]
    public void Construction_CustomScheduleRejectingEpochZero_ThrowsAndChangesNoRate()
    {
        var (first, second, groups) = TwoGroups();

        var error = Assert.Throws<InvalidOperationException>(
            () => new DelegateSchedule(groups, (baseRate, _) => baseRate < 0.05 ? double.NaN : baseRate / 2));

        Assert.Contains("group 1", error.Message);
        Assert.Contains("epoch 0", error.Message);
        Assert.Equal(0.1, first.LearningRate);
        Assert.Equal(0.04, second.LearningRate);
    }
}
