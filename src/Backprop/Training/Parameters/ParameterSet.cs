using System;
using System.Collections.Generic;
using System.Numerics;

namespace Backprop.Training;

/// <summary>
/// The parameters of a model, registered once in groups, that optimizers, clipping and early stopping work on.
/// Once an optimizer or another helper is built over the set it is frozen: its state is sized to the parameters.
/// </summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
/// <example>
/// <code>
/// var parameters = new ParameterSet&lt;double&gt;();
/// parameters.AddGroup(learningRate: 1e-3).Add("w", w, dw).Add("b", b, db);
/// </code>
/// </example>
public sealed class ParameterSet<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly List<ParameterGroup<T>> _groups = new();
    private readonly List<Parameter<T>> _parameters = new();
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);
    private bool _frozen;

    /// <summary>The groups, in the order they were added.</summary>
    public IReadOnlyList<ParameterGroup<T>> Groups => _groups;

    /// <summary>Every parameter of every group, in registration order.</summary>
    public IReadOnlyList<Parameter<T>> Parameters => _parameters;

    /// <summary>Adds a group with its own learning rate (<c>lr</c>) and weight decay (<c>weight_decay</c>).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="learningRate"/> or <paramref name="weightDecay"/> is negative, NaN or infinite.</exception>
    /// <exception cref="InvalidOperationException">The set is frozen.</exception>
    public ParameterGroup<T> AddGroup(double learningRate, double weightDecay = 0)
    {
        ThrowIfFrozen();
        Guard.NonNegative(learningRate, nameof(learningRate));
        Guard.NonNegative(weightDecay, nameof(weightDecay));
        var group = new ParameterGroup<T>(this, learningRate, weightDecay);
        _groups.Add(group);
        return group;
    }

    /// <summary>Sets every gradient buffer to zero, as <c>optimizer.zero_grad(set_to_none=False)</c> does.</summary>
    public void ZeroGrad()
    {
        foreach (var parameter in _parameters)
            parameter.Gradients.Span.Clear();
    }

    /// <summary>Adds a parameter of one of the set's groups, unless another parameter has its name.</summary>
    /// <returns>False, and nothing added, when the name is taken.</returns>
    /// <exception cref="InvalidOperationException">The set is frozen.</exception>
    internal bool TryRegister(Parameter<T> parameter)
    {
        ThrowIfFrozen();
        if (!_names.Add(parameter.Name))
            return false;
        _parameters.Add(parameter);
        return true;
    }

    /// <summary>Stops further registration and returns the parameters as the array helpers iterate without allocating.</summary>
    internal Parameter<T>[] Freeze()
    {
        _frozen = true;
        return _parameters.ToArray();
    }

    private void ThrowIfFrozen()
    {
        if (_frozen)
            throw new InvalidOperationException("Parameters cannot be added once an optimizer or another training helper has been built over the set.");
    }
}
