using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Backprop.Generator.Diagnostics;
using Backprop.Generator.Ir;
using Backprop.Generator.Analysis;
using Backprop.Generator.Lowering;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Backprop.Generator.Pipeline;

/// <summary>
/// Finds the IR of the methods a <c>Hessian = true</c> or <c>Forward = true</c> method calls, for <see cref="Inliner"/>: a call names its callee by
/// type, name and parameter names (<see cref="CalleeInfo"/>); the callee's analysis is the one its callers' lowering made
/// (cached per compilation).
/// </summary>
internal static class CalleeBodies
{
    private const string DifferentiableAttribute = "Backprop.DifferentiableAttribute";

    /// <summary>
    /// <paramref name="method"/> with <see cref="IrMethod.Inlined"/> set when it calls other methods, or null after adding
    /// BPG032 (second derivatives) or BPG035 (forward mode) to <paramref name="diagnostics"/> when a call cannot be inlined.
    /// </summary>
    public static IrMethod? Inline(IrMethod method, IMethodSymbol symbol, MethodDeclarationSyntax syntax, SemanticModel model, CancellationToken cancellationToken, List<DiagnosticInfo> diagnostics,
        Inliner.Purpose purpose = Inliner.Purpose.SecondDerivatives)
    {
        string mode = purpose == Inliner.Purpose.ForwardMode ? "forward mode" : "second derivatives";
        var compilation = model.Compilation;
        string key = Inliner.Key(symbol.ContainingType.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat), symbol.Name, symbol.Parameters.Select(p => p.Name));

        // A helper called in many places is looked up once.
        var found = new Dictionary<string, (IrMethod? Method, string Why)>();
        IrMethod? Resolve(CalleeInfo callee, IReadOnlyList<IrExpression> arguments, out string why)
        {
            string lookup = Inliner.Key(callee.Target, callee.Name, callee.ParameterNames) + ":" + string.Join(",", arguments.Select(a => a.Type.Keyword));
            if (!found.TryGetValue(lookup, out var known)) found[lookup] = known = (Find(callee, arguments, out string reason), reason);
            why = known.Why;
            return known.Method;
        }

        IrMethod? Find(CalleeInfo callee, IReadOnlyList<IrExpression> arguments, out string why)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (callee.GenericName is { } generic) return FindSpecialized(callee, generic, out why);
            var candidates = compilation.GetSymbolsWithName(callee.Name, SymbolFilter.Member, cancellationToken)
                .OfType<IMethodSymbol>()
                .Where(m => m.ContainingType.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat) == callee.Target
                    && m.Parameters.Select(p => p.Name).SequenceEqual(callee.ParameterNames))
                .ToList();
            // Overloads with the same parameter names: the one whose parameter types are the arguments' (as C# picks an exact match).
            if (candidates.Count > 1)
                candidates = candidates.Where(m => m.Parameters.Select(p => TypeMapping.Map(p.Type)).SequenceEqual(arguments.Select(a => a.Type))).ToList();
            if (candidates.Count != 1)
            {
                why = "whose overloads " + mode + " cannot tell apart; give the overloads different parameter names";
                return null;
            }
            var definition = candidates[0].OriginalDefinition;
            if (definition.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(cancellationToken) is not MethodDeclarationSyntax declaration)
            {
                why = "whose body is not in this compilation";
                return null;
            }
            why = "which cannot be differentiated (see its own diagnostics)";
            return MethodAnalyzer.AnalyzeCallee(definition, declaration, compilation.GetSemanticModel(declaration.SyntaxTree), cancellationToken);
        }

        // A generic callee (F<double>): its specialization, which its callers' lowering made and cached (GenericSpecialization).
        IrMethod? FindSpecialized(CalleeInfo callee, string genericName, out string why)
        {
            var types = callee.TypeArguments.Select(t => (ITypeSymbol)compilation.GetSpecialType(t == "double" ? SpecialType.System_Double : SpecialType.System_Single)).ToArray();
            var generic = compilation.GetSymbolsWithName(genericName, SymbolFilter.Member, cancellationToken)
                .OfType<IMethodSymbol>()
                .Where(m => m.Arity == types.Length && m.ContainingType.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat) == callee.Target
                    && m.Parameters.Select(p => p.Name).SequenceEqual(callee.ParameterNames))
                .ToList();
            why = "whose overloads " + mode + " cannot tell apart; give the overloads different parameter names";
            if (generic.Count != 1 || GenericSpecialization.Of(generic[0].Construct(types), compilation, cancellationToken) is not { } specialized) return null;
            why = "which cannot be differentiated (see its own diagnostics)";
            return MethodAnalyzer.AnalyzeCallee(specialized.Method, specialized.Syntax, specialized.Model, cancellationToken);
        }

        var inlined = Inliner.Inline(method, key, Resolve, out string? limit, purpose);
        if (limit is null) return ReferenceEquals(inlined, method) ? method : method with { Inlined = inlined };
        var attribute = symbol.GetAttributes().FirstOrDefault(a => a.AttributeClass?.ToDisplayString() == DifferentiableAttribute);
        var location = attribute?.ApplicationSyntaxReference?.GetSyntax(cancellationToken).GetLocation() ?? syntax.Identifier.GetLocation();
        var descriptor = purpose == Inliner.Purpose.ForwardMode ? DiagnosticDescriptors.ForwardNotSupported : DiagnosticDescriptors.HessianNotSupported;
        diagnostics.Add(DiagnosticInfo.Create(descriptor, location, symbol.Name, limit));
        return null;
    }
}
