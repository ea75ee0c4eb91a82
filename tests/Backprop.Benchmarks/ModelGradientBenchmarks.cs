using System;
using BenchmarkDotNet.Attributes;
using MathNet.Numerics.Differentiation;

namespace Backprop.Benchmarks;

/// <summary>Parameters, data and gradient buffers of the model workloads, from fixed seeds (shared with --check).</summary>
public sealed class ModelData
{
    public readonly double[][] P;   // parameters, in the methods' order
    public readonly double[][] G;   // gradient buffers (incremented, never cleared between calls)
    public readonly double[] X, Y;  // inputs and targets/labels

    private ModelData(int seed, int[] sizes, double scale, int xs, Func<Random, double> x, int ys, Func<Random, double> y)
    {
        var random = new Random(seed);
        P = new double[sizes.Length][];
        G = new double[sizes.Length][];
        for (int p = 0; p < sizes.Length; p++)
        {
            P[p] = new double[sizes[p]];
            G[p] = new double[sizes[p]];
            for (int i = 0; i < sizes[p]; i++) P[p][i] = scale * (2 * random.NextDouble() - 1);
        }
        X = new double[xs];
        Y = new double[ys];
        for (int i = 0; i < xs; i++) X[i] = x(random);
        for (int i = 0; i < ys; i++) Y[i] = y(random);
    }

    public void ClearGradients()
    {
        foreach (var g in G) Array.Clear(g);
    }

    /// <summary>SimpleNN, 10-5-1: <paramref name="samples"/> rows of 10 inputs and their targets.</summary>
    public static ModelData SimpleNN(int samples) =>
        new(1, new[] { 50, 5, 5, 1 }, 0.5, samples * SimpleNNModel.Inputs, r => 2 * r.NextDouble() - 1, samples, r => 2 * r.NextDouble() - 1);

    /// <summary>MLP 784-128-10: a batch of pixel rows in [0, 1) and labels 0..9.</summary>
    public static ModelData Mlp(int batch) =>
        new(2, new[] { MlpModel.Inputs * MlpModel.Hidden, MlpModel.Hidden, MlpModel.Hidden * MlpModel.Classes, MlpModel.Classes }, 0.05,
            batch * MlpModel.Inputs, r => r.NextDouble(), batch, r => r.Next(MlpModel.Classes));

    /// <summary>RNN: a noisy sine window of steps + 1 values.</summary>
    public static ModelData Rnn(int steps) =>
        new ModelData(3, new[] { RnnModel.Hidden, RnnModel.Hidden * RnnModel.Hidden, RnnModel.Hidden, RnnModel.Hidden, 1 }, 0.4,
            steps + 1, r => 0, 0, r => 0).WithSine();

    /// <summary>CNN: a batch of random 8x8 images and labels 0/1.</summary>
    public static ModelData Cnn(int batch) =>
        new(4, new[] { CnnModel.Filters * CnnModel.Kernel * CnnModel.Kernel, CnnModel.Filters, CnnModel.Classes * CnnModel.Features, CnnModel.Classes }, 0.5,
            batch * CnnModel.Size * CnnModel.Size, r => 2 * r.NextDouble() - 0.5, batch, r => r.Next(2));

    /// <summary>samples/Digits' Mlp 64-32-10: a batch of pixel rows in [0, 1) and labels 0..9 (as doubles; see <see cref="DigitsModule"/>).</summary>
    public static ModelData Digits(int batch) =>
        new(6, new[] { DigitsStaticModel.Hidden * DigitsStaticModel.Inputs, DigitsStaticModel.Hidden, DigitsStaticModel.Classes * DigitsStaticModel.Hidden, DigitsStaticModel.Classes },
            0.2, batch * DigitsStaticModel.Inputs, r => r.NextDouble(), batch, r => r.Next(DigitsStaticModel.Classes));

    /// <summary>The sample's model class over <paramref name="d"/>'s arrays (shared, not copied): its members are
    /// <c>P</c>, its gradient's members <c>G</c>; and the labels as the ints its loss takes.</summary>
    public static (global::Digits.Mlp Model, global::Digits.Mlp Gradient, int[] Labels) DigitsModule(ModelData d)
    {
        var model = new global::Digits.Mlp(new Random(0));
        var gradient = new global::Digits.Mlp(new Random(0));
        (model.Fc1.Weight, model.Fc1.Bias, model.Fc2.Weight, model.Fc2.Bias) = (d.P[0], d.P[1], d.P[2], d.P[3]);
        (gradient.Fc1.Weight, gradient.Fc1.Bias, gradient.Fc2.Weight, gradient.Fc2.Bias) = (d.G[0], d.G[1], d.G[2], d.G[3]);
        return (model, gradient, Array.ConvertAll(d.Y, y => (int)y));
    }

    private ModelData WithSine()
    {
        var random = new Random(5);
        for (int t = 0; t < X.Length; t++) X[t] = Math.Sin(0.3 * t) + 0.05 * (2 * random.NextDouble() - 1);
        return this;
    }
}

