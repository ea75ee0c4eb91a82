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

/// <summary>A library layer that overwrites all of <c>y</c>, with a rule of DESIGN.md's shape (a read-only <c>dY</c>).</summary>
public static class Cubes
{
    public static void Cube(ReadOnlySpan<double> x, Span<double> y)
    {
        for (int i = 0; i < x.Length; i++) y[i] = x[i] * x[i] * x[i];
    }

    [DerivativeOf(typeof(Cubes), nameof(Cube))]
    public static void CubeReverse(ReadOnlySpan<double> x, Span<double> y, ReadOnlySpan<double> dY, Span<double> dX)
    {
        if (dX.IsEmpty) return;
        for (int i = 0; i < x.Length; i++) dX[i] += 3 * x[i] * x[i] * dY[i];
    }
}

public static partial class LayerFunctions
{
    /// <summary>b is written, read, then overwritten by Cube: the caller clears dY after the read-only rule, so the
    /// second read's gradient does not reach the first loop.</summary>
    [Differentiable]
    public static double ReadOnlyRule(ReadOnlySpan<double> x)
    {
        Span<double> b = stackalloc double[3];
        for (int i = 0; i < 3; i++) b[i] = x[i] * x[i + 1];
        double s = b[0] - b[1] * b[2];
        Cubes.Cube(x.Slice(0, 3), b);
        for (int i = 0; i < 3; i++) s += b[i] * (i + 1);
        return s;
    }

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
