using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Simplification;

namespace Backprop.Generator.CodeFixes;

/// <summary>
/// Marks a parameter <c>[NoDerivative]</c>, an input the gradient treats as a constant: for BPG016 (its derivative is
/// always zero) and BPG034 (its type cannot carry a gradient, so it can only be data). The attribute is written
/// <c>NoDerivative</c> where <c>Backprop</c> is imported, <c>Backprop.NoDerivative</c> where it is not.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(AddNoDerivativeCodeFixProvider)), Shared]
public sealed class AddNoDerivativeCodeFixProvider : CodeFixProvider
{
    internal const string EquivalenceKey = "Backprop.AddNoDerivative";

    public override ImmutableArray<string> FixableDiagnosticIds { get; } =
        ImmutableArray.Create(DiagnosticIds.ZeroDerivative, DiagnosticIds.UndifferentiableParameterType);

    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        if (root is null) return;
        foreach (var diagnostic in context.Diagnostics)
        {
            var parameter = root.FindNode(diagnostic.Location.SourceSpan).AncestorsAndSelf().OfType<ParameterSyntax>().FirstOrDefault();
            if (parameter is null) continue;
            string name = parameter.Identifier.Text;
            string title = diagnostic.Id == DiagnosticIds.ZeroDerivative
                ? $"Mark '{name}' [NoDerivative]: an input that is not trained"
                : $"Mark '{name}' [NoDerivative] to use it as data";
            var document = context.Document;
            context.RegisterCodeFix(CodeAction.Create(title, ct => AddAttribute(document, root, parameter, ct), EquivalenceKey), diagnostic);
        }
    }

    private static Task<Document> AddAttribute(Document document, SyntaxNode root, ParameterSyntax parameter, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        // Fully qualified and marked for the simplifier, which shortens it as far as the file's usings allow.
        var name = SyntaxFactory.ParseName("global::Backprop.NoDerivative").WithAdditionalAnnotations(Simplifier.Annotation);
        var list = SyntaxFactory.AttributeList(SyntaxFactory.SingletonSeparatedList(SyntaxFactory.Attribute(name))).WithTrailingTrivia(SyntaxFactory.Space);
        // The attribute goes first on the parameter and takes over its leading trivia (a line break and indentation
        // when the parameters are one a line); after the parameter's own attributes if it has some.
        var marked = parameter.AttributeLists.Count == 0
            ? parameter.WithoutLeadingTrivia().AddAttributeLists(list).WithLeadingTrivia(parameter.GetLeadingTrivia())
            : parameter.AddAttributeLists(list);
        return Task.FromResult(document.WithSyntaxRoot(root.ReplaceNode(parameter, marked)));
    }
}
