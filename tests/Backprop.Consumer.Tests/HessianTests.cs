using System;
using System.Linq;
using Xunit;

namespace Backprop.Consumer.Tests;

/// <summary>
/// The generated second derivatives of <see cref="HessianFunctions"/> in real consumer code: <c>MHessianVectorProduct</c>
/// against central differences of <c>MGradient</c> along random directions, with its value and gradient equal to
/// <c>MGradient</c>'s; every column of <c>MHessian</c> against central differences of <c>MGradient</c> along a unit vector;
/// and no allocation per call once warm. Each case flattens its differentiated parameters into one point.
/// </summary>
public sealed class HessianTests
{
    private const double Lambda = 1e-2;
    private static readonly double[] Features = Enumerable.Range(0, 12 * 5).Select(k => Math.Sin(1.7 * k + 0.3) * (1 + k % 5)).ToArray();
    private static readonly double[] Labels = Enumerable.Range(0, 12).Select(i => i % 3 == 0 ? -1.0 : 1.0).ToArray();

    /// <summary>
    /// One objective: its dimension, a test point, value and gradient (MGradient), value, gradient and H·v
    /// (MHessianVectorProduct), value and dense Hessian (MHessian); step and tolerance of the central differences, and
    /// the relative tolerance of H's symmetry (rounding: the columns come from different sweeps); and how far
    /// MHessianVectorProduct's gradient may differ from MGradient's: 0, bitwise equal, unless the method calls helpers
    /// (MGradient runs their pullbacks, the product their inlined bodies: the same sums in another order).
    /// </summary>
    private sealed record Case(
        string Name, double[] Point,
        Func<double[], (double Value, double[] Gradient)> Gradient,
        Func<double[], double[], (double Value, double[] Gradient, double[] Product)> Product,
        Func<double[], (double Value, double[] Hessian)> Hessian,
        double Step = 1e-5, double Tolerance = 1e-6, double Symmetry = 1e-12, double Rounding = 0);

    private static Body BodyOf(double[] p, int at) => new() { Position = new Vec2(p[at], p[at + 1]), Velocity = new Vec2(p[at + 2], p[at + 3]), Mass = p[at + 4] };

    private static Vec2[] PointsOf(double[] p) => [new Vec2(p[0], p[1]), new Vec2(p[2], p[3]), new Vec2(p[4], p[5])];

    private static double[] Flat(Vec2[] points) => points.SelectMany(q => new[] { q.X, q.Y }).ToArray();

    private static double[] Flat(Body b) => [b.Position.X, b.Position.Y, b.Velocity.X, b.Velocity.Y, b.Mass];

