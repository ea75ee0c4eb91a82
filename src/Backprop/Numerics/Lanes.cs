using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Backprop.Numerics;

/// <summary>An element-wise function and its reverse, per <see cref="Vector{T}"/> of lanes.</summary>
internal interface IUnaryKernel<T> where T : unmanaged
{
    /// <summary>y = f(x).</summary>
    static abstract Vector<T> Forward(Vector<T> x);

    /// <summary>dY · f′(x), given x, y = f(x) and dY.</summary>
    static abstract Vector<T> Reverse(Vector<T> x, Vector<T> y, Vector<T> dY);
}

/// <summary>
/// Loops over spans a <see cref="Vector{T}"/> at a time. The tail shorter than a vector goes through the same vector code on
/// a padded copy, so an element's result does not depend on where it sits in the span.
/// </summary>
internal static class Lanes
{
    // Every loop below handles its tail first, then the whole vectors: a vector that is live across a call (x64 Unix has
    // no callee-saved vector registers) stays in memory for all of its life, and an accumulator carried from the loop
    // into the tail's call made Ops.Sum 7x slower.

    /// <summary>The first <c>tail.Length</c> lanes from <paramref name="tail"/>, the others <paramref name="fill"/>.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static Vector<T> LoadTail<T>(ReadOnlySpan<T> tail, T fill) where T : unmanaged
    {
        Span<T> lanes = stackalloc T[Vector<T>.Count];
        lanes.Fill(fill);
        tail.CopyTo(lanes);
        return new Vector<T>(lanes);
    }

    /// <summary>Stores the first <c>tail.Length</c> lanes of <paramref name="v"/>.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void StoreTail<T>(Vector<T> v, Span<T> tail) where T : unmanaged
    {
        Span<T> lanes = stackalloc T[Vector<T>.Count];
        v.CopyTo(lanes);
        lanes.Slice(0, tail.Length).CopyTo(tail);
    }

    /// <summary><c>y[i] = f(x[i])</c>; <paramref name="y"/> may be <paramref name="x"/> itself.</summary>
    public static void Map<T, TKernel>(ReadOnlySpan<T> x, Span<T> y)
        where T : unmanaged
        where TKernel : IUnaryKernel<T>
    {
        var xv = MemoryMarshal.Cast<T, Vector<T>>(x);
        var yv = MemoryMarshal.Cast<T, Vector<T>>(y);
        int done = xv.Length * Vector<T>.Count;
        if (done < x.Length) StoreTail(TKernel.Forward(LoadTail(x.Slice(done), default)), y.Slice(done));
        for (int v = 0; v < xv.Length; v++) yv[v] = TKernel.Forward(xv[v]);
    }

