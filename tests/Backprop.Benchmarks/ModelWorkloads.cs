using System;

namespace Backprop.Benchmarks;

// The model workloads: the sample models (samples/SimpleNN, samples/SineRnn, samples/BarsCnn, referenced as projects, so
// the benchmark measures exactly what the samples train) and a 784-128-10 MLP, each with a value-and-gradient written by
// hand for speed in the same loop style. Hand-written gradients increment their gradient buffers, as the contract does.

/// <summary>samples/SimpleNN/Model.cs: Linear(10, 5) → ReLU → Linear(5, 1), mean squared error (the sample's own model).</summary>
public static class SimpleNNModel
{
    public const int Inputs = global::SimpleNN.Model.Inputs;
    public const int Hidden = global::SimpleNN.Model.Hidden;

    public static double LossHandWritten(ReadOnlySpan<double> w1, ReadOnlySpan<double> b1, ReadOnlySpan<double> w2, ReadOnlySpan<double> b2,
        ReadOnlySpan<double> xs, ReadOnlySpan<double> ys, Span<double> dW1, Span<double> dB1, Span<double> dW2, Span<double> dB2)
    {
        Span<double> h = stackalloc double[Hidden];
        double sum = 0;
        double scale = 2.0 / ys.Length;
        for (int s = 0; s < ys.Length; s++)
        {
            int xo = s * Inputs;
            double o = b2[0];
            for (int j = 0; j < Hidden; j++)
            {
                double a = b1[j];
                for (int i = 0; i < Inputs; i++)
                    a += w1[j * Inputs + i] * xs[xo + i];
                h[j] = a;
                if (a > 0) o += w2[j] * a;
            }
            double d = o - ys[s];
            sum += d * d;
            double g = scale * d;
            dB2[0] += g;
            for (int j = 0; j < Hidden; j++)
            {
                if (!(h[j] > 0)) continue;
                dW2[j] += g * h[j];
                double gh = g * w2[j];
                dB1[j] += gh;
                for (int i = 0; i < Inputs; i++)
                    dW1[j * Inputs + i] += gh * xs[xo + i];
            }
        }
        return sum / ys.Length;
    }
}

/// <summary>An MLP 784-128-10 with tanh and softmax cross-entropy (max-shifted), mean over a batch.</summary>
public static partial class MlpModel
{
    public const int Inputs = 784;
    public const int Hidden = 128;
    public const int Classes = 10;

    /// <summary><c>xs</c> holds <c>labels.Length</c> rows of 784 inputs; <c>labels</c> the classes stored as doubles.</summary>
    [Differentiable]
    public static double Loss(ReadOnlySpan<double> w1, ReadOnlySpan<double> b1, ReadOnlySpan<double> w2, ReadOnlySpan<double> b2,
        [NoDerivative] ReadOnlySpan<double> xs, [NoDerivative] ReadOnlySpan<double> labels)
    {
        Span<double> h = stackalloc double[Hidden];
        Span<double> z = stackalloc double[Classes];
        double sum = 0;
        for (int s = 0; s < labels.Length; s++)
        {
            for (int j = 0; j < Hidden; j++)
            {
                double a = b1[j];
                for (int i = 0; i < Inputs; i++)
                    a += w1[j * Inputs + i] * xs[s * Inputs + i];
                h[j] = Math.Tanh(a);
            }
            for (int c = 0; c < Classes; c++)
            {
                double a = b2[c];
                for (int j = 0; j < Hidden; j++)
                    a += w2[c * Hidden + j] * h[j];
                z[c] = a;
            }
            double m = z[0];
            for (int c = 1; c < Classes; c++)
                m = Math.Max(m, z[c]);
            double e = 0;
            for (int c = 0; c < Classes; c++)
                e += Math.Exp(z[c] - m);
            int label = (int)labels[s];
            sum += Math.Log(e) + m - z[label];
        }
        return sum / labels.Length;
    }

