using System;
using System.Numerics;

namespace Backprop.Consumer.Tests;

/// <summary>
/// Unmarked callees that are generic (differentiated for the double or float they are called with) or recursive (through
/// pullbacks that call themselves), and buffers written in place as arguments, issue 16. Checked by <see cref="CalleeTests"/>.
/// </summary>
public static partial class CalleeFunctions
{
    // ---------------------------------------------------------------- generic callees

    /// <summary>Generic math on T: each static has the rule of its double/float counterpart.</summary>
    private static T Blend<T>(T x, T y)
        where T : IFloatingPointIeee754<T>
    {
        T s = T.Zero;
        s += T.Exp(x) * T.Sin(y) + T.Sqrt(x * x + T.One) + T.Max(x, y) + T.Abs(y);
        s -= T.Log(T.One + T.Exp(-x)) - T.Tanh(y) * T.Cos(x) + T.Pow(x * x + T.One, T.CreateChecked(1.5));
        return s * T.CreateTruncating(2) + T.Atan2(y, T.One + x * x);
    }

    [Differentiable(Forward = true, Hessian = true)]
    public static double BlendOfDoubles(double x, double y) => Blend(x, y);

    [Differentiable]
    public static float BlendOfFloats(float x, float y) => Blend<float>(x, y) * 0.5f;

    /// <summary>Both specializations of one generic callee in one method.</summary>
    [Differentiable]
    public static double BothPrecisions(double x, double y) => Blend(x, y) + Blend((float)x, (float)y);

    private static T Dot<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b)
        where T : INumber<T>
    {
        T s = T.Zero;
        for (int i = 0; i < a.Length; i++) s += a[i] * b[i];
        return s;
    }

    /// <summary>A generic layer: writes its span.</summary>
    private static void ScaledTanh<T>(ReadOnlySpan<T> x, T scale, Span<T> y)
        where T : IFloatingPointIeee754<T>
    {
        for (int i = 0; i < x.Length; i++) y[i] = T.Tanh(scale * x[i]);
    }

    [Differentiable]
    public static double GenericLayer(double[] x, double[] w, double scale)
    {
        Span<double> h = stackalloc double[x.Length];
        ScaledTanh<double>(x, scale, h);
        return Dot<double>(h, w);
    }

    private static T Nest<T>(T x, int n)
        where T : IFloatingPointIeee754<T> => n == 0 ? x : T.Sin(Nest(x, n - 1)) * x;

    /// <summary>A generic callee that calls itself.</summary>
    [Differentiable]
    public static double GenericRecursion(double x) => Nest(x, 4);

    /// <summary>A call kept for its argument's change: the change is differentiated, the value unused.</summary>
    [Differentiable]
    public static double DiscardedCall(double x, double y)
    {
        Blend(y *= x, y);
        return y * y;
    }

    // ---------------------------------------------------------------- recursion

    private static double Horner(ReadOnlySpan<double> c, double x, int i) => i == c.Length - 1 ? c[i] : c[i] + x * Horner(c, x, i + 1);

    /// <summary>A recursive helper over a buffer: its split pair calls itself on the caller's tape.</summary>
    [Differentiable]
    public static double Polynomial(double[] c, double x) => Horner(c, x, 0) + c[0] * x;

    /// <summary>A [Differentiable] method that calls itself.</summary>
    [Differentiable(Jacobian = true)]
    public static double PowerByRecursion(double x, int n)
    {
        if (n == 0) return 1.0;
        return x * PowerByRecursion(x, n - 1);
    }

    private static double Even(double x, int n) => n == 0 ? x : Odd(Math.Sin(x), n - 1);

    private static double Odd(double x, int n) => n == 0 ? x * x : Even(x * 1.5 + Math.Cos(x), n - 1);

    /// <summary>Mutual recursion through two unmarked helpers.</summary>
    [Differentiable]
    public static double Mutual(double x, int n) => Even(x, n) + Odd(x, n);

    /// <summary>The same cycle entered at Odd: each helper's derivatives are emitted from its full analysis.</summary>
    [Differentiable]
    public static double MutualFromOdd(double x, int n) => Odd(x, n) * Even(x, n);

    // ---------------------------------------------------------------- buffers written in place as arguments

    private static double Weighted(ReadOnlySpan<double> a, double[] b, ReadOnlySpan<double> none)
    {
        double s = none.Length;
        for (int i = 0; i < a.Length; i++) s += a[i] * b[i] * b[i];
        return s;
    }

    /// <summary>A collection expression, stackalloc, an array initializer and default as arguments, in a loop.</summary>
    [Differentiable]
    public static double ArgumentBuffers(double x, double y)
    {
        double s = Weighted([x, y], new[] { y, x }, default);
        for (int i = 0; i < 3; i++) s += Weighted(stackalloc[] { x * i, y, x * y }, new[] { y, x + i, 2.0 }, [x]);
        return s;
    }

    // ---------------------------------------------------------------- buffers updated in place

    /// <summary>A method returning a value that writes into its own buffer parameter: the gradient is at the values on entry.</summary>
    [Differentiable]
    public static double PrefixProducts(double[] p, double scale)
    {
        for (int i = 1; i < p.Length; i++) p[i] = p[i] * p[i - 1] + scale * Math.Sin(p[i]);
        double s = 0;
        for (int i = 0; i < p.Length; i++) s += (p[i] *= scale) * p[i];
        return s;
    }

    private static void ScaleInPlace(Span<double> x, double y)
    {
        for (int i = 0; i < x.Length; i++) x[i] = x[i] * y + x[0];
    }

    private static double Normalize(double[] w)
    {
        double norm = 0;
        for (int i = 0; i < w.Length; i++) norm += w[i] * w[i];
        norm = Math.Sqrt(norm);
        for (int i = 0; i < w.Length; i++) w[i] /= norm;
        return norm;
    }

    /// <summary>Helpers that update a buffer in place (a void one that reads what it writes, one that returns a value): inlined.</summary>
    [Differentiable]
    public static double InPlaceHelpers(double[] w, double y)
    {
        double norm = Normalize(w);
        Span<double> local = stackalloc double[w.Length];
        for (int i = 0; i < w.Length; i++) local[i] = w[i];
        ScaleInPlace(local, y);
        ScaleInPlace(w, norm);
        double s = 0;
        for (int i = 0; i < w.Length; i++) s += w[i] * local[i];
        return s + norm;
    }
}
