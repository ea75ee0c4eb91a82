using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace Backprop.Benchmarks.Torch;

// Compiled only with -p:Torch=true: the samples' models and log-sum-exp on libtorch (double, one thread), written the
// PyTorch way from the same parameters and data as the benchmark workloads (ModelData's fixed seeds), so that --ops can
// check that the losses and every gradient entry agree before it times both sides in one process.

/// <summary>A model on libtorch: its loss and backward() (gradients accumulate into .grad), and those gradients in our order.</summary>
public abstract class TorchModel : IDisposable
{
    protected readonly List<Tensor> Parameters = new();
    protected readonly List<Tensor> Data = new();

    /// <summary>A parameter from our flat array, in PyTorch's shape.</summary>
    protected Tensor Parameter(double[] values, params long[] shape)
    {
        var p = torch.tensor(values, shape).detach().requires_grad_(true);
        Parameters.Add(p);
        return p;
    }

    protected Tensor Constant(double[] values, params long[] shape)
    {
        var t = torch.tensor(values, shape);
        Data.Add(t);
        return t;
    }

    protected abstract Tensor Loss();

    public double ValueAndGradient()
    {
        using var scope = torch.NewDisposeScope();
        var loss = Loss();
        loss.backward();
        return loss.item<double>();
    }

    public double[][] Gradients() => Parameters.Select(p =>
    {
        using var g = p.grad!.contiguous();
        return g.data<double>().ToArray();
    }).ToArray();

    public void ZeroGradients()
    {
        foreach (var p in Parameters) p.grad?.zero_();
    }

    public void Dispose()
    {
        foreach (var t in Parameters.Concat(Data)) t.Dispose();
    }
}

/// <summary>samples/SimpleNN: Linear(10, 5) → ReLU → Linear(5, 1), mean squared error.</summary>
public sealed class TorchSimpleNN : TorchModel
{
    private readonly Tensor _w1, _b1, _w2, _b2, _x, _y;

    public TorchSimpleNN(ModelData d)
    {
        _w1 = Parameter(d.P[0], SimpleNNModel.Hidden, SimpleNNModel.Inputs);
        _b1 = Parameter(d.P[1], SimpleNNModel.Hidden);
        _w2 = Parameter(d.P[2], 1, SimpleNNModel.Hidden);
        _b2 = Parameter(d.P[3], 1);
        _x = Constant(d.X, d.Y.Length, SimpleNNModel.Inputs);
        _y = Constant(d.Y, d.Y.Length);
    }

    protected override Tensor Loss()
    {
        var h = torch.nn.functional.relu(torch.nn.functional.linear(_x, _w1, _b1));
        var o = torch.nn.functional.linear(h, _w2, _b2).squeeze(1);
        return torch.nn.functional.mse_loss(o, _y);
    }
}

/// <summary>samples/SineRnn: h = tanh(b + wx·x_t + Wh·h), y = bo + wo·h, mean squared error of the next value.</summary>
public sealed class TorchRnn : TorchModel
{
    private readonly Tensor _wx, _wh, _b, _wo, _bo, _h0;
    private readonly double[] _xs;

    public TorchRnn(ModelData d)
    {
        int hidden = RnnModel.Hidden;
        _wx = Parameter(d.P[0], hidden);
        _wh = Parameter(d.P[1], hidden, hidden);
        _b = Parameter(d.P[2], hidden);
        _wo = Parameter(d.P[3], hidden);
        _bo = Parameter(d.P[4], 1);
        _h0 = Constant(new double[hidden], hidden);
        _xs = d.X;
    }

    protected override Tensor Loss()
    {
        int steps = _xs.Length - 1;
        var h = _h0;
        Tensor? sum = null;
        for (int t = 0; t < steps; t++)
        {
            h = torch.tanh(_b + _wx * _xs[t] + _wh.mv(h));
            var d = _bo + _wo.dot(h) - _xs[t + 1];
            var squared = d * d;
            sum = sum is null ? squared : sum + squared;
        }
        return (sum! / steps).squeeze();
    }
}

/// <summary>samples/BarsCnn: Conv2d(1 → 4, 3x3), ReLU, 2x2 max-pool, Linear(36, 2), cross-entropy, mean over the batch.</summary>
public sealed class TorchCnn : TorchModel
{
    private readonly Tensor _k, _kb, _w, _b, _images, _labels;

    public TorchCnn(ModelData d)
    {
        _k = Parameter(d.P[0], CnnModel.Filters, 1, CnnModel.Kernel, CnnModel.Kernel);
        _kb = Parameter(d.P[1], CnnModel.Filters);
        _w = Parameter(d.P[2], CnnModel.Classes, CnnModel.Features);
        _b = Parameter(d.P[3], CnnModel.Classes);
        _images = Constant(d.X, d.Y.Length, 1, CnnModel.Size, CnnModel.Size);
        _labels = torch.tensor(Array.ConvertAll(d.Y, v => (long)v));
        Data.Add(_labels);
    }

    protected override Tensor Loss()
    {
        var conv = torch.nn.functional.conv2d(_images, _k, _kb);
        var pooled = torch.nn.functional.max_pool2d(torch.nn.functional.relu(conv), 2);
        var z = torch.nn.functional.linear(pooled.flatten(1), _w, _b);
        return torch.nn.functional.cross_entropy(z, _labels);
    }
}

/// <summary>torch.logsumexp over n values, backward() into x.grad.</summary>
public sealed class TorchLogSumExp : TorchModel
{
    private readonly Tensor _x;

    public TorchLogSumExp(double[] x) => _x = Parameter(x, x.Length);

    protected override Tensor Loss() => torch.logsumexp(_x, 0);
}
