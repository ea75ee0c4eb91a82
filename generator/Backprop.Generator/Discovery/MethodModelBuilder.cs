using System;
using System.Linq;
using System.Threading;
using Backprop.Generator.Analysis;
using Backprop.Generator.Diagnostics;
using Backprop.Generator.Helpers;
using Backprop.Generator.Lowering;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Backprop.Generator.Discovery;

/// <summary>The pipeline's transform: lower, normalize and gate one method; no Roslyn object escapes.</summary>
internal static class MethodModelBuilder
{
    public static MethodModel Build(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        var syntax = (MethodDeclarationSyntax)context.TargetNode;
        var symbol = (IMethodSymbol)context.TargetSymbol;
        string display = symbol.ContainingType.Name + "." + symbol.Name;
        try
        {
            var lowering = new MethodLowerer(symbol, syntax, context.SemanticModel, cancellationToken).Lower();
            var diagnostics = lowering.Diagnostics;
            if (lowering.Method is null || diagnostics.Any(d => DiagnosticDescriptors.ById(d.Id).DefaultSeverity == DiagnosticSeverity.Error))
                return new MethodModel(display, null, diagnostics.ToEquatableArray());

            cancellationToken.ThrowIfCancellationRequested();
            var method = ControlFlowNormalizer.Normalize(lowering.Method);
            var activity = ActivityAnalysis.Run(method);
            SupportGate.Check(method, lowering, activity, diagnostics);
            bool failed = diagnostics.Any(d => DiagnosticDescriptors.ById(d.Id).DefaultSeverity == DiagnosticSeverity.Error);
            if (failed)
            {
                // Activity is unreliable past an error (an unknown call cuts derivative paths): report the errors alone.
                diagnostics.RemoveAll(d => DiagnosticDescriptors.ById(d.Id).DefaultSeverity != DiagnosticSeverity.Error);
            }
            return new MethodModel(display, failed ? null : method, diagnostics.ToEquatableArray());
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            var info = DiagnosticInfo.Create(DiagnosticDescriptors.InternalError, syntax.Identifier.GetLocation(), display, e.GetType().Name + ": " + e.Message);
            return new MethodModel(display, null, new[] { info }.ToEquatableArray());
        }
    }
}
