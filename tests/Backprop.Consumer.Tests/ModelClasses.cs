using System;
using Backprop;

namespace Backprop.Consumer.Tests;

/// <summary>A dense layer with a tanh: <c>y = tanh(W x + b)</c>, <c>W</c> row-major.</summary>
public partial class Dense
{
    public double[] Weight, Bias;

    public Dense(int inputs, int outputs, Random random)
    {
        Weight = new double[outputs * inputs];
        Bias = new double[outputs];
        for (int i = 0; i < Weight.Length; i++) Weight[i] = random.NextDouble() - 0.5;
        for (int o = 0; o < Bias.Length; o++) Bias[o] = random.NextDouble() - 0.5;
    }

    [Differentiable]
    public void Forward(ReadOnlySpan<double> x, Span<double> y)
    {
        for (int o = 0; o < y.Length; o++)
        {
            double s = Bias[o];
            for (int i = 0; i < x.Length; i++)
                s += Weight[o * x.Length + i] * x[i];
            y[o] = Math.Tanh(s);
        }
    }
}

/// <summary>Two dense layers: a sub-module with sub-modules of its own.</summary>
public partial class Encoder
{
    public Dense Fc1, Fc2;

    public Encoder(Random random)
    {
        Fc1 = new Dense(3, 4, random);
        Fc2 = new Dense(4, 2, random);
    }

    [Differentiable]
    public void Forward(ReadOnlySpan<double> x, Span<double> code)
    {
        Span<double> h = stackalloc double[4];
        Fc1.Forward(x, h);
        Fc2.Forward(h, code);
    }
}

/// <summary>An encoder, a linear head over its code and a scalar bias: members two levels deep, an array and a scalar field.</summary>
public partial class Regressor
{
    public Encoder Encoder;
    public double[] Head;
    public double Offset;

    public Regressor(Random random)
    {
        Encoder = new Encoder(random);
        Head = new[] { random.NextDouble() - 0.5, random.NextDouble() - 0.5 };
        Offset = random.NextDouble() - 0.5;
    }

    /// <summary>Mean squared error over rows of 3 inputs.</summary>
    [Differentiable]
    public double Loss([NoDerivative] ReadOnlySpan<double> xs, [NoDerivative] ReadOnlySpan<double> ys)
    {
        Span<double> code = stackalloc double[2];
        double sum = 0;
        for (int s = 0; s < ys.Length; s++)
        {
            Encoder.Forward(xs.Slice(3 * s, 3), code);
            double d = Head[0] * code[0] + Head[1] * code[1] + Offset - ys[s];
            sum += d * d;
        }
        return sum / ys.Length;
    }
}

/// <summary>A float model: a weight array and a scalar bias, registered by the generated <c>float</c> overload of <c>AddParameters</c>.</summary>
public partial class FloatNeuron
{
    public float[] Weight = { 0.5f, -0.25f, 0.75f };
    public float Bias = 0.1f;

    [Differentiable]
    public float Loss([NoDerivative] ReadOnlySpan<float> x, [NoDerivative] float target)
    {
        float z = Bias;
        for (int i = 0; i < Weight.Length; i++)
            z += Weight[i] * x[i];
        float a = MathF.Tanh(z);
        return (a - target) * (a - target);
    }
}

/// <summary>
/// A stack of dense layers held in an array (PyTorch's <c>nn.ModuleList</c>), run in a loop over the array, then a
/// linear head: each layer's gradient goes to the same element of <c>dThis.Layers</c>.
/// </summary>
public partial class LayerStack
{
    public Dense[] Layers;
    public double[] Head;

    public LayerStack(Random random, params int[] widths)
    {
        Layers = new Dense[widths.Length - 1];
        for (int l = 0; l < Layers.Length; l++) Layers[l] = new Dense(widths[l], widths[l + 1], random);
        Head = new double[widths[^1]];
        for (int i = 0; i < Head.Length; i++) Head[i] = random.NextDouble() - 0.5;
    }

    /// <summary>Mean squared error over rows of <c>Layers[0]</c>'s inputs; the layers widths come from their biases.</summary>
    [Differentiable]
    public double Loss([NoDerivative] ReadOnlySpan<double> xs, [NoDerivative] ReadOnlySpan<double> ys)
    {
        Span<double> a = stackalloc double[8];
        Span<double> b = stackalloc double[8];
        int inputs = xs.Length / ys.Length;
        double sum = 0;
        for (int s = 0; s < ys.Length; s++)
        {
            for (int k = 0; k < inputs; k++) a[k] = xs[s * inputs + k];
            int width = inputs;
            for (int l = 0; l < Layers.Length; l++)
            {
                int next = Layers[l].Bias.Length;
                Layers[l].Forward(a.Slice(0, width), b.Slice(0, next));
                b.Slice(0, next).CopyTo(a);
                width = next;
            }
            double y = 0;
            for (int k = 0; k < width; k++) y += Head[k] * a[k];
            sum += (y - ys[s]) * (y - ys[s]);
        }
        return sum / ys.Length;
    }
}

/// <summary>A base class holding weights (not a model itself): a derived model's methods read them.</summary>
public class RegressorBase
{
    public double[] W = { 0.5, -0.25 };
    protected double B = 0.1;
    private readonly double _seen = 1;

    protected double Seen => _seen;
}

/// <summary>A model whose weights are partly inherited: its gradient and <c>AddParameters</c> cover the base's members too.</summary>
public partial class DerivedRegressor : RegressorBase
{
    public double Gain = 1.5;

    [Differentiable]
    public double Loss([NoDerivative] double x, [NoDerivative] double y)
    {
        double e = Gain * Math.Tanh(W[0] * x + W[1]) + B - y;
        return e * e;
    }
}

/// <summary>Locals bound to the model's arrays (<c>double[] w = Weight;</c>, a span of a member, a slice of one) are views of them, differentiated as the members.</summary>
public partial class MemberViews
{
    public double[] Weight = { 0.3, -0.4, 0.5 };
    public double[] Bias = { 0.1 };

    [Differentiable]
    public double Loss([Backprop.NoDerivative] double x)
    {
        double[] w = Weight;
        ReadOnlySpan<double> b = Bias;
        var tail = Weight.AsSpan(1);
        double s = b[0];
        for (int i = 0; i < w.Length; i++) s += w[i] * x * tail[0];
        return s * s + Math.Sin(tail[1]);
    }
}
