using System;
using System.Numerics;

namespace Backprop.Training;

/// <summary>
/// Stops training once a validation metric has not improved by more than <c>minDelta</c> for <c>patience</c>
/// observations, keeping a copy of the best parameters to restore into the registered buffers. The copy is
/// allocated at construction; observing allocates nothing.
/// </summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
public sealed class EarlyStopping<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly Parameter<T>[] _parameters;
    private readonly T[][] _best;
    private readonly int _patience;
    private readonly double _minDelta;
    private readonly PlateauMode _mode;
    private int _observations;

    /// <summary>Creates the helper and the buffers that hold the best parameters.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="parameters"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="patience"/> is below 1, <paramref name="minDelta"/> is negative or not finite, or <paramref name="mode"/> is unknown.</exception>
    public EarlyStopping(ParameterSet<T> parameters, int patience, double minDelta = 0, PlateauMode mode = PlateauMode.Min)
    {
        if (parameters is null) throw new ArgumentNullException(nameof(parameters));
        _patience = Guard.Positive(patience, nameof(patience));
        _minDelta = Guard.NonNegative(minDelta, nameof(minDelta));
        if (mode is not (PlateauMode.Min or PlateauMode.Max))
            throw new ArgumentOutOfRangeException(nameof(mode), mode, "Unknown mode.");
        _mode = mode;
        _parameters = parameters.Freeze();
        _best = new T[_parameters.Length][];
        for (int i = 0; i < _best.Length; i++)
            _best[i] = new T[_parameters[i].Values.Length];
        BestMetric = mode == PlateauMode.Min ? double.PositiveInfinity : double.NegativeInfinity;
    }

    /// <summary>The best metric observed, or ±∞ before the first observation.</summary>
    public double BestMetric { get; private set; }

    /// <summary>The zero-based observation at which <see cref="BestMetric"/> was seen, or -1 before any improvement.</summary>
    public int BestObservation { get; private set; } = -1;

    /// <summary>Observations since the last improvement.</summary>
    public int ObservationsWithoutImprovement { get; private set; }

    /// <summary>Whether patience has run out.</summary>
    public bool ShouldStop => ObservationsWithoutImprovement >= _patience;

    /// <summary>
    /// Records a metric; an improvement beyond <c>minDelta</c> copies the current parameters as the best ones.
    /// A NaN metric never improves.
    /// </summary>
    /// <returns><see cref="ShouldStop"/> after this observation.</returns>
    public bool Observe(double metric)
    {
        bool improved = _mode == PlateauMode.Min ? metric < BestMetric - _minDelta : metric > BestMetric + _minDelta;
        if (improved)
        {
            BestMetric = metric;
            BestObservation = _observations;
            ObservationsWithoutImprovement = 0;
            for (int i = 0; i < _parameters.Length; i++)
                _parameters[i].Values.Span.CopyTo(_best[i]);
        }
        else
        {
            ObservationsWithoutImprovement++;
        }
        _observations++;
        return ShouldStop;
    }

    /// <summary>Copies the best parameters back into the registered buffers.</summary>
    /// <exception cref="InvalidOperationException">No metric has improved yet, so there is nothing to restore.</exception>
    public void RestoreBest()
    {
        if (BestObservation < 0)
            throw new InvalidOperationException("No improvement has been observed yet, so there are no best parameters to restore.");
        for (int i = 0; i < _parameters.Length; i++)
            _best[i].CopyTo(_parameters[i].Values.Span);
    }
}
