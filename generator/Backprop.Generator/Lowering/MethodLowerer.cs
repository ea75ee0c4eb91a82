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

/// <summary>
/// Lowers a <c>[Differentiable]</c> method from Roslyn's operation tree into the IR. Every unsupported
/// construct is reported (see <c>MethodLowerer.Unsupported.cs</c>) and lowering goes on, so one build
/// shows every problem of the method.
/// </summary>
internal sealed partial class MethodLowerer
{
    private const string DifferentiableAttribute = "Backprop.DifferentiableAttribute";

    private readonly IMethodSymbol _method;
    private readonly MethodDeclarationSyntax _syntax;
    private readonly SemanticModel _model;
    private readonly CancellationToken _cancellationToken;
    private readonly List<DiagnosticInfo> _diagnostics = new();
    private readonly List<IrVariable> _variables = new();
    private readonly Dictionary<ISymbol, int> _variableIds = new(SymbolEqualityComparer.Default);
    private readonly HashSet<string> _names = new();
    private readonly Dictionary<IrExpression, Location> _expressionLocations = new(ReferenceComparer<IrExpression>.Instance);
    private readonly Dictionary<int, Location> _parameterLocations = new();
    private readonly Dictionary<IrExpression, Location> _indexLocations = new(ReferenceComparer<IrExpression>.Instance);
    private readonly AnalysisChain _inProgress;
    private int _depth;
    private readonly bool _analyseCallees;

    /// <summary>Whether forward mode is asked for (<c>[Differentiable(Forward = true)]</c>).</summary>
    private bool _forward;

    /// <summary>The unmarked methods this one calls, directly or through its callees, whose derivatives must be emitted.</summary>
    private readonly List<IrMethod> _helpers = new();

    /// <param name="inProgress">Methods whose differentiability is being decided up the call chain (breaks cycles).</param>
    /// <param name="analyseCallees">False to lower a method only for its shape (a callee in a cycle): calls are not followed.</param>
    public MethodLowerer(IMethodSymbol method, MethodDeclarationSyntax syntax, SemanticModel model, CancellationToken cancellationToken, AnalysisChain? inProgress = null, bool analyseCallees = true)
    {
        _analyseCallees = analyseCallees;
        _method = method;
        _syntax = syntax;
        _model = model;
        _cancellationToken = cancellationToken;
        _inProgress = inProgress ?? new AnalysisChain();
        _inProgress.Add(method.OriginalDefinition);
    }

    public LoweringResult Lower()
    {
        var shape = LowerShape();
        var parameters = LowerParameters();
        var returnType = _method.ReturnsVoid ? IrType.Double : TypeMapping.Map(_method.ReturnType);
        int result = AddVariable("result", returnType ?? IrType.Double, VariableKind.Synthetic);

        var body = ImmutableArray<IrStatement>.Empty;
        // A generic method's body is not lowered: BPG004 says what to do, and one BPG014 per use of T would only repeat it.
        if (!_method.IsGenericMethod
            && _model.GetOperation(_syntax, _cancellationToken) is IMethodBodyOperation operation
            && (operation.BlockBody ?? operation.ExpressionBody) is { } block)
        {
            body = LowerBlock(block);
        }
        else if (_syntax.Body is null && _syntax.ExpressionBody is null)
        {
            Report(DiagnosticDescriptors.UnsupportedStatement, _syntax.Identifier.GetLocation(), _method.Name, "a method without a body", "give the method a body");
        }

        CheckRefWrittenFields();
        if (_hoisted.Count > 0)
        {
            CheckHoistedLengths(body);
            body = _hoisted.Concat(body).ToImmutableArray();
        }
        if (_structPrologue.Count > 0) body = _structPrologue.Concat(body).ToImmutableArray();
        var outputs = FindOutputs(body, parameters);
        var method = shape is null || returnType is null
            ? null
            : new IrMethod(WithThisGradient(shape), _variables.ToEquatableArray(), parameters.ToEquatableArray(), result, body.ToEquatableArray(), _syntax.SyntaxTree.FilePath, outputs.ToEquatableArray(), _helpers.OrderBy(h => h.Shape.HintName, System.StringComparer.Ordinal).ToEquatableArray(), (_keptAsWritten ? Usings() : new List<string>()).ToEquatableArray());
        // A struct parameter's tangent is a struct (S tP) and its Jacobian columns are its fields; arrays of structs, and
        // Hessians of either, are not built yet.
        if (method is not null && _structParameters.FirstOrDefault(_structBuffers.ContainsKey) is { } structs && (method.Shape.EmitTangent || method.Shape.EmitJacobian || method.Shape.EmitHessian))
            Report(DiagnosticDescriptors.UnsupportedStatement, _parameterLocations[_variableIds[structs]], _method.Name,
                "forward mode, Jacobians and Hessians of a method with the array or span of structs '" + structs.Name + "', not supported yet",
                "pass its numbers as a flat ReadOnlySpan<double>, or remove Forward, Jacobian and Hessian = true");
        else if (method is { Shape.EmitHessian: true } && _structParameters.Count > 0)
            Report(DiagnosticDescriptors.UnsupportedStatement, _parameterLocations[_variableIds[_structParameters[0]]], _method.Name,
                "the Hessian of a method with the struct parameter '" + _structParameters[0].Name + "', not supported yet",
                "pass its fields as double parameters, or remove Hessian = true");
        // Second derivatives are built over the method's own IR (TangentLowering): what it does not cover is reported here.
        if (method is { Shape.EmitHessian: true } && TangentLowering.Limit(method) is { } why)
            Report(DiagnosticDescriptors.HessianNotSupported, _hessianLocation!, _method.Name, why);
        return new LoweringResult(method, _diagnostics, _expressionLocations, _parameterLocations, _indexLocations) { InlinedCodeHasErrors = _inlinedCodeHasErrors, DataOrigins = _dataOrigins };
    }

    /// <summary>Where <c>Hessian = true</c> is written, when it is.</summary>
    private Location? _hessianLocation;

    // ---------------------------------------------------------------- declaration

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

    // ---------------------------------------------------------------- variables

    private readonly HashSet<ILocalSymbol> _unsupportedLocals = new(SymbolEqualityComparer.Default);

    /// <summary>The buffers read from fields and properties, by their spelling.</summary>
    private readonly Dictionary<string, int> _externalBuffers = new();

    private int AddVariable(string name, IrType type, VariableKind kind, bool noDerivative = false, string? declaredType = null)
    {
        string unique = name;
        for (int i = 2; !_names.Add(unique); i++) unique = name + "_" + i;
        int id = _variables.Count;
        _variables.Add(new IrVariable(id, Identifiers.Escape(unique), type, kind, noDerivative, declaredType ?? type.Keyword));
        return id;
    }

    private int? VariableOf(ILocalSymbol local, Location location)
    {
        if (_variableIds.TryGetValue(local, out int id)) return id;
        if (local.IsRef)
        {
            // A ref local is an alias (see MethodLowerer.RefLocals.cs); one that is not bound to a variable or element
            // (foreach (ref var …), a failed binding) is never silently given a copy.
            if (_unsupportedLocals.Add(local))
                Report(DiagnosticDescriptors.UnsupportedLocalType, location, local.Name, "ref " + local.Type.ToDisplayString(), "use double, float, int, long or bool locals");
            return null;
        }
        var type = TypeMapping.Map(local.Type);
        if (type is null || type.Shape == ShapeKind.ReadOnlySpan)
        {
            // Once per local, where it first appears (its declaration), not again at every use. A local of another type
            // declared by a statement of its own runs as written (MethodLowerer.Kept.cs); one declared inside an expression
            // (a pattern, an out argument) cannot be.
            if (_unsupportedLocals.Add(local))
                Report(DiagnosticDescriptors.UnsupportedLocalType, location, local.Name, Shown(local.Type), type is null
                    ? "declare it in a declaration statement of its own ('" + Shown(local.Type) + " " + local.Name + " = ...;'), where it runs as written"
                    : "use double, float, int, long or bool locals");
            return null;
        }
        id = AddVariable(local.Name, type, VariableKind.Local);
        _variableIds[local] = id;
        return id;
    }

    // ---------------------------------------------------------------- statements

    private ImmutableArray<IrStatement> LowerBlock(IOperation operation)
    {
        var statements = ImmutableArray.CreateBuilder<IrStatement>();
        LowerStatement(operation, statements);
        return statements.ToImmutable();
    }

    private ImmutableArray<IrStatement> LowerNested(IOperation operation)
    {
        _depth++;
        try
        {
            return LowerBlock(operation);
        }
        finally
        {
            _depth--;
        }
    }

    /// <summary>The operand under implicit conversions (foreach over an array sees it converted to IEnumerable).</summary>
    private static IOperation WithoutConversions(IOperation operation)
    {
        while (operation is IConversionOperation conversion) operation = conversion.Operand;
        return operation;
    }

    private static bool IsBufferReference(IOperation operation)
    {
        operation = WithoutConversions(operation);
        return operation is ILocalReferenceOperation or IParameterReferenceOperation && TypeMapping.Map(operation.Type) is { IsBuffer: true };
    }

