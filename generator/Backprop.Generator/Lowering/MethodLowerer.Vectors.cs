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

/// <summary>The members of <c>System.Numerics.Vector2/3/4</c> with rules (DESIGN.md), expanded over the vectors' components.</summary>
internal sealed partial class MethodLowerer
{
    private IrExpression? ScalarOperand(IOperation operation) =>
        LowerExpression(operation) is { } value ? Materialize(ConvertTo(value, IrType.Float), "component") : null;

    /// <summary>The members of Vector2/3/4 with rules (DESIGN.md), expanded over the leaves.</summary>
    private object? VectorMember(IMethodSymbol method, IReadOnlyList<IOperation> operands, IOperation site)
    {
        string name = method.Name;
        var values = new List<object?>();
        foreach (var operand in operands)
            values.Add(IsStructValue(operand) ? LowerStruct(operand, operand.Type) is { } v ? Materialize(v, "vector") : null : ScalarOperand(operand));
        if (values.Any(v => v is null)) return null;
        StructValue V(int i) => (StructValue)values[i]!;
        IrExpression S(int i) => (IrExpression)values[i]!;
        var f = IrType.Float;
        IrExpression Bin(BinaryOperator op, IrExpression a, IrExpression b) => new IrBinary(f, op, a, b);
        IrExpression M(string function, params IrExpression[] arguments) => new IrMathCall(f, function, arguments.ToEquatableArray());
        StructValue Map(System.Func<int, IrExpression> leaf)
        {
            var layout = values.OfType<StructValue>().First().Layout;
            return new StructValue(layout, Enumerable.Range(0, layout.Length).Select(leaf).ToList());
        }
        IrExpression At(int i, int k) => values[i] is StructValue s ? s.Leaves[k] : S(i);
        IrExpression Sum(IEnumerable<IrExpression> terms) => terms.Aggregate((a, b) => Bin(BinaryOperator.Add, a, b));
        IrExpression Dot(StructValue a, StructValue b) => Sum(a.Leaves.Zip(b.Leaves, (x, y) => Bin(BinaryOperator.Multiply, x, y)));
        StructValue Difference(StructValue a, StructValue b) => new(a.Layout, a.Leaves.Zip(b.Leaves, (x, y) => Bin(BinaryOperator.Subtract, x, y)).ToList());
        int n = values.Count;

        switch (name)
        {
            case "op_Addition" or "Add" when n == 2: return Map(k => Bin(BinaryOperator.Add, At(0, k), At(1, k)));
            case "op_Subtraction" or "Subtract" when n == 2: return Map(k => Bin(BinaryOperator.Subtract, At(0, k), At(1, k)));
            case "op_Multiply" or "Multiply" when n == 2: return Map(k => Bin(BinaryOperator.Multiply, At(0, k), At(1, k)));
            case "op_Division" or "Divide" when n == 2: return Map(k => Bin(BinaryOperator.Divide, At(0, k), At(1, k)));
            case "op_UnaryNegation" or "Negate" when n == 1: return Map(k => new IrUnary(f, UnaryOperator.Negate, At(0, k)));
            case "op_UnaryPlus" when n == 1: return V(0);
            case "Abs" when n == 1: return Map(k => M("Abs", At(0, k)));
            case "SquareRoot" when n == 1: return Map(k => M("Sqrt", At(0, k)));
            case "Min" when n == 2: return Map(k => M("Min", At(0, k), At(1, k)));
            case "Max" when n == 2: return Map(k => M("Max", At(0, k), At(1, k)));
            case "Clamp" when n == 3: return Map(k => M("Min", M("Max", At(0, k), At(1, k)), At(2, k)));
            case "Lerp" when n == 3: return Map(k => Bin(BinaryOperator.Add, At(0, k), Bin(BinaryOperator.Multiply, Bin(BinaryOperator.Subtract, At(1, k), At(0, k)), At(2, k))));
            case "Dot" when n == 2: return Dot(V(0), V(1));
            case "LengthSquared" when n == 1: return Dot(V(0), V(0));
            case "Length" when n == 1: return M("Sqrt", Dot(V(0), V(0)));
            case "DistanceSquared" when n == 2:
                var d2 = Materialize(Difference(V(0), V(1)), "difference");
                return Dot(d2, d2);
            case "Distance" when n == 2:
                var d = Materialize(Difference(V(0), V(1)), "difference");
                return M("Sqrt", Dot(d, d));
            case "Normalize" when n == 1:
                var length = Materialize(M("Sqrt", Dot(V(0), V(0))), "length");
                return Map(k => Bin(BinaryOperator.Divide, At(0, k), length));
            case "Cross" when n == 2 && V(0).Leaves.Count == 3:
                IrExpression C(int i, int j) => Bin(BinaryOperator.Subtract, Bin(BinaryOperator.Multiply, V(0).Leaves[i], V(1).Leaves[j]), Bin(BinaryOperator.Multiply, V(0).Leaves[j], V(1).Leaves[i]));
                return new StructValue(V(0).Layout, new List<IrExpression> { C(1, 2), C(2, 0), C(0, 1) });
            case "op_Equality" or "op_Inequality" or "Equals" when n == 2 && values.All(v => v is StructValue):
                var equal = V(0).Leaves.Zip(V(1).Leaves, (x, y) => (IrExpression)new IrBinary(IrType.Boolean, BinaryOperator.Equal, x, y))
                    .Aggregate((a, b) => new IrBinary(IrType.Boolean, BinaryOperator.And, a, b));
                return name == "op_Inequality" ? Not(equal) : equal;
        }
        ReportUnsupportedExpression(site, "'" + method.ContainingType.Name + "." + name + "', a member of " + method.ContainingType.Name + " without a derivative rule",
            "use its operators, Dot, Length, LengthSquared, Distance, DistanceSquared, Normalize, Cross, Lerp, Min, Max, Clamp, Abs or SquareRoot, or write it with the fields X, Y, Z, W");
        return null;
    }

    /// <summary><c>new Vector3(x, y, z)</c>, <c>new Vector3(s)</c>, <c>new Vector3(xy, z)</c>, <c>new Vector4(xyz, w)</c>.</summary>
    private StructValue? VectorConstructor(List<IOperation> arguments, ImmutableArray<StructLeaf> layout)
    {
        var leaves = new List<IrExpression>();
        foreach (var argument in arguments)
        {
            if (IsStructValue(argument))
            {
                if (LowerStruct(argument, argument.Type) is not { } part) return null;
                leaves.AddRange(part.Leaves);
            }
            else if (ScalarOperand(argument) is { } scalar) leaves.Add(scalar);
            else return null;
        }
        // One scalar fills every component.
        if (leaves.Count == 1 && layout.Length > 1) leaves = Enumerable.Repeat(leaves[0], layout.Length).ToList();
        if (leaves.Count != layout.Length)
        {
            ReportUnsupportedExpression(arguments.FirstOrDefault()?.Parent ?? arguments[0], "this Vector constructor", "construct it from its components");
            return null;
        }
        return new StructValue(layout, leaves);
    }
}
