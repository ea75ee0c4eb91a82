using System.Collections.Generic;
using System.Linq;
using System.Text;
using Backprop.Generator.Helpers;
using Backprop.Generator.Ir;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace Backprop.Generator.Lowering;

/// <summary>
/// Expressions on data of any type run as written (issue 16): a call, a property or a LINQ query over lists, strings,
/// enums, two-dimensional arrays or other objects, whose value is a number or a boolean, becomes an
/// <see cref="IrVerbatim"/>: the user's own text, comments dropped and the method's variables re-spelled as the
/// generated code names them. The generated file repeats the source file's <c>using</c> directives, so names resolve as
/// they did. Such an expression never carries a derivative: where one of the variables it reads does, the support gate
/// reports BPG010.
/// </summary>
internal sealed partial class MethodLowerer
{
    /// <summary>The expression as an <see cref="IrVerbatim"/>, or null when it cannot be kept as written (then the caller reports).</summary>
    private IrExpression? TryVerbatim(IOperation operation, IrType? type)
    {
        if (type is not { IsBuffer: false } || !IsReadOnly(operation)) return null;
        // Kept as written, a module's numbers read through an alias or a conditional access would be constants.
        if (ReportedHiddenModuleIn(operation)) return Poisoned;
        var respelled = Respell(operation.Syntax, operation, statement: false);
        if (respelled is null) return null;
        if (ReferenceEquals(respelled, Unspellable.Reported)) return Poisoned;
        string display = operation is IInvocationOperation invocation
            ? invocation.TargetMethod.ContainingType?.Name + "." + invocation.TargetMethod.Name
            : OneLine(Code(operation.Syntax));
        bool primary = operation.Syntax is IdentifierNameSyntax or MemberAccessExpressionSyntax or ElementAccessExpressionSyntax or InvocationExpressionSyntax
            or LiteralExpressionSyntax or ParenthesizedExpressionSyntax;
        if (operation is IInvocationOperation call)
            return Located(new IrVerbatim(type, respelled.Text, display, CallAdvice(call.TargetMethod, call), respelled.Operands.ToEquatableArray(), IsPrimary: primary), operation);
        var (construct, advice) = IntegerConversion(operation) is { } integer
            ? ("a conversion to '" + integer + "', a type the generator does not model", "convert to long instead ('(long)(…)'), whose derivative is zero, as it is for '" + integer + "'")
            : ("an expression on data the generator does not model", "compute it from values that carry no derivative ([NoDerivative] parameters, constants), or pass what it needs from the differentiated values as double or float");
        return Located(new IrVerbatim(type, respelled.Text, display, advice, respelled.Operands.ToEquatableArray(), construct, primary), operation);
    }

    /// <summary>Code kept as written: its text with the method's variables re-spelled, and the IR variables it reads.</summary>
    private sealed class Respelled
    {
        public Respelled(string text, List<IrExpression> operands)
        {
            Text = text;
            Operands = operands;
        }

        public string Text { get; }

        public List<IrExpression> Operands { get; }
    }

    /// <summary>Why <see cref="Respell"/> gave up, when it reported it itself.</summary>
    private static class Unspellable
    {
        public static readonly Respelled Reported = new("", new List<IrExpression>());
    }

    /// <summary>A read of a <c>[NoDerivative]</c> parameter or member (or an element of one): data that carries no derivative.</summary>
    private bool IsNoDerivativeData(IrExpression operand) => operand switch
    {
        IrRead read => _variables[read.Variable].NoDerivative && _variables[read.Variable].Kind is VariableKind.Parameter or VariableKind.Member or VariableKind.External,
        IrElement element => _variables[element.Buffer].NoDerivative && _variables[element.Buffer].Kind is VariableKind.Parameter or VariableKind.Member or VariableKind.External,
        _ => false,
    };

