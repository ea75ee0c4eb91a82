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
