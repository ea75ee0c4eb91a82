using System;
using Backprop.Training;
using Xunit;

namespace Backprop.Runtime.Tests;

public class BadInputTests
{
    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NegativeInfinity)]
    public void Step_NonFiniteGradient_ThrowsNamingParameterAndLeavesEverythingUnchanged(double bad)
    {
        foreach (var kind in OptimizerKinds.All)
        {
            var model = new OptimizerKinds.Model();
            var optimizer = OptimizerKinds.Create(kind, model.Set);
            for (int step = 1; step <= 3; step++) { model.FillGradients(step); optimizer.Step(); }
            model.FillGradients(4);
            model.DB[1] = bad;                          // in the second parameter: "w" would be updated first
            var w = (double[])model.W.Clone();
            var b = (double[])model.B.Clone();
            var state = optimizer.SaveState();

            var error = Assert.Throws<InvalidOperationException>(optimizer.Step);
            Assert.Contains("'b'", error.Message);
            Assert.Equal(w, model.W);
            Assert.Equal(b, model.B);
            OptimizerStateTests.AssertSameState(state, optimizer.SaveState());
            Assert.Equal(3, optimizer.StepCount);
        }
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void AddGroup_InvalidLearningRate_ThrowsNamingParameterLearningRate(double lr)
    {
        var set = new ParameterSet<double>();
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => set.AddGroup(lr));
        Assert.Equal("learningRate", error.ParamName);
        Assert.Empty(set.Groups);
    }

    [Fact]
    public void AddGroup_NegativeWeightDecay_ThrowsNamingParameterWeightDecay()
    {
        var set = new ParameterSet<double>();
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => set.AddGroup(0.1, -1));
        Assert.Equal("weightDecay", error.ParamName);
        Assert.Empty(set.Groups);
    }

    [Fact]
    public void SettingNaNLearningRate_ThrowsAndKeepsPreviousRate()
    {
        var group = new ParameterSet<double>().AddGroup(0.1);
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => group.LearningRate = double.NaN);
        Assert.Equal("LearningRate", error.ParamName);
        Assert.Equal(0.1, group.LearningRate);
    }

    [Fact]
    public void Add_MismatchedLengths_ThrowsNamingGradientsAndParameter()
    {
        var group = new ParameterSet<double>().AddGroup(0.1);
        var error = Assert.Throws<ArgumentException>(() => group.Add("w", new double[4], new double[3]));
        Assert.Equal("gradients", error.ParamName);
        Assert.Contains("'w'", error.Message);
        Assert.Empty(group.Parameters);
    }

    [Fact]
    public void Add_NullBuffer_ThrowsNamingIt()
    {
        var group = new ParameterSet<double>().AddGroup(0.1);
        Assert.Equal("values", Assert.Throws<ArgumentNullException>(() => group.Add("w", null!, new double[3])).ParamName);
        Assert.Equal("gradients", Assert.Throws<ArgumentNullException>(() => group.Add("w", new double[3], null!)).ParamName);
    }

    [Fact]
    public void Add_DuplicateName_ThrowsNamingName()
    {
        var set = new ParameterSet<double>();
        set.AddGroup(0.1).Add("w", new double[2], new double[2]);
        var error = Assert.Throws<ArgumentException>(() => set.AddGroup(0.2).Add("w", new double[2], new double[2]));
        Assert.Equal("name", error.ParamName);
        Assert.Single(set.Parameters);
    }

    [Fact]
    public void Add_AfterOptimizerIsBuilt_Throws()
    {
        var set = new ParameterSet<double>();
        var group = set.AddGroup(0.1).Add("w", new double[2], new double[2]);
        _ = new Sgd<double>(set);
        Assert.Throws<InvalidOperationException>(() => group.Add("b", new double[2], new double[2]));
        Assert.Throws<InvalidOperationException>(() => set.AddGroup(0.1));
    }

    [Fact]
    public void ZeroGrad_ClearsEveryGradientBuffer()
    {
        var model = new OptimizerKinds.Model();
        model.FillGradients(1);
        new Adam<double>(model.Set).ZeroGrad();
        Assert.All(model.DW, g => Assert.Equal(0.0, g));
        Assert.All(model.DB, g => Assert.Equal(0.0, g));
    }

    [Fact]
    public void Memory_RegisteredSlices_AreUpdatedInPlace()
    {
        var storage = new double[10];
        var gradients = new double[10];
        Array.Fill(gradients, 1.0);
        var set = new ParameterSet<double>();
        set.AddGroup(0.5).Add("middle", storage.AsMemory(2, 5), gradients.AsMemory(2, 5));
        new Sgd<double>(set).Step();
        Assert.Equal(new[] { 0, 0, -0.5, -0.5, -0.5, -0.5, -0.5, 0, 0, 0 }, storage);
    }
}