    /// <summary>
    /// <paramref name="syntax"/> re-spelled for the generated code, comments dropped; null when it cannot be (a lambda that
    /// captures a number of the method, a variable an inlined method binds), or <see cref="Unspellable.Reported"/> when a
    /// diagnostic was reported.
    /// </summary>
    /// <param name="statement">A statement kept as written (not an expression of the IR) reads members of <c>this</c> as they are.</param>
    private Respelled? Respell(SyntaxNode syntax, IOperation operation, bool statement)
    {
        _unspellable = null;
        var operands = new List<IrExpression>();
        var text = new StringBuilder();
        SyntaxToken previous = default;
        SyntaxToken skipThrough = default;
        foreach (var token in syntax.DescendantTokens())
        {
            // The rest of a struct's member path (p.Pos.X), spelled as its variable.
            if (skipThrough != default)
            {
                if (token == skipThrough) skipThrough = default;
                previous = token;
                continue;
            }
            if (token.IsKind(SyntaxKind.ThisKeyword) && Frame is not null) return null;
            string spelling = token.Text;
            // A pattern variable (o is int n) that code outside the text reads would be declared twice.
            if (token.Parent is SingleVariableDesignationSyntax designation && ModelFor(designation).GetDeclaredSymbol(designation, _cancellationToken) is ILocalSymbol declared
                && ReadOutside(declared, syntax))
            {
                _unspellable = declared.Name;
                return null;
            }
            if (token.IsKind(SyntaxKind.IdentifierToken) && token.Parent is IdentifierNameSyntax name)
            {
                var symbol = ModelFor(name).GetSymbolInfo(name, _cancellationToken).Symbol;
                // A field of a struct of numbers (p.X) is the variable of that field; the struct as a whole has none.
                if (symbol is ILocalSymbol or IParameterSymbol && !IsDeclaredWithin(symbol, syntax) && _structVariables.TryGetValue(symbol, out var fields))
                {
                    if (StructFieldOf(name, symbol, fields) is not { } field)
                    {
                        _unspellable = symbol.Name;
                        return null;
                    }
                    if (text.Length > 0 && (previous.HasTrailingTrivia || token.HasLeadingTrivia)) text.Append(' ');
                    text.Append(_variables[field.Variable].Path);
                    operands.Add(Read(field.Variable));
                    previous = token;
                    if (field.Last != token) skipThrough = field.Last;
                    continue;
                }
                // A lambda that captures a number of the method could carry its derivative away: BPG006 says so. Not in an
                // expression that yields a number (data.Select(d => d - mean).Sum()): the lambda has run when the value exists,
                // and the number it read is an operand like any other (the support gate reports it if it is differentiated).
                if (symbol is ILocalSymbol or IParameterSymbol && !IsDeclaredWithin(symbol, syntax)
                    && TypeMapping.Map(symbol is ILocalSymbol l ? l.Type : ((IParameterSymbol)symbol).Type) is { IsReal: true }
                    && name.Ancestors().TakeWhile(a => a != syntax).Any(a => a is AnonymousFunctionExpressionSyntax)
                    && (statement || TypeMapping.Map(operation.Type) is not { IsBuffer: false }))
                    return null;
                switch (symbol)
                {
                    // The variable of a foreach over sub-modules is the element at the loop's counter; code kept as written
                    // may read it for data (its arrays' lengths), never for a number (MethodLowerer.ModuleArrays).
                    case ILocalSymbol local when !IsDeclaredWithin(local, syntax) && _moduleAliases.TryGetValue(local, out var alias):
                        if (ReportedModulesKeptAsWritten(operation, statement, local.Name)) return Unspellable.Reported;
                        spelling = ModuleCollectionSpelling(alias.Collection) + "[" + _variables[((IrRead)alias.Counter).Variable].Spelling + "]";
                        operands.Add(alias.Counter);
                        break;
                    case IFieldSymbol or IPropertySymbol when IsModuleCollectionRead(name, symbol):
                        if (ReportedModulesKeptAsWritten(operation, statement, symbol.Name)) return Unspellable.Reported;
                        break;
                    // A local of another type (a string, a list) is spelled by its name in the generated code.
                    case ILocalSymbol local when !IsDeclaredWithin(local, syntax) && _dataLocals.TryGetValue(local, out int data):
                        spelling = _variables[data].Path;
                        operands.Add(Read(data));
                        break;
                    // A local of another type declared inside an expression (a pattern's, an out argument's) gets BPG018 once.
                    case ILocalSymbol local when _boundRows.ContainsKey(local):
                        _unspellable = local.Name;
                        return null;
                    case ILocalSymbol local when !IsDeclaredWithin(local, syntax) && !local.IsRef && TypeMapping.Map(local.Type) is null:
                        VariableOf(local, local.Locations.FirstOrDefault() ?? name.GetLocation());
                        return Unspellable.Reported;
                    case ILocalSymbol local when !IsDeclaredWithin(local, syntax):
                        _unspellable = local.Name;
                        if (local.IsRef || VariableOf(local, name.GetLocation()) is not { } id) return null;
                        spelling = _variables[id].Path;
                        operands.Add(Read(id));
                        break;
                    // A parameter bound by inlining, or the numbers of a struct, cannot be spelled by its name: reported instead.
                    case IParameterSymbol parameter when _parameterValues.ContainsKey(parameter) || _parameterElements.ContainsKey(parameter) || _boundRows.ContainsKey(parameter) || _structValues.ContainsKey(parameter) || _structBuffers.ContainsKey(parameter)
                        || _structVariables.TryGetValue(parameter, out var leaves) && leaves.Any(l => _variables[l].Kind != VariableKind.Member || !_variables[l].NoDerivative):
                        _unspellable = parameter.Name;
                        return null;
                    // A parameter of another type (a list) is read too: what a call kept for its effect puts in it must not flow back unseen (SupportGate).
                    case IParameterSymbol parameter when _variableIds.TryGetValue(parameter, out int parameterId):
                        spelling = _variables[parameterId].Path;
                        operands.Add(Read(parameterId));
                        break;
                    // Inside an inlined method, its own members unqualified (or through this) would name the caller's.
                    case IFieldSymbol or IPropertySymbol or IMethodSymbol or IEventSymbol when Frame is { } frame
                        && SymbolEqualityComparer.Default.Equals(symbol.ContainingType, frame.Method.ContainingType)
                        && !(name.Parent is MemberAccessExpressionSyntax access && access.Name == name && access.Expression is not ThisExpressionSyntax):
                        return null;
                    // A member of this that holds numbers is differentiated or reported, never hidden in text as a constant. A
                    // statement kept as written reads it as it is, its variable among the operands (so DataFlow sees it).
                    case IFieldSymbol or IPropertySymbol when !_frozen && !symbol.IsStatic && !_method.IsStatic && !SymbolFacts.HasNoDerivative(symbol)
                        && IsOwnMember(symbol) && SymbolFacts.HoldsFloatingPoint(symbol is IFieldSymbol f ? f.Type : ((IPropertySymbol)symbol).Type):
                        var memberType = symbol is IFieldSymbol g ? g.Type : ((IPropertySymbol)symbol).Type;
                        if (TypeMapping.Map(memberType) is { IsReal: true } || MatrixType(memberType) is not null || JaggedType(memberType) is not null)
                        {
                            SyntaxNode reference = name.Parent is MemberAccessExpressionSyntax { Expression: ThisExpressionSyntax } qualified && qualified.Name == name ? qualified : name;
                            if (!statement || ModelFor(reference).GetOperation(reference, _cancellationToken) is not IMemberReferenceOperation member)
                            {
                                _unspellable = symbol.Name;
                                return null;
                            }
                            // (Null when lowering the member reported why it cannot be read.)
                            var read = MatrixType(memberType) is not null ? MatrixOf(member) is { } matrix ? Read(matrix) : null
                                : JaggedType(memberType) is not null ? JaggedOf(member) is { } jagged ? Read(jagged) : null
                                : LowerExpression(member);
                            if (read is null) return Unspellable.Reported;
                            if (read is IrRead or IrElement) operands.Add(read);
                            break;
                        }
                        ReportUnsupportedExpression(operation, "the member '" + symbol.Name + "' of type '" + SymbolFacts.Shown(memberType)
                            + "', which is not differentiated yet (nullable numbers, collections, arrays of structs, arrays of more than two dimensions, jagged arrays whose rows are declared nullable)", "mark '" + symbol.Name + "' [NoDerivative] to read it as data");
                        return Unspellable.Reported;
                }
            }
            if (text.Length > 0 && (previous.HasTrailingTrivia || token.HasLeadingTrivia)) text.Append(' ');
            text.Append(spelling);
            previous = token;
        }
        // A lambda beside numbers of the method (Apply(v => v * v, w)) is reported as a lambda (BPG006), not hidden in text;
        // beside [NoDerivative] data only (ys.Select(v => v * 2).Sum()) it runs as written, as LINQ on data does, and so it
        // does beside scalar locals in an expression that yields a number (d - mean): the support gate reports BPG010 where
        // such a local carries a derivative.
        bool yieldsNumber = !statement && TypeMapping.Map(operation.Type) is { IsBuffer: false };
        if (operands.Any(o => o.Type.IsReal && !IsNoDerivativeData(o) && !(yieldsNumber && IsScalarLocal(o))) && syntax.DescendantNodes().Any(n => n is AnonymousFunctionExpressionSyntax)) return null;
        _keptAsWritten = true;
        return new Respelled(text.ToString(), operands);
    }

