using System;
using Backprop;

namespace Backprop.Consumer.Tests;

/// <summary>
/// Methods with forward mode (<c>MTangent</c>) and a Jacobian (<c>MJacobian</c>), one per construct reverse mode supports;
/// <see cref="ForwardModeTests"/> checks both against central differences.
/// </summary>
public static partial class ForwardFunctions
{
    private const double Half = 0.5;

    // ---- Scalar math ----

    [Differentiable(Forward = true, Jacobian = true)]
    public static double Arithmetic(double x, double y)
    {
        double z = x * y - x / (1 + y * y) + Half;
        z += y;
        z *= x;
        z -= 2 * y;
        z /= 1.5 + x * x;
        return -z + z * x;
    }

    [Differentiable(Forward = true, Jacobian = true)]
    public static double Trigonometric(double x, double y) =>
        Math.Sin(x) * Math.Cos(y) + Math.Tan(x * y) + Math.Asin(x * 0.5) + Math.Acos(y * 0.5) + Math.Atan(x - y)
        + Math.Atan2(y, x + 2);

    [Differentiable(Forward = true, Jacobian = true)]
    public static double Hyperbolic(double x, double y) =>
        Math.Sinh(x) + Math.Cosh(y) * Math.Tanh(x * y) + Math.Asinh(x - y) + Math.Acosh(2 + y * y) + Math.Atanh(x * 0.5);

    [Differentiable(Forward = true, Jacobian = true)]
    public static double ExponentialsAndRoots(double x, double y) =>
        Math.Exp(x * y) + Math.Log(1 + x * x) + Math.Log(2 + y, 3 + x * x) + Math.Log10(2 + y) + Math.Log2(3 + x)
        + Math.Sqrt(1 + y * y) + Math.Cbrt(x + 2);

    [Differentiable(Forward = true, Jacobian = true)]
    public static double Powers(double x, double y) =>
        Math.Pow(x * x + 1, y) + Math.Pow(y + 2, 3) + Math.Pow(2, x) + Math.Pow(x + 3, 0.5);

    [Differentiable(Forward = true, Jacobian = true)]
    public static double MinMaxAbsClamp(double x, double y) =>
        Math.Min(x, y) * 2 + Math.Max(x * y, y - 1) + Math.Abs(x - y) * Math.Abs(y) + Math.Clamp(x * 3, -1, 1)
        + Math.FusedMultiplyAdd(x, y, x) + Math.CopySign(y, x);

    [Differentiable(Forward = true, Jacobian = true)]
    public static double PiecewiseConstants(double x, double y) =>
        x * Math.Floor(y * 3) + y * Math.Ceiling(x) + Math.Round(x * 2) * Math.Truncate(y * 5) + Math.Sign(x) * y + double.Sin(x) + double.Max(x, y);

    // ---- Control flow ----

    [Differentiable(Forward = true, Jacobian = true)]
    public static double Conditionals(double x, double y)
    {
        double a = x > y ? x * y : x + y;
        double b = (x > 0 && y < 1) || x > 2 ? Math.Sin(a) : Math.Cos(a) * y;
        return a * b + (y is > 0 and < 0.5 ? y * y : x);
    }

    [Differentiable(Forward = true, Jacobian = true)]
    public static double Branches(double x, double y)
    {
        double z = x * y;
        if (x > 0)
        {
            if (y > 0) z = Math.Sin(z) + x;
            else z = Math.Cos(z) * x;
        }
        else if (y > 0)
        {
            z = Math.Exp(z);
        }
        else
        {
            z *= z;
        }
        switch (z)
        {
            case > 1:
                z = Math.Log(z);
                break;
            case < -1:
                z = -z * y;
                break;
            default:
                z += y;
                break;
        }
        return z * x;
    }

    [Differentiable(Forward = true, Jacobian = true)]
    public static double EarlyReturns(double x, double y)
    {
        if (x > 1) return x * y;
        double z = x + y;
        if (z < 0) return Math.Exp(z) * y;
        z *= x;
        if (y > 0.5) return Math.Sin(z);
        return z * z;
    }

    [Differentiable(Forward = true, Jacobian = true)]
    public static double Loops(double x, double y, [NoDerivative] int n)
    {
        double s = 0;
        for (int i = 0; i < n; i++)
        {
            if (i == 2) continue;
            s += Math.Sin(x * i + y) * 0.5;
            s *= 1 + 0.1 * y;
        }
        int k = 0;
        while (s < 5 && k < 20)
        {
            s += x * x + 0.3;
            k++;
            if (s > 4.5) break;
        }
        do
        {
            s = s * y + x;
        }
        while (++k < 24);
        return s;
    }

