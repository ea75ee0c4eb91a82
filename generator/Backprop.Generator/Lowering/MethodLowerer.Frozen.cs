using Backprop.Generator.Ir;

namespace Backprop.Generator.Lowering;

/// <summary>
/// Frozen sub-modules (PyTorch's <c>requires_grad_(False)</c>, fine-tuning a head on a pretrained encoder): a call of a
/// method that differentiates its members, on a member marked <c>[NoDerivative]</c> (<c>Encoder.Forward(x, h)</c>) or on
/// an element of such a collection, runs a variant of the callee lowered with every member of its <c>this</c> as data
/// (<see cref="_frozen"/>). The gradient flows through the call to its arguments; the variant takes no <c>dThis</c>, so the
/// caller's <c>dThis.Encoder</c> is never read, checked or written. The variant is its own generated method
/// (<c>ForwardFrozenBackward</c>, <c>ForwardFrozenForward</c>, <c>ForwardFrozenReverse</c>), emitted once like the
/// derivatives of unmarked callees, so that the ordinary pullback keeps no test or branch for it and nothing is allocated.
/// </summary>
internal sealed partial class MethodLowerer
{
    /// <summary>The shape of the frozen variant: its own names and file, internal, first derivatives only.</summary>
    private MethodShape FrozenVariant(MethodShape shape)
    {
        // Callers reach the variant through their pullbacks only: no tangent, Jacobian or Hessian of its own.
        _forward = false;
        _hessianLocation = null;
        string name = shape.Name + FrozenSuffix;
        const string extension = ".g.cs";
        return shape with
        {
            Variant = FrozenSuffix,
            GradientName = name + "Gradient",
            PullbackName = name + (shape.IsVoid ? "Backward" : "Pullback"),
            Accessibility = "internal",
            HintName = shape.HintName.Substring(0, shape.HintName.Length - extension.Length) + "." + FrozenSuffix + extension,
            EmitTangent = false,
            EmitJacobian = false,
            EmitHessian = false,
        };
    }
}
