using System;
using System.Buffers;
using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Threading;

namespace Backprop.CompilerServices;

/// <summary>
/// The stack of values a generated gradient keeps for its reverse sweep: values overwritten inside loops, branch
/// decisions, trip counts, and the state a called <c>[Differentiable]</c> method's split forward sweep hands to its
/// split reverse sweep. One tape holds every element type, each value in an 8-byte slot.
/// </summary>
/// <remarks>
/// <para>Used by generated code; not meant to be called directly. Pops must mirror pushes (last in, first out).</para>
/// <para>
/// A push never calls anything that returns: when the tape is full it throws <see cref="TapeFullException"/>, and the
/// generated entry point calls <see cref="Restart"/> (a tape twice as large) and runs the forward sweep again. A
/// returning call in the hot path would make the JIT keep the accumulators of every loop around it in memory (no
/// callee-saved floating-point registers on x64 Unix), which measured 2.5x slower on a dense layer. The size that sufficed
/// is remembered for the process, so only the first calls of a large model restart.
/// </para>
/// <para>
/// Generated entry points start tapes with <see cref="Start"/>: each thread keeps the storage of its last tape, so a
/// gradient call neither allocates nor clears tape memory after the first.
/// </para>
/// </remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public ref struct Tape
{
    private static int s_capacity;

    /// <summary>Storage kept for this thread's next tape: generated entry points reuse it instead of zeroing a new one.</summary>
    [ThreadStatic]
    private static byte[]? t_storage;

    /// <summary>Storage kept for this thread's next <see cref="Checkpoint"/>.</summary>
    [ThreadStatic]
    private static byte[]? t_checkpoint;

    /// <summary>Storage larger than this goes back to the pool instead of staying with the thread.</summary>
    private const int MaxKeptBytes = 64 << 20;

    private Span<byte> _bytes;
    private byte[]? _rented;
    private int _count;
    private byte[]? _checkpoint;
    private int _checkpointCount;
    private int _effects;
    private int _effectsRun;

    /// <summary>
    /// Starts with <paramref name="initial"/> (for example <c>stackalloc byte[1024]</c>) as storage, or with an array from
    /// <see cref="ArrayPool{T}.Shared"/> when an earlier tape needed more. Generated code uses <see cref="Start"/> instead.
    /// </summary>
    public Tape(Span<byte> initial)
    {
        int capacity = Volatile.Read(ref s_capacity);
        _rented = capacity > initial.Length ? ArrayPool<byte>.Shared.Rent(capacity) : null;
        _bytes = _rented ?? initial;
        _count = 0;
    }

    /// <summary>
    /// Starts a tape on the storage this thread's previous tape left (nothing to allocate or clear), or, the first time
    /// or while another tape of this thread is in use (a nested gradient), on an array from <see cref="ArrayPool{T}.Shared"/>.
    /// Generated entry points call this; <see cref="Dispose"/> hands the storage back.
    /// </summary>
    public static Tape Start()
    {
        byte[]? storage = t_storage;
        if (storage is not null) t_storage = null;
        else storage = ArrayPool<byte>.Shared.Rent(Math.Max(1024, Volatile.Read(ref s_capacity)));
        return new Tape(storage);
    }

    private Tape(byte[] storage)
    {
        _rented = storage;
        _bytes = storage;
        _count = 0;
    }

    /// <summary>The number of bytes in use.</summary>
    public readonly int Count => _count;

    /// <summary>The number of bytes the tape can hold before it throws <see cref="TapeFullException"/>.</summary>
    public readonly int Capacity => _bytes.Length;

    /// <summary>
    /// Drops what was pushed since the tape held <paramref name="count"/> bytes: after the split forward of a call whose
    /// derivative is not needed, run that way only so that its side effects are not run again on a restart.
    /// </summary>
    public void Truncate(int count)
    {
        if ((uint)count > (uint)_count) ThrowOutOfStep();
        _count = count;
    }

    /// <summary>
    /// <see cref="Truncate"/> inside an expression: <c>Tape.Discard(ref tape, tape.Count, MForward(x, ref tape))</c> runs the
    /// split forward (its side effects guarded by <see cref="RunsEffect"/>) and returns its value with the tape as before.
    /// </summary>
    public static T Discard<T>(ref Tape tape, int count, T value)
    {
        tape.Truncate(count);
        return value;
    }

    /// <summary>Pushes a value.</summary>
    /// <exception cref="TapeFullException">The tape is full; the generated entry point restarts with a larger one.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Push<T>(T value)
        where T : unmanaged
    {
        int slot = SlotOf(Unsafe.SizeOf<T>());
        int count = _count;
        if (count > _bytes.Length - slot) ThrowFull();
        Unsafe.WriteUnaligned(ref Unsafe.Add(ref MemoryMarshal.GetReference(_bytes), (nint)(uint)count), value);
        _count = count + slot;
    }

    /// <summary>Pops the value pushed last.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public T Pop<T>()
        where T : unmanaged
    {
        int count = _count - SlotOf(Unsafe.SizeOf<T>());
        if (count < 0) ThrowOutOfStep();
        _count = count;
        return Unsafe.ReadUnaligned<T>(ref Unsafe.Add(ref MemoryMarshal.GetReference(_bytes), (nint)(uint)count));
    }

    /// <summary>Pushes the contents of a buffer, then its length.</summary>
    /// <exception cref="TapeFullException">The tape is full; the generated entry point restarts with a larger one.</exception>
    public void PushRange<T>(scoped ReadOnlySpan<T> values)
        where T : unmanaged
    {
        var bytes = MemoryMarshal.AsBytes(values);
        int slot = SlotOf(bytes.Length);
        if (_count > _bytes.Length - slot - 8) ThrowFull();
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

    /// <summary>
    /// Pops a buffer pushed by <see cref="PushRange{T}"/> (its length, then its contents) as a view of the tape's own
    /// storage, without copying. The view stays valid until the tape is pushed to again or disposed; generated reverse
    /// sweeps only pop, so it lives as long as the sweep that popped it.
    /// </summary>
    public Span<T> PopRange<T>()
        where T : unmanaged
    {
        int length = Pop<int>();
        int bytes = length * Unsafe.SizeOf<T>();
        int slot = SlotOf(bytes);
        if (length < 0 || _count < slot) ThrowOutOfStep();
        _count -= slot;
        return MemoryMarshal.Cast<byte, T>(_bytes.Slice(_count, bytes));
    }

    /// <summary>
    /// Pushes <c>values[start..end)</c>, clipped to the buffer (nothing when it is empty): the old contents of the elements
    /// a counted loop <c>for (i = start; i &lt; end; i++) values[i] = …;</c> overwrites, saved at once instead of one by one.
    /// </summary>
    /// <exception cref="TapeFullException">The tape is full; the generated entry point restarts with a larger one.</exception>
    public void PushSlice<T>(scoped ReadOnlySpan<T> values, int start, int end)
        where T : unmanaged
    {
        var slice = Clip(values, start, end);
        var bytes = MemoryMarshal.AsBytes(slice);
        int slot = SlotOf(bytes.Length);
        if (_count > _bytes.Length - slot) ThrowFull();
        bytes.CopyTo(_bytes.Slice(_count));
        _count += slot;
    }

    /// <summary>Pops what <see cref="PushSlice{T}"/> pushed, with the same arguments, back into <c>values[start..end)</c>.</summary>
    public void PopSlice<T>(scoped Span<T> values, int start, int end)
        where T : unmanaged
    {
        int from = Math.Max(start, 0);
        int to = Math.Min(end, values.Length);
        if (to <= from) return;
        var target = MemoryMarshal.AsBytes(values.Slice(from, to - from));
        int slot = SlotOf(target.Length);
        if (_count < slot) ThrowOutOfStep();
        _count -= slot;
        _bytes.Slice(_count, target.Length).CopyTo(target);
    }

    private static ReadOnlySpan<T> Clip<T>(ReadOnlySpan<T> values, int start, int end)
    {
        int from = Math.Max(start, 0);
        int to = Math.Min(end, values.Length);
        return to > from ? values.Slice(from, to - from) : default;
    }

    /// <summary>
    /// Whether the forward sweep runs the call it reaches next that a <c>[Differentiable]</c> method makes for its side
    /// effect (<c>Console.WriteLine(x)</c>, <c>log.Add(x)</c>): true, except for the ones it already ran before a
    /// <see cref="Restart"/>, so that each runs once per call of the generated method even when its forward sweep runs again.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool RunsEffect() => ++_effects > _effectsRun;

    /// <summary>
    /// Keeps a copy of the tape as it is now (in a pooled array), for <see cref="Rewind"/>: a Jacobian's reverse sweeps
    /// each read the tape its one forward sweep left, and a sweep may write into the views it pops.
    /// </summary>
    public void Checkpoint()
    {
        if (_checkpoint is null && t_checkpoint is { } kept)
        {
            // This thread's last checkpoint storage: nothing to rent per Jacobian.
            _checkpoint = kept;
            t_checkpoint = null;
        }
        if (_checkpoint is null || _checkpoint.Length < _count)
        {
            if (_checkpoint is not null) ArrayPool<byte>.Shared.Return(_checkpoint);
            _checkpoint = ArrayPool<byte>.Shared.Rent(Math.Max(_count, 256));
        }
        _bytes.Slice(0, _count).CopyTo(_checkpoint);
        _checkpointCount = _count;
    }

    /// <summary>Puts the tape back as it was at the last <see cref="Checkpoint"/>, to be read again.</summary>
    public void Rewind()
    {
        if (_checkpoint is null) throw new InvalidOperationException("Rewind needs a Checkpoint first.");
        _checkpoint.AsSpan(0, _checkpointCount).CopyTo(_bytes);
        _count = _checkpointCount;
    }

    /// <summary>
    /// Empties the tape and gives it twice the capacity, after a <see cref="TapeFullException"/>; later tapes start
    /// with that capacity. The side effects the forward sweep ran so far are not run again (<see cref="RunsEffect"/>).
    /// </summary>
    public void Restart()
    {
        _effectsRun = Math.Max(_effectsRun, _effects);
        _effects = 0;
        int capacity = (int)Math.Min(Array.MaxLength, Math.Max(8192L, 2L * _bytes.Length));
        if (capacity <= _bytes.Length) throw new InsufficientMemoryException("The gradient tape cannot grow beyond " + _bytes.Length + " bytes.");
        var larger = ArrayPool<byte>.Shared.Rent(capacity);
        if (_rented is not null) ArrayPool<byte>.Shared.Return(_rented);
        _rented = larger;
        _bytes = larger;
        _count = 0;
        int known;
        while ((known = Volatile.Read(ref s_capacity)) < capacity && Interlocked.CompareExchange(ref s_capacity, capacity, known) != known)
        {
        }
    }

    /// <summary>Keeps the storage for this thread's next tape (or returns it to the pool if the thread keeps one already).</summary>
    public void Dispose()
    {
        if (_checkpoint is not null)
        {
            if (t_checkpoint is null && _checkpoint.Length <= MaxKeptBytes) t_checkpoint = _checkpoint;
            else ArrayPool<byte>.Shared.Return(_checkpoint);
            _checkpoint = null;
        }
        if (_rented is not null)
        {
            if (t_storage is null && _rented.Length <= MaxKeptBytes) t_storage = _rented;
            else ArrayPool<byte>.Shared.Return(_rented);
        }
        _rented = null;
        _bytes = default;
        _count = 0;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int SlotOf(int bytes) => (bytes + 7) & ~7;

    // Throw helpers: small and never returning, so the JIT keeps their call sites out of the hot path.
    private static void ThrowFull() => throw new TapeFullException();

    private static void ThrowOutOfStep() =>
        throw new InvalidOperationException("The gradient tape is empty: pushes and pops of generated code are out of step.");
}

/// <summary>Thrown by <see cref="Tape"/> when it is full; generated entry points catch it and restart with a larger tape.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class TapeFullException : Exception
{
    /// <summary>Creates the exception.</summary>
    public TapeFullException()
        : base("The gradient tape is full.")
    {
    }
}
