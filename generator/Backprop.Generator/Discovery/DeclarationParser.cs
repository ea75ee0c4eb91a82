using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using Backprop.Generator.Diagnostics;
using Backprop.Generator.Helpers;
using Backprop.Generator.Ir;
using Backprop.Generator.Lowering;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Backprop.Generator.Discovery;

/// <summary>
/// The declaration of a method to differentiate, checked before its body is lowered (as the Regex generator's parser
/// checks a pattern's declaration): partial containing types, a real or void return, not virtual, generic, async or an
/// iterator, a valid <c>GradientName</c>, no clash of the generated names with the type's members; and from it the
/// <see cref="MethodShape"/>: the generated methods' names, the types around them, accessibility and the modes asked for.
/// </summary>
internal sealed class DeclarationParser
{
    private const string DifferentiableAttribute = "Backprop.DifferentiableAttribute";

    /// <summary>
    /// The shape of <paramref name="method"/>'s generated code, or null (with the reasons in <paramref name="diagnostics"/>)
    /// when none can be generated; also the modes its attribute asks for, which lowering needs whatever the shape.
    /// </summary>
    public static (MethodShape? Shape, bool Forward, Location? HessianLocation) Parse(IMethodSymbol method, MethodDeclarationSyntax syntax, List<DiagnosticInfo> diagnostics, CancellationToken cancellationToken)
    {
        var parser = new DeclarationParser(method, syntax, diagnostics, cancellationToken);
        var shape = parser.Shape();
        return (shape, parser._forward, parser._hessianLocation);
    }

    private readonly IMethodSymbol _method;
    private readonly MethodDeclarationSyntax _syntax;
    private readonly List<DiagnosticInfo> _diagnostics;
    private readonly CancellationToken _cancellationToken;
    private bool _forward;
    private Location? _hessianLocation;

    private DeclarationParser(IMethodSymbol method, MethodDeclarationSyntax syntax, List<DiagnosticInfo> diagnostics, CancellationToken cancellationToken)
    {
        _method = method;
        _syntax = syntax;
        _diagnostics = diagnostics;
        _cancellationToken = cancellationToken;
    }

    private void Report(DiagnosticDescriptor descriptor, Location location, params string[] arguments) =>
        _diagnostics.Add(DiagnosticInfo.Create(descriptor, location, arguments));

