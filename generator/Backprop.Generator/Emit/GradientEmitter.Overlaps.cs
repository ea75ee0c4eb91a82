using System.Collections.Generic;
using System.Linq;
using Backprop.Generator.Ir;

namespace Backprop.Generator.Emit;

/// <summary>
/// Buffer parameters that overlap one the method writes into. <c>F(w, w)</c> writes <c>w</c> through one parameter and
/// reads the change through the other, but a generated method works on a copy of a written parameter (a method returning
/// a value), or reads a layer's inputs again in its reverse sweep after the layer wrote its outputs: it would return
/// another value, or another derivative, than <c>F</c>'s own. Which arguments share memory is known only at run time, so
/// the public entry points check it, before anything is written. Methods that write no buffer parameter get no check.
/// </summary>
internal static partial class GradientEmitter
{
    private static void WriteOverlapChecks(SourceWriter writer, IrMethod method)
    {
        var parameters = method.Parameters.Select(p => method.Variables[p]).Where(Checkable).ToList();
        var written = WrittenBufferParameters(method);
        for (int i = 0; i < parameters.Count; i++)
        {
            for (int j = i + 1; j < parameters.Count; j++)
            {
                IrVariable a = parameters[i], b = parameters[j];
                if (a.Type.Scalar != b.Type.Scalar || !written.Contains(a.Id) && !written.Contains(b.Id)) continue;
                var (writes, other) = written.Contains(a.Id) ? (a, b) : (b, a);
                writer.Line("global::Backprop.CompilerServices.BufferChecks.ThrowIfOverlapping(" + writes.Name + ", " + other.Name + ", \"" + method.Shape.Name
                    + "\", nameof(" + writes.Name + "), nameof(" + other.Name + "));");
            }
        }
    }

    /// <summary>A one-dimensional array or span of numbers (a struct's or a jagged array's elements are not compared).</summary>
    private static bool Checkable(IrVariable v) => v.Type is { IsBuffer: true, IsReal: true } && !v.IsMatrix && !v.Jagged && v.View.Length == 0;

    /// <summary>The buffer parameters the method writes: a layer's outputs, and those a method returning a value copies and writes back.</summary>
    private static HashSet<int> WrittenBufferParameters(IrMethod method)
    {
        var written = new HashSet<int>(method.Shape.IsVoid ? method.Outputs : Enumerable.Empty<int>());
        foreach (var statement in method.Body)
            if (statement is IrKept { Kind: KeptKind.WriteBack, Operands: var operands } && operands.Count == 2 && operands[1] is IrRead parameter)
                written.Add(parameter.Variable);
        written.IntersectWith(method.Parameters);
        return written;
    }
}
