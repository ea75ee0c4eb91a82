using System;
using System.Numerics;

namespace Backprop.Training;

/// <summary>
/// Inverted-dropout masks for differentiable code: fill a caller-owned mask, pass it to the model as a
/// <c>[NoDerivative]</c> input and multiply activations by it. Kept units are scaled by <c>1/(1−p)</c>, as
/// <c>torch.nn.Dropout</c> does in training, so no rescaling is needed at inference (use a mask of ones, or skip it).
/// </summary>
public static class Dropout
{
    /// <summary>Sets each entry to 0 with probability <paramref name="p"/> and to <c>1/(1−p)</c> otherwise.</summary>
    /// <param name="mask">The caller's buffer, overwritten.</param>
    /// <param name="p">The probability of dropping a unit, in [0, 1].</param>
    /// <param name="random">The source of randomness; seed it for reproducible masks.</param>
    /// <exception cref="ArgumentNullException"><paramref name="random"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="p"/> is outside [0, 1] or NaN.</exception>
    public static void FillMask<T>(Span<T> mask, double p, Random random)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Guard.ZeroToOne(p, nameof(p));
        if (random is null) throw new ArgumentNullException(nameof(random));
        var kept = p < 1 ? T.CreateTruncating(1 / (1 - p)) : T.Zero;
        for (int i = 0; i < mask.Length; i++)
            mask[i] = random.NextDouble() < p ? T.Zero : kept;
    }
}
