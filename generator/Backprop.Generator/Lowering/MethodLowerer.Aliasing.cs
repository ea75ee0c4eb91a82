using System.Collections.Generic;
using System.Linq;
using Backprop.Generator.Diagnostics;
using Backprop.Generator.Helpers;
using Backprop.Generator.Ir;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace Backprop.Generator.Lowering;

/// <summary>
/// A layer called in place: an input and an output argument in the same buffer (<c>Sq(b, b)</c>, <c>Ops.Tanh(b, b)</c>,
/// <c>Shift(b.Slice(1, 6), b.Slice(0, 6))</c>). The callee's derivative needs its input and its output in separate memory
/// (its reverse sweep reads the input as it was, and takes the input's gradient and the output's adjoint as separate
/// spans), so such a call is BPG036, unless the two slices are provably disjoint. Copying the input instead would change
/// what an in-place run computes for a callee that reads an input element after writing an output element over it.
/// Buffers shared only at run time (two parameters that are the same array) are checked by the generated entry points.
/// </summary>
internal sealed partial class MethodLowerer
{
    /// <summary>Reports the first input and output of <paramref name="call"/> that may share memory; true when it did.</summary>
    private bool ReportedInPlaceCall(IInvocationOperation invocation, IrDifferentiableCall call)
    {
        var target = invocation.TargetMethod;
        int count = System.Math.Min(target.Parameters.Length, call.Arguments.Count);
        for (int o = 0; o < count; o++)
        {
            if (!call.Callee.OutputParameters[o] || call.Arguments[o] is not (IrRead { Type.IsBuffer: true } or IrSlice)) continue;
            for (int i = 0; i < count; i++)
            {
                if (i == o || call.Callee.OutputParameters[i] || call.Arguments[i] is not (IrRead { Type.IsBuffer: true } or IrSlice)) continue;
                if (IrSlice.BufferOf(call.Arguments[i]) != IrSlice.BufferOf(call.Arguments[o]) || Disjoint(call.Arguments[i], call.Arguments[o])) continue;
                var input = ArgumentFor(invocation, i);
                var output = ArgumentFor(invocation, o);
                if (input is null || output is null) continue;
                string buffer = BufferName(IrSlice.BufferOf(call.Arguments[o]));
                string slices = "'" + input.Value.Syntax + "' and '" + output.Value.Syntax + "'";
                string how = call.Arguments[i] is IrRead && call.Arguments[o] is IrRead ? "both are the buffer '" + buffer + "'"
                    : Overlap(call.Arguments[i], call.Arguments[o]) ? slices + " overlap in the buffer '" + buffer + "'"
                    : slices + " are parts of the buffer '" + buffer + "' that may overlap";
                string callee = invocation.Syntax is InvocationExpressionSyntax { Expression: var called } ? OneLine(called.ToString()) : target.Name;
                Report(DiagnosticDescriptors.InPlaceLayerCall, invocation.Syntax.GetLocation(), OneLine(invocation.Syntax.ToString()), callee,
                    target.Parameters[o].Name, target.Parameters[i].Name, how, SeparateOutput(invocation, output, call.Arguments[o]));
                return true;
            }
        }
        return false;
    }

    private static IArgumentOperation? ArgumentFor(IInvocationOperation invocation, int ordinal) =>
        invocation.Arguments.FirstOrDefault(a => a.Parameter?.Ordinal == ordinal && a.Syntax is ArgumentSyntax);

    /// <summary>The buffer as the user names it: the parameter or local it is (a written parameter's copy is the parameter).</summary>
    private string BufferName(int buffer) =>
        _variableIds.Where(p => p.Value == buffer).Select(p => p.Key.Name).FirstOrDefault() ?? Identifiers.Bare(_variables[buffer].Name);

    /// <summary>
    /// The advice: the call with its output written into a new buffer of the output's length, then copied where the
    /// output was (<c>Span&lt;double&gt; yOut = stackalloc double[b.Length]; Sq(b, yOut); yOut.CopyTo(b);</c>).
    /// </summary>
    private string SeparateOutput(IInvocationOperation invocation, IArgumentOperation output, IrExpression lowered)
    {
        var syntax = (ArgumentSyntax)output.Syntax;
        var model = ModelFor(syntax);
        int position = invocation.Syntax.SpanStart;
        string name = output.Parameter!.Name + "Out";
        for (int k = 2; !model.LookupSymbols(position, name: name).IsEmpty; k++) name = output.Parameter.Name + "Out" + k;
        string text = syntax.Expression.ToString();
        string length = lowered is IrSlice { Length: IrConstant constant } ? constant.Integer.ToString(System.Globalization.CultureInfo.InvariantCulture) : text + ".Length";
        var type = output.Parameter.Type;
        string declaration = type is IArrayTypeSymbol array
            ? type.ToMinimalDisplayString(model, position) + " " + name + " = new " + array.ElementType.ToMinimalDisplayString(model, position) + "[" + length + "];"
            : type.ToMinimalDisplayString(model, position) + " " + name + " = stackalloc " + ((INamedTypeSymbol)type).TypeArguments[0].ToMinimalDisplayString(model, position) + "[" + length + "];";
        string call = invocation.Syntax.ReplaceNode(syntax.Expression, SyntaxFactory.IdentifierName(name).WithTriviaFrom(syntax.Expression)).ToString();
        // In a loop, a stackalloc belongs before it (one buffer for all passes; inside, it is CA2014 and grows the stack).
        bool inLoop = invocation.Syntax.Ancestors().TakeWhile(a => a is not MemberDeclarationSyntax)
            .Any(a => a is ForStatementSyntax or ForEachStatementSyntax or WhileStatementSyntax or DoStatementSyntax);
        return declaration + (inLoop ? " /* before the loop */" : "") + " " + OneLine(call) + "; " + name + ".CopyTo(" + text + ");";
    }

