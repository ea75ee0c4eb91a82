using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Backprop.Generator.Helpers;
using Backprop.Generator.Ir;
using Microsoft.CodeAnalysis;

namespace Backprop.Generator.Lowering;

/// <summary>
/// Buffer parameters that a method returning a value writes into (Clad's <c>running_sum</c>: <c>p[i] += p[i - 1]</c>;
/// <c>s += (arr[i] *= 5)</c>). The gradient is with respect to the values on entry, and the caller's buffer must end up
/// as the original leaves it. The body works on a local copy, made at the start (its reverse accumulates the copy's
/// adjoint into the parameter's gradient) and copied back into the parameter at the end of the forward sweep, as a
/// statement kept for its side effect (never reversed).
/// </summary>
internal sealed partial class MethodLowerer
{
    /// <summary>The copies' declarations and fills, first in the body.</summary>
    private readonly List<IrStatement> _copyPrologue = new();

    /// <summary>The copies written back into the parameters, after the normalized body (see <see cref="LoweringResult.Epilogue"/>).</summary>
    private readonly List<IrStatement> _copyEpilogue = new();

    private void CopyWrittenParameters()
    {
        if (_method.ReturnsVoid) return;
        foreach (var parameter in _method.Parameters)
        {
            // (A two-dimensional array's elements are read-only: writes into one are reported where they are.)
            if (parameter.RefKind != RefKind.None || _structBuffers.ContainsKey(parameter) || !_variableIds.TryGetValue(parameter, out int id) || _variables[id].IsMatrix
                || _variables[id].Type is not { IsBuffer: true, IsReal: true, Shape: not ShapeKind.ReadOnlySpan } type
                || !CalleeMayWrite(_method, parameter))
                continue;
            var syntax = parameter.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(_cancellationToken);
            var source = new SourceRef(syntax is null ? 1 : Line(syntax), OneLine(Code(syntax)) + " (the method writes into it: it works on a copy, written back at the end)");
            var local = type with { Shape = ShapeKind.Span };
            int copy = AddVariable(parameter.Name + "Copy", local, VariableKind.Local);
            _variableIds[parameter] = copy;
            var output = ImmutableArray.CreateBuilder<IrStatement>();
            output.Add(new IrAssign(source, copy, new IrNewBuffer(local, new IrLength(id), OnStack: true, SpillsToHeap: true), IsDeclaration: true));
            int index = AddVariable("i", IrType.Int32, VariableKind.Synthetic);
            var at = new IrRead(IrType.Int32, index);
            AddCountedLoop(source, index, new IrLength(id), new IrStatement[] { new IrStore(source, copy, at, new IrElement(type.Element, id, at)) }, output);
            _copyPrologue.AddRange(output);
            _copyEpilogue.Add(new IrKept(source, _variables[copy].Name + ".CopyTo(" + _variables[id].Name + ")",
                new IrExpression[] { new IrRead(local, copy), new IrRead(type, id) }.ToEquatableArray(), KeptKind.WriteBack, EquatableArray<int>.Empty));
        }
    }
}
