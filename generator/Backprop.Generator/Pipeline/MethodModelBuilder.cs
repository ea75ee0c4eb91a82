using System;
using System.Threading;
using Backprop.Generator.Diagnostics;
using Backprop.Generator.Discovery;
using Backprop.Generator.Helpers;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Backprop.Generator.Pipeline;

/// <summary>The pipeline's transform: analyse one method into a model; no Roslyn object escapes, no exception either.</summary>
internal static class MethodModelBuilder
{
    public static MethodModel Build(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        var syntax = (MethodDeclarationSyntax)context.TargetNode;
        var symbol = (IMethodSymbol)context.TargetSymbol;
        string display = symbol.ContainingType.Name + "." + symbol.Name;
        try
        {
            var (method, diagnostics) = MethodAnalyzer.AnalyzeForOutput(symbol, syntax, context.SemanticModel, cancellationToken);
            // BPG016 is reported by ZeroDerivativeAnalyzer, where #pragma and .editorconfig can suppress it.
            diagnostics.RemoveAll(d => d.Id == DiagnosticDescriptors.ZeroDerivative.Id);
            return new MethodModel(display, method, diagnostics.ToEquatableArray(), method is null ? null : ModelRegistration.Of(symbol, context.SemanticModel.Compilation),
                method is null ? Placeholders.For(symbol, syntax, cancellationToken) : null);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            var info = DiagnosticInfo.Create(DiagnosticDescriptors.InternalError, syntax.Identifier.GetLocation(), display, e.GetType().Name + ": " + e.Message);
            return new MethodModel(display, null, new[] { info }.ToEquatableArray());
        }
    }
}