    [Differentiable(Forward = true, Jacobian = true)]
    public static double LoopWithEarlyReturn(double x, double y)
    {
        double s = x;
        for (int i = 0; i < 10; i++)
        {
            s = s * y + Math.Tanh(x);
            if (s > 3) return s * x;
        }
        return s;
    }

    [Differentiable(Forward = true, Jacobian = true)]
    public static double Recurrences(double x, double y)
    {
        double a = x, b = y;
        for (int i = 0; i < 5; i++)
        {
            (a, b) = (b, a * 0.5 + Math.Sin(b));
            ref double first = ref a;
            if (first > b) first *= 0.9;
        }
        double c = a switch
        {
            > 1 => a * b,
            < -1 => -a,
            _ => a + b * b,
        };
        int n = 0;
        while (n++ < 3) c = c * y + 0.1;
        return c;
    }

    [Differentiable(Forward = true, Jacobian = true)]
    public static double NestedLoopsWithBreak(ReadOnlySpan<double> v, double s)
    {
        Span<double> acc = stackalloc double[3];
        for (int i = 0; i < v.Length; i++)
        {
            for (int j = 0; j < 3; j++)
            {
                acc[j] *= 0.5 + 0.1 * s;
                acc[j] += v[i] * (j + 1);
                if (acc[j] > 1.5) break;
            }
        }
        return acc[0] * acc[1] + Math.Exp(acc[2] * s);
    }

    // ---- Spans and layers ----

    [Differentiable(Forward = true, Jacobian = true)]
    public static double SpanLoss(ReadOnlySpan<double> w, double b, [NoDerivative] ReadOnlySpan<double> x, double[] v)
    {
        double z = b;
        for (int i = 0; i < w.Length; i++) z += w[i] * x[i] + v[i] * v[i] * w[i];
        double a = Math.Tanh(z);
        return a * a + w[^1] * v[0];
    }

    /// <summary>A layer: y = tanh(W x + b), W row-major (y.Length × x.Length).</summary>
    [Differentiable(Forward = true, Jacobian = true)]
    public static void Dense(ReadOnlySpan<double> x, ReadOnlySpan<double> w, ReadOnlySpan<double> b, Span<double> y)
    {
        for (int r = 0; r < y.Length; r++)
        {
            double z = b[r];
            for (int c = 0; c < x.Length; c++) z += w[r * x.Length + c] * x[c];
            y[r] = Math.Tanh(z);
        }
    }

    /// <summary>A loop-free layer that overwrites a local and an output: its reverse sweep would undo them, so it is not replayed.</summary>
    [Differentiable(Forward = true, Jacobian = true)]
    public static void Overwrites(double r, double theta, Span<double> xy)
    {
        double c = Math.Cos(theta);
        xy[0] = r * c;
        c = c * c + r;
        xy[0] = r * c;
        xy[1] = r * Math.Sin(theta) * c;
    }

    /// <summary>Two outputs, one written twice and one in a branch.</summary>
    [Differentiable(Forward = true, Jacobian = true)]
    public static void TwoOutputs(ReadOnlySpan<double> x, double s, Span<double> y, Span<double> z)
    {
        for (int i = 0; i < y.Length; i++)
        {
            y[i] = x[i] * s;
            double e = Math.Exp(x[i] * s);
            y[i] = e - x[i];
        }
        z[0] = x[0] > 0 ? s * s * x[1] : Math.Sin(s);
        z[1] = x[0] * x[1] * x[2];
    }

    /// <summary>Layers calling layers: Dense, then an element-wise square, through a stack buffer.</summary>
    [Differentiable(Forward = true, Jacobian = true)]
    public static void Stacked(ReadOnlySpan<double> x, ReadOnlySpan<double> w, ReadOnlySpan<double> b, Span<double> y)
    {
        Span<double> hidden = stackalloc double[y.Length];
        Dense(x, w, b, hidden);
        Square(hidden, y);
    }

    [Differentiable(Forward = true, Jacobian = true)]
    public static void Square(ReadOnlySpan<double> x, Span<double> y)
    {
        for (int i = 0; i < y.Length; i++) y[i] = x[i] * x[i];
    }

