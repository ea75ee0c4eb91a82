using System.Collections.Generic;
using System.Collections.Immutable;
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
/// <c>foreach</c> over a collection the IR does not model (a <c>List&lt;double&gt;</c>, an <c>IReadOnlyList&lt;int&gt;</c>,
/// an <c>IEnumerable&lt;double&gt;</c>, a string): the loop C# runs, through the collection's enumerator, kept as written:
/// <c>var enumerator = (collection).GetEnumerator(); while (enumerator.MoveNext()) { v = enumerator.Current; … }</c> and
/// <c>enumerator.Dispose()</c> after it. The reverse sweep replays its trip count and never touches the enumerator. Its
/// values are data: where they depend on differentiated values and reach the result, the support gate reports BPG012.
/// </summary>
internal sealed partial class MethodLowerer
{
    private void LowerEnumeratorLoop(IForEachLoopOperation loop, IVariableDeclaratorOperation control, ImmutableArray<IrStatement>.Builder output)
    {
        var syntax = (ForEachStatementSyntax)loop.Syntax;
        var info = ModelFor(syntax).GetForEachStatementInfo(syntax);
        var local = control.Symbol;
        if (info.GetEnumeratorMethod is not { } getEnumerator || info.CurrentProperty is not { } current || local.IsRef)
        {
            ReportUnsupportedStatement(loop);
            return;
        }
        var collection = loop.Collection;
        if (!IsReadOnly(WithoutConversions(collection)))
        {
            ReportUnsupportedExpression(WithoutConversions(collection), "an assignment or increment in the collection of a foreach", "compute the collection in a statement of its own");
            return;
        }
        var respelled = Respell(syntax.Expression, collection, statement: true);
        if (respelled is null)
        {
            ReportUnsupportedExpression(WithoutConversions(collection));
            return;
        }
        if (ReferenceEquals(respelled, Unspellable.Reported)) return;

        var header = Header(syntax);
        string collectionType = WithoutConversions(collection).Type is { } shown ? Shown(shown) : "?";
        int enumerator = AddVariable("enumerator", IrType.Int32, VariableKind.Data, noDerivative: true, getEnumerator.ReturnType.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat));
        _dataOrigins[enumerator] = new DataOrigin(FirstToken(loop), "enumerator", collectionType, ForEach: true);
        string name = _variables[enumerator].Name;
        // GetEnumerator of an interface the type implements explicitly is reached through the interface, as foreach does.
        string source = getEnumerator.ContainingType.TypeKind == TypeKind.Interface
            ? "((" + getEnumerator.ContainingType.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat) + ")(" + respelled.Text + "))"
            : "(" + respelled.Text + ")";
        var ownEnumerator = new[] { enumerator }.ToEquatableArray();
        output.Add(new IrKept(header, "var " + name + " = " + source + ".GetEnumerator()", respelled.Operands.ToEquatableArray(), KeptKind.Data, ownEnumerator));

        // The loop variable: a number the IR carries, or a local of another type kept as written.
        var readEnumerator = new[] { (IrExpression)Read(enumerator) }.ToEquatableArray();
        bool converts = !SymbolEqualityComparer.Default.Equals(current.Type, local.Type);
        var body = new List<IrStatement>();
        if (StructLayout.Of(local.Type) is { } layout && !converts)
        {
            // A struct of numbers: one variable per field, each read from the current element.
            var leaves = StructVariables(local, layout);
            for (int leaf = 0; leaf < layout.Length; leaf++)
            {
                var field = new IrVerbatim(layout[leaf].Type, name + ".Current." + layout[leaf].Path, "foreach", "loop over an array or a span of the values instead", readEnumerator, IsPrimary: true);
                _expressionLocations[field] = FirstToken(loop);
                body.Add(new IrAssign(header, leaves[leaf], field, IsDeclaration: true));
            }
        }
        else if (TypeMapping.Map(local.Type) is { IsBuffer: false } type)
        {
            if (VariableOf(local, control.Syntax.GetLocation()) is not { } id) return;
            string value = (converts ? "(" + type.Keyword + ")" : "") + name + ".Current";
            var element = new IrVerbatim(type, value, "foreach", "loop over an array or a span of the values instead", readEnumerator, IsPrimary: !converts);
            _expressionLocations[element] = FirstToken(loop);
            body.Add(new IrAssign(header, id, element));
        }
        else if (IsDataType(local.Type))
        {
            int id = AddVariable(local.Name, IrType.Int32, VariableKind.Data, noDerivative: true, local.Type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat));
            _dataLocals[local] = id;
            _dataOrigins[id] = new DataOrigin(FirstToken(loop), local.Name, collectionType, ForEach: true);
            string value = (converts ? "(" + local.Type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat) + ")" : "") + name + ".Current";
            body.Add(new IrKept(header, Code(syntax.Type) + " " + _variables[id].Name + " = " + value, readEnumerator, KeptKind.Data, new[] { id }.ToEquatableArray()));
        }
        else
        {
            ReportUnsupportedStatement(loop);
            return;
        }
        body.AddRange(LowerNested(loop.Body));
        var moveNext = new IrVerbatim(IrType.Boolean, name + ".MoveNext()", "foreach", "", readEnumerator, IsPrimary: true);
        output.Add(new IrLoop(header, moveNext, body.ToEquatableArray(), EquatableArray<IrStatement>.Empty));
        if (info.DisposeMethod is { } dispose)
        {
            // Through the interface only when the enumerator has no public Dispose of its own (a struct's would be called on a copy).
            bool own = getEnumerator.ReturnType.GetMembers("Dispose").Any(m => m is IMethodSymbol { Parameters.Length: 0, DeclaredAccessibility: Microsoft.CodeAnalysis.Accessibility.Public });
            string disposal = own || dispose.ContainingType.TypeKind != TypeKind.Interface ? name + ".Dispose()" : "((global::System.IDisposable)" + name + ").Dispose()";
            output.Add(new IrKept(header, disposal, readEnumerator, KeptKind.Data, ownEnumerator));
        }
    }

    /// <summary>The buffer a <c>foreach</c> loops over by index (a buffer, a slice or view of one, a two-dimensional array), or null.</summary>
    private IrExpression? ForEachBuffer(IOperation collection)
    {
        collection = WithoutConversions(collection);
        if (MatrixType(collection.Type) is not null) return MatrixOf(collection) is { } matrix ? Read(matrix) : null;
        return TypeMapping.Map(collection.Type) is { IsBuffer: true } && !IsSpanFromCall(collection) && LowerExpression(collection) is { } lowered && lowered is IrRead { Type.IsBuffer: true } or IrSlice ? lowered : null;
    }

    /// <summary>A span or array a call returns (<c>CollectionsMarshal.AsSpan(list)</c>), not a view of a buffer.</summary>
    private static bool IsSpanFromCall(IOperation collection) =>
        collection is IInvocationOperation call && !IsSlicing(call.TargetMethod) && !IsStopGradient(call.TargetMethod) && TypeMapping.Map(collection.Type) is { IsBuffer: true };

    /// <summary>Why a foreach loop cannot be lowered, and the way out, for BPG012.</summary>
    private string ForEachLimit(IForEachLoopOperation loop)
    {
        var collection = WithoutConversions(loop.Collection);
        if (loop.LoopControlVariable is not IVariableDeclaratorOperation control)
            return "its loop variable deconstructs each element; declare one variable and deconstruct it in the body ('foreach (var item in items) { var (a, b) = item; … }')";
        if (IsSpanFromCall(collection))
            return "it loops over '" + OneLine(Code(collection.Syntax)) + "', a span returned by a call, which the generator does not model; use an indexed for loop over the collection it views, or pass its values as a [NoDerivative] double[] parameter";
        if (control.Symbol.IsRef)
            return "its loop variable is a ref local, which foreach binds only over an array or a span; loop over one of those, or use an indexed for loop";
        if (TypeMapping.Map(collection.Type) is { IsBuffer: true })
            return "foreach over a buffer works over a parameter, a local or a slice of one; loop over one of those, or use an indexed for loop";
        return "use an indexed for loop";
    }
}
