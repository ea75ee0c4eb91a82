using System;
using Backprop;

public static partial class Helpers
{
    [Differentiable]
    public static double Square(double x) => x * x;
}

public static partial class DebugPrograms
{
    [Differentiable]
    public static double F38(double p0, double p1, double p2)
    {
        double v0 = Helpers.Square(p2);
        double v1 = (Math.Cbrt(2 + Math.Sin(p2)) - (-p0));
        for (int i = 0; i < 3; i++) { p1 = ((p0 * (double)i) * Math.Pow(1.5 + Math.Cos((-0.04)), 1.7)); p1 -= Math.Atan2(Math.Exp(Math.Tanh(p1)), 2 + Math.Cos(Math.Log(1 + v0 * v0))); p0 = Math.Atan2(Math.Pow(1.5 + Math.Cos(v0), 1.7), 2 + Math.Cos((p2 / (1.5 + (double)i * (double)i)))); }
        if ((-0.184) < v0) { v0 *= Math.Tanh(p2); v1 = Math.Atan2((p2 - p1), 2 + Math.Cos(Math.Asinh(p2))); } else { if ((-(-0.0)) < p2) { v0 = p1; p0 += Math.Exp(Math.Tanh(((0.0) < v0 ? p0 : v0))); } if (Math.Sqrt(1 + v1 * v1) < (v1 * v0)) { v0 *= Math.Tanh(Math.Tanh(Math.Pow(1.5 + Math.Cos(v1), 1.7))); } else { p1 *= Math.Tanh((Math.Pow(1.5 + Math.Cos(v1), 1.7) + (v0 / (1.5 + (-0.708) * (-0.708))))); p1 = v1; } }
        return (Math.Cbrt(2 + Math.Sin(v1)) + (p2 < v1 ? p2 : p0));
    }
}
