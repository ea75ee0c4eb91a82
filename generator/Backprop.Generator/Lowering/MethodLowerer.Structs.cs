using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Backprop.Generator.Diagnostics;
using Backprop.Generator.Helpers;
using Backprop.Generator.Ir;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace Backprop.Generator.Lowering;

/// <summary>
/// Struct values (DESIGN.md, "Struct values") are lowered to their scalars (see <see cref="StructLayout"/>): a struct
/// local or a by-value parameter is one IR variable per leaf, <c>v.X</c> is the variable of that leaf, and an
/// expression of struct type is one IR expression per leaf. Operators, constructors, methods and computed properties
/// of user structs, and methods with struct parameters or results, are inlined over those scalars (their bodies are
/// in the compilation); <c>System.Numerics.Vector2/3/4</c> members have built-in expansions. Nothing downstream of
/// lowering sees a struct, so every mode differentiates them as it does scalars. An active struct parameter of the
/// entry method reads its fields as <c>p.X</c> and gets its gradient in <c>out S dP</c> (<c>ref S dP</c> in pullbacks).
/// </summary>
internal sealed partial class MethodLowerer
{
    /// <summary>An expression of struct type: one IR expression per leaf of its layout.</summary>
    private sealed class StructValue
    {
        public StructValue(ImmutableArray<StructLeaf> layout, List<IrExpression> leaves)
        {
            Layout = layout;
            Leaves = leaves;
        }

        public ImmutableArray<StructLeaf> Layout { get; }

        public List<IrExpression> Leaves { get; }
    }

    /// <summary>The leaf variables of struct locals and of parameters bound to variables.</summary>
    private readonly Dictionary<ISymbol, List<int>> _structVariables = new(SymbolEqualityComparer.Default);

    /// <summary>Parameters of an inlined method bound to a value the method never writes (no copy needed).</summary>
    private readonly Dictionary<ISymbol, StructValue> _structValues = new(SymbolEqualityComparer.Default);

    private readonly Dictionary<ISymbol, IrExpression> _parameterValues = new(SymbolEqualityComparer.Default);

    private readonly List<InlineFrame> _inlining = new();

    private bool _inlinedCodeHasErrors;

    /// <summary>Statements that copy written struct parameters into locals before the body.</summary>
    private readonly List<IrStatement> _structPrologue = new();

    private InlineFrame? Frame => _inlining.Count == 0 ? null : _inlining[_inlining.Count - 1];

    private static ImmutableArray<StructLeaf>? LayoutOf(ITypeSymbol? type) => StructLayout.Of(type);

    /// <summary>Whether the operation is a struct value this class lowers (<c>this</c> only inside an inlined struct method).</summary>
    private bool IsStructValue(IOperation? operation) =>
        operation is not null && LayoutOf(operation.Type) is not null
        && (operation is not IInstanceReferenceOperation || Frame is { ThisLayout.IsDefault: false });

    // ---------------------------------------------------------------- parameters and locals

    /// <summary>
    /// An active struct parameter of the entry method: its leaves are read as <c>p.X</c> (members of the parameter,
    /// whose gradient is the same member of <c>dP</c>); if the body writes the parameter, they are copied into locals first.
    /// </summary>
    private void LowerStructParameter(IParameterSymbol parameter, ImmutableArray<StructLeaf> layout, int id, bool noDerivative)
    {
        var leaves = new List<int>();
        foreach (var leaf in layout)
        {
            string name = parameter.Name + "_" + leaf.Path.Replace('.', '_');
            string unique = name;
            for (int i = 2; !_names.Add(unique); i++) unique = name + "_" + i;
            int leafId = _variables.Count;
            string member = string.Join(".", leaf.Path.Split('.').Select(Identifiers.Escape));
            _variables.Add(new IrVariable(leafId, Identifiers.Escape(unique), leaf.Type, VariableKind.Member, noDerivative, leaf.Type.Keyword, member, _variables[id].Name));
            leaves.Add(leafId);
        }
        if (_model.GetOperation(_syntax, _cancellationToken) is { } body && Writes(body, parameter))
        {
            var copies = new List<int>();
            for (int k = 0; k < layout.Length; k++)
            {
                int copy = AddVariable(parameter.Name + "_" + layout[k].Path.Replace('.', '_'), layout[k].Type, VariableKind.Local);
                _structPrologue.Add(new IrAssign(new SourceRef(0, ""), copy, new IrRead(layout[k].Type, leaves[k]), IsDeclaration: true));
                copies.Add(copy);
            }
            leaves = copies;
        }
        _structVariables[parameter] = leaves;
        if (!noDerivative && layout.Any(l => l.Type.IsReal)) _structParameters.Add(parameter);
    }

