using Xunit;

namespace Backprop.Consumer.Tests;

public sealed class BufferCopyTests
{
    [Fact]
    public void CopiesOfPartsOfBuffers_AreCopies_AndMatchTheirDerivatives()
    {
        double[] p = { 0.5, -1.5, 2.0 };
        var dP = new double[3];
        Assert.Equal(BufferCopyFunctions.ArrayRange(p), BufferCopyFunctions.ArrayRangeGradient(p, dP));
        Assert.Equal(new[] { 10.0, 2 * -1.5 + 1, 2 * 2.0 }, dP);

        var dW = new double[3];
        BufferCopyFunctions.SliceToArrayGradient(p, dW);
        Assert.Equal(new[] { -1.5 * 2.0, 2.0 * 0.5, -1.5 * 0.5 }, dW);
    }

    [Fact]
    public void FreshBuffersAsArguments_ReceiveTheOutputsTheCallerDoesNotRead()
    {
        double[] x = { 1.5, -2.0 };
        var dX = new double[2];
        Assert.Equal(1.5 * 1.5 + 4 + -6, BufferCopyFunctions.ScratchArgumentsGradient(x, dX));
        Assert.Equal(new[] { 3.0, -4 + 3 }, dX);
    }
}