    private static readonly Case[] Cases =
    {
        new("LogisticLoss", new[] { 0.3, -0.7, 1.2, 0.05, -1.5 },
            p =>
            {
                var g = new double[5];
                return (HessianFunctions.LogisticLossGradient(p, Features, Labels, Lambda, g), g);
            },
            (p, v) =>
            {
                double[] g = new double[5], h = new double[5];
                return (HessianFunctions.LogisticLossHessianVectorProduct(p, Features, Labels, Lambda, v, g, h), g, h);
            },
            p =>
            {
                var h = new double[25];
                return (HessianFunctions.LogisticLossHessian(p, Features, Labels, Lambda, h), h);
            }),
        new("Wavy", new[] { 0.7, -0.4, 0.9 },
            p =>
            {
                double value = HessianFunctions.WavyGradient(p[0], p[1], p[2], out double dX, out double dY, out double dZ);
                return (value, new[] { dX, dY, dZ });
            },
            (p, v) =>
            {
                double value = HessianFunctions.WavyHessianVectorProduct(p[0], p[1], p[2], v[0], v[1], v[2],
                    out double dX, out double dY, out double dZ, out double hX, out double hY, out double hZ);
                return (value, new[] { dX, dY, dZ }, new[] { hX, hY, hZ });
            },
            p =>
            {
                var h = new double[9];
                return (HessianFunctions.WavyHessian(p[0], p[1], p[2], h), h);
            }),
        new("SoftMaximum", new[] { 0.2, 1.1, -0.6, 0.8, 0.7 },
            p =>
            {
                var dZ = new double[4];
                double value = HessianFunctions.SoftMaximumGradient(p.AsSpan(0, 4), p[4], dZ, out double dT);
                return (value, dZ.Append(dT).ToArray());
            },
            (p, v) =>
            {
                double[] dZ = new double[4], hZ = new double[4];
                double value = HessianFunctions.SoftMaximumHessianVectorProduct(p.AsSpan(0, 4), p[4], v.AsSpan(0, 4), v[4], dZ, out double dT, hZ, out double hT);
                return (value, dZ.Append(dT).ToArray(), hZ.Append(hT).ToArray());
            },
            p =>
            {
                var h = new double[25];
                return (HessianFunctions.SoftMaximumHessian(p.AsSpan(0, 4), p[4], h), h);
            }),
        // Struct parameters: p.X, p.Y, k, body.Position.X, .Y, body.Velocity.X, .Y, body.Mass. The struct's methods are
        // helpers (MGradient runs their pullbacks, the product their inlined bodies): gradients equal up to rounding.
        new("StructPotential", new[] { 0.7, -0.4, 0.9, 0.2, 0.5, -0.3, 0.8, 1.1 },
            p =>
            {
                double value = HessianFunctions.StructPotentialGradient(new Vec2(p[0], p[1]), p[2], BodyOf(p, 3), out Vec2 dP, out double dK, out Body dBody);
                return (value, [dP.X, dP.Y, dK, .. Flat(dBody)]);
            },
            (p, v) =>
            {
                double value = HessianFunctions.StructPotentialHessianVectorProduct(new Vec2(p[0], p[1]), p[2], BodyOf(p, 3), new Vec2(v[0], v[1]), v[2], BodyOf(v, 3),
                    out Vec2 dP, out double dK, out Body dBody, out Vec2 hP, out double hK, out Body hBody);
                return (value, [dP.X, dP.Y, dK, .. Flat(dBody)], [hP.X, hP.Y, hK, .. Flat(hBody)]);
            },
            p =>
            {
                var h = new double[64];
                return (HessianFunctions.StructPotentialHessian(new Vec2(p[0], p[1]), p[2], BodyOf(p, 3), h), h);
            }),
        new("StructWrittenCurvature", new[] { 0.7, -0.4, 0.9 },
            p =>
            {
                double value = HessianFunctions.StructWrittenCurvatureGradient(new Vec2(p[0], p[1]), p[2], out Vec2 dP, out double dS);
                return (value, [dP.X, dP.Y, dS]);
            },
            (p, v) =>
            {
                double value = HessianFunctions.StructWrittenCurvatureHessianVectorProduct(new Vec2(p[0], p[1]), p[2], new Vec2(v[0], v[1]), v[2], out Vec2 dP, out double dS, out Vec2 hP, out double hS);
                return (value, [dP.X, dP.Y, dS], [hP.X, hP.Y, hS]);
            },
            p =>
            {
                var h = new double[9];
                return (HessianFunctions.StructWrittenCurvatureHessian(new Vec2(p[0], p[1]), p[2], h), h);
            },
            Rounding: 1e-12),
        // A span of structs: 3 points (6 numbers) and k.
        new("PointsCurvature", new[] { 0.7, -0.4, 0.9, 0.2, 0.5, -0.3, 0.8 },
            p =>
            {
                var dPoints = new Vec2[3];
                double value = HessianFunctions.PointsCurvatureGradient(PointsOf(p), p[6], dPoints, out double dK);
                return (value, [.. Flat(dPoints), dK]);
            },
            (p, v) =>
            {
                Vec2[] dPoints = new Vec2[3], hPoints = new Vec2[3];
                double value = HessianFunctions.PointsCurvatureHessianVectorProduct(PointsOf(p), p[6], PointsOf(v), v[6], dPoints, out double dK, hPoints, out double hK);
                return (value, [.. Flat(dPoints), dK], [.. Flat(hPoints), hK]);
            },
            p =>
            {
                var h = new double[49];
                return (HessianFunctions.PointsCurvatureHessian(PointsOf(p), p[6], h), h);
            },
            Rounding: 1e-12),
        // Float: the central differences of a float gradient need a large step, and agree to about 1e-3.
        new("TanhChain (float)", new[] { 0.6, -0.9, 0.4, 0.3 },
            p =>
            {
                var dW = new float[3];
                float value = HessianFunctions.TanhChainGradient(Single(p, 3), (float)p[3], dW, out float dBias);
                return (value, Double(dW).Append(dBias).ToArray());
            },
            (p, v) =>
            {
                float[] dW = new float[3], hW = new float[3];
                float value = HessianFunctions.TanhChainHessianVectorProduct(Single(p, 3), (float)p[3], Single(v, 3), (float)v[3], dW, out float dBias, hW, out float hBias);
                return (value, Double(dW).Append(dBias).ToArray(), Double(hW).Append(hBias).ToArray());
            },
            p =>
            {
                var h = new float[16];
                return (HessianFunctions.TanhChainHessian(Single(p, 3), (float)p[3], h), Double(h));
            },
            Step: 1e-2, Tolerance: 3e-3, Symmetry: 1e-6),
        // Methods that call helpers (issue 13): the helpers' bodies are inlined before the second derivatives are built.
        Scalars3("Calls a scalar helper", new[] { 0.7, -0.4, 0.9 }, HessianCallFunctions.CallsScalarGradient, HessianCallFunctions.CallsScalarHessianVectorProduct, HessianCallFunctions.CallsScalarHessian),
        Scalars2("Calls a helper calling a helper", new[] { 0.6, -0.3 }, HessianCallFunctions.CallsNestedGradient, HessianCallFunctions.CallsNestedHessianVectorProduct, HessianCallFunctions.CallsNestedHessian),
        Scalars2("Calls a helper with an early return", new[] { 0.7, -0.4 }, HessianCallFunctions.CallsEarlyReturnGradient, HessianCallFunctions.CallsEarlyReturnHessianVectorProduct, HessianCallFunctions.CallsEarlyReturnHessian),
        Scalars2("Calls helpers in conditions", new[] { 0.7, 0.4 }, HessianCallFunctions.CallsInConditionsGradient, HessianCallFunctions.CallsInConditionsHessianVectorProduct, HessianCallFunctions.CallsInConditionsHessian),
        Span("Calls helpers in loops, on slices", new[] { 0.3, -0.7, 1.2, 0.05, -1.5 },
            (p, g) => HessianCallFunctions.CallsInLoopGradient(p, g),
            (p, v, g, h) => HessianCallFunctions.CallsInLoopHessianVectorProduct(p, v, g, h),
            (p, h) => HessianCallFunctions.CallsInLoopHessian(p, h)),
        Span("Calls a layer writing a slice of a stack buffer", new[] { 0.3, -0.7, 1.2, 0.05, -1.5, 0.4, 0.9, -0.2, 0.6 },
            (p, g) => HessianCallFunctions.CallsLayerOnStackGradient(p, Inputs, g),
            (p, v, g, h) => HessianCallFunctions.CallsLayerOnStackHessianVectorProduct(p, Inputs, v, g, h),
            (p, h) => HessianCallFunctions.CallsLayerOnStackHessian(p, Inputs, h)),
        Span("Calls a layer writing an array", new[] { 0.3, -0.7, 1.2, 0.05, -1.5, 0.4, 0.9, -0.2, 0.6 },
            (p, g) => HessianCallFunctions.CallsLayerOnArrayGradient(p.ToArray(), g),
            (p, v, g, h) => HessianCallFunctions.CallsLayerOnArrayHessianVectorProduct(p.ToArray(), v, g, h),
            (p, h) => HessianCallFunctions.CallsLayerOnArrayHessian(p.ToArray(), h)),
        Span("Calls layers with a buffer of their own in a loop", new[] { 0.3, -0.7, 1.2, 0.05, -1.5, 0.4, 0.9, -0.2 },
            (p, g) => HessianCallFunctions.CallsLayersInLoopGradient(p, Inputs, g),
            (p, v, g, h) => HessianCallFunctions.CallsLayersInLoopHessianVectorProduct(p, Inputs, v, g, h),
            (p, h) => HessianCallFunctions.CallsLayersInLoopHessian(p, Inputs, h)),
        new("Calls a marked method of another type", new[] { 0.2, 1.1, -0.6, 0.8, 0.7 },
            p =>
            {
                var dW = new double[4];
                double value = HessianCallFunctions.CallsMarkedGradient(p.AsSpan(0, 4), p[4], dW, out double dB);
                return (value, dW.Append(dB).ToArray());
            },
            (p, v) =>
            {
                double[] dW = new double[4], hW = new double[4];
                double value = HessianCallFunctions.CallsMarkedHessianVectorProduct(p.AsSpan(0, 4), p[4], v.AsSpan(0, 4), v[4], dW, out double dB, hW, out double hB);
                return (value, dW.Append(dB).ToArray(), hW.Append(hB).ToArray());
            },
            p =>
            {
                var h = new double[25];
                return (HessianCallFunctions.CallsMarkedHessian(p.AsSpan(0, 4), p[4], h), h);
            },
            Rounding: CallRounding),
        new("Calls a float helper", new[] { 0.6, -0.9, 0.4, 0.3 },
            p =>
            {
                var dW = new float[3];
                float value = HessianCallFunctions.TanhChainOfCallsGradient(Single(p, 3), (float)p[3], dW, out float dBias);
                return (value, Double(dW).Append(dBias).ToArray());
            },
            (p, v) =>
            {
                float[] dW = new float[3], hW = new float[3];
                float value = HessianCallFunctions.TanhChainOfCallsHessianVectorProduct(Single(p, 3), (float)p[3], Single(v, 3), (float)v[3], dW, out float dBias, hW, out float hBias);
                return (value, Double(dW).Append(dBias).ToArray(), Double(hW).Append(hBias).ToArray());
            },
            p =>
            {
                var h = new float[16];
                return (HessianCallFunctions.TanhChainOfCallsHessian(Single(p, 3), (float)p[3], h), Double(h));
            },
            Step: 1e-2, Tolerance: 3e-3, Symmetry: 1e-6, Rounding: 1e-6),
    };

