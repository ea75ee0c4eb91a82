using System;

namespace Backprop.Benchmarks;

/// <summary>
/// samples/Digits' model (Linear(64, 32) → ReLU → Linear(32, 10), softmax cross-entropy) written the other way: static
/// <c>[Differentiable]</c> methods over parameter spans instead of a model class with <c>Linear</c> sub-modules. The
/// statements are the sample's, one for one, so that <see cref="ModelClassBenchmarks"/> measures the cost of the model
/// class itself (dThis, member reads), nothing else.
/// </summary>
public static partial class DigitsStaticModel
{
    public const int Inputs = global::Digits.Mlp.Inputs, Hidden = global::Digits.Mlp.Hidden, Classes = global::Digits.Mlp.Classes;

    [Differentiable]
    public static void Linear(ReadOnlySpan<double> weight, ReadOnlySpan<double> bias, ReadOnlySpan<double> x, Span<double> y)
    {
        for (int o = 0; o < y.Length; o++)
        {
            double s = bias[o];
            for (int i = 0; i < x.Length; i++)
                s += weight[o * x.Length + i] * x[i];
            y[o] = s;
        }
    }

    [Differentiable]
    public static void Forward(ReadOnlySpan<double> w1, ReadOnlySpan<double> b1, ReadOnlySpan<double> w2, ReadOnlySpan<double> b2,
        ReadOnlySpan<double> x, Span<double> logits)
    {
        Span<double> h = stackalloc double[Hidden];
        Linear(w1, b1, x, h);
        for (int j = 0; j < h.Length; j++)
            h[j] = Math.Max(h[j], 0);
        Linear(w2, b2, h, logits);
    }

    [Differentiable]
    public static double CrossEntropy(ReadOnlySpan<double> logits, [NoDerivative] int label)
    {
        double m = logits[0];
        for (int c = 1; c < logits.Length; c++)
            m = Math.Max(m, logits[c]);
        double sum = 0;
        for (int c = 0; c < logits.Length; c++)
            sum += Math.Exp(logits[c] - m);
        return Math.Log(sum) + m - logits[label];
    }

    [Differentiable]
    public static double Loss(ReadOnlySpan<double> w1, ReadOnlySpan<double> b1, ReadOnlySpan<double> w2, ReadOnlySpan<double> b2,
        [NoDerivative] ReadOnlySpan<double> images, [NoDerivative] ReadOnlySpan<int> labels)
    {
        Span<double> logits = stackalloc double[Classes];
        double sum = 0;
        for (int s = 0; s < labels.Length; s++)
        {
            Forward(w1, b1, w2, b2, images.Slice(s * Inputs, Inputs), logits);
            sum += CrossEntropy(logits, labels[s]);
        }
        return sum / labels.Length;
    }
}
