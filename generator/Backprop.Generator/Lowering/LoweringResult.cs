using System.Collections.Generic;
using Backprop.Generator.Diagnostics;
using Backprop.Generator.Ir;
using Microsoft.CodeAnalysis;

namespace Backprop.Generator.Lowering;

/// <summary>
/// The lowered method plus what only lowering knows: where IR nodes came from. The locations serve the
/// support gate inside the same pipeline step and never reach the cached model.
/// </summary>
internal sealed class LoweringResult
{
    public LoweringResult(IrMethod? method, List<DiagnosticInfo> diagnostics, Dictionary<IrExpression, Location> expressionLocations, Dictionary<int, Location> parameterLocations, Dictionary<IrExpression, Location> indexLocations)
    {
        IndexLocations = indexLocations;
        Method = method;
        Diagnostics = diagnostics;
        ExpressionLocations = expressionLocations;
        ParameterLocations = parameterLocations;
    }

    /// <summary>
    /// A method this one calls (inlined or differentiated) has compile errors of its own: the compiler reports them, and
    /// the generator says nothing more about this method (it generates nothing for it).
    /// </summary>
    public bool InlinedCodeHasErrors { get; init; }

    public IrMethod? Method { get; }

    /// <summary>Statements that end the forward sweep, after the normalized body: copies written back into the parameters.</summary>
    public IReadOnlyList<IrStatement> Epilogue { get; init; } = new List<IrStatement>();

    public List<DiagnosticInfo> Diagnostics { get; }

    public Dictionary<IrExpression, Location> ExpressionLocations { get; }

    public Dictionary<int, Location> ParameterLocations { get; }

    /// <summary>Where each index expression of an element read or write is, keyed by the index node.</summary>
    public Dictionary<IrExpression, Location> IndexLocations { get; }

    /// <summary>Where each local of another type (<see cref="VariableKind.Data"/>) was declared, by variable.</summary>
    public Dictionary<int, DataOrigin> DataOrigins { get; init; } = new();
}

/// <summary>
/// Where a local of another type comes from: its declaration, or the <c>foreach</c> whose enumerator it is
/// (<paramref name="ForEach"/>; <paramref name="TypeName"/> is then the collection's type).
/// </summary>
internal sealed record DataOrigin(Location Location, string Name, string TypeName, bool ForEach);
