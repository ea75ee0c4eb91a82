using System.Collections.Immutable;
using System.Linq;
using Backprop.Generator.Diagnostics;
using Backprop.Generator.Pipeline;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Backprop.Generator;

/// <summary>
/// Reports BPG016 (a differentiated parameter cannot influence the result). It is an analyzer rather than a
/// generator diagnostic so that users can suppress it the usual ways: <c>#pragma</c>, <c>.editorconfig</c>,
/// <c>[SuppressMessage]</c> or <c>NoWarn</c>. It runs the same analysis as the generator.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class ZeroDerivativeAnalyzer : DiagnosticAnalyzer
{
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(DiagnosticDescriptors.ZeroDerivative);

    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterSyntaxNodeAction(Analyze, SyntaxKind.MethodDeclaration);
    }

    private static void Analyze(SyntaxNodeAnalysisContext context)
    {
        var syntax = (MethodDeclarationSyntax)context.Node;
        if (syntax.AttributeLists.Count == 0) return;
        if (context.SemanticModel.GetDeclaredSymbol(syntax, context.CancellationToken) is not IMethodSymbol method) return;
        if (!method.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == "Backprop.DifferentiableAttribute")) return;
        try
        {
            var (_, diagnostics) = MethodAnalyzer.AnalyzeOnce(method, syntax, context.SemanticModel, context.CancellationToken);
            foreach (var diagnostic in diagnostics.Where(d => d.Id == DiagnosticDescriptors.ZeroDerivative.Id && d.Location is not null))
            {
                // A location in the analysed tree (not a file path) is what lets #pragma and .editorconfig apply.
                var span = new Microsoft.CodeAnalysis.Text.TextSpan(diagnostic.Location!.Start, diagnostic.Location.Length);
                var arguments = diagnostic.Arguments.Cast<object>().ToArray();
                context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.ZeroDerivative, Location.Create(syntax.SyntaxTree, span), arguments));
            }
        }
        catch (System.Exception e) when (e is not System.OperationCanceledException)
        {
            // The generator reports failures of the same analysis as BPG017; the analyzer stays silent.
        }
    }
}