    /// <summary>
    /// The variable of the struct field that <paramref name="name"/> starts (<c>p.X</c>, <c>p.Pos.X</c>, a tuple's <c>t.Item1</c>
    /// or <c>t.Name</c>) and the last token of that member path; null when the struct is used otherwise.
    /// </summary>
    private (int Variable, SyntaxToken Last)? StructFieldOf(IdentifierNameSyntax name, ISymbol symbol, List<int> fields)
    {
        var type = symbol is ILocalSymbol local ? local.Type : ((IParameterSymbol)symbol).Type;
        if (StructLayout.Of(type) is not { } layout || layout.Length != fields.Count) return null;
        SyntaxNode node = name;
        string path = "";
        while (node.Parent is MemberAccessExpressionSyntax access && access.Expression == node
            && ModelFor(access).GetSymbolInfo(access.Name, _cancellationToken).Symbol is { } member)
        {
            path = path.Length == 0 ? StructLayout.MemberName(member) : path + "." + StructLayout.MemberName(member);
            node = access;
            for (int k = 0; k < layout.Length; k++)
                if (layout[k].Path == path) return (fields[k], access.GetLastToken());
        }
        return null;
    }

    /// <summary>Whether a local is read anywhere outside <paramref name="syntax"/> in its method.</summary>
    private bool ReadOutside(ILocalSymbol local, SyntaxNode syntax)
    {
        var scope = syntax.FirstAncestorOrSelf<MemberDeclarationSyntax>() ?? syntax;
        return scope.DescendantNodes().OfType<IdentifierNameSyntax>().Any(n => n.Identifier.ValueText == local.Name && !syntax.Span.Contains(n.Span)
            && SymbolEqualityComparer.Default.Equals(ModelFor(n).GetSymbolInfo(n, _cancellationToken).Symbol, local));
    }

