using System;
using System.Runtime.CompilerServices;
using Backprop;

namespace Backprop.Consumer.Tests;

/// <summary>
/// Under [SkipLocalsInit], stackalloc does not zero: the generated code must clear its stack gradient buffers itself
/// (elsewhere it relies on stackalloc zeroing them).
/// </summary>
[SkipLocalsInit]
public static partial class SkipLocalsInitFunctions
{
    [Differentiable]
    public static double Smooth(ReadOnlySpan<double> w)
    {
        Span<double> h = stackalloc double[4];
        for (int i = 0; i < 4; i++)
            h[i] = Math.Tanh(w[i] * w[(i + 1) % w.Length]);
        double s = 0;
        for (int i = 0; i < 4; i++)
            s += h[i] * h[i];
        return s;
    }

    /// <summary>Leaves non-zero garbage where the next call's stack frame will be.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static double Dirty()
    {
        Span<double> junk = stackalloc double[512];
        junk.Fill(1e6);
        return junk[7];
    }
}
