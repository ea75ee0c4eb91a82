using System;

namespace Backprop;

/// <summary>
/// Marks a static method as the hand-written reverse rule (vector–Jacobian product) of another static method, used in
/// place of differentiating its body, or where there is no body to differentiate (a method of another assembly), like
/// JAX's <c>custom_vjp</c>, Swift's <c>@derivative(of:)</c> or PyTorch's <c>autograd.Function</c>.
/// </summary>
/// <remarks>
/// For a method <c>T M(p1 … pn)</c> returning <c>double</c> or <c>float</c>, the rule is
/// <c>static void R(p1 … pn, T result, T dResult, g1 … gk)</c>: the original's parameters (as they were when it ran), its
/// result, the result's adjoint, then one gradient per differentiable parameter, in order: <c>ref T dX</c> for a scalar
/// (add <c>dResult * ∂M/∂x</c> to it), <c>Span&lt;T&gt; dW</c> for a span or array (add to its entries; empty when the
/// caller does not want it). Integer, boolean and <c>[NoDerivative]</c> parameters get no gradient. The forward sweep calls
/// the original; the reverse sweep calls the rule. A second method marked for the same original and returning its type is
/// its tangent rule (forward mode): <c>static T R(p1 … pn, t1 … tk, out T tResult)</c>, one tangent per differentiable
/// parameter (<c>T tX</c>, <c>ReadOnlySpan&lt;T&gt; tW</c>), returning the original's value.
/// </remarks>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class DerivativeOfAttribute : Attribute
{
    /// <param name="type">The type that declares the original method.</param>
    /// <param name="methodName">The original method's name: <c>nameof(SpecialFunctions.Erf)</c>.</param>
    public DerivativeOfAttribute(Type type, string methodName)
    {
        Type = type;
        MethodName = methodName;
    }

    /// <summary>The type that declares the original method.</summary>
    public Type Type { get; }

    /// <summary>The original method's name.</summary>
    public string MethodName { get; }
}
