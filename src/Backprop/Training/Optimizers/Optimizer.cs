using System;
using System.Numerics;

namespace Backprop.Training;

/// <summary>
/// An optimizer over a <see cref="ParameterSet{T}"/>: <see cref="Step"/> updates every parameter from its gradient with
/// the update equations of the matching <c>torch.optim</c> class. State is allocated once, at construction; a step
/// allocates nothing. A step first validates every gradient, so a failing step leaves parameters and state untouched.
/// </summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
public abstract class Optimizer<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>State buffers per parameter; an optimizer that needs fewer leaves the rest empty.</summary>
    private const int Slots = 3;

    private readonly Parameter<T>[] _parameters;
    private readonly T[][] _state;
    private readonly string _kind;

    private protected Optimizer(ParameterSet<T> parameters, bool useSlot0, bool useSlot1, bool useSlot2, T initialSlot0)
    {
        Parameters = parameters ?? throw new ArgumentNullException(nameof(parameters));
        _parameters = parameters.Freeze();
        string typeName = GetType().Name;
        _kind = typeName.Contains('`') ? typeName.Substring(0, typeName.IndexOf('`')) : typeName;
        _state = new T[_parameters.Length * Slots][];
        for (int p = 0; p < _parameters.Length; p++)
        {
            int length = _parameters[p].Values.Length;
            _state[p * Slots] = useSlot0 ? new T[length] : Array.Empty<T>();
            _state[p * Slots + 1] = useSlot1 ? new T[length] : Array.Empty<T>();
            _state[p * Slots + 2] = useSlot2 ? new T[length] : Array.Empty<T>();
            _state[p * Slots].AsSpan().Fill(initialSlot0);
        }
    }

    /// <summary>The parameters this optimizer updates.</summary>
    public ParameterSet<T> Parameters { get; }

    /// <summary>How many steps have been taken (PyTorch's per-parameter <c>step</c>; here all parameters share it).</summary>
    public long StepCount { get; private set; }

    /// <summary>Updates every parameter once from its current gradient.</summary>
    /// <exception cref="InvalidOperationException">A gradient holds NaN or an infinity; the message names the parameter. Nothing was changed.</exception>
    public void Step()
    {
        Finite.ThrowIfAnyGradientNonFinite(_parameters, "the optimizer step");
        long step = StepCount + 1;
        for (int p = 0; p < _parameters.Length; p++)
        {
            var parameter = _parameters[p];
            Update(
                parameter.Values.Span,
                parameter.Gradients.Span,
                _state[p * Slots],
                _state[p * Slots + 1],
                _state[p * Slots + 2],
                parameter.Group,
                step);
        }
        StepCount = step;
    }

    /// <summary>Sets every gradient buffer to zero.</summary>
    public void ZeroGrad() => Parameters.ZeroGrad();

    /// <summary>Copies the step count, the groups' learning rates and every state buffer, so that training can resume later.</summary>
    public OptimizerState<T> SaveState()
    {
        var learningRates = new double[Parameters.Groups.Count];
        for (int g = 0; g < learningRates.Length; g++)
            learningRates[g] = Parameters.Groups[g].LearningRate;
        return new OptimizerState<T>(_kind, StepCount, learningRates, _state);
    }

    /// <summary>Restores a state saved by an optimizer of the same kind over parameters of the same shapes.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="state"/> is null.</exception>
    /// <exception cref="ArgumentException">The state belongs to another optimizer kind or other shapes; nothing was changed.</exception>
    public void LoadState(OptimizerState<T> state)
    {
        if (state is null) throw new ArgumentNullException(nameof(state));
        if (state.Optimizer != _kind)
            throw new ArgumentException($"The state was saved by {state.Optimizer}, not {_kind}.", nameof(state));
        if (state.LearningRates.Count != Parameters.Groups.Count)
            throw new ArgumentException($"The state has {state.LearningRates.Count} groups; this optimizer has {Parameters.Groups.Count}.", nameof(state));
        if (state.Buffers.Count != _state.Length)
            throw new ArgumentException($"The state has {state.Buffers.Count} buffers; this optimizer has {_state.Length}.", nameof(state));
        for (int i = 0; i < _state.Length; i++)
        {
            if (state.Buffers[i].Length != _state[i].Length)
                throw new ArgumentException(
                    $"State buffer {i % Slots} of parameter '{_parameters[i / Slots].Name}' has {state.Buffers[i].Length} entries; {_state[i].Length} expected.",
                    nameof(state));
        }

        for (int i = 0; i < _state.Length; i++)
            state.Buffers[i].Span.CopyTo(_state[i]);
        for (int g = 0; g < Parameters.Groups.Count; g++)
            Parameters.Groups[g].LearningRate = state.LearningRates[g];
        StepCount = state.Step;
    }

    /// <summary>Updates one parameter; the gradients are known to be finite.</summary>
    private protected abstract void Update(
        Span<T> values,
        ReadOnlySpan<T> gradients,
        Span<T> state0,
        Span<T> state1,
        Span<T> state2,
        ParameterGroup group,
        long step);

    private protected static T Convert(double value) => T.CreateTruncating(value);
}
