using System;
using System.Buffers;
using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Backprop.CompilerServices;

/// <summary>
/// The stack of values a generated gradient keeps for its reverse sweep: values overwritten inside loops, branch
/// decisions, trip counts, and what a called <c>[Differentiable]</c> method's forward sweep leaves for its reverse
/// sweep (split mode). One tape holds every element type, each value in an 8-byte-aligned slot. It starts in a
/// buffer on the caller's stack and moves to arrays from <see cref="ArrayPool{T}.Shared"/> when that is full;
/// <see cref="Dispose"/> returns them, so a warm call allocates nothing.
/// </summary>
/// <remarks>Used by generated code; not meant to be called directly. Pops must mirror pushes (last in, first out).</remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public ref struct Tape
{
    private Span<byte> _bytes;
    private byte[]? _rented;
    private int _count;

    /// <summary>Starts with <paramref name="initial"/> (typically <c>stackalloc byte[1024]</c>) as storage.</summary>
    public Tape(Span<byte> initial)
    {
        _bytes = initial;
        _rented = null;
        _count = 0;
    }

    /// <summary>The number of bytes in use.</summary>
    public readonly int Count => _count;

    /// <summary>Pushes a value.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Push<T>(T value)
        where T : unmanaged
    {
        int slot = SlotOf(Unsafe.SizeOf<T>());
        if (_bytes.Length - _count < slot) Grow(slot);
        MemoryMarshal.Write(_bytes.Slice(_count), in value);
        _count += slot;
    }

    /// <summary>Pops the value pushed last.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public T Pop<T>()
        where T : unmanaged
    {
        int slot = SlotOf(Unsafe.SizeOf<T>());
        if (_count < slot) ThrowOutOfStep();
        _count -= slot;
        return MemoryMarshal.Read<T>(_bytes.Slice(_count));
    }

    /// <summary>Pushes the contents of a buffer, then its length.</summary>
    public void PushRange<T>(scoped ReadOnlySpan<T> values)
        where T : unmanaged
    {
        var bytes = MemoryMarshal.AsBytes(values);
        int slot = SlotOf(bytes.Length);
        if (_bytes.Length - _count < slot) Grow(slot);
        bytes.CopyTo(_bytes.Slice(_count));
        _count += slot;
        Push(values.Length);
    }

    /// <summary>
    /// Pops contents pushed by <see cref="PushRange{T}"/> into <paramref name="destination"/>, whose length must be the
    /// one popped just before it (<c>Pop&lt;int&gt;()</c>).
    /// </summary>
    public void PopRange<T>(scoped Span<T> destination)
        where T : unmanaged
    {
        var bytes = MemoryMarshal.AsBytes(destination);
        int slot = SlotOf(bytes.Length);
        if (_count < slot) ThrowOutOfStep();
        _count -= slot;
        _bytes.Slice(_count, bytes.Length).CopyTo(bytes);
    }

    /// <summary>Returns pooled storage.</summary>
    public void Dispose()
    {
        if (_rented is not null) ArrayPool<byte>.Shared.Return(_rented);
        _rented = null;
        _bytes = default;
        _count = 0;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int SlotOf(int bytes) => (bytes + 7) & ~7;

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void Grow(int needed)
    {
        var larger = ArrayPool<byte>.Shared.Rent(Math.Max(Math.Max(8192, _bytes.Length * 2), _count + needed));
        _bytes.Slice(0, _count).CopyTo(larger);
        if (_rented is not null) ArrayPool<byte>.Shared.Return(_rented);
        _rented = larger;
        _bytes = larger;
    }

    private static void ThrowOutOfStep() =>
        throw new InvalidOperationException("The gradient tape is empty: pushes and pops of generated code are out of step.");
}