    /// <summary>Arrays and read-only spans of structs among the parameters, with their element layouts (see <see cref="StructLayout.OfElements"/>).</summary>
    private readonly Dictionary<ISymbol, ImmutableArray<StructLeaf>> _structBuffers = new(SymbolEqualityComparer.Default);

    /// <summary>An array or span of structs parameter: its flat buffer variable and element layout.</summary>
    private (int Buffer, ImmutableArray<StructLeaf> Layout)? StructBufferOf(IOperation operation) =>
        operation is IParameterReferenceOperation parameter && _structBuffers.TryGetValue(parameter.Parameter, out var layout)
            ? (_variableIds[parameter.Parameter], layout)
            : null;

    /// <summary>The number of structs: the flat length over the stride.</summary>
    private static IrExpression StructCount((int Buffer, ImmutableArray<StructLeaf> Layout) structs) => structs.Layout.Length == 1
        ? new IrLength(structs.Buffer)
        : new IrBinary(IrType.Int32, BinaryOperator.Divide, new IrLength(structs.Buffer), IrConstant.Int(structs.Layout.Length));

    /// <summary>Number <paramref name="leaf"/> of struct <paramref name="index"/>: the flat view at index · stride + leaf.</summary>
    private static IrElement StructElement((int Buffer, ImmutableArray<StructLeaf> Layout) structs, IrExpression index, int leaf)
    {
        int stride = structs.Layout.Length;
        IrExpression at = stride == 1 ? index : new IrBinary(IrType.Int32, BinaryOperator.Multiply, index, IrConstant.Int(stride));
        if (leaf > 0) at = new IrBinary(IrType.Int32, BinaryOperator.Add, at, IrConstant.Int(leaf));
        return new IrElement(structs.Layout[leaf].Type, structs.Buffer, at);
    }

    /// <summary>The entry method's struct parameters that get a gradient.</summary>
    private readonly List<IParameterSymbol> _structParameters = new();

    /// <summary>The leaf variables of a struct local (or bound parameter), created at its first use.</summary>
    private List<int> StructVariables(ISymbol symbol, ImmutableArray<StructLeaf> layout)
    {
        if (_structVariables.TryGetValue(symbol, out var known)) return known;
        var leaves = layout.Select(l => AddVariable(symbol.Name + "_" + l.Path.Replace('.', '_'), l.Type, VariableKind.Local)).ToList();
        _structVariables[symbol] = leaves;
        return leaves;
    }

    /// <summary>Fresh variables for a struct temporary.</summary>
    private List<int> StructTemporaries(string name, ImmutableArray<StructLeaf> layout) =>
        layout.Select(l => AddVariable(name + "_" + l.Path.Replace('.', '_'), l.Type, VariableKind.Synthetic)).ToList();

    private StructValue ReadAll(ImmutableArray<StructLeaf> layout, List<int> variables) =>
        new(layout, variables.Select(v => (IrExpression)Read(v)).ToList());

    /// <summary>Whether the body writes the symbol (a parameter or <c>this</c> when null) or a field of it, or calls a mutating method on it.</summary>
    private static bool Writes(IOperation body, ISymbol? symbol)
    {
        bool IsRoot(IOperation? target)
        {
            while (target is IFieldReferenceOperation or IPropertyReferenceOperation { Property.IsIndexer: false })
                target = ((IMemberReferenceOperation)target).Instance;
            return symbol is null
                ? target is IInstanceReferenceOperation
                : target is IParameterReferenceOperation p && SymbolEqualityComparer.Default.Equals(p.Parameter, symbol);
        }
        return body.DescendantsAndSelf().SelectMany(WriteTargets).Any(IsRoot);
    }

    /// <summary>
    /// What <paramref name="operation"/> itself writes: an assignment's or increment's target, a ref or out argument, the
    /// receiver of a mutating struct method, each place a deconstruction assigns.
    /// </summary>
    private static IEnumerable<IOperation?> WriteTargets(IOperation operation) => operation switch
    {
        IDeconstructionAssignmentOperation deconstruction => (IEnumerable<IOperation?>)deconstruction.Target.DescendantsAndSelf(),
        IAssignmentOperation assignment => new[] { assignment.Target },
        IIncrementOrDecrementOperation increment => new[] { increment.Target },
        IArgumentOperation { Parameter.RefKind: RefKind.Ref or RefKind.Out } argument => new[] { argument.Value },
        IInvocationOperation { TargetMethod.IsReadOnly: false, TargetMethod.IsStatic: false } call when !StructLayout.IsVector(call.TargetMethod.ContainingType) => new[] { call.Instance },
        _ => System.Array.Empty<IOperation?>(),
    };

