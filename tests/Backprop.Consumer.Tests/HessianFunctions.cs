using System;
using Backprop;

namespace Backprop.Consumer.Tests;

/// <summary>
/// Ordinary objectives with second derivatives (<c>Hessian = true</c>); <see cref="HessianTests"/> checks their generated
/// <c>MHessianVectorProduct</c> and <c>MHessian</c> against central differences of <c>MGradient</c>.
/// </summary>
public static partial class HessianFunctions
{
    /// <summary>The NewtonCG sample's objective: mean logistic loss of <paramref name="w"/> plus λ/2·‖w‖².</summary>
    [Differentiable(Hessian = true, Forward = true)]
    public static double LogisticLoss(ReadOnlySpan<double> w, [NoDerivative] ReadOnlySpan<double> x, [NoDerivative] ReadOnlySpan<double> y, [NoDerivative] double lambda)
    {
        int d = w.Length;
        double loss = 0;
        for (int i = 0; i < y.Length; i++)
        {
            double z = 0;
            for (int j = 0; j < d; j++) z += w[j] * x[i * d + j];
            double t = -y[i] * z;
            loss += t > 0 ? t + Math.Log(1 + Math.Exp(-t)) : Math.Log(1 + Math.Exp(t));
        }
        double norm = 0;
        for (int j = 0; j < d; j++) norm += w[j] * w[j];
        return loss / y.Length + 0.5 * lambda * norm;
    }

    /// <summary>A smooth scalar function of three variables mixing products, a quotient and transcendental functions.</summary>
    [Differentiable(Hessian = true, Forward = true)]
    public static double Wavy(double x, double y, double z) =>
        x * x * y + Math.Sin(x * z) / (1 + y * y) + Math.Exp(0.3 * y - z * z) + Math.Log(2 + x * x + z);

    /// <summary>Temperature-scaled log-sum-exp T·log Σ exp(zᵢ/T): a span and a scalar differentiated together.</summary>
    [Differentiable(Hessian = true)]
    public static double SoftMaximum(ReadOnlySpan<double> z, double temperature)
    {
        double max = z[0];
        for (int i = 1; i < z.Length; i++) max = Math.Max(max, z[i]);
        double sum = 0;
        for (int i = 0; i < z.Length; i++) sum += Math.Exp((z[i] - max) / temperature);
        return max + temperature * Math.Log(sum);
    }

    /// <summary>A float objective: a small tanh network's squared output, with a float array and a scalar.</summary>
    [Differentiable(Hessian = true)]
    public static float TanhChain(float[] w, float bias)
    {
        float s = bias;
        for (int i = 0; i < w.Length; i++) s = MathF.Tanh(s * w[i] + 0.5f) + 0.1f * w[i] * w[i];
        return s * s + bias * bias * bias;
    }

    /// <summary>Struct parameters (issue 13): a Vec2, a scalar and a nested struct, with operators and a struct method.</summary>
    [Differentiable(Hessian = true)]
    public static double StructPotential(Vec2 p, double k, Body body)
    {
        Vec2 d = p - body.Position;
        double r2 = d * d + 0.5;
        return k * Math.Log(r2) + body.Energy * Math.Sin(p.X * k) + body.Mass * body.Mass * d.Dot(body.Velocity);
    }

    /// <summary>A struct parameter the body writes (its fields are copied into locals first).</summary>
    [Differentiable(Hessian = true)]
    public static double StructWrittenCurvature(Vec2 p, double s)
    {
        p.Scale(s);
        p = p + new Vec2(p.Y * p.Y, Math.Exp(-p.X));
        return p.X * p.Y * s + p.Norm;
    }

    /// <summary>A span of structs: directions, gradients and products are spans of structs; the Hessian's rows its numbers.</summary>
    [Differentiable(Hessian = true)]
    public static double PointsCurvature(ReadOnlySpan<Vec2> points, double k)
    {
        double e = 0;
        for (int i = 0; i + 1 < points.Length; i++)
        {
            Vec2 d = points[i + 1] - points[i];
            e += Math.Exp(-k * (d * d)) + points[i].X * points[i + 1].Y * k;
        }
        return e;
    }
}
