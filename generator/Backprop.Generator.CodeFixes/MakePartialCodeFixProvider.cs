using System.Collections.Generic;
using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Backprop.Generator.CodeFixes;

/// <summary>
/// BPG001: declares <c>partial</c> the type of a <c>[Differentiable]</c> method and every type around it that is not,
/// so that the generated gradient can be added beside the method. <c>partial</c> changes nothing at run time.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(MakePartialCodeFixProvider)), Shared]
public sealed class MakePartialCodeFixProvider : CodeFixProvider
{
    internal const string EquivalenceKey = "Backprop.MakePartial";

    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticIds.TypeNotPartial);

    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        if (root is null) return;
        // A method in two non-partial types gets a BPG001 for each, both on its name: one action fixes them all.
        foreach (var group in context.Diagnostics.GroupBy(d => MethodAt(root, d)))
        {
            if (group.Key is not { } method) continue;
            var types = method.Ancestors().OfType<TypeDeclarationSyntax>().Where(t => !t.Modifiers.Any(SyntaxKind.PartialKeyword)).ToList();
            if (types.Count == 0) continue;
            var document = context.Document;
            context.RegisterCodeFix(
                CodeAction.Create(Title(types), _ => Task.FromResult(document.WithSyntaxRoot(root.ReplaceNodes(types, (_, type) => WithPartial(type)))), EquivalenceKey),
                group.ToImmutableArray());
        }
    }

    private static MethodDeclarationSyntax? MethodAt(SyntaxNode root, Diagnostic diagnostic) =>
        root.FindToken(diagnostic.Location.SourceSpan.Start).Parent?.AncestorsAndSelf().OfType<MethodDeclarationSyntax>().FirstOrDefault();

    /// <summary>"Make 'Model' partial", "Make 'Inner' and 'Outer' partial": innermost first, as the user reads the error.</summary>
    private static string Title(IReadOnlyList<TypeDeclarationSyntax> types)
    {
        var names = types.Select(t => "'" + t.Identifier.Text + "'").ToList();
        string list = names.Count == 1 ? names[0] : string.Join(", ", names.Take(names.Count - 1)) + " and " + names[names.Count - 1];
        return "Make " + list + " partial";
    }

    /// <summary>
    /// <c>partial</c> goes last among the modifiers, right before <c>class</c>, <c>struct</c>, <c>record</c> or
    /// <c>interface</c> (CS0267). With no modifiers it takes over the keyword's leading trivia (indentation, comments).
    /// </summary>
    private static TypeDeclarationSyntax WithPartial(TypeDeclarationSyntax type)
    {
        if (type.Modifiers.Count > 0)
            return (TypeDeclarationSyntax)type.WithModifiers(type.Modifiers.Add(SyntaxFactory.Token(SyntaxKind.PartialKeyword).WithTrailingTrivia(SyntaxFactory.Space)));
        var keyword = type.Keyword;
        var partial = SyntaxFactory.Token(keyword.LeadingTrivia, SyntaxKind.PartialKeyword, SyntaxFactory.TriviaList(SyntaxFactory.Space));
        return (TypeDeclarationSyntax)type.WithKeyword(keyword.WithLeadingTrivia()).WithModifiers(SyntaxFactory.TokenList(partial));
    }
}
