using System;

namespace Backprop;

/// <summary>
/// Excludes a parameter of a <see cref="DifferentiableAttribute"/> method from differentiation:
/// it gets no gradient argument and is treated as a constant (data, targets, masks, hyperparameters).
/// </summary>
[AttributeUsage(AttributeTargets.Parameter | AttributeTargets.Field | AttributeTargets.Property, AllowMultiple = false, Inherited = false)]
public sealed class NoDerivativeAttribute : Attribute
{
}
