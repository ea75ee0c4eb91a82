using System.Collections.Generic;
using System.Linq;
using Backprop.Generator.Helpers;
using Backprop.Generator.Lowering;
using Microsoft.CodeAnalysis;

namespace Backprop.Generator.Discovery;

internal enum RegisteredMemberKind
{
    /// <summary>A <c>double</c>/<c>float</c> field.</summary>
    Scalar,
    /// <summary>
    /// A <c>double</c>/<c>float</c> auto-property: registered through its backing field, which an
    /// <c>[UnsafeAccessor]</c> reaches without reflection (.NET 8 and later; before, registering it throws).
    /// </summary>
    ScalarProperty,
    /// <summary>An array of <c>double</c>/<c>float</c>.</summary>
    Array,
    /// <summary>A member object whose type registers its own members (a sub-module).</summary>
    Module,
    /// <summary>A two-dimensional array of <c>double</c>/<c>float</c>, registered as its elements row by row.</summary>
    Matrix,
    /// <summary>An array or list of sub-modules: each element registers its members, under the element's index (<c>Layers.0.Weight</c>).</summary>
    Modules,
    /// <summary>An array of arrays of <c>double</c>/<c>float</c>: each row under its index (<c>W.0</c>), as PyTorch names a ParameterList's.</summary>
    Jagged,
}

/// <summary>A member <c>AddParameters</c> registers; <paramref name="Element"/> is <c>double</c> or <c>float</c> (empty for a module).</summary>
/// <param name="Count">For <see cref="RegisteredMemberKind.Modules"/>: how the collection counts its elements (<c>Length</c>, <c>Count</c>).</param>
/// <param name="Owner">
/// For <see cref="RegisteredMemberKind.ScalarProperty"/>: the type that declares it (fully qualified), whose backing field an
/// <c>[UnsafeAccessor]</c> reaches; empty when the target framework has none or the declaring type is generic.
/// </param>
internal sealed record RegisteredMember(string Name, RegisteredMemberKind Kind, string Element, string Count = "", string Owner = "");

/// <summary>
/// A model class, a class with <c>[Differentiable]</c> instance methods: the members it registers with a parameter group
/// (every member a <c>[Differentiable]</c> method differentiates when it reads it, and its sub-modules), for the generated
/// <c>AddParameters</c>. Equatable: no Roslyn object survives.
/// </summary>
internal sealed record ModelRegistration(string HintName, string Namespace, EquatableArray<string> ContainingTypes, string TypeName, EquatableArray<RegisteredMember> Members)
{
    public const string MethodName = "AddParameters";

    private const string DifferentiableAttribute = "Backprop.DifferentiableAttribute";

