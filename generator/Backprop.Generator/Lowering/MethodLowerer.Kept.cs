using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Backprop.Generator.Diagnostics;
using Backprop.Generator.Helpers;
using Backprop.Generator.Ir;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace Backprop.Generator.Lowering;

/// <summary>
/// Ordinary C# around the numbers runs as written (issue 16): a call kept for its side effect (<c>Console.WriteLine(x)</c>,
/// <c>Debug.Assert(x &gt; 0)</c>, <c>log.Add(x)</c>), and locals of types the IR does not model (a <c>string</c>, a
/// <c>List&lt;int&gt;</c>, an enum, a <c>DateTime</c>) with their declarations, assignments and the calls that change them.
/// Each becomes an <see cref="IrKept"/> statement: the user's text, the method's variables re-spelled, run in the forward
/// sweep where the user wrote it and never reversed. What the generator could not follow stays a located error: a call that
/// could write a variable or a buffer the gradient tracks (a <c>ref</c> argument, a buffer passed as <c>double[]</c> or
/// <c>Span&lt;double&gt;</c>); and, in the support gate, a local of another type that carries a differentiated value
/// back into the result (BPG018).
/// </summary>
internal sealed partial class MethodLowerer
{
    /// <summary>The locals of other types (<see cref="VariableKind.Data"/>), by symbol: declared by a statement kept as written.</summary>
    private readonly Dictionary<ILocalSymbol, int> _dataLocals = new(SymbolEqualityComparer.Default);

    /// <summary>Where each local of another type was declared, for the support gate's diagnostics.</summary>
    private readonly Dictionary<int, DataOrigin> _dataOrigins = new();

    /// <summary>A type as a message shows it: a local declared with <c>var</c> without the <c>?</c> its inferred type carries.</summary>
    private static string Shown(ITypeSymbol type) => SymbolFacts.Shown(type.WithNullableAnnotation(NullableAnnotation.NotAnnotated));

    /// <summary>Whether a local of this type is one the IR does not model: kept as written.</summary>
    private static bool IsDataType(ITypeSymbol type) =>
        TypeMapping.Map(type) is null && StructLayout.Of(type) is null && type is not (IPointerTypeSymbol or IFunctionPointerTypeSymbol);