    /// <summary>The [NoDerivative] inputs of the layer cases.</summary>
    private static readonly double[] Inputs = { 0.5, -1.2, 0.8 };

    private delegate double Gradient2(double x, double y, out double dX, out double dY);

    private delegate double Product2(double x, double y, double vX, double vY, out double dX, out double dY, out double hX, out double hY);

    private delegate double Gradient3(double x, double y, double z, out double dX, out double dY, out double dZ);

    private delegate double Product3(double x, double y, double z, double vX, double vY, double vZ, out double dX, out double dY, out double dZ, out double hX, out double hY, out double hZ);

    private delegate double Hessian2(double x, double y, Span<double> hessian);

    private delegate double Hessian3(double x, double y, double z, Span<double> hessian);

    private delegate double SpanGradient(ReadOnlySpan<double> p, Span<double> g);

    private delegate double SpanProduct(ReadOnlySpan<double> p, ReadOnlySpan<double> v, Span<double> g, Span<double> h);

    private delegate double SpanHessian(ReadOnlySpan<double> p, Span<double> h);

    private const double CallRounding = 1e-14;

    private static Case Scalars2(string name, double[] point, Gradient2 gradient, Product2 product, Hessian2 hessian) => new(name, point,
        p => (gradient(p[0], p[1], out double dX, out double dY), new[] { dX, dY }),
        (p, v) => (product(p[0], p[1], v[0], v[1], out double dX, out double dY, out double hX, out double hY), new[] { dX, dY }, new[] { hX, hY }),
        p =>
        {
            var h = new double[4];
            return (hessian(p[0], p[1], h), h);
        },
        Rounding: CallRounding);

