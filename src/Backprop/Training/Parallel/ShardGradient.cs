using System;

namespace Backprop.Training;

/// <summary>
/// Computes the loss of the samples <c>[start, start + count)</c> of a mini-batch and adds its gradient into
/// <paramref name="gradient"/> (cleared before the call), typically by calling a generated gradient method on slices of the
/// batch. <paramref name="worker"/> (0 to <see cref="DataParallel{T}.Workers"/> − 1) identifies the thread, for per-worker scratch
/// state; the calls of one step run at the same time, one per worker.
/// </summary>
/// <returns>The shard's loss, reduced over the shard as the model's loss is (mean or sum; see <see cref="ShardReduction"/>).</returns>
public delegate T ShardGradient<T>(int worker, int start, int count, Span<T> gradient);