    private MethodShape? Shape()
    {
        bool ok = true;
        var identifier = _syntax.Identifier.GetLocation();
        var containing = new List<string>();
        for (var type = _method.ContainingType; type is not null; type = type.ContainingType)
        {
            bool isPartial = type.DeclaringSyntaxReferences
                .Select(r => r.GetSyntax(_cancellationToken))
                .OfType<TypeDeclarationSyntax>()
                .Any(t => t.Modifiers.Any(SyntaxKind.PartialKeyword));
            if (!isPartial)
            {
                Report(DiagnosticDescriptors.TypeNotPartial, identifier, _method.Name, type.Name);
                ok = false;
            }
            containing.Insert(0, TypeDeclaration(type));
        }

        var returnType = _method.ReturnsVoid ? IrType.Double : TypeMapping.Map(_method.ReturnType);
        if (!_method.ReturnsVoid && returnType is not { IsRealScalar: true } || _method.ReturnsByRef || _method.ReturnsByRefReadonly)
        {
            string returned = (_method.ReturnsByRef ? "ref " : _method.ReturnsByRefReadonly ? "ref readonly " : "") + _method.ReturnType.ToDisplayString();
            Report(DiagnosticDescriptors.UnsupportedReturnType, _syntax.ReturnType.GetLocation(), _method.Name, returned);
            ok = false;
        }
        // (An abstract method is reported for having no body.)
        if (_method.IsVirtual || _method.IsOverride)
        {
            // The generated gradient could not be virtual in turn: a base-typed reference would run the base's gradient.
            Report(DiagnosticDescriptors.UnsupportedStatement, identifier, _method.Name,
                "a virtual, abstract or override method, whose gradient would not dispatch like the method", "differentiate a non-virtual method that the virtual one calls");
            ok = false;
        }
        if (_method.IsGenericMethod)
        {
            Report(DiagnosticDescriptors.GenericMethod, _syntax.TypeParameterList?.GetLocation() ?? identifier, _method.Name);
            ok = false;
        }
        if (_method.IsAsync || _syntax.Modifiers.Any(SyntaxKind.AsyncKeyword))
        {
            Report(DiagnosticDescriptors.AsyncOrIterator, identifier, _method.Name, "async");
            ok = false;
        }
        else if (_syntax.Body is { } b && b.DescendantNodes(n => n is not (LambdaExpressionSyntax or AnonymousMethodExpressionSyntax or LocalFunctionStatementSyntax)).OfType<YieldStatementSyntax>().Any())
        {
            Report(DiagnosticDescriptors.AsyncOrIterator, identifier, _method.Name, "iterator");
            ok = false;
        }

        string gradientName = _method.Name + "Gradient";
        // An unmarked method is differentiated as the callee of a marked one: it has no attribute to read.
        var attribute = _method.GetAttributes().FirstOrDefault(a => a.AttributeClass?.ToDisplayString() == DifferentiableAttribute);
        foreach (var argument in attribute?.NamedArguments ?? ImmutableArray<KeyValuePair<string, TypedConstant>>.Empty)
        {
            if (argument.Key != "GradientName" || argument.Value.Value is not string name) continue;
            if (!SyntaxFacts.IsValidIdentifier(name) || SyntaxFacts.GetKeywordKind(name) != SyntaxKind.None || name == _method.Name)
            {
                var location = attribute!.ApplicationSyntaxReference?.GetSyntax(_cancellationToken).GetLocation() ?? identifier;
                Report(DiagnosticDescriptors.InvalidGradientName, location, name);
                ok = false;
            }
            gradientName = name;
        }
        _forward = attribute?.NamedArguments.Any(a => a.Key == "Forward" && a.Value.Value is true) == true;
        if (attribute?.NamedArguments.Any(a => a.Key == "Hessian" && a.Value.Value is true) == true)
            _hessianLocation = attribute.ApplicationSyntaxReference?.GetSyntax(_cancellationToken).GetLocation() ?? identifier;
        if (ok) ok = CheckNameCollisions(gradientName, attribute);
        if (!ok) return null;

        string ns = _method.ContainingNamespace is { IsGlobalNamespace: false } n ? n.ToDisplayString() : "";
        string hint = HintPath(_method.ContainingType) + "." + _method.Name;
        // Overloads are told apart by their parameter list, spelled as C# writes it: Sum(double[]), Sum(ref double, int).
        if (_method.ContainingType!.GetMembers(_method.Name).OfType<IMethodSymbol>().Count() > 1)
            hint += "(" + string.Join(",", _method.Parameters.Select(ParameterSpelling)) + ")";
        return new MethodShape(
            ns,
            containing.ToEquatableArray(),
            _method.Name,
            gradientName,
            _method.ReturnsVoid ? _method.Name + "Backward" : _method.Name + "Pullback",
            attribute is null && _method.DeclaredAccessibility is Microsoft.CodeAnalysis.Accessibility.Private or Microsoft.CodeAnalysis.Accessibility.Protected or Microsoft.CodeAnalysis.Accessibility.ProtectedAndInternal
                ? "internal"
                : Accessibility(_method.DeclaredAccessibility),
            _method.IsStatic,
            returnType!,
            SanitizeHint(ns.Length == 0 ? hint : ns + "." + hint),
            _method.ReturnsVoid,
            SkipsLocalsInit(),
            EmitTangent: _forward,
            EmitJacobian: attribute?.NamedArguments.Any(a => a.Key == "Jacobian" && a.Value.Value is true) == true,
            ThisChecks: EquatableArray<MemberCheck>.Empty,
            EmitHessian: _hessianLocation is not null);
    }