    private static Case Scalars3(string name, double[] point, Gradient3 gradient, Product3 product, Hessian3 hessian) => new(name, point,
        p => (gradient(p[0], p[1], p[2], out double dX, out double dY, out double dZ), new[] { dX, dY, dZ }),
        (p, v) => (product(p[0], p[1], p[2], v[0], v[1], v[2], out double dX, out double dY, out double dZ, out double hX, out double hY, out double hZ), new[] { dX, dY, dZ }, new[] { hX, hY, hZ }),
        p =>
        {
            var h = new double[9];
            return (hessian(p[0], p[1], p[2], h), h);
        },
        Rounding: CallRounding);

    /// <summary>A method of one span: its gradient, H·v and Hessian over the span's entries.</summary>
    private static Case Span(string name, double[] point, SpanGradient gradient, SpanProduct product, SpanHessian hessian) => new(name, point,
        p =>
        {
            var g = new double[p.Length];
            return (gradient(p, g), g);
        },
        (p, v) =>
        {
            double[] g = new double[p.Length], h = new double[p.Length];
            return (product(p, v, g, h), g, h);
        },
        p =>
        {
            var h = new double[p.Length * p.Length];
            return (hessian(p, h), h);
        },
        Rounding: CallRounding);

    public static TheoryData<string> Names() => new(Cases.Select(c => c.Name));

