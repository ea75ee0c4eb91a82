namespace Backprop.Training;

/// <summary>Options of <see cref="RmsProp{T}"/>, named as <c>torch.optim.RMSprop</c> names them. Learning rate and weight decay belong to the <see cref="ParameterGroup"/>.</summary>
public sealed class RmsPropOptions
{
    private readonly double _alpha = 0.99;
    private readonly double _eps = 1e-8;
    private readonly double _momentum;

    /// <summary>Smoothing constant (<c>alpha</c>) of the running mean of squared gradients, in [0, 1]; default 0.99.</summary>
    /// <exception cref="System.ArgumentOutOfRangeException">Outside [0, 1] or NaN.</exception>
    public double Alpha { get => _alpha; init => _alpha = Guard.ZeroToOne(value, nameof(Alpha)); }

    /// <summary>Term added to the denominator (<c>eps</c>), 0 or more; default 1e-8.</summary>
    /// <exception cref="System.ArgumentOutOfRangeException">Negative, NaN or infinite.</exception>
    public double Eps { get => _eps; init => _eps = Guard.NonNegative(value, nameof(Eps)); }

    /// <summary>Momentum factor (<c>momentum</c>), 0 or more; default 0.</summary>
    /// <exception cref="System.ArgumentOutOfRangeException">Negative, NaN or infinite.</exception>
    public double Momentum { get => _momentum; init => _momentum = Guard.NonNegative(value, nameof(Momentum)); }

    /// <summary>Normalize by an estimate of the gradient's variance instead of its second moment (<c>centered</c>).</summary>
    public bool Centered { get; init; }

    /// <summary>Maximize the objective instead of minimizing it (<c>maximize</c>).</summary>
    public bool Maximize { get; init; }
}
