using System.Collections.Concurrent;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Threading;
using Backprop.Generator.Helpers;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Backprop.Generator.Lowering;

/// <summary>
/// A call of a generic method of the compilation with <c>double</c> or <c>float</c> type arguments
/// (<c>TemplatedFn&lt;double&gt;(x)</c>, <c>ConstantFn(i)</c> with <c>i</c> a <c>float</c>): the method as if written for
/// those types. Its declaration with the type arguments in place of its type parameters becomes a method of its own,
/// <c>TemplatedFnOfDouble</c>, in a copy of the compilation, where it binds, lowers and differentiates as any unmarked
/// callee; generic-math statics on <c>T</c> become those of <c>double</c> (<c>T.Sin</c> is <c>double.Sin</c>, with
/// <c>Math.Sin</c>'s rule; <c>T.CreateChecked(x)</c> a conversion) and <c>T.Zero</c>, <c>T.One</c> numbers. Nothing of
/// the copy reaches the output: the derivatives are emitted under the specialized name, and generated code calls the
/// original as <c>TemplatedFn&lt;double&gt;</c>.
/// </summary>
internal static class GenericSpecialization
{
    /// <summary>The specialized method in its copy of the compilation, and how generated code calls the original.</summary>
    /// <param name="TypeArguments">The type arguments as C# keywords (<c>double</c>, <c>float</c>).</param>
    internal sealed record Specialized(IMethodSymbol Method, MethodDeclarationSyntax Syntax, SemanticModel Model, EquatableArray<string> TypeArguments);

    /// <summary>Specializations per original compilation, by the constructed method's display string (null: not possible).</summary>
    private static readonly ConditionalWeakTable<Compilation, ConcurrentDictionary<string, Specialized?>> s_specialized = new();

    /// <summary>The compilation each copy was made from, so that a copy specializes through its original's table.</summary>
    private static readonly ConditionalWeakTable<Compilation, Compilation> s_originals = new();

    /// <summary>Whether a call of <paramref name="target"/> is one to specialize: generic, with double or float type arguments only.</summary>
    public static bool Applies(IMethodSymbol target) =>
        target.IsGenericMethod && target.TypeArguments.All(t => t.SpecialType is SpecialType.System_Double or SpecialType.System_Single);

