using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Backprop.Generator.Helpers;
using Backprop.Generator.Ir;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Backprop.Generator.Lowering;

/// <summary>
/// Arrays of arrays of numbers (<c>double[][] W</c>) as members of <c>this</c>: one buffer variable whose elements sit at
/// <see cref="IrRowIndex"/> positions, <c>W[o][i]</c> the element <c>(o, i)</c>, <c>W.Length</c> and <c>W[o].Length</c>
/// <see cref="IrLength"/>s (the second with its row). Rows are separate arrays of their own lengths, so no pass may treat
/// a position as a flat index: the printer spells <c>W[o][i]</c> and <c>dThis.W[o][i]</c> without an element tree, and
/// passes that do index arithmetic meet a node they do not know. A row passed to a method of the compilation inlines it,
/// the parameter bound to the row; a local initialized with a row (<c>var row = W[o];</c>) and the variable of
/// <c>foreach (var row in W)</c> are bound to it the same way, and <c>foreach (var w in W[o])</c> is the indexed loop over
/// the row. Elsewhere a row or the whole array is a located error, as are writes (the members are the model's parameters,
/// read-only in a differentiated method).
/// </summary>
internal sealed partial class MethodLowerer
{
    /// <summary>
    /// Parameters of inlined methods and locals bound to a row of a jagged array (<c>Dot(W[o], x)</c>, <c>var row = W[o];</c>):
    /// the array and the row, a variable nothing else assigns or a constant.
    /// </summary>
    private readonly Dictionary<ISymbol, (int Jagged, IrExpression Row)> _boundRows = new(SymbolEqualityComparer.Default);

    /// <summary>An array of arrays of <c>double</c> or <c>float</c> (rows not declared nullable), as the IR sees it; null for any other type.</summary>
    private static IrType? JaggedType(ITypeSymbol? type) =>
        type is IArrayTypeSymbol { Rank: 1, ElementType: IArrayTypeSymbol { Rank: 1, NullableAnnotation: not NullableAnnotation.Annotated } row }
        && TypeMapping.Map(row.ElementType) is { IsRealScalar: true } element
            ? new IrType(element.Scalar, ShapeKind.Array)
            : null;

    /// <summary>The variable of a differentiated jagged array member of <c>this</c> or of a sub-module; null for anything else (data).</summary>
    private int? JaggedOf(IOperation operation)
    {
        if (WithoutConversions(operation) is not (IFieldReferenceOperation or IPropertyReferenceOperation { Property.IsIndexer: false }) || JaggedType(operation.Type) is not { } type
            || ((IMemberReferenceOperation)WithoutConversions(operation)) is not { Instance: { } instance } member || ReceiverPath(instance) is not { } receiver
            || InaccessibleFromGeneratedCode(member))
            return null;
        return LowerThisMember(member, type, receiver, out bool isData, jagged: true) is IrRead read && !isData ? read.Variable : null;
    }

    /// <summary>
    /// A row of an array of arrays that is data (<c>Table[k]</c> of a static table, of a <c>[NoDerivative]</c> member, or of
    /// integers): its elements and length are read as written.
    /// </summary>
    private bool IsJaggedDataRow(IOperation operation) =>
        WithoutConversions(operation) is IArrayElementReferenceOperation { Indices.Length: 1, ArrayReference: var array }
        && WithoutConversions(array) is IFieldReferenceOperation or IPropertyReferenceOperation { Property.IsIndexer: false }
        && array.Type is IArrayTypeSymbol { ElementType: IArrayTypeSymbol } && JaggedOf(array) is null;

    /// <summary>
    /// Whether <paramref name="operation"/> is a row of a differentiated jagged array: <c>W[o]</c> (or <c>W[o].AsSpan()</c>),
    /// or a parameter or local bound to one.
    /// </summary>
    private bool IsJaggedRow(IOperation operation) => WithoutConversions(operation) switch
    {
        IArrayElementReferenceOperation { Indices.Length: 1 } element => JaggedType(element.ArrayReference.Type) is not null && JaggedOf(element.ArrayReference) is not null,
        IParameterReferenceOperation parameter => _boundRows.ContainsKey(parameter.Parameter),
        ILocalReferenceOperation local => _boundRows.ContainsKey(local.Local),
        IInvocationOperation span when WholeSpanOf(span) is { } array => IsJaggedRow(array),
        _ => false,
    };

