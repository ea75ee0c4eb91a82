using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using Backprop.CompilerServices;
using Xunit;

namespace Backprop.Consumer.Tests;

/// <summary>
/// Ordinary C# in [Differentiable] methods (<see cref="OrdinaryFunctions"/>, issue 16): side effects run once per call of
/// a generated method, where the user wrote them and on the values the method computed; locals of other types and foreach
/// over lists and enumerables run as written; gradients match central differences.
/// </summary>
public sealed class OrdinaryCSharpTests
{
    private static readonly Random Points = new(1616);

    private static double[] Point(int n, double low = -1.5, double high = 1.5) =>
        Enumerable.Range(0, n).Select(_ => low + (high - low) * Points.NextDouble()).ToArray();

    private static void Check(Func<double[], double> function, double[] point, double[] analytic, string name)
    {
        var result = GradientCheck.Check(function, point, analytic);
        Assert.True(result.Passed, name + " at (" + string.Join(", ", point) + "): " + result);
    }

    // ---------------------------------------------------------------- calls kept for their side effect

    [Fact]
    public void SideEffects_RunOncePerGradientCall_OnThePrimalValues()
    {
        for (int trial = 0; trial < 20; trial++)
        {
            var p = Point(2);
            var log = new List<double>();
            EffectLog.Values.Clear();
            double value = OrdinaryFunctions.LoggedGradient(p[0], p[1], log, out double dX, out double dY);
            double z = p[0] * p[1] + Math.Sin(p[0]);
            Assert.Equal(new[] { z }, log);
            Assert.Equal(new[] { p[1] }, EffectLog.Values);
            Assert.Equal(OrdinaryFunctions.Logged(p[0], p[1], new List<double>()), value);
            Check(q => OrdinaryFunctions.Logged(q[0], q[1], new List<double>()), p, new[] { dX, dY }, "Logged");

            // The pullback too: its forward sweep runs them, its reverse sweep does not.
            log.Clear();
            double dPX = 0, dPY = 0;
            OrdinaryFunctions.LoggedPullback(p[0], p[1], log, 2.0, ref dPX, ref dPY);
            Assert.Single(log);
            Assert.Equal(2 * dX, dPX, 12);
        }
    }

    [Fact]
    public void LinqLambdaReadingALocalComputedFromData_RunsAsWritten()
    {
        double[] w = { 0.5, 2.0 }, data = { 1.0, 3.0 };
        var dW = new double[2];
        Assert.Equal(2.25, OrdinaryFunctions.StandardizedGradient(w, data, dW), 12);
        Assert.Equal(new[] { -3.0, 3.0 }, dW);
        Check(q => OrdinaryFunctions.Standardized(q, data), w, dW, "Standardized");
    }

    [Fact]
    public void CalleesWithSideEffects_NotDifferentiated_RunOnce_AlsoWhenTheForwardSweepRestarts()
    {
        var capacity = typeof(Tape).GetField("s_capacity", BindingFlags.NonPublic | BindingFlags.Static)!;
        int before = (int)capacity.GetValue(null)!;
        int steps = Math.Max(before, 1024) / 8 + 1000;
        EffectLog.Values.Clear();
        double value = EffectfulCallees.CallerGradient(0.7, steps, out _);
        Assert.True((int)capacity.GetValue(null)! > before, "the tape did not restart");
        Assert.Equal(new[] { -0.7, 0.7 }, EffectLog.Values);
        Assert.Equal(EffectfulCallees.Caller(0.7, steps), value);
        EffectfulCallees.CallerGradient(0.7, 50, out double dShort);
        Check(q => EffectfulCallees.Caller(q[0], 50), new[] { 0.7 }, new[] { dShort }, "Caller");
    }

    [Fact]
    public void SideEffectsInALoop_RunOncePerTrip_AlsoWhenTheForwardSweepRestartsOnALargerTape()
    {
        // More trips than the tape holds now: the forward sweep fills it and runs again on a larger one, and the records
        // of the first run are not made twice.
        var capacity = typeof(Tape).GetField("s_capacity", BindingFlags.NonPublic | BindingFlags.Static)!;
        int before = (int)capacity.GetValue(null)!;
        int steps = Math.Max(before, 1024) / 8 + 1000;
        var log = new List<double>();
        double value = OrdinaryFunctions.RecurrenceGradient(0.7, steps, log, out double dX);
        Assert.True((int)capacity.GetValue(null)! > before, "the tape did not restart");
        Assert.Equal(steps, log.Count);
        var expected = new List<double>();
        Assert.Equal(OrdinaryFunctions.Recurrence(0.7, steps, expected), value);
        Assert.Equal(expected, log);
        Assert.True(double.IsFinite(dX));
        // A parameter of another type reassigned is the call's own state: the restarted sweep assigns it again.
        int more = (int)capacity.GetValue(null)! / 8 + 1000;
        Assert.Equal(OrdinaryFunctions.Retagged(0.7, more, "ab"), OrdinaryFunctions.RetaggedGradient(0.7, more, "ab", out _));
        for (int trial = 0; trial < 10; trial++)
        {
            var p = Point(1);
            OrdinaryFunctions.RecurrenceGradient(p[0], 50, new List<double>(), out double dShort);
            Check(q => OrdinaryFunctions.Recurrence(q[0], 50, new List<double>()), p, new[] { dShort }, "Recurrence");
        }
    }

