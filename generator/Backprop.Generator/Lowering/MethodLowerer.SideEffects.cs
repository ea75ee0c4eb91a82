using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Backprop.Generator.Diagnostics;
using Backprop.Generator.Helpers;
using Backprop.Generator.Ir;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Backprop.Generator.Lowering;

/// <summary>
/// Assignments and <c>++</c>/<c>--</c> used as values (<c>a[i++] = x</c>, <c>while (n-- &gt; 0)</c>, <c>x = y = z</c>)
/// become statements that run just before the statement that uses them, in evaluation order, and the expression reads
/// their value (a temporary for a postfix operator). In a loop condition they run before each test. Inside
/// <c>&amp;&amp;</c>, <c>||</c> or <c>?:</c>, where they may not run, and where the statement has already read the
/// variable they change (<c>x = i + i++</c>), they are a located error instead.
/// </summary>
internal sealed partial class MethodLowerer
{
    /// <summary>The statements side effects of the statement being lowered hoist; null where hoisting is not possible.</summary>
    private List<IrStatement>? _pending;

    /// <summary>The reads that stand for hoisted values: they may read what the hoisted statements assign.</summary>
    private readonly HashSet<IrExpression> _hoistedReads = new(ReferenceComparer<IrExpression>.Instance);

    /// <summary>How many <c>&amp;&amp;</c>/<c>||</c> right operands or <c>?:</c> arms enclose the expression being lowered.</summary>
    private int _conditionalDepth;

    private SourceRef _pendingSource = SourceRef.None;

    /// <summary>The variable reads of the statement being lowered, in evaluation order so far.</summary>
    private readonly List<IrRead> _statementReads = new();

    /// <summary>Lowers a statement, putting what its side effects hoist before it.</summary>
    private void WithSideEffects(IOperation statement, ImmutableArray<IrStatement>.Builder output, System.Action lower)
    {
        var source = Source(statement.Syntax);
        var (outer, outerSource, outerReads) = (_pending, _pendingSource, _statementReads.Count);
        (_pending, _pendingSource) = (new List<IrStatement>(), source);
        int start = output.Count;
        try
        {
            lower();
            if (_pending.Count == 0) return;
            output.InsertRange(start, _pending);
        }
        finally
        {
            (_pending, _pendingSource) = (outer, outerSource);
            _statementReads.RemoveRange(outerReads, _statementReads.Count - outerReads);
        }
    }

    /// <summary>Lowers a loop condition; what it hoists is returned, to run before every test.</summary>
    private (IrExpression? Condition, List<IrStatement> Before) LowerCondition(IOperation condition, SourceRef source)
    {
        if (condition is null) return (null, new List<IrStatement>());
        var (outer, outerSource, outerReads) = (_pending, _pendingSource, _statementReads.Count);
        (_pending, _pendingSource) = (new List<IrStatement>(), source);
        try
        {
            return (LowerExpression(condition), _pending);
        }
        finally
        {
            (_pending, _pendingSource) = (outer, outerSource);
            _statementReads.RemoveRange(outerReads, _statementReads.Count - outerReads);
        }
    }

    /// <summary>A loop whose condition has side effects: <c>while (true) { before; if (!condition) break; body }</c>.</summary>
    private static IrLoop LoopWithEffects(SourceRef source, IrExpression condition, List<IrStatement> before, IEnumerable<IrStatement> body, EquatableArray<IrStatement> step)
    {
        var exit = new IrIf(source, Not(condition), new IrStatement[] { new IrBreak(source) }.ToEquatableArray(), EquatableArray<IrStatement>.Empty);
        return new IrLoop(source, null, before.Append(exit).Concat(body).ToEquatableArray(), step);
    }

    /// <summary>An assignment or increment used as a value: hoisted when it can be, else null (the caller reports it).</summary>
    private IrExpression? LowerSideEffect(IOperation operation)
    {
        if (_pending is null) return null;
        if (_conditionalDepth > 0)
        {
            ReportUnsupportedExpression(operation, "an assignment or increment inside &&, || or ?:, which may not run",
                "assign in a statement of its own before the condition");
            return Poisoned;
        }
        var target = operation switch
        {
            IAssignmentOperation assignment => assignment.Target,
            IIncrementOrDecrementOperation increment => increment.Target,
            _ => null,
        };
        // The value read back must be the one assigned: a variable, not an element whose index could change.
        int? variable = target switch
        {
            ILocalReferenceOperation { Local.IsRef: false } local => VariableOf(local.Local, local.Syntax.GetLocation()),
            IParameterReferenceOperation parameter when _variableIds.TryGetValue(parameter.Parameter, out int id) && !_variables[id].Type.IsBuffer => id,
            _ => null,
        };
        if (variable is not { } v || _variables[v].Type.IsBuffer)
        {
            ReportUnsupportedExpression(operation, "an assignment used as a value whose target is not a local or a parameter", "assign in a statement of its own");
            return Poisoned;
        }
        // C# would have read the variable before this change where the statement reads it earlier (x = i + i++).
        if (_statementReads.Any(r => r.Variable == v && !_hoistedReads.Contains(r)))
        {
            Report(DiagnosticDescriptors.UnsupportedStatement, operation.Syntax.GetLocation(), Text(operation),
                "a change of a variable that the same statement reads before it", "change the variable in a statement of its own");
            return Poisoned;
        }
        var type = _variables[v].Type;
        var pending = _pending;
        // Effects nested in this one's value (x = y = z) go to the pending list first, then this one.
        var builder = ImmutableArray.CreateBuilder<IrStatement>();
        IrExpression result;
        if (operation is IIncrementOrDecrementOperation { IsPostfix: true })
        {
            // x++ is the old value: kept in a temporary before the step.
            int old = AddVariable(_variables[v].Name.TrimStart('@') + "Before", type, VariableKind.Synthetic);
            builder.Add(new IrAssign(_pendingSource, old, Read(v), IsDeclaration: true));
            result = Read(old);
        }
        else
        {
            result = Read(v);
        }
        LowerExpressionStatement(operation, _pendingSource, builder);
        pending.AddRange(builder);
        _hoistedReads.Add(result);
        return result;
    }

    /// <summary>A read of a variable, remembered while a statement with side effects is lowered (see <see cref="LowerSideEffect"/>).</summary>
    private IrRead Read(int id)
    {
        var read = new IrRead(_variables[id].Type, id);
        if (_pending is not null) _statementReads.Add(read);
        return read;
    }

    /// <summary>Stands for an expression already reported: lowering goes on, and the method gets no output.</summary>
    private static readonly IrExpression Poisoned = new IrConstant(IrType.Double, "0");
}
