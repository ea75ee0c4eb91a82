using System;
using Backprop.Training;
using Xunit;

namespace Backprop.Runtime.Tests;

public class EarlyStoppingTests
{
    private static (ParameterSet<double> Set, double[] W) Model()
    {
        var w = new double[5];
        var set = new ParameterSet<double>();
        set.AddGroup(0.1).Add("w", w, new double[5]);
        return (set, w);
    }

    [Fact]
    public void EarlyStopping_StopsAfterPatienceAndRestoresBestParameters()
    {
        var (set, w) = Model();
        var stopping = new EarlyStopping<double>(set, patience: 3);
        double[] metrics = { 5, 4, 4.5, 4.2, 4.1 };
        var stops = new bool[metrics.Length];
        for (int epoch = 0; epoch < metrics.Length; epoch++)
        {
            Array.Fill(w, epoch);
            stops[epoch] = stopping.Observe(metrics[epoch]);
        }

        Assert.Equal(new[] { false, false, false, false, true }, stops);
        Assert.Equal(4, stopping.BestMetric);
        Assert.Equal(1, stopping.BestObservation);
        stopping.RestoreBest();
        Assert.All(w, x => Assert.Equal(1.0, x));
    }

    [Fact]
    public void EarlyStopping_ImprovementSmallerThanMinDelta_DoesNotCount()
    {
        var (set, w) = Model();
        var stopping = new EarlyStopping<double>(set, patience: 2, minDelta: 0.1);
        Array.Fill(w, 1.0);
        stopping.Observe(4.0);
        Array.Fill(w, 2.0);
        stopping.Observe(3.95);
        Assert.Equal(4.0, stopping.BestMetric);
        Assert.Equal(1, stopping.ObservationsWithoutImprovement);
        stopping.RestoreBest();
        Assert.All(w, x => Assert.Equal(1.0, x));
    }

    [Fact]
    public void EarlyStopping_MaxMode_TracksHighestMetric()
    {
        var (set, _) = Model();
        var stopping = new EarlyStopping<double>(set, patience: 1, mode: PlateauMode.Max);
        Assert.False(stopping.Observe(0.5));
        Assert.False(stopping.Observe(0.7));
        Assert.True(stopping.Observe(0.6));
        Assert.Equal(0.7, stopping.BestMetric);
    }

    [Fact]
    public void EarlyStopping_NaNMetric_NeverImproves()
    {
        var (set, _) = Model();
        var stopping = new EarlyStopping<double>(set, patience: 1);
        Assert.True(stopping.Observe(double.NaN));
        Assert.Throws<InvalidOperationException>(stopping.RestoreBest);
    }

    [Fact]
    public void EarlyStopping_ZeroPatience_ThrowsNamingPatience()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new EarlyStopping<double>(Model().Set, 0));
        Assert.Equal("patience", error.ParamName);
    }
}
