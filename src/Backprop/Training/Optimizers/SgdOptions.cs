namespace Backprop.Training;

/// <summary>Options of <see cref="Sgd{T}"/>, named as <c>torch.optim.SGD</c> names them. Learning rate and weight decay belong to the <see cref="ParameterGroup"/>.</summary>
public sealed class SgdOptions
{
    private readonly double _momentum;
    private readonly double _dampening;

    /// <summary>Momentum factor (<c>momentum</c>), 0 or more; 0 (the default) disables the momentum buffer.</summary>
    /// <exception cref="System.ArgumentOutOfRangeException">Negative, NaN or infinite.</exception>
    public double Momentum { get => _momentum; init => _momentum = Guard.NonNegative(value, nameof(Momentum)); }

    /// <summary>Dampening for momentum (<c>dampening</c>), in [0, 1].</summary>
    /// <exception cref="System.ArgumentOutOfRangeException">Outside [0, 1] or NaN.</exception>
    public double Dampening { get => _dampening; init => _dampening = Guard.ZeroToOne(value, nameof(Dampening)); }

    /// <summary>Nesterov momentum (<c>nesterov</c>); needs a positive momentum and zero dampening.</summary>
    public bool Nesterov { get; init; }

    /// <summary>Maximize the objective instead of minimizing it (<c>maximize</c>).</summary>
    public bool Maximize { get; init; }
}
