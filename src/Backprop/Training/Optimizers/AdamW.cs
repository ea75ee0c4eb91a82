using System.Numerics;

namespace Backprop.Training;

/// <summary>
/// AdamW, as <c>torch.optim.AdamW</c>: Adam whose weight decay is decoupled from the gradient,
/// <c>θ ← θ(1 − γλ)</c> before the Adam update. PyTorch's default <c>weight_decay</c> for AdamW is 0.01; here it is
/// the group's <see cref="ParameterGroup.WeightDecay"/>.
/// </summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
public sealed class AdamW<T> : Adam<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Creates the optimizer and its moment buffers.</summary>
    /// <exception cref="System.ArgumentNullException"><paramref name="parameters"/> is null.</exception>
    public AdamW(ParameterSet<T> parameters, AdamOptions? options = null)
        : base(parameters, options, decoupledWeightDecay: true)
    {
    }
}