    public static double LossHandWritten(ReadOnlySpan<double> w1, ReadOnlySpan<double> b1, ReadOnlySpan<double> w2, ReadOnlySpan<double> b2,
        ReadOnlySpan<double> xs, ReadOnlySpan<double> labels, Span<double> dW1, Span<double> dB1, Span<double> dW2, Span<double> dB2)
    {
        Span<double> h = stackalloc double[Hidden];
        Span<double> dh = stackalloc double[Hidden];
        Span<double> z = stackalloc double[Classes];
        double sum = 0;
        double inv = 1.0 / labels.Length;
        for (int s = 0; s < labels.Length; s++)
        {
            int xo = s * Inputs;
            for (int j = 0; j < Hidden; j++)
            {
                double a = b1[j];
                int wo = j * Inputs;
                for (int i = 0; i < Inputs; i++)
                    a += w1[wo + i] * xs[xo + i];
                h[j] = Math.Tanh(a);
            }
            double m = double.NegativeInfinity;
            for (int c = 0; c < Classes; c++)
            {
                double a = b2[c];
                int wo = c * Hidden;
                for (int j = 0; j < Hidden; j++)
                    a += w2[wo + j] * h[j];
                z[c] = a;
                if (a > m) m = a;
            }
            int label = (int)labels[s];
            double zLabel = z[label];
            double e = 0;
            for (int c = 0; c < Classes; c++)
            {
                z[c] = Math.Exp(z[c] - m);
                e += z[c];
            }
            sum += Math.Log(e) + m - zLabel;

            // Reverse: dz = (softmax - onehot) / batch; dh = W2ᵀ dz; da = dh (1 - h²).
            double invE = inv / e;
            dh.Clear();
            for (int c = 0; c < Classes; c++)
            {
                double g = z[c] * invE - (c == label ? inv : 0.0);
                dB2[c] += g;
                int wo = c * Hidden;
                for (int j = 0; j < Hidden; j++)
                {
                    dW2[wo + j] += g * h[j];
                    dh[j] += g * w2[wo + j];
                }
            }
            for (int j = 0; j < Hidden; j++)
            {
                double da = dh[j] * (1 - h[j] * h[j]);
                dB1[j] += da;
                int wo = j * Inputs;
                for (int i = 0; i < Inputs; i++)
                    dW1[wo + i] += da * xs[xo + i];
            }
        }
        return sum * inv;
    }
}

/// <summary>samples/SineRnn/Model.cs: an Elman tanh RNN with 8 hidden units and a linear read-out, unrolled over the window (the sample's own model).</summary>
public static class RnnModel
{
    public const int Hidden = global::SineRnn.Model.Hidden;

    public static double LossHandWritten(ReadOnlySpan<double> wx, ReadOnlySpan<double> wh, ReadOnlySpan<double> b,
        ReadOnlySpan<double> wo, ReadOnlySpan<double> bo, ReadOnlySpan<double> xs,
        Span<double> dWx, Span<double> dWh, Span<double> dB, Span<double> dWo, Span<double> dBo)
    {
        int steps = xs.Length - 1;
        Span<double> hs = stackalloc double[(steps + 1) * Hidden];
        Span<double> ds = stackalloc double[steps];
        double sum = 0;
        for (int t = 0; t < steps; t++)
        {
            int o0 = t * Hidden, o1 = o0 + Hidden;
            for (int j = 0; j < Hidden; j++)
            {
                double s = b[j] + wx[j] * xs[t];
                for (int k = 0; k < Hidden; k++)
                    s += wh[j * Hidden + k] * hs[o0 + k];
                hs[o1 + j] = Math.Tanh(s);
            }
            double y = bo[0];
            for (int j = 0; j < Hidden; j++)
                y += wo[j] * hs[o1 + j];
            double d = y - xs[t + 1];
            ds[t] = d;
            sum += d * d;
        }

        // Backpropagation through time: dh holds ∂loss/∂h[t+1], dhPrev collects ∂loss/∂h[t].
        Span<double> dh = stackalloc double[Hidden];
        Span<double> dhPrev = stackalloc double[Hidden];
        double scale = 2.0 / steps;
        for (int t = steps - 1; t >= 0; t--)
        {
            int o0 = t * Hidden, o1 = o0 + Hidden;
            double g = scale * ds[t];
            dBo[0] += g;
            for (int j = 0; j < Hidden; j++)
            {
                dWo[j] += g * hs[o1 + j];
                dh[j] += g * wo[j];
            }
            dhPrev.Clear();
            double x = xs[t];
            for (int j = 0; j < Hidden; j++)
            {
                double h = hs[o1 + j];
                double da = dh[j] * (1 - h * h);
                dB[j] += da;
                dWx[j] += da * x;
                int r = j * Hidden;
                for (int k = 0; k < Hidden; k++)
                {
                    dWh[r + k] += da * hs[o0 + k];
                    dhPrev[k] += da * wh[r + k];
                }
            }
            Span<double> swap = dh;
            dh = dhPrev;
            dhPrev = swap;
        }
        return sum / steps;
    }
}

