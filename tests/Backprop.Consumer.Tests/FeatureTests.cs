using System;
using System.Linq;
using Xunit;

namespace Backprop.Consumer.Tests;

/// <summary>Every supported construct against central finite differences, plus the gradient contract.</summary>
public sealed partial class FeatureTests
{
    private static readonly Random Points = new(12345);

    private static double[] Point(int n, double low = -1.5, double high = 1.5) =>
        Enumerable.Range(0, n).Select(_ => low + (high - low) * Points.NextDouble()).ToArray();

    private static void CheckScalar(string name, int arity, double low = -1.5, double high = 1.5)
    {
        var function = typeof(FeatureFunctions).GetMethod(name)!;
        var gradient = typeof(FeatureFunctions).GetMethod(name + "Gradient")!;
        for (int trial = 0; trial < 30; trial++)
        {
            var point = Point(arity, low, high);
            var (value, analytic) = RuleTests.Invoke(gradient, point);
            double Forward(double[] p) => (double)function.Invoke(null, p.Cast<object>().ToArray())!;
            Assert.Equal(Forward(point), value);
            var result = GradientCheck.Check(Forward, point, analytic);
            Assert.True(result.Passed, name + " at (" + string.Join(", ", point) + "): " + result);
        }
    }

    [Theory]
    [InlineData(nameof(FeatureFunctions.Rosenbrock), 2)]
    [InlineData(nameof(FeatureFunctions.CompoundAssignments), 2)]
    [InlineData(nameof(FeatureFunctions.NestedBranches), 2)]
    [InlineData(nameof(FeatureFunctions.EarlyReturns), 2)]
    [InlineData(nameof(FeatureFunctions.ConditionalOperator), 2)]
    [InlineData(nameof(FeatureFunctions.ParameterReassigned), 2)]
    [InlineData(nameof(FeatureFunctions.CallsSameType), 2)]
    [InlineData(nameof(FeatureFunctions.Sigmoid), 1)]
    [InlineData(nameof(FeatureFunctions.WhileDoBreakContinue), 2)]
    [InlineData(nameof(FeatureFunctions.NestedLoops), 2)]
    [InlineData(nameof(FeatureFunctions.LoopCarriedCallOnItself), 2)]
    public void ScalarFeature_MatchesFiniteDifferences(string name, int arity) => CheckScalar(name, arity);

    [Fact]
    public void CastsBetweenFloatAndDouble_MatchFiniteDifferences()
    {
        for (int trial = 0; trial < 20; trial++)
        {
            var p = Point(2);
            FeatureFunctions.CastsBetweenFloatAndDoubleGradient(p[0], (float)p[1], out double dX, out float dF);
            var result = GradientCheck.Check(q => FeatureFunctions.CastsBetweenFloatAndDouble(q[0], (float)q[1]), new[] { p[0], (float)p[1] }, new[] { dX, dF },
                GradientCheckOptions.Default with { Epsilon = 1e-3, RelativeTolerance = 2e-2, AbsoluteTolerance = 1e-3 });
            Assert.True(result.Passed, result.ToString());
        }
    }

    [Fact]
    public void IntegerAndBooleanLocals_AreInactive_AndGradientsMatch()
    {
        for (int trial = 0; trial < 20; trial++)
        {
            var p = Point(2);
            int n = trial % 3;
            double value = FeatureFunctions.IntegerAndBooleanLocalsGradient(p[0], p[1], n, out double dX, out double dY);
            Assert.Equal(FeatureFunctions.IntegerAndBooleanLocals(p[0], p[1], n), value);
            var result = GradientCheck.Check(q => FeatureFunctions.IntegerAndBooleanLocals(q[0], q[1], n), p, new[] { dX, dY });
            Assert.True(result.Passed, result.ToString());
        }
    }

