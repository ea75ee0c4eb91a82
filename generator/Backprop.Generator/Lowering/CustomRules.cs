using System.Collections.Generic;
using System.Linq;
using System.Runtime.CompilerServices;
using Microsoft.CodeAnalysis;

namespace Backprop.Generator.Lowering;

/// <summary>
/// The hand-written reverse rules of the compilation: static methods marked <c>[DerivativeOf(typeof(T), nameof(T.M))]</c>,
/// indexed once per compilation by the original's type and name.
/// </summary>
internal static class CustomRules
{
    public const string AttributeName = "Backprop.DerivativeOfAttribute";

    private static readonly ConditionalWeakTable<Compilation, Dictionary<(ISymbol Type, string Name), List<IMethodSymbol>>> s_index = new();

    /// <summary>The rules declared for methods named like <paramref name="original"/> in its type (overloads included).</summary>
    public static IReadOnlyList<IMethodSymbol> For(Compilation compilation, IMethodSymbol original)
    {
        var index = s_index.GetValue(compilation, Build);
        return index.TryGetValue((original.ContainingType.OriginalDefinition, original.Name), out var rules) ? rules : (IReadOnlyList<IMethodSymbol>)System.Array.Empty<IMethodSymbol>();
    }

    private static Dictionary<(ISymbol, string), List<IMethodSymbol>> Build(Compilation compilation)
    {
        var index = new Dictionary<(ISymbol, string), List<IMethodSymbol>>(new KeyComparer());
        void Visit(INamespaceOrTypeSymbol container)
        {
            foreach (var member in container.GetMembers())
            {
                if (member is INamespaceOrTypeSymbol nested)
                {
                    Visit(nested);
                    continue;
                }
                if (member is not IMethodSymbol method) continue;
                foreach (var attribute in method.GetAttributes())
                {
                    if (attribute.AttributeClass?.ToDisplayString() != AttributeName || attribute.ConstructorArguments.Length != 2) continue;
                    if (attribute.ConstructorArguments[0].Value is not INamedTypeSymbol type || attribute.ConstructorArguments[1].Value is not string name) continue;
                    var key = ((ISymbol)type.OriginalDefinition, name);
                    if (!index.TryGetValue(key, out var list)) index[key] = list = new List<IMethodSymbol>();
                    list.Add(method);
                }
            }
        }
        Visit(compilation.Assembly.GlobalNamespace);
        // The runtime's own differentiable operations (Backprop.Ops) come with rules too.
        foreach (var reference in compilation.References)
            if (compilation.GetAssemblyOrModuleSymbol(reference) is IAssemblySymbol { Name: "Backprop" } runtime) Visit(runtime.GlobalNamespace);
        return index;
    }

    /// <summary>
    /// The parameters a rule for <paramref name="original"/> must have, spelled as C#: the original's parameters, its result
    /// and the result's adjoint (a layer: its outputs' adjoints), then one gradient per differentiable parameter.
    /// <c>Consuming</c> is the other type an output's adjoint may have: <c>Span&lt;T&gt;</c> beside the spelled
    /// <c>ReadOnlySpan&lt;T&gt;</c>.
    /// </summary>
    public static List<(ITypeSymbol? Type, RefKind RefKind, string Spelling, ITypeSymbol? Consuming)> ExpectedParameters(IMethodSymbol original, Compilation compilation, System.Func<IParameterSymbol, bool> differentiable)
    {
        var expected = new List<(ITypeSymbol?, RefKind, string, ITypeSymbol?)>();
        foreach (var p in original.Parameters) expected.Add((p.Type, RefKind.None, p.Type.ToDisplayString() + " " + p.Name, null));
        var span = compilation.GetTypeByMetadataName("System.Span`1");
        var readOnlySpan = compilation.GetTypeByMetadataName("System.ReadOnlySpan`1");
        if (original.ReturnsVoid)
        {
            // A layer: the adjoints of its outputs (its Span<T> parameters), then the inputs' gradients. A read-only adjoint
            // (DESIGN.md's shape) says the original overwrites every entry of that output: the caller clears it after the
            // rule. A Span<T> adjoint is consumed by the rule, which zeroes exactly the entries its original overwrites
            // (a layer that writes part of its output needs this: the entries it leaves keep their adjoints).
            foreach (var p in original.Parameters.Where(IsOutput))
            {
                var element = ((INamedTypeSymbol)p.Type).TypeArguments[0];
                var type = readOnlySpan!.Construct(element);
                expected.Add((type, RefKind.None, type.ToDisplayString() + " d" + char.ToUpperInvariant(p.Name[0]) + p.Name.Substring(1), span!.Construct(element)));
            }
        }
        else
        {
            expected.Add((original.ReturnType, RefKind.None, original.ReturnType.ToDisplayString() + " result", null));
            expected.Add((original.ReturnType, RefKind.None, original.ReturnType.ToDisplayString() + " dResult", null));
        }
        foreach (var p in original.Parameters.Where(p => differentiable(p) && !IsOutput(p)))
        {
            string gradient = "d" + char.ToUpperInvariant(p.Name[0]) + p.Name.Substring(1);
            if (TypeMapping.Map(p.Type) is { IsBuffer: true } buffer && span is not null)
            {
                var element = p.Type is IArrayTypeSymbol array ? array.ElementType : ((INamedTypeSymbol)p.Type).TypeArguments[0];
                var type = span.Construct(element);
                expected.Add((type, RefKind.None, type.ToDisplayString() + " " + gradient, null));
            }
            else
            {
                expected.Add((p.Type, RefKind.Ref, "ref " + p.Type.ToDisplayString() + " " + gradient, null));
            }
        }
        return expected;
    }

