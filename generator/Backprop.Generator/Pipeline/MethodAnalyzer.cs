using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Threading;
using Backprop.Generator.Diagnostics;
using Backprop.Generator.Helpers;
using Backprop.Generator.Ir;
using Backprop.Generator.Analysis;
using Backprop.Generator.Lowering;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Backprop.Generator.Pipeline;

/// <summary>The methods being analysed up a call chain (a call back into one is a cycle), and how many cycles were cut.</summary>
internal sealed class AnalysisChain : HashSet<IMethodSymbol>
{
    public AnalysisChain()
        : base(SymbolEqualityComparer.Default)
    {
    }

    public int Cuts { get; set; }

    /// <summary>The frozen variants being analysed up the chain (see <c>MethodLowerer</c>'s <c>frozen</c>): a cycle of their own.</summary>
    public HashSet<IMethodSymbol> Frozen { get; } = new(SymbolEqualityComparer.Default);

    /// <summary>The chain of the methods or of their frozen variants.</summary>
    public HashSet<IMethodSymbol> For(bool frozen) => frozen ? Frozen : this;
}

/// <summary>
/// The pipeline for one method: lower it (following its calls through <see cref="Callees"/>), normalize and gate it: the
/// IR when it can be differentiated, and its diagnostics. Each stage it runs depends only on the stages before it.
/// </summary>
internal static class MethodAnalyzer
{
    private static readonly ConditionalWeakTable<Compilation, ConcurrentDictionary<ISymbol, Analysis>> s_analysed = new();

    /// <summary>The frozen variants (a call on a <c>[NoDerivative]</c> sub-module), analysed once like the methods.</summary>
    private static readonly ConditionalWeakTable<Compilation, ConcurrentDictionary<ISymbol, Analysis>> s_frozen = new();

    /// <summary>A method's analysis; <paramref name="ForCallersOnly"/> when it cut a call cycle as a callee.</summary>
    private sealed record Analysis(IrMethod? Method, DiagnosticInfo[] Diagnostics, bool ForCallersOnly);

    /// <summary>
    /// <see cref="Analyze"/> once per method and compilation: a method is analysed for its own output and again as the
    /// callee of every method that calls it, and binding its body is most of the generator's time. An analysis as a
    /// callee that met a method being analysed up the chain (lowered for its shape only) depends on that chain, so it
    /// serves only other callers; the method's own output gets an analysis of its own.
    /// </summary>
    /// <param name="frozen">The variant a call on a <c>[NoDerivative]</c> sub-module runs, whose members are data (for callers only).</param>
    public static (IrMethod? Method, List<DiagnosticInfo> Diagnostics) AnalyzeOnce(
        IMethodSymbol symbol, MethodDeclarationSyntax syntax, SemanticModel model, CancellationToken cancellationToken, AnalysisChain? inProgress = null, bool frozen = false)
    {
        var analysed = (frozen ? s_frozen : s_analysed).GetValue(model.Compilation, _ => new ConcurrentDictionary<ISymbol, Analysis>(SymbolEqualityComparer.Default));
        var definition = symbol.OriginalDefinition;
        bool own = inProgress is null;
        if (analysed.TryGetValue(definition, out var known) && !(own && known.ForCallersOnly))
            return (known.Method, known.Diagnostics.ToList());

        var chain = inProgress ?? new AnalysisChain();
        int cuts = chain.Cuts;
        var (method, diagnostics) = Analyze(definition, syntax, model, cancellationToken, chain, frozen);
        // Its lowering put it on the chain; analysed, it is no longer up the chain of the caller's other calls (a second
        // call of it would otherwise be taken for a cycle and lowered without its callees).
        if (!own) chain.For(frozen).Remove(definition);
        analysed[definition] = new Analysis(method, diagnostics.ToArray(), ForCallersOnly: !own && chain.Cuts != cuts);
        return (method, diagnostics);
    }