    /// <summary>The way out of BPG010 that works for this callee.</summary>
    /// <param name="call">The call, when an argument of a type the generator does not model may be what stands in the way.</param>
    private static string CallAdvice(IMethodSymbol target, IInvocationOperation? call = null)
    {
        string name = target.ContainingType?.Name + "." + target.Name;
        // A method with source, marked or not, runs as written here only because it is given data of another type.
        if (target.DeclaringSyntaxReferences.Length > 0 && call?.Arguments.FirstOrDefault(a => a.Value.Type is { } t && TypeMapping.Map(t) is null && StructLayout.Of(t) is null && !a.Value.ConstantValue.HasValue) is { } data)
            return "it is given '" + Code(data.Syntax) + "' of type '" + SymbolFacts.Shown(data.Value.Type!) + "', which a differentiated call cannot pass on yet; pass '" + target.Name
                + "' numbers or buffers (the values it needs from '" + Code(data.Syntax) + "' as a [NoDerivative] double[] or ReadOnlySpan<double>), or keep the code that uses it in the caller";
        if (target.ContainingType?.ToDisplayString() == "System.Linq.Enumerable")
            return "LINQ is not differentiated: write it as a loop over the buffer (LINQ on [NoDerivative] data is fine), or use Backprop.Ops (Ops.Sum, Ops.Dot, Ops.LogSumExp)";
        if (target.DeclaringSyntaxReferences.Length > 0 && target.ContainingType is { } owner
            && !owner.DeclaringSyntaxReferences.Any(r => r.GetSyntax() is Microsoft.CodeAnalysis.CSharp.Syntax.TypeDeclarationSyntax t && t.Modifiers.Any(m => m.ValueText == "partial")))
            return "make '" + owner.Name + "' partial, so that the derivative of '" + name + "' can be generated next to it";
        if (target.IsGenericMethod && target.OriginalDefinition.DeclaringSyntaxReferences.Length > 0)
            return GenericSpecialization.Applies(target)
                ? "it is differentiated as '" + target.Name + "' written for " + string.Join(" and ", target.TypeArguments.Select(t => t.ToDisplayString()).Distinct())
                    + "; write that copy without type parameters and mark it [Differentiable] to see why it cannot be, or give '" + name + "' a [DerivativeOf] rule"
                : "generic callees are differentiated for the type arguments double and float only; call '" + name + "' with those, or give it a [DerivativeOf] rule";
        if (target.DeclaringSyntaxReferences.Length > 0)
            return "mark '" + name + "' [Differentiable] to see why it cannot be differentiated, or give it a [DerivativeOf] rule";
        return "give '" + name + "' a [DerivativeOf] rule, or cut the derivative before the call with Ad.StopGradient";
    }

