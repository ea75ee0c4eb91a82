using System;
using System.Numerics;
using System.Runtime.InteropServices;

namespace Backprop;

/// <summary>
/// Differentiable operations with hand-written, vectorized kernels and reverse rules (<see cref="DerivativeOfAttribute"/>),
/// for use inside <see cref="DifferentiableAttribute"/> methods where a scalar loop would be slow: the generated gradient
/// calls the kernel in its forward sweep and the rule in its reverse sweep.
/// </summary>
public static partial class Ops
{
    /// <summary><c>target += scale · source</c>.</summary>
    private static void AddScaled<T>(Span<T> target, T scale, ReadOnlySpan<T> source)
        where T : unmanaged, INumber<T>
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated && target.Length >= Vector<T>.Count)
        {
            var s = new Vector<T>(scale);
            var t = MemoryMarshal.Cast<T, Vector<T>>(target);
            var x = MemoryMarshal.Cast<T, Vector<T>>(source);
            for (int v = 0; v < t.Length; v++) t[v] += s * x[v];
            i = t.Length * Vector<T>.Count;
        }
        for (; i < target.Length; i++) target[i] += scale * source[i];
    }

    private static T Dot<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y)
        where T : unmanaged, INumber<T>
    {
        int i = 0;
        var sum = Vector<T>.Zero;
        if (Vector.IsHardwareAccelerated && x.Length >= Vector<T>.Count)
        {
            var xv = MemoryMarshal.Cast<T, Vector<T>>(x);
            var yv = MemoryMarshal.Cast<T, Vector<T>>(y);
            for (int v = 0; v < xv.Length; v++) sum += xv[v] * yv[v];
            i = xv.Length * Vector<T>.Count;
        }
        T total = Vector.Sum(sum);
        for (; i < x.Length; i++) total += x[i] * y[i];
        return total;
    }
}
