using System;
using System.Collections.Generic;
using System.Numerics;
using Backprop.Numerics;

namespace Backprop.Training;

/// <summary>
/// Data-parallel gradients of a model class: one gradient object (a <c>dThis</c>) per worker, each shard's gradient
/// computed into its worker's object on its own thread, then added (weighted, for a mean loss) into the gradients of
/// <c>parameters</c>, the model's registration (its generated <c>AddParameters</c> with the training gradient object).
/// The threads, the shard split and the reduction are those of <see cref="DataParallel{T}"/>.
/// </summary>
/// <example>
/// <code>
/// var parameters = new ParameterSet&lt;double&gt;();
/// model.AddParameters(parameters.AddGroup(learningRate: 1e-3), gradient);
/// using var parallel = new DataParallel&lt;double, Mlp&gt;(parameters, () =&gt; new Mlp(), (group, g) =&gt; model.AddParameters(group, g));
/// parameters.ZeroGrad();
/// double loss = parallel.Run(batch, (g, start, count) =&gt; model.ShardLossGradient(xs, labels, start, count, g));
/// optimizer.Step();
/// </code>
/// </example>
/// <typeparam name="T"><see cref="double"/> or <see cref="float"/>.</typeparam>
/// <typeparam name="TGradient">The model's type: its instances hold the gradients the generated methods add into.</typeparam>
public sealed class DataParallel<T, TGradient> : IDisposable
    where T : unmanaged, IFloatingPointIeee754<T>
    where TGradient : class
{
    private readonly DataParallel<T> _threads;
    private readonly TGradient[] _gradients;
    private readonly IReadOnlyList<Parameter<T>>[] _workerParameters;
    private readonly IReadOnlyList<Parameter<T>> _target;
    private readonly ShardReduction _reduction;
    private readonly ShardGradient<T> _runShard;
    private Func<TGradient, int, int, T>? _shard;

    /// <summary>Starts the worker threads and creates, for each worker, a gradient object registered like the model's.</summary>
    /// <param name="parameters">The model's parameters, whose gradients <see cref="Run"/> adds into.</param>
    /// <param name="createGradient">Creates a gradient object of the model's shape (called once per worker).</param>
    /// <param name="register">Registers a gradient object's members as <paramref name="parameters"/> registers the model's: <c>(group, g) =&gt; model.AddParameters(group, g)</c>.</param>
    /// <param name="workers">The number of shards and threads, the caller's included; <see cref="Environment.ProcessorCount"/> by default.</param>
    /// <param name="reduction">Whether the model's loss is a mean (the default) or a sum over the samples.</param>
    /// <exception cref="ArgumentException">A worker's registration does not match <paramref name="parameters"/> (count, names or lengths).</exception>
    public DataParallel(ParameterSet<T> parameters, Func<TGradient> createGradient, Action<ParameterGroup<T>, TGradient> register, int workers = 0, ShardReduction reduction = ShardReduction.Mean)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(createGradient);
        ArgumentNullException.ThrowIfNull(register);
        _threads = new DataParallel<T>(0, workers, reduction);
        _reduction = reduction;
        _target = parameters.Parameters;
        _gradients = new TGradient[_threads.Workers];
        _workerParameters = new IReadOnlyList<Parameter<T>>[_threads.Workers];
        for (int w = 0; w < _gradients.Length; w++)
        {
            _gradients[w] = createGradient() ?? throw new ArgumentException("createGradient returned null.", nameof(createGradient));
            var own = new ParameterSet<T>();
            register(own.AddGroup(learningRate: 0), _gradients[w]);
            _workerParameters[w] = own.Parameters;
            if (own.Parameters.Count != _target.Count)
                throw new ArgumentException($"A worker's gradient object registers {own.Parameters.Count} parameters, the model {_target.Count}.", nameof(register));
            for (int p = 0; p < _target.Count; p++)
            {
                if (own.Parameters[p].Name != _target[p].Name || own.Parameters[p].Gradients.Length != _target[p].Gradients.Length)
                    throw new ArgumentException($"A worker's parameter '{own.Parameters[p].Name}' ({own.Parameters[p].Gradients.Length} entries) does not match the model's '{_target[p].Name}' ({_target[p].Gradients.Length}).", nameof(register));
            }
        }
        _runShard = RunShard;
    }

    /// <summary>The number of shards and threads, the caller's included.</summary>
    public int Workers => _threads.Workers;

    /// <summary>The workers' gradient objects (each holds its last shard's gradient after <see cref="Run"/>).</summary>
    public IReadOnlyList<TGradient> Gradients => _gradients;

    /// <summary>
    /// Splits <paramref name="batchSize"/> samples into one contiguous shard per worker, runs <paramref name="shard"/> on
    /// each with that worker's gradient object (zeroed first), and adds the shards' gradients into the model's
    /// parameters: weighted by their share of the batch for a mean loss, as they are for a sum. Allocates nothing.
    /// </summary>
    /// <param name="batchSize">The number of samples in the mini-batch.</param>
    /// <param name="shard"><c>(gradient, start, count) =&gt; loss</c>: the shard's loss (its mean, or its sum), its gradient added into <c>gradient</c>.</param>
    /// <returns>The combined loss, as <see cref="DataParallel{T}.Run"/> returns it.</returns>
    /// <exception cref="AggregateException">A shard threw; the model's gradients are left unchanged.</exception>
    public T Run(int batchSize, Func<TGradient, int, int, T> shard)
    {
        ArgumentNullException.ThrowIfNull(shard);
        _shard = shard;
        T loss;
        try
        {
            loss = _threads.Run(batchSize, _runShard, Span<T>.Empty);
        }
        finally
        {
            _shard = null;
        }
        int workers = Workers;
        for (int w = 0; w < workers; w++)
        {
            int count = batchSize / workers + (w < batchSize % workers ? 1 : 0);
            if (count == 0) continue;
            T weight = _reduction == ShardReduction.Mean ? T.CreateTruncating(count) / T.CreateTruncating(batchSize) : T.One;
            for (int p = 0; p < _target.Count; p++)
                Lanes.AddScaled(_target[p].Gradients.Span, weight, _workerParameters[w][p].Gradients.Span);
        }
        return loss;
    }

    private T RunShard(int worker, int start, int count, Span<T> unused)
    {
        var parameters = _workerParameters[worker];
        for (int p = 0; p < parameters.Count; p++) parameters[p].Gradients.Span.Clear();   // (a foreach would box the enumerator)
        return _shard!(_gradients[worker], start, count);
    }

    /// <summary>Ends the worker threads.</summary>
    public void Dispose() => _threads.Dispose();
}