    // ---------------------------------------------------------------- statements

    private void DeclareStructLocal(IVariableDeclaratorOperation declarator, ImmutableArray<StructLeaf> layout, IOperation? initializer, ImmutableArray<IrStatement>.Builder output)
    {
        var variables = StructVariables(declarator.Symbol, layout);
        if (initializer is null) return;
        if (LowerStruct(initializer, declarator.Symbol.Type) is not { } value) return;
        var source = Source(declarator.Syntax);
        for (int k = 0; k < variables.Count; k++)
            output.Add(new IrAssign(source, variables[k], ConvertTo(value.Leaves[k], layout[k].Type), IsDeclaration: true));
    }

    /// <summary>The leaf variables an assignment target of struct type names: a struct local, parameter, <c>this</c> or a struct field of one.</summary>
    private (ImmutableArray<StructLeaf> Layout, List<int> Variables)? StructPlace(IOperation target)
    {
        if (LayoutOf(target.Type) is not { } layout) return null;
        switch (target)
        {
            case ILocalReferenceOperation local when !local.Local.IsRef || _structVariables.ContainsKey(local.Local):
                return (layout, StructVariables(local.Local, layout));
            case IParameterReferenceOperation parameter when _structVariables.TryGetValue(parameter.Parameter, out var bound):
                return (layout, bound);
            case IInstanceReferenceOperation when Frame is { ThisVariables: { } self }:
                return (layout, self);
            case IFieldReferenceOperation or IPropertyReferenceOperation { Property.IsIndexer: false } when ((IMemberReferenceOperation)target).Instance is { } instance
                && StructPlace(instance) is { } outer && IsStoredMember(((IMemberReferenceOperation)target).Member):
                var indices = StructLayout.Under(outer.Layout, StructLayout.MemberName(((IMemberReferenceOperation)target).Member));
                return (layout, indices.Select(i => outer.Variables[i]).ToList());
            default:
                return null;
        }
    }

    /// <summary>A field or an auto-property (a stored member, part of the layout), not a computed property.</summary>
    private static bool IsStoredMember(ISymbol member) => member is IFieldSymbol || member is IPropertySymbol property && SymbolFacts.IsAutoProperty(property);

    /// <summary>
    /// <c>v = e</c> for a struct target, and <c>v += e</c> with a struct operator: every leaf of the value is computed
    /// before any is assigned when the value reads the target (<c>v = new V(v.Y, v.X)</c>).
    /// </summary>
    private bool TryLowerStructAssignment(IOperation operation, SourceRef source, ImmutableArray<IrStatement>.Builder output)
    {
        IOperation target;
        StructValue? value;
        switch (operation)
        {
            case ISimpleAssignmentOperation { IsRef: false } simple when LayoutOf(simple.Target.Type) is not null:
                target = simple.Target;
                if (StructPlace(target) is null) return false;
                value = LowerStruct(simple.Value, target.Type);
                break;
            case ICompoundAssignmentOperation compound when LayoutOf(compound.Target.Type) is not null:
                target = compound.Target;
                if (StructPlace(target) is null) return false;
                value = compound.OperatorMethod is { } method
                    ? StructOperatorCall(method, new[] { compound.Target, compound.Value }, compound) as StructValue
                    : null;
                if (compound.OperatorMethod is null) ReportUnsupportedExpression(compound, "this compound operator on a struct", "write the operation out: v = v + w");
                break;
            case IIncrementOrDecrementOperation { OperatorMethod: { } step } increment when LayoutOf(increment.Target.Type) is not null:
                // ++v on a struct with its own operator ++: v = op_Increment(v) (for a statement, prefix and postfix alike).
                target = increment.Target;
                if (StructPlace(target) is null) return false;
                value = StructOperatorCall(step, new[] { increment.Target }, increment) as StructValue;
                break;
            default:
                return false;
        }
        var place = StructPlace(target)!.Value;
        if (value is null) return true;
        // Leaves are assigned in order: only a value that reads a leaf assigned before it needs the temporaries.
        bool readsTarget = value.Leaves.Select((leaf, k) => Reads(leaf, new HashSet<int>(place.Variables.Take(k)))).Any(r => r);
        var leaves = value.Leaves.ToList();
        if (readsTarget)
        {
            for (int k = 0; k < leaves.Count; k++)
            {
                if (leaves[k] is IrConstant) continue;
                int temporary = AddVariable("structItem", place.Layout[k].Type, VariableKind.Synthetic);
                output.Add(new IrAssign(source, temporary, ConvertTo(leaves[k], place.Layout[k].Type), IsDeclaration: true));
                leaves[k] = new IrRead(place.Layout[k].Type, temporary);
            }
        }
        for (int k = 0; k < leaves.Count; k++)
            output.Add(new IrAssign(source, place.Variables[k], ConvertTo(leaves[k], place.Layout[k].Type)));
        return true;
    }

