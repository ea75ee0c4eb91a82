using System.Collections.Generic;
using System.Collections.Immutable;
using Backprop.Generator.Ir;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Backprop.Generator.Lowering;

/// <summary>
/// Span locals bound to a buffer or a slice of one (<c>var row = w.Slice(i * n, n);</c>, <c>ReadOnlySpan&lt;double&gt; s = w;</c>,
/// <c>var tail = w[2..];</c>), and array locals bound to another array (<c>double[] r = list;</c>) or to a member of the
/// model (<c>double[] w = Weight;</c>, <c>ReadOnlySpan&lt;double&gt; b = Bias;</c>) are views, never copies: every use is a use of the buffer at an offset, with the start and
/// length captured when the view is bound (they may change afterwards). An element is <c>w[start + i]</c>, the length
/// is the captured length, a slice of the view is a slice of the buffer, and a view passed to a callee is that slice.
/// Re-binding a view is a located error.
/// </summary>
internal sealed partial class MethodLowerer
{
    private readonly Dictionary<ILocalSymbol, IrSlice> _spanViews = new(SymbolEqualityComparer.Default);

    /// <summary>Declares <paramref name="local"/> as a view when its initializer is a buffer or a slice of one; false otherwise.</summary>
    private bool TryDeclareSpanView(ILocalSymbol local, IOperation initializer, SyntaxNode syntax, ImmutableArray<IrStatement>.Builder output)
    {
        bool isSpan = local.Type is INamedTypeSymbol { Name: "Span" or "ReadOnlySpan", ContainingNamespace.Name: "System" };
        if (!isSpan && local.Type is not IArrayTypeSymbol { Rank: 1 } || TypeMapping.Map(local.Type) is not { IsBuffer: true } type)
            return false;
        var value = WithoutConversions(initializer);
        // An array local bound to another array (double[] r = list;, double[] w = Weight;) is that array under another name.
        bool member = value is IFieldReferenceOperation or IPropertyReferenceOperation { Property.IsIndexer: false }
            && ((IMemberReferenceOperation)value).Instance is { } owner && ReceiverPath(owner) is not null;
        if (!isSpan && !member && value is not (ILocalReferenceOperation or IParameterReferenceOperation)) return false;
        bool view = member || value is ILocalReferenceOperation or IParameterReferenceOperation
            || value is IInvocationOperation invocation && (IsSlicing(invocation.TargetMethod) || IsStopGradient(invocation.TargetMethod))
            || value is IArrayElementReferenceOperation { Indices.Length: 1 } element && element.Indices[0] is IRangeOperation
            || value is IImplicitIndexerReferenceOperation { Argument: IRangeOperation };
        if (!view) return false;
        var lowered = LowerExpression(initializer);
        if (lowered is not (IrSlice or IrRead { Type.IsBuffer: true })) return lowered is null;
        var slice = lowered as IrSlice ?? new IrSlice(type, (IrRead)lowered, IrConstant.Int(0), new IrLength(((IrRead)lowered).Variable));
        _spanViews[local] = slice with { Type = type, Start = Captured(local.Name + "Start", slice.Start), Length = Captured(local.Name + "Length", slice.Length) };
        return true;

        IrExpression Captured(string name, IrExpression bound)
        {
            if (bound is IrConstant) return bound;
            int id = AddVariable(name, IrType.Int32, VariableKind.Synthetic);
            output.Add(new IrAssign(Source(syntax), id, bound, IsDeclaration: true));
            return Read(id);
        }
    }

    private static bool IsStopGradient(IMethodSymbol method) => method.Name == "StopGradient" && method.ContainingType?.ToDisplayString() == "Backprop.Ad";

    /// <summary>A fresh node for one use of a view (IR nodes are keyed by reference in later passes).</summary>
    private IrSlice? SpanViewOf(ILocalSymbol local) => _spanViews.TryGetValue(local, out var view)
        ? view with { Buffer = view.Buffer with { }, Start = view.Start with { }, Length = view.Length with { } }
        : null;
}
