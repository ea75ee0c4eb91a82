using Backprop.Generator.Diagnostics;
using Backprop.Generator.Ir;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Backprop.Generator.Lowering;

/// <summary>
/// Two-dimensional arrays of numbers (<c>double[,] w</c>), as parameters and as members of <c>this</c>: a buffer
/// variable of rank 2 whose elements the IR reads through its flat view, row by row (C# stores <c>T[,]</c> row-major):
/// <c>w[i, j]</c> is the element <c>i * w.GetLength(1) + j</c>, <c>w.GetLength(d)</c> an <see cref="IrLength"/> of that
/// dimension. Every analysis and sweep then treats it as the flat buffer it is; only the gradient's shape (an array of
/// the same dimensions) and its checks differ. Reading one as a whole (passing it to a method, assigning it) and writing
/// its elements are located errors.
/// </summary>
internal sealed partial class MethodLowerer
{
    /// <summary>A two-dimensional array of <c>double</c> or <c>float</c>, seen as the flat buffer of its elements; null for any other type.</summary>
    private static IrType? MatrixType(ITypeSymbol? type) =>
        type is IArrayTypeSymbol { Rank: 2 } array && TypeMapping.Map(array.ElementType) is { IsRealScalar: true } element
            ? new IrType(element.Scalar, ShapeKind.Array)
            : null;

    /// <summary>The variable of a differentiated two-dimensional array (a parameter, a member of <c>this</c>), or null (data).</summary>
    private int? MatrixOf(IOperation operation)
    {
        switch (WithoutConversions(operation))
        {
            case IParameterReferenceOperation parameter when _variableIds.TryGetValue(parameter.Parameter, out int id) && _variables[id].IsMatrix:
                return id;
            case IFieldReferenceOperation or IPropertyReferenceOperation { Property.IsIndexer: false } when MatrixType(operation.Type) is { } type
                && ((IMemberReferenceOperation)WithoutConversions(operation)) is { Instance: { } instance } member && ReceiverPath(instance) is { } receiver:
                if (InaccessibleFromGeneratedCode(member)) return null;
                return LowerThisMember(member, type, receiver, out bool isData, rank: 2) is IrRead read && !isData ? read.Variable : null;
            default:
                return null;
        }
    }

    /// <summary><c>w[i, j]</c>: the element <c>i * w.GetLength(1) + j</c> of the flat view.</summary>
    private IrExpression? LowerMatrixElement(int matrix, IArrayElementReferenceOperation element, IrType? type)
    {
        var row = EvaluatedOnce(LowerExpression(element.Indices[0]), element.Indices[0]);
        var column = EvaluatedOnce(LowerExpression(element.Indices[1]), element.Indices[1]);
        if (row is null || column is null || type is null) return null;
        if (row.Type != IrType.Int32 || column.Type != IrType.Int32)
        {
            ReportUnsupportedExpression(element, "an element access", "index a two-dimensional array with two ints");
            return null;
        }
        var rowStart = new IrBinary(IrType.Int32, BinaryOperator.Multiply, row, new IrLength(matrix, 1));
        var index = new IrBinary(IrType.Int32, BinaryOperator.Add, rowStart, column);
        _indexLocations[index] = element.Syntax.GetLocation();
        return new IrElement(type, matrix, index);
    }

    /// <summary>
    /// <c>w.GetLength(d)</c>, <c>w.GetUpperBound(d)</c> and <c>w.GetLowerBound(d)</c> (<c>d</c> a constant 0 or 1) of a
    /// differentiated two-dimensional array; null for anything else.
    /// </summary>
    private IrExpression? LowerMatrixDimension(IInvocationOperation invocation)
    {
        if (invocation.TargetMethod.Name is not ("GetLength" or "GetUpperBound" or "GetLowerBound") || invocation.Instance is not { } instance || invocation.Arguments.Length != 1
            || invocation.Arguments[0].Value.ConstantValue is not { HasValue: true, Value: int dimension } || dimension is not (0 or 1)
            || MatrixType(instance.Type) is null || MatrixOf(instance) is not { } matrix)
            return null;
        var one = IrConstant.Int(1);
        return invocation.TargetMethod.Name switch
        {
            "GetLength" => new IrLength(matrix, dimension),
            "GetUpperBound" => new IrBinary(IrType.Int32, BinaryOperator.Subtract, new IrLength(matrix, dimension), one),
            _ => IrConstant.Int(0),
        };
    }

    /// <summary><c>w.Length</c> and <c>w.Rank</c> of a differentiated two-dimensional array; null for anything else.</summary>
    private IrExpression? LowerMatrixProperty(IPropertyReferenceOperation property) =>
        property is { Property.Name: "Length" or "Rank", Instance: { } instance } && MatrixType(instance.Type) is not null && MatrixOf(instance) is { } matrix
            ? property.Property.Name == "Length" ? new IrLength(matrix) : IrConstant.Int(2)
            : null;

    /// <summary>A differentiated two-dimensional array read as a whole: what the user can write instead.</summary>
    private void ReportWholeMatrix(IOperation operation, string name) =>
        ReportUnsupportedExpression(operation, "the two-dimensional array '" + name + "' used as a whole (passed to a method or assigned)",
            "read its elements here ('" + name + "[i, j]', '" + name + ".GetLength(0)'), or pass its numbers as a flat double[] or span, row by row");

    /// <summary>A write into a differentiated two-dimensional array.</summary>
    private void ReportMatrixWrite(IOperation target, string name) =>
        Report(DiagnosticDescriptors.UnsupportedStore, target.Syntax.GetLocation(), target.Syntax.ToString(),
            "the elements of the two-dimensional array '" + name + "' are read-only here; write the results into a local array or a Span<T> output instead");
}
