using System;
using System.Linq;
using Backprop;

namespace Backprop.Benchmarks;

/// <summary>
/// Small scalar functions with second derivatives and forward mode, for <see cref="HessianBenchmarks"/> and
/// <see cref="HessianRatios"/>; the large workload is the NewtonCG sample's logistic loss (<see cref="LogisticWorkload"/>).
/// </summary>
public static partial class HessianWorkloads
{
    /// <summary>Rosenbrock, (1 − x)² + 100 (y − x²)²: a handful of multiplications.</summary>
    [Differentiable(Hessian = true, Forward = true)]
    public static double Rosenbrock(double x, double y)
    {
        double a = 1 - x;
        double b = y - x * x;
        return a * a + 100 * b * b;
    }

    /// <summary>Three variables, products, a quotient and Sin, Exp, Log: a transcendental-bound scalar function.</summary>
    [Differentiable(Hessian = true, Forward = true)]
    public static double Wavy(double x, double y, double z) =>
        x * x * y + Math.Sin(x * z) / (1 + y * y) + Math.Exp(0.3 * y - z * z) + Math.Log(2 + x * x + z);
}

/// <summary>
/// The NewtonCG sample's objective as the sample runs it: logistic loss of 100 weights over 500 examples, at a random
/// point, with a random direction for the Hessian–vector product and the tangent. Gradient buffers are never cleared
/// (the generated methods add to them; the contract allows it and the time does not depend on it).
/// </summary>
public sealed class LogisticWorkload
{
    public const int Examples = 500, Features = 100;
    public const double Lambda = 1e-4;
    private readonly double[] _x, _y, _w, _v, _g = new double[Features], _h = new double[Features];

    public LogisticWorkload()
    {
        (_x, _y) = NewtonCG.Model.Data(Examples, Features);
        var random = new Random(3);
        _w = Enumerable.Range(0, Features).Select(_ => random.NextDouble() - 0.5).ToArray();
        _v = Enumerable.Range(0, Features).Select(_ => 2 * random.NextDouble() - 1).ToArray();
    }

    public double Loss() => NewtonCG.Model.Loss(_w, _x, _y, Lambda);

    public double Gradient() => NewtonCG.Model.LossGradient(_w, _x, _y, Lambda, _g);

    public double HessianVectorProduct() => NewtonCG.Model.LossHessianVectorProduct(_w, _x, _y, Lambda, _v, _g, _h);

    public double Tangent() => NewtonCG.Model.LossTangent(_w, _x, _y, Lambda, _v, out double t) + t;
}
