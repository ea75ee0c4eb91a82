using System;
using System.Collections.Generic;
using System.Numerics;

namespace Backprop.Training;

/// <summary>
/// A snapshot of an optimizer, like PyTorch's <c>optimizer.state_dict()</c>: the step count, each group's learning
/// rate and copies of the state buffers (three per parameter, in registration order; unused ones are empty).
/// The public constructor lets a caller rebuild a snapshot it persisted.
/// </summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
public sealed class OptimizerState<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Builds a snapshot from copies of the given arrays.</summary>
    /// <exception cref="ArgumentNullException">An argument or a buffer is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="step"/> is negative.</exception>
    public OptimizerState(string optimizer, long step, IReadOnlyList<double> learningRates, IReadOnlyList<T[]> buffers)
    {
        Optimizer = optimizer ?? throw new ArgumentNullException(nameof(optimizer));
        if (step < 0) throw new ArgumentOutOfRangeException(nameof(step), step, "Must be at least 0.");
        if (learningRates is null) throw new ArgumentNullException(nameof(learningRates));
        if (buffers is null) throw new ArgumentNullException(nameof(buffers));
        Step = step;
        var rates = new double[learningRates.Count];
        for (int i = 0; i < rates.Length; i++)
            rates[i] = Guard.NonNegative(learningRates[i], nameof(learningRates));
        // Read-only wrappers, not the arrays: a cast back to an array must not let a snapshot change after it was checked,
        // since LoadState trusts what the constructor accepted.
        LearningRates = Array.AsReadOnly(rates);
        var copies = new ReadOnlyMemory<T>[buffers.Count];
        for (int i = 0; i < copies.Length; i++)
            copies[i] = (T[])(buffers[i] ?? throw new ArgumentNullException(nameof(buffers), $"Buffer {i} is null.")).Clone();
        Buffers = Array.AsReadOnly(copies);
    }

    /// <summary>The optimizer's type name, e.g. <c>Adam</c>; loading checks it.</summary>
    public string Optimizer { get; }

    /// <summary>The number of steps taken when the snapshot was made.</summary>
    public long Step { get; }

    /// <summary>Each group's learning rate when the snapshot was made.</summary>
    public IReadOnlyList<double> LearningRates { get; }

    /// <summary>Read-only views of the state buffers.</summary>
    public IReadOnlyList<ReadOnlyMemory<T>> Buffers { get; }
}
