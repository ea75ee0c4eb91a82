using System;
using System.Collections.Generic;
using Backprop.Training;
using Xunit;

namespace Backprop.Runtime.Tests;

public class OptimizerStateTests
{
    [Theory]
    [MemberData(nameof(OptimizerKinds.All), MemberType = typeof(OptimizerKinds))]
    public void SaveState_RestoredIntoFreshOptimizer_ContinuesBitIdentically(string kind)
    {
        var original = new OptimizerKinds.Model();
        var optimizer = OptimizerKinds.Create(kind, original.Set);
        for (int step = 1; step <= 5; step++) { original.FillGradients(step); optimizer.Step(); }
        var saved = optimizer.SaveState();
        var resumed = new OptimizerKinds.Model();
        resumed.CopyValuesFrom(original);
        for (int step = 6; step <= 10; step++) { original.FillGradients(step); optimizer.Step(); }

        var fresh = OptimizerKinds.Create(kind, resumed.Set);
        fresh.LoadState(saved);
        Assert.Equal(5, fresh.StepCount);
        for (int step = 6; step <= 10; step++) { resumed.FillGradients(step); fresh.Step(); }

        Assert.Equal(original.W, resumed.W);
        Assert.Equal(original.B, resumed.B);
    }

    [Fact]
    public void LoadState_RestoresGroupLearningRates()
    {
        var model = new OptimizerKinds.Model();
        var optimizer = new Adam<double>(model.Set);
        model.Set.Groups[0].LearningRate = 0.5;
        var saved = optimizer.SaveState();
        model.Set.Groups[0].LearningRate = 0.1;
        optimizer.LoadState(saved);
        Assert.Equal(0.5, model.Set.Groups[0].LearningRate);
    }

    [Fact]
    public void SaveState_IsACopy_NotAViewOfLiveState()
    {
        var model = new OptimizerKinds.Model();
        var optimizer = new Adam<double>(model.Set);
        model.FillGradients(1);
        optimizer.Step();
        var saved = optimizer.SaveState();
        var before = saved.Buffers[0].ToArray();
        model.FillGradients(2);
        optimizer.Step();
        Assert.Equal(before, saved.Buffers[0].ToArray());
    }

    [Fact]
    public void LoadState_FromAnotherOptimizerKind_ThrowsAndChangesNothing()
    {
        var model = new OptimizerKinds.Model();
        var adam = new Adam<double>(model.Set);
        model.FillGradients(1);
        adam.Step();
        var before = adam.SaveState();
        var other = new OptimizerKinds.Model();
        var sgdState = new Sgd<double>(other.Set, new SgdOptions { Momentum = 0.9 }).SaveState();

        var error = Assert.Throws<ArgumentException>(() => adam.LoadState(sgdState));
        Assert.Equal("state", error.ParamName);
        AssertSameState(before, adam.SaveState());
    }

    [Fact]
    public void LoadState_WithWrongBufferLength_ThrowsNamingParameterAndChangesNothing()
    {
        var model = new OptimizerKinds.Model();
        var adam = new Adam<double>(model.Set);
        model.FillGradients(1);
        adam.Step();
        var before = adam.SaveState();
        var buffers = new double[before.Buffers.Count][];
        for (int i = 0; i < buffers.Length; i++) buffers[i] = before.Buffers[i].ToArray();
        buffers[0] = new double[5];                     // the first buffer of "w" has the wrong length...
        buffers[3] = new double[3];                     // ...after a correct-looking one, so a partial copy would show
        Array.Fill(buffers[3], 42.0);
        var corrupt = new OptimizerState<double>("Adam", 9, new[] { 0.3, 0.4 }, buffers);

        var error = Assert.Throws<ArgumentException>(() => adam.LoadState(corrupt));
        Assert.Equal("state", error.ParamName);
        Assert.Contains("'w'", error.Message);
        AssertSameState(before, adam.SaveState());
        Assert.Equal(0.01, model.Set.Groups[0].LearningRate);
    }

    [Fact]
    public void SaveState_Snapshot_CannotBeRewrittenThroughItsInterfaces()
    {
        var model = new OptimizerKinds.Model();
        var saved = new Adam<double>(model.Set).SaveState();
        // LoadState trusts the rates the constructor checked; a writable array behind IReadOnlyList would let a
        // negative rate in after the check, and LoadState would fail half-way, after copying the buffers.
        var rates = Assert.IsAssignableFrom<IList<double>>(saved.LearningRates);
        Assert.Throws<NotSupportedException>(() => rates[0] = -1);
        var buffers = Assert.IsAssignableFrom<IList<ReadOnlyMemory<double>>>(saved.Buffers);
        Assert.Throws<NotSupportedException>(() => buffers[0] = new double[1]);
    }

    [Fact]
    public void OptimizerState_NegativeStep_ThrowsNamingStep()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(
            () => new OptimizerState<double>("Adam", -1, Array.Empty<double>(), Array.Empty<double[]>()));
        Assert.Equal("step", error.ParamName);
    }

    internal static void AssertSameState(OptimizerState<double> expected, OptimizerState<double> actual)
    {
        Assert.Equal(expected.Step, actual.Step);
        Assert.Equal(expected.LearningRates, actual.LearningRates);
        Assert.Equal(expected.Buffers.Count, actual.Buffers.Count);
        for (int i = 0; i < expected.Buffers.Count; i++)
            Assert.Equal(expected.Buffers[i].ToArray(), actual.Buffers[i].ToArray());
    }
}
