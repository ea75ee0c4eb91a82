using System.Numerics;

namespace Backprop.Training;

/// <summary>
/// One optimizer update written once over <see cref="Vector{T}"/> lanes; <see cref="Elementwise"/> runs it over
/// whole buffers, the tail included, so that each update equation exists in exactly one place.
/// </summary>
internal interface IElementwiseKernel<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Updates one vector of parameters from its gradients and up to three state vectors (unused ones are scratch).</summary>
    void Apply(ref Vector<T> value, Vector<T> gradient, ref Vector<T> state0, ref Vector<T> state1, ref Vector<T> state2);
}
