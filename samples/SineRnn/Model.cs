using System;
using Backprop;

namespace SineRnn;

/// <summary>
/// An Elman (tanh) recurrent cell, <c>h[t+1] = tanh(Wx·x[t] + Wh·h[t] + b)</c>, with a linear read-out
/// <c>y[t] = Wo·h[t+1] + bo</c> that predicts <c>x[t+1]</c>. The loss unrolls the cell over the whole window,
/// so its generated gradient is backpropagation through time.
/// </summary>
public static partial class Model
{
    public const int Hidden = 8;

    /// <summary>Mean squared one-step-ahead error over a window <c>xs</c> of T + 1 values (T steps).</summary>
    [Differentiable]
    public static double Loss(ReadOnlySpan<double> wx, ReadOnlySpan<double> wh, ReadOnlySpan<double> b,
        ReadOnlySpan<double> wo, ReadOnlySpan<double> bo, [NoDerivative] ReadOnlySpan<double> xs)
    {
        int steps = xs.Length - 1;
        Span<double> hs = stackalloc double[(steps + 1) * Hidden]; // h[0] = 0, then one state per step
        double sum = 0;
        for (int t = 0; t < steps; t++)
        {
            for (int j = 0; j < Hidden; j++)
            {
                double s = b[j] + wx[j] * xs[t];
                for (int k = 0; k < Hidden; k++)
                    s += wh[j * Hidden + k] * hs[t * Hidden + k];
                hs[(t + 1) * Hidden + j] = Math.Tanh(s);
            }
            double y = bo[0];
            for (int j = 0; j < Hidden; j++)
                y += wo[j] * hs[(t + 1) * Hidden + j];
            double d = y - xs[t + 1];
            sum += d * d;
        }
        return sum / steps;
    }
}