/// <summary>samples/SimpleNN's loss (10-5-1, MSE) on one sample: 61 parameters, so finite differences are cheap (122 forward passes).</summary>
[MemoryDiagnoser]
public class SimpleNNGradientBenchmarks
{
    private readonly ModelData _d = ModelData.SimpleNN(1);
    private readonly NumericalJacobian _fd = new();
    private readonly double[] _flat;
    private readonly Func<double[], double> _f;

    public SimpleNNGradientBenchmarks()
    {
        _flat = [.. _d.P[0], .. _d.P[1], .. _d.P[2], .. _d.P[3]];
        var x = _d.X;
        var y = _d.Y;
        _f = p => global::SimpleNN.Model.Loss(p.AsSpan(0, 50), p.AsSpan(50, 5), p.AsSpan(55, 5), p.AsSpan(60, 1), x, y);
    }

    [Benchmark(Baseline = true)]
    public double Forward() => global::SimpleNN.Model.Loss(_d.P[0], _d.P[1], _d.P[2], _d.P[3], _d.X, _d.Y);

    [Benchmark]
    public double Generated() =>
        global::SimpleNN.Model.LossGradient(_d.P[0], _d.P[1], _d.P[2], _d.P[3], _d.X, _d.Y, _d.G[0], _d.G[1], _d.G[2], _d.G[3]) + _d.G[0][0];

    [Benchmark]
    public double HandWritten() =>
        SimpleNNModel.LossHandWritten(_d.P[0], _d.P[1], _d.P[2], _d.P[3], _d.X, _d.Y, _d.G[0], _d.G[1], _d.G[2], _d.G[3]) + _d.G[0][0];

    [Benchmark]
    public double FiniteDifferences()
    {
        double[] g = _fd.Evaluate(_f, _flat);
        return _f(_flat) + g[0];
    }
}

/// <summary>An MLP 784-128-10 (tanh, softmax cross-entropy), mean loss over a batch of 32: 101,770 parameters.</summary>
[MemoryDiagnoser]
public class MlpGradientBenchmarks
{
    private readonly ModelData _d = ModelData.Mlp(32);

    [Benchmark(Baseline = true)]
    public double Forward() => MlpModel.Loss(_d.P[0], _d.P[1], _d.P[2], _d.P[3], _d.X, _d.Y);

    [Benchmark]
    public double Generated() =>
        MlpModel.LossGradient(_d.P[0], _d.P[1], _d.P[2], _d.P[3], _d.X, _d.Y, _d.G[0], _d.G[1], _d.G[2], _d.G[3]) + _d.G[0][0];

    [Benchmark]
    public double HandWritten() =>
        MlpModel.LossHandWritten(_d.P[0], _d.P[1], _d.P[2], _d.P[3], _d.X, _d.Y, _d.G[0], _d.G[1], _d.G[2], _d.G[3]) + _d.G[0][0];
}

/// <summary>samples/SineRnn's loss (tanh RNN, 8 hidden units, backpropagation through time) over T steps.</summary>
[MemoryDiagnoser]
public class RnnGradientBenchmarks
{
    private ModelData _d = ModelData.Rnn(1);

    [Params(20, 200)]
    public int T { get; set; }

    [GlobalSetup]
    public void Setup() => _d = ModelData.Rnn(T);

    [Benchmark(Baseline = true)]
    public double Forward() => global::SineRnn.Model.Loss(_d.P[0], _d.P[1], _d.P[2], _d.P[3], _d.P[4], _d.X);

    [Benchmark]
    public double Generated() =>
        global::SineRnn.Model.LossGradient(_d.P[0], _d.P[1], _d.P[2], _d.P[3], _d.P[4], _d.X, _d.G[0], _d.G[1], _d.G[2], _d.G[3], _d.G[4]) + _d.G[0][0];

    [Benchmark]
    public double HandWritten() =>
        RnnModel.LossHandWritten(_d.P[0], _d.P[1], _d.P[2], _d.P[3], _d.P[4], _d.X, _d.G[0], _d.G[1], _d.G[2], _d.G[3], _d.G[4]) + _d.G[0][0];
}

/// <summary>samples/BarsCnn's loss (Conv2d 1→4 3x3, ReLU, 2x2 max-pool, Linear(36, 2), cross-entropy) over a batch of 8x8 images.</summary>
[MemoryDiagnoser]
public class CnnGradientBenchmarks
{
    private ModelData _d = ModelData.Cnn(1);

    [Params(1, 32)]
    public int Batch { get; set; }

    [GlobalSetup]
    public void Setup() => _d = ModelData.Cnn(Batch);

    [Benchmark(Baseline = true)]
    public double Forward() => global::BarsCnn.Model.Loss(_d.P[0], _d.P[1], _d.P[2], _d.P[3], _d.X, _d.Y);

    [Benchmark]
    public double Generated() =>
        global::BarsCnn.Model.LossGradient(_d.P[0], _d.P[1], _d.P[2], _d.P[3], _d.X, _d.Y, _d.G[0], _d.G[1], _d.G[2], _d.G[3]) + _d.G[0][0];

    [Benchmark]
    public double HandWritten() =>
        CnnModel.LossHandWritten(_d.P[0], _d.P[1], _d.P[2], _d.P[3], _d.X, _d.Y, _d.G[0], _d.G[1], _d.G[2], _d.G[3]) + _d.G[0][0];
}
