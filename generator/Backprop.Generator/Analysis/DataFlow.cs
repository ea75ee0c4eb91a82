using System.Collections.Generic;
using System.Linq;
using Backprop.Generator.Diagnostics;
using Backprop.Generator.Ir;
using Microsoft.CodeAnalysis;

namespace Backprop.Generator.Analysis;

/// <summary>
/// Which data of types the IR does not model (locals of other types, parameters such as a <c>List&lt;double&gt;</c>) holds
/// values computed from differentiated ones: written by a statement kept as written (<see cref="IrKept"/>) that reads a
/// varied variable or such data, up to a fixed point. Such data may be printed or logged, but no value read back from it
/// may reach the result, where its derivative would be silently lost: the support gate reports the read (BPG018 at the
/// local, BPG012 at a <c>foreach</c> over it, BPG010 for a parameter).
/// </summary>
internal sealed class DataFlow
{
    private readonly IrMethod _method;
    private readonly ActivityAnalysis _activity;
    private readonly Lowering.LoweringResult _lowering;
    private readonly HashSet<int> _varied = new();

    public DataFlow(IrMethod method, ActivityAnalysis activity, Lowering.LoweringResult lowering)
    {
        _method = method;
        _activity = activity;
        _lowering = lowering;
        var kept = new List<IrKept>();
        foreach (var statement in method.Body)
            IrWalker.VisitStatements(statement, s => { if (s is IrKept k && k.Writes.Count > 0) kept.Add(k); });
        for (bool changed = true; changed;)
        {
            changed = false;
            foreach (var statement in kept)
            {
                if (!statement.Operands.Any(Varied)) continue;
                foreach (int written in statement.Writes) changed |= _varied.Add(written);
            }
        }
    }

    /// <summary>The data the method changes with differentiated values (for tests).</summary>
    public IReadOnlyCollection<int> VariedData => _varied;

    /// <summary>Whether the operand depends on differentiated values: through a varied number, or data holding some.</summary>
    private bool Varied(IrExpression operand)
    {
        if (ActivityAnalysis.SourcesAll(operand).Overlaps(_activity.Varied)) return true;
        bool found = false;
        IrWalker.VisitExpression(operand, e => found |= e is IrRead r && _varied.Contains(r.Variable));
        return found;
    }

    /// <summary>The first operand of <paramref name="verbatim"/> that is data holding differentiated values, or null.</summary>
    public int? VariedOperand(IrVerbatim verbatim)
    {
        foreach (var operand in verbatim.Operands)
            if (operand is IrRead read && _varied.Contains(read.Variable)) return read.Variable;
        return null;
    }

    /// <summary>The diagnostic for a value read back from <paramref name="carrier"/> into the result.</summary>
    public DiagnosticInfo Report(int carrier, IrVerbatim verbatim, Location? location)
    {
        const string Buffers = "a double[] or Span<double> (new double[n], stackalloc double[n])";
        if (_lowering.DataOrigins.TryGetValue(carrier, out var origin))
        {
            return origin.ForEach
                ? DiagnosticInfo.Create(DiagnosticDescriptors.ForEach, origin.Location, origin.TypeName,
                    "its values depend on differentiated values, and their derivatives cannot pass through it; keep them in " + Buffers + " and loop over that")
                : DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedLocalType, origin.Location, origin.Name, origin.TypeName,
                    "it holds values computed from differentiated values, and a '" + origin.TypeName + "' cannot carry their derivatives back into the result; keep one value in a double or float local, several in " + Buffers);
        }
        var variable = _method.Variables[carrier];
        return DiagnosticInfo.Create(DiagnosticDescriptors.UnknownCall, location, verbatim.DisplayName,
            "it reads '" + Helpers.Identifiers.Bare(variable.Name) + "', which the method fills with differentiated values, and a '" + variable.DeclaredType.Replace("global::", "")
            + "' cannot carry their derivatives; keep the values in " + Buffers);
    }
}