    private static bool Reads(IrExpression expression, HashSet<int> variables)
    {
        bool reads = false;
        IrWalker.VisitExpression(expression, e => reads |= e is IrRead read && variables.Contains(read.Variable));
        return reads;
    }

    /// <summary><c>v.X = e</c>, <c>v.Pos.X += e</c>: the target's leaf variable, or null when the target is not a leaf of a struct place.</summary>
    private int? StructLeafPlace(IOperation target)
    {
        if (target is not (IFieldReferenceOperation or IPropertyReferenceOperation { Property.IsIndexer: false }) || ((IMemberReferenceOperation)target).Instance is not { } instance
            || !IsStructValue(instance) || StructPlace(instance) is not { } place)
            return null;
        var indices = StructLayout.Under(place.Layout, StructLayout.MemberName(((IMemberReferenceOperation)target).Member));
        return indices.Count == 1 ? place.Variables[indices[0]] : null;
    }

    /// <summary><c>var (a, b) = F(x)</c> and <c>(a, b) = t</c>: the leaves of the tuple value, assigned in order.</summary>
    private bool TryLowerStructDeconstruction(IDeconstructionAssignmentOperation deconstruction, SourceRef source, ImmutableArray<IrStatement>.Builder output)
    {
        static IOperation Unwrap(IOperation operation) => operation is IDeclarationExpressionOperation declaration ? declaration.Expression : operation;
        if (WithoutConversions(deconstruction.Value) is ITupleOperation || Unwrap(deconstruction.Target) is not ITupleOperation targets) return false;
        if (LowerStruct(deconstruction.Value, deconstruction.Value.Type) is not { } value) return true;
        var elements = targets.Elements.Select(Unwrap).ToList();
        var tupleType = (INamedTypeSymbol)deconstruction.Value.Type!;
        // Every element is read before any target is written.
        var temporaries = new List<IrExpression>();
        for (int k = 0; k < value.Leaves.Count; k++)
        {
            int temporary = AddVariable("tupleItem", value.Layout[k].Type, VariableKind.Synthetic);
            output.Add(new IrAssign(source, temporary, value.Leaves[k], IsDeclaration: true));
            temporaries.Add(new IrRead(value.Layout[k].Type, temporary));
        }
        for (int e = 0; e < elements.Count && e < tupleType.TupleElements.Length; e++)
        {
            var indices = StructLayout.Under(value.Layout, StructLayout.MemberName(tupleType.TupleElements[e]));
            var element = elements[e];
            if (element is IDiscardOperation || indices.Count == 0) continue;
            if (LayoutOf(element.Type) is { } inner)
            {
                if (StructPlace(element) is not { } place)
                {
                    ReportUnsupportedExpression(element, "a nested deconstruction target", "deconstruct into locals");
                    continue;
                }
                for (int k = 0; k < indices.Count; k++)
                    output.Add(new IrAssign(source, place.Variables[k], ConvertTo(temporaries[indices[k]], inner[k].Type)));
                continue;
            }
            LowerAssignment(element, temporaries[indices[0]], source, output);
        }
        return true;
    }

    // ---------------------------------------------------------------- expressions

