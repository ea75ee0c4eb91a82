using System;
using System.Numerics;
using System.Threading;
using Backprop.Numerics;

namespace Backprop.Training;

/// <summary>
/// Data-parallel gradients on one machine: splits a mini-batch into one contiguous shard per worker, computes each shard's
/// gradient on its own thread into its own buffer, and adds the shards' gradients (weighted, for a mean loss) into the
/// caller's gradient buffer, as PyTorch's <c>DistributedDataParallel</c> does across processes.
/// </summary>
/// <remarks>
/// <para>
/// The worker threads and their gradient buffers are created by the constructor; a step (<see cref="Run"/>) allocates
/// nothing. The caller's thread computes the first shard itself. The shards' gradients are summed on the caller's thread
/// after all shards are done, so the result does not depend on thread timing: it is the same from run to run, and equal
/// to the single-threaded gradient up to the rounding of a different summation order.
/// </para>
/// <para>
/// Generated gradient methods may be called from many threads at once: they keep no static mutable state (their locals
/// live on the stack; a tape, when one is needed, is per thread, see <c>Backprop.CompilerServices.Tape</c>; rented
/// buffers come from <see cref="System.Buffers.ArrayPool{T}.Shared"/>, which is thread-safe). The model's parameters are
/// only read during a step; each worker writes only its own buffer.
/// </para>
/// <para>Dispose the instance to end its threads (they are background threads, so they do not keep a process alive).</para>
/// </remarks>
/// <typeparam name="T"><see cref="double"/> or <see cref="float"/>.</typeparam>
public sealed class DataParallel<T> : IDisposable where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly T[][] _gradients;
    private readonly T[] _losses;
    private readonly int[] _starts;
    private readonly int[] _counts;
    private readonly Exception?[] _errors;
    private readonly Thread[] _threads;
    private readonly Barrier _barrier;
    private readonly ShardReduction _reduction;
    private ShardGradient<T>? _shardGradient;
    private int _running;
    private bool _disposed;

    /// <summary>Starts <paramref name="workers"/> − 1 threads and allocates one gradient buffer of <paramref name="gradientLength"/> entries per worker.</summary>
    /// <param name="gradientLength">The length of the (flat) gradient buffer that <see cref="Run"/> accumulates into.</param>
    /// <param name="workers">The number of shards and threads, the caller's included; <see cref="Environment.ProcessorCount"/> by default.</param>
    /// <param name="reduction">Whether the model's loss is a mean (the default) or a sum over the samples.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="gradientLength"/> is negative, <paramref name="workers"/> below 1, or <paramref name="reduction"/> undefined.</exception>
    public DataParallel(int gradientLength, int workers = 0, ShardReduction reduction = ShardReduction.Mean)
    {
        if (gradientLength < 0) throw new ArgumentOutOfRangeException(nameof(gradientLength), gradientLength, "Must not be negative.");
        if (workers == 0) workers = Environment.ProcessorCount;
        Guard.Positive(workers, nameof(workers));
        if (reduction is not (ShardReduction.Mean or ShardReduction.Sum))
            throw new ArgumentOutOfRangeException(nameof(reduction), reduction, "Must be Mean or Sum.");
        GradientLength = gradientLength;
        _reduction = reduction;
        _gradients = new T[workers][];
        for (int w = 0; w < workers; w++) _gradients[w] = new T[gradientLength];
        _losses = new T[workers];
        _starts = new int[workers];
        _counts = new int[workers];
        _errors = new Exception?[workers];
        _barrier = new Barrier(workers);
        _threads = new Thread[workers - 1];
        for (int w = 1; w < workers; w++)
        {
            int worker = w;
            _threads[w - 1] = new Thread(() => WorkerLoop(worker)) { IsBackground = true, Name = "DataParallel worker " + w };
            _threads[w - 1].Start();
        }
    }

    /// <summary>The number of shards per step, the caller's thread included.</summary>
    public int Workers => _gradients.Length;

    /// <summary>The length of the gradient buffer.</summary>
    public int GradientLength { get; }

    /// <summary>
    /// Splits the samples <c>[0, batchSize)</c> into <see cref="Workers"/> contiguous shards (sizes differing by at most one;
    /// empty shards are skipped), runs <paramref name="shardGradient"/> for all of them at once, and adds the combined
    /// gradient into <paramref name="gradient"/> (<c>+=</c>, like generated gradients). Pass a delegate created once: a
    /// lambda written at the call allocates a new delegate each time it captures something.
    /// </summary>
    /// <returns>The combined loss: the batch mean of the shards' means for <see cref="ShardReduction.Mean"/>, their sum for <see cref="ShardReduction.Sum"/>.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batchSize"/> is negative.</exception>
    /// <exception cref="ArgumentException"><paramref name="gradient"/> is not <see cref="GradientLength"/> long.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="shardGradient"/> is null.</exception>
    /// <exception cref="InvalidOperationException">Another thread is in <see cref="Run"/> on this instance.</exception>
    /// <exception cref="ObjectDisposedException">The instance is disposed.</exception>
    /// <exception cref="AggregateException">A shard threw; <paramref name="gradient"/> is left unchanged.</exception>
    public T Run(int batchSize, ShardGradient<T> shardGradient, Span<T> gradient)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(shardGradient);
        Guard.NonNegative(batchSize, nameof(batchSize));
        if (gradient.Length != GradientLength)
            throw new ArgumentException($"The gradient must have {GradientLength} entries, but has {gradient.Length}.", nameof(gradient));
        if (Interlocked.Exchange(ref _running, 1) != 0)
            throw new InvalidOperationException("Run is already in progress on another thread; use one DataParallel per training loop.");
        try
        {
            int workers = Workers, start = 0;
            for (int w = 0; w < workers; w++)
            {
                int count = batchSize / workers + (w < batchSize % workers ? 1 : 0);
                (_starts[w], _counts[w]) = (start, count);
                start += count;
            }
            _shardGradient = shardGradient;
            _barrier.SignalAndWait();   // the workers start their shards
            RunShard(0);
            _barrier.SignalAndWait();   // every shard is done
            _shardGradient = null;
            return Combine(batchSize, gradient);
        }
        finally
        {
            Volatile.Write(ref _running, 0);
        }
    }

    private void WorkerLoop(int worker)
    {
        while (true)
        {
            _barrier.SignalAndWait();
            if (_disposed) return;
            RunShard(worker);
            _barrier.SignalAndWait();
        }
    }

    private void RunShard(int worker)
    {
        _losses[worker] = T.Zero;
        _errors[worker] = null;
        if (_counts[worker] == 0) return;
        try
        {
            Array.Clear(_gradients[worker]);
            _losses[worker] = _shardGradient!(worker, _starts[worker], _counts[worker], _gradients[worker]);
        }
        catch (Exception e)
        {
            _errors[worker] = e;
        }
    }

    private T Combine(int batchSize, Span<T> gradient)
    {
        int failed = 0;
        foreach (var error in _errors) if (error is not null) failed++;
        if (failed > 0)
        {
            var errors = new Exception[failed];
            int e = 0;
            foreach (var error in _errors) if (error is not null) errors[e++] = error;
            throw new AggregateException("Shards of the mini-batch threw.", errors);
        }
        T loss = T.Zero;
        for (int w = 0; w < Workers; w++)
        {
            if (_counts[w] == 0) continue;
            T weight = _reduction == ShardReduction.Mean ? T.CreateTruncating(_counts[w]) / T.CreateTruncating(batchSize) : T.One;
            loss += weight * _losses[w];
            Lanes.AddScaled(gradient, weight, _gradients[w]);
        }
        return loss;
    }

    /// <summary>Ends the worker threads. The instance cannot run steps afterwards.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        if (Interlocked.Exchange(ref _running, 1) != 0)
            throw new InvalidOperationException("Dispose was called while Run is in progress.");
        _disposed = true;
        _barrier.SignalAndWait();
        foreach (var thread in _threads) thread.Join();
        _barrier.Dispose();
    }
}
