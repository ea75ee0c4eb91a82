using System;
using System.Collections.Generic;
using Backprop.Training;
using Xunit;

namespace Backprop.Runtime.Tests;

/// <summary>
/// Every argument check of the runtime reports the argument under the name the caller wrote: a method's or
/// constructor's parameter name, or the property name for an option set in an object initializer or assignment.
/// </summary>
public class ArgumentNameTests
{
    private static IReadOnlyList<ParameterGroup> Groups()
    {
        var set = new ParameterSet<double>();
        set.AddGroup(0.1);
        return set.Groups;
    }

    private static ParameterSet<double> OneParameter()
    {
        var set = new ParameterSet<double>();
        set.AddGroup(0.1).Add("w", new double[3], new double[3]);
        return set;
    }

    /// <summary>Each bad call, spelled as the caller writes it, with the name the exception must give.</summary>
    private static readonly Dictionary<string, (string ParamName, Action Call)> Calls = new()
    {
        ["set.AddGroup(learningRate: -1)"] = ("learningRate", () => new ParameterSet<double>().AddGroup(learningRate: -1)),
        ["set.AddGroup(0.1, weightDecay: NaN)"] = ("weightDecay", () => new ParameterSet<double>().AddGroup(0.1, weightDecay: double.NaN)),
        ["group.LearningRate = -1"] = ("LearningRate", () => new ParameterSet<double>().AddGroup(0.1).LearningRate = -1),
        ["group.WeightDecay = +inf"] = ("WeightDecay", () => new ParameterSet<double>().AddGroup(0.1).WeightDecay = double.PositiveInfinity),
        ["new SgdOptions { Momentum = -1 }"] = ("Momentum", () => _ = new SgdOptions { Momentum = -1 }),
        ["new AdamOptions { Beta1 = 1 }"] = ("Beta1", () => _ = new AdamOptions { Beta1 = 1 }),
        ["new RmsPropOptions { Alpha = 2 }"] = ("Alpha", () => _ = new RmsPropOptions { Alpha = 2 }),
        ["new AdagradOptions { LrDecay = -1 }"] = ("LrDecay", () => _ = new AdagradOptions { LrDecay = -1 }),
        ["new Sgd<double>(set, options: Nesterov without momentum)"] = ("options", () => _ = new Sgd<double>(OneParameter(), new SgdOptions { Nesterov = true })),
        ["new OptimizerState<double>(..., step: -1, ...)"] = ("step", () => _ = new OptimizerState<double>("Adam", -1, Array.Empty<double>(), Array.Empty<double[]>())),
        ["new OptimizerState<double>(..., learningRates: [-1], ...)"] = ("learningRates", () => _ = new OptimizerState<double>("Adam", 0, new[] { -1.0 }, Array.Empty<double[]>())),
        ["new StepLR(groups, stepSize: 0)"] = ("stepSize", () => _ = new StepLR(Groups(), stepSize: 0)),
        ["new StepLR(groups, 1, gamma: -1)"] = ("gamma", () => _ = new StepLR(Groups(), 1, gamma: -1)),
        ["new ExponentialLR(groups, gamma: NaN)"] = ("gamma", () => _ = new ExponentialLR(Groups(), gamma: double.NaN)),
        ["new CosineAnnealingLR(groups, tMax: 0)"] = ("tMax", () => _ = new CosineAnnealingLR(Groups(), tMax: 0)),
        ["new CosineAnnealingLR(groups, 10, etaMin: -1)"] = ("etaMin", () => _ = new CosineAnnealingLR(Groups(), 10, etaMin: -1)),
        ["new LinearLR(groups, startFactor: 0)"] = ("startFactor", () => _ = new LinearLR(Groups(), startFactor: 0)),
        ["new LinearLR(groups, endFactor: 2)"] = ("endFactor", () => _ = new LinearLR(Groups(), endFactor: 2)),
        ["new LinearLR(groups, totalIters: 0)"] = ("totalIters", () => _ = new LinearLR(Groups(), totalIters: 0)),
        ["new ReduceLROnPlateau(groups, mode: 7)"] = ("mode", () => _ = new ReduceLROnPlateau(Groups(), mode: (PlateauMode)7)),
        ["new ReduceLROnPlateau(groups, factor: 1)"] = ("factor", () => _ = new ReduceLROnPlateau(Groups(), factor: 1)),
        ["new ReduceLROnPlateau(groups, patience: -1)"] = ("patience", () => _ = new ReduceLROnPlateau(Groups(), patience: -1)),
        ["new ReduceLROnPlateau(groups, threshold: NaN)"] = ("threshold", () => _ = new ReduceLROnPlateau(Groups(), threshold: double.NaN)),
        ["new ReduceLROnPlateau(groups, thresholdMode: 7)"] = ("thresholdMode", () => _ = new ReduceLROnPlateau(Groups(), thresholdMode: (ThresholdMode)7)),
        ["new ReduceLROnPlateau(groups, cooldown: -1)"] = ("cooldown", () => _ = new ReduceLROnPlateau(Groups(), cooldown: -1)),
        ["new ReduceLROnPlateau(groups, minLr: -1)"] = ("minLr", () => _ = new ReduceLROnPlateau(Groups(), minLr: -1)),
        ["new ReduceLROnPlateau(groups, eps: -1)"] = ("eps", () => _ = new ReduceLROnPlateau(Groups(), eps: -1)),
        ["GradientClipping.ClipGradNorm(set, maxNorm: -1)"] = ("maxNorm", () => GradientClipping.ClipGradNorm(OneParameter(), maxNorm: -1)),
        ["GradientClipping.ClipGradNorm(set, 1, normType: 7)"] = ("normType", () => GradientClipping.ClipGradNorm(OneParameter(), 1, normType: (NormType)7)),
        ["GradientClipping.ClipGradValue(set, clipValue: NaN)"] = ("clipValue", () => GradientClipping.ClipGradValue(OneParameter(), clipValue: double.NaN)),
        ["Penalty.L2(values, gradients, strength: -1)"] = ("strength", () => Penalty.L2<double>(new double[1], new double[1], strength: -1)),
        ["Penalty.L1(emptySet, strength: -1)"] = ("strength", () => Penalty.L1(new ParameterSet<double>(), strength: -1.0)),
        ["Penalty.L2(emptySet, strength: NaN)"] = ("strength", () => Penalty.L2(new ParameterSet<double>(), strength: double.NaN)),
        ["Dropout.FillMask(mask, p: 2, random)"] = ("p", () => Dropout.FillMask<double>(new double[1], p: 2, new Random(1))),
        ["new EarlyStopping<double>(set, patience: 0)"] = ("patience", () => _ = new EarlyStopping<double>(OneParameter(), patience: 0)),
        ["new EarlyStopping<double>(set, 1, minDelta: -1)"] = ("minDelta", () => _ = new EarlyStopping<double>(OneParameter(), 1, minDelta: -1)),
        ["new EarlyStopping<double>(set, 1, mode: 7)"] = ("mode", () => _ = new EarlyStopping<double>(OneParameter(), 1, mode: (PlateauMode)7)),
        ["GradientCheck.Check(..., new GradientCheckOptions { Epsilon = 0 })"] = ("Epsilon", () => Check(new GradientCheckOptions { Epsilon = 0 })),
        ["GradientCheck.Check(..., new GradientCheckOptions { AbsoluteTolerance = -1 })"] = ("AbsoluteTolerance", () => Check(new GradientCheckOptions { AbsoluteTolerance = -1 })),
        ["GradientCheck.Check(..., new GradientCheckOptions { RelativeTolerance = -1 })"] = ("RelativeTolerance", () => Check(new GradientCheckOptions { RelativeTolerance = -1 })),
        ["GradientCheck.Check(..., options: a layout shorter than the point)"] = ("options", () => Check(new GradientCheckOptions { Layout = new[] { ("x", 1) } })),
    };

    public static TheoryData<string> CallNames => new(Calls.Keys);

    private static void Check(GradientCheckOptions options) =>
        GradientCheck.Check(x => x[0] * x[1], new double[] { 1, 2 }, new double[] { 2, 1 }, options);

    [Theory]
    [MemberData(nameof(CallNames))]
    public void InvalidArgument_IsReportedUnderTheNameTheCallerWrote(string call)
    {
        var (paramName, action) = Calls[call];
        var error = Assert.ThrowsAny<ArgumentException>(action);
        Assert.Equal(paramName, error.ParamName);
        Assert.Contains($"'{paramName}'", error.Message);
    }
}
