using System;
using System.Linq;
using System.Numerics;
using Backprop.Training;
using Xunit;

namespace Backprop.Consumer.Tests;

/// <summary>
/// Struct values (<see cref="StructFunctions"/>): user structs, nested structs, tuples, record structs and
/// System.Numerics vectors as locals, parameters, helper results and model-class members, against central differences.
/// </summary>
public sealed class StructTests
{
    private static readonly Random Points = new(2024);

    private static double[] Point(int n, double low, double high) =>
        Enumerable.Range(0, n).Select(_ => low + (high - low) * Points.NextDouble()).ToArray();

    [Theory]
    [InlineData(nameof(StructFunctions.Springs), 3, -1.5, 1.5)]
    [InlineData(nameof(StructFunctions.Initializers), 2, -1.5, 1.5)]
    [InlineData(nameof(StructFunctions.Oscillator), 2, 0.5, 3.0)]
    [InlineData(nameof(StructFunctions.NamedTuples), 2, -1.5, 1.5)]
    [InlineData(nameof(StructFunctions.Projectile), 3, 0.2, 2.0)]
    [InlineData(nameof(StructFunctions.Methods), 2, -1.5, 1.5)]
    [InlineData(nameof(StructFunctions.Energies), 3, -1.5, 1.5)]
    [InlineData(nameof(StructFunctions.Clamped), 3, 0.3, 2.0)]
    public void ScalarEntryPoints_MatchCentralDifferences(string name, int arity, double low, double high)
    {
        var function = typeof(StructFunctions).GetMethod(name)!;
        var gradient = typeof(StructFunctions).GetMethod(name + "Gradient")!;
        for (int trial = 0; trial < 20; trial++)
        {
            var point = Point(arity, low, high);
            var (value, analytic) = RuleTests.Invoke(gradient, point);
            double Forward(double[] p) => (double)function.Invoke(null, p.Cast<object>().ToArray())!;
            Assert.Equal(Forward(point), value);
            var result = GradientCheck.Check(Forward, point, analytic);
            Assert.True(result.Passed, name + " at (" + string.Join(", ", point) + "): " + result);
        }
    }

    [Fact]
    public void RefAndOutHelpers_AreInlined_MatchingCentralDifferences()
    {
        for (int trial = 0; trial < 20; trial++)
        {
            var point = Point(2, -1.5, 1.5);
            double value = RefOutFunctions.OutAndRefGradient(point[0], point[1], out double dR, out double dTheta);
            Assert.Equal(RefOutFunctions.OutAndRef(point[0], point[1]), value);
            var result = GradientCheck.Check(p => RefOutFunctions.OutAndRef(p[0], p[1]), point, new[] { dR, dTheta });
            Assert.True(result.Passed, "at (" + string.Join(", ", point) + "): " + result);
            value = RefOutFunctions.ElementsGradient(point[0], point[1], out dR, out dTheta);
            Assert.Equal(RefOutFunctions.Elements(point[0], point[1]), value);
            result = GradientCheck.Check(p => RefOutFunctions.Elements(p[0], p[1]), point, new[] { dR, dTheta });
            Assert.True(result.Passed, "Elements at (" + string.Join(", ", point) + "): " + result);
        }
    }

    [Fact]
    public void Vector3Members_MatchCentralDifferences()
    {
        for (int trial = 0; trial < 20; trial++)
        {
            var p = Point(3, -1.2, 1.2).Select(x => (float)x).ToArray();
            float value = StructFunctions.VectorsGradient(p[0], p[1], p[2], out float da, out float db, out float dc);
            float expected = StructFunctions.Vectors(p[0], p[1], p[2]);
            Assert.True(Math.Abs(value - expected) <= 1e-5f * (1 + Math.Abs(expected)), value + " vs " + expected);
            // A step of 1e-3, not SinglePrecision's 1e-2: Min, Max, Clamp and Abs have kinks a wide step straddles.
            var result = GradientCheck.Check(x => StructFunctions.Vectors(x[0], x[1], x[2]), p, new[] { da, db, dc }, new GradientCheckOptions { Epsilon = 1e-3, AbsoluteTolerance = 1e-2, RelativeTolerance = 1e-2 });
            Assert.True(result.Passed, "Vectors at (" + string.Join(", ", p) + "): " + result);
        }
    }

