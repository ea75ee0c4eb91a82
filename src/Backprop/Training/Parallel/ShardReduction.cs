namespace Backprop.Training;

/// <summary>How <see cref="DataParallel{T}"/> combines the losses and gradients of the shards of a mini-batch.</summary>
public enum ShardReduction
{
    /// <summary>
    /// The loss is a mean over the samples (PyTorch's default <c>reduction='mean'</c>): each shard's loss and gradient are
    /// weighted by its share of the batch, <c>count / batchSize</c>, so the result equals the whole batch's.
    /// </summary>
    Mean,

    /// <summary>The loss is a sum over the samples: the shards' losses and gradients are added.</summary>
    Sum,
}
