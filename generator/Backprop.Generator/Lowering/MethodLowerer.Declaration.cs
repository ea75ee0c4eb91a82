using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using Backprop.Generator.Analysis;
using Backprop.Generator.Diagnostics;
using Backprop.Generator.Differentiation;
using Backprop.Generator.Helpers;
using Backprop.Generator.Ir;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace Backprop.Generator.Lowering;

/// <summary>The method's declaration: its shape (names of the generated methods, containing types, modifiers), name collisions, parameters.</summary>
internal sealed partial class MethodLowerer
{
    private MethodShape? LowerShape()
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
        string hint = string.Join(".", containing.Select(c => c.Split(' ').Last())) + "." + _method.Name;
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

    private List<int> LowerParameters()
    {
        var ids = new List<int>();
        foreach (var parameter in _method.Parameters)
        {
            var location = parameter.Locations.FirstOrDefault() ?? _syntax.Identifier.GetLocation();
            if (parameter.RefKind != RefKind.None || parameter.IsParams)
            {
                string modifier = parameter.IsParams ? "params" : parameter.RefKind switch
                {
                    RefKind.Ref => "ref",
                    RefKind.Out => "out",
                    RefKind.In => "in",
                    _ => "ref readonly",
                };
                Report(DiagnosticDescriptors.UnsupportedParameter, location, _method.Name, parameter.Name, modifier);
            }
            bool noDerivative = SymbolFacts.HasNoDerivative(parameter);
            var type = TypeMapping.Map(parameter.Type);
            if (!noDerivative && parameter.RefKind is RefKind.None && StructLayout.OfElements(parameter.Type) is { } elements)
            {
                // An array or span of structs of one floating-point type: the IR reads the flat view of its numbers.
                var (element, elementLayout, shape) = elements;
                int bufferId = AddVariable(parameter.Name, new IrType(elementLayout[0].Type.Scalar, shape), VariableKind.Parameter, false, parameter.Type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat));
                _names.Add(IrVariable.FlatName(_variables[bufferId].Name));
                _variables[bufferId] = _variables[bufferId] with { View = element.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat) };
                _variableIds[parameter] = bufferId;
                _structBuffers[parameter] = elementLayout;
                _parameterLocations[bufferId] = location;
                ids.Add(bufferId);
                _structParameters.Add(parameter);
                continue;
            }
            if (StructLayout.Of(parameter.Type) is { } layout && parameter.RefKind is RefKind.None)
            {
                // A struct of numbers: its fields are the variables (p.X), its gradient is an S of the same type.
                int structId = AddVariable(parameter.Name, IrType.Int32, VariableKind.Parameter, noDerivative: true, parameter.Type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat));
                _variableIds[parameter] = structId;
                _parameterLocations[structId] = location;
                ids.Add(structId);
                LowerStructParameter(parameter, layout, structId, noDerivative);
                continue;
            }
            if (!noDerivative && parameter.RefKind is RefKind.None && MatrixType(parameter.Type) is { } matrixType)
            {
                // A two-dimensional array: the IR reads the flat view of its elements, row by row; its gradient is a T[,].
                int matrixId = AddVariable(parameter.Name, matrixType, VariableKind.Parameter, false, parameter.Type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat));
                _names.Add(IrVariable.FlatName(_variables[matrixId].Name));
                _variables[matrixId] = _variables[matrixId] with { Rank = 2 };
                _variableIds[parameter] = matrixId;
                _parameterLocations[matrixId] = location;
                ids.Add(matrixId);
                string? mode = _forward ? "Forward" : _hessianLocation is not null ? "Hessian"
                    : _method.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == DifferentiableAttribute && a.NamedArguments.Any(n => n.Key == "Jacobian" && n.Value.Value is true)) ? "Jacobian" : null;
                if (mode is not null)
                    Report(DiagnosticDescriptors.UnsupportedStatement, location, _method.Name,
                        mode + " = true with the two-dimensional array parameter '" + parameter.Name + "', not supported yet",
                        "remove " + mode + " = true, or pass its numbers as a flat ReadOnlySpan<" + matrixType.ScalarKeyword + ">, row by row");
                continue;
            }
            // A parameter is differentiated unless marked: one whose floating-point values the IR cannot carry (double[,],
            // double[][], List<double>, a struct of doubles) is an error, never silently a constant.
            if (type is null && !noDerivative && SymbolFacts.HoldsFloatingPoint(parameter.Type))
                Report(DiagnosticDescriptors.UndifferentiableParameterType, location, _method.Name, parameter.Name,
                    (parameter.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(_cancellationToken) as Microsoft.CodeAnalysis.CSharp.Syntax.ParameterSyntax)?.Type?.ToString() ?? parameter.Type.ToDisplayString(),
                    SymbolFacts.FloatingPointElement(parameter.Type));
            int id = AddVariable(parameter.Name, type ?? IrType.Int32, VariableKind.Parameter, noDerivative || type is null, parameter.Type.ToDisplayString(type is null ? DataParameterFormat : SymbolDisplayFormat.FullyQualifiedFormat));
            _variableIds[parameter] = id;
            _parameterLocations[id] = location;
            ids.Add(id);
        }
        return ids;
    }

    /// <summary>
    /// The type of a parameter of another type (data) as the generated methods declare it: fully qualified, <c>string?</c>
    /// and <c>List&lt;double&gt;?</c> kept, so that callers may pass null where the method takes it.
    /// </summary>
    private static readonly SymbolDisplayFormat DataParameterFormat =
        SymbolDisplayFormat.FullyQualifiedFormat.AddMiscellaneousOptions(SymbolDisplayMiscellaneousOptions.IncludeNullableReferenceTypeModifier);

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
        string parameters = type.TypeParameters.Length == 0 ? "" : "<" + string.Join(", ", type.TypeParameters.Select(p => p.Name)) + ">";
        return modifiers + kind + " " + Identifiers.Escape(type.Name) + parameters;
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