    /// <summary>A leaf read (<c>v.X</c>, <c>t.Item1</c>, <c>v.Pos.X</c>) or a computed property of a struct value.</summary>
    private IrExpression? LowerStructMember(IMemberReferenceOperation member, IrType? type)
    {
        if (member.Member is IPropertySymbol { IsIndexer: false } property && !SymbolFacts.IsAutoProperty(property))
            return Inline(property.GetMethod, member.Instance, new List<IOperation>(), member) as IrExpression;
        if (LowerStruct(member.Instance!, member.Instance!.Type) is not { } value) return null;
        var indices = StructLayout.Under(value.Layout, StructLayout.MemberName(member.Member));
        if (indices.Count != 1 || type is null)
        {
            ReportUnsupportedExpression(member, "a member of a struct that is not one of its number fields", "read its fields");
            return null;
        }
        return ConvertTo(value.Leaves[indices[0]], type);
    }

    /// <summary>An expression of struct type, leaf by leaf, converted to <paramref name="type"/>'s layout.</summary>
    private StructValue? LowerStruct(IOperation operation, ITypeSymbol? type)
    {
        var value = LowerStructCore(operation);
        if (value is null) return null;
        if (LayoutOf(type) is not { } layout || layout.Length != value.Leaves.Count) return value;
        return new StructValue(layout, value.Leaves.Select((leaf, k) => ConvertTo(leaf, layout[k].Type)).ToList());
    }

