using System;
using System.Collections.Generic;
using System.Numerics;

namespace Backprop.Training;

/// <summary>A group of parameters, each a value buffer with its gradient buffer, sharing a learning rate and weight decay.</summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
public sealed class ParameterGroup<T> : ParameterGroup
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly ParameterSet<T> _owner;
    private readonly List<Parameter<T>> _parameters = new();

    internal ParameterGroup(ParameterSet<T> owner, double learningRate, double weightDecay)
        : base(learningRate, weightDecay)
    {
        _owner = owner;
    }

    /// <summary>The parameters of this group, in the order they were added.</summary>
    public IReadOnlyList<Parameter<T>> Parameters => _parameters;

    /// <summary>Registers a parameter buffer and the gradient buffer that the generated gradient method accumulates into.</summary>
    /// <returns>This group, so that registrations chain.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">The name is empty or already used in the set, or the lengths differ.</exception>
    /// <exception cref="InvalidOperationException">An optimizer or another helper already holds the set.</exception>
    public ParameterGroup<T> Add(string name, T[] values, T[] gradients)
    {
        if (values is null) throw new ArgumentNullException(nameof(values));
        if (gradients is null) throw new ArgumentNullException(nameof(gradients));
        return Add(name, values.AsMemory(), gradients.AsMemory());
    }

    /// <inheritdoc cref="Add(string, T[], T[])"/>
    public ParameterGroup<T> Add(string name, Memory<T> values, Memory<T> gradients)
    {
        if (name is null) throw new ArgumentNullException(nameof(name));
        if (name.Length == 0) throw new ArgumentException("A parameter needs a name.", nameof(name));
        if (gradients.Length != values.Length)
            throw new ArgumentException(
                $"Parameter '{name}' has {values.Length} values but its gradient buffer has {gradients.Length} entries.",
                nameof(gradients));
        var parameter = new Parameter<T>(name, values, gradients, this);
        if (!_owner.TryRegister(parameter))
            throw new ArgumentException($"A parameter named '{name}' is already registered.", nameof(name));
        _parameters.Add(parameter);
        return this;
    }
}