    /// <param name="elements">Receives the initial elements of an initialized buffer (<c>{ x, y }</c>), lowered.</param>
    private IrExpression? LowerBufferInitializer(IVariableDeclaratorOperation declarator, IOperation value, List<IrExpression> elements)
    {
        var type = _variables[_variableIds[declarator.Symbol]].Type;
        value = WithoutConversions(value);
        IOperation? length = null;
        bool onStack = false;
        ImmutableArray<IOperation>? initial = value switch
        {
            IArrayCreationOperation { DimensionSizes.Length: 1, Initializer: { } init } => init.ElementValues,
            ICollectionExpressionOperation collection when collection.Elements.All(e => e is not ISpreadOperation) => collection.Elements,
            // stackalloc has no operation of its own: its initializer's expressions have.
            _ when value.Syntax is StackAllocArrayCreationExpressionSyntax { Initializer: not null } or ImplicitStackAllocArrayCreationExpressionSyntax
                => (value.Syntax is StackAllocArrayCreationExpressionSyntax s ? s.Initializer! : ((ImplicitStackAllocArrayCreationExpressionSyntax)value.Syntax).Initializer)
                    .Expressions.Select(e => ModelFor(e).GetOperation(e, _cancellationToken)!).ToImmutableArray(),
            _ => null,
        };
        if (initial is { } values)
        {
            foreach (var v in values)
            {
                if (LowerExpression(v) is not { } lowered) return null;
                elements.Add(lowered);
            }
            // A collection expression or stackalloc for a span lives on the stack, like the span the user asked for.
            onStack = type.Shape != ShapeKind.Array;
            return new IrNewBuffer(type, new IrConstant(IrType.Int32, Literals.Of(values.Length, ScalarKind.Int32)), onStack);
        }
        if (value is IArrayCreationOperation { DimensionSizes.Length: 1, Initializer: null } array)
        {
            length = array.DimensionSizes[0];
        }
        else if (value.Syntax is StackAllocArrayCreationExpressionSyntax { Type: ArrayTypeSyntax rank, Initializer: null }
                 && rank.RankSpecifiers.Count == 1 && rank.RankSpecifiers[0].Sizes.Count == 1)
        {
            length = ModelFor(rank).GetOperation(rank.RankSpecifiers[0].Sizes[0], _cancellationToken);
            onStack = true;
        }
        if (length is null || length.Type?.SpecialType != SpecialType.System_Int32)
        {
            ReportUnsupportedExpression(value, "a buffer initializer", "allocate the buffer with 'stackalloc T[n]' or 'new T[n]'");
            return null;
        }
        return LowerExpression(length) is { } n ? new IrNewBuffer(type, n, onStack) : null;
    }

    /// <summary>
    /// A local buffer's declaration. One at the top level before any return stays where it is. Any other (in a loop or a
    /// branch, or after an early return, which the normalizer nests in a branch) is allocated once at the top of the
    /// method, where the reverse sweep's gradient buffers live too, and, inside a block, zero-filled where it was
    /// declared, so that every pass sees the fresh zeroed buffer C# gives it (a loop that saves the old contents in one
    /// piece when the reverse sweep needs them). Its length must then be known at the top: see <see cref="CheckHoistedLengths"/>.
    /// </summary>
    private void DeclareBuffer(IVariableDeclaratorOperation declarator, int buffer, IrNewBuffer allocation, ImmutableArray<IrStatement>.Builder output)
    {
        var source = Source(declarator.Syntax);
        if (_depth == 0 && !_returnSeen)
        {
            output.Add(new IrAssign(source, buffer, allocation, IsDeclaration: true));
            return;
        }
        // Lowered twice (a switch section that a goto case also runs): hoisted once, zeroed at each place.
        if (!_hoisted.Any(h => h is IrAssign { Value: IrNewBuffer } hoisted && hoisted.Variable == buffer))
        {
            _hoisted.Add(new IrAssign(source, buffer, allocation, IsDeclaration: true));
            _hoistedLengths.Add((declarator.Syntax.GetLocation(), declarator.Symbol.Name, allocation.Length));
        }
        if (_depth == 0) return;
        source = source with { Text = source.Text + " (allocated once at the start, zeroed here)" };
        int index = AddVariable("clear", IrType.Int32, VariableKind.Synthetic);
        var zero = new IrConstant(allocation.Type.Element, Literals.Of(0, allocation.Type.Scalar));
        AddCountedLoop(source, index, new IrLength(buffer), new IrStatement[] { new IrStore(SourceRef.None, buffer, new IrRead(IrType.Int32, index), zero) }, output);
    }

    /// <summary>Buffers allocated at the top of the method although declared later (see <see cref="DeclareBuffer"/>).</summary>
    private readonly List<IrStatement> _hoisted = new();

    private readonly List<(Location Location, string Name, IrExpression Length)> _hoistedLengths = new();

    /// <summary>Whether a return has been lowered: a buffer declared after one may not be reached, and is hoisted.</summary>
    private bool _returnSeen;

    /// <summary>
    /// A hoisted buffer's length must mean the same at the top of the method: constants, lengths of parameters and of
    /// field tables, and int parameters that the method never assigns.
    /// </summary>
    private void CheckHoistedLengths(ImmutableArray<IrStatement> body)
    {
        var assigned = new HashSet<int>();
        foreach (var statement in body)
            IrWalker.VisitStatements(statement, s =>
            {
                if (s is IrAssign a) assigned.Add(a.Variable);
            });
        foreach (var (location, name, length) in _hoistedLengths)
        {
            bool known = true;
            IrWalker.VisitExpression(length, e => known &= e switch
            {
                IrConstant or IrExternal => true,
                IrLength l => _variables[l.Buffer].Kind is VariableKind.Parameter or VariableKind.External,
                IrRead r => _variables[r.Variable].Kind == VariableKind.Parameter && !assigned.Contains(r.Variable),
                IrBinary { Operator: BinaryOperator.Add or BinaryOperator.Subtract or BinaryOperator.Multiply or BinaryOperator.Divide or BinaryOperator.Remainder } => true,
                _ => false,
            });
            if (!known) Report(DiagnosticDescriptors.NestedBuffer, location, name);
        }
    }

    /// <summary>The span parameters the method writes (a layer's outputs); each must not be read as well.</summary>
    private List<int> FindOutputs(ImmutableArray<IrStatement> body, List<int> parameters)
    {
        var written = new HashSet<int>();
        var read = new HashSet<int>();
        void Visit(IrStatement statement)
        {
            switch (statement)
            {
                case IrStore store:
                    written.Add(store.Buffer);
                    break;
                case IrCallStatement call:
                    for (int i = 0; i < call.Arguments.Count; i++)
                        if (call.Callee.OutputParameters[i] && call.Arguments[i] is IrRead or IrSlice) written.Add(IrSlice.BufferOf(call.Arguments[i]));
                    break;
                case IrIf branch:
                    foreach (var s in branch.Then.Concat(branch.Else)) Visit(s);
                    break;
                case IrLoop loop:
                    foreach (var s in loop.Body.Concat(loop.Step)) Visit(s);
                    break;
            }
            IrWalker.VisitStatement(statement, e =>
            {
                if (e is IrElement element) read.Add(element.Buffer);
            });
            if (statement is IrCallStatement c)
                for (int i = 0; i < c.Arguments.Count; i++)
                    if (!c.Callee.OutputParameters[i] && c.Arguments[i] is IrRead or IrSlice) read.Add(IrSlice.BufferOf(c.Arguments[i]));
            IrWalker.VisitStatement(statement, e =>
            {
                if (e is IrDifferentiableCall d)
                    foreach (var a in d.Arguments)
                        if (a is IrRead { Type.IsBuffer: true } or IrSlice) read.Add(IrSlice.BufferOf(a));
            });
        }
        foreach (var statement in body) Visit(statement);

        var outputs = new List<int>();
        foreach (int parameter in parameters.Where(written.Contains))
        {
            var location = _parameterLocations[parameter];
            if (!_method.ReturnsVoid)
                Report(DiagnosticDescriptors.UnsupportedStore, location, _variables[parameter].Name, "a method that returns a value cannot write into its parameters; make it a void layer that writes its results into Span<T> parameters");
            else if (read.Contains(parameter))
                Report(DiagnosticDescriptors.OutputAlsoRead, location, _method.Name, _variables[parameter].Name);
            else
                outputs.Add(parameter);
        }
        return outputs;
    }

