using System;
using BenchmarkDotNet.Attributes;
using Backprop.Training;

namespace Backprop.Benchmarks;

/// <summary>Workloads that call the runtime's vectorized operations (<see cref="Ops"/>) from a [Differentiable] method.</summary>
public static partial class OpsWorkloads
{
    [Differentiable]
    public static double LogSumExp(ReadOnlySpan<double> x) => Ops.LogSumExp(x);
}

/// <summary>
/// Log-sum-exp value and gradient over n values in [-3, 3): the generated gradient of the scalar loop
/// (<see cref="Workloads.LogSumExp"/>, <c>Math.Exp</c> per element, the baseline), <see cref="Ops.LogSumExp(ReadOnlySpan{double})"/>
/// with its rule called directly, and the generated gradient of a method that calls it.
/// </summary>
[MemoryDiagnoser]
public class OpsLogSumExpBenchmarks
{
    private double[] _x = Array.Empty<double>();
    private double[] _dX = Array.Empty<double>();

    [Params(100_000)]
    public int N { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(1);
        _x = new double[N];
        _dX = new double[N];
        for (int i = 0; i < N; i++) _x[i] = 6 * random.NextDouble() - 3;
    }

    [Benchmark(Baseline = true)]
    public double ScalarLoopGenerated() => Workloads.LogSumExpGradient(_x, _dX) + _dX[0];

    [Benchmark]
    public double OpsValueAndRule()
    {
        double value = Ops.LogSumExp(_x);
        Ops.LogSumExpReverse(_x, value, 1.0, _dX);
        return value + _dX[0];
    }

    [Benchmark]
    public double OpsGenerated() => OpsWorkloads.LogSumExpGradient(_x, _dX) + _dX[0];
}

/// <summary>
/// The MLP 784-128-10 batch gradient (<see cref="MlpModel.LossGradient"/>, the generated gradient of the plain-loop model)
/// on one thread, and split over 2 threads by <see cref="DataParallel{T}"/> (whose per-worker buffers are summed into the
/// caller's gradient).
/// </summary>
[MemoryDiagnoser]
public class DataParallelBenchmarks
{
    private const int W1 = MlpModel.Inputs * MlpModel.Hidden, B1 = MlpModel.Hidden, W2 = MlpModel.Hidden * MlpModel.Classes, B2 = MlpModel.Classes;
    private ModelData _d = null!;
    private double[] _gradient = Array.Empty<double>();
    private DataParallel<double> _parallel = null!;
    private ShardGradient<double> _shard = null!;

    [Params(64)]
    public int Batch { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _d = ModelData.Mlp(Batch);
        _gradient = new double[W1 + B1 + W2 + B2];
        _parallel = new DataParallel<double>(_gradient.Length, workers: 2);
        _shard = (_, start, count, g) => MlpModel.LossGradient(_d.P[0], _d.P[1], _d.P[2], _d.P[3],
            _d.X.AsSpan(start * MlpModel.Inputs, count * MlpModel.Inputs), _d.Y.AsSpan(start, count),
            g.Slice(0, W1), g.Slice(W1, B1), g.Slice(W1 + B1, W2), g.Slice(W1 + B1 + W2, B2));
    }

    [GlobalCleanup]
    public void Cleanup() => _parallel.Dispose();

    [Benchmark(Baseline = true)]
    public double SingleThread()
    {
        var g = _gradient.AsSpan();
        return MlpModel.LossGradient(_d.P[0], _d.P[1], _d.P[2], _d.P[3], _d.X, _d.Y,
            g.Slice(0, W1), g.Slice(W1, B1), g.Slice(W1 + B1, W2), g.Slice(W1 + B1 + W2, B2)) + _gradient[0];
    }

    [Benchmark]
    public double TwoWorkers() => _parallel.Run(Batch, _shard, _gradient) + _gradient[0];
}