    [Fact]
    public void CallsAcrossTypes_ChainThroughThePullback()
    {
        for (int trial = 0; trial < 20; trial++)
        {
            var p = Point(3);
            FeatureFunctions.CallsOtherTypeGradient(p[0], p[1], p[2], out double dW, out double dB);
            var result = GradientCheck.Check(q => FeatureFunctions.CallsOtherType(q[0], q[1], p[2]), p.Take(2).ToArray(), new[] { dW, dB });
            Assert.True(result.Passed, result.ToString());
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(25)]
    public void ForLoop_WithRunTimeTripCount_MatchesFiniteDifferences(int n)
    {
        foreach (double x in new[] { -1.3, -0.2, 0.4, 1.7 })
        {
            double value = FeatureFunctions.ForLoopGradient(x, n, out double dX);
            Assert.Equal(FeatureFunctions.ForLoop(x, n), value);
            var result = GradientCheck.Check(q => FeatureFunctions.ForLoop(q[0], n), new[] { x }, new[] { dX });
            Assert.True(result.Passed, result.ToString());
        }
    }

    [Fact]
    public void CountedLoops_MatchFiniteDifferences()
    {
        foreach (double x in new[] { -0.9, 0.35, 1.4 })
        {
            var w = new[] { 0.3, -0.7, 0.5, 1.1, -0.2, 0.8 };
            var dW = new double[w.Length];
            double value = FeatureFunctions.CountedLoopsGradient(w, x, dW, out double dX);
            Assert.Equal(FeatureFunctions.CountedLoops(w, x), value);
            var result = GradientCheck.Check(
                q => FeatureFunctions.CountedLoops(q.AsSpan(0, 6), q[6]),
                w.Append(x).ToArray(), dW.Append(dX).ToArray());
            Assert.True(result.Passed, result.ToString());
        }
    }

    [Fact]
    public void RowCopies_SavedInOnePiece_MatchFiniteDifferences()
    {
        foreach (double x in new[] { -0.8, 0.45 })
        {
            var w = new[] { 0.3, -0.7, 0.5, 1.1, -0.2, 0.8, -0.4 };
            var dW = new double[w.Length];
            double value = FeatureFunctions.RowCopiesGradient(w, x, dW, out double dX);
            Assert.Equal(FeatureFunctions.RowCopies(w, x), value);
            var result = GradientCheck.Check(q => FeatureFunctions.RowCopies(q.AsSpan(0, 7), q[7]), w.Append(x).ToArray(), dW.Append(dX).ToArray());
            Assert.True(result.Passed, result.ToString());
        }
    }

    [Theory]
    [InlineData(2)]
    [InlineData(4)]
    public void IncrementsAfterAWholeBufferSave_MatchFiniteDifferences(int d)
    {
        // w holds d diagonal entries, d offsets and d(d-1)/2 lower-triangle entries (GMM's transformed[j] += icf[l] * centered[i]).
        var random = new Random(d);
        var w = Enumerable.Range(0, 2 * d + d * (d - 1) / 2).Select(_ => random.NextDouble() - 0.5).ToArray();
        foreach (var (function, gradient) in new (Func<double[], double> F, Func<double[], double[], double> G)[]
        {
            (q => FeatureFunctions.SlicedThenIncremented(q, d), (q, g) => FeatureFunctions.SlicedThenIncrementedGradient(q, d, g)),
            (q => FeatureFunctions.SlicedReadThenIncremented(q, d), (q, g) => FeatureFunctions.SlicedReadThenIncrementedGradient(q, d, g)),
        })
        {
            var dW = new double[w.Length];
            Assert.Equal(function(w), gradient(w, dW));
            var result = GradientCheck.Check(function, w, dW);
            Assert.True(result.Passed, result.ToString());
        }
    }

    [Theory]
    [InlineData(2, 3, 5)]
    [InlineData(4, 2, 3)]
    public void AdBenchGaussianMixture_MatchesFiniteDifferences(int d, int k, int n)
    {
        var random = new Random(d * 100 + k);
        double[] Draw(int count) => Enumerable.Range(0, count).Select(_ => random.NextDouble() - 0.5).ToArray();
        int icfSize = d * (d + 1) / 2;
        double[] alphas = Draw(k), means = Draw(k * d), icf = Draw(k * icfSize), x = Draw(n * d);
        double Objective(double[] p) =>
            GaussianMixtureModel.Objective(p.AsSpan(0, k), p.AsSpan(k, k * d), p.AsSpan(k + k * d, k * icfSize), x, d, k, 1.3, 2, 0.7);
        var all = alphas.Concat(means).Concat(icf).ToArray();
        var gradient = new double[all.Length];
        double value = GaussianMixtureModel.ObjectiveGradient(alphas, means, icf, x, d, k, 1.3, 2, 0.7,
            gradient.AsSpan(0, k), gradient.AsSpan(k, k * d), gradient.AsSpan(k + k * d, k * icfSize));
        Assert.Equal(Objective(all), value);
        var result = GradientCheck.Check(Objective, all, gradient);
        Assert.True(result.Passed, result.ToString());
    }

    [Fact]
    public void SkipLocalsInit_StackGradientBuffersAreCleared()
    {
        var w = new[] { 0.3, -0.7, 0.5, 1.1, -0.2 };
        for (int call = 0; call < 3; call++)
        {
            var dW = new double[w.Length];
            Assert.Equal(1e6, SkipLocalsInitFunctions.Dirty());
            SkipLocalsInitFunctions.SmoothGradient(w, dW);
            var result = GradientCheck.Check(q => SkipLocalsInitFunctions.Smooth(q), w, dW);
            Assert.True(result.Passed, result.ToString());
        }
    }

    [Fact]
    public void LongRecurrence_TapeOutgrowsItsStart_RestartGivesTheSameGradient()
    {
        var w = new[] { 0.3, -0.2, 0.1 };
        const double a = 0.8;
        var dW = new double[3];
        double value = FeatureFunctions.LongRecurrenceGradient(a, w, out double dA, dW);
        Assert.Equal(FeatureFunctions.LongRecurrence(a, w), value);
        var result = GradientCheck.Check(
            q => FeatureFunctions.LongRecurrence(q[0], q.AsSpan(1)),
            new[] { a }.Concat(w).ToArray(), new[] { dA }.Concat(dW).ToArray());
        Assert.True(result.Passed, result.ToString());

        // The tape had to grow past its 1 KiB start (8 bytes a step): the thread keeps the grown storage.
        var tape = Backprop.CompilerServices.Tape.Start();
        Assert.True(tape.Capacity >= 50_000 * 8, "capacity " + tape.Capacity);
        tape.Dispose();

        // Warm: the tape now starts large enough, and the gradient is the same.
        var dW2 = new double[3];
        FeatureFunctions.LongRecurrenceGradient(a, w, out double dA2, dW2);
        Assert.Equal(dA, dA2);
        Assert.Equal(dW, dW2);
    }

    [Fact]
    public void DesignExample_SpanGradients_AreIncremented()
    {
        var w = Point(5);
        var x = Point(5);
        double b = 0.3, y = 0.7;
        var dW = new double[5];
        double loss = FeatureFunctions.DesignLossGradient(w, x, b, y, dW, out double dB);
        Assert.Equal(FeatureFunctions.DesignLoss(w, x, b, y), loss);
        var result = GradientCheck.Check(
            q => FeatureFunctions.DesignLoss(q.AsSpan(0, 5), x, q[5], y),
            w.Append(b).ToArray(), dW.Append(dB).ToArray(),
            GradientCheckOptions.Default with { Layout = new[] { ("w", 5), ("b", 1) } });
        Assert.True(result.Passed, result.ToString());

        // Accumulate: a second call adds the same gradient again; the scalar gradient is assigned.
        var first = dW.ToArray();
        FeatureFunctions.DesignLossGradient(w, x, b, y, dW, out double dB2);
        Assert.Equal(first.Select(v => 2 * v), dW);
        Assert.Equal(dB, dB2);
    }

    [Fact]
    public void GradientSpanOfTheWrongLength_ThrowsNamingTheParameter_BeforeWriting()
    {
        var dW = new double[] { 7, 7, 7 };
        var error = Assert.Throws<ArgumentException>(() => FeatureFunctions.DesignLossGradient(new double[4], new double[4], 0, 0, dW, out _));
        Assert.Equal("dW", error.ParamName);
        Assert.Contains("'w'", error.Message);
        Assert.Equal(new double[] { 7, 7, 7 }, dW);
    }

    [Fact]
    public void RowMajorMatrix_WithIndexArithmetic_MatchesFiniteDifferences()
    {
        var m = Point(6);
        var v = Point(3);
        var dM = new double[6];
        var dV = new double[3];
        FeatureFunctions.ArrayMatrixGradient(m, v, 2, dM, dV);
        var result = GradientCheck.Check(q => FeatureFunctions.ArrayMatrix(q[..6], q[6..], 2), m.Concat(v).ToArray(), dM.Concat(dV).ToArray(),
            GradientCheckOptions.Default with { Layout = new[] { ("m", 6), ("v", 3) } });
        Assert.True(result.Passed, result.ToString());
    }

    [Fact]
    public void ForEachOverSpan_MatchesFiniteDifferences()
    {
        var w = Point(6);
        var dW = new double[6];
        FeatureFunctions.ForEachOverSpanGradient(w, 1.3, dW, out double dScale);
        var result = GradientCheck.Check(q => FeatureFunctions.ForEachOverSpan(q.AsSpan(0, 6), q[6]), w.Append(1.3).ToArray(), dW.Append(dScale).ToArray());
        Assert.True(result.Passed, result.ToString());
    }

    [Theory]
    [InlineData(100.0)] // runs to the end
    [InlineData(0.5)] // returns from inside the loop
    public void ForEachOverArray_MatchesFiniteDifferences(double limit)
    {
        var w = Point(5);
        var dW = new double[5];
        FeatureFunctions.ForEachOverArrayGradient(w, limit, dW, out double dLimit);
        var result = GradientCheck.Check(q => FeatureFunctions.ForEachOverArray(q[..5], q[5]), w.Append(limit).ToArray(), dW.Append(dLimit).ToArray());
        Assert.True(result.Passed, result.ToString());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(6)]
    public void SwitchExpression_EveryArm_MatchesFiniteDifferences(int k)
    {
        foreach (double x in new[] { -1.7, -0.4, 0.3, 1.4 })
        {
            FeatureFunctions.SwitchExpressionGradient(x, k, out double dX);
            var result = GradientCheck.Check(q => FeatureFunctions.SwitchExpression(q[0], k), new[] { x }, new[] { dX });
            Assert.True(result.Passed, "k = " + k + ", x = " + x + ": " + result);
        }
    }

    [Theory]
    [InlineData(0.5, 0.3)]
    [InlineData(1.5, 0.3)]
    [InlineData(1.5, 2.5)]
    [InlineData(-0.5, -0.3)]
    public void IsPatterns_EveryBranch_MatchesFiniteDifferences(double x, double y)
    {
        FeatureFunctions.IsPatternsGradient(x, y, out double dX, out double dY);
        var result = GradientCheck.Check(q => FeatureFunctions.IsPatterns(q[0], q[1]), new[] { x, y }, new[] { dX, dY });
        Assert.True(result.Passed, result.ToString());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(11)]
    public void SwitchStatement_EverySection_MatchesFiniteDifferences(int mode)
    {
        var w = new[] { 0.3, -0.7, 1.1, 0.2, 0.9, -0.4 };
        var dW = new double[w.Length];
        double value = FeatureFunctions.SwitchStatementGradient(w, mode, dW);
        Assert.Equal(FeatureFunctions.SwitchStatement(w, mode), value);
        var result = GradientCheck.Check(q => FeatureFunctions.SwitchStatement(q, mode), w, dW);
        Assert.True(result.Passed, result.ToString());
    }

    [Fact]
    public void DoubleAndFloatStatics_MatchFiniteDifferences()
    {
        foreach (var point in new[] { new[] { 0.3, -0.7 }, new[] { -0.9, 0.4 } })
        {
            FeatureFunctions.DoubleStaticsGradient(point[0], point[1], out double dX, out double dY);
            var result = GradientCheck.Check(q => FeatureFunctions.DoubleStatics(q[0], q[1]), point, new[] { dX, dY });
            Assert.True(result.Passed, result.ToString());
        }
    }

    [Fact]
    public void Deconstruction_MatchesFiniteDifferences()
    {
        foreach (var point in new[] { new[] { 0.3, -0.7 }, new[] { -1.1, 0.4 } })
        {
            double value = FeatureFunctions.DeconstructionGradient(point[0], point[1], out double dX, out double dY);
            Assert.Equal(FeatureFunctions.Deconstruction(point[0], point[1]), value);
            var result = GradientCheck.Check(q => FeatureFunctions.Deconstruction(q[0], q[1]), point, new[] { dX, dY });
            Assert.True(result.Passed, result.ToString());
        }
    }

    [Fact]
    public void TablesInStaticFieldsAndProperties_AreData()
    {
        foreach (double x in new[] { -0.7, 1.3 })
        {
            double value = FeatureFunctions.PolynomialFromTablesGradient(x, out double dX);
            Assert.Equal(FeatureFunctions.PolynomialFromTables(x), value);
            // s = 0.5·3 − 1.25·x·1 + 2·x²·2, so ds/dx = −1.25 + 8x.
            Assert.Equal(-1.25 + 8 * x, dX, 12);
        }
    }

    [Fact]
    public void TriangularLoops_MatchFiniteDifferences()
    {
        var w = Point(5);
        var dW = new double[5];
        double value = FeatureFunctions.TriangularLoopsGradient(w, 0.7, dW, out double dX);
        Assert.Equal(FeatureFunctions.TriangularLoops(w, 0.7), value);
        var result = GradientCheck.Check(q => FeatureFunctions.TriangularLoops(q.AsSpan(0, 5), q[5]), w.Append(0.7).ToArray(), dW.Append(dX).ToArray());
        Assert.True(result.Passed, result.ToString());
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void RepeatedSums_MatchFiniteDifferences(int passes)
    {
        var z = Point(4);
        var dZ = new double[4];
        double value = FeatureFunctions.RepeatedSumsGradient(z, passes, dZ);
        Assert.Equal(FeatureFunctions.RepeatedSums(z, passes), value);
        var result = GradientCheck.Check(q => FeatureFunctions.RepeatedSums(q, passes), z, dZ);
        Assert.True(result.Passed, result.ToString());
    }

    [Fact]
    public void AccumulateOntoAQuotient_MatchesFiniteDifferences()
    {
        foreach (double x in new[] { -0.8, 0.6 })
        {
            FeatureFunctions.AccumulateOntoAQuotientGradient(x, 3, out double dX);
            var result = GradientCheck.Check(q => FeatureFunctions.AccumulateOntoAQuotient(q[0], 3), new[] { x }, new[] { dX });
            Assert.True(result.Passed, result.ToString());
        }
    }

    [Theory]
    [InlineData(-2.5)]
    [InlineData(0.7)]
    public void BufferAfterAnEarlyReturn_MatchesFiniteDifferences(double x)
    {
        double value = FeatureFunctions.BufferAfterAnEarlyReturnGradient(x, out double dX);
        Assert.Equal(FeatureFunctions.BufferAfterAnEarlyReturn(x), value);
        var result = GradientCheck.Check(q => FeatureFunctions.BufferAfterAnEarlyReturn(q[0]), new[] { x }, new[] { dX });
        Assert.True(result.Passed, result.ToString());
    }

    [Theory]
    [InlineData(0.6)]
    [InlineData(1.4)] // takes the branch with its own buffer
    public void BuffersInALoop_MatchFiniteDifferences(double x)
    {
        var w = new[] { 0.3, -0.7, 1.1 };
        var dW = new double[3];
        double value = FeatureFunctions.BuffersInALoopGradient(w, x, 2, dW, out double dX);
        Assert.Equal(FeatureFunctions.BuffersInALoop(w, x, 2), value);
        var result = GradientCheck.Check(q => FeatureFunctions.BuffersInALoop(q.AsSpan(0, 3), q[3], 2), w.Append(x).ToArray(), dW.Append(dX).ToArray());
        Assert.True(result.Passed, result.ToString());
    }

    [Fact]
    public void UserNamesThatTheGeneratorAlsoUses_DoNotCollide()
    {
        var point = new[] { 0.7, 1.3 };
        FeatureFunctions.NamesTheGeneratorUsesGradient(point[0], point[1], 5, out double dX, out double dDX);
        var result = GradientCheck.Check(q => FeatureFunctions.NamesTheGeneratorUses(q[0], q[1], 5), point, new[] { dX, dDX });
        Assert.True(result.Passed, result.ToString());
    }

    [Fact]
    public void FloatSpan_MatchesFiniteDifferences()
    {
        var w = new float[] { 0.3f, -1.1f, 0.8f };
        var dW = new float[3];
        FeatureFunctions.FloatSpanGradient(w, 1.3f, dW, out float dScale);
        var result = GradientCheck.Check(q => FeatureFunctions.FloatSpan(q.AsSpan(0, 3), q[3]), w.Append(1.3f).ToArray(), dW.Append(dScale).ToArray());
        Assert.True(result.Passed, result.ToString());
    }

    [Fact]
    public void CallWithSpanArguments_ChainsThroughThePullback()
    {
        var w = Point(4);
        var x = Point(4);
        var dW = new double[4];
        FeatureFunctions.CallsWithSpansGradient(w, x, 0.1, dW, out double dB);
        var result = GradientCheck.Check(q => FeatureFunctions.CallsWithSpans(q[..4], x, q[4]), w.Append(0.1).ToArray(), dW.Append(dB).ToArray());
        Assert.True(result.Passed, result.ToString());
    }

    [Fact]
    public void GradientName_RenamesTheGradient_AndPullbackAccumulatesSeededGradients()
    {
        Assert.Equal(8, FeatureFunctions.Sensitivity(2, out double dX));
        Assert.Equal(12, dX);
        double accumulated = 1;
        Assert.Equal(8, FeatureFunctions.RenamedPullback(2, 0.5, ref accumulated));
        Assert.Equal(1 + 0.5 * 12, accumulated);
    }

    [Fact]
    public void InstanceMethod_ReadsFields()
    {
        var oscillator = new Oscillator(3);
        double energy = oscillator.EnergyGradient(0.5, 2, out double dPosition, out double dVelocity);
        Assert.Equal(oscillator.Energy(0.5, 2), energy);
        Assert.Equal(9 * 0.5, dPosition, 12);
        Assert.Equal(2, dVelocity, 12);
    }

    [Fact]
    public void InstanceMethod_ReadsAnArrayField()
    {
        var oscillator = new Oscillator(3);
        double value = oscillator.DampedGradient(1.5, out double dVelocity);
        Assert.Equal(oscillator.Damped(1.5), value);
        Assert.Equal(2 * 0.25 * 1.5 + 2, dVelocity, 12);
    }

    [Fact]
    public void ParameterWithoutInfluence_GetsAZeroGradient()
    {
        ZeroInfluence.IgnoresAParameterGradient(3, 4, out double dUsed, out double dUnused);
        Assert.Equal((6.0, 0.0), (dUsed, dUnused));
    }
}