    private StructValue? LowerStructCore(IOperation operation)
    {
        if (LayoutOf(operation.Type) is not { } layout)
        {
            ReportUnsupportedExpression(operation, "a value of type '" + operation.Type?.ToDisplayString() + "' where a struct of numbers is needed", "use a struct whose fields are double or float");
            return null;
        }
        switch (operation)
        {
            case IParenthesizedOperation parenthesized:
                return LowerStruct(parenthesized.Operand, operation.Type);
            case IConversionOperation { OperatorMethod: null } conversion when LayoutOf(conversion.Operand.Type) is { } from && from.Length == layout.Length:
                return LowerStruct(conversion.Operand, operation.Type);
            case IConversionOperation { OperatorMethod: null } conversion when conversion.Operand is ITupleOperation or IDefaultValueOperation:
                return LowerStruct(conversion.Operand, operation.Type);
            case ILocalReferenceOperation local when !local.Local.IsRef || _structVariables.ContainsKey(local.Local):
                return ReadAll(layout, StructVariables(local.Local, layout));
            case IParameterReferenceOperation parameter when _structValues.TryGetValue(parameter.Parameter, out var bound):
                return bound;
            case IParameterReferenceOperation parameter when _structVariables.TryGetValue(parameter.Parameter, out var variables):
                return ReadAll(layout, variables);
            case IParameterReferenceOperation parameter:
                ReportUnsupportedExpression(operation, "the [NoDerivative] struct parameter '" + parameter.Parameter.Name + "' used as a whole", "read its fields ('" + parameter.Parameter.Name + ".X'), or remove [NoDerivative]");
                return null;
            case IInstanceReferenceOperation when Frame is { ThisVariables: { } self }:
                return ReadAll(layout, self);
            case IInstanceReferenceOperation when Frame is { ThisValue: { } value }:
                return value;
            case IDefaultValueOperation:
            case IObjectCreationOperation { Constructor: null or { Parameters.Length: 0 }, Initializer: null }:
                return new StructValue(layout, layout.Select(l => (IrExpression)IrConstant.Of(l.Type, 0)).ToList());
            case IObjectCreationOperation creation:
                return LowerStructCreation(creation, layout);
            // s with { X = a }: a copy of s, the members the initializer names replaced (a record struct's, or any struct's).
            case IWithOperation with when with.CloneMethod is null:
                return LowerStruct(with.Operand, with.Operand.Type) is { } original ? WithInitializer(original, with.Initializer, layout) : null;
            case ITupleOperation tuple:
                var leaves = new List<IrExpression>();
                var elementTypes = ((INamedTypeSymbol)tuple.Type!).TupleElements;
                for (int e = 0; e < tuple.Elements.Length; e++)
                {
                    var element = tuple.Elements[e];
                    if (LayoutOf(elementTypes[e].Type) is not null)
                    {
                        if (LowerStruct(element, elementTypes[e].Type) is not { } inner) return null;
                        leaves.AddRange(inner.Leaves);
                    }
                    else if (LowerExpression(element) is { } scalar) leaves.Add(scalar);
                    else return null;
                }
                return leaves.Count == layout.Length ? new StructValue(layout, leaves) : null;
            case IFieldReferenceOperation or IPropertyReferenceOperation { Property.IsIndexer: false } when ((IMemberReferenceOperation)operation).Instance is { } instance && IsStructValue(instance):
                var member = (IMemberReferenceOperation)operation;
                if (member.Member is IPropertySymbol computed && !SymbolFacts.IsAutoProperty(computed))
                    return Inline(computed.GetMethod, instance, new List<IOperation>(), operation) as StructValue;
                if (LowerStruct(instance, instance.Type) is not { } outer) return null;
                var indices = StructLayout.Under(outer.Layout, StructLayout.MemberName(member.Member));
                return new StructValue(layout, indices.Select(i => outer.Leaves[i]).ToList());
            case IFieldReferenceOperation or IPropertyReferenceOperation { Property.IsIndexer: false } when ((IMemberReferenceOperation)operation).Member.IsStatic:
                return StaticStruct((IMemberReferenceOperation)operation, layout);
            case IFieldReferenceOperation or IPropertyReferenceOperation { Property.IsIndexer: false } when ((IMemberReferenceOperation)operation).Instance is { } owner && ReceiverPath(owner) is { } receiver:
                return ThisStructMember((IMemberReferenceOperation)operation, layout, receiver);
            case IConditionalOperation { WhenFalse: { } whenFalse } conditional:
                var condition = LowerExpression(conditional.Condition);
                if (condition is IrConstant { Type.Scalar: ScalarKind.Boolean } decided)
                    return LowerStruct(decided.Truth == true ? conditional.WhenTrue : whenFalse, operation.Type);
                _conditionalDepth++;
                var whenTrueValue = LowerStruct(conditional.WhenTrue, operation.Type);
                var whenFalseValue = LowerStruct(whenFalse, operation.Type);
                _conditionalDepth--;
                if (condition is null || whenTrueValue is null || whenFalseValue is null) return null;
                condition = Materialize(condition, "condition");
                return new StructValue(layout, layout.Select((l, k) => (IrExpression)new IrConditional(l.Type, condition, whenTrueValue.Leaves[k], whenFalseValue.Leaves[k])).ToList());
            case ISwitchExpressionOperation switchExpression:
                return LowerStructSwitch(switchExpression, layout);
            case IBinaryOperation { OperatorMethod: { } method } binary:
                return StructOperatorCall(method, new[] { binary.LeftOperand, binary.RightOperand }, binary) as StructValue;
            case IUnaryOperation { OperatorMethod: { } method } unary:
                return StructOperatorCall(method, new[] { unary.Operand }, unary) as StructValue;
            case IUnaryOperation { OperatorKind: UnaryOperatorKind.Plus } plus:
                return LowerStruct(plus.Operand, operation.Type);
            case IInvocationOperation invocation:
                return LowerStructCall(invocation) as StructValue;
            case IArrayElementReferenceOperation { Indices.Length: 1 } element when StructBufferOf(WithoutConversions(element.ArrayReference)) is { } structs:
                return StructElements(structs, element.Indices[0], operation);
            case IPropertyReferenceOperation { Property.IsIndexer: true, Arguments.Length: 1, Instance: { } instance } indexer when StructBufferOf(WithoutConversions(instance)) is { } structs:
                return StructElements(structs, indexer.Arguments[0].Value, operation);
            case IImplicitIndexerReferenceOperation implicitIndexer when StructBufferOf(WithoutConversions(implicitIndexer.Instance)) is { } structs:
                return StructElements(structs, implicitIndexer.Argument, operation);
            // Structs read from data (an element of a [NoDerivative] span of Vector2, a call on data): as written, leaf by leaf.
            case IArrayElementReferenceOperation or IPropertyReferenceOperation { Property.IsIndexer: true } or IImplicitIndexerReferenceOperation or IInvocationOperation
                when AsWritten(operation) is StructValue data:
                return data;
            default:
                ReportUnsupportedExpression(operation, "a struct value from this expression",
                    "build struct values from locals, parameters, constructors, operators, methods of the struct and tuples; an array or span of structs is not differentiated yet: keep the numbers in a flat double[]");
                return null;
        }
    }

