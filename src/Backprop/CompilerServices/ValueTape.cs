using System;
using System.Buffers;
using System.ComponentModel;

namespace Backprop.CompilerServices;

/// <summary>
/// A stack of values that generated gradients keep inside loops for the reverse sweep. Storage comes from
/// <see cref="ArrayPool{T}.Shared"/> and goes back on <see cref="Dispose"/>, so a warm call allocates nothing.
/// </summary>
/// <remarks>Used by generated code; not meant to be called directly. A local of this mutable struct must not be copied.</remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public struct ValueTape<T> : IDisposable
    where T : unmanaged
{
    // Large enough that typical models never grow (growing copies the tape); the pool hands the same array back each call.
    private const int InitialCapacity = 4096;

    private T[]? _items;
    private int _count;

    /// <summary>Pushes a value.</summary>
    public void Push(T value)
    {
        if (_items is null || _count == _items.Length) Grow();
        _items![_count++] = value;
    }

    /// <summary>Pops the value pushed last.</summary>
    public T Pop() => _items![--_count];

    /// <summary>Returns the storage to the pool.</summary>
    public void Dispose()
    {
        if (_items is null) return;
        ArrayPool<T>.Shared.Return(_items);
        _items = null;
        _count = 0;
    }

    private void Grow()
    {
        var larger = ArrayPool<T>.Shared.Rent(_items is null ? InitialCapacity : _items.Length * 2);
        if (_items is not null)
        {
            Array.Copy(_items, larger, _count);
            ArrayPool<T>.Shared.Return(_items);
        }
        _items = larger;
    }
}