    /// <summary>The array of <c>array.AsSpan()</c> (the whole array, no start or length), or null.</summary>
    private static IOperation? WholeSpanOf(IInvocationOperation invocation) =>
        invocation.TargetMethod is { Name: "AsSpan", IsExtensionMethod: true, ContainingType.Name: "MemoryExtensions" } && invocation.Arguments.Length == 1
            ? invocation.Arguments[0].Value
            : null;

    /// <summary>The jagged array and the row index of a row (<see cref="IsJaggedRow"/>); the row is null when its index was reported.</summary>
    private (int Jagged, IrExpression? Row) LowerJaggedRow(IOperation operation)
    {
        // A fresh node for each use (IR nodes are keyed by reference in later passes).
        if (WithoutConversions(operation) is IParameterReferenceOperation or ILocalReferenceOperation)
        {
            var symbol = WithoutConversions(operation) is IParameterReferenceOperation parameter ? (ISymbol)parameter.Parameter : ((ILocalReferenceOperation)WithoutConversions(operation)).Local;
            var (bound, row) = _boundRows[symbol];
            return (bound, row with { });
        }
        if (WithoutConversions(operation) is IInvocationOperation span) return LowerJaggedRow(WholeSpanOf(span)!);
        var element = (IArrayElementReferenceOperation)WithoutConversions(operation);
        int jagged = JaggedOf(element.ArrayReference)!.Value;
        return (jagged, JaggedIndex(element.Indices[0], new IrLength(jagged), element));
    }

    /// <summary><c>W[o][i]</c> (also through a parameter bound to the row): the element at the position <c>(o, i)</c>.</summary>
    private IrExpression? LowerJaggedElement(IOperation rowOperation, IOperation indexOperation, IrType? type)
    {
        var (jagged, row) = LowerJaggedRow(rowOperation);
        if (row is null || type is null) return null;
        var column = JaggedIndex(indexOperation, new IrLength(jagged, Row: row), indexOperation.Parent ?? indexOperation);
        return column is null ? null : new IrElement(type, jagged, new IrRowIndex(row, column));
    }

    /// <summary>A row or column index, evaluated once (<c>^k</c> counts from <paramref name="length"/>); null when it is not an int (reported).</summary>
    private IrExpression? JaggedIndex(IOperation index, IrLength length, IOperation whole)
    {
        bool fromEnd = WithoutConversions(index) is IUnaryOperation { OperatorKind: UnaryOperatorKind.Hat, Operand.Type.SpecialType: SpecialType.System_Int32 };
        var lowered = EvaluatedOnce(fromEnd
            ? LowerExpression(((IUnaryOperation)WithoutConversions(index)).Operand) is { } k ? new IrBinary(IrType.Int32, BinaryOperator.Subtract, length, k) : null
            : LowerExpression(index), index);
        if (lowered is null) return null;
        if (lowered.Type != IrType.Int32)
        {
            ReportUnsupportedExpression(whole, "an element access", "index a jagged array with ints ('W[o][i]')");
            return null;
        }
        _indexLocations[lowered] = index.Syntax.GetLocation();
        return lowered;
    }

    /// <summary><c>W.Length</c> and <c>W[o].Length</c> of a differentiated jagged array; null for anything else.</summary>
    private IrExpression? LowerJaggedLength(IPropertyReferenceOperation property)
    {
        if (property is not { Property.Name: "Length", Instance: { } instance }) return null;
        if (IsJaggedRow(instance)) return LowerJaggedRow(instance) is (var jagged, { } row) ? new IrLength(jagged, Row: row) : null;
        return JaggedType(instance.Type) is not null && JaggedOf(instance) is { } whole ? new IrLength(whole) : null;
    }

    /// <summary>
    /// A call that passes a row of a differentiated jagged array to a method of the compilation (<c>Dot(W[o], x)</c>):
    /// inlined, its parameter bound to the row.
    /// </summary>
    private bool PassesJaggedRow(IInvocationOperation invocation) =>
        invocation.TargetMethod is { MethodKind: MethodKind.Ordinary, IsGenericMethod: false } target
        && target.OriginalDefinition.DeclaringSyntaxReferences.Length > 0 && CustomRules.For(_model.Compilation, target).Count == 0
        && invocation.Arguments.Any(a => a.Parameter is { RefKind: RefKind.None } && TypeMapping.Map(a.Parameter.Type) is { IsBuffer: true } && IsJaggedRow(a.Value));