    /// <summary>A switch expression choosing a struct: one conditional chain per leaf over the same arm conditions.</summary>
    private StructValue? LowerStructSwitch(ISwitchExpressionOperation switchExpression, ImmutableArray<StructLeaf> layout)
    {
        if (!switchExpression.IsExhaustive || switchExpression.Arms.Length == 0)
        {
            Report(DiagnosticDescriptors.Switch, switchExpression.Syntax.GetLocation(), "switch expression", "some values match no arm, and then it throws", "add a discard arm '_ => …' for them");
            return null;
        }
        if (LowerExpression(switchExpression.Value) is not { } subject) return null;
        var input = Materialize(subject, "subject");
        StructValue? result = null;
        _conditionalDepth++;
        try
        {
            for (int k = switchExpression.Arms.Length - 1; k >= 0; k--)
            {
                var arm = switchExpression.Arms[k];
                var value = LowerStruct(arm.Value, switchExpression.Type);
                // The switch is exhaustive, so the last arm matches whatever the others do not.
                var condition = result is null ? null : ArmCondition(arm.Pattern, arm.Guard, input);
                if (value is null || result is not null && condition is null) return null;
                result = result is null || condition is IrConstant { Truth: true } ? value
                    : condition is IrConstant { Truth: false } ? result
                    : new StructValue(layout, layout.Select((l, i) => (IrExpression)new IrConditional(l.Type, condition!, value.Leaves[i], result.Leaves[i])).ToList());
            }
        }
        finally
        {
            _conditionalDepth--;
        }
        return result;
    }

    /// <summary><c>points[i]</c> of an array or span of structs: its leaves in the flat view (the index computed once).</summary>
    private StructValue? StructElements((int Buffer, ImmutableArray<StructLeaf> Layout) structs, IOperation indexOperation, IOperation whole)
    {
        // points[^k] is points[count - k].
        var fromEnd = WithoutConversions(indexOperation) is IUnaryOperation { OperatorKind: UnaryOperatorKind.Hat } hat && hat.Operand.Type?.SpecialType == SpecialType.System_Int32 ? hat.Operand : null;
        if (fromEnd is null && indexOperation.Type?.SpecialType != SpecialType.System_Int32)
        {
            ReportUnsupportedExpression(whole, "an element of an array of structs by a Range", "index it with an int or from the end ('points[^1]')");
            return null;
        }
        if (LowerExpression(fromEnd ?? indexOperation) is not { } index) return null;
        if (fromEnd is not null) index = new IrBinary(IrType.Int32, BinaryOperator.Subtract, StructCount(structs), index);
        index = Materialize(index, "element");
        return new StructValue(structs.Layout, Enumerable.Range(0, structs.Layout.Length).Select(k => (IrExpression)StructElement(structs, index, k)).ToList());
    }

