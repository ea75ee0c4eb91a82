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

/// <summary>
/// ADBench's GMM objective on libtorch (eager; ADBench's PyTorch formulation: a K×d×d strictly lower triangle built from
/// icf, centred points broadcast over the components, logsumexp), from the same data file as <see cref="GaussianMixtureData"/>.
/// </summary>
public sealed class TorchGmm : TorchModel
{
    private readonly Tensor _alphas, _means, _icf, _x, _positions;
    private readonly int _d, _k, _n, _m;
    private readonly double _gamma, _wishartConstant;

    public TorchGmm(GaussianMixtureData g)
    {
        (_d, _k, _n, _m, _gamma, _wishartConstant) = (g.D, g.K, g.N, g.M, g.Gamma, g.WishartConstant);
        int icfSize = _d * (_d + 1) / 2;
        _alphas = Parameter(g.Alphas, _k);
        _means = Parameter(g.Means, _k, _d);
        _icf = Parameter(g.Icf, _k, icfSize);
        _x = Constant(g.X, _n, _d);
        // The strict lower triangle by columns: entry l of icf[:, d:] is L[j, i] (j > i), at j·d + i of a flat d×d.
        var positions = new List<long>();
        for (int i = 0; i < _d; i++)
            for (int j = i + 1; j < _d; j++) positions.Add(j * _d + i);
        _positions = torch.tensor(positions.ToArray());
        Data.Add(_positions);
    }

    protected override Tensor Loss()
    {
        var logDiagonal = _icf.narrow(1, 0, _d);
        var q = logDiagonal.exp();                                            // K×d
        var sumQs = logDiagonal.sum(1);                                       // K
        var lower = torch.zeros(_k, _d * _d, dtype: ScalarType.Float64)
            .index_add(1, _positions, _icf.narrow(1, _d, _icf.shape[1] - _d), 1.0).reshape(_k, _d, _d);
        var centered = _x.unsqueeze(1) - _means.unsqueeze(0);                // n×K×d
        var transformed = q.unsqueeze(0) * centered + torch.matmul(lower, centered.unsqueeze(-1)).squeeze(-1);
        var inner = _alphas + sumQs - 0.5 * transformed.pow(2).sum(2);       // n×K
        var slse = torch.logsumexp(inner, 1).sum();
        var lseAlphas = torch.logsumexp(_alphas, 0);
        var frobenius = q.pow(2).sum(1) + _icf.narrow(1, _d, _icf.shape[1] - _d).pow(2).sum(1);
        var prior = (0.5 * _gamma * _gamma * frobenius - _m * sumQs).sum();
        double constant = -_n * _d * 0.5 * Math.Log(2 * Math.PI);
        return constant + slse - _n * lseAlphas + prior - _k * _wishartConstant;
    }
}
