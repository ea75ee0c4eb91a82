using System;
using Backprop;

namespace Backprop.Consumer.Tests;

/// <summary>The float forms of layers and losses, with arrays passed where spans are declared.</summary>
public static partial class FloatLayers
{
    [Differentiable]
    public static void Dense(ReadOnlySpan<float> x, float[] w, Span<float> y)
    {
        for (int j = 0; j < y.Length; j++)
        {
            float s = 0;
            for (int i = 0; i < x.Length; i++) s += w[j * x.Length + i] * x[i];
            y[j] = MathF.Tanh(s);
        }
    }

    [Differentiable]
    public static float Loss(float[] w1, float[] w2, [NoDerivative] float[] x, [NoDerivative] float target)
    {
        float[] h = new float[3];
        Span<float> o = stackalloc float[1];
        Dense(x, w1, h);
        Dense(h, w2, o);
        float e = o[0] - target;
        return e * e;
    }
}