    /// <summary>A layer calling a scalar method on slices of its input, in a loop.</summary>
    [Differentiable(Forward = true, Jacobian = true)]
    public static void Windows(ReadOnlySpan<double> signal, ReadOnlySpan<double> kernel, Span<double> y)
    {
        for (int i = 0; i < y.Length; i++) y[i] = Math.Tanh(Correlate(signal.Slice(i, kernel.Length), kernel));
    }

    [Differentiable(Forward = true, Jacobian = true)]
    public static double Correlate(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++) s += a[i] * b[i];
        return s;
    }

    /// <summary>Writes some outputs only, one in a loop that stops early: the others keep what the caller put there.</summary>
    [Differentiable(Forward = true, Jacobian = true)]
    public static void PartialWrites(ReadOnlySpan<double> x, double s, Span<double> y)
    {
        for (int i = 0; i < y.Length; i++)
        {
            if (x[i] * s > 0.5) break;
            y[i] = Math.Sin(x[i] * s);
        }
        y[^1] = s * s;
    }

    /// <summary>Sub-layers writing slices of the output (a concatenation), and a ref local to an element.</summary>
    [Differentiable(Forward = true, Jacobian = true)]
    public static void Concatenated(ReadOnlySpan<double> x, ReadOnlySpan<double> w, ReadOnlySpan<double> b, Span<double> y)
    {
        Dense(x, w, b, y.Slice(0, 2));
        Span<double> h = stackalloc double[3];
        for (int i = 0; i < 3; i++)
        {
            h[i] = x[i] * b[0];
            ref double e = ref h[i];
            e *= e + w[i];
        }
        Square(h, y.Slice(2, 3));
    }

    /// <summary>A layer called in a loop, its output feeding its next input (an unrolled recurrence).</summary>
    [Differentiable(Forward = true, Jacobian = true)]
    public static double Unrolled(ReadOnlySpan<double> w, ReadOnlySpan<double> b, ReadOnlySpan<double> x0, [NoDerivative] int steps)
    {
        Span<double> h = stackalloc double[2];
        Span<double> next = stackalloc double[2];
        h[0] = x0[0];
        h[1] = x0[1];
        for (int s = 0; s < steps; s++)
        {
            Dense(h, w, b, next);
            for (int i = 0; i < 2; i++) h[i] = next[i] + 0.1 * h[i] * h[1 - i];
            if (h[0] > 0.95) break;
        }
        return h[0] * h[1] + SumOfSquares(next);
    }

    /// <summary>A scalar loss over a layer's output, with a heap buffer.</summary>
    [Differentiable(Forward = true, Jacobian = true)]
    public static double LayerLoss(ReadOnlySpan<double> x, ReadOnlySpan<double> w, ReadOnlySpan<double> b, [NoDerivative] ReadOnlySpan<double> target)
    {
        double[] y = new double[target.Length];
        Stacked(x, w, b, y);
        double loss = 0;
        for (int i = 0; i < y.Length; i++) loss += (y[i] - target[i]) * (y[i] - target[i]);
        return loss;
    }

    // ---- Calls ----

    [Differentiable(Forward = true, Jacobian = true)]
    public static double Inner(double a, double b) => Math.Sin(a) * b + a * a;

    [Differentiable(Forward = true, Jacobian = true)]
    public static double SumOfSquares(ReadOnlySpan<double> v)
    {
        double s = 0;
        foreach (double e in v) s += e * e;
        return s;
    }

    [Differentiable(Forward = true, Jacobian = true)]
    public static double CallsDifferentiable(double x, ReadOnlySpan<double> v)
    {
        double first = Inner(x, v[0]);
        double second = Inner(first, x) * SumOfSquares(v);
        return first + second + Inner(v[1], 2.0);
    }

    /// <summary>Not marked: the Jacobian (reverse mode) differentiates it for its callers; forward mode does not (BPG014).</summary>
    private static double Helper(double a, double b) => a * Math.Exp(b) - b * b;

    private static void HelperLayer(ReadOnlySpan<double> x, double s, Span<double> y)
    {
        for (int i = 0; i < y.Length; i++) y[i] = Math.Sin(x[i] * s) + Helper(x[i], s);
    }

    [Differentiable(Forward = true, Jacobian = true)]
    public static double CallsUnmarkedHelper(double x, double y) => Helper(x, y) * Helper(y, 0.5);

    [Differentiable(Forward = true, Jacobian = true)]
    public static void CallsUnmarkedLayer(ReadOnlySpan<double> x, double s, Span<double> y)
    {
        Span<double> h = stackalloc double[y.Length];
        HelperLayer(x, s, h);
        for (int i = 0; i < y.Length; i++) y[i] = h[i] * h[(i + 1) % y.Length];
    }

    [Differentiable(Forward = true, Jacobian = true)]
    public static double CallsInArms(double x, double y, [NoDerivative] int n)
    {
        double a = x > 0 ? Inner(x, y) : Inner(y, x) * 2;
        double b = Math.Pow(a, n) + (x % 0.75) * y + Math.Clamp(y, x - 1, x + 1);
        double c = x switch
        {
            > 0.5 when y > 0 => b * y,
            _ when n > 2 => b - x,
            _ => b * b,
        };
        int i = 0;
        do
        {
            i++;
            if (i % 2 == 0) continue;
            c += Inner(c * 0.1, y) * 0.1;
        }
        while (i < 4);
        return c;
    }

    /// <summary>A layer whose output is an array parameter.</summary>
    [Differentiable(Forward = true, Jacobian = true)]
    public static void IntoArray(ReadOnlySpan<double> a, double[] o)
    {
        double sum = 0;
        foreach (double v in a)
        {
            if (v < -0.7) continue;
            sum += Math.Tanh(v);
        }
        o[0] = sum;
        o[1] = a[0] * a[1];
    }

    /// <summary>A function of another assembly's kind, with a hand-written reverse rule: the Jacobian uses the rule.</summary>
    public static double Softplus(double x) => Math.Log(1 + Math.Exp(x));

    [DerivativeOf(typeof(ForwardFunctions), nameof(Softplus))]
    private static void SoftplusReverse(double x, double result, double dResult, ref double dX) => dX += dResult / (1 + Math.Exp(-x));

    [Differentiable(Jacobian = true)]
    public static double CallsCustomRule(double x, double y) => Softplus(x * y) * y + Softplus(-x);

    // ---- Local buffers ----

    [Differentiable(Forward = true, Jacobian = true)]
    public static double LocalBuffers(ReadOnlySpan<double> v, double s)
    {
        Span<double> a = stackalloc double[v.Length];
        double[] b = new double[v.Length];
        double[] c = { s, s * s };
        for (int i = 0; i < v.Length; i++)
        {
            a[i] = v[i] * s;
            b[i] = a[i] * a[i];
            a[i] = Math.Sin(a[i]) + b[i];
        }
        double total = c[1] - c[0];
        for (int i = 0; i < v.Length; i++) total += a[i] * b[(i + 1) % v.Length];
        return total;
    }

    // ---- float ----

    [Differentiable(Forward = true, Jacobian = true)]
    public static float FloatMath(float x, float y)
    {
        float z = MathF.Sin(x) * MathF.Exp(y * 0.5f) + MathF.Sqrt(1 + x * x) + MathF.Pow(y + 2, 1.5f);
        if (z > 1.5f) z = MathF.Tanh(z) * x;
        else z = MathF.Log(1 + z * z) + MathF.Max(x, y);
        return z * y;
    }

    [Differentiable(Forward = true, Jacobian = true)]
    public static void FloatDense(ReadOnlySpan<float> x, ReadOnlySpan<float> w, float bias, Span<float> y)
    {
        for (int r = 0; r < y.Length; r++)
        {
            float z = bias;
            for (int c = 0; c < x.Length; c++) z += w[r * x.Length + c] * x[c];
            y[r] = MathF.Tanh(z) * z;
        }
    }
}

/// <summary>
/// A model class whose instance method has forward mode and a Jacobian: its members are [NoDerivative] data (forward mode
/// and the Jacobian of methods that differentiate members of this are not supported yet, BPG015).
/// </summary>
public sealed partial class ForwardModel
{
    [NoDerivative] public double Gain = 1.5;

    [NoDerivative] public double[] Offsets = { 0.25, -0.5 };

    [Differentiable(Forward = true, Jacobian = true)]
    public double Predict(double x, double y) => Gain * Math.Tanh(x * y + Offsets[0]) + Offsets[1] * Squared(x);

    [Differentiable(Forward = true, Jacobian = true)]
    public double Squared(double x) => x * x * Gain;
}
