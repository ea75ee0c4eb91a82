using System;
using System.Buffers;
using System.ComponentModel;

namespace Backprop.CompilerServices;

/// <summary>
/// A stack of values that generated gradients keep inside loops for the reverse sweep. It starts in a small buffer on
/// the caller's stack and moves to arrays from <see cref="ArrayPool{T}.Shared"/> when that is full; <see cref="Dispose"/>
/// returns them, so a warm call allocates nothing.
/// </summary>
/// <remarks>Used by generated code; not meant to be called directly.</remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public ref struct ValueTape<T>
    where T : unmanaged
{
    private Span<T> _items;
    private T[]? _rented;
    private int _count;

    /// <summary>Starts with <paramref name="initial"/> (typically <c>stackalloc</c>) as storage.</summary>
    public ValueTape(Span<T> initial)
    {
        _items = initial;
        _rented = null;
        _count = 0;
    }

    /// <summary>Pushes a value.</summary>
    public void Push(T value)
    {
        if (_count == _items.Length) Grow();
        _items[_count++] = value;
    }

    /// <summary>Pops the value pushed last.</summary>
    public T Pop() => _items[--_count];

    /// <summary>Returns pooled storage.</summary>
    public void Dispose()
    {
        if (_rented is not null) ArrayPool<T>.Shared.Return(_rented);
        _rented = null;
        _items = default;
        _count = 0;
    }

    private void Grow()
    {
        var larger = ArrayPool<T>.Shared.Rent(Math.Max(1024, _items.Length * 2));
        _items.Slice(0, _count).CopyTo(larger);
        if (_rented is not null) ArrayPool<T>.Shared.Return(_rented);
        _rented = larger;
        _items = larger;
    }
}
