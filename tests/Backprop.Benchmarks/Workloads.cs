using System;

namespace Backprop.Benchmarks;

/// <summary>
/// The differentiated workloads of <c>*GradientBenchmarks</c>: each <c>[Differentiable]</c> method gets a generated
/// <c>...Gradient</c>; each has a hand-written value-and-gradient next to it, written for speed in the same loop style.
/// </summary>
public static partial class Workloads
{
    // ---- 1. Rosenbrock -------------------------------------------------------------------------------------

    [Differentiable]
    public static double Rosenbrock(double x, double y)
    {
        double a = 1 - x;
        double b = y - x * x;
        return a * a + 100 * b * b;
    }

    public static double RosenbrockHandWritten(double x, double y, out double dX, out double dY)
    {
        double a = 1 - x;
        double b = y - x * x;
        double b200 = 200 * b;
        dX = -2 * a - 2 * x * b200;
        dY = b200;
        return a * a + 100 * b * b;
    }

    // ---- 2. A 30-operation transcendental function of 4 variables -------------------------------------------

    /// <summary>
    /// 30 operations (binary +, -, *, / and calls; literals and variable reads not counted):
    /// 11 multiplications, 8 additions, 1 subtraction, 2 divisions, 2 Sin, 1 Exp, 1 Log, 1 Tanh, 1 Sqrt, 1 Pow,
    /// plus the negation of a literal folded at compile time (not counted).
    /// </summary>
    [Differentiable]
    public static double Transcendental(double a, double b, double c, double d)
    {
        double t1 = a * b;                                  //  1 *
        double t2 = Math.Sin(t1) + c;                       //  2 Sin, 3 +
        double t3 = Math.Exp(-0.5 * d * d);                 //  4 *, 5 *, 6 Exp
        double t4 = t2 * t3;                                //  7 *
        double t5 = Math.Log(1 + a * a + b * b);            //  8 *, 9 *, 10 +, 11 +, 12 Log
        double t6 = Math.Tanh(t4 - t5 / (1 + c * c));       // 13 *, 14 +, 15 /, 16 -, 17 Tanh
        double t7 = Math.Sqrt(1 + t6 * t6 + d * d);         // 18 *, 19 *, 20 +, 21 +, 22 Sqrt
        double t8 = Math.Pow(1 + t5, 0.75);                 // 23 +, 24 Pow
        return t7 * t8 + Math.Sin(c * d) / (t7 + t4);       // 25 *, 26 *, 27 Sin, 28 +, 29 /, 30 +
    }

    public static double TranscendentalHandWritten(double a, double b, double c, double d,
        out double dA, out double dB, out double dC, out double dD)
    {
        // Forward, keeping what the reverse needs.
        double t1 = a * b;
        var (s1, c1) = Math.SinCos(t1);
        double t2 = s1 + c;
        double t3 = Math.Exp(-0.5 * d * d);
        double t4 = t2 * t3;
        double q = 1 + a * a + b * b;
        double t5 = Math.Log(q);
        double invP = 1 / (1 + c * c);
        double t6 = Math.Tanh(t4 - t5 * invP);
        double t7 = Math.Sqrt(1 + t6 * t6 + d * d);
        double u = 1 + t5;
        double t8 = Math.Pow(u, 0.75);
        double cd = c * d;
        var (g, cg) = Math.SinCos(cd);
        double invH = 1 / (t7 + t4);
        double gOverH = g * invH;
        double result = t7 * t8 + gOverH;

        // Reverse.
        double dH = -gOverH * invH;
        double dT7 = t8 + dH;
        double dT4 = dH;
        double dCd = invH * cg;
        double dT5 = t7 * 0.75 * t8 / u;
        double dW = dT7 * 0.5 / t7;
        double dArg = dW * 2 * t6 * (1 - t6 * t6);
        dT4 += dArg;
        dT5 -= dArg * invP;
        double dQ = dT5 / q;
        double dT2 = dT4 * t3;
        double dT1 = dT2 * c1;
        dA = dQ * 2 * a + dT1 * b;
        dB = dQ * 2 * b + dT1 * a;
        dC = dCd * d + dArg * t5 * invP * invP * 2 * c + dT2;
        dD = dCd * c + dW * 2 * d - dT4 * t2 * t3 * d;
        return result;
    }

    // ---- 3. A branchy piecewise function of 2 variables -----------------------------------------------------

    [Differentiable]
    public static double Piecewise(double x, double y)
    {
        if (x < -1)
        {
            if (y < 0) return x * x + y;
            return -x * y + Math.Sin(y);
        }
        double r = x * y;
        if (x < 1)
        {
            if (y > 2) return r * r;
            r += x * x * 0.5;
        }
        else
        {
            r = Math.Exp(-x) * y;
            if (y < -2) return r - y * y;
        }
        return r + 3 * y;
    }

    public static double PiecewiseHandWritten(double x, double y, out double dX, out double dY)
    {
        if (x < -1)
        {
            if (y < 0)
            {
                dX = 2 * x;
                dY = 1;
                return x * x + y;
            }
            var (sy, cy) = Math.SinCos(y);
            dX = -y;
            dY = cy - x;
            return -x * y + sy;
        }
        if (x < 1)
        {
            double r = x * y;
            if (y > 2)
            {
                dX = 2 * r * y;
                dY = 2 * r * x;
                return r * r;
            }
            dX = y + x;
            dY = x + 3;
            return r + x * x * 0.5 + 3 * y;
        }
        double e = Math.Exp(-x);
        double r2 = e * y;
        dX = -r2;
        if (y < -2)
        {
            dY = e - 2 * y;
            return r2 - y * y;
        }
        dY = e + 3;
        return r2 + 3 * y;
    }

    // ---- 4. Log-sum-exp with the max shift ------------------------------------------------------------------

    [Differentiable]
    public static double LogSumExp(ReadOnlySpan<double> x)
    {
        double m = x[0];
        for (int i = 1; i < x.Length; i++)
            m = Math.Max(m, x[i]);
        double s = 0;
        for (int i = 0; i < x.Length; i++)
            s += Math.Exp(x[i] - m);
        return m + Math.Log(s);
    }

    /// <summary>The gradient is softmax(x), added to <paramref name="dX"/> like the generated contract.</summary>
    public static double LogSumExpHandWritten(ReadOnlySpan<double> x, Span<double> dX)
    {
        if (dX.Length != x.Length) throw new ArgumentException("dX must have the length of x.", nameof(dX));
        double m = x[0];
        for (int i = 1; i < x.Length; i++)
            m = Math.Max(m, x[i]);
        double s = 0;
        for (int i = 0; i < x.Length; i++)
            s += Math.Exp(x[i] - m);
        double invS = 1 / s;
        for (int i = 0; i < x.Length; i++)
            dX[i] += Math.Exp(x[i] - m) * invS;
        return m + Math.Log(s);
    }
}
