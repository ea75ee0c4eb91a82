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
        if (variable is null && target is IArrayElementReferenceOperation or IPropertyReferenceOperation { Property.IsIndexer: true } or IImplicitIndexerReferenceOperation)
            return LowerElementSideEffect(operation, target);
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
        // The expression's value is read after the change: an assignment nested in the value (x = (x = 0) + 1) comes
        // before it, so it is no read that C# makes before that one.
        _hoistedReads.Add(result);
        LowerExpressionStatement(operation, _pendingSource, builder);
        pending.AddRange(builder);
        return result;
    }

    /// <summary>
    /// An assignment or increment of a buffer element used as a value (<c>x = ++t[0]</c>, <c>t[0] = t[1] = t[2]</c>,
    /// <c>s += (w[i] *= 5)</c>): its index is evaluated once, first, as C# does; the new value goes into a temporary that
    /// is stored into the element and is the expression's value (the old value for a postfix operator).
    /// </summary>
    private IrExpression LowerElementSideEffect(IOperation operation, IOperation target)
    {
        int before = _statementReads.Count;
        if (LowerExpression(target) is not IrElement element) return Poisoned;
        int buffer = element.Buffer;
        // C# would have read the element before this change where the statement reads the buffer earlier (x = t[0] + (t[0] = 1)).
        if (_statementReads.Take(before).Any(r => r.Variable == buffer && !_hoistedReads.Contains(r)))
        {
            Report(DiagnosticDescriptors.UnsupportedStatement, operation.Syntax.GetLocation(), Text(operation),
                "a change of an element of a buffer that the same statement reads before it", "change the element in a statement of its own");
            return Poisoned;
        }
        if (_variables[buffer].Kind is VariableKind.External or VariableKind.Member)
        {
            Report(DiagnosticDescriptors.MemberWrite, target.Syntax.GetLocation(), target.Syntax.ToString());
            return Poisoned;
        }
        // The target names the buffer, it does not read an element; the index is captured now, so later changes of the
        // variables it reads do not move the element.
        _statementReads.RemoveRange(before, _statementReads.Count - before);
        var pending = _pending!;
        var index = element.Index;
        if (index is not IrConstant)
        {
            int position = AddVariable(_variables[buffer].Name.TrimStart('@') + "Index", IrType.Int32, VariableKind.Synthetic);
            pending.Add(new IrAssign(_pendingSource, position, index, IsDeclaration: true));
            index = Read(position);
        }
        var place = new IrElement(element.Type, buffer, index);
        var current = new IrElement(element.Type, buffer, index);
        IrExpression? value;
        switch (operation)
        {
            case ISimpleAssignmentOperation simple:
                value = LowerExpression(simple.Value);
                break;
            case ICompoundAssignmentOperation compound when compound.OperatorMethod is null && BinaryOperatorOf(compound.OperatorKind) is { } op:
            {
                // The element is read before the operand is evaluated: a change of it inside the operand is reported.
                _statementReads.Add(new IrRead(_variables[buffer].Type, buffer));
                var operand = LowerExpression(compound.Value);
                if (operand is null) return Poisoned;
                var computation = Promote(element.Type, TypeMapping.Map(compound.Value.Type) ?? operand.Type);
                value = new IrBinary(computation, op, ConvertTo(current, computation), ConvertTo(operand, computation));
                break;
            }
            case IIncrementOrDecrementOperation increment:
                value = new IrBinary(element.Type, increment.Kind == OperationKind.Increment ? BinaryOperator.Add : BinaryOperator.Subtract,
                    current, IrConstant.Of(element.Type, 1));
                break;
            default:
                ReportUnsupportedExpression(operation, "this compound operator", "write it with a supported arithmetic operator");
                return Poisoned;
        }
        if (value is null) return Poisoned;
        string name = _variables[buffer].Name.TrimStart('@') + "Element";
        IrExpression result;
        if (operation is IIncrementOrDecrementOperation { IsPostfix: true })
        {
            int old = AddVariable(name + "Before", element.Type, VariableKind.Synthetic);
            pending.Add(new IrAssign(_pendingSource, old, current, IsDeclaration: true));
            value = new IrBinary(element.Type, ((IrBinary)value).Operator, Read(old), ((IrBinary)value).Right);
            result = Read(old);
            pending.Add(new IrStore(_pendingSource, buffer, place.Index, ConvertTo(value, element.Type)));
        }
        else
        {
            int temporary = AddVariable(name, element.Type, VariableKind.Synthetic);
            pending.Add(new IrAssign(_pendingSource, temporary, ConvertTo(value, element.Type), IsDeclaration: true));
            pending.Add(new IrStore(_pendingSource, buffer, place.Index, Read(temporary)));
            result = Read(temporary);
        }
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
    private static readonly IrExpression Poisoned = IrConstant.Of(IrType.Double, 0);
}
