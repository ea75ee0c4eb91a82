using System;
using System.Buffers;
using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Backprop.CompilerServices;

/// <summary>
/// The numbers of a two-dimensional array as one span, row by row (C#'s <c>T[,]</c> is stored row-major): generated
/// derivatives read <c>w[i, j]</c> as <c>wFlat[i * w.GetLength(1) + j]</c> and accumulate the gradient of a <c>T[,]</c>
/// into the same view of its gradient array.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class ArrayViews
{
    /// <summary>The elements of <paramref name="array"/> in memory order (empty for an empty array).</summary>
    /// <exception cref="NullReferenceException"><paramref name="array"/> is null, as indexing it would throw.</exception>
    public static Span<T> Flat<T>(T[,] array)
        where T : unmanaged
    {
        int length = array.Length;
        return length == 0 ? default : MemoryMarshal.CreateSpan(ref Unsafe.As<byte, T>(ref MemoryMarshal.GetArrayDataReference(array)), length);
    }

    /// <summary>A <see cref="Memory{T}"/> over the elements of <paramref name="array"/>, for parameter groups (<c>AddParameters</c>).</summary>
    public static Memory<T> AsMemory<T>(T[,] array)
        where T : unmanaged
        => new MatrixMemory<T>(array ?? throw new ArgumentNullException(nameof(array))).Memory;

    /// <summary>The elements of a two-dimensional array as a <see cref="Memory{T}"/>; reading its span allocates nothing.</summary>
    private sealed class MatrixMemory<T> : MemoryManager<T>
        where T : unmanaged
    {
        private readonly T[,] _array;

        public MatrixMemory(T[,] array) => _array = array;

        public override Span<T> GetSpan() => Flat(_array);

        /// <summary>Not supported: parameter groups never pin their memory.</summary>
        public override MemoryHandle Pin(int elementIndex = 0) =>
            throw new NotSupportedException("A two-dimensional array cannot be pinned through its parameter memory.");

        public override void Unpin()
        {
        }

        protected override void Dispose(bool disposing)
        {
        }
    }
}
