using System;
using System.Numerics;

namespace Backprop.Training;

/// <summary>
/// L1 and L2 penalties to add to a loss: each returns the penalty's value and accumulates its gradient into the
/// gradient buffer (<c>+=</c>, like a generated gradient method), so it composes with the model's own gradient.
/// </summary>
public static class Penalty
{
    /// <summary>Returns <c>(λ/2)·Σw²</c> and adds <c>λ·w</c> to <paramref name="gradients"/>.</summary>
    /// <exception cref="ArgumentException">The spans' lengths differ.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="strength"/> is negative or not finite.</exception>
    public static T L2<T>(ReadOnlySpan<T> values, Span<T> gradients, T strength)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Validate(values, gradients, strength);
        var sum = T.Zero;
        for (int i = 0; i < values.Length; i++)
        {
            sum += values[i] * values[i];
            gradients[i] += strength * values[i];
        }
        return strength * sum / T.CreateTruncating(2);
    }

    /// <summary>Returns <c>λ·Σ|w|</c> and adds <c>λ·sign(w)</c> to <paramref name="gradients"/> (the subgradient 0 at w = 0).</summary>
    /// <exception cref="ArgumentException">The spans' lengths differ.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="strength"/> is negative or not finite.</exception>
    public static T L1<T>(ReadOnlySpan<T> values, Span<T> gradients, T strength)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Validate(values, gradients, strength);
        var sum = T.Zero;
        for (int i = 0; i < values.Length; i++)
        {
            sum += T.Abs(values[i]);
            gradients[i] += strength * T.CreateTruncating(T.Sign(values[i]));
        }
        return strength * sum;
    }

    /// <summary>Applies <see cref="L2{T}(ReadOnlySpan{T}, Span{T}, T)"/> to every registered parameter and returns the summed penalty.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="parameters"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="strength"/> is negative or not finite.</exception>
    public static T L2<T>(ParameterSet<T> parameters, T strength)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (parameters is null) throw new ArgumentNullException(nameof(parameters));
        ValidateStrength(strength);
        var all = parameters.Parameters;
        var total = T.Zero;
        for (int i = 0; i < all.Count; i++)
            total += L2(all[i].Values.Span, all[i].Gradients.Span, strength);
        return total;
    }

    /// <summary>Applies <see cref="L1{T}(ReadOnlySpan{T}, Span{T}, T)"/> to every registered parameter and returns the summed penalty.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="parameters"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="strength"/> is negative or not finite.</exception>
    public static T L1<T>(ParameterSet<T> parameters, T strength)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (parameters is null) throw new ArgumentNullException(nameof(parameters));
        ValidateStrength(strength);
        var all = parameters.Parameters;
        var total = T.Zero;
        for (int i = 0; i < all.Count; i++)
            total += L1(all[i].Values.Span, all[i].Gradients.Span, strength);
        return total;
    }

    private static void Validate<T>(ReadOnlySpan<T> values, Span<T> gradients, T strength)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ValidateStrength(strength);
        if (gradients.Length != values.Length)
            throw new ArgumentException($"The gradient buffer has {gradients.Length} entries but there are {values.Length} values.", nameof(gradients));
    }

    /// <summary>Checked up front by the set overloads too, so that a set without parameters still rejects a bad strength.</summary>
    private static void ValidateStrength<T>(T strength)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        Guard.NonNegative(double.CreateTruncating(strength), nameof(strength));
}