    private void LowerStatement(IOperation operation, ImmutableArray<IrStatement>.Builder output)
    {
        _cancellationToken.ThrowIfCancellationRequested();
        switch (operation)
        {
            case IBlockOperation block:
                foreach (var statement in block.Operations) LowerStatement(statement, output);
                break;
            case IEmptyOperation:
                break;
            case IVariableDeclarationGroupOperation group when _pending is null:
                WithSideEffects(group, output, () => LowerStatement(group, output));
                break;
            case IExpressionStatementOperation statementWithEffects when _pending is null:
                WithSideEffects(statementWithEffects, output, () => LowerStatement(statementWithEffects, output));
                break;
            case IReturnOperation { ReturnedValue: not null } returnWithEffects when _pending is null:
                WithSideEffects(returnWithEffects, output, () => LowerStatement(returnWithEffects, output));
                break;
            case IVariableDeclarationGroupOperation group:
                foreach (var declaration in group.Declarations)
                {
                    foreach (var declarator in declaration.Declarators)
                    {
                        var initializer = declarator.Initializer ?? declaration.Initializer;
                        // A local constant is folded into every use (ConstantValue); code kept as written names it, so it is
                        // declared as written too (and dropped where nothing kept reads it: UnreadAssignments).
                        if (declarator.Symbol.IsConst)
                        {
                            DeclareDataLocal(declarator, initializer?.Value, output);
                            continue;
                        }
                        if (declarator.Symbol.IsRef && initializer is not null)
                        {
                            DeclareRefLocal(declarator, initializer.Value, output);
                            continue;
                        }
                        if (initializer is not null && TryDeclareSpanView(declarator.Symbol, initializer.Value, declarator.Syntax, output)) continue;
                        if (!declarator.Symbol.IsRef && StructLayout.Of(declarator.Symbol.Type) is { } layout)
                        {
                            DeclareStructLocal(declarator, layout, initializer?.Value, output);
                            continue;
                        }
                        if (!declarator.Symbol.IsRef && IsDataType(declarator.Symbol.Type))
                        {
                            DeclareDataLocal(declarator, initializer?.Value, output);
                            continue;
                        }
                        var id = VariableOf(declarator.Symbol, declarator.Syntax.GetLocation());
                        if (id is null || initializer is null) continue;
                        if (_variables[id.Value].Type.IsBuffer)
                        {
                            var elements = new List<IrExpression>();
                            if (LowerBufferInitializer(declarator, initializer.Value, elements) is IrNewBuffer buffer)
                            {
                                DeclareBuffer(declarator, id.Value, buffer, output);
                                // { x, y }, [x, y], stackalloc[] { x, y }: the buffer, then its elements in order.
                                for (int k = 0; k < elements.Count; k++)
                                    output.Add(new IrStore(Source(declarator.Syntax), id.Value, new IrConstant(IrType.Int32, Literals.Of(k, ScalarKind.Int32)), ConvertTo(elements[k], buffer.Type.Element)));
                            }
                        }
                        else if (LowerExpression(initializer.Value) is { } value)
                        {
                            output.Add(new IrAssign(Source(declarator.Syntax), id.Value, value, IsDeclaration: true));
                        }
                    }
                }
                break;
            case IExpressionStatementOperation statement:
                LowerExpressionStatement(statement.Operation, Source(statement.Syntax), output);
                break;
            case IReturnOperation ret when Frame is { } frame:
                LowerInlinedReturn(frame, ret, output);
                break;
            case IReturnOperation { ReturnedValue: { } returned } ret:
                _returnSeen = true;
                if (LowerExpression(returned) is { } result)
                    output.Add(new IrReturn(Source(ret.Syntax), result));
                break;
            case IReturnOperation { ReturnedValue: null } ret when _method.ReturnsVoid:
                _returnSeen = true;
                output.Add(new IrReturn(Source(ret.Syntax), null));
                break;
            case IConditionalOperation conditional:
                var (condition, conditionEffects) = LowerCondition(conditional.Condition, Header(conditional.Syntax));
                output.AddRange(conditionEffects);
                var whenTrue = LowerNested(conditional.WhenTrue);
                var whenFalse = conditional.WhenFalse is null ? ImmutableArray<IrStatement>.Empty : LowerNested(conditional.WhenFalse);
                if (condition is IrConstant { Type.Scalar: ScalarKind.Boolean } decided)
                    output.AddRange(decided.Text == "true" ? whenTrue : whenFalse);
                else if (condition is not null)
                    output.Add(new IrIf(Header(conditional.Syntax), condition, whenTrue.ToEquatableArray(), whenFalse.ToEquatableArray()));
                break;
            case IForLoopOperation loop:
                foreach (var before in loop.Before) LowerStatement(before, output);
                var (forCondition, forEffects) = LowerCondition(loop.Condition!, Header(loop.Syntax));
                var forBody = LowerNested(loop.Body);
                var step = ImmutableArray.CreateBuilder<IrStatement>();
                foreach (var bottom in loop.AtLoopBottom) LowerStatement(bottom, step);
                output.Add(forEffects.Count > 0 && forCondition is not null
                    ? LoopWithEffects(Header(loop.Syntax), forCondition, forEffects, forBody, step.ToImmutable().ToEquatableArray())
                    : new IrLoop(Header(loop.Syntax), forCondition, forBody.ToEquatableArray(), step.ToImmutable().ToEquatableArray()));
                break;
            case IWhileLoopOperation { ConditionIsUntil: false } loop:
                var (whileCondition, whileEffects) = LowerCondition(loop.Condition!, Header(loop.Syntax));
                var whileBody = LowerNested(loop.Body);
                if (loop.ConditionIsTop && whileEffects.Count > 0 && whileCondition is not null)
                {
                    output.Add(LoopWithEffects(Header(loop.Syntax), whileCondition, whileEffects, whileBody, EquatableArray<IrStatement>.Empty));
                }
                else if (loop.ConditionIsTop)
                {
                    output.Add(new IrLoop(Header(loop.Syntax), whileCondition, whileBody.ToEquatableArray(), EquatableArray<IrStatement>.Empty));
                }
                else if (whileCondition is not null)
                {
                    // do { body } while (c): the test runs after the body and after every continue, like a for loop's step.
                    var exit = new IrIf(Header(loop.Syntax), Not(whileCondition), new IrStatement[] { new IrBreak(Header(loop.Syntax)) }.ToEquatableArray(), EquatableArray<IrStatement>.Empty);
                    output.Add(new IrLoop(Header(loop.Syntax), null, whileBody.ToEquatableArray(), whileEffects.Append(exit).ToEquatableArray()));
                }
                break;
            case IForEachLoopOperation { LoopControlVariable: IVariableDeclaratorOperation control } loop
                when StructBufferOf(WithoutConversions(loop.Collection)) is { } structs && StructLayout.Of(control.Symbol.Type) is { } controlLayout:
                // foreach (var p in points) over structs: p's fields are the numbers of element k.
                int structCounter = AddVariable("index", IrType.Int32, VariableKind.Synthetic);
                var structHeader = Header(loop.Syntax);
                var controlVariables = StructVariables(control.Symbol, controlLayout);
                var elementBody = new List<IrStatement>();
                for (int leaf = 0; leaf < controlLayout.Length; leaf++)
                    elementBody.Add(new IrAssign(structHeader, controlVariables[leaf], StructElement(structs, new IrRead(IrType.Int32, structCounter), leaf), IsDeclaration: true));
                elementBody.AddRange(LowerNested(loop.Body));
                AddCountedLoop(structHeader, structCounter, StructCount(structs), elementBody, output);
                break;
            case IForEachLoopOperation { LoopControlVariable: IVariableDeclaratorOperation control } loop
                when TypeMapping.Map(WithoutConversions(loop.Collection).Type) is { IsBuffer: true }
                    && LowerExpression(WithoutConversions(loop.Collection)) is { } lowered && lowered is IrRead { Type.IsBuffer: true } or IrSlice:
                // foreach (var v in buffer) is the indexed loop it means: v = buffer[k] at the top of each trip (of a slice or
                // view: buffer[start + k]).
                var (collection, first, count) = lowered is IrSlice part ? (part.Buffer, part.Start, part.Length) : ((IrRead)lowered, null, new IrLength(((IrRead)lowered).Variable));
                int counter = AddVariable("index", IrType.Int32, VariableKind.Synthetic);
                var element = VariableOf(control.Symbol, control.Syntax.GetLocation());
                if (element is null) break;
                var header = Header(loop.Syntax);
                var position = new IrRead(IrType.Int32, counter);
                var read = new IrElement(collection.Type.Element, collection.Variable, first is null or IrConstant { Text: "0" } ? position : new IrBinary(IrType.Int32, BinaryOperator.Add, first, position));
                var foreachBody = new List<IrStatement> { new IrAssign(header, element.Value, ConvertTo(read, _variables[element.Value].Type)) };
                foreachBody.AddRange(LowerNested(loop.Body));
                AddCountedLoop(header, counter, count, foreachBody, output);
                break;
            case IForEachLoopOperation { LoopControlVariable: IVariableDeclaratorOperation control } loop when TypeMapping.Map(WithoutConversions(loop.Collection).Type) is null:
                LowerEnumeratorLoop(loop, control, output);
                break;
            case ISwitchOperation switchStatement:
                LowerSwitchStatement(switchStatement, output);
                break;
            case IBranchOperation { BranchKind: BranchKind.Break } branch:
                output.Add(new IrBreak(Source(branch.Syntax)));
                break;
            case IBranchOperation { BranchKind: BranchKind.Continue } branch:
                output.Add(new IrContinue(Source(branch.Syntax)));
                break;
            default:
                ReportUnsupportedStatement(operation);
                break;
        }
    }

    private void LowerExpressionStatement(IOperation operation, SourceRef source, ImmutableArray<IrStatement>.Builder output)
    {
        switch (operation)
        {
            case ISimpleAssignmentOperation { IsRef: true } assignment:
                ReportRefReassignment(assignment);
                break;
            case IAssignmentOperation or IIncrementOrDecrementOperation when TryLowerDataAssignment(operation, source, output):
                break;
            case ISimpleAssignmentOperation or ICompoundAssignmentOperation when TryLowerStructAssignment(operation, source, output):
                break;
            case IDeconstructionAssignmentOperation deconstruction when TryLowerStructDeconstruction(deconstruction, source, output):
                break;
            case IInvocationOperation inlined when InlinesCall(inlined):
                LowerStructCall(inlined);
                break;
            case ISimpleAssignmentOperation assignment:
                LowerAssignment(assignment.Target, LowerExpression(assignment.Value), source, output);
                break;
            case ICompoundAssignmentOperation compound:
                if (compound.OperatorMethod is not null || BinaryOperatorOf(compound.OperatorKind) is not { } op)
                {
                    ReportUnsupportedExpression(compound, "this compound operator", "write it with a supported arithmetic operator");
                    break;
                }
                var current = LowerExpression(compound.Target);
                var operand = LowerExpression(compound.Value);
                if (current is null || operand is null) break;
                var operandType = TypeMapping.Map(compound.Value.Type) ?? current.Type;
                var computationType = Promote(current.Type, operandType);
                var combined = (IrExpression)new IrBinary(computationType, op, ConvertTo(current, computationType), ConvertTo(operand, computationType));
                LowerAssignment(compound.Target, ConvertTo(combined, current.Type), source, output);
                break;
            case IInvocationOperation invocation when invocation.TargetMethod.ReturnsVoid && BufferOperationOf(invocation) is null && !IsKeptCall(invocation):
                if (LowerLayerCall(invocation) is { } layer)
                    output.Add(new IrCallStatement(source, layer.Callee, layer.Arguments));
                break;
            case IInvocationOperation bufferCall when BufferOperationOf(bufferCall) is { } bufferOperation:
                LowerBufferOperation(bufferCall, bufferOperation, source, output);
                break;
            case IDeconstructionAssignmentOperation deconstruction:
                LowerDeconstruction(deconstruction, source, output);
                break;
            case IIncrementOrDecrementOperation increment:
                var target = LowerExpression(increment.Target);
                if (target is null) break;
                var one = new IrConstant(target.Type, Literals.Of(1, target.Type.Scalar));
                var kind = increment.Kind == OperationKind.Increment ? BinaryOperator.Add : BinaryOperator.Subtract;
                LowerAssignment(increment.Target, new IrBinary(target.Type, kind, target, one), source, output);
                break;
            case IInvocationOperation kept when IsKeptCall(kept):
                LowerKeptCall(kept, source, output);
                break;
            default:
                ReportUnsupportedStatement(operation);
                break;
        }
    }

