using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Backprop.Generator.Helpers;
using Backprop.Generator.Ir;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Backprop.Generator.Lowering;

/// <summary>
/// <c>Span&lt;T&gt;.Fill</c>, <c>Clear</c> and <c>CopyTo</c>, an array's <c>CopyTo(span)</c>, <c>Array.Fill</c> and <c>Array.Clear</c> on buffers and slices
/// of them: lowered into the counted loops of element stores they mean, which the rest of the pipeline differentiates
/// like any loop (the way Swift lowers library calls it can see into), so no pass needs to know these methods.
/// </summary>
internal sealed partial class MethodLowerer
{
    private enum BufferOperation
    {
        Fill,
        Clear,
        CopyTo,
    }

    private static BufferOperation? BufferOperationOf(IInvocationOperation invocation)
    {
        var target = invocation.TargetMethod;
        bool span = target.ContainingType is { Name: "Span" or "ReadOnlySpan", ContainingNamespace.Name: "System" } && invocation.Instance is not null;
        bool array = target.ContainingType?.ToDisplayString() == "System.Array" && target.IsStatic;
        // An array's CopyTo: into a span (MemoryExtensions.CopyTo(T[], Span<T>)), or into an array from an index (Array.CopyTo).
        bool arrayCopy = target.ContainingType?.ToDisplayString() == "System.MemoryExtensions" && target.IsStatic && target.Parameters.Length == 2
                && target.Parameters[0].Type is IArrayTypeSymbol { Rank: 1 } && target.Parameters[1].Type is INamedTypeSymbol { Name: "Span" }
            || target.ContainingType?.ToDisplayString() == "System.Array" && !target.IsStatic && target.Parameters.Length == 2 && target.Parameters[1].Type.SpecialType == SpecialType.System_Int32;
        return target.Name switch
        {
            "Fill" when span && invocation.Arguments.Length == 1 || array && invocation.Arguments.Length == 2 => BufferOperation.Fill,
            "Clear" when span && invocation.Arguments.Length == 0 || array && invocation.Arguments.Length == 1 => BufferOperation.Clear,
            "CopyTo" when span && invocation.Arguments.Length == 1 || arrayCopy => BufferOperation.CopyTo,
            _ => null,
        };
    }

    private void LowerBufferOperation(IInvocationOperation invocation, BufferOperation operation, SourceRef source, ImmutableArray<IrStatement>.Builder output)
    {
        var arguments = invocation.Arguments.OrderBy(a => a.Parameter?.Ordinal ?? 0).Select(a => a.Value).ToList();
        var receiver = invocation.Instance ?? arguments[0];
        if (invocation.Instance is null) arguments.RemoveAt(0);
        if (View(receiver) is not { } target) return;
        var (buffer, start, length) = target;
        var element = _variables[buffer.Variable].Type.Element;
        int index = AddVariable("k", IrType.Int32, VariableKind.Synthetic);
        var k = new IrRead(IrType.Int32, index);
        IrExpression At(IrExpression offset) => offset is IrConstant { Value: 0 } ? k : new IrBinary(IrType.Int32, BinaryOperator.Add, offset, k);
        switch (operation)
        {
            case BufferOperation.Clear:
                AddCountedLoop(source, index, length, new IrStatement[] { new IrStore(SourceRef.None, buffer.Variable, At(start), IrConstant.Of(element, 0)) }, output);
                return;
            case BufferOperation.Fill:
                if (LowerExpression(arguments[0]) is not { } value) return;
                // The value is computed once, before the first store (it may read the buffer).
                int kept = AddVariable("fill", element, VariableKind.Synthetic);
                output.Add(new IrAssign(source, kept, ConvertTo(value, element), IsDeclaration: true));
                AddCountedLoop(source, index, length, new IrStatement[] { new IrStore(SourceRef.None, buffer.Variable, At(start), new IrRead(element, kept)) }, output);
                return;
            case BufferOperation.CopyTo:
                if (View(arguments[0]) is not { } destination) return;
                // Array.CopyTo(destination, index): the copy starts at that index of the destination.
                if (arguments.Count == 2)
                {
                    if (LowerExpression(arguments[1]) is not { } from) return;
                    destination = (destination.Buffer, destination.Start is IrConstant { Value: 0 } ? from : new IrBinary(IrType.Int32, BinaryOperator.Add, destination.Start, from), destination.Length);
                }
                if (destination.Buffer.Variable == buffer.Variable)
                {
                    ReportUnsupportedExpression(invocation, "a copy within one buffer", "copy through a second buffer, or write the loop");
                    return;
                }
                AddCountedLoop(source, index, length, new IrStatement[] { new IrStore(SourceRef.None, destination.Buffer.Variable, At(destination.Start), new IrElement(element, buffer.Variable, At(start))) }, output);
                return;
        }
    }

    /// <summary>A buffer or a slice of one, as the buffer, the start and the length of the view.</summary>
    private (IrRead Buffer, IrExpression Start, IrExpression Length)? View(IOperation operation)
    {
        var lowered = operation is IInvocationOperation slice && IsSlicing(slice.TargetMethod)
            ? LowerSlice(slice, TypeMapping.Map(slice.Type) ?? IrType.Double)
            : LowerExpression(WithoutConversions(operation));
        switch (lowered)
        {
            case IrRead { Type.IsBuffer: true } whole:
                return (whole, IrConstant.Int(0), new IrLength(whole.Variable));
            case IrSlice part:
                return (part.Buffer, part.Start, part.Length);
            case null:
                return null;
            default:
                ReportUnsupportedExpression(operation, "a buffer operation on something other than a buffer or a slice of one", "call it on a parameter, a local buffer or a slice of one");
                return null;
        }
    }

    /// <summary>
    /// <c>index = 0; while (index &lt; length) { body } index++</c>: the counted loop that foreach over a buffer, the zero
    /// fill of a hoisted buffer and these operations mean (the reverse sweep reverses it without a trip count).
    /// </summary>
    private static void AddCountedLoop(SourceRef source, int index, IrExpression length, IEnumerable<IrStatement> body, ImmutableArray<IrStatement>.Builder output)
    {
        var counter = new IrRead(IrType.Int32, index);
        output.Add(new IrAssign(source, index, IrConstant.Int(0), IsDeclaration: true));
        output.Add(new IrLoop(
            source,
            new IrBinary(IrType.Boolean, BinaryOperator.Less, counter, length),
            body.ToEquatableArray(),
            new IrStatement[] { new IrAssign(SourceRef.None, index, new IrBinary(IrType.Int32, BinaryOperator.Add, counter, IrConstant.Int(1))) }.ToEquatableArray()));
    }
}