    /// <summary>Binds the inlined method's parameter <paramref name="key"/> to the row <paramref name="argument"/>; false when its index was reported.</summary>
    private bool BindJaggedRow(ISymbol key, IOperation argument, string name)
    {
        var (jagged, row) = LowerJaggedRow(argument);
        if (row is null) return false;
        _boundRows[key] = (jagged, Materialize(row, name + "Row"));
        return true;
    }

    /// <summary>
    /// <c>double[] row = W[o];</c> (or a span local): the local is that row, its index pinned in a variable of its own
    /// (<c>o</c> may change afterwards); false when the initializer is no row.
    /// </summary>
    private bool TryDeclareRowAlias(ILocalSymbol local, IOperation initializer, SyntaxNode syntax, ImmutableArray<IrStatement>.Builder output)
    {
        if (!local.IsRef && JaggedType(local.Type) is not null && JaggedType(initializer.Type) is not null && JaggedOf(initializer) is not null)
        {
            // var w = W; of the whole array: another name for the model's parameter, which it cannot be here.
            ReportWholeJagged(initializer, row: false);
            _unsupportedLocals.Add(local);
            return true;
        }
        if (local.IsRef || TypeMapping.Map(local.Type) is not { IsBuffer: true } || !IsJaggedRow(initializer)) return false;
        var (jagged, row) = LowerJaggedRow(initializer);
        if (row is not null) _boundRows[local] = (jagged, Pinned(row, local.Name + "Index", Source(syntax), output));
        return true;
    }

    /// <summary>
    /// <c>foreach (var w in W[o])</c>: the indexed loop over the row, pinned before the loop; <c>foreach (var row in W)</c>:
    /// the loop over the rows, <c>row</c> bound to the row at the loop's counter (which only the loop changes).
    /// </summary>
    private bool TryLowerJaggedForEach(IForEachLoopOperation loop, IVariableDeclaratorOperation control, ImmutableArray<IrStatement>.Builder output)
    {
        var collection = WithoutConversions(loop.Collection);
        bool overRows = JaggedType(collection.Type) is not null && JaggedOf(collection) is not null;
        if (control.Symbol.IsRef || !overRows && !IsJaggedRow(collection)) return false;
        var header = Header(loop.Syntax);
        int counter = AddVariable("index", IrType.Int32, VariableKind.Synthetic);
        var body = new List<IrStatement>();
        IrLength count;
        if (overRows)
        {
            int jagged = JaggedOf(collection)!.Value;
            if (TypeMapping.Map(control.Symbol.Type) is not { IsBuffer: true })
            {
                ReportUnsupportedStatement(loop);
                return true;
            }
            _boundRows[control.Symbol] = (jagged, Read(counter));
            count = new IrLength(jagged);
        }
        else
        {
            var (jagged, row) = LowerJaggedRow(collection);
            if (row is null || VariableOf(control.Symbol, control.Syntax.GetLocation()) is not { } element) return true;
            var pinned = Pinned(row, "row", header, output);
            var value = new IrElement(_variables[jagged].Type.Element, jagged, new IrRowIndex(pinned with { }, Read(counter)));
            body.Add(new IrAssign(header, element, ConvertTo(value, _variables[element].Type)));
            count = new IrLength(jagged, Row: pinned with { });
        }
        body.AddRange(LowerNested(loop.Body));
        AddCountedLoop(header, counter, count, body, output);
        return true;
    }

    /// <summary>A row index in an int variable of its own, assigned here (a constant stays as it is).</summary>
    private IrExpression Pinned(IrExpression row, string name, SourceRef source, ImmutableArray<IrStatement>.Builder output)
    {
        if (row is IrConstant) return row;
        int id = AddVariable(name, IrType.Int32, VariableKind.Synthetic);
        output.Add(new IrAssign(source, id, row, IsDeclaration: true));
        return Read(id);
    }

    /// <summary>A differentiated jagged array, or one of its rows, read as a whole where only its elements and lengths can be.</summary>
    private void ReportWholeJagged(IOperation operation, bool row) =>
        ReportUnsupportedExpression(operation, (row ? "the row '" : "the jagged array '") + Text(operation) + "' of the model used as a " + (row ? "buffer here" : "whole (assigned, or passed to a method)"),
            "read its elements ('" + (row ? Text(operation) + "[i]" : Text(operation) + "[o][i]") + "') and lengths here, or pass "
            + (row ? "the row" : "one row at a time ('" + Text(operation) + "[o]')") + " to a method of your own code, which is differentiated with it; a library method such as Ops needs the numbers in a flat double[] member");
}
