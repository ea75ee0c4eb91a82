namespace Backprop;

/// <summary>
/// Differentiable operations with hand-written, vectorized kernels and reverse rules (<see cref="DerivativeOfAttribute"/>),
/// for use inside <see cref="DifferentiableAttribute"/> methods where a scalar loop would be slow: the generated gradient
/// calls the kernel in its forward sweep and the rule in its reverse sweep.
/// </summary>
public static partial class Ops
{
    // The operations are in Ops.*.cs, one family a file; their kernels share Numerics/Lanes.cs and Kernels/.
}
