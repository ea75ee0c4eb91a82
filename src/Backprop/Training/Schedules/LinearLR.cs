using System;
using System.Collections.Generic;

namespace Backprop.Training;

/// <summary>
/// Linear warm-up (or decay), as <c>torch.optim.lr_scheduler.LinearLR</c>: the factor on the base rate moves linearly
/// from <c>start_factor</c> to <c>end_factor</c> over <c>total_iters</c> epochs and then stays at <c>end_factor</c>.
/// </summary>
public sealed class LinearLR : LearningRateSchedule
{
    private readonly double _startFactor;
    private readonly double _endFactor;
    private readonly int _totalIters;

    /// <summary>Creates the schedule over <paramref name="groups"/>; PyTorch's defaults are 1/3, 1 and 5.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="startFactor"/> is not in (0, 1], <paramref name="endFactor"/> not in [0, 1], or <paramref name="totalIters"/> below 1.</exception>
    public LinearLR(IReadOnlyList<ParameterGroup> groups, double startFactor = 1.0 / 3, double endFactor = 1.0, int totalIters = 5)
        : base(groups)
    {
        if (!(startFactor > 0 && startFactor <= 1))
            throw new ArgumentOutOfRangeException(nameof(startFactor), startFactor, "Must be in (0, 1].");
        _startFactor = startFactor;
        _endFactor = Guard.ZeroToOne(endFactor, nameof(endFactor));
        _totalIters = Guard.Positive(totalIters, nameof(totalIters));
        Start();
    }

    /// <inheritdoc/>
    protected override double LearningRateAt(double baseLearningRate, int epoch) =>
        baseLearningRate * (_startFactor + (_endFactor - _startFactor) * Math.Min(epoch, _totalIters) / _totalIters);
}
