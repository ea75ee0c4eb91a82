using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Backprop.Generator.Ir;
using Microsoft.CodeAnalysis;

namespace Backprop.Generator.Lowering;

/// <summary>One scalar of a struct value: its member path from the value (<c>X</c>, <c>Pos.X</c>, <c>Item2</c>) and its type.</summary>
internal sealed record StructLeaf(string Path, IrType Type);

/// <summary>
/// Struct values are lowered to their scalars (scalar replacement of aggregates, as LLVM's SROA and Enzyme see them):
/// a struct local is one IR variable per field, an operator or method of the struct is inlined over those variables.
/// The layout of a struct type is its scalar fields in declaration order, nested structs flattened depth first: user
/// structs declared in the compilation whose fields (and auto-properties) are numbers, booleans or such structs,
/// <c>System.Numerics.Vector2/3/4</c>, and value tuples of them.
/// </summary>
internal static class StructLayout
{
    /// <summary>The leaves of <paramref name="type"/>, or null when it is not a struct the generator lowers.</summary>
    public static ImmutableArray<StructLeaf>? Of(ITypeSymbol? type)
    {
        var leaves = ImmutableArray.CreateBuilder<StructLeaf>();
        return type is not null && Add(type, "", leaves, 0) && leaves.Count > 0 ? leaves.ToImmutable() : null;
    }

    /// <summary>
    /// An array (rank 1), span or read-only span of a struct whose numbers are all one floating-point type and whose
    /// fields lie in memory in declaration order without gaps (sequential layout; not a value tuple, whose layout is
    /// automatic): the struct, its layout and the shape of its flat view (<c>MemoryMarshal.Cast</c>); otherwise null.
    /// </summary>
    public static (ITypeSymbol Element, ImmutableArray<StructLeaf> Layout, ShapeKind Shape)? OfElements(ITypeSymbol type)
    {
        var (element, shape) = type switch
        {
            IArrayTypeSymbol { Rank: 1 } array => (array.ElementType, ShapeKind.Array),
            INamedTypeSymbol { Name: "ReadOnlySpan", TypeArguments.Length: 1 } span when span.ContainingNamespace?.ToDisplayString() == "System" => (span.TypeArguments[0], ShapeKind.ReadOnlySpan),
            // A span a layer writes its results into (struct outputs: MethodLowerer.StructOutputs).
            INamedTypeSymbol { Name: "Span", TypeArguments.Length: 1 } span when span.ContainingNamespace?.ToDisplayString() == "System" => (span.TypeArguments[0], ShapeKind.Span),
            _ => ((ITypeSymbol?)null, ShapeKind.Scalar),
        };
        if (element is null || Of(element) is not { } layout || layout.Any(l => !l.Type.IsReal || l.Type.Scalar != layout[0].Type.Scalar)
            || !IsSequential(element))
            return null;
        return (element, layout, shape);
    }

    private static bool IsSequential(ITypeSymbol type)
    {
        if (IsVector(type)) return true;
        if (type is not INamedTypeSymbol named || named.IsTupleType || named.DeclaringSyntaxReferences.Length == 0) return false;
        if (named.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == "System.Runtime.InteropServices.StructLayoutAttribute")) return false;
        return named.GetMembers().OfType<IFieldSymbol>().Where(f => !f.IsStatic && !f.IsConst).All(f => TypeMapping.Map(f.Type) is not null || IsSequential(f.Type));
    }

    /// <summary>Whether the type is <c>System.Numerics.Vector2</c>, <c>Vector3</c> or <c>Vector4</c> (their members have built-in rules).</summary>
    public static bool IsVector(ITypeSymbol? type) =>
        type is INamedTypeSymbol { Name: "Vector2" or "Vector3" or "Vector4", IsGenericType: false } named
        && named.ContainingNamespace?.ToDisplayString() == "System.Numerics";

    /// <summary>The name of a struct member as a layout path segment: a tuple element by its <c>ItemN</c> name.</summary>
    public static string MemberName(ISymbol member) =>
        member is IFieldSymbol { CorrespondingTupleField: { } item } ? item.Name : member.Name;

    /// <summary>The leaves under <paramref name="path"/> (a member of the value), re-rooted at it; empty when there is none.</summary>
    public static List<int> Under(IReadOnlyList<StructLeaf> layout, string path)
    {
        var indices = new List<int>();
        for (int i = 0; i < layout.Count; i++)
            if (layout[i].Path == path || layout[i].Path.StartsWith(path + ".", System.StringComparison.Ordinal)) indices.Add(i);
        return indices;
    }

    private static bool Add(ITypeSymbol type, string prefix, ImmutableArray<StructLeaf>.Builder leaves, int depth)
    {
        if (depth > 8) return false;
        if (TypeMapping.Map(type) is { IsBuffer: false } scalar)
        {
            if (prefix.Length == 0) return false;
            leaves.Add(new StructLeaf(prefix, scalar));
            return true;
        }
        if (type is not INamedTypeSymbol { TypeKind: TypeKind.Struct, IsRefLikeType: false } named || named.SpecialType != SpecialType.None
            || named.OriginalDefinition.SpecialType == SpecialType.System_Nullable_T)
            return false;
        string Join(string name) => prefix.Length == 0 ? name : prefix + "." + name;
        if (named.IsTupleType)
        {
            foreach (var element in named.TupleElements)
                if (!Add(element.Type, Join(MemberName(element)), leaves, depth + 1)) return false;
            return true;
        }
        if (IsVector(named))
        {
            var kind = new IrType(ScalarKind.Float, ShapeKind.Scalar);
            foreach (var name in new[] { "X", "Y", "Z", "W" }.Take(named.Name[6] - '0'))
                leaves.Add(new StructLeaf(Join(name), kind));
            return true;
        }
        // Only structs whose source is in the compilation: another assembly's private fields are not visible (or stable).
        if (named.DeclaringSyntaxReferences.Length == 0) return false;
        foreach (var field in named.GetMembers().OfType<IFieldSymbol>())
        {
            if (field.IsStatic || field.IsConst) continue;
            if (!Add(field.Type, Join(field.AssociatedSymbol?.Name ?? field.Name), leaves, depth + 1)) return false;
        }
        return true;
    }
}
