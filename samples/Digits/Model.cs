using System;
using Backprop;

namespace Digits;

/// <summary>
/// PyTorch's <c>nn.Linear(inputs, outputs)</c>: <c>y = W x + b</c>, <c>W</c> row-major (<c>Weight[o * inputs + i]</c>
/// connects input i to output o), initialized as PyTorch does, from U(−1/√inputs, 1/√inputs).
/// </summary>
public partial class Linear
{
    public double[] Weight, Bias;

    public Linear(int inputs, int outputs, Random random)
    {
        Weight = new double[outputs * inputs];
        Bias = new double[outputs];
        double bound = 1 / Math.Sqrt(inputs);
        for (int i = 0; i < Weight.Length; i++) Weight[i] = (2 * random.NextDouble() - 1) * bound;
        for (int o = 0; o < Bias.Length; o++) Bias[o] = (2 * random.NextDouble() - 1) * bound;
    }

    [Differentiable]
    public void Forward(ReadOnlySpan<double> x, Span<double> y)
    {
        for (int o = 0; o < y.Length; o++)
        {
            double s = Bias[o];
            for (int i = 0; i < x.Length; i++)
                s += Weight[o * x.Length + i] * x[i];
            y[o] = s;
        }
    }
}

/// <summary>
/// A multi-layer perceptron for 8x8 digit images, written as a PyTorch <c>nn.Module</c>: two <see cref="Linear"/>
/// sub-modules, ReLU between them, softmax cross-entropy. The generator differentiates the members the
/// <c>[Differentiable]</c> methods read (<c>Fc1.Weight</c>, <c>Fc1.Bias</c>, <c>Fc2.Weight</c>, <c>Fc2.Bias</c>) and
/// emits <c>LossGradient(images, labels, Mlp dThis)</c> and <c>AddParameters</c>, which registers them with an optimizer.
/// </summary>
public partial class Mlp
{
    public const int Inputs = 64, Hidden = 32, Classes = 10;

    public Linear Fc1, Fc2;

    public Mlp(Random random)
    {
        Fc1 = new Linear(Inputs, Hidden, random);
        Fc2 = new Linear(Hidden, Classes, random);
    }

    /// <summary>The logits of one image: <c>fc2(relu(fc1(x)))</c>.</summary>
    [Differentiable]
    public void Forward(ReadOnlySpan<double> x, Span<double> logits)
    {
        Span<double> h = stackalloc double[Hidden];
        Fc1.Forward(x, h);
        for (int j = 0; j < h.Length; j++)
            h[j] = Math.Max(h[j], 0);
        Fc2.Forward(h, logits);
    }

    /// <summary>−log softmax(logits)[label], with the maximum subtracted so that Exp cannot overflow.</summary>
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

    /// <summary>Mean cross-entropy over a batch: <c>images</c> holds <c>labels.Length</c> rows of 64 pixels.</summary>
    [Differentiable]
    public double Loss([NoDerivative] ReadOnlySpan<double> images, [NoDerivative] ReadOnlySpan<int> labels)
    {
        Span<double> logits = stackalloc double[Classes];
        double sum = 0;
        for (int s = 0; s < labels.Length; s++)
        {
            Forward(images.Slice(s * Inputs, Inputs), logits);
            sum += CrossEntropy(logits, labels[s]);
        }
        return sum / labels.Length;
    }

    /// <summary>The predicted digit of one image (plain C#: the forward pass, not differentiated).</summary>
    public int Classify(ReadOnlySpan<double> image)
    {
        Span<double> logits = stackalloc double[Classes];
        Forward(image, logits);
        int best = 0;
        for (int c = 1; c < Classes; c++)
            if (logits[c] > logits[best]) best = c;
        return best;
    }
}