    [Fact]
    public void Vector2Particle_MatchesCentralDifferences()
    {
        foreach (var (k, c) in new[] { (2f, 0.5f), (4f, 1.5f), (1f, 0.1f) })
        {
            float value = StructFunctions.ParticleGradient(k, c, out float dk, out float dc);
            Assert.True(Math.Abs(value - StructFunctions.Particle(k, c)) <= 1e-5f);
            var result = GradientCheck.Check(x => StructFunctions.Particle(x[0], x[1]), new[] { k, c }, new[] { dk, dc }, GradientCheckOptions.SinglePrecision);
            Assert.True(result.Passed, result.ToString());
        }
    }

    [Fact]
    public void StructParameters_GetStructGradients_AssignedByMGradient_IncrementedByThePullback()
    {
        var p = new Vec2(0.4, -1.1);
        var q = new Vec2(1.3, 0.7);
        const double k = 0.8;
        double value = StructFunctions.AttractGradient(p, q, k, out Vec2 dP, out Vec2 dQ, out double dK);
        Assert.Equal(StructFunctions.Attract(p, q, k), value);
        double F(double[] x) => StructFunctions.Attract(new Vec2(x[0], x[1]), new Vec2(x[2], x[3]), x[4]);
        var result = GradientCheck.Check(F, new[] { p.X, p.Y, q.X, q.Y, k }, new[] { dP.X, dP.Y, dQ.X, dQ.Y, dK });
        Assert.True(result.Passed, result.ToString());

        // The pullback adds seed × gradient to what its ref arguments hold.
        var accP = new Vec2(1, 2);
        var accQ = new Vec2(-3, 4);
        double accK = 5;
        StructFunctions.AttractPullback(p, q, k, 2, ref accP, ref accQ, ref accK);
        Assert.Equal(1 + 2 * dP.X, accP.X, 12);
        Assert.Equal(2 + 2 * dP.Y, accP.Y, 12);
        Assert.Equal(-3 + 2 * dQ.X, accQ.X, 12);
        Assert.Equal(4 + 2 * dQ.Y, accQ.Y, 12);
        Assert.Equal(5 + 2 * dK, accK, 12);
    }

    [Fact]
    public void WrittenStructParameter_IsCopiedAndDifferentiated()
    {
        var p = new Vec2(0.9, -0.6);
        double value = StructFunctions.MovedGradient(p, 0.3, out Vec2 dP, out double dH);
        Assert.Equal(StructFunctions.Moved(p, 0.3), value);
        var result = GradientCheck.Check(x => StructFunctions.Moved(new Vec2(x[0], x[1]), x[2]), new[] { p.X, p.Y, 0.3 }, new[] { dP.X, dP.Y, dH });
        Assert.True(result.Passed, result.ToString());
    }

    [Fact]
    public void NoDerivativeStructParameter_IsData()
    {
        var origin = new Vec2(0.25, -0.5);
        double value = StructFunctions.OffsetGradient(1.1, origin, out double dX);
        Assert.Equal(StructFunctions.Offset(1.1, origin), value);
        Assert.Equal((1.1 - origin.Y) + (1.1 - origin.X), dX, 12);
    }

    [Fact]
    public void ModelClassStructMembers_GetTheirGradientsInDThis()
    {
        var model = new Pendulum();
        var gradient = new Pendulum { Anchor = new Vector2(1, 1), Gain = new Vec2(1, 1), Length = 1 };
        const double angle = 0.6;
        double value = model.LossGradient(angle, gradient, out double dAngle);
        Assert.Equal(model.Loss(angle), value);

        double F(double[] x)
        {
            var m = new Pendulum { Anchor = new Vector2((float)x[0], (float)x[1]), Gain = new Vec2(x[2], x[3]), Length = x[4] };
            return m.Loss(x[5]);
        }
        var point = new double[] { model.Anchor.X, model.Anchor.Y, model.Gain.X, model.Gain.Y, model.Length, angle };
        // dThis is incremented: the starting ones are subtracted.
        var analytic = new double[] { gradient.Anchor.X - 1, gradient.Anchor.Y - 1, gradient.Gain.X - 1, gradient.Gain.Y - 1, gradient.Length - 1, dAngle };
        var result = GradientCheck.Check(F, point, analytic, new GradientCheckOptions { Epsilon = 1e-3, AbsoluteTolerance = 1e-3, RelativeTolerance = 1e-3 });
        Assert.True(result.Passed, result.ToString());
    }

