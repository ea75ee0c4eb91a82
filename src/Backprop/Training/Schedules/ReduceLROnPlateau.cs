using System;
using System.Collections.Generic;

namespace Backprop.Training;

/// <summary>
/// Multiplies the learning rate by <c>factor</c> once a metric has not improved for more than <c>patience</c> epochs,
/// as <c>torch.optim.lr_scheduler.ReduceLROnPlateau</c>, with the same <c>threshold</c>, <c>cooldown</c>,
/// <c>min_lr</c> and <c>eps</c> rules.
/// </summary>
public sealed class ReduceLROnPlateau
{
    private readonly ParameterGroup[] _groups;
    private readonly PlateauMode _mode;
    private readonly double _factor;
    private readonly int _patience;
    private readonly double _threshold;
    private readonly ThresholdMode _thresholdMode;
    private readonly int _cooldown;
    private readonly double _minLr;
    private readonly double _eps;

    /// <summary>Creates the scheduler over <paramref name="groups"/>; the defaults are PyTorch's.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="groups"/> or one of its entries is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="factor"/> is not in [0, 1), or another value is negative, NaN or infinite, or an enum is unknown.</exception>
    public ReduceLROnPlateau(
        IReadOnlyList<ParameterGroup> groups,
        PlateauMode mode = PlateauMode.Min,
        double factor = 0.1,
        int patience = 10,
        double threshold = 1e-4,
        ThresholdMode thresholdMode = ThresholdMode.Relative,
        int cooldown = 0,
        double minLr = 0,
        double eps = 1e-8)
    {
        if (groups is null) throw new ArgumentNullException(nameof(groups));
        if (mode is not (PlateauMode.Min or PlateauMode.Max))
            throw new ArgumentOutOfRangeException(nameof(mode), mode, "Unknown mode.");
        if (thresholdMode is not (ThresholdMode.Relative or ThresholdMode.Absolute))
            throw new ArgumentOutOfRangeException(nameof(thresholdMode), thresholdMode, "Unknown threshold mode.");
        _factor = Guard.ZeroToBelowOne(factor, nameof(factor));
        _patience = Guard.NonNegative(patience, nameof(patience));
        _threshold = Guard.NonNegative(threshold, nameof(threshold));
        _cooldown = Guard.NonNegative(cooldown, nameof(cooldown));
        _minLr = Guard.NonNegative(minLr, nameof(minLr));
        _eps = Guard.NonNegative(eps, nameof(eps));
        _mode = mode;
        _thresholdMode = thresholdMode;
        _groups = new ParameterGroup[groups.Count];
        for (int i = 0; i < _groups.Length; i++)
            _groups[i] = groups[i] ?? throw new ArgumentNullException(nameof(groups), $"Group {i} is null.");
        Best = mode == PlateauMode.Min ? double.PositiveInfinity : double.NegativeInfinity;
    }

    /// <summary>The best metric seen so far (<c>best</c>).</summary>
    public double Best { get; private set; }

    /// <summary>Epochs since the last significant improvement (<c>num_bad_epochs</c>).</summary>
    public int NumBadEpochs { get; private set; }

    /// <summary>Epochs left in the current cooldown (<c>cooldown_counter</c>).</summary>
    public int CooldownCounter { get; private set; }

    /// <summary>Records the metric of one epoch and reduces the learning rates when the plateau has lasted too long.</summary>
    public void Step(double metric)
    {
        if (IsBetter(metric))
        {
            Best = metric;
            NumBadEpochs = 0;
        }
        else
        {
            NumBadEpochs++;
        }

        if (CooldownCounter > 0)
        {
            CooldownCounter--;
            NumBadEpochs = 0;
        }

        if (NumBadEpochs > _patience)
        {
            ReduceLearningRates();
            CooldownCounter = _cooldown;
            NumBadEpochs = 0;
        }
    }

    private bool IsBetter(double metric) => (_mode, _thresholdMode) switch
    {
        (PlateauMode.Min, ThresholdMode.Relative) => metric < Best * (1 - _threshold),
        (PlateauMode.Min, ThresholdMode.Absolute) => metric < Best - _threshold,
        (PlateauMode.Max, ThresholdMode.Relative) => metric > Best * (_threshold + 1),
        _ => metric > Best + _threshold,
    };

    private void ReduceLearningRates()
    {
        foreach (var group in _groups)
        {
            double old = group.LearningRate;
            double reduced = Math.Max(old * _factor, _minLr);
            if (old - reduced > _eps)
                group.LearningRate = reduced;
        }
    }
}
