using System;
using Backprop;

namespace SpiralClassifier;

/// <summary>
/// A two-layer classifier: Linear(2, 32) → tanh → Linear(32, 3), softmax cross-entropy (with the max shift).
/// Weights are row-major: <c>w1[j * 2 + i]</c> connects input i to hidden unit j.
/// </summary>
public static partial class Model
{
    public const int Inputs = 2;
    public const int Hidden = 32;
    public const int Classes = 3;

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

    [Differentiable]
    public static void Tanh(ReadOnlySpan<double> x, Span<double> y)
    {
        for (int i = 0; i < x.Length; i++)
            y[i] = Math.Tanh(x[i]);
    }

    /// <summary>−log softmax(logits)[label], computed with the maximum subtracted so that Exp cannot overflow.</summary>
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

    /// <summary>Mean cross-entropy over the points: <c>xs</c> holds (x, y) pairs, <c>labels</c> their classes
    /// (0, 1, 2 stored as doubles: the generator does not accept <c>ReadOnlySpan&lt;int&gt;</c> parameters).</summary>
    [Differentiable]
    public static double Loss(ReadOnlySpan<double> w1, ReadOnlySpan<double> b1, ReadOnlySpan<double> w2, ReadOnlySpan<double> b2,
        [NoDerivative] ReadOnlySpan<double> xs, [NoDerivative] ReadOnlySpan<double> labels)
    {
        Span<double> x = stackalloc double[Inputs];
        Span<double> h = stackalloc double[Hidden];
        Span<double> a = stackalloc double[Hidden];
        Span<double> z = stackalloc double[Classes];
        double sum = 0;
        for (int s = 0; s < labels.Length; s++)
        {
            x[0] = xs[s * Inputs];
            x[1] = xs[s * Inputs + 1];
            Linear(x, w1, b1, h);
            Tanh(h, a);
            Linear(a, w2, b2, z);
            int label = (int)labels[s];
            sum += CrossEntropy(z, label);
        }
        return sum / labels.Length;
    }

    /// <summary>The predicted class of one point (plain C#, not differentiated).</summary>
    public static int Classify(ReadOnlySpan<double> w1, ReadOnlySpan<double> b1, ReadOnlySpan<double> w2, ReadOnlySpan<double> b2, Span<double> x)
    {
        Span<double> h = stackalloc double[Hidden];
        Span<double> z = stackalloc double[Classes];
        Linear(x, w1, b1, h);
        Tanh(h, h);
        Linear(h, w2, b2, z);
        int best = 0;
        for (int k = 1; k < Classes; k++)
            if (z[k] > z[best]) best = k;
        return best;
    }
}
