using System;

namespace Backprop;

/// <summary>
/// Marks a method whose reverse-mode gradient the Backprop.Gen source generator emits at compile time,
/// next to the method, in the same partial type.
/// </summary>
/// <remarks>
/// For <c>T M(p1 … pn)</c> returning <see cref="double"/> or <see cref="float"/>, the generator emits
/// <c>T MGradient(p1 … pn, g1 … gk)</c>: it returns what <c>M</c> returns, assigns <c>out</c> gradients of
/// active scalar parameters and increments (<c>+=</c>) the gradient spans of active array and span parameters.
/// It also emits <c>MPullback</c>, the vector–Jacobian product that other differentiable methods call.
/// </remarks>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class DifferentiableAttribute : Attribute
{
    /// <summary>The name of the emitted gradient method; defaults to the method's name followed by <c>Gradient</c>.</summary>
    public string? GradientName { get; set; }

    /// <summary>
    /// Also emit forward mode: <c>T MTangent(p1 … pn, t1 … tk, out T tM)</c>, the value and the directional derivative along
    /// the tangents of the differentiated parameters (<c>T tX</c> for a scalar, <c>ReadOnlySpan&lt;T&gt; tW</c> for a buffer); a
    /// layer writes its outputs' tangents into <c>Span&lt;T&gt; tY</c> arguments after the input tangents.
    /// </summary>
    public bool Forward { get; set; }

    /// <summary>
    /// Also emit <c>R MJacobian(p1 … pn, Span&lt;T&gt; jacobian)</c>: the method's own result (a layer writes its outputs) and the
    /// row-major Jacobian of its outputs (flattened in parameter order) with respect to its differentiated parameters
    /// (flattened in parameter order).
    /// </summary>
    public bool Jacobian { get; set; }

    /// <summary>
    /// Also emit, for a scalar method, <c>T MHessianVectorProduct(p1 … pn, v1 … vk, g1 … gk, h1 … hk)</c>: the value, the gradient
    /// (as <c>MGradient</c>) and <c>h = H·v</c>, the Hessian–vector product along the directions <c>v</c> (reverse mode over
    /// forward mode); and <c>T MHessian(p1 … pn, Span&lt;T&gt; hessian)</c>: the value and the dense, row-major Hessian over the
    /// differentiated parameters flattened in order. The static methods it calls are inlined first; what cannot be (a
    /// <c>[DerivativeOf]</c> rule, recursion) is BPG032.
    /// </summary>
    public bool Hessian { get; set; }
}
