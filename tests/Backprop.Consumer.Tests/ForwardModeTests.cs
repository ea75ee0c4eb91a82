using System;
using System.Collections.Generic;
using System.Linq;
using Xunit;

namespace Backprop.Consumer.Tests;

/// <summary>
/// <c>MTangent</c> against the central difference along random directions, and every entry of <c>MJacobian</c> against
/// central differences, for each method of <see cref="ForwardFunctions"/> at each of its points
/// (<see cref="ForwardCase"/>). Both also return the original's value (or write its outputs).
/// </summary>
public sealed class ForwardModeTests
{
    public static TheoryData<string, int> Points() => PointsOf(ForwardCase.All());

    public static TheoryData<string, int> TangentPoints() => PointsOf(ForwardCase.All().Where(c => c.Tangent is not null));

    private static TheoryData<string, int> PointsOf(IEnumerable<ForwardCase> cases)
    {
        var data = new TheoryData<string, int>();
        foreach (var c in cases)
            for (int i = 0; i < c.Points.Length; i++) data.Add(c.Name, i);
        return data;
    }

    private static ForwardCase Case(string name) => ForwardCase.All().Single(c => c.Name == name);

    /// <summary>Step and tolerance (absolute and relative) of the central differences: float has 24 bits, double 53.</summary>
    private static (double Step, double Tolerance) Numerics(ForwardCase c) => c.Single ? (1e-2, 2e-3) : (1e-6, 1e-6);

    private static double[] CentralDifference(ForwardCase c, double[] point, double[] direction, double step)
    {
        double[] up = c.Evaluate(point.Zip(direction, (p, d) => p + step * d).ToArray());
        double[] down = c.Evaluate(point.Zip(direction, (p, d) => p - step * d).ToArray());
        return up.Zip(down, (u, d) => (u - d) / (2 * step)).ToArray();
    }

    private static void AssertClose(double expected, double actual, double tolerance, string what, string from = "central difference")
    {
        Assert.True(Math.Abs(expected - actual) <= tolerance * (1 + Math.Abs(expected)),
            $"{what}: expected {expected:R} ({from}), got {actual:R}");
    }

    [Theory]
    [MemberData(nameof(TangentPoints))]
    public void Tangent_MatchesDirectionalFiniteDifferences(string name, int point)
    {
        var c = Case(name);
        double[] x = c.Points[point];
        var (step, tolerance) = Numerics(c);
        var random = new Random(point + 1);
        for (int trial = 0; trial < 3; trial++)
        {
            double[] direction = Enumerable.Range(0, x.Length).Select(_ => 2 * random.NextDouble() - 1).ToArray();
            var (value, tangent) = c.Tangent!(x, direction);
            Assert.Equal(c.Evaluate(x), value);
            double[] numeric = CentralDifference(c, x, direction, step);
            Assert.Equal(numeric.Length, tangent.Length);
            for (int o = 0; o < numeric.Length; o++)
                AssertClose(numeric[o], tangent[o], tolerance, $"{name} at point {point}, direction {trial}, output {o}");
        }
    }

    [Theory]
    [MemberData(nameof(Points))]
    public void Jacobian_MatchesFiniteDifferences(string name, int point)
    {
        var c = Case(name);
        double[] x = c.Points[point];
        var (step, tolerance) = Numerics(c);
        var (value, jacobian) = c.Jacobian(x);
        Assert.Equal(c.Evaluate(x), value);
        int rows = value.Length;
        Assert.Equal(rows * x.Length, jacobian.Length);
        for (int column = 0; column < x.Length; column++)
        {
            double[] unit = new double[x.Length];
            unit[column] = 1;
            double[] numeric = CentralDifference(c, x, unit, step);
            for (int row = 0; row < rows; row++)
                AssertClose(numeric[row], jacobian[row * x.Length + column], tolerance, $"{name} at point {point}, entry ({row}, {column})");
        }
    }

    [Theory]
    [MemberData(nameof(TangentPoints))]
    public void Tangent_EqualsJacobianTimesDirection(string name, int point)
    {
        var c = Case(name);
        double[] x = c.Points[point];
        double[] direction = Enumerable.Range(0, x.Length).Select(i => Math.Cos(i + point)).ToArray();
        var (_, tangent) = c.Tangent!(x, direction);
        var (value, jacobian) = c.Jacobian(x);
        for (int row = 0; row < value.Length; row++)
        {
            double product = 0;
            for (int column = 0; column < x.Length; column++) product += jacobian[row * x.Length + column] * direction[column];
            AssertClose(product, tangent[row], c.Single ? 1e-5 : 1e-12, $"{name} at point {point}, output {row}", "Jacobian times direction");
        }
    }

    [Fact]
    public void TangentOfTheWrongLength_IsAnArgumentExceptionNamingIt()
    {
        double[] x = new double[3], w = new double[6], b = new double[2], y = new double[2];
        var e = Assert.Throws<ArgumentException>(() => ForwardFunctions.DenseTangent(x, w, b, y, new double[3], new double[5], new double[2], new double[2]));
        Assert.Equal("tW", e.ParamName);
        e = Assert.Throws<ArgumentException>(() => ForwardFunctions.DenseTangent(x, w, b, y, new double[3], new double[6], new double[2], new double[3]));
        Assert.Equal("tY", e.ParamName);
    }