    /// <summary>
    /// <c>(a, b) = (x, y)</c> and <c>var (a, b) = (x, y)</c>: every value is computed before any target is assigned, so
    /// when a value reads a target (a swap) the values go through temporaries first.
    /// </summary>
    private void LowerDeconstruction(IDeconstructionAssignmentOperation deconstruction, SourceRef source, ImmutableArray<IrStatement>.Builder output)
    {
        static IOperation Unwrap(IOperation operation) => operation is IDeclarationExpressionOperation declaration ? declaration.Expression : operation;
        if (Unwrap(deconstruction.Target) is not ITupleOperation targets
            || WithoutConversions(deconstruction.Value) is not ITupleOperation values
            || targets.Elements.Length != values.Elements.Length
            || targets.Elements.Any(t => Unwrap(t) is ITupleOperation))
        {
            Report(DiagnosticDescriptors.UnsupportedStatement, deconstruction.Syntax.GetLocation(), Text(deconstruction),
                "a deconstruction of something other than a flat tuple literal", "deconstruct a tuple literal such as '(x, y)', or assign each variable in its own statement");
            return;
        }
        var lowered = values.Elements.Select(LowerExpression).ToList();
        var assignTo = targets.Elements.Select(Unwrap).ToList();
        if (lowered.Any(v => v is null)) return;

        // Element targets ('w[i]') always go through temporaries: a value may read the element another target writes.
        var written = new HashSet<int>();
        bool readsATarget = false;
        foreach (var target in assignTo)
        {
            if (target is ILocalReferenceOperation { Local.IsRef: true } reference && RefAliasOf(reference.Local) is IrRead aliased) written.Add(aliased.Variable);
            else if (target is ILocalReferenceOperation { Local.IsRef: false } local && VariableOf(local.Local, local.Syntax.GetLocation()) is { } id) written.Add(id);
            else if (target is IParameterReferenceOperation parameter && _variableIds.TryGetValue(parameter.Parameter, out int parameterId)) written.Add(parameterId);
            else if (target is not IDiscardOperation) readsATarget = true;
        }
        foreach (var value in lowered)
            IrWalker.VisitExpression(value!, e => readsATarget |= e is IrRead read && written.Contains(read.Variable));

        for (int k = 0; k < lowered.Count; k++)
        {
            if (!readsATarget || assignTo[k] is IDiscardOperation) continue;
            int temporary = AddVariable("tupleItem", lowered[k]!.Type, VariableKind.Synthetic);
            output.Add(new IrAssign(source, temporary, lowered[k]!, IsDeclaration: true));
            lowered[k] = new IrRead(lowered[k]!.Type, temporary);
        }
        for (int k = 0; k < lowered.Count; k++)
            if (assignTo[k] is not IDiscardOperation) LowerAssignment(assignTo[k], lowered[k], source, output);
    }

    private void LowerAssignment(IOperation target, IrExpression? value, SourceRef source, ImmutableArray<IrStatement>.Builder output)
    {
        switch (target)
        {
            case IFieldReferenceOperation or IPropertyReferenceOperation { Property.IsIndexer: false } when StructLeafPlace(target) is { } leaf:
                if (value is not null) output.Add(new IrAssign(source, leaf, ConvertTo(value, _variables[leaf].Type)));
                break;
            case ILocalReferenceOperation { Local.IsRef: true } local when RefAliasOf(local.Local) is { } alias:
                if (value is null) break;
                if (alias is IrRead aliased)
                    output.Add(new IrAssign(source, aliased.Variable, ConvertTo(value, _variables[aliased.Variable].Type)));
                else if (alias is IrElement aliasedElement && _variables[aliasedElement.Buffer].Kind is VariableKind.External or VariableKind.Member)
                    Report(DiagnosticDescriptors.MemberWrite, target.Syntax.GetLocation(), target.Syntax.ToString());
                else if (alias is IrElement aliasedElement2)
                    output.Add(new IrStore(source, aliasedElement2.Buffer, aliasedElement2.Index, ConvertTo(value, aliasedElement2.Type)));
                break;
            case ILocalReferenceOperation local when _spanViews.ContainsKey(local.Local):
                ReportUnsupportedExpression(target, "a span local re-bound to another view", "declare a new span local for the other view");
                break;
            case ILocalReferenceOperation local:
                if (VariableOf(local.Local, local.Syntax.GetLocation()) is { } id && value is not null)
                    output.Add(new IrAssign(source, id, ConvertTo(value, _variables[id].Type)));
                break;
            case IParameterReferenceOperation parameter when ParameterElement(parameter.Parameter) is { } boundElement:
                if (value is null) break;
                if (_variables[boundElement.Buffer].Kind is VariableKind.External or VariableKind.Member)
                    Report(DiagnosticDescriptors.MemberWrite, target.Syntax.GetLocation(), target.Syntax.ToString());
                else
                    output.Add(new IrStore(source, boundElement.Buffer, boundElement.Index, ConvertTo(value, boundElement.Type)));
                break;
            case IParameterReferenceOperation parameter when !_variableIds.ContainsKey(parameter.Parameter):
                ReportUnsupportedExpression(target, "an assignment to a parameter of an inlined method", "assign a local");
                break;
            case IParameterReferenceOperation parameter:
                int parameterId = _variableIds[parameter.Parameter];
                if (_variables[parameterId].Type.IsBuffer)
                    Report(DiagnosticDescriptors.UnsupportedStore, target.Syntax.GetLocation(), parameter.Parameter.Name, "buffer parameters cannot be reassigned; index the parameter directly");
                else if (value is not null)
                    output.Add(new IrAssign(source, parameterId, ConvertTo(value, _variables[parameterId].Type)));
                break;
            case IArrayElementReferenceOperation or IPropertyReferenceOperation { Property.IsIndexer: true } or IImplicitIndexerReferenceOperation:
                if (LowerExpression(target) is IrElement element && value is not null)
                {
                    if (_variables[element.Buffer].Kind is VariableKind.External or VariableKind.Member)
                        Report(DiagnosticDescriptors.MemberWrite, target.Syntax.GetLocation(), target.Syntax.ToString());
                    else
                        output.Add(new IrStore(source, element.Buffer, element.Index, ConvertTo(value, element.Type)));
                }
                break;
            case IFieldReferenceOperation or IPropertyReferenceOperation:
                Report(DiagnosticDescriptors.MemberWrite, target.Syntax.GetLocation(), target.Syntax.ToString());
                break;
            default:
                ReportUnsupportedExpression(target, "an assignment target", "assign a local or a parameter");
                break;
        }
    }

    // ---------------------------------------------------------------- expressions

