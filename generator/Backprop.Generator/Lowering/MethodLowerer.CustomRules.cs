using System.Collections.Generic;
using System.Linq;
using Backprop.Generator.Diagnostics;
using Backprop.Generator.Helpers;
using Backprop.Generator.Ir;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Backprop.Generator.Lowering;

/// <summary>Calls of methods with a <c>[DerivativeOf]</c> rule, and <c>Ad.StopGradient</c>.</summary>
internal sealed partial class MethodLowerer
{
    /// <summary><c>Backprop.Ad.StopGradient</c>: an opaque call through which no derivative flows, on purpose.</summary>
    internal const string StopGradient = "global::Backprop.Ad.StopGradient";

    /// <summary>
    /// A call of a method that has a <c>[DerivativeOf]</c> rule: the forward sweep calls the original, the reverse sweep
    /// the rule. A rule whose parameters do not match is a located error naming the signature it must have.
    /// </summary>
    private IrExpression? LowerCustomRuleCall(IInvocationOperation invocation, IrType? type, List<IrExpression> arguments)
    {
        var target = invocation.TargetMethod;
        if (_forward)
        {
            ReportUnsupportedExpression(invocation, "a call with a [DerivativeOf] rule in a method with Forward = true (a rule gives no tangent yet)",
                "remove Forward = true");
            return null;
        }
        bool Differentiable(IParameterSymbol p) => TypeMapping.Map(p.Type) is { IsReal: true } && p.RefKind is RefKind.None or RefKind.In && !SymbolFacts.HasNoDerivative(p);
        var expected = CustomRules.ExpectedParameters(target, _model.Compilation, Differentiable);
        var rules = CustomRules.For(_model.Compilation, target);
        var matching = rules.Where(r => CustomRules.Matches(r, expected)).ToList();
        if (matching.Count > 1)
        {
            ReportUnsupportedExpression(invocation, "a call of '" + target.Name + "', for which the rules '" + string.Join("' and '", matching.Select(r => r.ContainingType.Name + "." + r.Name)) + "' both match",
                "keep one [DerivativeOf] rule per method");
            return null;
        }
        var rule = matching.FirstOrDefault();
        if (rule is not null && !_model.Compilation.IsSymbolAccessibleWithin(rule, _method.ContainingType))
        {
            ReportUnsupportedExpression(invocation, "a call of '" + target.Name + "', whose [DerivativeOf] rule '" + rule.ContainingType.Name + "." + rule.Name + "' is not accessible here",
                "make the rule and its type internal or public");
            return null;
        }
        if (rule is null)
        {
            var wrong = rules[0];
            string signature = "static void " + wrong.Name + "(" + string.Join(", ", expected.Select(e => e.Spelling)) + ")";
            Report(DiagnosticDescriptors.CustomRuleMismatch, wrong.Locations.FirstOrDefault() ?? invocation.Syntax.GetLocation(),
                wrong.Name, target.ContainingType.Name + "." + target.Name + "(" + string.Join(", ", target.Parameters.Select(p => p.Type.ToDisplayString())) + ")", signature);
            return null;
        }
        if (!target.IsStatic || (type is not { IsRealScalar: true } && !target.ReturnsVoid) || target.IsGenericMethod)
        {
            ReportUnsupportedExpression(invocation, "a call of '" + target.Name + "', whose [DerivativeOf] rule is for a method that is not static, or returns something other than double, float or void",
                "give the rule to a static method that returns double or float, or a static void layer");
            return null;
        }
        for (int i = 0; i < arguments.Count; i++)
        {
            if (arguments[i].Type.IsBuffer && arguments[i] is not (IrRead or IrSlice))
            {
                ReportUnsupportedExpression(invocation.Arguments[i], "a buffer expression passed to '" + target.Name + "'", "pass a buffer parameter or local directly");
                return null;
            }
        }
        var active = target.Parameters.Select(Differentiable).ToEquatableArray();
        var callee = new CalleeInfo(
            target.ContainingType.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat),
            target.Name,
            rule.ContainingType.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat) + "." + Identifiers.Escape(rule.Name),
            active,
            target.Parameters.Select(CustomRules.IsOutput).ToEquatableArray(),
            target.Parameters.Select(p => p.Name).ToEquatableArray(),
            CustomRule: true);
        return Located(new IrDifferentiableCall(type ?? IrType.Double, callee, arguments.ToEquatableArray()), invocation);
    }
}
