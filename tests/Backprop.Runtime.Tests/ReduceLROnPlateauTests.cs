using System;
using Backprop.Training;
using Xunit;

namespace Backprop.Runtime.Tests;

public class ReduceLROnPlateauTests
{
    private static double[] Run(ReduceLROnPlateau scheduler, ParameterGroup group, params double[] metrics)
    {
        var rates = new double[metrics.Length];
        for (int i = 0; i < metrics.Length; i++)
        {
            scheduler.Step(metrics[i]);
            rates[i] = group.LearningRate;
        }
        return rates;
    }

    [Fact]
    public void ReduceLROnPlateau_PatienceAndCooldown_ReduceAsTorchDoes()
    {
        var group = new ParameterSet<double>().AddGroup(1.0);
        var scheduler = new ReduceLROnPlateau(new[] { group }, factor: 0.5, patience: 1, threshold: 0, cooldown: 1);
        // epoch:           1   2  3  4    5    6    7    8
        var rates = Run(scheduler, group, 10, 9, 9, 9, 9, 8, 8, 8);
        Assert.Equal(new[] { 1, 1, 1, 0.5, 0.5, 0.5, 0.5, 0.25 }, rates);
        Assert.Equal(8, scheduler.Best);
    }

    [Fact]
    public void ReduceLROnPlateau_RelativeThreshold_IgnoresTooSmallImprovements()
    {
        var group = new ParameterSet<double>().AddGroup(1.0);
        var scheduler = new ReduceLROnPlateau(new[] { group }, factor: 0.5, patience: 0, threshold: 0.1);
        var rates = Run(scheduler, group, 10, 9.5, 8.9);
        Assert.Equal(new[] { 1, 0.5, 0.5 }, rates);
        Assert.Equal(8.9, scheduler.Best);
    }

    [Fact]
    public void ReduceLROnPlateau_MaxModeAbsoluteThreshold_NeedsRiseAboveBestPlusThreshold()
    {
        var group = new ParameterSet<double>().AddGroup(1.0);
        var scheduler = new ReduceLROnPlateau(new[] { group }, PlateauMode.Max, factor: 0.5, patience: 0, threshold: 0.5, thresholdMode: ThresholdMode.Absolute);
        var rates = Run(scheduler, group, 1, 1.4, 1.6);
        Assert.Equal(new[] { 1, 0.5, 0.5 }, rates);
    }

    [Fact]
    public void ReduceLROnPlateau_MinLr_FloorsTheRate()
    {
        var group = new ParameterSet<double>().AddGroup(1.0);
        var scheduler = new ReduceLROnPlateau(new[] { group }, factor: 0.1, patience: 0, minLr: 0.05);
        var rates = Run(scheduler, group, 1, 1, 1, 1);
        Assert.Equal(1.0, rates[0]);
        Assert.Equal(0.1, rates[1], 15);
        Assert.Equal(0.05, rates[2]);
        Assert.Equal(0.05, rates[3]);
    }

    [Fact]
    public void ReduceLROnPlateau_ReductionSmallerThanEps_IsSkipped()
    {
        var group = new ParameterSet<double>().AddGroup(1e-9);
        var scheduler = new ReduceLROnPlateau(new[] { group }, factor: 0.5, patience: 0, eps: 1e-8);
        Run(scheduler, group, 1, 1);
        Assert.Equal(1e-9, group.LearningRate);
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(-0.5)]
    [InlineData(double.NaN)]
    public void ReduceLROnPlateau_FactorOutsideZeroToOne_ThrowsNamingFactor(double factor)
    {
        var group = new ParameterSet<double>().AddGroup(1.0);
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new ReduceLROnPlateau(new[] { group }, factor: factor));
        Assert.Equal("factor", error.ParamName);
    }

    [Fact]
    public void ReduceLROnPlateau_NegativePatience_ThrowsNamingPatience()
    {
        var group = new ParameterSet<double>().AddGroup(1.0);
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new ReduceLROnPlateau(new[] { group }, patience: -1));
        Assert.Equal("patience", error.ParamName);
    }
}