    private IrExpression? LowerExpression(IOperation operation)
    {
        var type = TypeMapping.Map(operation.Type);
        if (operation.ConstantValue is { HasValue: true, Value: { } constant } && type is { IsBuffer: false })
            return new IrConstant(type, Literals.Of(constant, type.Scalar));

        switch (operation)
        {
            case IParenthesizedOperation parenthesized:
                return LowerExpression(parenthesized.Operand);
            case IAssignmentOperation or IIncrementOrDecrementOperation when LowerSideEffect(operation) is { } hoisted:
                return ReferenceEquals(hoisted, Poisoned) ? null : hoisted;
            case ILocalReferenceOperation { Local.IsRef: true } local when RefAliasOf(local.Local) is { } alias:
                return alias;
            case ILocalReferenceOperation local when SpanViewOf(local.Local) is { } view:
                return Located(view, operation);
            case ILocalReferenceOperation local when _dataLocals.ContainsKey(local.Local):
                if (TryVerbatim(operation, type) is { } dataValue) return dataValue;
                ReportUnsupportedExpression(operation, "the local '" + local.Local.Name + "' of type '" + Shown(local.Local.Type) + "', kept as written, where a number is needed",
                    "convert it to a number explicitly ('(double)" + local.Local.Name + "')");
                return null;
            case ILocalReferenceOperation local:
                return VariableOf(local.Local, local.Syntax.GetLocation()) is { } localId ? Read(localId) : null;
            case IParameterReferenceOperation parameter when _parameterValues.TryGetValue(parameter.Parameter, out var boundValue):
                return boundValue;
            case IParameterReferenceOperation parameter when ParameterElement(parameter.Parameter) is { } boundElement:
                return boundElement;
            case IParameterReferenceOperation parameter when _structBuffers.ContainsKey(parameter.Parameter):
                ReportUnsupportedExpression(operation, "the array of structs '" + parameter.Parameter.Name + "' used as a whole (passed, sliced or assigned)",
                    "read its elements where it is a parameter ('" + parameter.Parameter.Name + "[i].X', foreach), or pass its numbers as a flat double[]");
                return null;
            case IParameterReferenceOperation parameter:
                if (!_variableIds.TryGetValue(parameter.Parameter, out int parameterId) || TypeMapping.Map(parameter.Parameter.Type) is null)
                {
                    ReportUnsupportedExpression(operation, "a parameter of type '" + parameter.Parameter.Type.ToDisplayString() + "'", "pass double, float, int, long, bool, arrays or spans of double/float");
                    return null;
                }
                return Read(parameterId);
            case IBinaryOperation binary:
                return LowerBinary(binary, type);
            case IUnaryOperation unary:
                return LowerUnary(unary, type);
            case IConversionOperation conversion:
                return LowerConversion(conversion, type);
            case IInvocationOperation invocation:
                return LowerInvocation(invocation, type);
            case IConditionalOperation { WhenFalse: { } whenFalse } conditional when type is { IsBuffer: false }:
                var c = LowerExpression(conditional.Condition);
                // A condition folded to a constant chooses now (as C# does for its own constants).
                if (c is IrConstant { Type.Scalar: ScalarKind.Boolean } chosen)
                    return LowerExpression(chosen.Text == "true" ? conditional.WhenTrue : whenFalse) is { } arm ? ConvertTo(arm, type) : null;
                _conditionalDepth++;
                var t = LowerExpression(conditional.WhenTrue);
                var f = LowerExpression(whenFalse);
                _conditionalDepth--;
                return c is null || t is null || f is null ? null : new IrConditional(type, c, ConvertTo(t, type), ConvertTo(f, type));
            case ISwitchExpressionOperation switchExpression when type is { IsBuffer: false }:
                return LowerSwitchExpression(switchExpression, type);
            case IIsPatternOperation isPattern when TypeMapping.Map(isPattern.Value.Type) is null && TryVerbatim(isPattern, type) is { } data:
                return data;
            case IIsPatternOperation isPattern when TypeMapping.Map(isPattern.Value.Type) is null && _unspellable is { } declared:
                var declaredLocal = isPattern.Pattern.DescendantsAndSelf().OfType<IDeclarationPatternOperation>().Select(d => d.DeclaredSymbol).OfType<ILocalSymbol>()
                    .FirstOrDefault(l => l.Name == declared);
                string declaredType = declaredLocal?.Type.ToDisplayString() ?? "T";
                // Its reads are not reported again (BPG018).
                if (declaredLocal is not null) _unsupportedLocals.Add(declaredLocal);
                ReportUnsupportedExpression(isPattern, "a pattern test on '" + Text(isPattern.Value) + "' that declares '" + declared + "', which is read outside the test",
                    "test the type alone, then convert: '" + Text(isPattern.Value) + " is " + declaredType + " ? (" + declaredType + ")" + Text(isPattern.Value) + " : …'");
                return null;
            case IIsPatternOperation isPattern:
                return LowerExpression(isPattern.Value) is { } input ? LowerPattern(isPattern.Pattern, input) : null;
            case IArrayElementReferenceOperation { Indices.Length: 1 } element when type is { IsBuffer: true } && element.Indices[0] is IRangeOperation range:
                return LowerRangeSlice(element.ArrayReference, range, type, operation);
            case IImplicitIndexerReferenceOperation { Argument: IRangeOperation range } indexer when type is { IsBuffer: true }:
                return LowerRangeSlice(indexer.Instance, range, type, operation);
            case IArrayElementReferenceOperation { Indices.Length: 1 } element:
                return LowerElement(element.ArrayReference, element.Indices[0], type, operation);
            // Elements of data the IR does not model (a List<double>, a double[,]) are read as written.
            case IPropertyReferenceOperation { Property.IsIndexer: true, Instance: { } instance } when TypeMapping.Map(instance.Type) is null && TryVerbatim(operation, type) is { } data:
                return data;
            case IArrayElementReferenceOperation { Indices.Length: > 1 } when TryVerbatim(operation, type) is { } data:
                return data;
            case IPropertyReferenceOperation { Property.IsIndexer: true, Instance: { } instance, Arguments.Length: 1 } indexer:
                return LowerElement(instance, indexer.Arguments[0].Value, type, operation);
            case IImplicitIndexerReferenceOperation { Instance: { } listed } when TypeMapping.Map(listed.Type) is null && TryVerbatim(operation, type) is { } data:
                return data;
            case IImplicitIndexerReferenceOperation indexer when type is { IsBuffer: false }:
                return LowerElement(indexer.Instance, indexer.Argument, type, operation);
            case IPropertyReferenceOperation { Property.Name: "Length", Instance: { } counted } when StructBufferOf(WithoutConversions(counted)) is { } structs:
                return StructCount(structs);
            case IPropertyReferenceOperation { Property.Name: "Length", Instance: ILocalReferenceOperation viewed } when SpanViewOf(viewed.Local) is { } view:
                return view.Length;
            case IPropertyReferenceOperation { Property.Name: "Length", Instance: { } instance }
                when TypeMapping.Map(instance.Type) is { IsBuffer: true } && LowerExpression(instance) is IrRead { Type.IsBuffer: true } buffer:
                return new IrLength(buffer.Variable);
            case IFieldReferenceOperation or IPropertyReferenceOperation { Property.IsIndexer: false } when type is { IsBuffer: false } && IsStructValue(((IMemberReferenceOperation)operation).Instance):
                return LowerStructMember((IMemberReferenceOperation)operation, type);
            case IFieldReferenceOperation or IPropertyReferenceOperation when type is { IsBuffer: false }:
                return LowerMember((IMemberReferenceOperation)operation, type);
            case IFieldReferenceOperation or IPropertyReferenceOperation { Property.IsIndexer: false } when type is { IsBuffer: true }:
                return LowerBufferMember((IMemberReferenceOperation)operation, type);
            default:
                // Any other test or computation on data of other types (o is int, a tuple's item) runs as written too.
                if (operation.Descendants().Any(d => d.Type is { } t && TypeMapping.Map(t) is null && !d.ConstantValue.HasValue) && TryVerbatim(operation, type) is { } asWritten) return asWritten;
                ReportUnsupportedExpression(operation);
                return null;
        }
    }

    private IrExpression? LowerBinary(IBinaryOperation binary, IrType? type)
    {
        if (binary.OperatorKind is BinaryOperatorKind.ConditionalAnd or BinaryOperatorKind.ConditionalOr)
        {
            // The right operand may not run: no side effect of it can be hoisted before the statement.
            var l = LowerExpression(binary.LeftOperand);
            _conditionalDepth++;
            var r = LowerExpression(binary.RightOperand);
            _conditionalDepth--;
            if (l is null || r is null || type is null) return null;
            return new IrBinary(type, binary.OperatorKind == BinaryOperatorKind.ConditionalAnd ? BinaryOperator.And : BinaryOperator.Or, l, r);
        }
        if (binary.OperatorMethod is { } structOperator && (IsStructValue(binary.LeftOperand) || IsStructValue(binary.RightOperand)))
            return StructOperatorCall(structOperator, new[] { binary.LeftOperand, binary.RightOperand }, binary) as IrExpression;
        // Enums, strings, chars: compared as written.
        if ((TypeMapping.Map(binary.LeftOperand.Type) is null || TypeMapping.Map(binary.RightOperand.Type) is null) && TryVerbatim(binary, type) is { } data) return data;
        var left = LowerExpression(binary.LeftOperand);
        var right = LowerExpression(binary.RightOperand);
        if (binary.OperatorMethod is not null || type is null || BinaryOperatorOf(binary.OperatorKind) is not { } op)
        {
            ReportUnsupportedExpression(binary, binary.OperatorMethod is null ? "an operator without a derivative rule" : "the user-defined operator '" + binary.OperatorMethod.ToDisplayString() + "'", "use +, -, *, /, % on double/float, comparisons, && or ||");
            return null;
        }
        if (left is null || right is null) return null;
        if (op is BinaryOperator.And or BinaryOperator.Or && type.Scalar != ScalarKind.Boolean)
        {
            ReportUnsupportedExpression(binary, "a bitwise operator", "use && or || on booleans");
            return null;
        }
        var operandType = Promote(left.Type, right.Type);
        var (convertedLeft, convertedRight) = (ConvertTo(left, operandType), ConvertTo(right, operandType));
        return FoldComparison(type, op, convertedLeft, convertedRight) ?? new IrBinary(type, op, convertedLeft, convertedRight);
    }

    /// <summary>
    /// A comparison the generator's own folding made trivial (<c>Max(x, x) &lt; x</c> is <c>x &lt; x</c>, <c>Max(2, 2) &gt; 0.5</c>
    /// is <c>2.0 &gt; 0.5</c>), decided now: printed, it would be a warning the user's code does not have (CS1718, CS0162).
    /// NaN keeps its meaning: <c>x &lt;= x</c> is <c>!double.IsNaN(x)</c>.
    /// </summary>
    private static IrExpression? FoldComparison(IrType type, BinaryOperator op, IrExpression left, IrExpression right)
    {
        if (op is not (BinaryOperator.Less or BinaryOperator.LessOrEqual or BinaryOperator.Greater or BinaryOperator.GreaterOrEqual or BinaryOperator.Equal or BinaryOperator.NotEqual))
            return null;
        IrExpression Constant(bool value) => new IrConstant(IrType.Boolean, value ? "true" : "false");
        if (left is IrConstant a && right is IrConstant b && Literals.Number(a) is { } x && Literals.Number(b) is { } y)
            return Constant(op switch
            {
                BinaryOperator.Less => x < y,
                BinaryOperator.LessOrEqual => x <= y,
                BinaryOperator.Greater => x > y,
                BinaryOperator.GreaterOrEqual => x >= y,
                BinaryOperator.Equal => x == y,
                _ => x != y,
            });
        if (!left.Equals(right) || left is not (IrRead or IrElement or IrExternal or IrConvert { Operand: IrRead or IrElement or IrExternal })) return null;
        if (op is BinaryOperator.Less or BinaryOperator.Greater) return Constant(false);
        if (!left.Type.IsReal) return Constant(op != BinaryOperator.NotEqual);
        var isNaN = new IrOpaqueCall(IrType.Boolean, left.Type.Scalar == ScalarKind.Float ? "global::System.Single.IsNaN" : "global::System.Double.IsNaN", "IsNaN", "", new[] { left }.ToEquatableArray());
        return op == BinaryOperator.NotEqual ? isNaN : Not(isNaN);
    }

