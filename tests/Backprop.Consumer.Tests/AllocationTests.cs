using System;
using System.Numerics;
using Xunit;

namespace Backprop.Consumer.Tests;

/// <summary>A generated gradient allocates nothing on the managed heap once warm (tapes come from ArrayPool).</summary>
public sealed class AllocationTests
{
    private static long AllocatedBy(Action call)
    {
        for (int i = 0; i < 100; i++) call(); // warm-up: JIT tiers, pool buckets
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++) call();
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }

    [Fact]
    public void StraightLineGradient_AllocatesNothing() =>
        Assert.Equal(0, AllocatedBy(() => FeatureFunctions.RosenbrockGradient(0.3, 0.7, out _, out _)));

    [Fact]
    public void SpanGradient_AllocatesNothing()
    {
        var w = new double[64];
        var x = new double[64];
        var dW = new double[64];
        Assert.Equal(0, AllocatedBy(() => FeatureFunctions.DesignLossGradient(w, x, 0.1, 0.5, dW, out _)));
    }

    [Fact]
    public void MatrixGradients_OfAParameterAndOfAModelMember_AllocateNothing()
    {
        var a = new double[8, 8];
        var dA = new double[8, 8];
        var x = new double[8];
        var dX = new double[8];
        Assert.Equal(0, AllocatedBy(() => MatrixFunctions.QuadraticFormGradient(a, x, dA, dX)));
        var model = new MatrixRegressor(4, 3, new Random(1));
        var gradient = new MatrixRegressor(4, 3, new Random(2));
        double[] input = { 0.1, 0.2, 0.3 }, target = { 0.0, 0.5, -0.5, 1.0 };
        Assert.Equal(0, AllocatedBy(() => model.LossGradient(input, target, gradient)));
    }

    [Fact]
    public void JaggedMemberGradient_AllocatesNothing()
    {
        var model = new JaggedMlp(4, 3, 2, new Random(1));
        var gradient = new JaggedMlp(4, 3, 2, new Random(2));
        double[] input = { 0.1, 0.2, 0.3, 0.4 };
        Assert.Equal(0, AllocatedBy(() => model.LossGradient(input, 1, gradient)));
    }

    [Fact]
    public void LoopGradientWithTape_AllocatesNothing() =>
        Assert.Equal(0, AllocatedBy(() => FeatureFunctions.ForLoopGradient(0.4, 500, out _)));

    [Fact]
    public void NestedLoopsAndBranches_AllocateNothing() =>
        Assert.Equal(0, AllocatedBy(() =>
        {
            FeatureFunctions.NestedLoopsGradient(0.4, 0.3, out _, out _);
            FeatureFunctions.WhileDoBreakContinueGradient(0.4, 0.3, out _, out _);
        }));

    [Fact]
    public void GradientThroughCalls_AllocatesNothing()
    {
        var w = new double[16];
        var x = new double[16];
        var dW = new double[16];
        Assert.Equal(0, AllocatedBy(() => FeatureFunctions.CallsWithSpansGradient(w, x, 0.2, dW, out _)));
    }

    [Fact]
    public void ModelClassWithAnArrayOfSubModules_AllocatesNothing()
    {
        var model = new LayerStack(new Random(3), 3, 4, 4, 2);
        var gradient = new LayerStack(new Random(4), 3, 4, 4, 2);
        double[] xs = { 0.5, -1.0, 1.5, 0.25, 0.75, -0.5 }, ys = { 0.3, -0.2 };
        Assert.Equal(0, AllocatedBy(() => model.LossGradient(xs, ys, gradient)));
    }

    [Fact]
    public void ModelClassWithFrozenSubModules_AllocatesNothing()
    {
        var model = new FineTuned(new Random(5));
        var gradient = new FineTuned(new Random(6));
        double[] x = { 0.5, -1.0, 1.5 }, dX = new double[3];
        Assert.Equal(0, AllocatedBy(() => model.LossGradient(x, 0.3, gradient, dX)));
    }

    [Fact]
    public void LayersWithStructOutputs_AllocateNothing()
    {
        var xs = new[] { new Vec2(0.3, 1.2), new Vec2(-0.5, 0.7) };
        var ys = new Vec2[2];
        var dYs = new Vec2[2];
        var dXs = new Vec2[2];
        float[] floats = { 0.5f, -0.25f, 1.5f, 0.75f }, dFloats = new float[4];
        var lifted = new Vector3[2];
        var dLifted = new Vector3[2];
        Assert.Equal(0, AllocatedBy(() =>
        {
            double dAngle = 0;
            float dK = 0;
            StructOutputLayers.RotateBackward(xs, 0.6, ys, dYs, dXs, ref dAngle);
            StructOutputLayers.LiftBackward(floats, 1.25f, lifted, dLifted, dFloats, ref dK);
        }));
    }

    [Fact]
    public void Tangents_AllocateNothing()
    {
        double[] x = { 0.3, -0.2, 0.5 }, w = { 0.1, 0.2, 0.3, -0.4, 0.5, -0.6 }, b = { 0.1, -0.1 }, y = new double[2];
        double[] tX = { 1, 0, 0.5 }, tW = { 0, 1, 0, 0, 0.5, 0 }, tB = { 1, 1 }, tY = new double[2];
        float[] xf = { 0.3f, -0.2f, 0.5f }, wf = { 0.1f, 0.2f, 0.3f, -0.4f, 0.5f, -0.6f }, yf = new float[2], tYf = new float[2];
        float[] tXf = { 1, 0, 0.5f }, tWf = { 0, 1, 0, 0, 0.5f, 0 };
        Assert.Equal(0, AllocatedBy(() =>
        {
            ForwardFunctions.BranchesTangent(0.7, 0.4, 1, -1, out _);
            ForwardFunctions.LoopsTangent(0.5, 0.7, 6, 1, 0.5, out _);
            ForwardFunctions.CallsDifferentiableTangent(0.3, x, 1, tX, out _);
            ForwardFunctions.StackedTangent(x, w, b, y, tX, tW, tB, tY);
            ForwardFunctions.FloatDenseTangent(xf, wf, 0.1f, yf, tXf, tWf, 1, tYf);
            // Through inlined helpers: scalar, span and layer helpers, in loops and branches.
            ForwardFunctions.ScalarHelpersTangent(0.7, -0.4, 1, 0.5, out _);
            ForwardFunctions.HelpersInLoopsAndBranchesTangent(w.AsSpan(0, 4), 0.3, tW.AsSpan(0, 4), 1, out _);
            ForwardFunctions.LayersThroughHelpersTangent(x, w, b, y, tX, tW, tB, tY);
        }));
    }

    [Fact]
    public void Jacobians_AllocateNothing()
    {
        double[] x = { 0.3, -0.2, 0.5 }, w = { 0.1, 0.2, 0.3, -0.4, 0.5, -0.6 }, b = { 0.1, -0.1 }, y = new double[2];
        double[] scalar = new double[2], row = new double[4], layer = new double[2 * 11], unmarked = new double[3 * 4], y3 = new double[3], y6 = new double[6], curve = new double[6 * 2];
        double[] y20 = new double[20], tall = new double[20 * 2], wide = new double[2 * 6];
        Assert.Equal(0, AllocatedBy(() =>
        {
            ForwardFunctions.BranchesJacobian(0.7, 0.4, scalar);
            ForwardFunctions.LoopsJacobian(0.5, 0.7, 6, scalar);
            ForwardFunctions.CallsDifferentiableJacobian(0.3, x, row);
            ForwardFunctions.StackedJacobian(x, w, b, y, layer);
            ForwardFunctions.CallsUnmarkedLayerJacobian(x, 0.7, y3, unmarked);
            // Forward sweeps (2 inputs, 6 outputs) through an inlined helper.
            ForwardFunctions.CurveJacobian(0.7, -0.4, y6, curve);
            // Jacobian = true alone: forward sweeps through the private tangent (2 inputs, 20 outputs), reverse sweeps.
            ForwardFunctions.TallJacobianOnlyJacobian(0.7, -0.4, y20, tall);
            ForwardFunctions.WideJacobianOnlyJacobian(w.AsSpan(0, 5), 0.3, y, wide);
            ForwardFunctions.TallThroughCustomRuleJacobian(0.7, -0.4, y6, curve);
        }));
    }
}