    /// <summary>The registration of the instance method's class, or null (static methods, structs, generic types, a name in use).</summary>
    public static ModelRegistration? Of(IMethodSymbol method, Compilation compilation)
    {
        bool unsafeAccessor = compilation.GetTypeByMetadataName("System.Runtime.CompilerServices.UnsafeAccessorAttribute") is not null;
        var type = method.ContainingType;
        if (method.IsStatic || type.TypeKind != TypeKind.Class || type.IsGenericType || type.GetMembers(MethodName).Any(m => !m.IsImplicitlyDeclared && !SymbolFacts.IsOurOutput(m)))
            return null;
        var containing = new List<string>();
        for (var t = type; t is not null; t = t.ContainingType)
        {
            if (t.IsGenericType) return null;
            containing.Insert(0, DeclarationParser.TypeDeclaration(t));
        }
        var members = new List<RegisteredMember>();
        foreach (var member in MembersWithInherited(type))
        {
            if (member.IsStatic || member.IsImplicitlyDeclared || SymbolFacts.HasNoDerivative(member)) continue;
            var (memberType, isProperty) = member switch
            {
                IFieldSymbol { IsConst: false } f => (f.Type, false),
                IPropertySymbol { IsIndexer: false } p when SymbolFacts.IsAutoProperty(p) => (p.Type, true),
                _ => (null, false),
            };
            if (memberType is null) continue;
            string name = Identifiers.Escape(member.Name);
            if (memberType is IArrayTypeSymbol { Rank: 1 } array && Element(array.ElementType) is { } element)
                members.Add(new RegisteredMember(name, RegisteredMemberKind.Array, element));
            else if (memberType is IArrayTypeSymbol { Rank: 2 } matrix && Element(matrix.ElementType) is { } matrixElement)
                members.Add(new RegisteredMember(name, RegisteredMemberKind.Matrix, matrixElement));
            else if (memberType is IArrayTypeSymbol { Rank: 1, ElementType: IArrayTypeSymbol { Rank: 1, NullableAnnotation: not NullableAnnotation.Annotated } row } && Element(row.ElementType) is { } rowElement)
                members.Add(new RegisteredMember(name, RegisteredMemberKind.Jagged, rowElement));
            else if (Element(memberType) is { } scalar && !(member is IFieldSymbol { IsReadOnly: true }))
                members.Add(isProperty
                    ? new RegisteredMember(name, RegisteredMemberKind.ScalarProperty, scalar, Owner: unsafeAccessor && !member.ContainingType.IsGenericType
                        && member.ContainingType.ContainingType?.IsGenericType != true ? member.ContainingType.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat) : "")
                    : new RegisteredMember(name, RegisteredMemberKind.Scalar, scalar));
            else if (memberType is INamedTypeSymbol { TypeKind: TypeKind.Class } module && IsModel(module))
                members.Add(new RegisteredMember(name, RegisteredMemberKind.Module, ""));
            else if (MethodLowerer.ModuleCollection(memberType) is { Count: var count })
                members.Add(new RegisteredMember(name, RegisteredMemberKind.Modules, "", count));
            // A struct field (Vector2, a user struct of doubles): each of its numbers, by its dotted path (anchor.X).
            else if (member is IFieldSymbol { IsReadOnly: false } && StructLayout.Of(memberType) is { } layout)
                foreach (var leaf in layout.Where(l => l.Type.IsReal))
                    members.Add(new RegisteredMember(name + "." + string.Join(".", leaf.Path.Split('.').Select(Identifiers.Escape)), RegisteredMemberKind.Scalar, leaf.Type.ScalarKeyword));
        }
        if (members.Count == 0) return null;
        string ns = type.ContainingNamespace is { IsGlobalNamespace: false } n ? n.ToDisplayString() : "";
        string hint = (ns.Length == 0 ? "" : ns + ".") + DeclarationParser.HintPath(type) + ".[parameters].g.cs";
        return new ModelRegistration(hint, ns, containing.ToEquatableArray(), type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat), members.ToEquatableArray());
    }

    /// <summary>
    /// The type's members and those it inherits that it can read (a base class's weights are the model's too, and its
    /// methods differentiate them into dThis): base classes' first, as they are declared first; a member hidden by one of
    /// the same name in a derived class is the derived one's.
    /// </summary>
    private static IEnumerable<ISymbol> MembersWithInherited(INamedTypeSymbol type)
    {
        var chain = new List<INamedTypeSymbol>();
        for (var t = type; t is not null && t.SpecialType != SpecialType.System_Object; t = t.BaseType) chain.Insert(0, t);
        var names = new HashSet<string>(type.GetMembers().Select(m => m.Name));
        foreach (var t in chain)
        {
            foreach (var member in t.GetMembers())
            {
                if (SymbolEqualityComparer.Default.Equals(t, type)) yield return member;
                else if (Inherited(member) && !names.Contains(member.Name) && !chain.SkipWhile(c => !SymbolEqualityComparer.Default.Equals(c, t)).Skip(1).Any(c => c.GetMembers(member.Name).Any()))
                    yield return member;
            }
        }

        bool Inherited(ISymbol member) => member.DeclaredAccessibility switch
        {
            Accessibility.Public or Accessibility.Protected or Accessibility.ProtectedOrInternal => true,
            Accessibility.Internal or Accessibility.ProtectedAndInternal => SymbolEqualityComparer.Default.Equals(member.ContainingAssembly, type.ContainingAssembly),
            _ => false,
        };
    }

    private static string? Element(ITypeSymbol type) => type.SpecialType switch
    {
        SpecialType.System_Double => "double",
        SpecialType.System_Single => "float",
        _ => null,
    };

    /// <summary>A class that gets <c>AddParameters</c> too: it has <c>[Differentiable]</c> instance methods.</summary>
    internal static bool IsModel(INamedTypeSymbol type) =>
        !type.IsGenericType && type.GetMembers().OfType<IMethodSymbol>().Any(m => !m.IsStatic && m.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == DifferentiableAttribute));

}
