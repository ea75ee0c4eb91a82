using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Backprop.Training;

/// <summary>Runs an <see cref="IElementwiseKernel{T}"/> over buffers with <see cref="Vector{T}"/> lanes.</summary>
internal static class Elementwise
{
    /// <summary>
    /// Applies <paramref name="kernel"/> to every element. State spans are either as long as <paramref name="values"/>
    /// or empty (unused by this optimizer). The tail shorter than a vector goes through the same kernel on
    /// zero-padded stack copies, so lanes never mix and results do not depend on the buffer length.
    /// </summary>
    public static void Run<T, TKernel>(
        ref TKernel kernel,
        Span<T> values,
        ReadOnlySpan<T> gradients,
        Span<T> state0,
        Span<T> state1,
        Span<T> state2)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TKernel : struct, IElementwiseKernel<T>
    {
        var v = MemoryMarshal.Cast<T, Vector<T>>(values);
        var g = MemoryMarshal.Cast<T, Vector<T>>(gradients);
        var s0 = MemoryMarshal.Cast<T, Vector<T>>(state0);
        var s1 = MemoryMarshal.Cast<T, Vector<T>>(state1);
        var s2 = MemoryMarshal.Cast<T, Vector<T>>(state2);
        bool has0 = !s0.IsEmpty, has1 = !s1.IsEmpty, has2 = !s2.IsEmpty;
        Vector<T> scratch0 = default, scratch1 = default, scratch2 = default;

        for (int i = 0; i < v.Length; i++)
        {
            kernel.Apply(
                ref v[i],
                g[i],
                ref has0 ? ref s0[i] : ref scratch0,
                ref has1 ? ref s1[i] : ref scratch1,
                ref has2 ? ref s2[i] : ref scratch2);
        }

        int done = v.Length * Vector<T>.Count;
        if (done < values.Length)
            RunTail(ref kernel, done, values, gradients, state0, state1, state2);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void RunTail<T, TKernel>(
        ref TKernel kernel,
        int start,
        Span<T> values,
        ReadOnlySpan<T> gradients,
        Span<T> state0,
        Span<T> state1,
        Span<T> state2)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TKernel : struct, IElementwiseKernel<T>
    {
        var value = Load(values.Slice(start));
        var gradient = Load(gradients.Slice(start));
        var s0 = state0.IsEmpty ? default : Load(state0.Slice(start));
        var s1 = state1.IsEmpty ? default : Load(state1.Slice(start));
        var s2 = state2.IsEmpty ? default : Load(state2.Slice(start));

        kernel.Apply(ref value, gradient, ref s0, ref s1, ref s2);

        Store(value, values.Slice(start));
        if (!state0.IsEmpty) Store(s0, state0.Slice(start));
        if (!state1.IsEmpty) Store(s1, state1.Slice(start));
        if (!state2.IsEmpty) Store(s2, state2.Slice(start));
    }

    private static Vector<T> Load<T>(ReadOnlySpan<T> tail)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Span<T> padded = stackalloc T[Vector<T>.Count];
        padded.Clear();
        tail.CopyTo(padded);
        return new Vector<T>(padded);
    }

    private static void Store<T>(Vector<T> vector, Span<T> tail)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Span<T> padded = stackalloc T[Vector<T>.Count];
        vector.CopyTo(padded);
        padded.Slice(0, tail.Length).CopyTo(tail);
    }
}
