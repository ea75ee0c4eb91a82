using System;
using System.Numerics;
using Backprop;
using Xunit;

namespace Backprop.Consumer.Tests;

/// <summary>Elements of spans of structs indexed from the end (joints[^1]), read and written.</summary>
public static partial class StructIndexFromEndFunctions
{
    [Differentiable]
    public static double Tip(ReadOnlySpan<Vector3> joints, double s) => joints[^1].X * s + joints[^2].Y;

    [Differentiable]
    public static void ScaleLast(ReadOnlySpan<Vector2> xs, double d, Span<Vector2> ys)
    {
        for (int i = 0; i < xs.Length; i++) ys[i] = xs[i];
        ys[^1] = new Vector2((float)(xs[^1].X * d), xs[^1].Y);
    }
}

public sealed class StructIndexFromEndTests
{
    [Fact]
    public void IndexFromTheEnd_OfStructSpans_ReadsAndWritesTheRightElement()
    {
        Vector3[] joints = { new(1, 2, 3), new(4, 5, 6), new(7, 8, 9) };
        var dJoints = new Vector3[3];
        double value = StructIndexFromEndFunctions.TipGradient(joints, 0.5, dJoints, out double dS);
        Assert.Equal(7 * 0.5 + 5, value, 6);
        Assert.Equal(new[] { Vector3.Zero, new Vector3(0, 1, 0), new Vector3(0.5f, 0, 0) }, dJoints);
        Assert.Equal(7, dS, 6);

        Vector2[] xs = { new(1, 2), new(3, 4) };
        var ys = new Vector2[2];
        var dXs = new Vector2[2];
        double dD = 0;
        StructIndexFromEndFunctions.ScaleLastBackward(xs, 2, ys, new Vector2[] { new(1, 1), new(1, 1) }, dXs, ref dD);
        Assert.Equal(new[] { new Vector2(1, 2), new Vector2(6, 4) }, ys);
        Assert.Equal(new[] { new Vector2(1, 1), new Vector2(2, 1) }, dXs);
        Assert.Equal(3, dD, 6);
    }
}