    /// <summary>
    /// <c>string label = $"w = {w}";</c>, <c>var list = new List&lt;int&gt;();</c>, <c>const string Name = "loss";</c>: the
    /// declaration kept as written, under the local's name in the generated code.
    /// </summary>
    private void DeclareDataLocal(IVariableDeclaratorOperation declarator, IOperation? initializer, ImmutableArray<IrStatement>.Builder output)
    {
        var local = declarator.Symbol;
        var syntax = (VariableDeclaratorSyntax)declarator.Syntax;
        if (!_dataLocals.TryGetValue(local, out int id))
        {
            id = AddVariable(local.Name, IrType.Int32, VariableKind.Data, noDerivative: true, local.Type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat));
            _dataLocals[local] = id;
            _dataOrigins[id] = new DataOrigin(syntax.GetLocation(), local.Name, Shown(local.Type), ForEach: false);
        }
        string type = Code((syntax.Parent as VariableDeclarationSyntax)?.Type);
        string text = (local.IsConst ? "const " : "") + type + " " + _variables[id].Name;
        var operands = new List<IrExpression>();
        if (initializer is not null && syntax.Initializer is { } equals)
        {
            if (!IsReadOnlyValue(initializer))
            {
                ReportUnsupportedStatement(initializer, "an assignment, increment or ref argument inside the initializer of '" + local.Name + "', a local kept as written",
                    "make that change in a statement of its own before the declaration");
                return;
            }
            if (ReportedBufferWrite(initializer, initializer)) return;
            var respelled = Respell(equals.Value, initializer, statement: true);
            if (respelled is null)
            {
                if (_unspellable is { } blocker && equals.Value.DescendantNodesAndSelf().All(n => n is not AnonymousFunctionExpressionSyntax))
                    Report(DiagnosticDescriptors.UnsupportedLocalType, syntax.GetLocation(), local.Name, Shown(local.Type), UnspellableAdvice(blocker));
                else
                    ReportUnspellable(initializer, equals.Value);
                return;
            }
            if (ReferenceEquals(respelled, Unspellable.Reported)) return;
            text += " = " + respelled.Text;
            operands = respelled.Operands;
        }
        bool constant = initializer is null || initializer.ConstantValue.HasValue;
        output.Add(new IrKept(Source(declarator.Syntax), text, operands.ToEquatableArray(), KeptKind.Data, new[] { id }.ToEquatableArray(), Removable: constant));
    }

    /// <summary>
    /// The variable of the local or parameter of another type that an assignment target or a call's receiver is part of
    /// (<c>label</c>, <c>list[0]</c>, <c>point.Name</c>), or null.
    /// </summary>
    private int? DataRoot(IOperation? operation)
    {
        switch (operation)
        {
            case IConversionOperation conversion:
                return DataRoot(conversion.Operand);
            case ILocalReferenceOperation local when _dataLocals.TryGetValue(local.Local, out int id):
                return id;
            case IParameterReferenceOperation parameter when TypeMapping.Map(parameter.Parameter.Type) is null
                && StructLayout.Of(parameter.Parameter.Type) is null && _variableIds.TryGetValue(parameter.Parameter, out int id) && !_variables[id].IsMatrix:
                return id;
            case IMemberReferenceOperation { Instance: { } instance }:
                return DataRoot(instance);
            case IArrayElementReferenceOperation element:
                return DataRoot(element.ArrayReference);
            case IImplicitIndexerReferenceOperation indexer:
                return DataRoot(indexer.Instance);
            default:
                return null;
        }
    }

    /// <summary><c>label += "!";</c>, <c>counts[k]++;</c>, <c>list = new List&lt;int&gt;();</c>: an assignment inside data, kept as written.</summary>
    private bool TryLowerDataAssignment(IOperation operation, SourceRef source, ImmutableArray<IrStatement>.Builder output)
    {
        var target = operation switch
        {
            IAssignmentOperation assignment => assignment.Target,
            IIncrementOrDecrementOperation increment => increment.Target,
            _ => null,
        };
        if (DataRoot(target) is not { } root) return false;
        var value = operation switch
        {
            IAssignmentOperation assignment => assignment.Value,
            _ => null,
        };
        // The value may compute anything as written; only the assignment itself may change state.
        if (value is not null && !IsReadOnlyValue(value) || target is not null && !IsReadOnlyValue(target))
        {
            ReportUnsupportedStatement(operation, "an assignment or increment nested in an assignment kept as written", "make each change in a statement of its own");
            return true;
        }
        if (ReportedBufferWrite(operation, operation)) return true;
        var respelled = Respell(operation.Syntax, operation, statement: true);
        if (respelled is null)
        {
            ReportUnspellable(operation, operation.Syntax);
            return true;
        }
        if (ReferenceEquals(respelled, Unspellable.Reported)) return true;
        // A local of the method, or a parameter itself, is the call's own state (run again with the computation); a
        // parameter's contents are state outside the method (an effect, run once).
        var kind = _variables[root].Kind == VariableKind.Data || WithoutConversions(target!) is IParameterReferenceOperation ? KeptKind.Data : KeptKind.Effect;
        bool constant = operation is ISimpleAssignmentOperation { Value.ConstantValue.HasValue: true } && target is ILocalReferenceOperation;
        output.Add(new IrKept(source, respelled.Text, respelled.Operands.ToEquatableArray(), kind, new[] { root }.ToEquatableArray(), Removable: constant));
        return true;
    }

    /// <summary>
    /// A call whose result is unused, kept as written: a side effect outside the method, once per call of a generated method
    /// (<see cref="KeptKind.Effect"/>), or, when it may change a local of another type (<c>list.Add(3)</c>), part of the
    /// method's computation (<see cref="KeptKind.Data"/>). A call that could write what the gradient tracks is reported.
    /// </summary>
    private void LowerKeptCall(IInvocationOperation invocation, SourceRef source, ImmutableArray<IrStatement>.Builder output)
    {
        var target = invocation.TargetMethod;
        string callee = target.ContainingType?.Name + "." + target.Name;
        var writes = new List<int>();
        // Whether it changes the call's own state: a local of another type, or a parameter passed by reference.
        bool own = false;
        foreach (var argument in invocation.Arguments)
        {
            var value = WithoutConversions(argument.Value);
            if (argument.Value is IDeclarationExpressionOperation declaration)
            {
                ReportUnsupportedStatement(invocation, "a call kept as written that declares '" + Text(declaration.Expression) + "' in its arguments",
                    "declare the variable in a statement of its own before the call");
                return;
            }
            if (argument.Parameter?.RefKind is RefKind.Ref or RefKind.Out)
            {
                if (DataRoot(value) is { } changed)
                {
                    writes.Add(changed);
                    own |= value is IParameterReferenceOperation;
                    continue;
                }
                if (value is IFieldReferenceOperation or IPropertyReferenceOperation && !IsOwnNumber(value))
                {
                    // A field outside the method (a call counter): fine unless the method reads it, which lowering checks at the end.
                    _refWrittenFields.Add((FieldSpelling((IMemberReferenceOperation)value), argument.Syntax.GetLocation(), Text(invocation), Text(value)));
                    continue;
                }
                ReportUnsupportedStatement(invocation, "a call that could change '" + Text(value) + "' through its " + (argument.Parameter.RefKind == RefKind.Out ? "out" : "ref")
                    + " argument, and the gradient tracks that variable (its value, and its derivative if it has one) without seeing the change",
                    "pass the value, and assign what the call computes in the method ('" + Text(value) + " = ...')");
                return;
            }
            // A local of another type passed by reference (a list given to a helper that fills it) may be changed.
            if (DataRoot(value) is { } passed && value is ILocalReferenceOperation or IParameterReferenceOperation && IsMutable(value.Type))
                writes.Add(passed);
        }
        if (invocation.Instance is { } instance && DataRoot(instance) is { } receiver && instance.Type?.SpecialType != SpecialType.System_String) writes.Add(receiver);
        if (!invocation.Descendants().All(d => IsReadOnlyNode(d, invocation)))
        {
            ReportUnsupportedStatement(invocation, "an assignment, increment or throw inside a call kept as written", "make that change in a statement of its own before the call");
            return;
        }
        if (ReportedBufferWrite(invocation, invocation)) return;
        var kind = own || writes.Any(w => _variables[w].Kind == VariableKind.Data) ? KeptKind.Data : KeptKind.Effect;
        var respelled = Respell(invocation.Syntax, invocation, statement: true);
        if (respelled is null)
        {
            ReportUnspellable(invocation, invocation.Syntax);
            return;
        }
        if (ReferenceEquals(respelled, Unspellable.Reported)) return;
        output.Add(new IrKept(source, respelled.Text, respelled.Operands.ToEquatableArray(), kind, writes.Distinct().ToEquatableArray()));
    }

    /// <summary>
    /// Reports a call in code kept as written (the statement's own, or one nested in it: <c>log.Add(Fill(w))</c>) that could
    /// write into a buffer the gradient reads or differentiates: passed where the callee may write into it, or the receiver
    /// of a method that may change it.
    /// </summary>
    private bool ReportedBufferWrite(IOperation kept, IOperation statement)
    {
        foreach (var call in kept.DescendantsAndSelf().OfType<IInvocationOperation>())
        {
            var target = call.TargetMethod;
            // A view of a buffer changes nothing; what is done with it is checked where it is passed.
            if (IsSlicing(target)) continue;
            string callee = target.ContainingType?.Name + "." + target.Name;
            foreach (var argument in call.Arguments)
            {
                if (WritableBuffer(argument.Value) is { } buffer && MayWriteInto(argument.Parameter, target) && CalleeMayWrite(target, argument.Parameter))
                {
                    ReportBufferWrite(statement, buffer, argument.Parameter!.Type.ToDisplayString(), callee);
                    return true;
                }
            }
            if (call.Instance is { } instance && WritableBuffer(instance) is { } written && !ReadsOnly(target))
            {
                ReportBufferWrite(statement, written, instance.Type?.ToDisplayString() ?? "", callee);
                return true;
            }
        }
        return false;
    }

    /// <summary>Whether the statement-level call may be kept as written: not a call the lowering differentiates or expands.</summary>
    private bool IsKeptCall(IInvocationOperation invocation)
    {
        var target = invocation.TargetMethod;
        if (target.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == DifferentiableAttribute)) return false;
        if (CustomRules.For(_model.Compilation, target).Count > 0) return false;
        if (IsStopGradient(target)) return false;
        if (target.MethodKind == MethodKind.LocalFunction) return false;
        // A helper with source that may write into a buffer is a layer: differentiated, its writes seen. One that only reads
        // its buffers runs as written.
        return !(target.ReturnsVoid && IsUnmarkedCallee(target, null, invocation)
            && target.Parameters.Any(p => MayWriteInto(p) && TypeMapping.Map(p.Type) is { IsBuffer: true, IsReal: true } && CalleeMayWrite(target, p)));
    }

    /// <summary>An own member of <c>this</c> that holds numbers (differentiated, or reported): never changed behind the gradient's back.</summary>
    private bool IsOwnNumber(IOperation member) =>
        member is IMemberReferenceOperation { Member: var symbol, Instance: not null } && !_method.IsStatic && IsOwnMember(symbol)
        && SymbolFacts.HoldsFloatingPoint(symbol is IFieldSymbol f ? f.Type : ((IPropertySymbol)symbol).Type);

    /// <summary>The buffer variable an argument is (a buffer, a slice or view of one, a field table), or null.</summary>
    private string? WritableBuffer(IOperation value)
    {
        value = WithoutConversions(value);
        if (TypeMapping.Map(value.Type) is not { IsBuffer: true, Shape: not ShapeKind.ReadOnlySpan } && MatrixType(value.Type) is null) return null;
        return value switch
        {
            ILocalReferenceOperation or IParameterReferenceOperation or IMemberReferenceOperation => Text(value),
            IInvocationOperation slice when IsSlicing(slice.TargetMethod) => WritableBuffer(slice.Instance ?? slice.Arguments[0].Value) ?? Text(value),
            IArrayElementReferenceOperation or IImplicitIndexerReferenceOperation => Text(value),
            _ => null,
        };
    }

    /// <summary>
    /// Whether a callee may write into an argument passed for <paramref name="parameter"/>: by reference, or as an array,
    /// a <c>Span&lt;T&gt;</c>, a <c>Memory&lt;T&gt;</c> or a list interface (read-only spans, enumerables and <c>object</c> are read).
    /// </summary>
    private static bool MayWriteInto(IParameterSymbol? parameter, IMethodSymbol? target = null)
    {
        if (parameter is null) return true;
        if (parameter.RefKind is RefKind.Ref or RefKind.Out) return true;
        // The span and array helpers of the BCL that read (IndexOf, BinarySearch, SequenceEqual, …) take T[] and Span<T> too.
        switch (target?.ContainingType?.ToDisplayString())
        {
            case "System.MemoryExtensions":
                return target.Name is "Sort" or "Reverse" or "Fill" or "Clear" or "Replace" || parameter.Name == "destination";
            case "System.Array":
                return target.Name is "Sort" or "Reverse" or "Fill" or "Clear" or "Resize" or "Initialize" or "ConstrainedCopy" || target.Name == "Copy" && parameter.Name == "destinationArray";
        }
        var type = parameter.Type;
        if (type is IArrayTypeSymbol || type.SpecialType == SpecialType.System_Array) return true;
        if (type is not INamedTypeSymbol named) return false;
        string ns = named.ContainingNamespace?.ToDisplayString() ?? "";
        return ns == "System" && named.Name is "Span" or "Memory" or "ArraySegment"
            || ns is "System.Collections.Generic" or "System.Collections" && named.Name is "IList" or "ICollection";
    }

    /// <summary>
    /// Whether the callee may write into what is passed for <paramref name="parameter"/> (an array or a span): always for a
    /// method without source; for one with source, when its body (or a callee's, a few calls deep) assigns an element of
    /// it, takes an element by reference, changes it through a method, or lets it go anywhere else than an element read,
    /// its length, a read-only view or an argument that only reads.
    /// </summary>
    private bool CalleeMayWrite(IMethodSymbol target, IParameterSymbol? parameter, int depth = 0)
    {
        if (parameter is null || depth > 4) return true;
        var definition = target.OriginalDefinition;
        if (definition.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(_cancellationToken) is not BaseMethodDeclarationSyntax syntax
            || parameter.Ordinal >= definition.Parameters.Length)
            return true;
        var body = (SyntaxNode?)syntax.Body ?? syntax.ExpressionBody;
        if (body is null || _model.Compilation.GetSemanticModel(syntax.SyntaxTree).GetOperation(body, _cancellationToken) is not { } operation) return true;
        var own = definition.Parameters[parameter.Ordinal];
        return operation.DescendantsAndSelf().OfType<IParameterReferenceOperation>()
            .Any(use => SymbolEqualityComparer.Default.Equals(use.Parameter, own) && MayBeWritten(use, depth));
    }

    /// <summary>Whether a use of a buffer may change its contents (see <see cref="CalleeMayWrite"/>).</summary>
    private bool MayBeWritten(IOperation use, int depth)
    {
        var parent = use.Parent;
        while (parent is IConversionOperation or IParenthesizedOperation)
        {
            use = parent;
            parent = parent.Parent;
        }
        switch (parent)
        {
            case IArrayElementReferenceOperation element when element.ArrayReference == use:
                return IsWriteTarget(element);
            case IPropertyReferenceOperation property when property.Instance == use:
                return property.Property.IsIndexer && IsWriteTarget(property);
            case IImplicitIndexerReferenceOperation indexer when indexer.Instance == use:
                return IsWriteTarget(indexer) || TypeMapping.Map(indexer.Type) is { IsBuffer: true } && MayBeWritten(indexer, depth);
            case IInvocationOperation call when call.Instance == use:
                return IsSlicing(call.TargetMethod) ? MayBeWritten(call, depth) : !ReadsOnly(call.TargetMethod);
            case IArgumentOperation argument when argument.Parent is IInvocationOperation call:
                if (IsSlicing(call.TargetMethod)) return MayBeWritten(call, depth);
                return MayWriteInto(argument.Parameter, call.TargetMethod) && CalleeMayWrite(call.TargetMethod, argument.Parameter, depth + 1);
            case IForEachLoopOperation loop when loop.Collection == use:
                return loop.Syntax is ForEachStatementSyntax { Type: RefTypeSyntax };
            default:
                return true;
        }
    }

    /// <summary>Whether an element reference is written: assigned, incremented, passed or bound by reference.</summary>
    private static bool IsWriteTarget(IOperation element)
    {
        var parent = element.Parent;
        while (parent is IParenthesizedOperation)
        {
            element = parent;
            parent = parent.Parent;
        }
        return parent switch
        {
            IAssignmentOperation assignment => assignment.Target == element,
            IIncrementOrDecrementOperation => true,
            IArgumentOperation argument => argument.Parameter?.RefKind is RefKind.Ref or RefKind.Out,
            IVariableInitializerOperation { Parent: IVariableDeclaratorOperation { Symbol.RefKind: not RefKind.None } } => true,
            IReturnOperation => element.Type is null || !element.Type.IsValueType || element.Syntax.Parent is RefExpressionSyntax,
            _ => element.Syntax.Parent is RefExpressionSyntax,
        };
    }

    /// <summary>Instance methods of arrays and spans that only read their receiver.</summary>
    private static bool ReadsOnly(IMethodSymbol target) => target.Name is "CopyTo" or "TryCopyTo" or "ToArray" or "ToString" or "GetValue" or "GetLength"
        or "GetLowerBound" or "GetUpperBound" or "GetHashCode" or "Equals" or "GetType" or "Clone" or "GetEnumerator" or "GetPinnableReference";

    /// <summary>A value whose contents a callee can change: an object (not a string), a span, or an array.</summary>
    private static bool IsMutable(ITypeSymbol? type) => type is not null && type.SpecialType != SpecialType.System_String
        && (type.IsReferenceType || type.IsRefLikeType);

    private void ReportBufferWrite(IOperation statement, string buffer, string type, string callee) =>
        ReportUnsupportedStatement(statement, "a call that could write into the buffer '" + buffer + "', which '" + callee + "' takes as '" + type
            + "', and the gradient reads or differentiates that buffer without seeing the writes",
            "pass it as a ReadOnlySpan if the call only reads it, or write the elements in the method ('" + buffer + "[i] = ...')");

    /// <summary>Reports a statement or initializer that cannot be kept as written because it names something the generated code cannot.</summary>
    private void ReportUnspellable(IOperation operation, SyntaxNode syntax)
    {
        var lambda = syntax.DescendantNodesAndSelf().FirstOrDefault(n => n is AnonymousFunctionExpressionSyntax);
        if (lambda is not null)
        {
            Report(DiagnosticDescriptors.Lambda, lambda.GetLocation());
            return;
        }
        if (Frame is { } frame)
            ReportUnsupportedStatement(operation, "code kept as written inside '" + frame.Method.Name + "', which is inlined into '" + _method.Name + "' (it takes or returns a struct) and whose variables the generated code cannot name",
                "move the statement into '" + _method.Name + "'");
        else
            ReportUnsupportedStatement(operation, "code kept as written", UnspellableAdvice(_unspellable ?? "a variable"));
    }

    /// <summary>Why code kept as written cannot name <paramref name="variable"/>, and what to write instead.</summary>
    private string UnspellableAdvice(string variable)
    {
        var parameter = _method.Parameters.FirstOrDefault(p => p.Name == variable);
        if (parameter is not null && _structBuffers.ContainsKey(parameter))
            return "it reads '" + variable + "', an array of structs whose numbers are differentiated one by one and cannot be used as a whole; read its elements where it is a parameter ('"
                + variable + "[i].X', foreach), or pass its numbers as a flat double[]";
        return "it reads '" + variable + "', which the generated code does not hold as one variable (a ref local, or a struct whose numbers are differentiated); read the number it needs into a double local first, and use that";
    }

    private void ReportUnsupportedStatement(IOperation operation, string what, string instead) =>
        Report(DiagnosticDescriptors.UnsupportedStatement, operation.Syntax.GetLocation(), Text(operation), what, instead);

    /// <summary>No assignment, increment, throw, declaration, <c>ref</c>/<c>out</c> argument or stackalloc below a value kept as written (a stackalloc initializer is fine).</summary>
    private static bool IsReadOnlyValue(IOperation value) =>
        value.Syntax is StackAllocArrayCreationExpressionSyntax or ImplicitStackAllocArrayCreationExpressionSyntax || IsReadOnly(value);

    /// <summary>A node inside a kept call that changes nothing: the call's own <c>ref</c>/<c>out</c> arguments are checked apart.</summary>
    private static bool IsReadOnlyNode(IOperation node, IInvocationOperation call) => node switch
    {
        IAssignmentOperation or IIncrementOrDecrementOperation or IThrowOperation or IDeclarationExpressionOperation => false,
        IArgumentOperation { Parameter.RefKind: RefKind.Ref or RefKind.Out } argument => argument.Parent == call,
        _ => node.Syntax is not StackAllocArrayCreationExpressionSyntax,
    };

    /// <summary>
    /// An index or a slice bound computed by code kept as written (<c>w[order[k]]</c>, <c>w[list.Count - 1]</c>) is
    /// evaluated once, into an int variable, before the statement: the reverse sweep reads that variable and never runs the
    /// code again (it may read a local of another type, which only the forward sweep has, or data a later side effect
    /// changes). Inside <c>&amp;&amp;</c>, <c>||</c> or <c>?:</c>, which may not evaluate it, it stays where it is, unless it
    /// reads a local of another type: that is reported.
    /// </summary>
    private IrExpression? EvaluatedOnce(IrExpression? value, IOperation operation)
    {
        if (value is null) return null;
        bool kept = false, data = false;
        IrWalker.VisitExpression(value, e =>
        {
            kept |= e is IrVerbatim;
            data |= e is IrRead read && _variables[read.Variable].Kind == VariableKind.Data;
        });
        if (!kept) return value;
        if (_pending is null || _conditionalDepth > 0)
        {
            if (!data) return value;
            ReportUnsupportedExpression(operation, "an index computed from a local of another type inside &&, || or ?:", "compute the index into an int local before the expression");
            return null;
        }
        int id = AddVariable("index", value.Type, VariableKind.Synthetic);
        _pending.Add(new IrAssign(_pendingSource, id, value, IsDeclaration: true));
        var read = Read(id);
        _hoistedReads.Add(read);
        return read;
    }

    /// <summary>Fields a kept call may change through a <c>ref</c> argument: the spelling the method's reads of it have, where, the call and the field.</summary>
    private readonly List<(string Spelling, Location Location, string Call, string Field)> _refWrittenFields = new();

    /// <summary>The spellings of the fields and properties the method reads as data (<see cref="IrExternal"/>).</summary>
    private readonly HashSet<string> _externalReads = new();

    /// <summary>A field or property as the generated code spells a read of it (see <see cref="LowerMember"/>).</summary>
    private string FieldSpelling(IMemberReferenceOperation member)
    {
        string? receiver = member.Instance is null ? member.Member.ContainingType.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat) : ReceiverPath(member.Instance);
        return (receiver ?? Text(member.Instance!)) + "." + Identifiers.Escape(member.Member.Name);
    }

    /// <summary>
    /// A field that a kept call changes through a <c>ref</c> argument and that the method also reads: the reverse sweep may
    /// read it again, after the change (a counter <c>Interlocked.Increment(ref s_calls)</c> the method does not read is fine).
    /// </summary>
    private void CheckRefWrittenFields()
    {
        foreach (var (spelling, location, call, field) in _refWrittenFields)
        {
            if (!_externalReads.Contains(spelling)) continue;
            Report(DiagnosticDescriptors.UnsupportedStatement, location, call,
                "a call that changes '" + field + "' through its ref argument, which the method also reads, and the gradient may read it again after the change",
                "change '" + field + "' outside the [Differentiable] method");
        }
    }
}
