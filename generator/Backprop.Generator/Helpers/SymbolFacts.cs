using System.Linq;
using Microsoft.CodeAnalysis;

namespace Backprop.Generator.Helpers;

/// <summary>What lowering and discovery both need to know of a user's symbol.</summary>
internal static class SymbolFacts
{
    /// <summary>Marked <c>[NoDerivative]</c> (a parameter, field or property).</summary>
    public static bool HasNoDerivative(ISymbol symbol) =>
        symbol.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == "Backprop.NoDerivativeAttribute");

    /// <summary>
    /// Public, and every type around it public: any generated code can name it (what an inlined callee of another type
    /// reads, or the callee itself, is visible from the method it is inlined into).
    /// </summary>
    public static bool IsPublicEverywhere(ISymbol symbol)
    {
        for (var s = symbol; s is not null and not INamespaceSymbol; s = s.ContainingSymbol)
            if (s.DeclaredAccessibility != Accessibility.Public) return false;
        return true;
    }

    /// <summary>An auto-property has a compiler-generated backing field associated with it.</summary>
    public static bool IsAutoProperty(IPropertySymbol property) =>
        property.ContainingType.GetMembers().OfType<IFieldSymbol>().Any(f => SymbolEqualityComparer.Default.Equals(f.AssociatedSymbol, property));

    /// <summary>A member Backprop.Gen emitted (<c>[GeneratedCode("Backprop.Gen", …)]</c>): seen by analyzers, it is no clash.</summary>
    public static bool IsOurOutput(ISymbol member) => member.GetAttributes().Any(a =>
        a.AttributeClass?.ToDisplayString() == "System.CodeDom.Compiler.GeneratedCodeAttribute"
        && a.ConstructorArguments.Length > 0 && a.ConstructorArguments[0].Value as string == "Backprop.Gen");

    /// <summary>A type as messages name it: as the compiler's errors do, but a two-dimensional array as C# spells it (<c>double[,]</c>, not <c>double[*,*]</c>).</summary>
    public static string Shown(ITypeSymbol type) => type is IArrayTypeSymbol ? type.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat) : type.ToDisplayString();

    /// <summary>
    /// Whether values of <paramref name="type"/> hold <c>double</c>s or <c>float</c>s the generator would have to
    /// differentiate: arrays of any rank and nesting, generic collections of them, structs with such fields (not delegates).
    /// </summary>
    public static bool HoldsFloatingPoint(ITypeSymbol type, int depth = 0)
    {
        if (depth > 4) return false;
        switch (type)
        {
            case { SpecialType: SpecialType.System_Double or SpecialType.System_Single }:
                return true;
            case IArrayTypeSymbol array:
                return HoldsFloatingPoint(array.ElementType, depth + 1);
            case INamedTypeSymbol { TypeKind: TypeKind.Delegate }:
                return false;
            case INamedTypeSymbol named:
                if (named.TypeArguments.Any(a => HoldsFloatingPoint(a, depth + 1))) return true;
                return named.IsValueType && named.SpecialType == SpecialType.None && named.TypeKind != TypeKind.Enum
                    && named.GetMembers().OfType<IFieldSymbol>().Any(f => !f.IsStatic && !f.IsConst && HoldsFloatingPoint(f.Type, depth + 1));
            default:
                return false;
        }
    }

    /// <summary>The C# keyword of the floating-point type inside <paramref name="type"/> (for advice), <c>double</c> by default.</summary>
    public static string FloatingPointElement(ITypeSymbol type, int depth = 0)
    {
        if (type.SpecialType == SpecialType.System_Single) return "float";
        if (depth > 4) return "double";
        return type switch
        {
            IArrayTypeSymbol array => FloatingPointElement(array.ElementType, depth + 1),
            INamedTypeSymbol named when named.TypeArguments.Length > 0 => FloatingPointElement(named.TypeArguments[0], depth + 1),
            _ => "double",
        };
    }
}
