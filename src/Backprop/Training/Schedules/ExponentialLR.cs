using System;
using System.Collections.Generic;

namespace Backprop.Training;

/// <summary>Multiplies the learning rate by <c>gamma</c> every epoch, as <c>torch.optim.lr_scheduler.ExponentialLR</c>: <c>lr = base · γ^epoch</c>.</summary>
public sealed class ExponentialLR : LearningRateSchedule
{
    private readonly double _gamma;

    /// <summary>Creates the schedule over <paramref name="groups"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="gamma"/> is negative or not finite.</exception>
    public ExponentialLR(IReadOnlyList<ParameterGroup> groups, double gamma)
        : base(groups)
    {
        _gamma = Guard.NonNegative(gamma, nameof(gamma));
        Start();
    }

    /// <inheritdoc/>
    protected override double LearningRateAt(double baseLearningRate, int epoch) =>
        baseLearningRate * Math.Pow(_gamma, epoch);
}