    [Fact]
    public void ModelClassStructMembers_AreRegisteredByTheirPaths_AndPassTheModelGradientCheck()
    {
        var model = new Pendulum();
        var gradient = new Pendulum();
        var parameters = new ParameterSet<double>();
        model.AddParameters(parameters.AddGroup(learningRate: 0), gradient, "pendulum.");
        Assert.Equal(new[] { "pendulum.Gain.X", "pendulum.Gain.Y", "pendulum.Length" }, parameters.Parameters.Select(p => p.Name));
        var floats = new ParameterSet<float>();
        model.AddParameters(floats.AddGroup(learningRate: 0), gradient, "pendulum.");
        Assert.Equal(new[] { "pendulum.Anchor.X", "pendulum.Anchor.Y" }, floats.Parameters.Select(p => p.Name));

        parameters.ZeroGrad();
        floats.ZeroGrad();
        model.LossGradient(0.4, gradient, out _);
        var result = GradientCheck.Check(() => model.Loss(0.4), parameters);
        Assert.True(result.Passed, result.ToString());
    }

    [Fact]
    public void ArraysOfStructs_GetSpanOfStructGradients_MatchingCentralDifferences()
    {
        var points = new[] { new Vec2(0.3, 1.2), new Vec2(-0.5, 0.7), new Vec2(1.1, -0.2), new Vec2(0.4, -0.9) };
        const double k = 0.6;
        var dPoints = new Vec2[points.Length];
        double value = StructArrayFunctions.PolygonGradient(points, k, dPoints, out double dK);
        Assert.Equal(StructArrayFunctions.Polygon(points, k), value);

        double F(double[] x)
        {
            var p = new Vec2[points.Length];
            for (int i = 0; i < p.Length; i++) p[i] = new Vec2(x[2 * i], x[2 * i + 1]);
            return StructArrayFunctions.Polygon(p, x[^1]);
        }
        var point = points.SelectMany(p => new[] { p.X, p.Y }).Append(k).ToArray();
        var analytic = dPoints.SelectMany(p => new[] { p.X, p.Y }).Append(dK).ToArray();
        var result = GradientCheck.Check(F, point, analytic);
        Assert.True(result.Passed, result.ToString());

        // The gradient span is incremented; an empty one means the gradient is not wanted.
        var accumulated = dPoints.Select(p => new Vec2(p.X + 1, p.Y - 1)).ToArray();
        StructArrayFunctions.PolygonGradient(points, k, accumulated, out _);
        for (int i = 0; i < points.Length; i++)
        {
            Assert.Equal(2 * dPoints[i].X + 1, accumulated[i].X, 12);
            Assert.Equal(2 * dPoints[i].Y - 1, accumulated[i].Y, 12);
        }
        Assert.Equal(value, StructArrayFunctions.PolygonPullback(points, k, 1, Span<Vec2>.Empty, ref dK));
        Assert.Throws<ArgumentException>(() => StructArrayFunctions.PolygonGradient(points, k, new Vec2[3], out _));
    }

    [Fact]
    public void SpansOfVector2_GetSpanOfVector2Gradients_MatchingCentralDifferences()
    {
        var joints = new[] { new Vector2(0, 0), new Vector2(1f, 0.5f), new Vector2(2f, 2f), new Vector2(2.5f, 1f) };
        var dJoints = new Vector2[joints.Length];
        float value = StructArrayFunctions.RopeGradient(joints, 0.8f, dJoints, out float dRest);
        Assert.Equal(StructArrayFunctions.Rope(joints, 0.8f), value, 4);
        float F(float[] x)
        {
            var j = new Vector2[joints.Length];
            for (int i = 0; i < j.Length; i++) j[i] = new Vector2(x[2 * i], x[2 * i + 1]);
            return StructArrayFunctions.Rope(j, x[^1]);
        }
        var point = joints.SelectMany(p => new[] { p.X, p.Y }).Append(0.8f).ToArray();
        var analytic = dJoints.SelectMany(p => new[] { p.X, p.Y }).Append(dRest).ToArray();
        var result = GradientCheck.Check(F, point, analytic, new GradientCheckOptions { Epsilon = 1e-3, AbsoluteTolerance = 1e-2, RelativeTolerance = 1e-2 });
        Assert.True(result.Passed, result.ToString());
    }

    [Fact]
    public void ArrayOfStructsGradient_AllocatesNothing()
    {
        var points = new[] { new Vec2(0.3, 1.2), new Vec2(-0.5, 0.7), new Vec2(1.1, -0.2) };
        var dPoints = new Vec2[points.Length];
        for (int i = 0; i < 20; i++) StructArrayFunctions.PolygonGradient(points, 0.5, dPoints, out _);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 20; i++) StructArrayFunctions.PolygonGradient(points, 0.5, dPoints, out _);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
