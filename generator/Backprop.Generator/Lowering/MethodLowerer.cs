using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
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
    private int _depth;

    /// <summary>Analyses a callee as the pipeline analyses methods (null: calls are not followed, the method is lowered for its shape).</summary>
    private readonly CalleeAnalyzer? _callees;

    /// <summary>
    /// Lowered as the variant that a call on a frozen (<c>[NoDerivative]</c>) sub-module runs: every member of <c>this</c>
    /// and of its sub-modules is data, calls on them take the frozen variants of their callees, and the generated methods
    /// are named after <see cref="FrozenSuffix"/> (<c>ForwardFrozenBackward</c>). Gradients flow through to the parameters.
    /// </summary>
    private readonly bool _frozen;

    /// <summary>What a frozen variant's name adds to the method's (see <see cref="_frozen"/>).</summary>
    internal const string FrozenSuffix = "Frozen";

    /// <summary>Whether forward mode is asked for (<c>[Differentiable(Forward = true)]</c>).</summary>
    private bool _forward;

    /// <summary>The unmarked methods this one calls, directly or through its callees, whose derivatives must be emitted.</summary>
    private readonly List<IrMethod> _helpers = new();

    /// <param name="callees">
    /// How a callee is analysed (passed in by the pipeline, so that lowering depends on no later stage); null to lower a
    /// method only for its shape (a callee in a cycle): calls are not followed.
    /// </param>
    /// <param name="frozen">Lower the variant a call on a <c>[NoDerivative]</c> sub-module runs: its members are data.</param>
    public MethodLowerer(IMethodSymbol method, MethodDeclarationSyntax syntax, SemanticModel model, CancellationToken cancellationToken, CalleeAnalyzer? callees, bool frozen = false)
    {
        _callees = callees;
        _frozen = frozen;
        _method = method;
        _syntax = syntax;
        _model = model;
        _cancellationToken = cancellationToken;
    }

    public LoweringResult Lower()
    {
        MethodShape? shape;
        (shape, _forward, _hessianLocation) = Discovery.DeclarationParser.Parse(_method, _syntax, _diagnostics, _cancellationToken);
        if (_frozen && shape is not null) shape = FrozenVariant(shape);
        var parameters = LowerParameters();
        CopyWrittenParameters();
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
        if (_copyPrologue.Count > 0) body = _copyPrologue.Concat(body).ToImmutableArray();
        var outputs = FindOutputs(body, parameters);
        CheckStructOutputs(outputs, shape);
        var method = shape is null || returnType is null
            ? null
            : new IrMethod(WithThisGradient(shape), _variables.ToEquatableArray(), parameters.ToEquatableArray(), result, body.ToEquatableArray(), _syntax.SyntaxTree.FilePath, outputs.ToEquatableArray(), _helpers.OrderBy(h => h.Shape.HintName, System.StringComparer.Ordinal).ToEquatableArray(), (_keptAsWritten ? Usings() : new List<string>()).ToEquatableArray());
        // A struct parameter's tangent and direction are structs (S tP, S vP) and its Jacobian and Hessian columns are its
        // fields; an array or span of structs has tangents, directions and gradients of the same kind, its columns its numbers.
        // Second derivatives are built over the method's own IR (TangentLowering): what it does not cover is reported here.
        if (method is { Shape.EmitHessian: true } && TangentLowering.Limit(method) is { } why)
            Report(DiagnosticDescriptors.HessianNotSupported, _hessianLocation!, _method.Name, why);
        return new LoweringResult(method, _diagnostics, _expressionLocations, _parameterLocations, _indexLocations) { InlinedCodeHasErrors = _inlinedCodeHasErrors, DataOrigins = _dataOrigins, Epilogue = _copyEpilogue };
    }

    /// <summary>Where <c>Hessian = true</c> is written, when it is.</summary>
    private Location? _hessianLocation;

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
            // Convert the constant now, as C# does, so that 1 in a double context is the double 1.0.
            if (type.IsReal) return IrConstant.Of(type, constant.Value);
            if (!constant.Type.IsReal) return IrConstant.OfInteger(type, constant.Integer);
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

    /// <summary>
    /// Reports a diagnostic; an expression is unsupported (BPG014) once: one that two lowering paths reject (the member
    /// read, then the struct value built from it) is one mistake, reported by the first path, the more specific.
    /// </summary>
    private void Report(DiagnosticDescriptor descriptor, Location location, params string[] arguments)
    {
        if (descriptor == DiagnosticDescriptors.UnsupportedExpression && !_unsupportedAt.Add(location)) return;
        _diagnostics.Add(DiagnosticInfo.Create(descriptor, location, arguments));
    }

    private readonly HashSet<Location> _unsupportedAt = new();
}