    /// <summary>The integer type, other than int and long, that a conversion of a number to it names (<c>(uint)(x + y)</c>), or null.</summary>
    private static string? IntegerConversion(IOperation operation)
    {
        var inner = operation is IConversionOperation { Operand: IConversionOperation nested } ? nested : operation as IConversionOperation;
        return inner is { Type.SpecialType: SpecialType.System_UInt32 or SpecialType.System_UInt64 or SpecialType.System_Int16 or SpecialType.System_UInt16 or SpecialType.System_Byte or SpecialType.System_SByte }
            && TypeMapping.Map(inner.Operand.Type) is { IsReal: true }
            ? inner.Type!.ToDisplayString()
            : null;
    }

    /// <summary>The variable that made <see cref="Respell"/> give up, when it was one.</summary>
    private string? _unspellable;

    /// <summary>Whether some expression is kept as written: the generated file then repeats the source's usings.</summary>
    private bool _keptAsWritten;

    /// <summary>A member of the method's type or of one of its base types.</summary>
    private bool IsOwnMember(ISymbol symbol)
    {
        for (var type = _method.ContainingType; type is not null; type = type.BaseType)
            if (SymbolEqualityComparer.Default.Equals(symbol.ContainingType, type)) return true;
        return false;
    }

    /// <summary>No assignment, increment, <c>ref</c>/<c>out</c> argument, allocation on the stack or throw inside.</summary>
    private static bool IsReadOnly(IOperation operation) => !operation.Descendants().Prepend(operation).Any(o =>
        o is IAssignmentOperation or IIncrementOrDecrementOperation or IThrowOperation or IDeclarationExpressionOperation
        || o is IArgumentOperation { Parameter.RefKind: RefKind.Ref or RefKind.Out }
        || o.Syntax is StackAllocArrayCreationExpressionSyntax);

    private bool IsScalarLocal(IrExpression operand) => operand is IrRead { Type.IsBuffer: false } read && _variables[read.Variable].Kind == VariableKind.Local;

    /// <summary>A lambda's parameter or a pattern's variable declared inside the expression stays as it is.</summary>
    private static bool IsDeclaredWithin(ISymbol local, SyntaxNode syntax) =>
        local.DeclaringSyntaxReferences.Any(r => syntax.Span.Contains(r.Span));

    /// <summary>The <c>using</c> directives in force at the method (file and enclosing namespaces), for the generated file.</summary>
    private List<string> Usings()
    {
        var usings = new List<string>();
        foreach (var node in _syntax.Ancestors().Reverse())
        {
            var directives = node switch
            {
                CompilationUnitSyntax unit => unit.Usings,
                BaseNamespaceDeclarationSyntax ns => ns.Usings,
                _ => default,
            };
            foreach (var directive in directives)
                if (directive.GlobalKeyword.IsKind(SyntaxKind.None)) usings.Add(OneLine(Code(directive)));
        }
        return usings;
    }
}