    /// <summary>
    /// <see cref="AnalyzeOnce"/> for the method's own generated code. Second derivatives are built over one body: for
    /// <c>Hessian = true</c> the methods it calls are inlined into it (BPG032 when they cannot be). Forward mode follows a
    /// call through the callee's own <c>MTangent</c>; for <c>Forward = true</c> on a method that calls a callee without one,
    /// the callees without one are inlined (BPG035 when they cannot be). Callers and the BPG016 analyzer never need that,
    /// so the cache keeps the method as it is.
    /// </summary>
    public static (IrMethod? Method, List<DiagnosticInfo> Diagnostics) AnalyzeForOutput(
        IMethodSymbol symbol, MethodDeclarationSyntax syntax, SemanticModel model, CancellationToken cancellationToken)
    {
        var (method, diagnostics) = AnalyzeOnce(symbol, syntax, model, cancellationToken);
        if (method is { Shape.EmitHessian: true })
            method = CalleeBodies.Inline(method, symbol.OriginalDefinition, syntax, model, cancellationToken, diagnostics);
        else if (method is { Shape.EmitTangent: true } && CallsWithoutTangent(method))
            method = CalleeBodies.Inline(method, symbol.OriginalDefinition, syntax, model, cancellationToken, diagnostics, Inliner.Purpose.ForwardMode);
        else if (method is not null && WantsForwardSweeps(method.Shape) && CallsWithoutTangent(method))
        {
            // Forward sweeps are the Jacobian's choice, not the user's: a call forward mode cannot follow reports nothing,
            // and the Jacobian keeps its reverse sweeps (no Inlined body: see SourceBuilder).
            method = CalleeBodies.Inline(method, symbol.OriginalDefinition, syntax, model, cancellationToken, new List<DiagnosticInfo>(), Inliner.Purpose.ForwardMode) ?? method;
        }
        // A layer's Jacobian takes its forward sweeps in vector mode over a body without calls: every callee inlined.
        if (method is { Shape: { EmitJacobian: true, IsVoid: true, HasThisGradient: false } } && HasCalls(method)
            && CalleeBodies.Inline(method, symbol.OriginalDefinition, syntax, model, cancellationToken, new List<DiagnosticInfo>()) is { Inlined: { } body })
            method = method with { FullyInlined = body };
        return (method, diagnostics);
    }

    /// <summary>
    /// <c>Jacobian = true</c> on a layer without <c>Forward = true</c>: its Jacobian takes forward sweeps for tall shapes
    /// through a private tangent, when forward mode can follow the method.
    /// </summary>
    public static bool WantsForwardSweeps(MethodShape shape) =>
        shape is { EmitJacobian: true, EmitTangent: false, IsVoid: true, HasThisGradient: false };

    /// <summary>Whether the method calls another differentiated method (a layer or a value-returning call).</summary>
    public static bool HasCalls(IrMethod method) => Calls(method, _ => true);

    /// <summary>Whether the method calls a callee that has no forward mode of its own.</summary>
    public static bool CallsWithoutTangent(IrMethod method) => Calls(method, callee => !callee.HasTangent);

    private static bool Calls(IrMethod method, System.Func<CalleeInfo, bool> which)
    {
        bool found = false;
        foreach (var statement in method.Body)
            IrWalker.VisitStatements(statement, s =>
            {
                found |= s is IrCallStatement call && which(call.Callee);
                IrWalker.VisitStatement(s, e => found |= e is IrDifferentiableCall d && which(d.Callee));
            });
        return found;
    }

    /// <summary>A callee's IR for inlining: analysed as a callee (cached, shared with the callers' lowering), never inlined itself.</summary>
    public static IrMethod? AnalyzeCallee(IMethodSymbol symbol, MethodDeclarationSyntax syntax, SemanticModel model, CancellationToken cancellationToken) =>
        AnalyzeOnce(symbol, syntax, model, cancellationToken, new AnalysisChain()).Method;

