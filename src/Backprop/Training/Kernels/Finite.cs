using System;
using System.Numerics;
using System.Runtime.InteropServices;

namespace Backprop.Training;

/// <summary>Vectorized search for NaN and infinities, used to validate gradients before anything is written.</summary>
internal static class Finite
{
    /// <summary>The index of the first NaN or infinite entry, or -1 when every entry is finite.</summary>
    public static int IndexOfNonFinite<T>(ReadOnlySpan<T> values)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        // x - x is 0 for every finite x and NaN for NaN and ±∞, so one compare covers both.
        var vectors = MemoryMarshal.Cast<T, Vector<T>>(values);
        int i = 0;
        for (; i < vectors.Length; i++)
        {
            var v = vectors[i];
            if (!Vector.EqualsAll(v - v, Vector<T>.Zero))
                break;
        }
        for (int j = i * Vector<T>.Count; j < values.Length; j++)
        {
            if (!T.IsFinite(values[j]))
                return j;
        }
        return -1;
    }

    /// <summary>Throws when any gradient of <paramref name="parameters"/> holds NaN or an infinity, naming the parameter.</summary>
    /// <exception cref="InvalidOperationException">A gradient entry is not finite.</exception>
    public static void ThrowIfAnyGradientNonFinite<T>(Parameter<T>[] parameters, string action)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        foreach (var parameter in parameters)
        {
            var gradients = parameter.Gradients.Span;
            int index = IndexOfNonFinite<T>(gradients);
            if (index >= 0)
                throw new InvalidOperationException(
                    $"The gradient of parameter '{parameter.Name}' is {gradients[index]} at index {index}; {action} was not performed and nothing was changed.");
        }
    }
}
