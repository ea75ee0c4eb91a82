using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Backprop.Generator.Diagnostics;
using Backprop.Generator.Helpers;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Backprop.Generator.Pipeline;

/// <summary>
/// Calls, inside a <c>[Differentiable]</c> method, of the derivatives this generator emits (<c>FGradient</c>,
/// <c>FTangent</c>, …): a source generator does not see generated code, so such a name does not bind in its semantic
/// model (CS0103, CS0117, CS1061) although the user's build compiles it. Differentiating it would be a second-order
/// derivative, which the generator does not do through a call: BPG033 says so at the call, with what to write instead.
/// </summary>
internal static class GeneratedDerivativeCalls
{
    private static readonly string[] s_suffixes = { "Gradient", "Pullback", "Backward", "Forward", "Reverse", "Tangent", "Jacobian", "HessianVectorProduct", "Hessian" };

    /// <summary>One BPG033 per error that is such a call; the caller reports them only when every error is one.</summary>
    public static List<DiagnosticInfo> Find(List<Diagnostic> errors, MethodDeclarationSyntax method, SemanticModel model, CancellationToken cancellationToken)
    {
        var found = new List<DiagnosticInfo>();
        foreach (var error in errors)
        {
            if (error.Id is not ("CS0103" or "CS0117" or "CS1061")) continue;
            if (method.FindNode(error.Location.SourceSpan, getInnermostNodeForTie: true) is not SimpleNameSyntax name) continue;
            var type = name.Parent is MemberAccessExpressionSyntax access && access.Name == name
                ? model.GetSymbolInfo(access.Expression, cancellationToken).Symbol as INamedTypeSymbol ?? model.GetTypeInfo(access.Expression, cancellationToken).Type as INamedTypeSymbol
                : model.GetEnclosingSymbol(name.SpanStart, cancellationToken)?.ContainingType;
            if (type is null || OriginalOf(type, name.Identifier.ValueText) is not { } original) continue;
            found.Add(DiagnosticInfo.Create(DiagnosticDescriptors.SecondOrderCall, name.GetLocation(), name.Identifier.ValueText, original));
        }
        return found;
    }

    /// <summary>The <c>[Differentiable]</c> method of <paramref name="type"/> (or a type around it) whose derivative is called <paramref name="name"/>.</summary>
    private static string? OriginalOf(INamedTypeSymbol type, string name)
    {
        for (var t = type; t is not null; t = t.ContainingType)
            foreach (var member in t.GetMembers().OfType<IMethodSymbol>())
            {
                var attribute = member.GetAttributes().FirstOrDefault(a => a.AttributeClass?.ToDisplayString() == "Backprop.DifferentiableAttribute");
                if (attribute is null) continue;
                if (s_suffixes.Any(s => name == member.Name + s)) return member.Name;
                if (attribute.NamedArguments.Any(a => a.Key == "GradientName" && a.Value.Value as string == name)) return member.Name;
            }
        return null;
    }
}
