using System;
using System.Collections.Generic;

namespace Backprop.Training;

/// <summary>
/// Cosine annealing, the closed form of <c>torch.optim.lr_scheduler.CosineAnnealingLR</c>:
/// <c>lr = η_min + (base − η_min)(1 + cos(π · epoch / T_max)) / 2</c>.
/// </summary>
public sealed class CosineAnnealingLR : LearningRateSchedule
{
    private readonly int _tMax;
    private readonly double _etaMin;

    /// <summary>Creates the schedule over <paramref name="groups"/>.</summary>
    /// <param name="groups">The groups whose learning rates it sets.</param>
    /// <param name="tMax">Epochs from the base rate to the minimum (<c>T_max</c>).</param>
    /// <param name="etaMin">The minimum learning rate (<c>eta_min</c>).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="tMax"/> is below 1 or <paramref name="etaMin"/> is negative or not finite.</exception>
    public CosineAnnealingLR(IReadOnlyList<ParameterGroup> groups, int tMax, double etaMin = 0)
        : base(groups)
    {
        _tMax = Guard.Positive(tMax, nameof(tMax));
        _etaMin = Guard.NonNegative(etaMin, nameof(etaMin));
        Start();
    }

    /// <inheritdoc/>
    protected override double LearningRateAt(double baseLearningRate, int epoch) =>
        _etaMin + (baseLearningRate - _etaMin) * (1 + Math.Cos(Math.PI * epoch / _tMax)) / 2;
}
