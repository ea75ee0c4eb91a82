using System;
using Backprop;

namespace Backprop.Consumer.Tests;

/// <summary>
/// [Differentiable] losses that call the runtime's operations (<see cref="Ops"/>), so that the generated gradients run
/// their kernels forward and their [DerivativeOf] rules backward; <see cref="OpsConsumerTests"/> checks them against
/// finite differences.
/// </summary>
public static partial class OpsLibraryFunctions
{
    public const int Batch = 3, Size = 8, Filters = 2, Kernel = 3, ConvSize = Size - Kernel + 1, PoolSize = ConvSize / 2;
    public const int Features = Filters * PoolSize * PoolSize, Classes = 3;

    [Differentiable]
    public static double LogSumExp(ReadOnlySpan<double> x) => Ops.LogSumExp(x);

    [Differentiable]
    public static float LogSumExpF(ReadOnlySpan<float> x) => Ops.LogSumExp(x);

    /// <summary>Reductions composed with scalar code: the rules' results and adjoints meet the generated chain rule.</summary>
    [Differentiable]
    public static double Reductions(ReadOnlySpan<double> x, ReadOnlySpan<double> y, double scale)
    {
        double lse = Ops.LogSumExp(x);
        return scale * lse * Ops.Sum(y) + Math.Sin(Ops.Dot(x, y));
    }

    /// <summary>Element-wise layers into stack buffers, then reductions.</summary>
    [Differentiable]
    public static double Activations(ReadOnlySpan<double> x)
    {
        Span<double> a = stackalloc double[x.Length];
        Span<double> b = stackalloc double[x.Length];
        Span<double> c = stackalloc double[x.Length];
        Span<double> d = stackalloc double[x.Length];
        Span<double> e = stackalloc double[x.Length];
        Ops.Tanh(x, a);
        Ops.Sigmoid(a, b);
        Ops.Exp(b, c);
        Ops.Log(c, d);
        Ops.Relu(x, e);
        return Ops.Dot(d, x) + Ops.Sum(a) * Ops.Sum(e);
    }

    /// <summary>Softmax rows against a target, and a log-softmax term.</summary>
    [Differentiable]
    public static double SoftmaxMse(ReadOnlySpan<double> logits, [NoDerivative] ReadOnlySpan<double> target)
    {
        Span<double> p = stackalloc double[logits.Length];
        Span<double> q = stackalloc double[logits.Length];
        Ops.Softmax(logits, p, 2, logits.Length / 2);
        Ops.LogSoftmax(logits, q, 2, logits.Length / 2);
        return Ops.Mse(p, target) + 0.1 * Ops.Dot(q, target);
    }

    /// <summary>Both arguments of the mean squared error are differentiated.</summary>
    [Differentiable]
    public static double Mse(ReadOnlySpan<double> prediction, ReadOnlySpan<double> target) => Ops.Mse(prediction, target);

    /// <summary>
    /// A small CNN on <see cref="Batch"/> images of <see cref="Size"/>²: Conv2d(1 → <see cref="Filters"/>, 3x3) → ReLU →
    /// 2x2 max-pooling → a linear layer written as loops → cross-entropy against integer labels.
    /// </summary>
    [Differentiable]
    public static double Cnn(ReadOnlySpan<double> k, ReadOnlySpan<double> kb, ReadOnlySpan<double> w, ReadOnlySpan<double> b,
        [NoDerivative] ReadOnlySpan<double> images, [NoDerivative] ReadOnlySpan<int> labels)
    {
        Span<double> conv = stackalloc double[Batch * Filters * ConvSize * ConvSize];
        Span<double> act = stackalloc double[Batch * Filters * ConvSize * ConvSize];
        Span<double> pooled = stackalloc double[Batch * Features];
        Span<double> logits = stackalloc double[Batch * Classes];
        Ops.Conv2d(images, k, kb, conv, Batch, 1, Size, Size, Filters, Kernel, Kernel, 1, 0);
        Ops.Relu(conv, act);
        Ops.MaxPool2d(act, pooled, Batch, Filters, ConvSize, ConvSize, 2, 2);
        for (int s = 0; s < Batch; s++)
        {
            for (int c = 0; c < Classes; c++)
            {
                double a = b[c];
                for (int f = 0; f < Features; f++)
                    a += w[c * Features + f] * pooled[s * Features + f];
                logits[s * Classes + c] = a;
            }
        }
        return Ops.CrossEntropy(logits, labels, Batch, Classes);
    }

    /// <summary>A padded, strided convolution whose input is differentiated too.</summary>
    [Differentiable]
    public static double StridedConv(ReadOnlySpan<double> input, ReadOnlySpan<double> weight, ReadOnlySpan<double> bias)
    {
        Span<double> output = stackalloc double[2 * 3 * 4];   // oh = (5 + 2 - 3) / 2 + 1, ow = (6 + 2 - 2) / 2 + 1
        Ops.Conv2d(input, weight, bias, output, 1, 2, 5, 6, 2, 3, 2, 2, 1);
        return Ops.LogSumExp(output);
    }

    /// <summary>
    /// A one-hidden-layer tanh network with mean squared error over the samples, its parameters packed in
    /// <paramref name="theta"/> (w1: Hidden × Inputs, b1, w2, b2), for <see cref="Backprop.Training.DataParallel{T}"/>.
    /// </summary>
    [Differentiable]
    public static double Mlp(ReadOnlySpan<double> theta, [NoDerivative] ReadOnlySpan<double> xs, [NoDerivative] ReadOnlySpan<double> ys)
    {
        const int Inputs = 4, Hidden = 6;
        double sum = 0;
        for (int s = 0; s < ys.Length; s++)
        {
            double o = theta[Hidden * Inputs + 2 * Hidden];
            for (int j = 0; j < Hidden; j++)
            {
                double a = theta[Hidden * Inputs + j];
                for (int i = 0; i < Inputs; i++)
                    a += theta[j * Inputs + i] * xs[s * Inputs + i];
                o += theta[Hidden * Inputs + Hidden + j] * Math.Tanh(a);
            }
            sum += (o - ys[s]) * (o - ys[s]);
        }
        return sum / ys.Length;
    }
}
