using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Backprop.Generator.Diagnostics;
using Backprop.Generator.Ir;
using Backprop.Generator.Lowering;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Backprop.Generator.Analysis;

/// <summary>Lower, normalize and gate one method: the IR when it can be differentiated, and its diagnostics.</summary>
internal static class MethodAnalyzer
{
    public static (IrMethod? Method, List<DiagnosticInfo> Diagnostics) Analyze(
        IMethodSymbol symbol, MethodDeclarationSyntax syntax, SemanticModel model, CancellationToken cancellationToken, HashSet<IMethodSymbol>? inProgress = null)
    {
        var lowering = new MethodLowerer(symbol, syntax, model, cancellationToken, inProgress).Lower();
        var diagnostics = lowering.Diagnostics;
        if (lowering.Method is null || HasErrors(diagnostics)) return (null, diagnostics);

        cancellationToken.ThrowIfCancellationRequested();
        var method = ControlFlowNormalizer.Normalize(lowering.Method);
        var activity = ActivityAnalysis.Run(method);
        SupportGate.Check(method, lowering, activity, diagnostics);
        if (!HasErrors(diagnostics)) return (method, diagnostics);

        // Activity is unreliable past an error (an unknown call cuts derivative paths): report the errors alone.
        diagnostics.RemoveAll(d => DiagnosticDescriptors.ById(d.Id).DefaultSeverity != DiagnosticSeverity.Error);
        return (null, diagnostics);
    }

    private static bool HasErrors(List<DiagnosticInfo> diagnostics) =>
        diagnostics.Any(d => DiagnosticDescriptors.ById(d.Id).DefaultSeverity == DiagnosticSeverity.Error);
}
