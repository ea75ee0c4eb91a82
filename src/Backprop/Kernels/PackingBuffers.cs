using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Backprop.Kernels;

/// <summary>
/// The packing buffers of <see cref="Gemm"/>, one pair per thread (so concurrent calls never share one), grown to the
/// largest request and then reused: after the first call of the largest shape on a thread, a call allocates nothing.
/// They live on the pinned object heap, so each can start on a 64-byte boundary and full-width vector loads from the
/// packed panels never straddle a cache line.
/// </summary>
internal sealed class PackingBuffers<T>
    where T : unmanaged
{
    private const int Alignment = 64;

    [ThreadStatic]
    private static PackingBuffers<T>? t_current;

    private T[] _a = Array.Empty<T>();
    private T[] _b = Array.Empty<T>();
    private int _aOffset, _bOffset;

    /// <summary>The start of the buffer for packed <c>A</c>, with room for at least the requested values.</summary>
    public ref T A => ref _a[_aOffset];

    /// <summary>The start of the buffer for packed <c>B</c>, with room for at least the requested values.</summary>
    public ref T B => ref _b[_bOffset];

    public static PackingBuffers<T> ForThisThread(int aLength, int bLength)
    {
        var buffers = t_current ??= new PackingBuffers<T>();
        if (buffers._a.Length - buffers._aOffset < aLength) (buffers._a, buffers._aOffset) = Allocate(aLength);
        if (buffers._b.Length - buffers._bOffset < bLength) (buffers._b, buffers._bOffset) = Allocate(bLength);
        return buffers;
    }

    private static (T[] Array, int Offset) Allocate(int length)
    {
        int extra = Alignment / Unsafe.SizeOf<T>();
        var array = GC.AllocateUninitializedArray<T>(length + extra, pinned: true);
        long address = Marshal.UnsafeAddrOfPinnedArrayElement(array, 0).ToInt64();
        int offset = (int)((Alignment - address % Alignment) % Alignment) / Unsafe.SizeOf<T>();
        return (array, offset);
    }
}