    private static Case Named(string name) => Cases.Single(c => c.Name == name);

    private static float[] Single(double[] p, int length) => p.Take(length).Select(v => (float)v).ToArray();

    private static double[] Double(float[] p) => p.Select(v => (double)v).ToArray();

    /// <summary>(∇f(p + h·v) − ∇f(p − h·v)) / 2h, the product H·v to O(h²).</summary>
    private static double[] CentralDifference(Case c, double[] point, double[] direction)
    {
        var up = c.Gradient(point.Zip(direction, (p, d) => p + c.Step * d).ToArray()).Gradient;
        var down = c.Gradient(point.Zip(direction, (p, d) => p - c.Step * d).ToArray()).Gradient;
        return up.Zip(down, (u, d) => (u - d) / (2 * c.Step)).ToArray();
    }

    private static void AssertClose(double expected, double actual, double tolerance, string what) =>
        Assert.True(Math.Abs(expected - actual) <= tolerance * (1 + Math.Abs(expected)), $"{what}: expected {expected:R}, got {actual:R}");

    [Theory]
    [MemberData(nameof(Names))]
    public void HessianVectorProduct_MatchesCentralDifferencesOfTheGradient(string name)
    {
        var c = Named(name);
        var random = new Random(7);
        var (value, gradient) = c.Gradient(c.Point);
        for (int trial = 0; trial < 3; trial++)
        {
            double[] direction = c.Point.Select(_ => 2 * random.NextDouble() - 1).ToArray();
            var (productValue, productGradient, product) = c.Product(c.Point, direction);
            Assert.Equal(value, productValue);
            if (c.Rounding == 0) Assert.Equal(gradient, productGradient);
            for (int i = 0; i < gradient.Length; i++) AssertClose(gradient[i], productGradient[i], c.Rounding, $"{name} gradient[{i}], trial {trial}");
            double[] numeric = CentralDifference(c, c.Point, direction);
            for (int i = 0; i < numeric.Length; i++) AssertClose(numeric[i], product[i], c.Tolerance, $"{name} (H·v)[{i}], trial {trial}");
        }
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Hessian_MatchesCentralDifferencesOfTheGradient_AndIsSymmetric(string name)
    {
        var c = Named(name);
        int n = c.Point.Length;
        var (value, hessian) = c.Hessian(c.Point);
        Assert.Equal(c.Gradient(c.Point).Value, value);
        Assert.Equal(n * n, hessian.Length);
        for (int j = 0; j < n; j++)
        {
            double[] unit = new double[n];
            unit[j] = 1;
            double[] column = CentralDifference(c, c.Point, unit);
            for (int i = 0; i < n; i++)
            {
                AssertClose(column[i], hessian[i * n + j], c.Tolerance, $"{name} H[{i}, {j}]");
                AssertClose(hessian[j * n + i], hessian[i * n + j], c.Symmetry, $"{name} symmetry of H[{i}, {j}]");
            }
        }
    }

    private static long AllocatedBy(Action call)
    {
        for (int i = 0; i < 100; i++) call(); // warm-up: JIT tiers, pool buckets
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++) call();
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }

    /// <summary>
    /// The product checks its own arguments, under the names the caller sees: a direction must match its buffer (a default
    /// one was an IndexOutOfRangeException), a gradient or product span must match or be empty. Before the product checked
    /// nothing and the directional pullback it calls named them after its own parameters ('dVW' for 'vZ').
    /// </summary>
    [Fact]
    public void HessianVectorProduct_ChecksItsArguments_UnderTheirOwnNames()
    {
        double[] z = { 0.3, -0.2, 0.9, 0.1 };
        string Thrown(int v, int dZ, int hZ) => Assert.Throws<ArgumentException>(() =>
            HessianFunctions.SoftMaximumHessianVectorProduct(z, 0.7, new double[v], 0.0, new double[dZ], out _, new double[hZ], out _)).ParamName!;
        Assert.Equal("vZ", Thrown(0, 4, 4));
        Assert.Equal("vZ", Thrown(3, 4, 4));
        Assert.Equal("dZ", Thrown(4, 3, 4));
        Assert.Equal("hZ", Thrown(4, 4, 2));
        // Empty gradient and product spans are parts not wanted.
        HessianFunctions.SoftMaximumHessianVectorProduct(z, 0.7, new double[4], 1.0, Span<double>.Empty, out _, new double[4], out double hT);
        Assert.True(double.IsFinite(hT));
    }

    [Fact]
    public void HessianVectorProduct_AllocatesNothing()
    {
        double[] w = { 0.3, -0.7, 1.2, 0.05, -1.5 }, v = { 1, 0.5, -0.5, 0.25, 2 }, g = new double[5], h = new double[5];
        float[] wf = { 0.6f, -0.9f, 0.4f }, vf = { 1, -1, 0.5f }, gf = new float[3], hf = new float[3];
        Assert.Equal(0, AllocatedBy(() => HessianFunctions.LogisticLossHessianVectorProduct(w, Features, Labels, Lambda, v, g, h)));
        Assert.Equal(0, AllocatedBy(() => HessianFunctions.WavyHessianVectorProduct(0.7, -0.4, 0.9, 1, 2, 3, out _, out _, out _, out _, out _, out _)));
        Assert.Equal(0, AllocatedBy(() => HessianFunctions.SoftMaximumHessianVectorProduct(w.AsSpan(0, 4), 0.7, v.AsSpan(0, 4), 0.5, g.AsSpan(0, 4), out _, h.AsSpan(0, 4), out _)));
        Assert.Equal(0, AllocatedBy(() => HessianFunctions.TanhChainHessianVectorProduct(wf, 0.3f, vf, 0.5f, gf, out _, hf, out _)));
        var body = new Body { Position = new Vec2(0.2, 0.5), Velocity = new Vec2(-0.3, 0.8), Mass = 1.1 };
        Assert.Equal(0, AllocatedBy(() => HessianFunctions.StructPotentialHessianVectorProduct(new Vec2(0.7, -0.4), 0.9, body, new Vec2(1, 0), 0.5, body, out _, out _, out _, out _, out _, out _)));
    }