    /// <summary>A static struct member (<c>Vector3.UnitX</c>, a user's <c>static readonly Vec2 Origin</c>): constants or data.</summary>
    private StructValue StaticStruct(IMemberReferenceOperation member, ImmutableArray<StructLeaf> layout)
    {
        if (StructLayout.IsVector(member.Member.ContainingType) && member.Member.Name is "Zero" or "One" or "UnitX" or "UnitY" or "UnitZ" or "UnitW")
        {
            string name = member.Member.Name;
            return new StructValue(layout, layout.Select(l => (IrExpression)IrConstant.Of(l.Type, name == "One" || name == "Unit" + l.Path ? 1 : 0)).ToList());
        }
        string spelling = member.Member.ContainingType.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat) + "." + Identifiers.Escape(member.Member.Name);
        bool visible = SymbolFacts.IsPublicEverywhere(member.Member);
        return new StructValue(layout, layout.Select(l => (IrExpression)new IrExternal(l.Type, spelling + "." + string.Join(".", l.Path.Split('.').Select(Identifiers.Escape)), visible)).ToList());
    }

    /// <summary>A struct-typed member of <c>this</c> or of a sub-module: each leaf a differentiated member (<c>this.Pos.X</c>).</summary>
    private StructValue? ThisStructMember(IMemberReferenceOperation member, ImmutableArray<StructLeaf> layout, string receiver)
    {
        if (!_frozen && member.Member is not IFieldSymbol { IsReadOnly: false } && !SymbolFacts.HasNoDerivative(member.Member) && !ThroughConstant(member.Instance) && !_method.IsStatic)
        {
            ReportUnsupportedExpression(member, "the struct member '" + member.Member.Name + "', which is not a settable field, so dThis cannot receive its gradient",
                "make '" + member.Member.Name + "' a public field (not a property or readonly), or mark it [NoDerivative]");
            return null;
        }
        var leaves = new List<IrExpression>();
        foreach (var leaf in layout)
        {
            var read = LowerThisMember(member, leaf.Type, receiver, out bool isData, leaf.Path);
            string spelling = receiver + "." + Identifiers.Escape(member.Member.Name) + "." + string.Join(".", leaf.Path.Split('.').Select(Identifiers.Escape));
            if (isData) leaves.Add(new IrExternal(leaf.Type, spelling));
            else if (read is null) return null;
            else leaves.Add(read);
        }
        return new StructValue(layout, leaves);
    }

    /// <summary><c>new Vector3(x, y, z)</c>, <c>new Vec2(a, b)</c> (the constructor inlined), <c>new Vec2 { X = a }</c>.</summary>
    private StructValue? LowerStructCreation(IObjectCreationOperation creation, ImmutableArray<StructLeaf> layout)
    {
        StructValue? value;
        var arguments = creation.Arguments.OrderBy(a => a.Parameter?.Ordinal ?? 0).Select(a => a.Value).ToList();
        if (creation.Constructor is null || creation.Constructor.Parameters.Length == 0)
            value = new StructValue(layout, layout.Select(l => (IrExpression)IrConstant.Of(l.Type, 0)).ToList());
        else if (StructLayout.IsVector(creation.Type))
            value = VectorConstructor(arguments, layout);
        else if (creation.Type is INamedTypeSymbol { IsRecord: true } && creation.Constructor.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(_cancellationToken) is TypeDeclarationSyntax)
            value = PositionalRecord(creation, arguments, layout);
        else
            value = Inline(creation.Constructor, null, arguments, creation) as StructValue;
        if (value is null || creation.Initializer is null) return value;
        return WithInitializer(value, creation.Initializer, layout);
    }

    /// <summary>
    /// An object initializer's assignments (<c>new S { X = a }</c>, <c>s with { X = a }</c>) over a struct value's leaves:
    /// a new value, the assigned members replaced, the others kept.
    /// </summary>
    private StructValue? WithInitializer(StructValue value, IObjectOrCollectionInitializerOperation initializers, ImmutableArray<StructLeaf> layout)
    {
        var leaves = value.Leaves.ToList();
        foreach (var initializer in initializers.Initializers)
        {
            if (initializer is not ISimpleAssignmentOperation { Target: IMemberReferenceOperation target } assignment || !IsStoredMember(target.Member))
            {
                ReportUnsupportedExpression(initializer, "this object initializer", "assign the struct's fields: new S { X = a, Y = b }");
                return null;
            }
            var indices = StructLayout.Under(layout, StructLayout.MemberName(target.Member));
            if (LayoutOf(assignment.Value.Type) is not null)
            {
                if (LowerStruct(assignment.Value, target.Type) is not { } inner) return null;
                for (int k = 0; k < indices.Count; k++) leaves[indices[k]] = inner.Leaves[k];
            }
            else if (LowerExpression(assignment.Value) is { } scalar && indices.Count == 1)
                leaves[indices[0]] = ConvertTo(scalar, layout[indices[0]].Type);
            else return null;
        }
        return new StructValue(layout, leaves);
    }

    /// <summary>A positional record struct's generated constructor: each parameter sets the property of its name.</summary>
    private StructValue? PositionalRecord(IObjectCreationOperation creation, List<IOperation> arguments, ImmutableArray<StructLeaf> layout)
    {
        var leaves = layout.Select(l => (IrExpression)IrConstant.Of(l.Type, 0)).ToList();
        var parameters = creation.Constructor!.Parameters;
        for (int p = 0; p < parameters.Length; p++)
        {
            var indices = StructLayout.Under(layout, parameters[p].Name);
            if (LayoutOf(parameters[p].Type) is not null)
            {
                if (LowerStruct(arguments[p], parameters[p].Type) is not { } inner) return null;
                for (int k = 0; k < indices.Count && k < inner.Leaves.Count; k++) leaves[indices[k]] = inner.Leaves[k];
            }
            else if (LowerExpression(arguments[p]) is { } scalar && indices.Count == 1)
                leaves[indices[0]] = ConvertTo(scalar, layout[indices[0]].Type);
            else return null;
        }
        return new StructValue(layout, leaves);
    }

    /// <summary>A temporary for a value read more than once, when statements can run before the current one; else the value.</summary>
    private IrExpression Materialize(IrExpression value, string name)
    {
        if (value is IrConstant or IrRead or IrExternal || _pending is null || _conditionalDepth > 0) return value;
        int temporary = AddVariable(name, value.Type, VariableKind.Synthetic);
        _pending.Add(new IrAssign(_pendingSource, temporary, value, IsDeclaration: true));
        return Read(temporary);
    }

    private StructValue Materialize(StructValue value, string name) =>
        new(value.Layout, value.Leaves.Select(l => Materialize(l, name)).ToList());
}
