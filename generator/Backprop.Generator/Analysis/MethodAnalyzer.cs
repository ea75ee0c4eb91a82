using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.CompilerServices;
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
    private static readonly ConditionalWeakTable<Compilation, ConcurrentDictionary<ISymbol, (IrMethod? Method, DiagnosticInfo[] Diagnostics)>> s_analysed = new();

    /// <summary>
    /// <see cref="Analyze"/> once per method and compilation: a method is analysed for its own output and again as the
    /// callee of every method that calls it, and binding its body is most of the generator's time.
    /// </summary>
    public static (IrMethod? Method, List<DiagnosticInfo> Diagnostics) AnalyzeOnce(
        IMethodSymbol symbol, MethodDeclarationSyntax syntax, SemanticModel model, CancellationToken cancellationToken, HashSet<IMethodSymbol>? inProgress = null)
    {
        var analysed = s_analysed.GetValue(model.Compilation, _ => new ConcurrentDictionary<ISymbol, (IrMethod?, DiagnosticInfo[])>(SymbolEqualityComparer.Default));
        var definition = symbol.OriginalDefinition;
        if (!analysed.TryGetValue(definition, out var known))
        {
            var (method, diagnostics) = Analyze(definition, syntax, model, cancellationToken, inProgress);
            known = (method, diagnostics.ToArray());
            analysed.TryAdd(definition, known);
        }
        return (known.Method, known.Diagnostics.ToList());
    }

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
