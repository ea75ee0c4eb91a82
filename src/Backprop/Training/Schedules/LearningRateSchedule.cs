using System;
using System.Collections.Generic;

namespace Backprop.Training;

/// <summary>
/// A learning-rate schedule driven by an epoch counter, as PyTorch's <c>LRScheduler</c>: it remembers each group's
/// learning rate at construction (<c>base_lrs</c>), sets the epoch-0 rate at once, and each <see cref="Step"/>
/// advances the epoch and rewrites every group's <see cref="ParameterGroup.LearningRate"/> from its closed form.
/// A step is all or nothing: every group's new rate is computed and checked before the epoch or any rate changes.
/// Derive from it for a schedule of your own; a derived constructor calls <see cref="Start"/> last.
/// </summary>
public abstract class LearningRateSchedule
{
    private readonly ParameterGroup[] _groups;
    private readonly double[] _baseLearningRates;

    /// <summary>Scratch for the rates of the epoch being entered, held until every one is known to be valid; allocated once so that a step allocates nothing.</summary>
    private readonly double[] _pendingLearningRates;

    /// <summary>Captures the groups and their current learning rates.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="groups"/> or one of its entries is null.</exception>
    protected LearningRateSchedule(IReadOnlyList<ParameterGroup> groups)
    {
        if (groups is null) throw new ArgumentNullException(nameof(groups));
        _groups = new ParameterGroup[groups.Count];
        _baseLearningRates = new double[groups.Count];
        _pendingLearningRates = new double[groups.Count];
        for (int i = 0; i < _groups.Length; i++)
        {
            _groups[i] = groups[i] ?? throw new ArgumentNullException(nameof(groups), $"Group {i} is null.");
            _baseLearningRates[i] = _groups[i].LearningRate;
        }
    }

    /// <summary>The epoch whose learning rate is in force (<c>last_epoch</c>); 0 after construction.</summary>
    public int LastEpoch { get; private set; }

    /// <summary>Each group's learning rate when the schedule was built (<c>base_lrs</c>).</summary>
    public IReadOnlyList<double> BaseLearningRates => _baseLearningRates;

    /// <summary>Advances one epoch and sets every group's learning rate for it.</summary>
    /// <exception cref="InvalidOperationException">The schedule gives a group a negative, NaN or infinite rate at the next epoch;
    /// the message names the schedule, the group and the epoch. Nothing was changed: <see cref="LastEpoch"/> and every rate stay as they were.</exception>
    public void Step() => EnterEpoch(LastEpoch + 1);

    /// <summary>The learning rate at <paramref name="epoch"/> of a group that started at <paramref name="baseLearningRate"/>.</summary>
    protected abstract double LearningRateAt(double baseLearningRate, int epoch);

    /// <summary>Sets the epoch-0 learning rates; call it at the end of a derived constructor, once its fields are set.</summary>
    /// <exception cref="InvalidOperationException">The schedule gives a group a negative, NaN or infinite rate at epoch 0; no rate was changed.</exception>
    protected void Start() => EnterEpoch(0);

    private void EnterEpoch(int epoch)
    {
        for (int i = 0; i < _groups.Length; i++)
        {
            double rate = LearningRateAt(_baseLearningRates[i], epoch);
            if (!Guard.IsFiniteNonNegative(rate))
                throw RejectedRate(i, rate, epoch);
            _pendingLearningRates[i] = rate;
        }

        LastEpoch = epoch;
        for (int i = 0; i < _groups.Length; i++)
            _groups[i].LearningRate = _pendingLearningRates[i];
    }

    private InvalidOperationException RejectedRate(int group, double rate, int epoch) => new(
        $"{GetType().Name} gives group {group} a learning rate of {rate} at epoch {epoch}; a learning rate must be a finite number " +
        $"greater than or equal to 0. Nothing was changed: the epoch is still {LastEpoch} and every group keeps its learning rate.");
}