    /// <summary>Two arguments in one buffer that provably share no element: one slice ends where (or before) the other starts.</summary>
    private static bool Disjoint(IrExpression a, IrExpression b)
    {
        var (startA, lengthA, startB, lengthB) = Intervals(a, b);
        return NonNegative(Sum(startB, Sum(startA, lengthA, 1), -1)) || NonNegative(Sum(startA, Sum(startB, lengthB, 1), -1));
    }

    /// <summary>Two arguments that certainly share elements (one is the whole buffer, their starts are the same, or all bounds are numbers).</summary>
    private static bool Overlap(IrExpression a, IrExpression b)
    {
        var (startA, lengthA, startB, lengthB) = Intervals(a, b);
        return a is IrRead || b is IrRead || new[] { startA, lengthA, startB, lengthB }.All(p => p.Keys.All(k => k.Length == 0))
            || Sum(startA, startB, -1).Values.All(c => c == 0);
    }

    /// <summary>The starts and lengths of two buffer arguments as polynomials over the same operands.</summary>
    private static (Dictionary<string, long>, Dictionary<string, long>, Dictionary<string, long>, Dictionary<string, long>) Intervals(IrExpression a, IrExpression b)
    {
        var operands = new List<IrExpression>();
        Dictionary<string, long> StartOf(IrExpression e) => Polynomial(e is IrSlice slice ? slice.Start : IrConstant.Int(0), operands);
        Dictionary<string, long> LengthOf(IrExpression e) => Polynomial(e is IrSlice slice ? slice.Length : new IrLength(((IrRead)e).Variable), operands);
        return (StartOf(a), LengthOf(a), StartOf(b), LengthOf(b));
    }

    /// <summary>
    /// An integer expression as a sum of monomials with their coefficients; a monomial is a product of the operands the sum
    /// does not break down, each named by its position in <paramref name="operands"/> (equal operands, one position).
    /// </summary>
    private static Dictionary<string, long> Polynomial(IrExpression e, List<IrExpression> operands)
    {
        switch (e)
        {
            case IrConstant { Type.IsReal: false } constant:
                return new Dictionary<string, long> { [""] = constant.Integer };
            case IrBinary { Operator: BinaryOperator.Add } add:
                return Sum(Polynomial(add.Left, operands), Polynomial(add.Right, operands), 1);
            case IrBinary { Operator: BinaryOperator.Subtract } subtract:
                return Sum(Polynomial(subtract.Left, operands), Polynomial(subtract.Right, operands), -1);
            case IrBinary { Operator: BinaryOperator.Multiply } multiply:
                var product = new Dictionary<string, long>();
                foreach (var left in Polynomial(multiply.Left, operands))
                    foreach (var right in Polynomial(multiply.Right, operands))
                    {
                        string key = string.Join(" ", left.Key.Split(' ').Concat(right.Key.Split(' ')).Where(f => f.Length > 0).OrderBy(f => f, System.StringComparer.Ordinal));
                        product[key] = (product.TryGetValue(key, out long c) ? c : 0) + left.Value * right.Value;
                    }
                return product;
            default:
                int position = operands.IndexOf(e);
                if (position < 0)
                {
                    position = operands.Count;
                    operands.Add(e);
                }
                return new Dictionary<string, long> { ["x" + position.ToString(System.Globalization.CultureInfo.InvariantCulture)] = 1 };
        }
    }

    private static Dictionary<string, long> Sum(Dictionary<string, long> a, Dictionary<string, long> b, long sign)
    {
        var sum = new Dictionary<string, long>(a);
        foreach (var term in b) sum[term.Key] = (sum.TryGetValue(term.Key, out long c) ? c : 0) + sign * term.Value;
        return sum;
    }

    private static bool NonNegative(Dictionary<string, long> polynomial) =>
        polynomial.All(t => t.Key.Length == 0 ? t.Value >= 0 : t.Value == 0);
}