    /// <summary>
    /// The parameters a tangent rule for a value-returning <paramref name="original"/> must have: the original's parameters,
    /// one tangent per differentiable parameter (<c>T tX</c> for a scalar, <c>ReadOnlySpan&lt;T&gt; tW</c> for a span or
    /// array), then <c>out T tResult</c>; it returns the original's value (the shape of a generated <c>MTangent</c>).
    /// </summary>
    public static List<(ITypeSymbol? Type, RefKind RefKind, string Spelling)> ExpectedTangentParameters(IMethodSymbol original, Compilation compilation, System.Func<IParameterSymbol, bool> differentiable)
    {
        var expected = new List<(ITypeSymbol?, RefKind, string)>();
        foreach (var p in original.Parameters) expected.Add((p.Type, RefKind.None, p.Type.ToDisplayString() + " " + p.Name));
        var readOnlySpan = compilation.GetTypeByMetadataName("System.ReadOnlySpan`1");
        foreach (var p in original.Parameters.Where(differentiable))
        {
            string tangent = "t" + char.ToUpperInvariant(p.Name[0]) + p.Name.Substring(1);
            ITypeSymbol type = p.Type;
            if (TypeMapping.Map(p.Type) is { IsBuffer: true } && readOnlySpan is not null)
                type = readOnlySpan.Construct(p.Type is IArrayTypeSymbol array ? array.ElementType : ((INamedTypeSymbol)p.Type).TypeArguments[0]);
            expected.Add((type, RefKind.None, type.ToDisplayString() + " " + tangent));
        }
        expected.Add((original.ReturnType, RefKind.Out, "out " + original.ReturnType.ToDisplayString() + " tResult"));
        return expected;
    }

    /// <summary>A tangent rule: a <c>[DerivativeOf]</c> method that returns a value (a reverse rule returns <c>void</c>).</summary>
    public static bool IsTangentRule(IMethodSymbol rule) => !rule.ReturnsVoid;

    public static bool MatchesTangent(IMethodSymbol rule, IMethodSymbol original, List<(ITypeSymbol? Type, RefKind RefKind, string Spelling)> expected) =>
        rule.IsStatic && SymbolEqualityComparer.Default.Equals(rule.ReturnType, original.ReturnType) && !rule.IsGenericMethod && rule.Parameters.Length == expected.Count
        && rule.Parameters.Zip(expected, (p, e) => SymbolEqualityComparer.Default.Equals(p.Type, e.Type) && p.RefKind == e.RefKind).All(ok => ok);

    /// <summary>A layer's output: a <c>Span&lt;T&gt;</c> parameter of a <c>void</c> method (a <c>ReadOnlySpan&lt;T&gt;</c> or array is an input).</summary>
    public static bool IsOutput(IParameterSymbol parameter) =>
        parameter.ContainingSymbol is IMethodSymbol { ReturnsVoid: true }
        && parameter.Type is INamedTypeSymbol { Name: "Span", ContainingNamespace.Name: "System", TypeArguments.Length: 1 };

    public static bool Matches(IMethodSymbol rule, List<(ITypeSymbol? Type, RefKind RefKind, string Spelling, ITypeSymbol? Consuming)> expected) =>
        rule.IsStatic && rule.ReturnsVoid && !rule.IsGenericMethod && rule.Parameters.Length == expected.Count
        && rule.Parameters.Zip(expected, (p, e) => p.RefKind == e.RefKind
            && (SymbolEqualityComparer.Default.Equals(p.Type, e.Type) || SymbolEqualityComparer.Default.Equals(p.Type, e.Consuming))).All(ok => ok);

    /// <summary>Whether the matching <paramref name="rule"/> consumes the adjoint of the layer output at <paramref name="index"/> (takes it as <c>Span&lt;T&gt;</c>).</summary>
    public static bool Consumes(IMethodSymbol rule, List<(ITypeSymbol? Type, RefKind RefKind, string Spelling, ITypeSymbol? Consuming)> expected, int index) =>
        expected[index].Consuming is { } consuming && SymbolEqualityComparer.Default.Equals(rule.Parameters[index].Type, consuming);

    private sealed class KeyComparer : IEqualityComparer<(ISymbol Type, string Name)>
    {
        public bool Equals((ISymbol Type, string Name) x, (ISymbol Type, string Name) y) =>
            SymbolEqualityComparer.Default.Equals(x.Type, y.Type) && x.Name == y.Name;

        public int GetHashCode((ISymbol Type, string Name) key) => SymbolEqualityComparer.Default.GetHashCode(key.Type) * 31 + key.Name.GetHashCode();
    }
}
