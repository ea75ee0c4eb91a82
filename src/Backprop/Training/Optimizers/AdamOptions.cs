namespace Backprop.Training;

/// <summary>Options of <see cref="Adam{T}"/> and <see cref="AdamW{T}"/>, named as <c>torch.optim.Adam</c> names them. Learning rate and weight decay belong to the <see cref="ParameterGroup"/>.</summary>
public sealed class AdamOptions
{
    private readonly double _beta1 = 0.9;
    private readonly double _beta2 = 0.999;
    private readonly double _eps = 1e-8;

    /// <summary>The first of <c>betas</c>: decay of the running mean of gradients, in [0, 1); default 0.9.</summary>
    /// <exception cref="System.ArgumentOutOfRangeException">Outside [0, 1) or NaN.</exception>
    public double Beta1 { get => _beta1; init => _beta1 = Guard.ZeroToBelowOne(value, nameof(Beta1)); }

    /// <summary>The second of <c>betas</c>: decay of the running mean of squared gradients, in [0, 1); default 0.999.</summary>
    /// <exception cref="System.ArgumentOutOfRangeException">Outside [0, 1) or NaN.</exception>
    public double Beta2 { get => _beta2; init => _beta2 = Guard.ZeroToBelowOne(value, nameof(Beta2)); }

    /// <summary>Term added to the denominator (<c>eps</c>), 0 or more; default 1e-8.</summary>
    /// <exception cref="System.ArgumentOutOfRangeException">Negative, NaN or infinite.</exception>
    public double Eps { get => _eps; init => _eps = Guard.NonNegative(value, nameof(Eps)); }

    /// <summary>Use the maximum of past squared-gradient averages (<c>amsgrad</c>).</summary>
    public bool AmsGrad { get; init; }

    /// <summary>Maximize the objective instead of minimizing it (<c>maximize</c>).</summary>
    public bool Maximize { get; init; }
}
