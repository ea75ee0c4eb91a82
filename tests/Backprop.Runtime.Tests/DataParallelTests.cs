using System;
using System.Linq;
using System.Threading;
using Backprop.Training;
using Xunit;

namespace Backprop.Runtime.Tests;

/// <summary>
/// <see cref="DataParallel{T}"/> with a hand-written least-squares gradient (the consumer tests run it with generated
/// gradients): sharded equals whole, mean and sum reductions, tiny batches, errors, 0 bytes per step.
/// </summary>
public sealed class DataParallelTests
{
    private const int Features = 5;

    /// <summary>Mean (or sum) over samples of ½ (w·x − y)²; adds its gradient into <paramref name="dW"/>.</summary>
    private static double LeastSquares(double[] w, double[] xs, double[] ys, int start, int count, Span<double> dW, bool mean)
    {
        double loss = 0;
        double scale = mean ? 1.0 / count : 1.0;
        for (int s = start; s < start + count; s++)
        {
            var x = xs.AsSpan(s * Features, Features);
            double r = Ops.Dot(w, x) - ys[s];
            loss += 0.5 * r * r * scale;
            for (int i = 0; i < Features; i++) dW[i] += scale * r * x[i];
        }
        return loss;
    }

    [Theory]
    [InlineData(1, 10, ShardReduction.Mean)]
    [InlineData(2, 33, ShardReduction.Mean)]
    [InlineData(3, 2, ShardReduction.Mean)]
    [InlineData(4, 100, ShardReduction.Sum)]
    public void ShardedGradient_EqualsTheWholeBatchGradient(int workers, int batch, ShardReduction reduction)
    {
        var random = new Random(workers * 100 + batch);
        var w = Enumerable.Range(0, Features).Select(_ => random.NextDouble() - 0.5).ToArray();
        var xs = Enumerable.Range(0, batch * Features).Select(_ => random.NextDouble() * 2 - 1).ToArray();
        var ys = Enumerable.Range(0, batch).Select(_ => random.NextDouble()).ToArray();
        bool mean = reduction == ShardReduction.Mean;

        var expected = Enumerable.Repeat(0.25, Features).ToArray();
        double expectedLoss = LeastSquares(w, xs, ys, 0, batch, expected, mean);

        using var parallel = new DataParallel<double>(Features, workers, reduction);
        var gradient = Enumerable.Repeat(0.25, Features).ToArray();
        double loss = parallel.Run(batch, (_, start, count, g) => LeastSquares(w, xs, ys, start, count, g, mean), gradient);

        Assert.Equal(expectedLoss, loss, 12);
        for (int i = 0; i < Features; i++) Assert.Equal(expected[i], gradient[i], 12);
    }

    [Fact]
    public void EveryWorker_RunsOnItsOwnThread_WithContiguousShards()
    {
        using var parallel = new DataParallel<float>(1, workers: 3);
        var threads = new int[3];
        var shards = new (int, int)[3];
        parallel.Run(10, (worker, start, count, g) =>
        {
            threads[worker] = Environment.CurrentManagedThreadId;
            shards[worker] = (start, count);
            return 0f;
        }, new float[1]);
        Assert.Equal(3, threads.Distinct().Count());
        Assert.Equal(Environment.CurrentManagedThreadId, threads[0]);
        Assert.Equal(new[] { (0, 4), (4, 3), (7, 3) }, shards);
    }

    [Fact]
    public void AShardThatThrows_LeavesTheGradientUnchanged_AndTheInstanceUsable()
    {
        using var parallel = new DataParallel<double>(2, workers: 2);
        var gradient = new double[] { 1, 2 };
        var error = Assert.Throws<AggregateException>(() => parallel.Run(4, (worker, _, _, g) =>
        {
            g[0] = 100;
            return worker == 1 ? throw new InvalidOperationException("shard 1") : 0.0;
        }, gradient));
        Assert.Equal("shard 1", Assert.Single(error.InnerExceptions).Message);
        Assert.Equal(new double[] { 1, 2 }, gradient);
        Assert.Equal(3.0, parallel.Run(4, (_, _, count, g) => { g[1] = count; return 3.0; }, gradient));
        Assert.Equal(new double[] { 1, 4 }, gradient);
    }

    [Fact]
    public void BadArguments_Throw()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new DataParallel<double>(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new DataParallel<double>(1, workers: -2));
        using var parallel = new DataParallel<double>(3, workers: 2);
        Assert.Equal("gradient", Assert.Throws<ArgumentException>(() => parallel.Run(4, (_, _, _, _) => 0.0, new double[2])).ParamName);
        Assert.Equal("batchSize", Assert.Throws<ArgumentOutOfRangeException>(() => parallel.Run(-1, (_, _, _, _) => 0.0, new double[3])).ParamName);
        parallel.Dispose();
        Assert.Throws<ObjectDisposedException>(() => parallel.Run(4, (_, _, _, _) => 0.0, new double[3]));
    }

    [Fact]
    public void Step_AfterWarmUp_AllocatesNothing_OnAnyThread()
    {
        var random = new Random(9);
        var w = Enumerable.Range(0, Features).Select(_ => random.NextDouble()).ToArray();
        var xs = Enumerable.Range(0, 64 * Features).Select(_ => random.NextDouble()).ToArray();
        var ys = new double[64];
        var gradient = new double[Features];
        using var parallel = new DataParallel<double>(Features, workers: 3);
        // Each worker reads its own thread's allocation counter at every call (the test classes run in parallel, so a
        // process-wide counter would see the other tests): the difference between two calls covers all that thread did in between.
        var allocated = new long[3];
        ShardGradient<double> shard = (worker, start, count, g) =>
        {
            allocated[worker] = GC.GetAllocatedBytesForCurrentThread();
            return LeastSquares(w, xs, ys, start, count, g, mean: true);
        };
        for (int i = 0; i < 20; i++) parallel.Run(64, shard, gradient);
        var before = (long[])allocated.Clone();
        long callerBefore = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 200; i++) parallel.Run(64, shard, gradient);
        // Less than a byte per step: nothing is allocated per step. (A thread that first has to block in the barrier, which
        // happens only under load, allocates its wait event once, 24 bytes: that is not per step, and would make == 0 flaky.)
        Assert.InRange(GC.GetAllocatedBytesForCurrentThread() - callerBefore, 0, 199);
        foreach (long bytes in allocated.Zip(before, (a, b) => a - b).Skip(1)) Assert.InRange(bytes, 0, 199);   // worker 0 is the caller
    }
}
