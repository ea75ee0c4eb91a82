using System;
using System.Collections.Generic;

namespace Backprop.Training;

/// <summary>Multiplies the learning rate by <c>gamma</c> every <c>step_size</c> epochs, as <c>torch.optim.lr_scheduler.StepLR</c>: <c>lr = base · γ^⌊epoch / step_size⌋</c>.</summary>
public sealed class StepLR : LearningRateSchedule
{
    private readonly int _stepSize;
    private readonly double _gamma;

    /// <summary>Creates the schedule over <paramref name="groups"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="stepSize"/> is below 1 or <paramref name="gamma"/> is negative or not finite.</exception>
    public StepLR(IReadOnlyList<ParameterGroup> groups, int stepSize, double gamma = 0.1)
        : base(groups)
    {
        _stepSize = Guard.Positive(stepSize, nameof(stepSize));
        _gamma = Guard.NonNegative(gamma, nameof(gamma));
        Start();
    }

    /// <inheritdoc/>
    protected override double LearningRateAt(double baseLearningRate, int epoch) =>
        baseLearningRate * Math.Pow(_gamma, epoch / _stepSize);
}
