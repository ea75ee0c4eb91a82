using System;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace Backprop.Benchmarks;

/// <summary>
/// A short in-process job for the operation benchmarks: in process so that the libtorch rows (Torch/, opt-in) run in the
/// process that <c>torchsharp-run</c> started, and the library rows next to them use the same runtime and libm.
/// </summary>
public sealed class OpsConfig : ManualConfig
{
    public OpsConfig()
    {
        AddJob(Job.ShortRun.WithToolchain(InProcessEmitToolchain.Instance).WithWarmupCount(3).WithIterationCount(5).WithId("ShortInProcess"));
        AddDiagnoser(MemoryDiagnoser.Default);
    }
}

/// <summary><see cref="Ops.MatMul(ReadOnlySpan{double}, ReadOnlySpan{double}, Span{double}, int, int, int)"/> alone: <c>c = a · b</c>, m × k × n.</summary>
[Config(typeof(OpsConfig))]
public class GemmBenchmarks
{
    private double[] _ad = [], _bd = [], _cd = [];
    private float[] _af = [], _bf = [], _cf = [];
    private int _m, _k, _n;

    [Params("32x784x128", "256x256x256")]
    public string Shape { get; set; } = "";

    [GlobalSetup]
    public void Setup()
    {
        var parts = Array.ConvertAll(Shape.Split('x'), int.Parse);
        (_m, _k, _n) = (parts[0], parts[1], parts[2]);
        var random = new Random(1);
        _ad = new double[_m * _k];
        _bd = new double[_k * _n];
        for (int i = 0; i < _ad.Length; i++) _ad[i] = random.NextDouble();
        for (int i = 0; i < _bd.Length; i++) _bd[i] = random.NextDouble();
        _cd = new double[_m * _n];
        _af = Array.ConvertAll(_ad, v => (float)v);
        _bf = Array.ConvertAll(_bd, v => (float)v);
        _cf = new float[_m * _n];
    }

    [Benchmark]
    public void Double() => Ops.MatMul(_ad, _bd, _cd, _m, _k, _n);

    [Benchmark]
    public void Float() => Ops.MatMul(_af, _bf, _cf, _m, _k, _n);
}

/// <summary>The 784-128-10 MLP's value and gradient on a batch of 32: the plain-loop model (<see cref="MlpModel"/>) against the one on <see cref="Ops.Linear(ReadOnlySpan{double}, ReadOnlySpan{double}, ReadOnlySpan{double}, Span{double}, int, int, int)"/>.</summary>
[Config(typeof(OpsConfig))]
public class MlpOpsBenchmarks
{
    private readonly MlpOpsData _data = new();

    [Benchmark(Baseline = true)]
    public double PlainLoopsDouble()
    {
        var d = _data.D;
        return MlpModel.LossGradient(d.P[0], d.P[1], d.P[2], d.P[3], d.X, d.Y, d.G[0], d.G[1], d.G[2], d.G[3]);
    }

    [Benchmark]
    public double OpsLinearDouble() => _data.Gradient();

    [Benchmark]
    public float OpsLinearFloat() => _data.GradientF();
}