    /// <summary>The specialization of <paramref name="target"/>, or null when its declaration cannot be copied.</summary>
    public static Specialized? Of(IMethodSymbol target, Compilation compilation, CancellationToken cancellationToken)
    {
        if (!Applies(target)) return null;
        var original = s_originals.TryGetValue(compilation, out var from) ? from : compilation;
        var table = s_specialized.GetValue(original, _ => new ConcurrentDictionary<string, Specialized?>());
        string key = target.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat) + "(" + string.Join(",", target.Parameters.Select(p => p.Type.ToDisplayString())) + ")";
        if (table.TryGetValue(key, out var known)) return known;
        var built = Build(target, original, cancellationToken);
        return table.GetOrAdd(key, built);
    }

    /// <summary>The name of the specialization: the method's name, <c>Of</c>, and its type arguments (<c>ConstantFnOfFloat</c>).</summary>
    public static string NameOf(IMethodSymbol target) =>
        target.Name + "Of" + string.Concat(target.TypeArguments.Select(t => t.SpecialType == SpecialType.System_Double ? "Double" : "Float"));

    private static Specialized? Build(IMethodSymbol target, Compilation compilation, CancellationToken cancellationToken)
    {
        var definition = target.OriginalDefinition;
        if (definition.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(cancellationToken) is not MethodDeclarationSyntax declaration
            || declaration.Body is null && declaration.ExpressionBody is null)
            return null;
        var model = compilation.GetSemanticModel(declaration.SyntaxTree);
        var substitution = definition.TypeParameters.Select((p, i) => (p, target.TypeArguments[i])).ToDictionary(x => x.p, x => x.Item2, (System.Collections.Generic.IEqualityComparer<ITypeParameterSymbol>)SymbolEqualityComparer.Default);
        string name = NameOf(target);

        // The method, its type parameters written as the type arguments, renamed; its attributes stay with the original.
        var rewritten = (MethodDeclarationSyntax)new Substitution(model, substitution, cancellationToken).Visit(declaration);
        // Removing the constraint clauses keeps the body's lines where they were (comments in generated code count lines).
        int removedLines = declaration.ConstraintClauses.Sum(c => c.ToFullString().Count(ch => ch == '\n'));
        var method = rewritten
            .WithAttributeLists(default)
            .WithModifiers(rewritten.AttributeLists.Count > 0 && rewritten.Modifiers.Count > 0 ? rewritten.Modifiers.Replace(rewritten.Modifiers.First(), rewritten.Modifiers.First().WithLeadingTrivia(rewritten.AttributeLists[0].GetLeadingTrivia())) : rewritten.Modifiers)
            .WithIdentifier(SyntaxFactory.Identifier(name).WithTriviaFrom(rewritten.Identifier))
            .WithTypeParameterList(null)
            .WithConstraintClauses(default);
        method = method.WithParameterList(method.ParameterList.WithTrailingTrivia(method.ParameterList.GetTrailingTrivia()
            .AddRange(Enumerable.Repeat(SyntaxFactory.EndOfLine("\n"), removedLines))));

        // The declarations around it, reduced to the path to the method: partial parts of the same types.
        MemberDeclarationSyntax member = method;
        for (var parent = declaration.Parent; parent is not CompilationUnitSyntax; parent = parent?.Parent)
        {
            switch (parent)
            {
                case TypeDeclarationSyntax type when type.Modifiers.Any(SyntaxKind.PartialKeyword) && type.TypeParameterList is null && !type.Modifiers.Any(SyntaxKind.FileKeyword):
                    member = type.WithAttributeLists(default).WithBaseList(null).WithConstraintClauses(default).WithMembers(SyntaxFactory.SingletonList(member));
                    break;
                case BaseNamespaceDeclarationSyntax ns:
                    member = ns.WithMembers(SyntaxFactory.SingletonList(member));
                    break;
                default:
                    return null;
            }
        }
        var unit = ((CompilationUnitSyntax)declaration.SyntaxTree.GetRoot(cancellationToken))
            .WithAttributeLists(default)
            .WithMembers(SyntaxFactory.SingletonList(member));
        var tree = CSharpSyntaxTree.ParseText(unit.ToFullString(), (CSharpParseOptions)declaration.SyntaxTree.Options, declaration.SyntaxTree.FilePath, cancellationToken: cancellationToken);
        var copy = compilation.AddSyntaxTrees(tree);
        s_originals.Add(copy, compilation);
        var syntax = tree.GetRoot(cancellationToken).DescendantNodes().OfType<MethodDeclarationSyntax>().Single(m => m.Identifier.ValueText == name);
        var copyModel = copy.GetSemanticModel(tree);
        if (copyModel.GetDeclaredSymbol(syntax, cancellationToken) is not { } symbol) return null;
        return new Specialized(symbol, syntax, copyModel, target.TypeArguments.Select(t => t.SpecialType == SpecialType.System_Double ? "double" : "float").ToEquatableArray());
    }

    /// <summary>Writes the type arguments in place of the method's type parameters.</summary>
    private sealed class Substitution : CSharpSyntaxRewriter
    {
        private readonly SemanticModel _model;
        private readonly System.Collections.Generic.Dictionary<ITypeParameterSymbol, ITypeSymbol> _types;
        private readonly CancellationToken _cancellationToken;

        public Substitution(SemanticModel model, System.Collections.Generic.Dictionary<ITypeParameterSymbol, ITypeSymbol> types, CancellationToken cancellationToken)
        {
            _model = model;
            _types = types;
            _cancellationToken = cancellationToken;
        }

        private ITypeSymbol? Argument(SyntaxNode node) =>
            _model.GetSymbolInfo(node, _cancellationToken).Symbol is ITypeParameterSymbol parameter && _types.TryGetValue(parameter, out var type) ? type : null;

        private static TypeSyntax Keyword(ITypeSymbol type) =>
            SyntaxFactory.PredefinedType(SyntaxFactory.Token(type.SpecialType == SpecialType.System_Double ? SyntaxKind.DoubleKeyword : SyntaxKind.FloatKeyword));

        /// <summary>Constraint clauses are dropped: <c>where T : …</c> names the parameter itself.</summary>
        public override SyntaxNode? VisitTypeParameterConstraintClause(TypeParameterConstraintClauseSyntax node) => node;

        public override SyntaxNode? VisitIdentifierName(IdentifierNameSyntax node) =>
            Argument(node) is { } type ? Keyword(type).WithTriviaFrom(node) : base.VisitIdentifierName(node);

        /// <summary>
        /// <c>T.Zero</c>, <c>T.One</c> and the like: double and float implement them explicitly (<c>double.Zero</c> does not
        /// compile), so they are written as numbers.
        /// </summary>
        public override SyntaxNode? VisitMemberAccessExpression(MemberAccessExpressionSyntax node)
        {
            if (node.Expression is IdentifierNameSyntax && Argument(node.Expression) is { } type && Identity(node.Name.Identifier.ValueText) is { } value)
            {
                var number = SyntaxFactory.CastExpression(Keyword(type), SyntaxFactory.LiteralExpression(SyntaxKind.NumericLiteralExpression, SyntaxFactory.Literal(value)));
                return SyntaxFactory.ParenthesizedExpression(number).WithTriviaFrom(node);
            }
            return base.VisitMemberAccessExpression(node);
        }

        private static int? Identity(string member) => member switch
        {
            "Zero" or "AdditiveIdentity" => 0,
            "One" or "MultiplicativeIdentity" => 1,
            "NegativeOne" => -1,
            _ => null,
        };
    }
}