    private IrExpression? LowerUnary(IUnaryOperation unary, IrType? type)
    {
        var operand = LowerExpression(unary.Operand);
        if (operand is null || type is null) return null;
        switch (unary.OperatorKind)
        {
            case UnaryOperatorKind.Plus:
                return operand;
            case UnaryOperatorKind.Minus when unary.OperatorMethod is null:
                return new IrUnary(type, UnaryOperator.Negate, ConvertTo(operand, type));
            case UnaryOperatorKind.Not when unary.OperatorMethod is null:
                return operand is IrConstant { Type.Scalar: ScalarKind.Boolean } constant
                    ? new IrConstant(IrType.Boolean, constant.Text == "true" ? "false" : "true")
                    : new IrUnary(type, UnaryOperator.Not, operand);
            default:
                ReportUnsupportedExpression(unary, "the operator '" + unary.OperatorKind + "'", "use unary minus or !");
                return null;
        }
    }

    private IrExpression? LowerConversion(IConversionOperation conversion, IrType? type)
    {
        if (TypeMapping.Map(conversion.Operand.Type) is null && conversion.Operand.ConstantValue is not { HasValue: true } && TryVerbatim(conversion, type) is { } data) return data;
        var operand = LowerExpression(conversion.Operand);
        if (operand is null) return null;
        // Arrays and spans convert implicitly at call sites (through op_Implicit before C# 14); the buffer itself flows.
        if (type is { IsBuffer: true } && operand.Type.IsBuffer) return operand;
        if (conversion.OperatorMethod is not null || type is null)
        {
            ReportUnsupportedExpression(conversion, "a conversion to '" + conversion.Type?.ToDisplayString() + "'", "convert between double, float, int and long only");
            return null;
        }
        return ConvertTo(operand, type);
    }

    private IrExpression? LowerElement(IOperation bufferOperation, IOperation indexOperation, IrType? type, IOperation whole)
    {
        if (WithoutConversions(bufferOperation) is ILocalReferenceOperation viewed && SpanViewOf(viewed.Local) is { } view)
        {
            // An element of a view is the buffer's element at the view's start plus the index (w[^k] counts from the view's end).
            bool fromViewEnd = WithoutConversions(indexOperation) is IUnaryOperation { OperatorKind: UnaryOperatorKind.Hat };
            var offset = EvaluatedOnce(fromViewEnd
                ? LowerExpression(((IUnaryOperation)WithoutConversions(indexOperation)).Operand) is { } back ? new IrBinary(IrType.Int32, BinaryOperator.Subtract, view.Length, back) : null
                : LowerExpression(indexOperation), indexOperation);
            if (offset is null || type is null) return null;
            var at = view.Start is IrConstant { Text: "0" } ? offset : new IrBinary(IrType.Int32, BinaryOperator.Add, view.Start, offset);
            _indexLocations[at] = indexOperation.Syntax.GetLocation();
            return new IrElement(type, view.Buffer.Variable, at);
        }
        var buffer = LowerExpression(bufferOperation);
        // w[^k] is w[w.Length - k], for arrays (an Index converted) and spans (an implicit indexer) alike.
        bool fromEnd = WithoutConversions(indexOperation) is IUnaryOperation { OperatorKind: UnaryOperatorKind.Hat } hat
            && hat.Operand.Type?.SpecialType == SpecialType.System_Int32;
        var index = EvaluatedOnce(fromEnd && buffer is IrRead { Type.IsBuffer: true } counted
            ? LowerExpression(((IUnaryOperation)WithoutConversions(indexOperation)).Operand) is { } k ? new IrBinary(IrType.Int32, BinaryOperator.Subtract, new IrLength(counted.Variable), k) : null
            : LowerExpression(indexOperation), indexOperation);
        if (buffer is null || index is null) return null;
        if (buffer is not IrRead { Type.IsBuffer: true } read || type is null || !fromEnd && indexOperation.Type?.SpecialType != SpecialType.System_Int32)
        {
            ReportUnsupportedExpression(whole, "an element access", "index a double/float array or span parameter with an int");
            return null;
        }
        var element = new IrElement(type, read.Variable, index);
        _indexLocations[index] = indexOperation.Syntax.GetLocation();
        return element;
    }

    /// <summary>
    /// A member an inlined method reads that the generated code, which lives in the differentiated method's type, could
    /// not access (a private static of the helper's type): reported, never emitted to fail to compile.
    /// </summary>
    private bool InaccessibleFromGeneratedCode(IMemberReferenceOperation member)
    {
        if (Frame is null || _model.Compilation.IsSymbolAccessibleWithin(member.Member, _method.ContainingType)) return false;
        ReportUnsupportedExpression(member, "'" + member.Member.ContainingType.Name + "." + member.Member.Name + "', which '" + Frame.Method.Name + "' reads and the generated code in '" + _method.ContainingType.Name + "' cannot access",
            "make '" + member.Member.Name + "' internal");
        return true;
    }

