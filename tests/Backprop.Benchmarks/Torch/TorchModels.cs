using System;
using TorchSharp;
using static TorchSharp.torch;

namespace Backprop.Benchmarks.Torch;

// Compiled only with -p:Torch=true (see the project file): the libtorch side of the comparison, through TorchSharp-cpu,
// on one thread (torch.set_num_threads(1)), written the PyTorch way: tensors that require grad, nn.functional.linear,
// tanh, cross_entropy, backward() accumulating into .grad (like our generated gradients, never zeroed between calls).

/// <summary>The 784-128-10 MLP of <see cref="MlpOpsModel"/> on libtorch, from the same parameters and batch.</summary>
public sealed class TorchMlp : IDisposable
{
    private readonly Tensor _w1, _b1, _w2, _b2, _x, _labels;

    public TorchMlp(ModelData d, ScalarType type)
    {
        _w1 = Parameter(d.P[0], new long[] { MlpOpsModel.Hidden, MlpOpsModel.Inputs }, type);
        _b1 = Parameter(d.P[1], new long[] { MlpOpsModel.Hidden }, type);
        _w2 = Parameter(d.P[2], new long[] { MlpOpsModel.Classes, MlpOpsModel.Hidden }, type);
        _b2 = Parameter(d.P[3], new long[] { MlpOpsModel.Classes }, type);
        _x = torch.tensor(d.X, new long[] { MlpOpsModel.Batch, MlpOpsModel.Inputs }).to_type(type);
        _labels = torch.tensor(Array.ConvertAll(d.Y, v => (long)v));
    }

    private static Tensor Parameter(double[] values, long[] shape, ScalarType type) =>
        torch.tensor(values, shape).to_type(type).detach().requires_grad_(true);

    /// <summary>Loss, then backward(): the gradients accumulate into the parameters' .grad.</summary>
    public double ValueAndGradient()
    {
        using var scope = torch.NewDisposeScope();
        var h = torch.nn.functional.linear(_x, _w1, _b1).tanh();
        var z = torch.nn.functional.linear(h, _w2, _b2);
        var loss = torch.nn.functional.cross_entropy(z, _labels);
        loss.backward();
        return loss.to_type(ScalarType.Float64).item<double>();
    }

    /// <summary>The accumulated gradients in our order (w1, b1, w2, b2), as doubles.</summary>
    public double[][] Gradients() => new[] { _w1, _b1, _w2, _b2 }.Select(Grad);

    public void ZeroGradients()
    {
        foreach (var p in new[] { _w1, _b1, _w2, _b2 }) p.grad?.zero_();
    }

    private static double[] Grad(Tensor p)
    {
        using var g = p.grad!.to_type(ScalarType.Float64).contiguous();
        return g.data<double>().ToArray();
    }

    public void Dispose()
    {
        foreach (var t in new[] { _w1, _b1, _w2, _b2, _x, _labels }) t.Dispose();
    }
}

/// <summary><c>torch.matmul</c> of the GEMM rows, on preallocated operands (the result is a new tensor each call, as PyTorch's).</summary>
public sealed class TorchMatMul : IDisposable
{
    private readonly Tensor _a, _b;

    public TorchMatMul(int m, int k, int n, ScalarType type)
    {
        _a = torch.rand(m, k, dtype: type);
        _b = torch.rand(k, n, dtype: type);
    }

    public void Run()
    {
        using var c = torch.matmul(_a, _b);
    }

    public void Dispose()
    {
        _a.Dispose();
        _b.Dispose();
    }
}

internal static class ArrayExtensions
{
    public static TOut[] Select<TIn, TOut>(this TIn[] items, Func<TIn, TOut> f) => Array.ConvertAll(items, x => f(x));
}
