using System;
using Backprop;

namespace BarsCnn;

/// <summary>
/// A small convolutional network on 8x8 images: Conv2d(1 → 4 filters, 3x3, valid) → ReLU → 2x2 max-pooling
/// → Linear(4·3·3, 2) → softmax cross-entropy. Images, feature maps and weights are row-major.
/// </summary>
public static partial class Model
{
    public const int Size = 8;               // input is Size x Size
    public const int Filters = 4;
    public const int Kernel = 3;
    public const int ConvSize = Size - Kernel + 1;   // 6
    public const int PoolSize = ConvSize / 2;        // 3
    public const int Features = Filters * PoolSize * PoolSize; // 36
    public const int Classes = 2;

    /// <summary>Valid 2D convolution (cross-correlation, as torch.nn.Conv2d): y[f, r, c] = b[f] + Σ k[f, i, j] x[r + i, c + j].</summary>
    [Differentiable]
    public static void Conv2d(ReadOnlySpan<double> x, ReadOnlySpan<double> k, ReadOnlySpan<double> b, Span<double> y)
    {
        for (int f = 0; f < Filters; f++)
            for (int r = 0; r < ConvSize; r++)
                for (int c = 0; c < ConvSize; c++)
                {
                    double s = b[f];
                    for (int i = 0; i < Kernel; i++)
                        for (int j = 0; j < Kernel; j++)
                            s += k[(f * Kernel + i) * Kernel + j] * x[(r + i) * Size + c + j];
                    y[(f * ConvSize + r) * ConvSize + c] = s;
                }
    }

    [Differentiable]
    public static void Relu(ReadOnlySpan<double> x, Span<double> y)
    {
        for (int i = 0; i < x.Length; i++)
            y[i] = x[i] > 0 ? x[i] : 0.0;
    }

    /// <summary>2x2 max-pooling with stride 2 of each 6x6 feature map.</summary>
    [Differentiable]
    public static void MaxPool(ReadOnlySpan<double> x, Span<double> y)
    {
        for (int f = 0; f < Filters; f++)
            for (int r = 0; r < PoolSize; r++)
                for (int c = 0; c < PoolSize; c++)
                {
                    int top = (f * ConvSize + 2 * r) * ConvSize + 2 * c;
                    double m1 = x[top] > x[top + 1] ? x[top] : x[top + 1];
                    double m2 = x[top + ConvSize] > x[top + ConvSize + 1] ? x[top + ConvSize] : x[top + ConvSize + 1];
                    y[(f * PoolSize + r) * PoolSize + c] = m1 > m2 ? m1 : m2;
                }
    }

    /// <summary>y = W x + b, with W row-major (y.Length × x.Length).</summary>
    [Differentiable]
    public static void Linear(ReadOnlySpan<double> x, ReadOnlySpan<double> w, ReadOnlySpan<double> b, Span<double> y)
    {
        int n = x.Length;
        for (int j = 0; j < y.Length; j++)
        {
            double s = b[j];
            for (int i = 0; i < n; i++)
                s += w[j * n + i] * x[i];
            y[j] = s;
        }
    }

    /// <summary>−log softmax(logits)[label], with the maximum subtracted.</summary>
    [Differentiable]
    public static double CrossEntropy(ReadOnlySpan<double> logits, [NoDerivative] int label)
    {
        double m = logits[0];
        for (int i = 1; i < logits.Length; i++)
            m = Math.Max(m, logits[i]);
        double sum = 0;
        for (int i = 0; i < logits.Length; i++)
            sum += Math.Exp(logits[i] - m);
        return Math.Log(sum) + m - logits[label];
    }

    /// <summary>Mean cross-entropy over the images: <c>images</c> holds <c>labels.Length</c> images of 64 pixels, <c>labels</c>
    /// their classes (0 or 1 stored as doubles: the generator does not accept <c>ReadOnlySpan&lt;int&gt;</c> parameters).</summary>
    [Differentiable]
    public static double Loss(ReadOnlySpan<double> k, ReadOnlySpan<double> kb, ReadOnlySpan<double> w, ReadOnlySpan<double> b,
        [NoDerivative] ReadOnlySpan<double> images, [NoDerivative] ReadOnlySpan<double> labels)
    {
        Span<double> x = stackalloc double[Size * Size];
        Span<double> conv = stackalloc double[Filters * ConvSize * ConvSize];
        Span<double> act = stackalloc double[Filters * ConvSize * ConvSize];
        Span<double> pooled = stackalloc double[Features];
        Span<double> z = stackalloc double[Classes];
        double sum = 0;
        for (int s = 0; s < labels.Length; s++)
        {
            for (int p = 0; p < Size * Size; p++)
                x[p] = images[s * Size * Size + p];
            Conv2d(x, k, kb, conv);
            Relu(conv, act);
            MaxPool(act, pooled);
            Linear(pooled, w, b, z);
            int label = (int)labels[s];
            sum += CrossEntropy(z, label);
        }
        return sum / labels.Length;
    }

    /// <summary>The predicted class of one image (plain C#, not differentiated).</summary>
    public static int Classify(ReadOnlySpan<double> k, ReadOnlySpan<double> kb, ReadOnlySpan<double> w, ReadOnlySpan<double> b, Span<double> image)
    {
        Span<double> conv = stackalloc double[Filters * ConvSize * ConvSize];
        Span<double> pooled = stackalloc double[Features];
        Span<double> z = stackalloc double[Classes];
        Conv2d(image, k, kb, conv);
        Relu(conv, conv);
        MaxPool(conv, pooled);
        Linear(pooled, w, b, z);
        return z[1] > z[0] ? 1 : 0;
    }
}
