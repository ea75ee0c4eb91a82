using System;
using Backprop;

namespace Backprop.Consumer.Tests;

/// <summary>A library layer that writes only the even entries of <c>y</c>; the others keep their values.</summary>
public static class EvenSquares
{
    public static void Half(ReadOnlySpan<double> x, Span<double> y)
    {
        for (int i = 0; i < x.Length; i += 2) y[i] = x[i] * x[i];
    }

    /// <summary>The rule consumes the adjoints of the entries <see cref="Half"/> overwrites, and only those.</summary>
    [DerivativeOf(typeof(EvenSquares), nameof(Half))]
    public static void HalfReverse(ReadOnlySpan<double> x, Span<double> y, Span<double> dY, Span<double> dX)
    {
        for (int i = 0; i < x.Length; i += 2)
        {
            if (!dX.IsEmpty) dX[i] += 2 * x[i] * dY[i];
            dY[i] = 0;
        }
    }
}

public static partial class LayerFunctions
{
    /// <summary>b[i] = x[i]·x[i+1 mod 6], then Half overwrites the even entries: the odd ones' gradient flows to the first loop.</summary>
    [Differentiable]
    public static double PartialRule(ReadOnlySpan<double> x)
    {
        Span<double> b = stackalloc double[6];
        for (int i = 0; i < 6; i++) b[i] = x[i] * x[(i + 1) % 6];
        EvenSquares.Half(x, b);
        double s = 0;
        for (int i = 0; i < 6; i++) s += b[i] * (i + 1);
        return s;
    }

    /// <summary>The same through a generated layer whose only write is the rule's call: its backward hands dY on.</summary>
    [Differentiable]
    public static void HalfLayer(ReadOnlySpan<double> x, Span<double> y) => EvenSquares.Half(x, y);

    [Differentiable]
    public static double PartialRuleInLayer(ReadOnlySpan<double> x)
    {
        Span<double> b = stackalloc double[6];
        for (int i = 0; i < 6; i++) b[i] = x[i] * x[(i + 1) % 6];
        HalfLayer(x, b);
        double s = 0;
        for (int i = 0; i < 6; i++) s += b[i] * (i + 1);
        return s;
    }
}
