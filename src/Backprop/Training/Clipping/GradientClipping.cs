using System;
using System.Numerics;
using System.Runtime.InteropServices;

namespace Backprop.Training;

/// <summary>
/// Gradient clipping over every group of a <see cref="ParameterSet{T}"/>, as <c>torch.nn.utils.clip_grad_norm_</c>
/// and <c>clip_grad_value_</c>. Both work in place on the gradient buffers and allocate nothing.
/// </summary>
public static class GradientClipping
{
    /// <summary>
    /// Scales all gradients together so that their total norm is at most <paramref name="maxNorm"/>: the scale is
    /// <c>min(1, maxNorm / (total + 1e-6))</c>, as PyTorch computes it.
    /// </summary>
    /// <param name="parameters">The parameters whose gradients are clipped.</param>
    /// <param name="maxNorm">The largest total norm allowed (<c>max_norm</c>).</param>
    /// <param name="normType">The norm measured (<c>norm_type</c>).</param>
    /// <param name="errorIfNonfinite">Throw when the total norm is NaN or infinite (<c>error_if_nonfinite</c>);
    /// on by default, unlike PyTorch. When off, the gradients are scaled as PyTorch scales them.</param>
    /// <returns>The total norm before clipping.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="parameters"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxNorm"/> is negative or not finite, or <paramref name="normType"/> is unknown.</exception>
    /// <exception cref="InvalidOperationException">The total norm is not finite and <paramref name="errorIfNonfinite"/> is set; the message names the first parameter responsible. Nothing was changed.</exception>
    public static double ClipGradNorm<T>(ParameterSet<T> parameters, double maxNorm, NormType normType = NormType.L2, bool errorIfNonfinite = true)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (parameters is null) throw new ArgumentNullException(nameof(parameters));
        Guard.NonNegative(maxNorm, nameof(maxNorm));
        if (normType is not (NormType.L2 or NormType.L1 or NormType.Infinity))
            throw new ArgumentOutOfRangeException(nameof(normType), normType, "Unknown norm type.");

        var all = parameters.Parameters;
        double accumulated = 0;
        string? offender = null;
        for (int i = 0; i < all.Count; i++)
        {
            var gradients = all[i].Gradients.Span;
            accumulated = normType switch
            {
                NormType.L2 => accumulated + double.CreateTruncating(SumOfSquares<T>(gradients)),
                NormType.L1 => accumulated + double.CreateTruncating(SumOfAbsolutes<T>(gradients)),
                _ => Math.Max(accumulated, double.CreateTruncating(MaxAbsolute<T>(gradients))),
            };
            if (offender is null && !double.IsFinite(accumulated))
                offender = all[i].Name;
        }
        double total = normType == NormType.L2 ? Math.Sqrt(accumulated) : accumulated;

        if (offender is not null && errorIfNonfinite)
            throw new InvalidOperationException(
                $"The total {normType} norm of the gradients is {total}, first made non-finite by parameter '{offender}'; no gradient was clipped.");

        double scale = Math.Min(maxNorm / (total + 1e-6), 1.0);
        var factor = T.CreateTruncating(scale);
        for (int i = 0; i < all.Count; i++)
            Scale(all[i].Gradients.Span, factor);
        return total;
    }

    /// <summary>Clamps every gradient entry into [−<paramref name="clipValue"/>, <paramref name="clipValue"/>]; NaN stays NaN.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="parameters"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="clipValue"/> is negative or not finite.</exception>
    public static void ClipGradValue<T>(ParameterSet<T> parameters, double clipValue)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (parameters is null) throw new ArgumentNullException(nameof(parameters));
        Guard.NonNegative(clipValue, nameof(clipValue));
        var high = T.CreateTruncating(clipValue);
        var all = parameters.Parameters;
        for (int i = 0; i < all.Count; i++)
            Clamp(all[i].Gradients.Span, -high, high);
    }

    private static T SumOfSquares<T>(ReadOnlySpan<T> values)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var vectors = MemoryMarshal.Cast<T, Vector<T>>(values);
        var sum = Vector<T>.Zero;
        foreach (var v in vectors)
            sum += v * v;
        var total = Vector.Sum(sum);
        for (int j = vectors.Length * Vector<T>.Count; j < values.Length; j++)
            total += values[j] * values[j];
        return total;
    }

    private static T SumOfAbsolutes<T>(ReadOnlySpan<T> values)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var vectors = MemoryMarshal.Cast<T, Vector<T>>(values);
        var sum = Vector<T>.Zero;
        foreach (var v in vectors)
            sum += Vector.Abs(v);
        var total = Vector.Sum(sum);
        for (int j = vectors.Length * Vector<T>.Count; j < values.Length; j++)
            total += T.Abs(values[j]);
        return total;
    }

    /// <summary>The largest absolute entry, or NaN when any entry is NaN (hardware max instructions would drop it).</summary>
    private static T MaxAbsolute<T>(ReadOnlySpan<T> values)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var vectors = MemoryMarshal.Cast<T, Vector<T>>(values);
        var max = Vector<T>.Zero;
        bool sawNaN = false;
        foreach (var v in vectors)
        {
            max = Vector.Max(max, Vector.Abs(v));
            sawNaN |= !Vector.EqualsAll(v, v);
        }
        var total = T.Zero;
        for (int lane = 0; lane < Vector<T>.Count; lane++)
            total = T.Max(total, max[lane]);
        for (int j = vectors.Length * Vector<T>.Count; j < values.Length; j++)
        {
            total = T.Max(total, T.Abs(values[j]));
            sawNaN |= T.IsNaN(values[j]);
        }
        return sawNaN ? T.NaN : total;
    }

    private static void Scale<T>(Span<T> values, T factor)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var vectors = MemoryMarshal.Cast<T, Vector<T>>(values);
        var f = new Vector<T>(factor);
        for (int i = 0; i < vectors.Length; i++)
            vectors[i] *= f;
        for (int j = vectors.Length * Vector<T>.Count; j < values.Length; j++)
            values[j] *= factor;
    }

    private static void Clamp<T>(Span<T> values, T low, T high)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        // Compare-and-select rather than Vector.Min/Max, whose hardware forms turn NaN into the bound.
        var vectors = MemoryMarshal.Cast<T, Vector<T>>(values);
        var lo = new Vector<T>(low);
        var hi = new Vector<T>(high);
        for (int i = 0; i < vectors.Length; i++)
        {
            var v = vectors[i];
            v = Vector.ConditionalSelect(Vector.GreaterThan(v, hi), hi, v);
            vectors[i] = Vector.ConditionalSelect(Vector.LessThan(v, lo), lo, v);
        }
        for (int j = vectors.Length * Vector<T>.Count; j < values.Length; j++)
        {
            var v = values[j];
            values[j] = v > high ? high : v < low ? low : v;
        }
    }
}