    public static (IrMethod? Method, List<DiagnosticInfo> Diagnostics) Analyze(
        IMethodSymbol symbol, MethodDeclarationSyntax syntax, SemanticModel model, CancellationToken cancellationToken, AnalysisChain? inProgress = null, bool frozen = false)
    {
        // Code the compiler rejects gets the compiler's errors only: nothing generated, nothing more reported.
        // The compiler's answer is asked only of a method the cheap screen suspects, or whose lowering reports something.
        bool suspected = CompileErrors.Suspected(symbol, syntax, model, cancellationToken);
        if (suspected && CompilerErrors(syntax, model, cancellationToken) is { } reported) return (null, reported);
        var chain = inProgress ?? new AnalysisChain();
        chain.For(frozen).Add(symbol.OriginalDefinition);
        var lowering = new MethodLowerer(symbol, syntax, model, cancellationToken, Callees(chain, cancellationToken), frozen).Lower();
        if (lowering.InlinedCodeHasErrors) return (null, new List<DiagnosticInfo>());
        if (!suspected && lowering.Diagnostics.Count > 0 && CompilerErrors(syntax, model, cancellationToken) is { } late) return (null, late);
        var diagnostics = lowering.Diagnostics;
        // One construct lowered to several IR nodes (a struct's leaves) is reported once.
        diagnostics = diagnostics.Distinct().ToList();
        if (lowering.Method is null || HasErrors(diagnostics)) return (null, diagnostics);

        cancellationToken.ThrowIfCancellationRequested();
        var hoisted = ConditionalHoisting.Apply(lowering.Method, (old, rebuilt) =>
        {
            if (lowering.ExpressionLocations.TryGetValue(old, out var location)) lowering.ExpressionLocations[rebuilt] = location;
        });
        var method = ControlFlowNormalizer.Normalize(hoisted);
        if (lowering.Epilogue.Count > 0) method = method with { Body = method.Body.Concat(lowering.Epilogue).ToEquatableArray() };
        var activity = ActivityAnalysis.Run(method);
        SupportGate.Check(method, lowering, activity, diagnostics);
        diagnostics = diagnostics.Distinct().ToList();
        if (!HasErrors(diagnostics)) return (method, diagnostics);

        // Activity is unreliable past an error (an unknown call cuts derivative paths): report the errors alone.
        diagnostics.RemoveAll(d => DiagnosticDescriptors.ById(d.Id).DefaultSeverity != DiagnosticSeverity.Error);
        return (null, diagnostics);
    }

    /// <summary>
    /// How the lowering of a method up <paramref name="chain"/> gets its callees: analysed once like any method, except a
    /// callee already up the chain (recursion), lowered for its shape only, without following its calls.
    /// </summary>
    private static CalleeAnalyzer Callees(AnalysisChain chain, CancellationToken cancellationToken) =>
        (IMethodSymbol definition, MethodDeclarationSyntax syntax, SemanticModel model, bool frozen, out bool cut) =>
        {
            cut = chain.For(frozen).Contains(definition);
            if (!cut) return AnalyzeOnce(definition, syntax, model, cancellationToken, chain, frozen).Method;
            chain.Cuts++;
            return new MethodLowerer(definition, syntax, model, cancellationToken, callees: null, frozen).Lower().Method;
        };

    /// <summary>
    /// Null when the method has no compile errors; else what to report: nothing (the compiler reports them), except for
    /// calls of derivatives this generator emits (FGradient), which do not bind here since generators do not see generated
    /// code, while the user's build compiles them: a second-order derivative, reported as such.
    /// </summary>
    private static List<DiagnosticInfo>? CompilerErrors(MethodDeclarationSyntax syntax, SemanticModel model, CancellationToken cancellationToken)
    {
        var errors = CompileErrors.Of(syntax, model, cancellationToken);
        if (errors.Count == 0) return null;
        var secondOrder = GeneratedDerivativeCalls.Find(errors, syntax, model, cancellationToken);
        return secondOrder.Count == errors.Count ? secondOrder : new List<DiagnosticInfo>();
    }

    private static bool HasErrors(List<DiagnosticInfo> diagnostics) =>
        diagnostics.Any(d => DiagnosticDescriptors.ById(d.Id).DefaultSeverity == DiagnosticSeverity.Error);
}
