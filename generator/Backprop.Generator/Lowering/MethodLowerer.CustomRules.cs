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

    /// <summary>
    /// A call of a method that has a <c>[DerivativeOf]</c> rule: the forward sweep calls the original, the reverse sweep
    /// the rule, forward mode its tangent rule (a value-returning one, when there is one). A rule whose parameters do not
    /// match is a located error naming the signature it must have.
    /// </summary>
    private IrExpression? LowerCustomRuleCall(IInvocationOperation invocation, IrType? type, List<IrExpression> arguments)
    {
        var target = invocation.TargetMethod;
        bool Differentiable(IParameterSymbol p) => TypeMapping.Map(p.Type) is { IsReal: true } && p.RefKind is RefKind.None or RefKind.In && !SymbolFacts.HasNoDerivative(p);
        var all = CustomRules.For(_model.Compilation, target);
        // Tangent rules return the value (the shape of an MTangent); reverse rules return void.
        var tangentRules = target.ReturnsVoid ? new List<IMethodSymbol>() : all.Where(CustomRules.IsTangentRule).ToList();
        var tangentExpected = target.ReturnsVoid ? null : CustomRules.ExpectedTangentParameters(target, _model.Compilation, Differentiable);
        var tangentMatching = tangentRules.Where(r => CustomRules.MatchesTangent(r, target, tangentExpected!)).ToList();
        var tangentRule = tangentMatching.FirstOrDefault();
        if (tangentRules.FirstOrDefault(r => !tangentMatching.Contains(r, SymbolEqualityComparer.Default)) is { } wrongTangent)
        {
            Report(DiagnosticDescriptors.CustomRuleMismatch, wrongTangent.Locations.FirstOrDefault() ?? invocation.Syntax.GetLocation(),
                wrongTangent.Name, target.ContainingType.Name + "." + target.Name + "(" + string.Join(", ", target.Parameters.Select(p => p.Type.ToDisplayString())) + ")",
                "static " + target.ReturnType.ToDisplayString() + " " + wrongTangent.Name + "(" + string.Join(", ", tangentExpected!.Select(e => e.Spelling)) + ")");
            return null;
        }
        if (tangentMatching.Count > 1)
        {
            ReportUnsupportedExpression(invocation, "a call of '" + target.Name + "', for which the tangent rules '" + string.Join("' and '", tangentRules.Select(r => r.ContainingType.Name + "." + r.Name)) + "' both match",
                "keep one [DerivativeOf] tangent rule per method");
            return null;
        }
        if (tangentRule is not null && !_model.Compilation.IsSymbolAccessibleWithin(tangentRule, _method.ContainingType))
        {
            ReportUnsupportedExpression(invocation, "a call of '" + target.Name + "', whose [DerivativeOf] tangent rule '" + tangentRule.ContainingType.Name + "." + tangentRule.Name + "' is not accessible here",
                "make the rule and its type internal or public");
            return null;
        }
        if (_forward && tangentRule is null)
        {
            if (target.ReturnsVoid)
                ReportUnsupportedExpression(invocation, "a call of the layer '" + target.Name + "', whose [DerivativeOf] rule gives no tangent (tangent rules are for value-returning methods), in a method with Forward = true",
                    "remove Forward = true, or call a value-returning method instead");
            else
                ReportUnsupportedExpression(invocation, "a call of '" + target.Name + "', which has a [DerivativeOf] reverse rule but no tangent rule, in a method with Forward = true",
                    "add a tangent rule '[DerivativeOf(typeof(" + target.ContainingType.Name + "), nameof(" + target.ContainingType.Name + "." + target.Name + "))] static " + target.ReturnType.ToDisplayString() + " "
                    + target.Name + "Tangent(" + string.Join(", ", tangentExpected!.Select(e => e.Spelling)) + ")', or remove Forward = true");
            return null;
        }
        var expected = CustomRules.ExpectedParameters(target, _model.Compilation, Differentiable);
        var rules = all.Where(r => !tangentRules.Contains(r, SymbolEqualityComparer.Default)).ToList();
        if (rules.Count == 0)
        {
            // A tangent rule alone: the gradient, which every [Differentiable] method gets, needs the reverse rule too.
            ReportUnsupportedExpression(invocation, "a call of '" + target.Name + "', which has a [DerivativeOf] tangent rule but no reverse rule (a gradient needs one)",
                "add a reverse rule '[DerivativeOf(typeof(" + target.ContainingType.Name + "), nameof(" + target.ContainingType.Name + "." + target.Name + "))] static void "
                + target.Name + "Reverse(" + string.Join(", ", expected.Select(e => e.Spelling)) + ")'");
            return null;
        }
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
        // The outputs whose adjoints the rule only reads (ReadOnlySpan<T>): their original overwrote all of them, so the
        // caller clears them after the rule; a Span<T> adjoint the rule consumes itself.
        int output = target.Parameters.Length;
        var cleared = target.Parameters.Select(p => CustomRules.IsOutput(p) && !CustomRules.Consumes(rule, expected, output++)).ToEquatableArray();
        var callee = new CalleeInfo(
            target.ContainingType.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat),
            target.Name,
            rule.ContainingType.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat) + "." + Identifiers.Escape(rule.Name),
            active,
            target.Parameters.Select(CustomRules.IsOutput).ToEquatableArray(),
            target.Parameters.Select(p => p.Name).ToEquatableArray(),
            CustomRule: true,
            ClearedOutputs: cleared,
            HasTangent: tangentRule is not null,
            TangentRule: tangentRule is null ? null : tangentRule.ContainingType.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat) + "." + Identifiers.Escape(tangentRule.Name),
            IsStatic: true,
            Public: SymbolFacts.IsPublicEverywhere(tangentRule ?? rule),
            // A hand-written rule's partials are opaque: they may be infinite where the original is finite.
            Singular: true);
        return Located(new IrDifferentiableCall(type ?? IrType.Double, callee, arguments.ToEquatableArray()), invocation);
    }
}
