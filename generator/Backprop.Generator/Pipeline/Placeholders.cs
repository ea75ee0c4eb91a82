using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Backprop.Generator.Diagnostics;
using Backprop.Generator.Differentiation;
using Backprop.Generator.Discovery;
using Backprop.Generator.Emit;
using Backprop.Generator.Helpers;
using Backprop.Generator.Lowering;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Backprop.Generator.Pipeline;

/// <summary>
/// Placeholders for a method whose derivatives are not generated because its body has errors (the compiler's, or the
/// generator's located diagnostics): <c>MGradient</c> and <c>MPullback</c> with the signatures they would have, throwing if
/// ever run. Without them every call of <c>MGradient</c> adds an error of its own (CS0117) to the one that matters, as the
/// Regex generator keeps a pattern's method when the pattern is invalid. Made only where the signature follows from the
/// declaration alone: a static method returning <c>double</c> or <c>float</c> whose parameters are numbers, arrays or spans
/// of numbers, or data; nothing else (a layer, a model's method, structs) gets one.
/// </summary>
internal static class Placeholders
{
    /// <summary>What a placeholder file's second line starts with.</summary>
    public const string Marker = "Backprop.Gen placeholders for the derivatives of";

    private static readonly SymbolDisplayFormat Format =
        SymbolDisplayFormat.FullyQualifiedFormat.AddMiscellaneousOptions(SymbolDisplayMiscellaneousOptions.IncludeNullableReferenceTypeModifier);

    private static bool HasErrorType(ITypeSymbol type) => type switch
    {
        IErrorTypeSymbol => true,
        IArrayTypeSymbol array => HasErrorType(array.ElementType),
        INamedTypeSymbol named => named.TypeArguments.Any(HasErrorType),
        _ => false,
    };

    /// <summary>The placeholder file (its hint name and text, no diagnostics), or null when the declaration does not fix the signatures.</summary>
    public static GeneratedSource? For(IMethodSymbol method, MethodDeclarationSyntax syntax, CancellationToken cancellationToken)
    {
        if (!method.IsStatic || method.IsGenericMethod || TypeMapping.Map(method.ReturnType) is not { IsRealScalar: true } returnType) return null;
        var declarationErrors = new List<DiagnosticInfo>();
        var (shape, _, _) = DeclarationParser.Parse(method, syntax, declarationErrors, cancellationToken);
        // The gradient's and pullback's signatures do not depend on the other modes a method asks for (their own methods
        // get no placeholder: their signatures follow from more than the declaration).
        if (shape is null || declarationErrors.Count > 0) return null;

        var names = new HashSet<string>(method.Parameters.Select(p => p.Name));
        var declared = new List<string>();
        var gradients = new List<(string Name, string Keyword, bool Buffer)>();
        foreach (var parameter in method.Parameters)
        {
            // A type the compiler could not bind (a typo) would only repeat its error in the placeholder.
            if (parameter.RefKind != RefKind.None || parameter.IsParams || HasErrorType(parameter.Type)) return null;
            declared.Add(parameter.Type.ToDisplayString(Format) + " " + Identifiers.Escape(parameter.Name));
            var type = TypeMapping.Map(parameter.Type);
            if (type is null)
            {
                // Data is not differentiated; numbers it could not carry make the signature uncertain.
                if (!SymbolFacts.HasNoDerivative(parameter) && SymbolFacts.HoldsFloatingPoint(parameter.Type)) return null;
                continue;
            }
            if (!type.IsReal || SymbolFacts.HasNoDerivative(parameter)) continue;
            if (type.IsBuffer && parameter.Type is not (IArrayTypeSymbol { Rank: 1 } or INamedTypeSymbol { Name: "Span" or "ReadOnlySpan" })) return null;
            string name = ReverseModeBuilder.GradientNameOf(parameter.Name);
            if (!names.Add(name)) return null;
            gradients.Add((name, type.ScalarKeyword, type.IsBuffer));
        }
        string seed = ReverseModeBuilder.GradientNameOf(method.Name);
        if (!names.Add(seed)) return null;

        string keyword = returnType.ScalarKeyword;
        string modifiers = shape.Accessibility + " static ";
        string before = string.Join(", ", declared);
        string Join(params string[] parts) => string.Join(", ", parts.Where(p => p.Length > 0));
        string gradient = modifiers + keyword + " " + shape.GradientName + "(" + Join(before, string.Join(", ", gradients.Select(g =>
            (g.Buffer ? "global::System.Span<" + g.Keyword + ">" : "out " + g.Keyword) + " " + g.Name))) + ")";
        string pullback = modifiers + keyword + " " + shape.PullbackName + "(" + Join(before, keyword + " " + seed, string.Join(", ", gradients.Select(g =>
            (g.Buffer ? "global::System.Span<" + g.Keyword + ">" : "ref " + g.Keyword) + " " + g.Name))) + ")";

        var writer = new SourceWriter();
        writer.Line("// <auto-generated/>");
        writer.Line("// " + Marker + " " + shape.Name + ", which has errors: only its signatures, so that calls of them compile.");
        writer.Line("#nullable enable");
        writer.Line();
        var scopes = new List<System.IDisposable>();
        if (shape.Namespace.Length > 0) scopes.Add(writer.Block("namespace " + shape.Namespace));
        foreach (var type in shape.ContainingTypes) scopes.Add(writer.Block(type));
        string message = "\"" + shape.Name + " has errors, so its derivatives were not generated: fix the errors the build reports on it.\"";
        foreach (var (signature, what) in new[] { (gradient, "gradient"), (pullback, "pullback") })
        {
            if (what == "pullback") writer.Line();
            writer.Line("/// <summary>");
            writer.Line("/// Placeholder: the " + what + " of <c>" + shape.Name + "</c> is not generated while <c>" + shape.Name + "</c> has errors (see the");
            writer.Line("/// build's errors on it). It only keeps calls of it compiling; it throws if run.");
            writer.Line("/// </summary>");
            writer.Line("[global::System.CodeDom.Compiler.GeneratedCode(\"Backprop.Gen\", \"" + GeneratorVersion.Value + "\")]");
            writer.Line(signature + " =>");
            writer.Line("    throw new global::System.InvalidOperationException(" + message + ");");
        }
        for (int i = scopes.Count - 1; i >= 0; i--) scopes[i].Dispose();
        return new GeneratedSource(shape.HintName, writer.ToString(), EquatableArray<DiagnosticInfo>.Empty);
    }
}
