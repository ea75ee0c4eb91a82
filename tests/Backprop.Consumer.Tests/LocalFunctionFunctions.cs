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

/// <summary>A struct method that changes its receiver before reading its argument.</summary>
public struct ReplacingBox
{
    public double S;

    public double Replace(double k)
    {
        S = 0;
        return k;
    }
}

/// <summary>Arguments are evaluated at the call, before the inlined body changes what they read (found by a probe).</summary>
public static partial class InlinedArgumentFunctions
{
    /// <summary>F(s) is the s before F triples it: x.</summary>
    [Differentiable(Forward = true, Hessian = true)]
    public static double CapturedThenChanged(double x)
    {
        double s = x;
        double F(double b)
        {
            s = 3 * s;
            return b;
        }
        return F(s);
    }

    /// <summary>b.Replace(b.S * 2) + b.S: 2x + 0.</summary>
    [Differentiable(Forward = true, Hessian = true)]
    public static double ReceiverThenChanged(double x)
    {
        var b = new ReplacingBox { S = x };
        return b.Replace(b.S * 2) + b.S;
    }

    /// <summary>Arguments with effects of their own, in order, then a body changing what the second read.</summary>
    [Differentiable]
    public static double Ordered(double x)
    {
        double s = 1;
        double F(double a, double b)
        {
            s = s * a;
            return s + b;
        }
        double r = F(s += x, s * 2);
        return r * s;
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