    [Fact]
    public void HessianVectorProduct_ThroughCalls_AllocatesNothing()
    {
        double[] w = { 0.3, -0.7, 1.2, 0.05, -1.5, 0.4, 0.9, -0.2, 0.6 }, v = { 1, 0.5, -0.5, 0.25, 2, -1, 0.3, 0.7, -0.1 }, g = new double[9], h = new double[9];
        Assert.Equal(0, AllocatedBy(() => HessianCallFunctions.CallsScalarHessianVectorProduct(0.7, -0.4, 0.9, 1, 2, 3, out _, out _, out _, out _, out _, out _)));
        Assert.Equal(0, AllocatedBy(() => HessianCallFunctions.CallsNestedHessianVectorProduct(0.6, -0.3, 1, 2, out _, out _, out _, out _)));
        Assert.Equal(0, AllocatedBy(() => HessianCallFunctions.CallsEarlyReturnHessianVectorProduct(0.7, -0.4, 1, 2, out _, out _, out _, out _)));
        Assert.Equal(0, AllocatedBy(() => HessianCallFunctions.CallsInConditionsHessianVectorProduct(0.7, 0.4, 1, 2, out _, out _, out _, out _)));
        Assert.Equal(0, AllocatedBy(() => HessianCallFunctions.CallsInLoopHessianVectorProduct(w.AsSpan(0, 5), v.AsSpan(0, 5), g.AsSpan(0, 5), h.AsSpan(0, 5))));
        Assert.Equal(0, AllocatedBy(() => HessianCallFunctions.CallsLayerOnStackHessianVectorProduct(w, Inputs, v, g, h)));
        Assert.Equal(0, AllocatedBy(() => HessianCallFunctions.CallsLayersInLoopHessianVectorProduct(w.AsSpan(0, 8), Inputs, v.AsSpan(0, 8), g.AsSpan(0, 8), h.AsSpan(0, 8))));
        float[] wf = { 0.6f, -0.9f, 0.4f }, vf = { 1, -1, 0.5f }, gf = new float[3], hf = new float[3];
        Assert.Equal(0, AllocatedBy(() => HessianCallFunctions.TanhChainOfCallsHessianVectorProduct(wf, 0.3f, vf, 0.5f, gf, out _, hf, out _)));
        Assert.Equal(0, AllocatedBy(() => HessianCallFunctions.CallsMarkedHessianVectorProduct(w.AsSpan(0, 4), 0.7, v.AsSpan(0, 4), 0.5, g.AsSpan(0, 4), out _, h.AsSpan(0, 4), out _)));
    }

    [Fact]
    public void Hessian_AllocatesNothing()
    {
        double[] w = { 0.3, -0.7, 1.2, 0.05, -1.5 }, h25 = new double[25], h9 = new double[9];
        float[] wf = { 0.6f, -0.9f, 0.4f }, h16 = new float[16];
        Assert.Equal(0, AllocatedBy(() => HessianFunctions.LogisticLossHessian(w, Features, Labels, Lambda, h25)));
        Assert.Equal(0, AllocatedBy(() => HessianFunctions.WavyHessian(0.7, -0.4, 0.9, h9)));
        Assert.Equal(0, AllocatedBy(() => HessianFunctions.SoftMaximumHessian(w.AsSpan(0, 4), 0.7, h25)));
        Assert.Equal(0, AllocatedBy(() => HessianFunctions.TanhChainHessian(wf, 0.3f, h16)));
    }
}
