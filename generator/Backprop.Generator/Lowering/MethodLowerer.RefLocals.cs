using System.Collections.Generic;
using System.Collections.Immutable;
using Backprop.Generator.Ir;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Backprop.Generator.Lowering;

/// <summary>
/// <c>ref</c> locals are aliases, never copies: <c>ref double a = ref x;</c> makes every use of <c>a</c> a use of
/// <c>x</c>, and <c>ref double r = ref w[i];</c> one of <c>w[i']</c>, with <c>i'</c> the index as it was at the
/// declaration (captured in a local of its own, since <c>i</c> may change afterwards). Chains resolve to the first
/// target. A ref local to a struct local or a struct field of one (<c>ref Pair r = ref p;</c>) names its numbers. A
/// ref local bound to anything else, or re-bound with <c>= ref</c>, is a located error.
/// </summary>
internal sealed partial class MethodLowerer
{
    /// <summary>What each ref local stands for: an <see cref="IrRead"/> of a variable, an <see cref="IrElement"/>, or an <see cref="IrExternal"/> static field.</summary>
    private readonly Dictionary<ILocalSymbol, IrExpression> _refAliases = new(SymbolEqualityComparer.Default);

    private void DeclareRefLocal(IVariableDeclaratorOperation declarator, IOperation value, ImmutableArray<IrStatement>.Builder output)
    {
        var local = declarator.Symbol;
        var target = WithoutConversions(value);
        // A ref local to a struct local (or a struct field of one) names the same numbers. (Not to a parameter: which of
        // its numbers the method writes is found from the assignments that name it.)
        var root = target;
        while (root is IFieldReferenceOperation or IPropertyReferenceOperation { Property.IsIndexer: false })
            root = ((IMemberReferenceOperation)root).Instance;
        if (LayoutOf(local.Type) is not null && root is ILocalReferenceOperation && StructPlace(target) is { } place)
        {
            _structVariables[local] = place.Variables;
            return;
        }
        IrExpression? alias = target switch
        {
            ILocalReferenceOperation { Local.IsRef: true } other => _refAliases.TryGetValue(other.Local, out var known) ? known : null,
            ILocalReferenceOperation or IParameterReferenceOperation when TypeMapping.Map(target.Type) is { IsBuffer: false } => LowerExpression(target),
            IArrayElementReferenceOperation or IPropertyReferenceOperation { Property.IsIndexer: true } or IImplicitIndexerReferenceOperation => LowerExpression(target),
            // A static field is data: the ref local reads it (and writing through it is a field write, BPG023).
            IFieldReferenceOperation { Field.IsStatic: true } when TypeMapping.Map(target.Type) is { IsBuffer: false } => LowerExpression(target) as IrExternal,
            _ => null,
        };
        if (alias is IrElement element && element.Index is not IrConstant)
        {
            // The element the reference names is fixed when it is bound: later changes of the index do not move it.
            int index = AddVariable(local.Name + "Index", IrType.Int32, VariableKind.Synthetic);
            output.Add(new IrAssign(Source(declarator.Syntax), index, element.Index, IsDeclaration: true));
            alias = element with { Index = Read(index) };
        }
        if (alias is IrRead or IrElement or IrExternal)
        {
            _refAliases[local] = alias;
            return;
        }
        if (alias is null && _unsupportedLocals.Add(local))
        {
            ReportUnsupportedExpression(value, "a ref local bound to something other than a local, a parameter or an element",
                "bind it to a local, a parameter or an element ('ref double a = ref x;', 'ref double r = ref w[i];'), or use a plain local and assign it back");
        }
    }

    /// <summary>A fresh node for one use of a ref local (IR nodes are keyed by reference in later passes).</summary>
    private IrExpression? RefAliasOf(ILocalSymbol local) => _refAliases.TryGetValue(local, out var alias)
        ? alias switch
        {
            IrRead read => read with { },
            IrElement element => element with { Index = element.Index with { } },
            IrExternal external => external with { },
            _ => null,
        }
        : null;

    /// <summary><c>a = ref y;</c>: an alias that changes what it stands for as the method runs cannot be followed statically.</summary>
    private void ReportRefReassignment(ISimpleAssignmentOperation assignment) =>
        ReportUnsupportedExpression(assignment, "a ref local re-bound to another variable",
            "declare a new ref local for the other variable ('ref double b = ref y;')");
}