    [Fact]
    public void JacobianOfTheWrongSize_IsAnArgumentException_BeforeAnythingIsWritten()
    {
        double[] x = { 0.1, 0.2, 0.3 }, w = new double[6], b = new double[2], y = { 5, 5 };
        var e = Assert.Throws<ArgumentException>(() => ForwardFunctions.DenseJacobian(x, w, b, y, new double[2 * 11 - 1]));
        Assert.Equal("jacobian", e.ParamName);
        Assert.Equal(new double[] { 5, 5 }, y);
        Assert.Equal("jacobian", Assert.Throws<ArgumentException>(() => ForwardFunctions.ArithmeticJacobian(0.1, 0.2, new double[3])).ParamName);
    }

    [Fact]
    public void TangentsAndJacobians_OnManyThreadsAtOnce_AgreeWithOneThread()
    {
        var cases = ForwardCase.All().Where(c => c.Tangent is not null).ToArray();
        var expected = cases.Select(c => (c.Tangent!(c.Points[0], Direction(c.Points[0].Length)).Tangent, c.Jacobian(c.Points[0]).Jacobian)).ToArray();
        System.Threading.Tasks.Parallel.For(0, 64, i =>
        {
            var c = cases[i % cases.Length];
            var (tangent, jacobian) = (c.Tangent!(c.Points[0], Direction(c.Points[0].Length)).Tangent, c.Jacobian(c.Points[0]).Jacobian);
            Assert.Equal(expected[i % cases.Length].Item1, tangent);
            Assert.Equal(expected[i % cases.Length].Item2, jacobian);
        });
    }

    /// <summary>
    /// <c>Jacobian = true</c> alone adds no public <c>MTangent</c>: a tall layer's forward sweeps call a private one, which a
    /// layer forward mode cannot follow does not get.
    /// </summary>
    [Fact]
    public void JacobianOnlyLayers_GetAPrivateTangentForForwardSweeps_AndNoPublicOne()
    {
        const System.Reflection.BindingFlags any = System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static;
        var type = typeof(ForwardFunctions);
        foreach (string name in new[] { nameof(ForwardFunctions.TallJacobianOnly), nameof(ForwardFunctions.WideJacobianOnly), nameof(ForwardFunctions.TallThroughCustomRule) })
            Assert.Null(type.GetMethod(name + "Tangent", any));
        // Vector mode serves their forward sweeps: no one-direction tangent is needed.
        Assert.True(type.GetMethod(nameof(ForwardFunctions.TallJacobianOnly) + "JacobianLanes", any) is { IsPrivate: true });
        Assert.True(type.GetMethod(nameof(ForwardFunctions.WideJacobianOnly) + "JacobianLanes", any) is { IsPrivate: true });
        Assert.Null(type.GetMethod(nameof(ForwardFunctions.TallJacobianOnly) + "JacobianTangent", any));
        Assert.Null(type.GetMethod(nameof(ForwardFunctions.TallThroughCustomRule) + "JacobianTangent", any));
        Assert.Null(type.GetMethod(nameof(ForwardFunctions.TallThroughCustomRule) + "JacobianLanes", any));
    }

    /// <summary>
    /// Vector mode where it applies (the layers' bodies, with their callees inlined), one forward sweep per column where it
    /// does not (a conversion between floating types; struct tangents); the Jacobians of all are checked entry by entry.
    /// </summary>
    [Fact]
    public void TallLayers_TakeVectorModeWhereItApplies()
    {
        const System.Reflection.BindingFlags any = System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static;
        var type = typeof(ForwardFunctions);
        foreach (string name in new[] { nameof(ForwardFunctions.VectorTall), nameof(ForwardFunctions.VectorFourScalars), nameof(ForwardFunctions.VectorTallFloat), nameof(ForwardFunctions.Curve) })
            Assert.True(type.GetMethod(name + "JacobianLanes", any) is { IsPrivate: true }, name);
        Assert.Null(type.GetMethod(nameof(ForwardFunctions.TallWithConversion) + "JacobianLanes", any));
        Assert.True(type.GetMethod(nameof(ForwardFunctions.TallWithConversion) + "JacobianTangent", any) is { IsPrivate: true });
        Assert.Null(type.GetMethod(nameof(ForwardFunctions.StructLayer) + "JacobianLanes", any));
    }

    /// <summary>A tall layer through tangent rules takes forward sweeps (per column: a rule has no vector mode).</summary>
    [Fact]
    public void TallLayerThroughTangentRules_TakesForwardSweeps()
    {
        const System.Reflection.BindingFlags any = System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static;
        var type = typeof(ForwardFunctions);
        Assert.True(type.GetMethod(nameof(ForwardFunctions.TallThroughTangentRules) + "JacobianTangent", any) is { IsPrivate: true });
        Assert.Null(type.GetMethod(nameof(ForwardFunctions.TallThroughTangentRules) + "JacobianLanes", any));
    }

    private static double[] Direction(int length) => Enumerable.Range(0, length).Select(i => Math.Sin(i + 1.0)).ToArray();

    [Fact]
    public void EveryForwardFunction_HasACase()
    {
        var methods = typeof(ForwardFunctions).GetMethods()
            .Where(m => m.GetCustomAttributes(typeof(DifferentiableAttribute), false).Length > 0)
            .Select(m => m.Name);
        Assert.Empty(methods.Except(ForwardCase.All().Select(c => c.Name.Split('(')[0])).Except(new[] { nameof(ForwardFunctions.Square), nameof(ForwardFunctions.SumOfSquares), nameof(ForwardFunctions.Correlate), nameof(ForwardFunctions.Marked) }));
    }
}
