using Xunit;

namespace Backprop.Consumer.Tests;

public sealed class LocalFunctionTests
{
    [Fact]
    public void StaticAndCapturingLocalFunctions_MatchTheirDerivatives()
    {
        double value = LocalFunctionFunctions.StaticGradient(1.5, -0.5, out double dX, out double dY);
        Assert.Equal(LocalFunctionFunctions.Static(1.5, -0.5), value);
        Assert.Equal(2 * 1.5 + 2 * 1.5 * 0.25, dX, 12);
        Assert.Equal(2 * 1.5 * 1.5 * -0.5, dY, 12);

        double[] w = { 0.5, 2.0 };
        var dW = new double[2];
        value = LocalFunctionFunctions.CapturingGradient(w, 3.0, dW, out double dXc);
        Assert.Equal(LocalFunctionFunctions.Capturing(w, 3.0), value);
        Assert.Equal(new[] { 2 * 0.5 * 3.0, 2 * 2.0 * 3.0 }, dW);
        Assert.Equal(0.25 + 4.0, dXc, 12);
    }

    [Fact]
    public void BlockBodiedLocalFunction_AndOneReadingModelMembers_MatchFiniteDifferences()
    {
        LocalFunctionFunctions.BlockGradient(0.7, out double dX);
        var result = GradientCheck.Check(p => LocalFunctionFunctions.Block(p[0]), new[] { 0.7 }, new[] { dX });
        Assert.True(result.Passed, result.ToString());

        var model = new LocalFunctionModel();
        var dThis = new LocalFunctionModel { W = 0, B = new double[2] };
        model.LossGradient(0.8, dThis, out double dXm);
        var members = new[] { model.W, model.B[0], model.B[1], 0.8 };
        double Loss(double[] p) => new LocalFunctionModel { W = p[0], B = new[] { p[1], p[2] } }.Loss(p[3]);
        var check = GradientCheck.Check(Loss, members, new[] { dThis.W, dThis.B[0], dThis.B[1], dXm });
        Assert.True(check.Passed, check.ToString());
    }

    [Fact]
    public void ArgumentsOfInlinedCalls_AreTheirValuesAtTheCall_InEveryMode()
    {
        Assert.Equal(0.7, InlinedArgumentFunctions.CapturedThenChangedGradient(0.7, out double dX), 12);
        Assert.Equal(1, dX, 12);
        InlinedArgumentFunctions.CapturedThenChangedTangent(0.7, 1, out double tangent);
        Assert.Equal(1, tangent, 12);

        Assert.Equal(1.4, InlinedArgumentFunctions.ReceiverThenChangedGradient(0.7, out dX), 12);
        Assert.Equal(2, dX, 12);
        InlinedArgumentFunctions.ReceiverThenChangedTangent(0.7, 1, out tangent);
        Assert.Equal(2, tangent, 12);

        Assert.Equal(InlinedArgumentFunctions.Ordered(0.7), InlinedArgumentFunctions.OrderedGradient(0.7, out dX), 12);
        var result = GradientCheck.Check(p => InlinedArgumentFunctions.Ordered(p[0]), new[] { 0.7 }, new[] { dX });
        Assert.True(result.Passed, result.ToString());
    }
}
