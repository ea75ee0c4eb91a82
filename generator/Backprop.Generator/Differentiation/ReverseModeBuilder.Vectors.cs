using System.Collections.Generic;
using Backprop.Generator.Ir;

namespace Backprop.Generator.Differentiation;

/// <summary>What the <see cref="Vectorizer"/> needs to know of the names the reverse sweep uses.</summary>
internal sealed partial class ReverseModeBuilder
{
    /// <summary>
    /// The type of every name the reverse sweep may use in a loop: the method's variables, their adjoints (a local buffer's
    /// gradient buffer is memory of the method's own), and the scalars declared for the sweeps. A name missing here is
    /// never vectorized.
    /// </summary>
    private Dictionary<string, VectorSymbol> VectorSymbols()
    {
        var symbols = new Dictionary<string, VectorSymbol>();
        foreach (var declaration in _program.Declarations)
            if (declaration.Type is "double" or "float" or "int" or "long") symbols[declaration.Name] = new VectorSymbol(declaration.Type, false);
        foreach (var local in _program.ForwardLocals)
            if (local.Kind is ForwardLocalKind.Scalar or ForwardLocalKind.Parameter) symbols[local.Name] = new VectorSymbol(local.TypeKeyword, false);
        foreach (var variable in _method.Variables)
        {
            if (variable.Kind == VariableKind.Data) continue;
            var name = variable.HasFlatView ? variable.Spelling : variable.Name;
            symbols[name] = new VectorSymbol(variable.Type.ScalarKeyword, variable.Type.IsBuffer, variable.Type.Shape == ShapeKind.Array);
        }
        foreach (var adjoint in _adjoints)
        {
            var variable = _method.Variables[adjoint.Key];
            // Gradient spans, except a member's gradient: the same member of dThis, an array like it.
            bool array = variable.Kind == VariableKind.Member && variable.Type.Shape == ShapeKind.Array;
            bool fresh = variable.Type.IsBuffer && variable.Kind is VariableKind.Local or VariableKind.Synthetic;
            symbols[adjoint.Value] = new VectorSymbol(variable.Type.ScalarKeyword, variable.Type.IsBuffer, array, fresh);
        }
        symbols[_program.SeedName] = new VectorSymbol(_method.Shape.ReturnType.ScalarKeyword, false);
        return symbols;
    }
}
