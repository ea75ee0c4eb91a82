using System;
using System.Collections.Generic;
using System.Linq;
using F = Backprop.Consumer.Tests.ForwardFunctions;

namespace Backprop.Consumer.Tests;

/// <summary>
/// A method of <see cref="ForwardFunctions"/> seen as a map of one flat vector (its differentiated inputs, in parameter
/// order) to one flat vector (its value, or its outputs in parameter order), with its original, its <c>MTangent</c> and
/// its <c>MJacobian</c> behind delegates, and the points (one per branch it takes) at which to check them.
/// </summary>
public sealed record ForwardCase(
    string Name,
    bool Single,
    double[][] Points,
    Func<double[], double[]> Evaluate,
    Func<double[], double[], (double[] Value, double[] Tangent)>? Tangent,
    Func<double[], (double[] Value, double[] Jacobian)> Jacobian)
{
    public override string ToString() => Name;

    /// <summary>A scalar method of two scalars (<paramref name="tangent"/> null when it has no forward mode).</summary>
    private static ForwardCase Binary(string name, Func<double, double, double> f,
        TangentOfTwo? tangent, Func<double, double, Span<double>, double> jacobian, params double[][] points) =>
        new(name, false, points,
            p => [f(p[0], p[1])],
            tangent is null ? null : (p, t) => { double v = tangent(p[0], p[1], t[0], t[1], out double tv); return ([v], [tv]); },
            p => { var j = new double[2]; double v = jacobian(p[0], p[1], j); return ([v], j); });

    private delegate double TangentOfTwo(double x, double y, double tX, double tY, out double t);

    private delegate float FloatTangentOfTwo(float x, float y, float tX, float tY, out float t);

    private static double[] Slice(double[] p, int start, int length) => p.AsSpan(start, length).ToArray();

    private static float[] Floats(double[] p, int start, int length) => p.Skip(start).Take(length).Select(v => (float)v).ToArray();

    private static double[] Doubles(float[] p) => p.Select(v => (double)v).ToArray();

    private static double[] Point(int seed, int length, double scale = 0.8)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, length).Select(_ => (2 * random.NextDouble() - 1) * scale).ToArray();
    }

    public static IEnumerable<ForwardCase> All()
    {
        yield return Binary(nameof(F.Arithmetic), F.Arithmetic, F.ArithmeticTangent, F.ArithmeticJacobian, [0.7, -0.4], [-1.3, 2.1]);
        yield return Binary(nameof(F.Trigonometric), F.Trigonometric, F.TrigonometricTangent, F.TrigonometricJacobian, [0.7, -0.4], [-0.3, 0.9]);
        yield return Binary(nameof(F.Hyperbolic), F.Hyperbolic, F.HyperbolicTangent, F.HyperbolicJacobian, [0.7, -0.4], [-0.3, 0.9]);
        yield return Binary(nameof(F.ExponentialsAndRoots), F.ExponentialsAndRoots, F.ExponentialsAndRootsTangent, F.ExponentialsAndRootsJacobian, [0.7, -0.4], [-0.3, 0.9]);
        yield return Binary(nameof(F.Powers), F.Powers, F.PowersTangent, F.PowersJacobian, [0.7, -0.4], [-1.3, 1.9]);
        yield return Binary(nameof(F.MinMaxAbsClamp), F.MinMaxAbsClamp, F.MinMaxAbsClampTangent, F.MinMaxAbsClampJacobian, [0.7, -0.4], [-0.2, 0.9], [0.1, 0.3], [-0.45, -0.35]);
        yield return Binary(nameof(F.PiecewiseConstants), F.PiecewiseConstants, F.PiecewiseConstantsTangent, F.PiecewiseConstantsJacobian, [0.7, -0.45], [-1.3, 0.55]);
        yield return Binary(nameof(F.Conditionals), F.Conditionals, F.ConditionalsTangent, F.ConditionalsJacobian, [0.7, -0.4], [-0.3, 0.2], [2.5, 1.5], [0.2, 0.8]);
        yield return Binary(nameof(F.Branches), F.Branches, F.BranchesTangent, F.BranchesJacobian, [0.7, 0.4], [0.7, -0.4], [-0.3, 0.8], [-0.9, -0.6], [1.6, 1.4], [-2.5, -1.2]);
        yield return Binary(nameof(F.EarlyReturns), F.EarlyReturns, F.EarlyReturnsTangent, F.EarlyReturnsJacobian, [1.5, 0.3], [-0.8, 0.2], [0.4, 0.7], [0.4, 0.2]);
        yield return Binary(nameof(F.LoopWithEarlyReturn), F.LoopWithEarlyReturn, F.LoopWithEarlyReturnTangent, F.LoopWithEarlyReturnJacobian, [0.5, 0.7], [0.9, 1.3]);
        yield return Binary("Loops", (x, y) => F.Loops(x, y, 6),
            (double x, double y, double tX, double tY, out double t) => F.LoopsTangent(x, y, 6, tX, tY, out t),
            (x, y, j) => F.LoopsJacobian(x, y, 6, j), [0.5, 0.7], [1.2, 0.9], [0.2, 0.3]);
        yield return Binary(nameof(F.Recurrences), F.Recurrences, F.RecurrencesTangent, F.RecurrencesJacobian, [0.5, 0.7], [1.2, 0.9], [-0.6, -1.7], [0.2, 0.3]);
        yield return new(nameof(F.NestedLoopsWithBreak), false, [Point(17, 6), Point(18, 6, 2.5)],
            p => [F.NestedLoopsWithBreak(Slice(p, 0, 5), p[5])],
            (p, t) => { double v = F.NestedLoopsWithBreakTangent(Slice(p, 0, 5), p[5], Slice(t, 0, 5), t[5], out double tv); return ([v], [tv]); },
            p => { var j = new double[6]; double v = F.NestedLoopsWithBreakJacobian(Slice(p, 0, 5), p[5], j); return ([v], j); });
        // Windows: signal[6], kernel[3] → y[4].
        yield return new(nameof(F.Windows), false, [Point(19, 9), Point(20, 9)],
            p => { var y = new double[4]; F.Windows(Slice(p, 0, 6), Slice(p, 6, 3), y); return y; },
            (p, t) => { double[] y = new double[4], ty = new double[4]; F.WindowsTangent(Slice(p, 0, 6), Slice(p, 6, 3), y, Slice(t, 0, 6), Slice(t, 6, 3), ty); return (y, ty); },
            p => { double[] y = new double[4], j = new double[4 * 9]; F.WindowsJacobian(Slice(p, 0, 6), Slice(p, 6, 3), y, j); return (y, j); });
        yield return Binary(nameof(F.CallsInArms) + "(n = 3)", (x, y) => F.CallsInArms(x, y, 3),
            (double x, double y, double tX, double tY, out double t) => F.CallsInArmsTangent(x, y, 3, tX, tY, out t),
            (x, y, j) => F.CallsInArmsJacobian(x, y, 3, j), [0.7, 0.4], [-0.6, 0.3], [0.9, -0.4], [1.6, 1.2]);
        yield return Binary(nameof(F.CallsInArms) + "(n = 2)", (x, y) => F.CallsInArms(x, y, 2),
            (double x, double y, double tX, double tY, out double t) => F.CallsInArmsTangent(x, y, 2, tX, tY, out t),
            (x, y, j) => F.CallsInArmsJacobian(x, y, 2, j), [0.7, 0.4], [-0.6, 0.3]);
        // IntoArray: a[4] → o[2] (an array parameter).
        yield return new(nameof(F.IntoArray), false, [[0.3, -0.8, 0.5, 0.1], [-0.9, 0.2, 0.7, -0.4]],
            p => { double[] o = { 0.5, 0.5 }; F.IntoArray(p, o); return o; },
            (p, t) => { double[] o = { 0.5, 0.5 }, to = new double[2]; F.IntoArrayTangent(p, o, t, to); return (o, to); },
            p => { double[] o = { 0.5, 0.5 }, j = new double[2 * 4]; F.IntoArrayJacobian(p, o, j); return (o, j); });
        yield return Binary(nameof(F.Inner), F.Inner, F.InnerTangent, F.InnerJacobian, [0.7, -0.4]);

        // SpanLoss(w[4], b, x, v[4]): inputs w, b, v.
        double[] data = [0.3, -0.7, 0.9, 0.2];
        yield return new(nameof(F.SpanLoss), false, [Point(1, 9), Point(2, 9)],
            p => [F.SpanLoss(Slice(p, 0, 4), p[4], data, Slice(p, 5, 4))],
            (p, t) => { double v = F.SpanLossTangent(Slice(p, 0, 4), p[4], data, Slice(p, 5, 4), Slice(t, 0, 4), t[4], Slice(t, 5, 4), out double tv); return ([v], [tv]); },
            p => { var j = new double[9]; double v = F.SpanLossJacobian(Slice(p, 0, 4), p[4], data, Slice(p, 5, 4), j); return ([v], j); });

        // Dense: x[3], w[2×3], b[2] → y[2].
        yield return new(nameof(F.Dense), false, [Point(3, 11), Point(4, 11)],
            p => { var y = new double[2]; F.Dense(Slice(p, 0, 3), Slice(p, 3, 6), Slice(p, 9, 2), y); return y; },
            (p, t) => { double[] y = new double[2], ty = new double[2]; F.DenseTangent(Slice(p, 0, 3), Slice(p, 3, 6), Slice(p, 9, 2), y, Slice(t, 0, 3), Slice(t, 3, 6), Slice(t, 9, 2), ty); return (y, ty); },
            p => { double[] y = new double[2], j = new double[2 * 11]; F.DenseJacobian(Slice(p, 0, 3), Slice(p, 3, 6), Slice(p, 9, 2), y, j); return (y, j); });

        // Reprojection: camera[11], point[3], weight → error[3] (the feature is data).
        double[] feature = [0.3, -0.2];
        yield return new(nameof(BundleAdjustmentModel.Reprojection), false,
            [[0.1, -0.2, 0.15, 0.3, -0.1, 0.2, 1.2, 0.05, -0.04, 0.01, 0.002, 0.5, -0.4, 4.0, 0.8], [0, 0, 0, 0.3, -0.1, 0.2, 1.2, 0.05, -0.04, 0.01, 0.002, 0.5, -0.4, 4.0, 0.8]],
            p => { var e = new double[3]; BundleAdjustmentModel.Reprojection(Slice(p, 0, 11), Slice(p, 11, 3), p[14], feature, e); return e; },
            (p, t) => { double[] e = new double[3], te = new double[3]; BundleAdjustmentModel.ReprojectionTangent(Slice(p, 0, 11), Slice(p, 11, 3), p[14], feature, e, Slice(t, 0, 11), Slice(t, 11, 3), t[14], te); return (e, te); },
            p => { double[] e = new double[3], j = new double[3 * 15]; BundleAdjustmentModel.ReprojectionJacobian(Slice(p, 0, 11), Slice(p, 11, 3), p[14], feature, e, j); return (e, j); });

        // Overwrites: r, theta → xy[2].
        yield return new(nameof(F.Overwrites), false, [[0.7, 0.4], [-1.3, 2.1]],
            p => { var xy = new double[2]; F.Overwrites(p[0], p[1], xy); return xy; },
            (p, t) => { double[] xy = new double[2], txy = new double[2]; F.OverwritesTangent(p[0], p[1], xy, t[0], t[1], txy); return (xy, txy); },
            p => { double[] xy = new double[2], j = new double[2 * 2]; F.OverwritesJacobian(p[0], p[1], xy, j); return (xy, j); });

        // TwoOutputs: x[3], s → y[3], z[2].
        yield return new(nameof(F.TwoOutputs), false, [[0.4, -0.6, 0.8, 0.7], [-0.4, -0.6, 0.8, 0.7]],
            p => { double[] y = new double[3], z = new double[2]; F.TwoOutputs(Slice(p, 0, 3), p[3], y, z); return [.. y, .. z]; },
            (p, t) => { double[] y = new double[3], z = new double[2], ty = new double[3], tz = new double[2]; F.TwoOutputsTangent(Slice(p, 0, 3), p[3], y, z, Slice(t, 0, 3), t[3], ty, tz); return ([.. y, .. z], [.. ty, .. tz]); },
            p => { double[] y = new double[3], z = new double[2], j = new double[5 * 4]; F.TwoOutputsJacobian(Slice(p, 0, 3), p[3], y, z, j); return ([.. y, .. z], j); });

        // Stacked: layers calling layers through a stack buffer, x[3], w[2×3], b[2] → y[2].
        yield return new(nameof(F.Stacked), false, [Point(5, 11), Point(6, 11)],
            p => { var y = new double[2]; F.Stacked(Slice(p, 0, 3), Slice(p, 3, 6), Slice(p, 9, 2), y); return y; },
            (p, t) => { double[] y = new double[2], ty = new double[2]; F.StackedTangent(Slice(p, 0, 3), Slice(p, 3, 6), Slice(p, 9, 2), y, Slice(t, 0, 3), Slice(t, 3, 6), Slice(t, 9, 2), ty); return (y, ty); },
            p => { double[] y = new double[2], j = new double[2 * 11]; F.StackedJacobian(Slice(p, 0, 3), Slice(p, 3, 6), Slice(p, 9, 2), y, j); return (y, j); });

        // PartialWrites: x[4], s → y[4]; the entries it does not write hold 7, a constant. MTangent leaves the tangents
        // of entries it does not write as they were (an earlier value's tangent), so they start at 0 here; MJacobian
        // writes every entry of its rows.
        yield return new(nameof(F.PartialWrites), false, [[0.1, 0.3, 0.9, 0.2, 0.8], [0.1, -0.3, 0.4, 0.2, 0.8]],
            p => { double[] y = { 7, 7, 7, 7 }; F.PartialWrites(Slice(p, 0, 4), p[4], y); return y; },
            (p, t) => { double[] y = { 7, 7, 7, 7 }, ty = new double[4]; F.PartialWritesTangent(Slice(p, 0, 4), p[4], y, Slice(t, 0, 4), t[4], ty); return (y, ty); },
            p => { double[] y = { 7, 7, 7, 7 }, j = Enumerable.Repeat(9.0, 4 * 5).ToArray(); F.PartialWritesJacobian(Slice(p, 0, 4), p[4], y, j); return (y, j); });

        // Concatenated: x[3], w[2×3], b[2] → y[5].
        yield return new(nameof(F.Concatenated), false, [Point(21, 11), Point(22, 11)],
            p => { var y = new double[5]; F.Concatenated(Slice(p, 0, 3), Slice(p, 3, 6), Slice(p, 9, 2), y); return y; },
            (p, t) => { double[] y = new double[5], ty = new double[5]; F.ConcatenatedTangent(Slice(p, 0, 3), Slice(p, 3, 6), Slice(p, 9, 2), y, Slice(t, 0, 3), Slice(t, 3, 6), Slice(t, 9, 2), ty); return (y, ty); },
            p => { double[] y = new double[5], j = new double[5 * 11]; F.ConcatenatedJacobian(Slice(p, 0, 3), Slice(p, 3, 6), Slice(p, 9, 2), y, j); return (y, j); });

        // Unrolled: w[2×2], b[2], x0[2], 5 steps.
        yield return new(nameof(F.Unrolled), false, [Point(23, 8, 1.2), Point(24, 8, 1.2), Point(25, 8, 1.5)],
            p => [F.Unrolled(Slice(p, 0, 4), Slice(p, 4, 2), Slice(p, 6, 2), 5)],
            (p, t) => { double v = F.UnrolledTangent(Slice(p, 0, 4), Slice(p, 4, 2), Slice(p, 6, 2), 5, Slice(t, 0, 4), Slice(t, 4, 2), Slice(t, 6, 2), out double tv); return ([v], [tv]); },
            p => { var j = new double[8]; double v = F.UnrolledJacobian(Slice(p, 0, 4), Slice(p, 4, 2), Slice(p, 6, 2), 5, j); return ([v], j); });

        // LayerLoss: a scalar loss of a layer's output in a heap buffer.
        double[] target = [0.1, -0.3];
        yield return new(nameof(F.LayerLoss), false, [Point(7, 11), Point(8, 11)],
            p => [F.LayerLoss(Slice(p, 0, 3), Slice(p, 3, 6), Slice(p, 9, 2), target)],
            (p, t) => { double v = F.LayerLossTangent(Slice(p, 0, 3), Slice(p, 3, 6), Slice(p, 9, 2), target, Slice(t, 0, 3), Slice(t, 3, 6), Slice(t, 9, 2), out double tv); return ([v], [tv]); },
            p => { var j = new double[11]; double v = F.LayerLossJacobian(Slice(p, 0, 3), Slice(p, 3, 6), Slice(p, 9, 2), target, j); return ([v], j); });

        // CallsDifferentiable: x, v[3].
        yield return new(nameof(F.CallsDifferentiable), false, [Point(9, 4), Point(10, 4)],
            p => [F.CallsDifferentiable(p[0], Slice(p, 1, 3))],
            (p, t) => { double v = F.CallsDifferentiableTangent(p[0], Slice(p, 1, 3), t[0], Slice(t, 1, 3), out double tv); return ([v], [tv]); },
            p => { var j = new double[4]; double v = F.CallsDifferentiableJacobian(p[0], Slice(p, 1, 3), j); return ([v], j); });

        // Unmarked helpers and callees without forward mode, inlined into MTangent.
        yield return Binary(nameof(F.CallsUnmarkedHelper), F.CallsUnmarkedHelper, F.CallsUnmarkedHelperTangent, F.CallsUnmarkedHelperJacobian, [0.7, -0.4], [-0.3, 0.9]);
        yield return new(nameof(F.CallsUnmarkedLayer), false, [Point(15, 4), Point(16, 4)],
            p => { var y = new double[3]; F.CallsUnmarkedLayer(Slice(p, 0, 3), p[3], y); return y; },
            (p, t) => { double[] y = new double[3], ty = new double[3]; F.CallsUnmarkedLayerTangent(Slice(p, 0, 3), p[3], y, Slice(t, 0, 3), t[3], ty); return (y, ty); },
            p => { double[] y = new double[3], j = new double[3 * 4]; F.CallsUnmarkedLayerJacobian(Slice(p, 0, 3), p[3], y, j); return (y, j); });

        yield return Binary(nameof(F.ScalarHelpers), F.ScalarHelpers, F.ScalarHelpersTangent, F.ScalarHelpersJacobian, [0.7, -0.4], [1.5, 0.3], [-0.6, 0.9]);
        // SpanHelpers(w[4], b, x): inputs w, b.
        double[] features = [0.5, -0.2, 0.8, 0.3];
        yield return new(nameof(F.SpanHelpers), false, [Point(26, 5), Point(27, 5)],
            p => [F.SpanHelpers(Slice(p, 0, 4), p[4], features)],
            (p, t) => { double v = F.SpanHelpersTangent(Slice(p, 0, 4), p[4], features, Slice(t, 0, 4), t[4], out double tv); return ([v], [tv]); },
            p => { var j = new double[5]; double v = F.SpanHelpersJacobian(Slice(p, 0, 4), p[4], features, j); return ([v], j); });
        // HelpersInLoopsAndBranches(w[4], s): entries of both signs, above and below 1.2.
        yield return new(nameof(F.HelpersInLoopsAndBranches), false, [[0.7, -0.4, 1.5, -1.1, 0.8], [1.4, 0.3, -0.6, 0.9, -0.5], [2.1, 1.9, 1.6, 2.4, 1.3]],
            p => [F.HelpersInLoopsAndBranches(Slice(p, 0, 4), p[4])],
            (p, t) => { double v = F.HelpersInLoopsAndBranchesTangent(Slice(p, 0, 4), p[4], Slice(t, 0, 4), t[4], out double tv); return ([v], [tv]); },
            p => { var j = new double[5]; double v = F.HelpersInLoopsAndBranchesJacobian(Slice(p, 0, 4), p[4], j); return ([v], j); });
        // LayersThroughHelpers: x[3], w[2×3], b[2] → y[2].
        yield return new(nameof(F.LayersThroughHelpers), false, [Point(28, 11), Point(29, 11)],
            p => { var y = new double[2]; F.LayersThroughHelpers(Slice(p, 0, 3), Slice(p, 3, 6), Slice(p, 9, 2), y); return y; },
            (p, t) => { double[] y = new double[2], ty = new double[2]; F.LayersThroughHelpersTangent(Slice(p, 0, 3), Slice(p, 3, 6), Slice(p, 9, 2), y, Slice(t, 0, 3), Slice(t, 3, 6), Slice(t, 9, 2), ty); return (y, ty); },
            p => { double[] y = new double[2], j = new double[2 * 11]; F.LayersThroughHelpersJacobian(Slice(p, 0, 3), Slice(p, 3, 6), Slice(p, 9, 2), y, j); return (y, j); });
        // Curve: a, b → y[6], a tall Jacobian taken by forward sweeps.
        yield return new(nameof(F.Curve), false, [[0.7, -0.4], [1.9, 0.6]],
            p => { var y = new double[6]; F.Curve(p[0], p[1], y); return y; },
            (p, t) => { double[] y = new double[6], ty = new double[6]; F.CurveTangent(p[0], p[1], y, t[0], t[1], ty); return (y, ty); },
            p => { double[] y = new double[6], j = new double[6 * 2]; F.CurveJacobian(p[0], p[1], y, j); return (y, j); });

        // Jacobian = true alone: a tall layer (forward sweeps through a private tangent), a wide one, and a tall one forward
        // mode cannot follow (reverse sweeps).
        yield return new(nameof(F.TallJacobianOnly), false, [[0.7, -0.4], [1.9, 0.6]],
            p => { var y = new double[20]; F.TallJacobianOnly(p[0], p[1], y); return y; },
            null,
            p => { double[] y = new double[20], j = new double[20 * 2]; F.TallJacobianOnlyJacobian(p[0], p[1], y, j); return (y, j); });
        yield return new(nameof(F.WideJacobianOnly), false, [Point(36, 9), Point(37, 9)],
            p => { var y = new double[2]; F.WideJacobianOnly(Slice(p, 0, 8), p[8], y); return y; },
            null,
            p => { double[] y = new double[2], j = new double[2 * 9]; F.WideJacobianOnlyJacobian(Slice(p, 0, 8), p[8], y, j); return (y, j); });
        yield return new(nameof(F.TallThroughCustomRule), false, [[0.7, -0.4], [-0.3, 0.9]],
            p => { var y = new double[6]; F.TallThroughCustomRule(p[0], p[1], y); return y; },
            null,
            p => { double[] y = new double[6], j = new double[6 * 2]; F.TallThroughCustomRuleJacobian(p[0], p[1], y, j); return (y, j); });

        // Vector mode (MJacobianLanes): 10 columns across the lanes, exactly one vector of doubles, floats, and a fallback.
        yield return new(nameof(F.VectorTall), false, [Point(40, 10), Point(41, 10), Point(42, 10, 1.5)],
            p => { var y = new double[12]; F.VectorTall(Slice(p, 0, 9), p[9], y); return y; },
            null,
            p => { double[] y = new double[12], j = new double[12 * 10]; F.VectorTallJacobian(Slice(p, 0, 9), p[9], y, j); return (y, j); });
        yield return new(nameof(F.VectorFourScalars), false, [Point(43, 4), Point(44, 4)],
            p => { var y = new double[8]; F.VectorFourScalars(p[0], p[1], p[2], p[3], y); return y; },
            null,
            p => { double[] y = new double[8], j = new double[8 * 4]; F.VectorFourScalarsJacobian(p[0], p[1], p[2], p[3], y, j); return (y, j); });
        yield return new(nameof(F.VectorTallFloat), true, [Point(45, 10), Point(46, 10)],
            p => { var y = new float[12]; F.VectorTallFloat(Floats(p, 0, 9), (float)p[9], y); return Doubles(y); },
            null,
            p => { float[] y = new float[12], j = new float[12 * 10]; F.VectorTallFloatJacobian(Floats(p, 0, 9), (float)p[9], y, j); return (Doubles(y), Doubles(j)); });
        yield return new(nameof(F.TallWithConversion), true, [[0.7, -0.4], [-1.1, 0.9]],
            p => { var y = new double[5]; F.TallWithConversion((float)p[0], p[1], y); return y; },
            null,
            p => { double[] y = new double[5], j = new double[5 * 2]; F.TallWithConversionJacobian((float)p[0], p[1], y, j); return (y, j); });

        // Struct parameters, flattened: p.X, p.Y, k, body.Position.X, .Y, body.Velocity.X, .Y, body.Mass.
        static Body BodyOf(double[] p, int at) => new() { Position = new Vec2(p[at], p[at + 1]), Velocity = new Vec2(p[at + 2], p[at + 3]), Mass = p[at + 4] };
        yield return new(nameof(F.StructEnergy), false, [Point(30, 8), Point(31, 8)],
            p => [F.StructEnergy(new Vec2(p[0], p[1]), p[2], BodyOf(p, 3))],
            (p, t) => { double v = F.StructEnergyTangent(new Vec2(p[0], p[1]), p[2], BodyOf(p, 3), new Vec2(t[0], t[1]), t[2], BodyOf(t, 3), out double tv); return ([v], [tv]); },
            p => { var j = new double[8]; double v = F.StructEnergyJacobian(new Vec2(p[0], p[1]), p[2], BodyOf(p, 3), j); return ([v], j); });
        yield return new(nameof(F.StructWritten), false, [Point(32, 3), Point(33, 3)],
            p => [F.StructWritten(new Vec2(p[0], p[1]), p[2])],
            (p, t) => { double v = F.StructWrittenTangent(new Vec2(p[0], p[1]), p[2], new Vec2(t[0], t[1]), t[2], out double tv); return ([v], [tv]); },
            p => { var j = new double[3]; double v = F.StructWrittenJacobian(new Vec2(p[0], p[1]), p[2], j); return ([v], j); });
        // StructLayer: origin, scale → y[6] (forward sweeps) or y[2] (reverse sweeps).
        foreach (int outputs in new[] { 6, 2 })
        {
            yield return new(nameof(F.StructLayer) + "(" + outputs + " outputs)", false, [Point(34, 3), Point(35, 3)],
                p => { var y = new double[outputs]; F.StructLayer(new Vec2(p[0], p[1]), p[2], y); return y; },
                (p, t) => { double[] y = new double[outputs], ty = new double[outputs]; F.StructLayerTangent(new Vec2(p[0], p[1]), p[2], y, new Vec2(t[0], t[1]), t[2], ty); return (y, ty); },
                p => { double[] y = new double[outputs], j = new double[outputs * 3]; F.StructLayerJacobian(new Vec2(p[0], p[1]), p[2], y, j); return (y, j); });
        }

        // Arrays and spans of structs: 3 points (6 numbers) and a scalar.
        static Vec2[] Points(double[] p, int count) => Enumerable.Range(0, count).Select(i => new Vec2(p[2 * i], p[2 * i + 1])).ToArray();
        yield return new(nameof(F.PointsEnergy), false, [Point(50, 7), Point(51, 7)],
            p => [F.PointsEnergy(Points(p, 3), p[6])],
            (p, t) => { double v = F.PointsEnergyTangent(Points(p, 3), p[6], Points(t, 3), t[6], out double tv); return ([v], [tv]); },
            p => { var j = new double[7]; double v = F.PointsEnergyJacobian(Points(p, 3), p[6], j); return ([v], j); });
        foreach (int outputs in new[] { 10, 2 })
        {
            yield return new(nameof(F.PointsLayer) + "(" + outputs + " outputs)", false, [Point(52, 7), Point(53, 7)],
                p => { var y = new double[outputs]; F.PointsLayer(Points(p, 3), p[6], y); return y; },
                (p, t) => { double[] y = new double[outputs], ty = new double[outputs]; F.PointsLayerTangent(Points(p, 3), p[6], y, Points(t, 3), t[6], ty); return (y, ty); },
                p => { double[] y = new double[outputs], j = new double[outputs * 7]; F.PointsLayerJacobian(Points(p, 3), p[6], y, j); return (y, j); });
        }

        yield return Binary(nameof(F.CallsCustomRule), F.CallsCustomRule, null, F.CallsCustomRuleJacobian, [0.7, -0.4], [-1.3, 0.9]);
        // Tangent rules: forward mode calls them, reverse mode the reverse rules.
        yield return Binary(nameof(F.ThroughTangentRules), F.ThroughTangentRules, F.ThroughTangentRulesTangent, F.ThroughTangentRulesJacobian, [0.7, -0.4], [-1.3, 0.9]);
        yield return new(nameof(F.SpanThroughTangentRule), false, [Point(47, 5), Point(48, 5)],
            p => [F.SpanThroughTangentRule(Slice(p, 0, 4), p[4])],
            (p, t) => { double v = F.SpanThroughTangentRuleTangent(Slice(p, 0, 4), p[4], Slice(t, 0, 4), t[4], out double tv); return ([v], [tv]); },
            p => { var j = new double[5]; double v = F.SpanThroughTangentRuleJacobian(Slice(p, 0, 4), p[4], j); return ([v], j); });
        yield return new(nameof(F.TallThroughTangentRules), false, [[0.7, -0.4], [-0.3, 0.9]],
            p => { var y = new double[6]; F.TallThroughTangentRules(p[0], p[1], y); return y; },
            null,
            p => { double[] y = new double[6], j = new double[6 * 2]; F.TallThroughTangentRulesJacobian(p[0], p[1], y, j); return (y, j); });

        // An instance method of a model class, calling another.
        var model = new ForwardModel();
        yield return Binary(nameof(ForwardModel.Predict), model.Predict, model.PredictTangent, model.PredictJacobian, [0.7, -0.4], [-0.3, 0.9]);

        // LocalBuffers: v[4], s.
        yield return new(nameof(F.LocalBuffers), false, [Point(11, 5), Point(12, 5)],
            p => [F.LocalBuffers(Slice(p, 0, 4), p[4])],
            (p, t) => { double v = F.LocalBuffersTangent(Slice(p, 0, 4), p[4], Slice(t, 0, 4), t[4], out double tv); return ([v], [tv]); },
            p => { var j = new double[5]; double v = F.LocalBuffersJacobian(Slice(p, 0, 4), p[4], j); return ([v], j); });

        // float: evaluated in float, compared with looser tolerances.
        yield return new(nameof(F.FloatMath), true, [[0.7, -0.4], [-0.3, 0.9], [1.5, 1.2]],
            p => [F.FloatMath((float)p[0], (float)p[1])],
            (p, t) => { float v = F.FloatMathTangent((float)p[0], (float)p[1], (float)t[0], (float)t[1], out float tv); return ([v], [tv]); },
            p => { var j = new float[2]; float v = F.FloatMathJacobian((float)p[0], (float)p[1], j); return ([v], Doubles(j)); });

        // FloatDense: x[3], w[2×3], bias → y[2].
        yield return new(nameof(F.FloatDense), true, [Point(13, 10), Point(14, 10)],
            p => { var y = new float[2]; F.FloatDense(Floats(p, 0, 3), Floats(p, 3, 6), (float)p[9], y); return Doubles(y); },
            (p, t) => { float[] y = new float[2], ty = new float[2]; F.FloatDenseTangent(Floats(p, 0, 3), Floats(p, 3, 6), (float)p[9], y, Floats(t, 0, 3), Floats(t, 3, 6), (float)t[9], ty); return (Doubles(y), Doubles(ty)); },
            p => { float[] y = new float[2], j = new float[2 * 10]; F.FloatDenseJacobian(Floats(p, 0, 3), Floats(p, 3, 6), (float)p[9], y, j); return (Doubles(y), Doubles(j)); });
    }
}
