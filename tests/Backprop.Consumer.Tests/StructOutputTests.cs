using System;
using System.Linq;
using System.Numerics;
using Xunit;

namespace Backprop.Consumer.Tests;

/// <summary>
/// Layers writing spans of structs (<see cref="StructOutputLayers"/>): the backward takes the outputs' adjoints as
/// <c>Span&lt;S&gt;</c>, writes the outputs as the layer does, consumes the adjoints, and its gradients match central
/// differences of the outputs' dot product with those adjoints.
/// </summary>
public sealed class StructOutputTests
{
    private static readonly Vec2[] Xs = { new(0.3, 1.2), new(-0.5, 0.7), new(1.1, -0.2) };
    private static readonly Vec2[] Seed = { new(0.4, -1.0), new(0.25, 0.5), new(-0.75, 1.5) };
    private const double Angle = 0.6;

    private static double[] Flat(Vec2[] points) => points.SelectMany(p => new[] { p.X, p.Y }).ToArray();

    [Fact]
    public void SpanOfUserStructs_Backward_MatchesCentralDifferences_AndConsumesTheAdjoints()
    {
        var ys = new Vec2[Xs.Length];
        var dYs = Seed.ToArray();
        var dXs = new Vec2[Xs.Length];
        double dAngle = 0;

        StructOutputLayers.RotateBackward(Xs, Angle, ys, dYs, dXs, ref dAngle);

        var expected = new Vec2[Xs.Length];
        StructOutputLayers.Rotate(Xs, Angle, expected);
        Assert.Equal(expected, ys);
        Assert.All(dYs, d => Assert.Equal(default, d));
        double F(double[] p)
        {
            var x = Enumerable.Range(0, Xs.Length).Select(i => new Vec2(p[2 * i], p[2 * i + 1])).ToArray();
            var y = new Vec2[x.Length];
            StructOutputLayers.Rotate(x, p[^1], y);
            return Enumerable.Range(0, y.Length).Sum(i => Seed[i].X * y[i].X + Seed[i].Y * y[i].Y);
        }
        var result = GradientCheck.Check(F, Flat(Xs).Append(Angle).ToArray(), Flat(dXs).Append(dAngle).ToArray());
        Assert.True(result.Passed, result.ToString());
    }

    [Fact]
    public void SpanOfVector3_WrittenFieldByField_Backward_MatchesCentralDifferences()
    {
        float[] xs = { 0.5f, -0.25f, 1.5f, 0.75f };
        var seed = new[] { new Vector3(0.5f, -1f, 0.25f), new Vector3(1.5f, 0.5f, -0.75f) };
        var ys = new Vector3[2];
        var dYs = seed.ToArray();
        var dXs = new float[xs.Length];
        float dK = 0;
        const float k = 1.25f;

        StructOutputLayers.LiftBackward(xs, k, ys, dYs, dXs, ref dK);

        var expected = new Vector3[2];
        StructOutputLayers.Lift(xs, k, expected);
        Assert.Equal(expected, ys);
        Assert.All(dYs, d => Assert.Equal(Vector3.Zero, d));
        double F(double[] p)
        {
            var y = new Vector3[2];
            StructOutputLayers.Lift(p.Take(4).Select(v => (float)v).ToArray(), (float)p[4], y);
            return Vector3.Dot(seed[0], y[0]) + Vector3.Dot(seed[1], y[1]);
        }
        var result = GradientCheck.Check(F, xs.Select(v => (double)v).Append(k).ToArray(), dXs.Select(v => (double)v).Append(dK).ToArray(),
            new GradientCheckOptions { Epsilon = 1e-2, AbsoluteTolerance = 1e-3, RelativeTolerance = 1e-3 });
        Assert.True(result.Passed, result.ToString());
    }

    [Fact]
    public void SpanOfStructOutputs_AdjointsOfAnotherLength_AreRejectedBeforeAnythingIsWritten()
    {
        var dXs = new Vec2[Xs.Length];
        double dAngle = 0;
        var error = Assert.Throws<ArgumentException>(() => StructOutputLayers.RotateBackward(Xs, Angle, new Vec2[Xs.Length], new Vec2[2], dXs, ref dAngle));
        Assert.Contains("'ys'", error.Message);
        Assert.All(dXs, d => Assert.Equal(default, d));
    }
}