    [Fact]
    public void SideEffectsInBranchesAndLoopsOverBuffers_MatchCentralDifferences()
    {
        for (int trial = 0; trial < 20; trial++)
        {
            var w = Point(5);
            var x = Point(5);
            var log = new List<double>();
            var dW = new double[5];
            double value = OrdinaryFunctions.LoggedDotGradient(w, x, log, dW);
            var expected = new List<double>();
            Assert.Equal(OrdinaryFunctions.LoggedDot(w, x, expected), value);
            Assert.Equal(expected, log);
            Check(q => OrdinaryFunctions.LoggedDot(q, x, new List<double>()), w, dW, "LoggedDot");
        }
    }

    [Fact]
    public void AHelperWithASideEffect_RunsItOncePerCall_ThroughItsCaller()
    {
        for (int trial = 0; trial < 20; trial++)
        {
            var p = Point(2);
            EffectLog.Values.Clear();
            double value = OrdinaryFunctions.CallsNotedGradient(p[0], p[1], out double dX, out double dY);
            Assert.Equal(new[] { p[0], p[0] * p[1] }, EffectLog.Values);
            Assert.Equal(OrdinaryFunctions.CallsNoted(p[0], p[1]), value);
            Check(q => OrdinaryFunctions.CallsNoted(q[0], q[1]), p, new[] { dX, dY }, "CallsNoted");
        }
    }

    [Fact]
    public void SideEffects_RunOnceInForwardModeHessiansAndJacobians()
    {
        var p = Point(2);
        var log = new List<double>();
        double value = OrdinaryFunctions.CubicTangent(p[0], p[1], log, 1, 0, out double tX);
        Assert.Single(log);
        Assert.Equal(OrdinaryFunctions.Cubic(p[0], p[1], new List<double>()), value);
        Assert.Equal(2 * p[0] * p[1], tX, 12);

        log.Clear();
        OrdinaryFunctions.CubicHessianVectorProduct(p[0], p[1], log, 1, 0, out double gX, out double gY, out double hX, out double hY);
        Assert.Single(log);
        Assert.Equal(2 * p[1], hX, 12);
        Assert.Equal(2 * p[0], hY, 12);

        log.Clear();
        var hessian = new double[4];
        OrdinaryFunctions.CubicHessian(p[0], p[1], log, hessian);
        Assert.Single(log);
        var exact = new[] { 2 * p[1], 2 * p[0], 2 * p[0], Math.Exp(p[1]) };
        for (int k = 0; k < 4; k++) Assert.Equal(exact[k], hessian[k], 10);

        log.Clear();
        var w = Point(3);
        var y = new double[3];
        var jacobian = new double[3 * 4];
        OrdinaryFunctions.ScaledJacobian(w, 0.8, log, y, jacobian);
        Assert.Single(log);
        for (int i = 0; i < 3; i++)
        {
            double slope = 1 - Math.Tanh(w[i] * 0.8) * Math.Tanh(w[i] * 0.8);
            Assert.Equal(slope * 0.8, jacobian[i * 4 + i], 12);
            Assert.Equal(slope * w[i], jacobian[i * 4 + 3], 12);
        }
    }

    [Fact]
    public void AModelClassLoggingItsMembers_RunsTheEffectOnce_AndGradientsMatch()
    {
        var model = new LoggedNeuron();
        var x = new[] { 0.5, -1.0 };
        var log = new List<double>();
        var dModel = new LoggedNeuron { W = new double[2], B = 0 };
        double value = model.LossGradient(x, log, dModel, new double[2]);
        Assert.Equal(new[] { model.W[0] + model.W[1] }, log);
        Assert.Equal(model.Loss(x, new List<double>()), value);
        var point = new[] { model.W[0], model.W[1], model.B };
        double Loss(double[] p) => new LoggedNeuron { W = new[] { p[0], p[1] }, B = p[2] }.Loss(x, new List<double>());
        Check(Loss, point, new[] { dModel.W[0], dModel.W[1], dModel.B }, "LoggedNeuron");
    }

    // ---------------------------------------------------------------- locals of other types

