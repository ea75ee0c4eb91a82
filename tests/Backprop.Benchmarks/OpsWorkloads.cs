using System;

namespace Backprop.Benchmarks;

/// <summary>
/// The 784-128-10 MLP of <see cref="MlpModel"/> (tanh, max-shifted softmax cross-entropy, mean over the batch) written
/// with <see cref="Ops.Linear(ReadOnlySpan{double}, ReadOnlySpan{double}, ReadOnlySpan{double}, Span{double}, int, int, int)"/>
/// on the whole batch at once, as a PyTorch user writes it: <c>w1</c> is 128 × 784 and <c>w2</c> 10 × 128 (nn.Linear's layout,
/// the same as <see cref="MlpModel"/>'s), so both models compute the same loss from the same parameters.
/// </summary>
public static partial class MlpOpsModel
{
    public const int Inputs = MlpModel.Inputs;
    public const int Hidden = MlpModel.Hidden;
    public const int Classes = MlpModel.Classes;
    public const int Batch = 32;

    [Differentiable]
    public static double Loss(ReadOnlySpan<double> w1, ReadOnlySpan<double> b1, ReadOnlySpan<double> w2, ReadOnlySpan<double> b2,
        [NoDerivative] ReadOnlySpan<double> xs, [NoDerivative] ReadOnlySpan<double> labels)
    {
        Span<double> z1 = stackalloc double[Batch * Hidden];
        Ops.Linear(xs, w1, b1, z1, Batch, Inputs, Hidden);
        Span<double> h = stackalloc double[Batch * Hidden];
        for (int i = 0; i < h.Length; i++) h[i] = Math.Tanh(z1[i]);
        Span<double> z = stackalloc double[Batch * Classes];
        Ops.Linear(h, w2, b2, z, Batch, Hidden, Classes);
        double sum = 0;
        for (int s = 0; s < Batch; s++)
        {
            int o = s * Classes;
            double m = z[o];
            for (int c = 1; c < Classes; c++) m = Math.Max(m, z[o + c]);
            double e = 0;
            for (int c = 0; c < Classes; c++) e += Math.Exp(z[o + c] - m);
            sum += Math.Log(e) + m - z[o + (int)labels[s]];
        }
        return sum / Batch;
    }

    /// <summary><see cref="Loss"/> in single precision.</summary>
    [Differentiable]
    public static float LossF(ReadOnlySpan<float> w1, ReadOnlySpan<float> b1, ReadOnlySpan<float> w2, ReadOnlySpan<float> b2,
        [NoDerivative] ReadOnlySpan<float> xs, [NoDerivative] ReadOnlySpan<float> labels)
    {
        Span<float> z1 = stackalloc float[Batch * Hidden];
        Ops.Linear(xs, w1, b1, z1, Batch, Inputs, Hidden);
        Span<float> h = stackalloc float[Batch * Hidden];
        for (int i = 0; i < h.Length; i++) h[i] = MathF.Tanh(z1[i]);
        Span<float> z = stackalloc float[Batch * Classes];
        Ops.Linear(h, w2, b2, z, Batch, Hidden, Classes);
        float sum = 0;
        for (int s = 0; s < Batch; s++)
        {
            int o = s * Classes;
            float m = z[o];
            for (int c = 1; c < Classes; c++) m = MathF.Max(m, z[o + c]);
            float e = 0;
            for (int c = 0; c < Classes; c++) e += MathF.Exp(z[o + c] - m);
            sum += MathF.Log(e) + m - z[o + (int)labels[s]];
        }
        return sum / Batch;
    }
}

/// <summary><see cref="ModelData.Mlp"/>'s parameters and batch, and a copy in single precision.</summary>
public sealed class MlpOpsData
{
    public readonly ModelData D = ModelData.Mlp(MlpOpsModel.Batch);
    public readonly float[][] P, G;
    public readonly float[] X, Y;

    public MlpOpsData()
    {
        P = Array.ConvertAll(D.P, p => Array.ConvertAll(p, v => (float)v));
        G = Array.ConvertAll(D.G, g => new float[g.Length]);
        X = Array.ConvertAll(D.X, v => (float)v);
        Y = Array.ConvertAll(D.Y, v => (float)v);
    }

    public double Gradient() => MlpOpsModel.LossGradient(D.P[0], D.P[1], D.P[2], D.P[3], D.X, D.Y, D.G[0], D.G[1], D.G[2], D.G[3]);

    public float GradientF() => MlpOpsModel.LossFGradient(P[0], P[1], P[2], P[3], X, Y, G[0], G[1], G[2], G[3]);

    public void ClearGradients()
    {
        D.ClearGradients();
        foreach (var g in G) Array.Clear(g);
    }
}