    /// <summary><c>dX[i] += dY[i] · f′(x[i])</c>.</summary>
    public static void MapReverse<T, TKernel>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, ReadOnlySpan<T> dY, Span<T> dX)
        where T : unmanaged
        where TKernel : IUnaryKernel<T>
    {
        var xv = MemoryMarshal.Cast<T, Vector<T>>(x);
        var yv = MemoryMarshal.Cast<T, Vector<T>>(y);
        var dyv = MemoryMarshal.Cast<T, Vector<T>>(dY);
        var dxv = MemoryMarshal.Cast<T, Vector<T>>(dX);
        int done = xv.Length * Vector<T>.Count;
        if (done < x.Length)
        {
            var tail = dX.Slice(done);
            var gradient = TKernel.Reverse(LoadTail(x.Slice(done), default), LoadTail(y.Slice(done), default), LoadTail(dY.Slice(done), default));
            StoreTail(LoadTail<T>(tail, default) + gradient, tail);
        }
        for (int v = 0; v < xv.Length; v++) dxv[v] += TKernel.Reverse(xv[v], yv[v], dyv[v]);
    }

    /// <summary>Σ x[i], summed in <see cref="Vector{T}"/> lanes, then across the lanes.</summary>
    public static T Sum<T>(ReadOnlySpan<T> x) where T : unmanaged
    {
        var xv = MemoryMarshal.Cast<T, Vector<T>>(x);
        int done = xv.Length * Vector<T>.Count;
        var sum = done < x.Length ? LoadTail(x.Slice(done), default) : Vector<T>.Zero;
        for (int v = 0; v < xv.Length; v++) sum += xv[v];
        return Vector.Sum(sum);
    }

    /// <summary>Σ x[i] y[i].</summary>
    public static T Dot<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y) where T : unmanaged
    {
        var xv = MemoryMarshal.Cast<T, Vector<T>>(x);
        var yv = MemoryMarshal.Cast<T, Vector<T>>(y);
        int done = xv.Length * Vector<T>.Count;
        var sum = done < x.Length ? LoadTail(x.Slice(done), default) * LoadTail(y.Slice(done), default) : Vector<T>.Zero;
        for (int v = 0; v < xv.Length; v++) sum += xv[v] * yv[v];
        return Vector.Sum(sum);
    }

    /// <summary>
    /// The largest entry, or NaN if there is one, or −∞ for an empty span. (<see cref="Vector.Max{T}"/> alone does not
    /// propagate NaN, so the lanes also collect whether they saw one.)
    /// </summary>
    public static T Max<T>(ReadOnlySpan<T> x) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var xv = MemoryMarshal.Cast<T, Vector<T>>(x);
        int done = xv.Length * Vector<T>.Count;
        var max = done < x.Length ? LoadTail(x.Slice(done), T.NegativeInfinity) : new Vector<T>(T.NegativeInfinity);
        var unordered = ~Vector.Equals(max, max);
        for (int v = 0; v < xv.Length; v++)
        {
            max = Vector.Max(max, xv[v]);
            unordered |= ~Vector.Equals(xv[v], xv[v]);
        }
        if (!Vector.EqualsAll(Vector.As<T, byte>(unordered), Vector<byte>.Zero)) return T.NaN;
        T result = max[0];
        for (int i = 1; i < Vector<T>.Count; i++) result = T.Max(result, max[i]);
        return result;
    }

    /// <summary><c>target[i] += scale · source[i]</c>.</summary>
    public static void AddScaled<T>(Span<T> target, T scale, ReadOnlySpan<T> source) where T : unmanaged
    {
        var tv = MemoryMarshal.Cast<T, Vector<T>>(target);
        var sv = MemoryMarshal.Cast<T, Vector<T>>(source);
        int done = tv.Length * Vector<T>.Count;
        if (done < target.Length)
        {
            var tail = target.Slice(done);
            StoreTail(LoadTail<T>(tail, default) + new Vector<T>(scale) * LoadTail(source.Slice(done), default), tail);
        }
        var s = new Vector<T>(scale);
        for (int v = 0; v < tv.Length; v++) tv[v] += s * sv[v];
    }

    /// <summary><c>target[i] += scale · (a[i] − b[i])</c>.</summary>
    public static void AddScaledDifference<T>(Span<T> target, T scale, ReadOnlySpan<T> a, ReadOnlySpan<T> b) where T : unmanaged
    {
        var tv = MemoryMarshal.Cast<T, Vector<T>>(target);
        var av = MemoryMarshal.Cast<T, Vector<T>>(a);
        var bv = MemoryMarshal.Cast<T, Vector<T>>(b);
        int done = tv.Length * Vector<T>.Count;
        if (done < target.Length)
        {
            var tail = target.Slice(done);
            StoreTail(LoadTail<T>(tail, default) + new Vector<T>(scale) * (LoadTail(a.Slice(done), default) - LoadTail(b.Slice(done), default)), tail);
        }
        var s = new Vector<T>(scale);
        for (int v = 0; v < tv.Length; v++) tv[v] += s * (av[v] - bv[v]);
    }
}
