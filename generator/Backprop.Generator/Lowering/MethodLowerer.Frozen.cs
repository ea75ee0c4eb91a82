using System.Linq;
using Backprop.Generator.Helpers;
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
    /// <summary>
    /// The shape of the frozen variant: its own names and file, internal, first derivatives only; null when a member the
    /// user wrote has one of its names (the caller then reports the call, see <see cref="LowerDifferentiableCall"/>).
    /// </summary>
    private MethodShape? FrozenVariant(MethodShape shape)
    {
        // Callers reach the variant through their pullbacks only: no tangent, Jacobian or Hessian of its own.
        _forward = false;
        _hessianLocation = null;
        string name = shape.Name + FrozenSuffix;
        const string extension = ".g.cs";
        var frozen = shape with
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
        // (No gradient method is emitted for a variant: nothing but generated callers calls it.)
        var names = new[] { frozen.PullbackName, frozen.ForwardName, frozen.ReverseName };
        return names.Any(n => _method.ContainingType.GetMembers(n).Any(m => !SymbolFacts.IsOurOutput(m))) ? null : frozen;
    }

    /// <summary>A call on a frozen sub-module whose callee has no frozen variant: reported at the call, never run with member gradients.</summary>
    private void ReportNoFrozenVariant(Microsoft.CodeAnalysis.Operations.IInvocationOperation invocation, string receiver)
    {
        var target = invocation.TargetMethod;
        string prefix = target.Name + FrozenSuffix;
        ReportUnsupportedExpression(invocation, "a call of '" + target.Name + "' on the frozen ([NoDerivative]) sub-module '" + receiver + "', whose frozen variant (its members as constants) cannot be generated",
            "fix the errors reported on '" + target.Name + "', and rename any member of '" + target.ContainingType.Name + "' named '" + prefix + "Pullback', '"
            + prefix + "Backward', '" + MethodShape.ForwardNameOf(prefix) + "' or '" + MethodShape.ReverseNameOf(prefix) + "'");
    }
}
