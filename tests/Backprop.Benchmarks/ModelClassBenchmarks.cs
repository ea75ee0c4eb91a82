using System;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;

namespace Backprop.Benchmarks;

/// <summary>
/// samples/Digits' model class (<c>Mlp</c> with <c>Linear</c> sub-modules, gradients into <c>dThis</c>) against the same
/// model as static methods over spans (<see cref="DigitsStaticModel"/>), on the same parameters and batch: each style's
/// gradient is timed against its own forward pass (the baseline of its category).
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class ModelClassBenchmarks
{
    private ModelData _d = ModelData.Digits(1);
    private global::Digits.Mlp _model = null!, _gradient = null!;
    private int[] _labels = null!;

    [Params(1, 32)]
    public int Batch { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _d = ModelData.Digits(Batch);
        (_model, _gradient, _labels) = ModelData.DigitsModule(_d);
    }

    [Benchmark(Baseline = true), BenchmarkCategory("Model class")]
    public double ModuleForward() => _model.Loss(_d.X, _labels);

    [Benchmark, BenchmarkCategory("Model class")]
    public double ModuleGradient() => _model.LossGradient(_d.X, _labels, _gradient) + _gradient.Fc1.Weight[0];

    [Benchmark(Baseline = true), BenchmarkCategory("Static methods")]
    public double StaticForward() => DigitsStaticModel.Loss(_d.P[0], _d.P[1], _d.P[2], _d.P[3], _d.X, _labels);

    [Benchmark, BenchmarkCategory("Static methods")]
    public double StaticGradient() =>
        DigitsStaticModel.LossGradient(_d.P[0], _d.P[1], _d.P[2], _d.P[3], _d.X, _labels, _d.G[0], _d.G[1], _d.G[2], _d.G[3]) + _d.G[0][0];
}
