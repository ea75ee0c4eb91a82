using System.Collections.Immutable;
using System.Composition;
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
/// BPG030: wraps a differentiated argument of a <c>[NoDerivative]</c> parameter in <c>Ad.StopGradient(...)</c>, which
/// returns it unchanged and says, in the code, that its derivative is cut here on purpose (as Swift's fix-it adds
/// <c>withoutDerivative(at:)</c>). The other way out the message gives, removing <c>[NoDerivative]</c> from the callee's
/// parameter, changes the callee's gradient for every caller and is left to the user.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(StopGradientCodeFixProvider)), Shared]
public sealed class StopGradientCodeFixProvider : CodeFixProvider
{
    internal const string EquivalenceKey = "Backprop.StopGradient";

    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticIds.NonDifferentiableArgument);

    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        var model = await context.Document.GetSemanticModelAsync(context.CancellationToken).ConfigureAwait(false);
        if (root is null || model is null) return;
        foreach (var diagnostic in context.Diagnostics)
        {
            var node = root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true);
            var argument = node is ArgumentSyntax wrapper ? wrapper.Expression : node as ExpressionSyntax;
            // Ad.StopGradient takes a double or a float; a span or an array argument has no such one-click fix.
            if (argument is null || model.GetTypeInfo(argument, context.CancellationToken).Type?.SpecialType is not (SpecialType.System_Double or SpecialType.System_Single))
                continue;
            var document = context.Document;
            context.RegisterCodeFix(
                CodeAction.Create($"Cut the derivative through '{argument}' on purpose with Ad.StopGradient", ct => Wrap(document, root, argument, ct), EquivalenceKey),
                diagnostic);
        }
    }

    private static Task<Document> Wrap(Document document, SyntaxNode root, ExpressionSyntax argument, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var stopGradient = SyntaxFactory.ParseExpression("global::Backprop.Ad.StopGradient").WithAdditionalAnnotations(Simplifier.Annotation);
        var call = SyntaxFactory.InvocationExpression(stopGradient, SyntaxFactory.ArgumentList(SyntaxFactory.SingletonSeparatedList(SyntaxFactory.Argument(argument.WithoutTrivia()))))
            .WithTriviaFrom(argument);
        return Task.FromResult(document.WithSyntaxRoot(root.ReplaceNode(argument, call)));
    }
}
