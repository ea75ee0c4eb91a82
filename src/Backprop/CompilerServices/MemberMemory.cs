using System;
using System.Buffers;
using System.ComponentModel;
using System.Runtime.InteropServices;

namespace Backprop.CompilerServices;

/// <summary>Returns a reference to a scalar member of <typeparamref name="TOwner"/> (a model's bias, a gain).</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public delegate ref T MemberAccessor<in TOwner, T>(TOwner owner);

/// <summary>
/// A one-element <see cref="Memory{T}"/> over a scalar field of an object, so that a model's scalar members can be
/// registered with a <see cref="Training.ParameterGroup{T}"/> like its arrays: optimizers read and write the field
/// itself. Created once at registration by generated <c>AddParameters</c> methods; reading its span allocates nothing.
/// </summary>
/// <typeparam name="TOwner">The class that holds the field.</typeparam>
/// <typeparam name="T">The field's type.</typeparam>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class MemberMemory<TOwner, T> : MemoryManager<T>
    where TOwner : class
{
    private readonly TOwner _owner;
    private readonly MemberAccessor<TOwner, T> _accessor;

    /// <summary>A view of the member that <paramref name="accessor"/> returns for <paramref name="owner"/>.</summary>
    public MemberMemory(TOwner owner, MemberAccessor<TOwner, T> accessor)
    {
        _owner = owner ?? throw new ArgumentNullException(nameof(owner));
        _accessor = accessor ?? throw new ArgumentNullException(nameof(accessor));
    }

    /// <inheritdoc/>
    public override Span<T> GetSpan() => MemoryMarshal.CreateSpan(ref _accessor(_owner), 1);

    /// <summary>Not supported: a field of a movable object cannot be pinned through its accessor.</summary>
    public override MemoryHandle Pin(int elementIndex = 0) =>
        throw new NotSupportedException("A member of an object cannot be pinned through MemberMemory.");

    /// <inheritdoc/>
    public override void Unpin()
    {
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
    }
}
