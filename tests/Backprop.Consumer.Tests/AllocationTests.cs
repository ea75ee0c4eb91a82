using System;
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
}
