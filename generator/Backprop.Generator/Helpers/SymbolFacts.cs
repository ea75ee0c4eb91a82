using System.Linq;
using Microsoft.CodeAnalysis;

namespace Backprop.Generator.Helpers;

/// <summary>What lowering and discovery both need to know of a user's symbol.</summary>
internal static class SymbolFacts
{
    /// <summary>Marked <c>[NoDerivative]</c> (a parameter, field or property).</summary>
    public static bool HasNoDerivative(ISymbol symbol) =>
        symbol.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == "Backprop.NoDerivativeAttribute");

    /// <summary>An auto-property has a compiler-generated backing field associated with it.</summary>
    public static bool IsAutoProperty(IPropertySymbol property) =>
        property.ContainingType.GetMembers().OfType<IFieldSymbol>().Any(f => SymbolEqualityComparer.Default.Equals(f.AssociatedSymbol, property));

    /// <summary>A member Backprop.Gen emitted (<c>[GeneratedCode("Backprop.Gen", …)]</c>): seen by analyzers, it is no clash.</summary>
    public static bool IsOurOutput(ISymbol member) => member.GetAttributes().Any(a =>
        a.AttributeClass?.ToDisplayString() == "System.CodeDom.Compiler.GeneratedCodeAttribute"
        && a.ConstructorArguments.Length > 0 && a.ConstructorArguments[0].Value as string == "Backprop.Gen");
}