    /// <summary>
    /// Whether methods emitted next to this one run without zero-initialized locals ([SkipLocalsInit] on a containing
    /// type or the module), so that their stackalloc'd gradient buffers must be cleared explicitly.
    /// </summary>
    private bool SkipsLocalsInit()
    {
        const string name = "System.Runtime.CompilerServices.SkipLocalsInitAttribute";
        bool Has(ISymbol symbol) => symbol.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == name);
        for (var type = _method.ContainingType; type is not null; type = type.ContainingType)
            if (Has(type)) return true;
        return Has(_method.ContainingModule);
    }

    /// <summary>The emitted names must not clash with members the user wrote or with another method's gradient.</summary>
    private bool CheckNameCollisions(string gradientName, AttributeData? attribute)
    {
        var location = attribute?.ApplicationSyntaxReference?.GetSyntax(_cancellationToken).GetLocation() ?? _syntax.Identifier.GetLocation();
        var type = _method.ContainingType;
        var emitted = (_method.ReturnsVoid ? new[] { _method.Name + "Backward" } : new[] { gradientName, _method.Name + "Pullback" }).ToList();
        if (_forward) emitted.Add(MethodShape.TangentNameOf(_method.Name));
        if (attribute?.NamedArguments.Any(a => a.Key == "Jacobian" && a.Value.Value is true) == true)
        {
            emitted.Add(_method.Name + "Jacobian");
            // A layer's forward sweeps call a private tangent of their own when there is no public one.
            if (_method.ReturnsVoid && !_forward) emitted.Add(MethodShape.JacobianTangentNameOf(_method.Name));
            if (_method.ReturnsVoid) emitted.AddRange(new[] { MethodShape.JacobianLanesNameOf(_method.Name), MethodShape.JacobianColumnsNameOf(_method.Name) });
        }
        foreach (string name in emitted)
        {
            // Our own output (seen by analyzers, which run on the compilation with generated code) is no collision.
            if (type.GetMembers(name).FirstOrDefault(m => !SymbolFacts.IsOurOutput(m)) is { } existing)
            {
                Report(DiagnosticDescriptors.GradientNameCollision, location, _method.Name, name, "the member '" + existing.ToDisplayString() + "'", CollisionAdvice(name, gradientName, existing));
                return false;
            }
        }
        // The split pair is overloaded by its tape parameter: only a member that is not a method is in its way.
        foreach (string name in new[] { MethodShape.ForwardNameOf(_method.Name), MethodShape.ReverseNameOf(_method.Name) })
        {
            if (_method.Parameters.Any(p => TypeMapping.Map(p.Type) is { IsBuffer: true })
                && type.GetMembers(name).FirstOrDefault(m => m is not IMethodSymbol) is { } existing)
            {
                Report(DiagnosticDescriptors.GradientNameCollision, location, _method.Name, name, "the member '" + existing.ToDisplayString() + "'", CollisionAdvice(name, gradientName, existing));
                return false;
            }
        }
        var mine = _method.Parameters.Select(p => p.Type);
        foreach (var other in type.GetMembers().OfType<IMethodSymbol>())
        {
            if (SymbolEqualityComparer.Default.Equals(other, _method) || GradientNameOf(other) is not { } otherName) continue;
            bool sameSignature = other.Parameters.Select(p => p.Type).SequenceEqual(mine, SymbolEqualityComparer.Default);
            bool declaredEarlier = other.Locations.FirstOrDefault() is { } l && l.SourceTree == _syntax.SyntaxTree && l.SourceSpan.Start < _syntax.SpanStart
                || other.Locations.FirstOrDefault()?.SourceTree?.FilePath is { } path && string.CompareOrdinal(path, _syntax.SyntaxTree.FilePath) < 0;
            if ((otherName == gradientName || other.Name == _method.Name) && sameSignature && declaredEarlier)
            {
                Report(DiagnosticDescriptors.GradientNameCollision, location, _method.Name, gradientName, "the gradient of '" + other.Name + "'", RenameGradient);
                return false;
            }
        }
        return true;
    }

    private const string RenameGradient = "choose another name with [Differentiable(GradientName = \"...\")]";

    /// <summary>Only the gradient's own name can be chosen; the other generated names follow the method's.</summary>
    private static string CollisionAdvice(string name, string gradientName, ISymbol existing) =>
        name == gradientName ? RenameGradient : "rename '" + existing.Name + "' (the generated method needs its name) or the method";


    private static string? GradientNameOf(IMethodSymbol method)
    {
        var attribute = method.GetAttributes().FirstOrDefault(a => a.AttributeClass?.ToDisplayString() == DifferentiableAttribute);
        if (attribute is null) return null;
        foreach (var argument in attribute.NamedArguments)
            if (argument.Key == "GradientName" && argument.Value.Value is string name) return name;
        return method.Name + "Gradient";
    }

    /// <summary>The names of <paramref name="type"/> and the types around it, outermost first, as a file name starts (<c>Outer.Model&lt;T&gt;</c>).</summary>
    internal static string HintPath(INamedTypeSymbol type)
    {
        var names = new List<string>();
        for (var t = type; t is not null; t = t.ContainingType) names.Insert(0, TypeName(t));
        return string.Join(".", names);
    }

    private static string TypeName(INamedTypeSymbol type) =>
        Identifiers.Escape(type.Name) + (type.TypeParameters.Length == 0 ? "" : "<" + string.Join(", ", type.TypeParameters.Select(p => p.Name)) + ">");

    internal static string TypeDeclaration(INamedTypeSymbol type)
    {
        string kind = type.IsRecord
            ? (type.TypeKind == TypeKind.Struct ? "record struct" : "record")
            : type.TypeKind switch
            {
                TypeKind.Struct => "struct",
                TypeKind.Interface => "interface",
                _ => "class",
            };
        string modifiers = type.IsStatic ? "static partial " : type.IsRefLikeType ? "ref partial " : "partial ";
        return modifiers + kind + " " + TypeName(type);
    }

    private static string Accessibility(Microsoft.CodeAnalysis.Accessibility accessibility) => accessibility switch
    {
        Microsoft.CodeAnalysis.Accessibility.Public => "public",
        Microsoft.CodeAnalysis.Accessibility.Internal => "internal",
        Microsoft.CodeAnalysis.Accessibility.Protected => "protected",
        Microsoft.CodeAnalysis.Accessibility.ProtectedOrInternal => "protected internal",
        Microsoft.CodeAnalysis.Accessibility.ProtectedAndInternal => "private protected",
        _ => "private",
    };

    private static string ParameterSpelling(IParameterSymbol parameter)
    {
        string modifier = parameter.IsParams ? "params " : parameter.RefKind switch
        {
            RefKind.Ref => "ref ",
            RefKind.Out => "out ",
            RefKind.In => "in ",
            RefKind.RefReadOnlyParameter => "ref readonly ",
            _ => "",
        };
        return modifier + parameter.Type.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat);
    }

    /// <summary>A file name: letters, digits and <c>. _ ( ) [ ] ,</c> kept, spaces and anything else as <c>_</c>.</summary>
    private static string SanitizeHint(string hint)
    {
        var chars = hint.Select(c => char.IsLetterOrDigit(c) || c is '.' or '_' or '(' or ')' or '[' or ']' or ',' ? c : '_').ToArray();
        return new string(chars) + ".g.cs";
    }
}
