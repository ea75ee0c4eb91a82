namespace Backprop.Training;

/// <summary>Options of <see cref="Adagrad{T}"/>, named as <c>torch.optim.Adagrad</c> names them. Learning rate and weight decay belong to the <see cref="ParameterGroup"/>.</summary>
public sealed class AdagradOptions
{
    private readonly double _lrDecay;
    private readonly double _initialAccumulatorValue;
    private readonly double _eps = 1e-10;

    /// <summary>Learning-rate decay (<c>lr_decay</c>): step <c>t</c> uses <c>γ / (1 + (t−1)·lr_decay)</c>; 0 or more, default 0.</summary>
    /// <exception cref="System.ArgumentOutOfRangeException">Negative, NaN or infinite.</exception>
    public double LrDecay { get => _lrDecay; init => _lrDecay = Guard.NonNegative(value, nameof(LrDecay)); }

    /// <summary>Starting value of the sum of squared gradients (<c>initial_accumulator_value</c>), 0 or more; default 0.</summary>
    /// <exception cref="System.ArgumentOutOfRangeException">Negative, NaN or infinite.</exception>
    public double InitialAccumulatorValue { get => _initialAccumulatorValue; init => _initialAccumulatorValue = Guard.NonNegative(value, nameof(InitialAccumulatorValue)); }

    /// <summary>Term added to the denominator (<c>eps</c>), 0 or more; default 1e-10.</summary>
    /// <exception cref="System.ArgumentOutOfRangeException">Negative, NaN or infinite.</exception>
    public double Eps { get => _eps; init => _eps = Guard.NonNegative(value, nameof(Eps)); }

    /// <summary>Maximize the objective instead of minimizing it (<c>maximize</c>).</summary>
    public bool Maximize { get; init; }
}
