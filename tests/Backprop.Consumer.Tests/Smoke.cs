using System;
using Backprop;

namespace Backprop.Consumer.Tests;

public static partial class Smoke
{
    [Differentiable]
    public static double Rosenbrock(double x, double y)
    {
        double a = 1 - x;
        double b = y - x * x;
        return a * a + 100 * b * b;
    }

    [Differentiable]
    public static double Branchy(double x, double y)
    {
        double z = Math.Tanh(x * y);
        if (x > 0)
            z = z * Math.Exp(y);
        else
            return Math.Sin(z);
        return z + y;
    }

    [Differentiable]
    public static double Loss(ReadOnlySpan<double> w, [NoDerivative] ReadOnlySpan<double> x, double b, [NoDerivative] double y)
    {
        double z = b;
        for (int i = 0; i < w.Length; i++)
            z += w[i] * x[i];
        double a = Math.Tanh(z);
        return 0.5 * (a - y) * (a - y);
    }
}
