using Backprop.Generator.Ir;
using Microsoft.CodeAnalysis;

namespace Backprop.Generator.Lowering;

/// <summary>Maps Roslyn types onto IR types; null for types the IR does not model.</summary>
internal static class TypeMapping
{
    public static IrType? Map(ITypeSymbol? type)
    {
        if (type is null) return null;
        // Buffers of integers and booleans are inputs only: never differentiated, read by index.
        if (type is IArrayTypeSymbol { Rank: 1 } array)
            return Scalar(array.ElementType) is { } e ? new IrType(e, ShapeKind.Array) : null;
        if (type is INamedTypeSymbol { IsGenericType: true, TypeArguments.Length: 1 } named
            && named.ContainingNamespace?.ToDisplayString() == "System"
            && (named.Name == "Span" || named.Name == "ReadOnlySpan"))
        {
            return Scalar(named.TypeArguments[0]) is { } e
                ? new IrType(e, named.Name == "Span" ? ShapeKind.Span : ShapeKind.ReadOnlySpan)
                : null;
        }
        return Scalar(type) is { } s ? new IrType(s, ShapeKind.Scalar) : null;
    }

    private static ScalarKind? Scalar(ITypeSymbol type) => type.SpecialType switch
    {
        SpecialType.System_Double => ScalarKind.Double,
        SpecialType.System_Single => ScalarKind.Float,
        SpecialType.System_Int32 => ScalarKind.Int32,
        SpecialType.System_Int64 => ScalarKind.Int64,
        SpecialType.System_Boolean => ScalarKind.Boolean,
        _ => null,
    };
}
