using Xunit;

namespace Backprop.Consumer.Tests;

public sealed class StopGradientTests
{
    private static readonly double[] W = { 0.7, -1.3, 2.1 };

    [Fact]
    public void SpanForm_PassedToANoDerivativeParameter_CutsItsPath()
    {
        var dW = new double[3];
        double value = StopGradientFunctions.ToNoDerivativeParameterGradient(W, 0.4, dW, out double dX);
        Assert.Equal(StopGradientFunctions.ToNoDerivativeParameter(W, 0.4), value);
        Assert.Equal(new[] { W[0] * 0.4 + W[1], 0, 0 }, dW, Close);
        Assert.Equal(W[0] * W[0], dX, 12);
    }

    [Fact]
    public void SpanForm_BoundToALocal_IsReadAsConstants_InReverseAndForwardMode()
    {
        var dW = new double[3];
        StopGradientFunctions.ThroughALocalGradient(W, 0.4, dW, out double dX);
        Assert.Equal(new[] { W[0] * 0.4, W[1] * 0.4, W[2] * 0.4 }, dW, Close);
        Assert.Equal(W[0] * W[0] + W[1] * W[1] + W[2] * W[2], dX, 12);
        // Forward mode along (tW, tX) = ([1, 0, 0], 1): the stopped c contributes no tangent.
        StopGradientFunctions.ThroughALocalTangent(W, 0.4, new[] { 1.0, 0, 0 }, 1, out double tangent);
        Assert.Equal(W[0] * 0.4 + dX, tangent, 12);
    }

    [Fact]
    public void SpanForm_Indexed_AndPassedToARuntimeRule()
    {
        var dW = new double[3];
        StopGradientFunctions.ElementGradient(W, 0.4, dW, out double dX);
        Assert.Equal(new[] { 0, 0, W[1] * 0.4 }, dW, Close);
        Assert.Equal(W[1] * W[2], dX, 12);

        dW = new double[3];
        StopGradientFunctions.ToARuleOfTheRuntimeGradient(W, 0.4, dW, out dX);
        Assert.Equal(new[] { 1.0, 1, 1 }, dW, Close);
        Assert.Equal(W[0] + W[1], dX, 12);
    }

    [Fact]
    public void SpanForm_SliceOfAStoppedView_IsStopped()
    {
        float[] w = { 0.5f, 2f, -3f };
        var dW = new float[3];
        StopGradientFunctions.SliceOfAViewGradient(w, 1.5f, dW, out float dX);
        Assert.Equal(new[] { 1.5f, 0, 0 }, dW);
        Assert.Equal(0.5f, dX);
    }

    /// <summary>Found by an acceptance probe: the callee's gradient of a stopped argument went to the buffer's gradient.</summary>
    [Fact]
    public void SpanForm_PassedToADifferentiatedCallee_GetsNoGradient_InEveryMode()
    {
        var dW = new double[3];
        StopGradientFunctions.ToAnUnmarkedCalleeGradient(W, 1.3, dW, out double dK);
        Assert.Equal(new[] { 2 * W[0], 0, 0 }, dW, Close);
        double squares = W[0] * W[0] + W[1] * W[1] + W[2] * W[2];
        Assert.Equal(squares, dK, 12);

        // Forward mode along w: only the direct term; the Jacobian's row and the Hessian say the same.
        StopGradientFunctions.ToAnUnmarkedCalleeTangent(W, 1.3, new[] { 1.0, 1, 1 }, 0, out double tangent);
        Assert.Equal(2 * W[0], tangent, 12);
        var jacobian = new double[4];
        StopGradientFunctions.ToAnUnmarkedCalleeJacobian(W, 1.3, jacobian);
        Assert.Equal(new[] { 2 * W[0], 0, 0, squares }, jacobian, Close);
        var hessian = new double[16];
        StopGradientFunctions.ToAnUnmarkedCalleeHessian(W, 1.3, hessian);
        Assert.Equal(new double[] { 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 }, hessian, Close);

        dW = new double[3];
        StopGradientFunctions.ToAMarkedCalleeGradient(W, 1.3, dW, out dK);
        Assert.Equal(new[] { 1.0, 0, 0 }, dW, Close);
        Assert.Equal(W[1] * W[1] + W[2] * W[2], dK, 12);

        dW = new double[3];
        double dKLayer = 0;
        StopGradientFunctions.LayerBackward(W, 1.3, new double[1], new double[] { 1 }, dW, ref dKLayer);
        Assert.Equal(new[] { 1.0, 0, 0 }, dW, Close);
        Assert.Equal(squares, dKLayer, 12);

        var model = new StopGradientModel();
        var dThis = new StopGradientModel { W = new double[3] };
        model.LossGradient(1.3, dThis, out dK);
        Assert.Equal(new[] { 1.0, 0, 0 }, dThis.W, Close);
        Assert.Equal(model.W[0] * model.W[0] + model.W[1] * model.W[1] + model.W[2] * model.W[2], dK, 12);
    }

    [Fact]
    public void SpanForm_LoopedOverWithForEach_OrRanged_StaysStopped()
    {
        var dW = new double[3];
        StopGradientLoops.ForEachOverALocalGradient(W, 0.4, dW, out double dX);
        Assert.Equal(new[] { 1.0, 0, 0 }, dW);
        Assert.Equal(W[0] + W[1] + W[2], dX, 12);
        var jacobian = new double[4];
        StopGradientLoops.ForEachOverALocalJacobian(W, 0.4, jacobian);
        Assert.Equal(new[] { 1, 0, 0, W[0] + W[1] + W[2] }, jacobian, Close);

        dW = new double[3];
        StopGradientLoops.ForEachOverTheCallGradient(W, 0.4, dW, out dX);
        Assert.Equal(new[] { 1.0, 0, 0 }, dW);
        Assert.Equal(W[1] * W[1] + W[2] * W[2], dX, 12);

        dW = new double[3];
        StopGradientLoops.RangeOfAStoppedLocalGradient(W, 0.4, dW, out dX);
        Assert.Equal(new[] { W[1] * 0.4, W[2] * 0.4, 0 }, dW, Close);
        Assert.Equal(W[1] * W[0] + W[2] * W[1], dX, 12);
    }

    private static readonly System.Collections.Generic.IEqualityComparer<double> Close = new Tolerance();

    private sealed class Tolerance : System.Collections.Generic.IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => System.Math.Abs(x - y) <= 1e-12 * (1 + System.Math.Abs(y));

        public int GetHashCode(double value) => 0;
    }
}
