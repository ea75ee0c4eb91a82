using System;
using Backprop.Training;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;

namespace Backprop.Benchmarks;

/// <summary>
/// One optimizer step of the vectorized runtime against a plain scalar loop of the same update equations, in
/// single precision. The runtime's step also validates every gradient (a read-only pass) before writing;
/// the scalar baselines do not.
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class OptimizerBenchmarks
{
    private const float LearningRate = 1e-3f, Beta1 = 0.9f, Beta2 = 0.999f, Eps = 1e-8f, Momentum = 0.9f;

    private float[] _values = Array.Empty<float>();
    private float[] _gradients = Array.Empty<float>();
    private float[] _first = Array.Empty<float>();
    private float[] _second = Array.Empty<float>();
    private float[] _velocity = Array.Empty<float>();
    private long _step;
    private Adam<float> _adam = null!;
    private Sgd<float> _sgd = null!;

    /// <summary>The number of parameters.</summary>
    [Params(1_000, 100_000, 1_000_000)]
    public int N { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(1);
        _values = new float[N];
        _gradients = new float[N];
        for (int i = 0; i < N; i++)
        {
            _values[i] = (float)random.NextDouble();
            _gradients[i] = (float)(random.NextDouble() - 0.5);
        }
        _first = new float[N];
        _second = new float[N];
        _velocity = new float[N];

        var adamSet = new ParameterSet<float>();
        adamSet.AddGroup(LearningRate).Add("w", (float[])_values.Clone(), _gradients);
        _adam = new Adam<float>(adamSet);
        var sgdSet = new ParameterSet<float>();
        sgdSet.AddGroup(LearningRate).Add("w", (float[])_values.Clone(), _gradients);
        _sgd = new Sgd<float>(sgdSet, new SgdOptions { Momentum = Momentum });
    }

    [Benchmark(Baseline = true), BenchmarkCategory("Adam")]
    public void AdamScalarLoop()
    {
        _step++;
        float bias1 = 1 - MathF.Pow(Beta1, _step);
        float bias2Sqrt = MathF.Sqrt(1 - MathF.Pow(Beta2, _step));
        float stepSize = LearningRate / bias1;
        for (int i = 0; i < _values.Length; i++)
        {
            float g = _gradients[i];
            _first[i] = Beta1 * _first[i] + (1 - Beta1) * g;
            _second[i] = Beta2 * _second[i] + (1 - Beta2) * g * g;
            _values[i] -= stepSize * (_first[i] / (MathF.Sqrt(_second[i]) / bias2Sqrt + Eps));
        }
    }

    [Benchmark, BenchmarkCategory("Adam")]
    public void AdamVectorized() => _adam.Step();

    [Benchmark(Baseline = true), BenchmarkCategory("Sgd")]
    public void SgdMomentumScalarLoop()
    {
        for (int i = 0; i < _values.Length; i++)
        {
            _velocity[i] = Momentum * _velocity[i] + _gradients[i];
            _values[i] -= LearningRate * _velocity[i];
        }
    }

    [Benchmark, BenchmarkCategory("Sgd")]
    public void SgdMomentumVectorized() => _sgd.Step();
}
