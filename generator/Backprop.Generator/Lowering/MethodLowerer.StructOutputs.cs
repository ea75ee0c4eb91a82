using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Backprop.Generator.Ir;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Backprop.Generator.Lowering;

/// <summary>
/// Struct outputs of layers: a layer writing a <c>Span&lt;Vec2&gt;</c> or <c>Span&lt;Vector3&gt;</c> parameter
/// (<c>ys[i] = new Vec2(…)</c>, <c>ys[i].X = …</c>) stores into the flat view of its numbers, as reads of an array of
/// structs load from it (<see cref="IrVariable.View"/>): one <see cref="IrStore"/> per number written, the element's
/// index computed once. The layer's backward then takes the outputs' adjoints as <c>Span&lt;S&gt;</c>.
/// </summary>
internal sealed partial class MethodLowerer
{
    /// <summary>
    /// <c>ys[i] = v</c>, <c>ys[i].X = e</c>, <c>ys[i].Pos = p</c> into a span of structs parameter: the numbers the target
    /// names, stored one by one. False when the target is not (part of) an element of one.
    /// </summary>
    private bool TryLowerStructElementStore(ISimpleAssignmentOperation assignment, SourceRef source, ImmutableArray<IrStatement>.Builder output)
    {
        if (assignment.IsRef || StructElementTarget(assignment.Target) is not { } target) return false;
        var (structs, indexOperation, path) = target;
        var leaves = path.Length == 0 ? Enumerable.Range(0, structs.Layout.Length).ToList() : StructLayout.Under(structs.Layout, path);
        if (leaves.Count == 0) return false;
        // ys[^k] is ys[count - k].
        var fromEnd = WithoutConversions(indexOperation) is IUnaryOperation { OperatorKind: UnaryOperatorKind.Hat } hat && hat.Operand.Type?.SpecialType == SpecialType.System_Int32 ? hat.Operand : null;
        if (fromEnd is null && indexOperation.Type?.SpecialType != SpecialType.System_Int32)
        {
            ReportUnsupportedExpression(assignment.Target, "an element of an array of structs by a Range", "index it with an int or from the end ('ys[^1]')");
            return true;
        }
        List<IrExpression>? values;
        if (LayoutOf(assignment.Target.Type) is not null)
            values = LowerStruct(assignment.Value, assignment.Target.Type)?.Leaves.ToList();
        else
            values = LowerExpression(assignment.Value) is { } scalar ? new List<IrExpression> { scalar } : null;
        if (LowerExpression(fromEnd ?? indexOperation) is not { } index || values is null || values.Count != leaves.Count) return true;
        if (fromEnd is not null) index = new IrBinary(IrType.Int32, BinaryOperator.Subtract, StructCount(structs), index);
        index = Materialize(index, "element");
        for (int k = 0; k < leaves.Count; k++)
        {
            var element = StructElement(structs, index, leaves[k]);
            output.Add(new IrStore(source, element.Buffer, element.Index, ConvertTo(values[k], element.Type)));
        }
        return true;
    }

    /// <summary>The span of structs, the element's index and the member path under it (<c>""</c>, <c>X</c>, <c>Pos.X</c>) an assignment writes.</summary>
    private ((int Buffer, ImmutableArray<StructLeaf> Layout) Structs, IOperation Index, string Path)? StructElementTarget(IOperation target)
    {
        switch (target)
        {
            case IArrayElementReferenceOperation { Indices.Length: 1 } element when StructBufferOf(WithoutConversions(element.ArrayReference)) is { } structs:
                return (structs, element.Indices[0], "");
            case IPropertyReferenceOperation { Property.IsIndexer: true, Arguments.Length: 1, Instance: { } instance } indexer when StructBufferOf(WithoutConversions(instance)) is { } structs:
                return (structs, indexer.Arguments[0].Value, "");
            case IImplicitIndexerReferenceOperation implicitIndexer when StructBufferOf(WithoutConversions(implicitIndexer.Instance)) is { } structs:
                return (structs, implicitIndexer.Argument, "");
            case IFieldReferenceOperation or IPropertyReferenceOperation { Property.IsIndexer: false }
                when ((IMemberReferenceOperation)target).Instance is { } owner && IsStoredMember(((IMemberReferenceOperation)target).Member) && StructElementTarget(owner) is { } outer:
                string name = StructLayout.MemberName(((IMemberReferenceOperation)target).Member);
                return (outer.Structs, outer.Index, outer.Path.Length == 0 ? name : outer.Path + "." + name);
            default:
                return null;
        }
    }

    /// <summary>Forward mode and Jacobians of a layer with struct outputs are not built yet: a located error at the output.</summary>
    private void CheckStructOutputs(List<int> outputs, MethodShape? shape)
    {
        if (shape is null || !(shape.EmitTangent || shape.EmitJacobian)) return;
        foreach (int output in outputs.Where(o => _variables[o].View.Length > 0))
            Report(Diagnostics.DiagnosticDescriptors.UnsupportedStatement, _parameterLocations[output], _method.Name,
                (shape.EmitTangent ? "forward mode" : "the Jacobian") + " of a layer that writes the span of structs '" + _variables[output].Name + "', not supported yet",
                "remove " + (shape.EmitTangent ? "Forward" : "Jacobian") + " = true, or write the numbers into a flat Span<" + _variables[output].Type.ScalarKeyword + ">");
    }
}