    [Fact]
    public void LocalsOfOtherTypes_RunAsWritten_AndGradientsMatch()
    {
        foreach (var prefix in new[] { "alpha", "beta" })
        {
            for (int trial = 0; trial < 10; trial++)
            {
                var p = Point(2);
                EffectLog.Values.Clear();
                double value = OrdinaryFunctions.LabelledGradient(p[0], p[1], prefix, out double dX, out double dY);
                Assert.Single(EffectLog.Values);
                Assert.Equal(OrdinaryFunctions.Labelled(p[0], p[1], prefix), value);
                Check(q => OrdinaryFunctions.Labelled(q[0], q[1], prefix), p, new[] { dX, dY }, "Labelled(" + prefix + ")");
            }
        }
    }

    [Fact]
    public void CodeKeptAsWrittenAfterANullTest_Compiles_AndGradientsMatch()
    {
        foreach (var name in new[] { null, "abc" })
        {
            var p = Point(1);
            EffectLog.Values.Clear();
            double value = OrdinaryFunctions.NamedGradient(p[0], name, out double dX);
            Assert.Equal(name is null ? Array.Empty<double>() : new double[] { 3 }, EffectLog.Values);
            Assert.Equal(OrdinaryFunctions.Named(p[0], name), value);
            Check(q => OrdinaryFunctions.Named(q[0], name), p, new[] { dX }, "Named(" + (name ?? "null") + ")");
        }
    }

    [Fact]
    public void IndicesReadFromAListLocal_MatchCentralDifferences()
    {
        var order = new[] { 3, 0, 2, 1 };
        for (int trial = 0; trial < 20; trial++)
        {
            var w = Point(4);
            var dW = new double[4];
            double value = OrdinaryFunctions.PermutedGradient(w, order, dW);
            Assert.Equal(OrdinaryFunctions.Permuted(w, order), value);
            Check(q => OrdinaryFunctions.Permuted(q, order), w, dW, "Permuted");
        }
    }

    // ---------------------------------------------------------------- foreach over lists and enumerables

    [Fact]
    public void ForEachOverListsAndEnumerables_MatchCentralDifferences()
    {
        var xs = new List<double> { 0.5, -1.0, 2.0 };
        IReadOnlyList<double> ys = new[] { 1.5, -2.0, 0.25, 12.0, 3.0 };
        IEnumerable<double> zs = Enumerable.Range(0, 4).Select(i => i * 0.5);
        for (int trial = 0; trial < 20; trial++)
        {
            var p = Point(2);
            double value = OrdinaryFunctions.EnumeratedGradient(p[0], p[1], xs, ys, zs, out double dW, out double dB);
            Assert.Equal(OrdinaryFunctions.Enumerated(p[0], p[1], xs, ys, zs), value);
            Check(q => OrdinaryFunctions.Enumerated(q[0], q[1], xs, ys, zs), p, new[] { dW, dB }, "Enumerated");
        }
    }

    [Fact]
    public void ForEachOverTuplesStringsAndAListLocal_MatchCentralDifferences()
    {
        var points = new List<(double X, double Y)> { (1, 2), (-0.5, 0.3), (2, -1) };
        for (int trial = 0; trial < 20; trial++)
        {
            var w = Point(1);
            double value = OrdinaryFunctions.PointsGradient(w[0], points, "AbC", out double dW);
            Assert.Equal(OrdinaryFunctions.Points(w[0], points, "AbC"), value);
            Check(q => OrdinaryFunctions.Points(q[0], points, "AbC"), w, new[] { dW }, "Points");
        }
    }

    [Fact]
    public void AssignmentsNestedInTheirOwnValue_MatchCentralDifferences()
    {
        for (int trial = 0; trial < 20; trial++)
        {
            var p = Point(2);
            double value = OrdinaryFunctions.NestedAssignmentsGradient(p[0], p[1], out double dX, out double dY);
            Assert.Equal(OrdinaryFunctions.NestedAssignments(p[0], p[1]), value);
            Check(q => OrdinaryFunctions.NestedAssignments(q[0], q[1]), p, new[] { dX, dY }, "NestedAssignments");
        }
    }

    [Fact]
    public void LocalBuffersCopiedFromBuffers_MatchCentralDifferences()
    {
        for (int trial = 0; trial < 20; trial++)
        {
            var p = Point(3);
            double[] dW = new double[2];
            double value = OrdinaryFunctions.CopiesGradient(p[..2], p[2], dW, out double dY);
            Assert.Equal(OrdinaryFunctions.Copies(p[..2], p[2]), value);
            Check(q => OrdinaryFunctions.Copies(q[..2], q[2]), p, new[] { dW[0], dW[1], dY }, "Copies");
        }
    }
}
