using System;
using Backprop;

namespace Backprop.Consumer.Tests;

/// <summary>Local functions, inlined where they are called (captures read and written as C# does).</summary>
public static partial class LocalFunctionFunctions
{
    [Differentiable]
    public static double Static(double x, double y)
    {
        static double Sq(double v) => v * v;
        return Sq(x) + Sq(x * y);
    }

    /// <summary>A void local function that changes a captured local: s = Σ w_i² x.</summary>
    [Differentiable]
    public static double Capturing(double[] w, double x)
    {
        double s = 0;
        void Add(double v) { s += v * x; }
        for (int i = 0; i < w.Length; i++) Add(w[i] * w[i]);
        return s;
    }

    /// <summary>A block body with a loop and an early return, called twice.</summary>
    [Differentiable]
    public static double Block(double x)
    {
        double Poly(double t)
        {
            double acc = 0;
            for (int k = 1; k < 4; k++) acc = acc * t + k;
            if (t > 10) return 0;
            return acc;
        }
        return Poly(x) * Poly(2 * x);
    }
}

/// <summary>A model whose method's local function reads its members.</summary>
public partial class LocalFunctionModel
{
    public double W = 0.5;
    public double[] B = { 0.1, -0.2 };

    [Differentiable]
    public double Loss(double x)
    {
        double Unit(int k) => Math.Tanh(W * x + B[k]);
        return Unit(0) * Unit(1);
    }
}
