using System;
using System.Numerics;

namespace Backprop.Training;

/// <summary>One registered parameter: its values, the gradient buffer beside them, and its group.</summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
public sealed class Parameter<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    internal Parameter(string name, Memory<T> values, Memory<T> gradients, ParameterGroup<T> group)
    {
        Name = name;
        Values = values;
        Gradients = gradients;
        Group = group;
    }

    /// <summary>The name used in exception messages and reports.</summary>
    public string Name { get; }

    /// <summary>The parameter values that optimizers update in place.</summary>
    public Memory<T> Values { get; }

    /// <summary>The gradient buffer, as long as <see cref="Values"/>.</summary>
    public Memory<T> Gradients { get; }

    /// <summary>The group whose learning rate and weight decay apply.</summary>
    public ParameterGroup<T> Group { get; }
}