    private IrExpression? LowerMember(IMemberReferenceOperation member, IrType type)
    {
        if (InaccessibleFromGeneratedCode(member)) return null;
        string? receiver = member.Instance is null ? member.Member.ContainingType.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat) : ReceiverPath(member.Instance);
        if (receiver is null)
        {
            if (TryVerbatim(member, type) is { } data) return data;
            // A member of a local already reported (BPG018) is not reported again.
            if (member.Instance is ILocalReferenceOperation { Local: var local } && _unsupportedLocals.Contains(local)) return null;
            ReportUnsupportedExpression(member, "a member of an object the generator does not differentiate", "read it before the method and pass the number in as a parameter");
            return null;
        }
        if (member.Instance is not null)
        {
            var differentiated = LowerThisMember(member, type, receiver, out bool isData);
            if (!isData) return differentiated;
        }
        _externalReads.Add(receiver + "." + Identifiers.Escape(member.Member.Name));
        return new IrExternal(type, receiver + "." + Identifiers.Escape(member.Member.Name));
    }

    /// <summary>A buffer read from a static or <c>this</c> field or property: data, spelled as the member wherever it is used.</summary>
    private IrExpression? LowerBufferMember(IMemberReferenceOperation member, IrType type)
    {
        if (InaccessibleFromGeneratedCode(member)) return null;
        string? receiver = member.Instance is null ? member.Member.ContainingType.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat) : ReceiverPath(member.Instance);
        if (receiver is null)
        {
            ReportUnsupportedExpression(member, "a buffer of another object", "pass it as a parameter");
            return null;
        }
        if (member.Instance is not null)
        {
            var differentiated = LowerThisMember(member, type, receiver, out bool isData);
            if (!isData) return differentiated;
        }
        string spelling = receiver + "." + Identifiers.Escape(member.Member.Name);
        if (!_externalBuffers.TryGetValue(spelling, out int id))
        {
            id = _variables.Count;
            _names.Add(spelling);
            _variables.Add(new IrVariable(id, spelling, type, VariableKind.External, NoDerivative: true, type.Keyword));
            _externalBuffers[spelling] = id;
        }
        return Read(id);
    }

    private IrExpression? LowerInvocation(IInvocationOperation invocation, IrType? type)
    {
        var target = invocation.TargetMethod;
        if (type is { IsBuffer: true } && IsSlicing(target)) return LowerSlice(invocation, type);
        if (InlinesCall(invocation)) return LowerStructCall(invocation) as IrExpression;
        // A call on data the IR does not model (a list, a string, an enum, another object) runs as written.
        bool onData = invocation.Arguments.Any(a => a.Value.Type is { } t && TypeMapping.Map(t) is null && a.Value.ConstantValue is not { HasValue: true })
            || invocation.Instance is { } receiver && !IsSlicing(target) && ReceiverPath(receiver) is null && TypeMapping.Map(receiver.Type) is null;
        if (onData && TryVerbatim(invocation, type) is { } data) return data;
        var arguments = new List<IrExpression>();
        bool ok = true;
        foreach (var argument in invocation.Arguments.OrderBy(a => a.Parameter?.Ordinal ?? 0))
        {
            if (argument.Parameter?.RefKind is RefKind.Ref or RefKind.Out)
            {
                ReportUnsupportedExpression(argument, "a ref or out argument", "pass the value and use the result");
                ok = false;
                continue;
            }
            var value = LowerExpression(argument.Value);
            if (value is null) ok = false;
            else arguments.Add(ConvertTo(value, TypeMapping.Map(argument.Parameter?.Type) ?? value.Type));
        }
        if (!ok) return null;

        // A hand-written rule replaces differentiating the callee (or having to).
        if (CustomRules.For(_model.Compilation, target).Count > 0) return LowerCustomRuleCall(invocation, type, arguments);
        if (target.Name == "StopGradient" && target.ContainingType?.ToDisplayString() == "Backprop.Ad" && arguments.Count == 1)
            return Located(new IrOpaqueCall(arguments[0].Type, StopGradient, "Ad.StopGradient", "", arguments.ToEquatableArray()), invocation);

        if (target.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == DifferentiableAttribute))
            return LowerDifferentiableCall(invocation, type, arguments);

        string owner = target.ContainingType?.ToDisplayString() ?? "";
        // System.Math, System.MathF and the generic-math statics of double and float (double.Sin, float.Max) share the rules.
        bool mathClass = owner is "System.Math" or "System.MathF"
            || target.IsStatic && target.ContainingType?.SpecialType is SpecialType.System_Double or SpecialType.System_Single;
        if (type is { IsBuffer: false } && mathClass && DerivativeRules.TryGet(target.Name, arguments.Count, out _))
        {
            // Min(e, e) and Max(e, e) are e (NaN included); their rule would compare e with itself (CS1718).
            if (target.Name is "Min" or "Max" && arguments.Count == 2 && arguments[0].Equals(arguments[1])) return arguments[0];
            return Located(new IrMathCall(type, target.Name, arguments.ToEquatableArray()), invocation);
        }

        // A local function is reported once, on its declaration (BPG007), not again at every call.
        if (target.MethodKind == MethodKind.LocalFunction) return null;

        // A method with source is differentiated without a mark, as Clad and Enzyme do; if it cannot be, it still runs as
        // an opaque call, which is fine as long as nothing it takes carries a derivative (else BPG010 at the call).
        if (IsUnmarkedCallee(target, type, invocation) && LowerDifferentiableCall(invocation, type, arguments, unmarked: true) is { } differentiated)
            return differentiated;

        if (target.IsStatic && type is { IsBuffer: false } && target.Parameters.All(p => TypeMapping.Map(p.Type) is { IsBuffer: false }))
        {
            string name = target.ContainingType!.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat) + "." + Identifiers.Escape(target.Name);
            return Located(new IrOpaqueCall(type, name, target.ContainingType.Name + "." + target.Name, CallAdvice(target), arguments.ToEquatableArray()), invocation);
        }

        if (TryVerbatim(invocation, type) is { } asWritten) return asWritten;
        Report(DiagnosticDescriptors.UnknownCall, invocation.Syntax.GetLocation(), target.ContainingType?.Name + "." + target.Name, CallAdvice(target));
        return null;
    }

    /// <summary><c>w[a..b]</c>, <c>w[a..]</c>, <c>w[..^k]</c>: the slice from a to b (b and a counted from the end after ^).</summary>
    private IrExpression? LowerRangeSlice(IOperation bufferOperation, IRangeOperation range, IrType type, IOperation whole)
    {
        if (LowerExpression(WithoutConversions(bufferOperation)) is not IrRead { Type.IsBuffer: true } buffer) return null;
        IrExpression Length() => new IrLength(buffer.Variable);
        IrExpression? Position(IOperation? operand, bool isEnd)
        {
            if (operand is null) return isEnd ? Length() : new IrConstant(IrType.Int32, "0");
            operand = WithoutConversions(operand);
            if (operand is IUnaryOperation { OperatorKind: UnaryOperatorKind.Hat } fromEnd)
                return EvaluatedOnce(LowerExpression(fromEnd.Operand), fromEnd.Operand) is { } k ? new IrBinary(IrType.Int32, BinaryOperator.Subtract, Length(), k) : null;
            if (operand.Type?.SpecialType != SpecialType.System_Int32)
            {
                ReportUnsupportedExpression(whole, "a range with an Index value", "write the range with int bounds (a..b, ^k)");
                return null;
            }
            return EvaluatedOnce(LowerExpression(operand), operand);
        }
        var start = Position(range.LeftOperand, isEnd: false);
        var end = Position(range.RightOperand, isEnd: true);
        if (start is null || end is null) return null;
        var length = start is IrConstant { Text: "0" } ? end
            : end is IrLength && start is IrBinary { Operator: BinaryOperator.Subtract, Left: IrLength, Right: var fromEnd } ? fromEnd
            : end is IrBinary { Operator: BinaryOperator.Add, Left: var from, Right: var count } && from.Equals(start) ? count
            : start is IrConstant first && end is IrConstant last && Literals.Number(first) is { } a && Literals.Number(last) is { } b
                ? new IrConstant(IrType.Int32, Literals.Of(b - a, ScalarKind.Int32))
                : new IrBinary(IrType.Int32, BinaryOperator.Subtract, end, start);
        return Located(new IrSlice(type with { Shape = buffer.Type.Shape == ShapeKind.Array ? ShapeKind.Span : type.Shape }, buffer, start, length), whole);
    }

    /// <summary><c>span.Slice(…)</c> and <c>array.AsSpan(…)</c>.</summary>
    private static bool IsSlicing(IMethodSymbol target) =>
        target.Name == "Slice" && target.ContainingType is { Name: "Span" or "ReadOnlySpan", ContainingNamespace.Name: "System" }
        || target.Name == "AsSpan" && target.ContainingType?.ToDisplayString() == "System.MemoryExtensions";

    /// <summary>
    /// A view of part of a buffer: <c>w.Slice(start[, length])</c> or <c>w.AsSpan(start[, length])</c>. Only a
    /// <c>[Differentiable]</c> callee's input may take one (see <see cref="LowerDifferentiableCall"/>); anywhere else a
    /// slice is not a buffer the IR can index, and is reported there.
    /// </summary>
    private IrExpression? LowerSlice(IInvocationOperation invocation, IrType type)
    {
        var operands = new List<IOperation>();
        if (invocation.Instance is { } instance) operands.Add(instance);
        operands.AddRange(invocation.Arguments.OrderBy(a => a.Parameter?.Ordinal ?? 0).Select(a => a.Value));
        if (operands.Count > 3 || operands.Skip(1).Any(o => o.Type?.SpecialType != SpecialType.System_Int32))
        {
            ReportUnsupportedExpression(invocation, "a slice by Index or Range", "slice with an int start and length: w.Slice(start, length)");
            return null;
        }
        var lowered = LowerExpression(WithoutConversions(operands[0]));
        if (lowered is IrSlice outer)
        {
            // A slice of a view: a slice of its buffer, offset by the view's start.
            if (operands.Count == 1) return outer;
            var innerStart = EvaluatedOnce(LowerExpression(operands[1]), operands[1]);
            if (innerStart is null) return null;
            var innerLength = operands.Count == 3 ? EvaluatedOnce(LowerExpression(operands[2]), operands[2]) : new IrBinary(IrType.Int32, BinaryOperator.Subtract, outer.Length, innerStart);
            if (innerLength is null) return null;
            return Located(new IrSlice(type, outer.Buffer, new IrBinary(IrType.Int32, BinaryOperator.Add, outer.Start, innerStart), innerLength), invocation);
        }
        if (lowered is not IrRead { Type.IsBuffer: true } buffer)
        {
            ReportUnsupportedExpression(invocation, "a slice of something other than a buffer parameter or local", "slice a parameter or local");
            return null;
        }
        if (operands.Count == 1) return buffer;
        var start = EvaluatedOnce(LowerExpression(operands[1]), operands[1]);
        var length = operands.Count == 3 ? EvaluatedOnce(LowerExpression(operands[2]), operands[2]) : start is null ? null
            : new IrBinary(IrType.Int32, BinaryOperator.Subtract, new IrLength(buffer.Variable), start);
        if (start is null || length is null) return null;
        return Located(new IrSlice(type, buffer, start, length), invocation);
    }

    /// <summary>A method of the compilation, with a body, that returns a real scalar (or is a layer), called statically or on this or a sub-module.</summary>
    private bool IsUnmarkedCallee(IMethodSymbol target, IrType? type, IInvocationOperation invocation) =>
        target.MethodKind == MethodKind.Ordinary && !target.IsGenericMethod && !target.IsAbstract && !target.IsExtern
        && (type is { IsRealScalar: true } || target.ReturnsVoid)
        && (invocation.Instance is null || InstanceReceiver(invocation) is not null)
        && !SymbolEqualityComparer.Default.Equals(target.OriginalDefinition, _method.OriginalDefinition)
        && target.OriginalDefinition.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(_cancellationToken) is MethodDeclarationSyntax { Body: not null } or MethodDeclarationSyntax { ExpressionBody: not null };

    /// <param name="unmarked">The callee has no [Differentiable] mark: return null without a diagnostic when it cannot be differentiated.</param>
    private IrExpression? LowerDifferentiableCall(IInvocationOperation invocation, IrType? type, List<IrExpression> arguments, bool unmarked = false)
    {
        var target = invocation.TargetMethod;
        // A typo in the callee: the compiler's own errors are all the user sees (see MethodAnalyzer).
        if (HasCompileErrors(target.OriginalDefinition))
        {
            _inlinedCodeHasErrors = true;
            return null;
        }
        if (SymbolEqualityComparer.Default.Equals(target.OriginalDefinition, _method.OriginalDefinition))
        {
            Report(DiagnosticDescriptors.Recursion, invocation.Syntax.GetLocation(), _method.Name);
            return null;
        }
        var instance = invocation.Instance is null ? null : InstanceReceiver(invocation);
        string? receiver = invocation.Instance is null ? target.ContainingType.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat) : instance?.Receiver;
        if (receiver is null || (type is not { IsRealScalar: true } && !target.ReturnsVoid) || target.IsGenericMethod)
        {
            ReportUnsupportedExpression(invocation, "a call of an instance [Differentiable] method of another object", "make the callee static or call it on this");
            return null;
        }
        var active = target.Parameters
            .Select(p => TypeMapping.Map(p.Type) is { IsReal: true } && !SymbolFacts.HasNoDerivative(p))
            .ToEquatableArray();
        for (int i = 0; i < arguments.Count; i++)
        {
            if (arguments[i].Type.IsBuffer && arguments[i] is not (IrRead or IrSlice))
            {
                if (unmarked) return null;
                ReportUnsupportedExpression(invocation.Arguments[i], "a buffer expression passed to '" + target.Name + "'", "pass a buffer parameter or local directly");
                return null;
            }
        }
        if (Differentiate(target) is not { } analysed)
        {
            if (!unmarked) Report(DiagnosticDescriptors.CalleeNotDifferentiable, invocation.Syntax.GetLocation(), target.Name);
            return null;
        }
        // Unmarked callees get their derivatives emitted through the methods that call them (DifferentiableGenerator).
        if (unmarked && !_helpers.Any(h => h.Shape.HintName == analysed.Shape.HintName)) _helpers.Add(analysed);
        foreach (var helper in analysed.Helpers)
            if (!_helpers.Any(h => h.Shape.HintName == helper.Shape.HintName)) _helpers.Add(helper);
        // Where each argument is, for diagnostics about what is passed (BPG030).
        foreach (var argument in invocation.Arguments)
            if (argument.Parameter is { } parameter && parameter.Ordinal < arguments.Count)
                _expressionLocations[arguments[parameter.Ordinal]] = argument.Syntax.GetLocation();
        var outputs = target.Parameters.Select(p => analysed.Outputs.Any(o => analysed.Variables[o].Name == p.Name)).ToEquatableArray();
        string? thisPath = null;
        if (analysed.Shape.HasThisGradient && instance is { } owner)
        {
            thisPath = owner.Path;
            CallsMemberDifferentiatingMethod(owner.Path, owner.Member, analysed.Shape);
        }
        var callee = new CalleeInfo(receiver, target.Name, analysed.Shape.PullbackName, active, outputs, target.Parameters.Select(p => p.Name).ToEquatableArray(), thisPath, analysed.Shape.ThisIsStruct,
            // Forward mode follows a call through the callee's own tangent when it has one, else inlines it (MethodAnalyzer).
            HasTangent: analysed.Shape.EmitTangent && !analysed.Shape.HasThisGradient, HasEffects: IrWalker.RunsEffects(analysed.Body));
        return Located(new IrDifferentiableCall(type ?? IrType.Double, callee, arguments.ToEquatableArray()), invocation);
    }

    /// <summary>
    /// The callee's IR when its own gradient is generated (it is analysed like the caller), or null. A callee already
    /// being analysed up the call chain is a cycle: only its shape is needed, so it is lowered without that check.
    /// </summary>
    private IrMethod? Differentiate(IMethodSymbol callee)
    {
        var definition = callee.OriginalDefinition;
        if (!_analyseCallees || definition.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(_cancellationToken) is not MethodDeclarationSyntax syntax)
            return null;
        var model = _model.Compilation.GetSemanticModel(syntax.SyntaxTree);
        if (_inProgress.Contains(definition))
        {
            _inProgress.Cuts++;
            return new MethodLowerer(definition, syntax, model, _cancellationToken, analyseCallees: false).Lower().Method;
        }
        return MethodAnalyzer.AnalyzeOnce(definition, syntax, model, _cancellationToken, _inProgress).Method;
    }

    private (CalleeInfo Callee, EquatableArray<IrExpression> Arguments)? LowerLayerCall(IInvocationOperation invocation)
    {
        var call = LowerInvocation(invocation, null) as IrDifferentiableCall;
        if (call is null) return null;
        // A layer writing into a member's or a field table's array writes a field (BPG023), as an element assignment would.
        for (int i = 0; i < call.Arguments.Count; i++)
        {
            if (call.Callee.OutputParameters[i] && call.Arguments[i].Type.IsBuffer
                && _variables[IrSlice.BufferOf(call.Arguments[i])].Kind is VariableKind.External or VariableKind.Member)
            {
                var argument = invocation.Arguments.FirstOrDefault(a => a.Parameter?.Ordinal == i);
                Report(DiagnosticDescriptors.MemberWrite, (argument?.Syntax ?? invocation.Syntax).GetLocation(), (argument?.Syntax ?? invocation.Syntax).ToString());
                return null;
            }
        }
        return (call.Callee, call.Arguments);
    }

    // ---------------------------------------------------------------- helpers

    private IrExpression Located(IrExpression expression, IOperation operation)
    {
        _expressionLocations[expression] = operation.Syntax.GetLocation();
        return expression;
    }


    private static IrExpression Not(IrExpression condition) => new IrUnary(IrType.Boolean, UnaryOperator.Not, condition);

    private static IrExpression ConvertTo(IrExpression value, IrType type)
    {
        if (value.Type == type || type.IsBuffer || value.Type.IsBuffer) return value;
        if (value is IrConstant constant && constant.Type.Scalar != ScalarKind.Boolean && type.Scalar != ScalarKind.Boolean)
        {
            // Re-spell the constant in its new type, so that 1 in a double context reads 1.0.
            if (Literals.Number(constant) is { } number && (type.IsReal || constant.Type.Scalar is ScalarKind.Int32 or ScalarKind.Int64))
            {
                return new IrConstant(type, Literals.Of(type.IsReal ? number : System.Math.Truncate(number), type.Scalar));
            }
        }
        return new IrConvert(type, value);
    }

    private static IrType Promote(IrType left, IrType right)
    {
        static int Rank(ScalarKind kind) => kind switch
        {
            ScalarKind.Double => 4,
            ScalarKind.Float => 3,
            ScalarKind.Int64 => 2,
            ScalarKind.Int32 => 1,
            _ => 0,
        };
        return Rank(left.Scalar) >= Rank(right.Scalar) ? left.Element : right.Element;
    }

    private static BinaryOperator? BinaryOperatorOf(BinaryOperatorKind kind) => kind switch
    {
        BinaryOperatorKind.Add => BinaryOperator.Add,
        BinaryOperatorKind.Subtract => BinaryOperator.Subtract,
        BinaryOperatorKind.Multiply => BinaryOperator.Multiply,
        BinaryOperatorKind.Divide => BinaryOperator.Divide,
        BinaryOperatorKind.Remainder => BinaryOperator.Remainder,
        BinaryOperatorKind.LessThan => BinaryOperator.Less,
        BinaryOperatorKind.LessThanOrEqual => BinaryOperator.LessOrEqual,
        BinaryOperatorKind.GreaterThan => BinaryOperator.Greater,
        BinaryOperatorKind.GreaterThanOrEqual => BinaryOperator.GreaterOrEqual,
        BinaryOperatorKind.Equals => BinaryOperator.Equal,
        BinaryOperatorKind.NotEquals => BinaryOperator.NotEqual,
        BinaryOperatorKind.ConditionalAnd => BinaryOperator.And,
        BinaryOperatorKind.ConditionalOr => BinaryOperator.Or,
        BinaryOperatorKind.And => BinaryOperator.And,
        BinaryOperatorKind.Or => BinaryOperator.Or,
        _ => null,
    };

    private SourceRef Source(SyntaxNode syntax) => Frame?.Source ?? new(Line(syntax), OneLine(Code(syntax)));

    /// <summary>The head of a compound statement (<c>if (c)</c>, <c>for (…)</c>), without its body.</summary>
    private SourceRef Header(SyntaxNode syntax)
    {
        if (Frame is { } frame) return frame.Source;
        string text = syntax switch
        {
            IfStatementSyntax s => "if (" + Code(s.Condition) + ")",
            ForStatementSyntax s => "for (" + Code(s.Declaration) + string.Join(", ", s.Initializers.Select(Code)) + "; " + Code(s.Condition) + "; " + string.Join(", ", s.Incrementors.Select(Code)) + ")",
            ForEachStatementSyntax s => "foreach (" + Code(s.Type) + " " + s.Identifier.Text + " in " + Code(s.Expression) + ")",
            WhileStatementSyntax s => "while (" + Code(s.Condition) + ")",
            DoStatementSyntax s => "do … while (" + Code(s.Condition) + ")",
            _ => Code(syntax),
        };
        return new SourceRef(Line(syntax), OneLine(text));
    }

    /// <summary>
    /// The line of a statement counted from the method's declaration (line 1), so that lines added above the method leave
    /// its model, and so its generated file, unchanged (cached).
    /// </summary>
    private int Line(SyntaxNode syntax) =>
        syntax.GetLocation().GetLineSpan().StartLinePosition.Line - _syntax.Identifier.GetLocation().GetLineSpan().StartLinePosition.Line + 1;

    /// <summary>
    /// The code of a node without its comments: its tokens, a space wherever the source had trivia between them. Comments
    /// copied into the generated <c>// line N:</c> comments could end them early or confuse a reader.
    /// </summary>
    private static string Code(SyntaxNode? syntax)
    {
        if (syntax is null) return "";
        var builder = new System.Text.StringBuilder();
        SyntaxToken previous = default;
        foreach (var token in syntax.DescendantTokens())
        {
            if (builder.Length > 0 && (previous.HasTrailingTrivia || token.HasLeadingTrivia)) builder.Append(' ');
            builder.Append(token.Text);
            previous = token;
        }
        return builder.ToString();
    }

    /// <summary>Text on one line: every run of white space, line and paragraph separators included (U+2028, U+2029, U+0085), as one space.</summary>
    private static string OneLine(string text)
    {
        var words = new List<string>();
        var word = new System.Text.StringBuilder();
        foreach (char c in text)
        {
            if (!char.IsWhiteSpace(c) && !char.IsControl(c))
            {
                word.Append(c);
                continue;
            }
            if (word.Length > 0) words.Add(word.ToString());
            word.Clear();
        }
        if (word.Length > 0) words.Add(word.ToString());
        var collapsed = string.Join(" ", words);
        return collapsed.Length <= 100 ? collapsed : collapsed.Substring(0, 97) + "...";
    }

    private void Report(DiagnosticDescriptor descriptor, Location location, params string[] arguments) =>
        _diagnostics.Add(DiagnosticInfo.Create(descriptor, location, arguments));
}