/// <summary>samples/BarsCnn/Model.cs: Conv2d(1 → 4, 3x3, valid) → ReLU → 2x2 max-pool → Linear(36, 2) → softmax cross-entropy (the sample's own model).</summary>
public static class CnnModel
{
    public const int Size = global::BarsCnn.Model.Size;
    public const int Filters = global::BarsCnn.Model.Filters;
    public const int Kernel = global::BarsCnn.Model.Kernel;
    public const int ConvSize = global::BarsCnn.Model.ConvSize;
    public const int PoolSize = global::BarsCnn.Model.PoolSize;
    public const int Features = global::BarsCnn.Model.Features;
    public const int Classes = global::BarsCnn.Model.Classes;

    public static double LossHandWritten(ReadOnlySpan<double> k, ReadOnlySpan<double> kb, ReadOnlySpan<double> w, ReadOnlySpan<double> b,
        ReadOnlySpan<double> images, ReadOnlySpan<double> labels, Span<double> dK, Span<double> dKb, Span<double> dW, Span<double> dB)
    {
        Span<double> act = stackalloc double[Filters * ConvSize * ConvSize];   // ReLU(conv)
        Span<double> dAct = stackalloc double[Filters * ConvSize * ConvSize];
        Span<double> pooled = stackalloc double[Features];
        Span<int> arg = stackalloc int[Features];                              // where each pooled value came from
        Span<double> z = stackalloc double[Classes];
        double sum = 0;
        double inv = 1.0 / labels.Length;
        for (int s = 0; s < labels.Length; s++)
        {
            int xo = s * Size * Size;
            for (int f = 0; f < Filters; f++)
                for (int r = 0; r < ConvSize; r++)
                    for (int c = 0; c < ConvSize; c++)
                    {
                        double v = kb[f];
                        for (int i = 0; i < Kernel; i++)
                            for (int j = 0; j < Kernel; j++)
                                v += k[(f * Kernel + i) * Kernel + j] * images[xo + (r + i) * Size + c + j];
                        act[(f * ConvSize + r) * ConvSize + c] = v > 0 ? v : 0.0;
                    }
            for (int f = 0; f < Filters; f++)
                for (int r = 0; r < PoolSize; r++)
                    for (int c = 0; c < PoolSize; c++)
                    {
                        int top = (f * ConvSize + 2 * r) * ConvSize + 2 * c;
                        int i1 = act[top] > act[top + 1] ? top : top + 1;
                        int i2 = act[top + ConvSize] > act[top + ConvSize + 1] ? top + ConvSize : top + ConvSize + 1;
                        int im = act[i1] > act[i2] ? i1 : i2;
                        int q = (f * PoolSize + r) * PoolSize + c;
                        arg[q] = im;
                        pooled[q] = act[im];
                    }
            double m = double.NegativeInfinity;
            for (int c = 0; c < Classes; c++)
            {
                double v = b[c];
                for (int i = 0; i < Features; i++)
                    v += w[c * Features + i] * pooled[i];
                z[c] = v;
                if (v > m) m = v;
            }
            int label = (int)labels[s];
            double zLabel = z[label];
            double e = 0;
            for (int c = 0; c < Classes; c++)
            {
                z[c] = Math.Exp(z[c] - m);
                e += z[c];
            }
            sum += Math.Log(e) + m - zLabel;

            // Reverse: dz = (softmax - onehot) / batch → Linear → max-pool (to the arg-max) → ReLU → Conv2d.
            double invE = inv / e;
            dAct.Clear();
            for (int c = 0; c < Classes; c++)
            {
                double g = z[c] * invE - (c == label ? inv : 0.0);
                dB[c] += g;
                for (int i = 0; i < Features; i++)
                {
                    dW[c * Features + i] += g * pooled[i];
                    dAct[arg[i]] += g * w[c * Features + i];
                }
            }
            for (int f = 0; f < Filters; f++)
                for (int r = 0; r < ConvSize; r++)
                    for (int c = 0; c < ConvSize; c++)
                    {
                        int o = (f * ConvSize + r) * ConvSize + c;
                        if (!(act[o] > 0)) continue;
                        double g = dAct[o];
                        dKb[f] += g;
                        for (int i = 0; i < Kernel; i++)
                            for (int j = 0; j < Kernel; j++)
                                dK[(f * Kernel + i) * Kernel + j] += g * images[xo + (r + i) * Size + c + j];
                    }
        }
        return sum * inv;
    }
}
