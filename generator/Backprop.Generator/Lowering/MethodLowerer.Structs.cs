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

    /// <summary>A method whose body is being inlined: what <c>this</c> and <c>return</c> mean inside it.</summary>
    private sealed class InlineFrame
    {
        public InlineFrame(IMethodSymbol method, SourceRef source)
        {
            Method = method;
            Source = source;
        }

        public IMethodSymbol Method { get; }

        public SourceRef Source { get; }

        /// <summary>The variables of <c>this</c> (a struct instance method or constructor), when it is a place.</summary>
        public List<int>? ThisVariables { get; set; }

        /// <summary><c>this</c> as a value, when the receiver is not a place and the method does not write it.</summary>
        public StructValue? ThisValue { get; set; }

        public ImmutableArray<StructLeaf> ThisLayout { get; set; }

        /// <summary>Where <c>return</c> puts a struct result, leaf by leaf.</summary>
        public List<int>? StructResult { get; set; }

        public ImmutableArray<StructLeaf> ResultLayout { get; set; }

        /// <summary>Where <c>return</c> puts a scalar result.</summary>
        public int ScalarResult { get; set; } = -1;

        /// <summary>For a body with returns before its end: the flag each return sets before it leaves the pass.</summary>
        public int ReturnedFlag { get; set; } = -1;
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
        : new IrBinary(IrType.Int32, BinaryOperator.Divide, new IrLength(structs.Buffer), new IrConstant(IrType.Int32, Literals.Of(structs.Layout.Length, ScalarKind.Int32)));

    /// <summary>Number <paramref name="leaf"/> of struct <paramref name="index"/>: the flat view at index · stride + leaf.</summary>
    private static IrElement StructElement((int Buffer, ImmutableArray<StructLeaf> Layout) structs, IrExpression index, int leaf)
    {
        int stride = structs.Layout.Length;
        IrExpression at = stride == 1 ? index : new IrBinary(IrType.Int32, BinaryOperator.Multiply, index, new IrConstant(IrType.Int32, Literals.Of(stride, ScalarKind.Int32)));
        if (leaf > 0) at = new IrBinary(IrType.Int32, BinaryOperator.Add, at, new IrConstant(IrType.Int32, Literals.Of(leaf, ScalarKind.Int32)));
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
        foreach (var operation in body.DescendantsAndSelf())
        {
            switch (operation)
            {
                case IAssignmentOperation assignment when IsRoot(assignment.Target):
                case IIncrementOrDecrementOperation increment when IsRoot(increment.Target):
                case IArgumentOperation { Parameter.RefKind: RefKind.Ref or RefKind.Out } argument when IsRoot(argument.Value):
                case IInvocationOperation { TargetMethod.IsReadOnly: false, TargetMethod.IsStatic: false } call when IsRoot(call.Instance) && !StructLayout.IsVector(call.TargetMethod.ContainingType):
                    return true;
                case IDeconstructionAssignmentOperation deconstruction when deconstruction.Target.DescendantsAndSelf().Any(IsRoot):
                    return true;
            }
        }
        return false;
    }

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
            case ILocalReferenceOperation { Local.IsRef: false } local:
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
            case ILocalReferenceOperation { Local.IsRef: false } local:
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
                return new StructValue(layout, layout.Select(l => (IrExpression)new IrConstant(l.Type, Literals.Of(0, l.Type.Scalar))).ToList());
            case IObjectCreationOperation creation:
                return LowerStructCreation(creation, layout);
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
                    return LowerStruct(decided.Text == "true" ? conditional.WhenTrue : whenFalse, operation.Type);
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
                result = result is null || condition is IrConstant { Text: "true" } ? value
                    : condition is IrConstant { Text: "false" } ? result
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
        if (indexOperation.Type?.SpecialType != SpecialType.System_Int32)
        {
            ReportUnsupportedExpression(whole, "an element of an array of structs by an Index or Range", "index it with an int");
            return null;
        }
        if (LowerExpression(indexOperation) is not { } index) return null;
        index = Materialize(index, "element");
        return new StructValue(structs.Layout, Enumerable.Range(0, structs.Layout.Length).Select(k => (IrExpression)StructElement(structs, index, k)).ToList());
    }

    /// <summary>A static struct member (<c>Vector3.UnitX</c>, a user's <c>static readonly Vec2 Origin</c>): constants or data.</summary>
    private StructValue StaticStruct(IMemberReferenceOperation member, ImmutableArray<StructLeaf> layout)
    {
        if (StructLayout.IsVector(member.Member.ContainingType) && member.Member.Name is "Zero" or "One" or "UnitX" or "UnitY" or "UnitZ" or "UnitW")
        {
            string name = member.Member.Name;
            return new StructValue(layout, layout.Select(l => (IrExpression)new IrConstant(l.Type, Literals.Of(
                name == "One" || name == "Unit" + l.Path ? 1 : 0, l.Type.Scalar))).ToList());
        }
        string spelling = member.Member.ContainingType.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat) + "." + Identifiers.Escape(member.Member.Name);
        return new StructValue(layout, layout.Select(l => (IrExpression)new IrExternal(l.Type, spelling + "." + string.Join(".", l.Path.Split('.').Select(Identifiers.Escape)))).ToList());
    }

    /// <summary>A struct-typed member of <c>this</c> or of a sub-module: each leaf a differentiated member (<c>this.Pos.X</c>).</summary>
    private StructValue? ThisStructMember(IMemberReferenceOperation member, ImmutableArray<StructLeaf> layout, string receiver)
    {
        if (member.Member is not IFieldSymbol { IsReadOnly: false } && !SymbolFacts.HasNoDerivative(member.Member) && !ThroughConstant(member.Instance) && !_method.IsStatic)
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
            value = new StructValue(layout, layout.Select(l => (IrExpression)new IrConstant(l.Type, Literals.Of(0, l.Type.Scalar))).ToList());
        else if (StructLayout.IsVector(creation.Type))
            value = VectorConstructor(arguments, layout);
        else if (creation.Type is INamedTypeSymbol { IsRecord: true } && creation.Constructor.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(_cancellationToken) is TypeDeclarationSyntax)
            value = PositionalRecord(creation, arguments, layout);
        else
            value = Inline(creation.Constructor, null, arguments, creation) as StructValue;
        if (value is null || creation.Initializer is null) return value;

        // The initializer's assignments, over the constructed value's leaves.
        var leaves = value.Leaves.ToList();
        foreach (var initializer in creation.Initializer.Initializers)
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
        var leaves = layout.Select(l => (IrExpression)new IrConstant(l.Type, Literals.Of(0, l.Type.Scalar))).ToList();
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

    // ---------------------------------------------------------------- calls

    /// <summary>
    /// Whether a call is inlined (or expanded): it takes or returns a struct value, or passes <c>ref</c>/<c>out</c>
    /// arguments to a method of the compilation (the parameter then names the caller's variable).
    /// </summary>
    private bool InlinesCall(IInvocationOperation invocation) =>
        InvolvesStructs(invocation)
        || invocation.Arguments.Any(a => a.Parameter?.RefKind is RefKind.Ref or RefKind.Out)
            && invocation.TargetMethod.MethodKind == MethodKind.Ordinary && invocation.TargetMethod.OriginalDefinition.DeclaringSyntaxReferences.Length > 0;

    /// <summary>Whether a call takes or returns a struct value: it is lowered here, inlined or expanded.</summary>
    private bool InvolvesStructs(IInvocationOperation invocation) =>
        LayoutOf(invocation.Type) is not null && invocation.Type?.TypeKind == TypeKind.Struct
        || IsStructValue(invocation.Instance)
        || invocation.Arguments.Any(a => IsStructValue(a.Value) && a.Parameter?.RefKind is RefKind.None or RefKind.In);

    /// <summary>A call that takes or returns structs: a Vector2/3/4 member's expansion, or the callee inlined.</summary>
    private object? LowerStructCall(IInvocationOperation invocation)
    {
        var target = invocation.TargetMethod;
        var arguments = invocation.Arguments.OrderBy(a => a.Parameter?.Ordinal ?? 0).Select(a => a.Value).ToList();
        if (StructLayout.IsVector(target.ContainingType))
        {
            var operands = new List<IOperation>();
            if (invocation.Instance is { } instance) operands.Add(instance);
            operands.AddRange(arguments);
            return VectorMember(target, operands, invocation);
        }
        return Inline(target, invocation.Instance, arguments, invocation);
    }

    /// <summary>A user-defined operator of a struct (inlined) or of Vector2/3/4 (expanded).</summary>
    private object? StructOperatorCall(IMethodSymbol method, IReadOnlyList<IOperation> operands, IOperation site) =>
        StructLayout.IsVector(method.ContainingType) ? VectorMember(method, operands, site) : Inline(method, null, operands.ToList(), site);

    /// <summary>
    /// Lowers <paramref name="method"/>'s body in place of the call: parameters bound to the arguments (copied when the
    /// body writes them), <c>this</c> to the receiver, <c>return</c> to the result's variables. A body that is one
    /// expression becomes that expression; a block's statements run just before the statement with the call.
    /// </summary>
    private object? Inline(IMethodSymbol? method, IOperation? receiver, List<IOperation> arguments, IOperation site)
    {
        string shown = method is null ? "this member" : (method.MethodKind is MethodKind.PropertyGet ? method.AssociatedSymbol?.Name ?? method.Name : method.MethodKind is MethodKind.Constructor ? "new " + method.ContainingType.Name : method.Name);
        var definition = method?.OriginalDefinition;
        var syntax = definition?.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(_cancellationToken);
        if (syntax is null && AsWritten(site) is { } data) return data;
        if (definition is null || syntax is null || method!.IsGenericMethod || definition.ContainingType.IsGenericType)
        {
            ReportUnsupportedExpression(site, "'" + shown + "', which takes or returns a struct and whose body is not in this compilation" + (method?.IsGenericMethod == true ? " or is generic" : ""),
                "write the computation with the struct's fields, or give it a [DerivativeOf] rule over numbers");
            return null;
        }
        if (SymbolEqualityComparer.Default.Equals(definition, _method.OriginalDefinition) || _inlining.Any(f => SymbolEqualityComparer.Default.Equals(f.Method, definition)))
        {
            Report(DiagnosticDescriptors.Recursion, site.Syntax.GetLocation(), shown);
            return null;
        }
        var model = ModelFor(syntax);
        // A typo in the helper: the compiler's own errors are all the user sees (see MethodAnalyzer).
        if (model.GetDiagnostics(syntax.Span, _cancellationToken).Any(d => d.Severity == DiagnosticSeverity.Error))
        {
            _inlinedCodeHasErrors = true;
            return null;
        }
        var bodyOperation = model.GetOperation(syntax, _cancellationToken);
        IOperation? body = bodyOperation switch
        {
            IConstructorBodyOperation { Initializer: null } ctor => (IOperation?)ctor.BlockBody ?? ctor.ExpressionBody,
            IMethodBodyOperation m => (IOperation?)m.BlockBody ?? m.ExpressionBody,
            IBlockOperation block => block,
            _ => null,
        };
        if (body is null)
        {
            ReportUnsupportedExpression(site, "'" + shown + "', whose body cannot be inlined (a constructor chaining to another, or no body)", "give it a body that assigns the fields");
            return null;
        }
        var single = SingleReturn(body);
        // Returns before the end: the body runs in a loop of one pass that each return leaves (see ExitThroughLoops).
        bool earlyReturns = single is null && !ReturnsOnlyAtEnd(body);
        bool canHoist = _pending is not null && _conditionalDepth == 0;
        if (single is null && !canHoist && !(method.MethodKind == MethodKind.Constructor && FieldAssignments(body) is not null))
        {
            ReportUnsupportedExpression(site, "a call of '" + shown + "', whose statements must run first, inside ?:, && or ||", "call it in a statement of its own and use the local (inside an if statement when it should only run under that condition)");
            return null;
        }

        var frame = new InlineFrame(definition, _inlining.Count > 0 ? Frame!.Source : _pendingSource);
        var bound = new List<ISymbol>();
        // Parameters: a value the body never writes is used as it is (a complex one once, in a temporary); else a copy.
        var parameters = method.Parameters;
        if (arguments.Count < parameters.Length)
        {
            ReportUnsupportedExpression(site, "'" + shown + "' called with fewer arguments than parameters", "pass every argument");
            return null;
        }
        // ref and out parameters first: a value argument that reads a variable the body may write through one is copied.
        var referenced = new HashSet<int>();
        foreach (int p in Enumerable.Range(0, parameters.Length).OrderBy(p => parameters[p].RefKind is RefKind.Ref or RefKind.Out ? 0 : 1))
        {
            var parameter = parameters[p];
            var key = definition.Parameters[p];
            if (parameter.RefKind is RefKind.Ref or RefKind.Out)
            {
                // The parameter is the caller's variable: writes and reads inside go to it (two ref arguments naming one
                // variable alias, as in C#).
                if (!canHoist || !BindReference(key, arguments[p]))
                {
                    ReportUnsupportedExpression(arguments[p], "a " + (parameter.RefKind == RefKind.Ref ? "ref" : "out") + " argument of '" + shown + "' that is not a local, a parameter or a struct field" + (canHoist ? "" : ", or inside a condition, ?:, && or ||"),
                        "pass a local variable (out var x), and call it in a statement of its own");
                    return null;
                }
                bound.Add(key);
                if (_variableIds.TryGetValue(key, out int variable)) referenced.Add(variable);
                if (_structVariables.TryGetValue(key, out var leafVariables)) referenced.UnionWith(leafVariables);
                continue;
            }
            bool written = Writes(body, key);
            if (LayoutOf(parameter.Type) is { } layout)
            {
                if (LowerStruct(arguments[p], parameter.Type) is not { } value) return null;
                written |= value.Leaves.Any(leaf => Reads(leaf, referenced));
                if (written)
                {
                    if (!canHoist) return ReportWrittenParameter(site, shown, parameter);
                    var copies = StructTemporaries(parameter.Name, layout);
                    for (int k = 0; k < copies.Count; k++) _pending!.Add(new IrAssign(frame.Source, copies[k], value.Leaves[k], IsDeclaration: true));
                    _structVariables[key] = copies;
                }
                else _structValues[key] = MaterializeReused(value, LeafUses(body, key, layout), parameter.Name);
            }
            else if (TypeMapping.Map(parameter.Type) is { IsBuffer: false } scalarType)
            {
                if (LowerExpression(arguments[p]) is not { } value) return null;
                value = ConvertTo(value, scalarType);
                written |= Reads(value, referenced);
                if (written)
                {
                    if (!canHoist) return ReportWrittenParameter(site, shown, parameter);
                    int copy = AddVariable(parameter.Name, scalarType, VariableKind.Synthetic);
                    _pending!.Add(new IrAssign(frame.Source, copy, value, IsDeclaration: true));
                    _variableIds[key] = copy;
                }
                else _parameterValues[key] = UsedOnce(body, key) ? value : Materialize(value, parameter.Name);
            }
            else if (TypeMapping.Map(parameter.Type) is { IsBuffer: true } && !written && LowerExpression(WithoutConversions(arguments[p])) is IrRead { Type.IsBuffer: true } buffer)
            {
                _variableIds[key] = buffer.Variable;
            }
            else
            {
                ReportUnsupportedExpression(site, "'" + shown + "', whose parameter '" + parameter.Name + "' of type '" + parameter.Type.ToDisplayString() + "' cannot be passed to an inlined method",
                    "pass numbers, structs of numbers, or a buffer parameter or local");
                return null;
            }
            bound.Add(key);
        }

        // this: the receiver's variables when it is a place (a mutating method changes it), else its value or a copy.
        if (method.MethodKind == MethodKind.Constructor && FieldAssignments(body) is { } assignments)
        {
            // A constructor that only assigns fields from its parameters is the list of its fields' values: no temporaries.
            var layout = LayoutOf(method.ContainingType)!.Value;
            var leaves = layout.Select(l => (IrExpression)new IrConstant(l.Type, Literals.Of(0, l.Type.Scalar))).ToList();
            _inlining.Add(frame);
            try
            {
                foreach (var (member, value) in assignments)
                {
                    var indices = StructLayout.Under(layout, StructLayout.MemberName(member));
                    if (LayoutOf(value.Type) is not null && LowerStruct(value, member is IFieldSymbol f ? f.Type : ((IPropertySymbol)member).Type) is { } inner)
                        for (int k = 0; k < indices.Count && k < inner.Leaves.Count; k++) leaves[indices[k]] = ConvertTo(inner.Leaves[k], layout[indices[k]].Type);
                    else if (LayoutOf(value.Type) is null && indices.Count == 1 && LowerExpression(value) is { } scalar)
                        leaves[indices[0]] = ConvertTo(scalar, layout[indices[0]].Type);
                    else return null;
                }
                return new StructValue(layout, leaves);
            }
            finally
            {
                _inlining.RemoveAt(_inlining.Count - 1);
                foreach (var symbol in bound) Unbind(symbol);
            }
        }
        if (method.MethodKind == MethodKind.Constructor)
        {
            frame.ThisLayout = LayoutOf(method.ContainingType)!.Value;
            if (!canHoist && single is null) return null;
            frame.ThisVariables = StructTemporaries(method.ContainingType.Name.ToLowerInvariant(), frame.ThisLayout);
            foreach (var (variable, leaf) in frame.ThisVariables.Zip(frame.ThisLayout, (v, l) => (v, l)))
                _pending?.Add(new IrAssign(frame.Source, variable, new IrConstant(leaf.Type, Literals.Of(0, leaf.Type.Scalar)), IsDeclaration: true));
        }
        else if (!method.IsStatic)
        {
            if (receiver is null || LayoutOf(receiver.Type) is not { } thisLayout || !IsStructValue(receiver))
            {
                ReportUnsupportedExpression(site, "'" + shown + "', an instance method with struct parameters called on an object", "make it static, or pass the numbers");
                return null;
            }
            frame.ThisLayout = thisLayout;
            if (StructPlace(receiver) is { } place) frame.ThisVariables = place.Variables;
            else if (LowerStruct(receiver, receiver.Type) is { } self)
            {
                if (Writes(body, null))
                {
                    if (!canHoist) return ReportWrittenParameter(site, shown, null);
                    frame.ThisVariables = StructTemporaries("self", thisLayout);
                    for (int k = 0; k < thisLayout.Length; k++) _pending!.Add(new IrAssign(frame.Source, frame.ThisVariables[k], self.Leaves[k], IsDeclaration: true));
                }
                else frame.ThisValue = Materialize(self, "self");
            }
            else return null;
        }

        var returned = method.MethodKind == MethodKind.Constructor ? null : method.ReturnType;
        _inlining.Add(frame);
        try
        {
            if (single is not null)
            {
                if (LayoutOf(returned) is not null) return LowerStruct(single, returned);
                var scalar = LowerExpression(single);
                return scalar is null || TypeMapping.Map(returned) is not { } resultType ? scalar : ConvertTo(scalar, resultType);
            }
            if (LayoutOf(returned) is { } resultLayout)
            {
                frame.ResultLayout = resultLayout;
                frame.StructResult = StructTemporaries(shown + "Result", resultLayout);
            }
            else if (returned is not null && TypeMapping.Map(returned) is { IsBuffer: false } scalarResult)
            {
                frame.ScalarResult = AddVariable(shown + "Result", scalarResult, VariableKind.Synthetic);
            }
            else if (returned is not null && !method.ReturnsVoid)
            {
                ReportUnsupportedExpression(site, "'" + shown + "', which returns '" + returned.ToDisplayString() + "'", "return a number or a struct of numbers");
                return null;
            }

            // Each statement of the body with its own hoisted side effects, all before the caller's statement.
            var statements = ImmutableArray.CreateBuilder<IrStatement>();
            var (pending, pendingSource, reads) = (_pending!, _pendingSource, _statementReads.Count);
            _pending = null;
            try
            {
                if (earlyReturns) frame.ReturnedFlag = AddVariable(shown + "Returned", IrType.Boolean, VariableKind.Synthetic);
                LowerStatement(body, statements);
            }
            finally
            {
                (_pending, _pendingSource) = (pending, pendingSource);
                _statementReads.RemoveRange(reads, _statementReads.Count - reads);
            }
            if (earlyReturns)
            {
                var flag = frame.ReturnedFlag;
                _pending.Add(new IrAssign(frame.Source, flag, new IrConstant(IrType.Boolean, "false"), IsDeclaration: true));
                var pass = ExitThroughLoops(statements, flag).Append(new IrBreak(frame.Source));
                _pending.Add(new IrLoop(frame.Source, null, pass.ToEquatableArray(), EquatableArray<IrStatement>.Empty));
            }
            else _pending.AddRange(statements);
            if (method.MethodKind == MethodKind.Constructor) return ReadAll(frame.ThisLayout, frame.ThisVariables!);
            if (frame.StructResult is { } result) return ReadAll(frame.ResultLayout, result);
            return frame.ScalarResult >= 0 ? Read(frame.ScalarResult) : null;
        }
        finally
        {
            _inlining.RemoveAt(_inlining.Count - 1);
            // The callee's parameters and locals are bound afresh at its next call.
            foreach (var symbol in bound) Unbind(symbol);
            foreach (var symbol in _variableIds.Keys.Concat(_structVariables.Keys).Where(s => SymbolEqualityComparer.Default.Equals(s.ContainingSymbol, definition)).ToList())
                Unbind(symbol);
        }
    }

    /// <summary>
    /// A call of another assembly's method on data (<c>Math.DivRem(a, b)</c>): run as written, its value read leaf by leaf
    /// (<see cref="TryVerbatim"/>; the support gate reports it if a differentiated value goes in).
    /// </summary>
    private object? AsWritten(IOperation site)
    {
        if (TryVerbatim(site, IrType.Double) is not IrVerbatim verbatim) return null;
        if (LayoutOf(site.Type) is not { } layout)
            return TypeMapping.Map(site.Type) is { IsBuffer: false } scalar ? verbatim with { Type = scalar } : null;
        return new StructValue(layout, layout.Select(l => (IrExpression)Located(verbatim with { Type = l.Type, Text = "(" + verbatim.Text + ")." + l.Path }, site)).ToList());
    }

    /// <summary>Binds a <c>ref</c>/<c>out</c> parameter to the variable (or struct leaves) its argument names.</summary>
    private bool BindReference(IParameterSymbol key, IOperation argument)
    {
        argument = WithoutConversions(argument);
        if (argument is IDeclarationExpressionOperation declaration) argument = declaration.Expression;
        if (LayoutOf(key.Type) is not null)
        {
            if (StructPlace(argument) is not { } place) return false;
            _structVariables[key] = place.Variables;
            return true;
        }
        // An element (ref w[i], a ref local bound to one, a parameter bound to one): the element at the index as it is now.
        var element = argument switch
        {
            IArrayElementReferenceOperation or IPropertyReferenceOperation { Property.IsIndexer: true } or IImplicitIndexerReferenceOperation => LowerExpression(argument) as IrElement,
            ILocalReferenceOperation { Local.IsRef: true } alias => RefAliasOf(alias.Local) as IrElement,
            IParameterReferenceOperation bound when _parameterElements.TryGetValue(bound.Parameter, out var known) => known,
            _ => null,
        };
        if (element is not null)
        {
            _parameterElements[key] = element with { Index = Materialize(element.Index, "index") };
            return true;
        }
        if (argument is ILocalReferenceOperation { Local.IsRef: true } scalarAlias && RefAliasOf(scalarAlias.Local) is IrRead aliased)
        {
            _variableIds[key] = aliased.Variable;
            return true;
        }
        int? id = argument switch
        {
            ILocalReferenceOperation { Local.IsRef: false } local when TypeMapping.Map(local.Type) is { IsBuffer: false } && !_spanViews.ContainsKey(local.Local) => VariableOf(local.Local, local.Syntax.GetLocation()),
            IParameterReferenceOperation parameter when _variableIds.TryGetValue(parameter.Parameter, out int known) && !_variables[known].Type.IsBuffer && _variables[known].Kind != VariableKind.Member => known,
            IFieldReferenceOperation or IPropertyReferenceOperation => StructLeafPlace(argument),
            _ => null,
        };
        if (id is null) return false;
        _variableIds[key] = id.Value;
        return true;
    }

    /// <summary>ref parameters of inlined methods bound to an element of a buffer (<c>Bump(ref w[i])</c>).</summary>
    private readonly Dictionary<ISymbol, IrElement> _parameterElements = new(SymbolEqualityComparer.Default);

    /// <summary>A fresh node for one use of a parameter bound to an element (IR nodes are keyed by reference in later passes).</summary>
    private IrElement? ParameterElement(IParameterSymbol parameter) =>
        _parameterElements.TryGetValue(parameter, out var element) ? element with { Index = element.Index with { } } : null;

    private void Unbind(ISymbol symbol)
    {
        _parameterElements.Remove(symbol);
        _variableIds.Remove(symbol);
        _structVariables.Remove(symbol);
        _structValues.Remove(symbol);
        _parameterValues.Remove(symbol);
        if (symbol is ILocalSymbol local) _unsupportedLocals.Remove(local);
    }

    private object? ReportWrittenParameter(IOperation site, string shown, IParameterSymbol? parameter)
    {
        ReportUnsupportedExpression(site, "a call of '" + shown + "', which writes " + (parameter is null ? "this" : "its parameter '" + parameter.Name + "'") + ", inside a condition, ?:, && or ||",
            "call it in a statement of its own and use the local");
        return null;
    }

    /// <summary>An inlined method's <c>return</c>: its value into the frame's result variables.</summary>
    /// <summary>
    /// An inlined body with early returns runs in <c>while (true) { body; break; }</c>: each return sets the frame's flag
    /// and breaks; after every loop of the body that holds a return, <c>if (flag) break;</c> carries the exit outwards.
    /// </summary>
    private static IEnumerable<IrStatement> ExitThroughLoops(IEnumerable<IrStatement> statements, int flag)
    {
        bool SetsFlag(IrStatement statement)
        {
            bool sets = false;
            IrWalker.VisitStatements(statement, s => sets |= s is IrAssign { Variable: var v, Value: IrConstant { Text: "true" } } && v == flag);
            return sets;
        }
        foreach (var statement in statements)
        {
            switch (statement)
            {
                case IrLoop loop when SetsFlag(loop):
                    yield return loop with { Body = ExitThroughLoops(loop.Body, flag).ToEquatableArray() };
                    yield return new IrIf(loop.Source, new IrRead(IrType.Boolean, flag), new IrStatement[] { new IrBreak(loop.Source) }.ToEquatableArray(), EquatableArray<IrStatement>.Empty);
                    break;
                case IrIf branch when SetsFlag(branch):
                    yield return branch with { Then = ExitThroughLoops(branch.Then, flag).ToEquatableArray(), Else = ExitThroughLoops(branch.Else, flag).ToEquatableArray() };
                    break;
                default:
                    yield return statement;
                    break;
            }
        }
    }

    private void LowerInlinedReturn(InlineFrame frame, IReturnOperation ret, ImmutableArray<IrStatement>.Builder output)
    {
        var source = Source(ret.Syntax);
        if (frame.ReturnedFlag >= 0)
        {
            // A return before the end: its value, then out of the pass (ExitThroughLoops).
            LowerInlinedValue(frame, ret, source, output);
            output.Add(new IrAssign(source, frame.ReturnedFlag, new IrConstant(IrType.Boolean, "true")));
            output.Add(new IrBreak(source));
            return;
        }
        LowerInlinedValue(frame, ret, source, output);
    }

    private void LowerInlinedValue(InlineFrame frame, IReturnOperation ret, SourceRef source, ImmutableArray<IrStatement>.Builder output)
    {
        if (ret.ReturnedValue is not { } returned) return;
        if (frame.StructResult is { } result)
        {
            if (LowerStruct(returned, frame.Method.ReturnType) is not { } value) return;
            for (int k = 0; k < result.Count; k++)
                output.Add(new IrAssign(source, result[k], ConvertTo(value.Leaves[k], frame.ResultLayout[k].Type)));
        }
        else if (frame.ScalarResult >= 0 && LowerExpression(returned) is { } scalar)
        {
            output.Add(new IrAssign(source, frame.ScalarResult, ConvertTo(scalar, _variables[frame.ScalarResult].Type)));
        }
    }

    /// <summary>How many times the body reads each leaf of a struct parameter (<c>p.X</c> one leaf, <c>p</c> all of them).</summary>
    private static int[] LeafUses(IOperation body, IParameterSymbol parameter, ImmutableArray<StructLeaf> layout)
    {
        var uses = new int[layout.Length];
        foreach (var reference in body.DescendantsAndSelf().OfType<IParameterReferenceOperation>())
        {
            if (!SymbolEqualityComparer.Default.Equals(reference.Parameter, parameter)) continue;
            string path = "";
            IOperation node = reference;
            while (node.Parent is IFieldReferenceOperation or IPropertyReferenceOperation { Property.IsIndexer: false } && IsStoredMember(((IMemberReferenceOperation)node.Parent).Member))
            {
                node = node.Parent;
                path = path.Length == 0 ? StructLayout.MemberName(((IMemberReferenceOperation)node).Member) : path + "." + StructLayout.MemberName(((IMemberReferenceOperation)node).Member);
            }
            var indices = path.Length == 0 ? Enumerable.Range(0, layout.Length).ToList() : StructLayout.Under(layout, path);
            foreach (int k in indices) uses[k]++;
        }
        return uses;
    }

    private StructValue MaterializeReused(StructValue value, int[] uses, string name) =>
        new(value.Layout, value.Leaves.Select((leaf, k) => uses[k] > 1 ? Materialize(leaf, name) : leaf).ToList());

    /// <summary>Whether the body reads the parameter at most once (its argument's expression can stand in for it).</summary>
    private static bool UsedOnce(IOperation body, IParameterSymbol parameter) =>
        body.DescendantsAndSelf().Count(o => o is IParameterReferenceOperation p && SymbolEqualityComparer.Default.Equals(p.Parameter, parameter)) <= 1;

    /// <summary>
    /// A constructor body that is only <c>X = e;</c> statements (<c>this.X = e</c> too), each field once, no <c>e</c>
    /// reading <c>this</c>: the fields' values; null for any other body.
    /// </summary>
    private static List<(ISymbol Member, IOperation Value)>? FieldAssignments(IOperation body)
    {
        var statements = body is IBlockOperation block ? block.Operations : ImmutableArray.Create(body);
        var assignments = new List<(ISymbol, IOperation)>();
        foreach (var statement in statements)
        {
            if (statement is not IExpressionStatementOperation { Operation: ISimpleAssignmentOperation { Target: IMemberReferenceOperation { Instance: IInstanceReferenceOperation } target } assignment }
                || !IsStoredMember(target.Member) || assignment.Value.DescendantsAndSelf().Any(o => o is IInstanceReferenceOperation)
                || assignments.Any(a => SymbolEqualityComparer.Default.Equals(a.Item1, target.Member)))
                return null;
            assignments.Add((target.Member, assignment.Value));
        }
        return assignments;
    }

    /// <summary>The returned expression of a body that is only <c>return e;</c> (or <c>=&gt; e</c>).</summary>
    private static IOperation? SingleReturn(IOperation body) => body switch
    {
        IBlockOperation { Operations.Length: 1 } block when block.Operations[0] is IReturnOperation { ReturnedValue: { } value } => value,
        IReturnOperation { ReturnedValue: { } value } => value,
        _ => null,
    };

    /// <summary>Whether every <c>return</c> is the last thing its path runs (the body's last statement, or the ends of a last if/else).</summary>
    private static bool ReturnsOnlyAtEnd(IOperation body)
    {
        static bool NoReturn(IOperation operation) => !operation.DescendantsAndSelf().Any(o => o is IReturnOperation);
        static bool Tail(IOperation statement) => statement switch
        {
            IReturnOperation => true,
            IBlockOperation block => block.Operations.Length == 0 || block.Operations.Take(block.Operations.Length - 1).All(NoReturn) && Tail(block.Operations[block.Operations.Length - 1]),
            IConditionalOperation { WhenFalse: { } whenFalse } conditional => NoReturn(conditional.Condition) && Tail(conditional.WhenTrue) && Tail(whenFalse),
            _ => NoReturn(statement),
        };
        return Tail(body);
    }

    private SemanticModel ModelFor(SyntaxNode syntax) =>
        syntax.SyntaxTree == _model.SyntaxTree ? _model : _model.Compilation.GetSemanticModel(syntax.SyntaxTree);

    // ---------------------------------------------------------------- System.Numerics.Vector2/3/4

    private IrExpression? ScalarOperand(IOperation operation) =>
        LowerExpression(operation) is { } value ? Materialize(ConvertTo(value, IrType.Float), "scale") : null;

    /// <summary>The members of Vector2/3/4 with rules (DESIGN.md), expanded over the leaves.</summary>
    private object? VectorMember(IMethodSymbol method, IReadOnlyList<IOperation> operands, IOperation site)
    {
        string name = method.Name;
        var values = new List<object?>();
        foreach (var operand in operands)
            values.Add(IsStructValue(operand) ? LowerStruct(operand, operand.Type) is { } v ? Materialize(v, "v") : null : ScalarOperand(operand));
        if (values.Any(v => v is null)) return null;
        StructValue V(int i) => (StructValue)values[i]!;
        IrExpression S(int i) => (IrExpression)values[i]!;
        var f = IrType.Float;
        IrExpression Bin(BinaryOperator op, IrExpression a, IrExpression b) => new IrBinary(f, op, a, b);
        IrExpression M(string function, params IrExpression[] arguments) => new IrMathCall(f, function, arguments.ToEquatableArray());
        StructValue Map(System.Func<int, IrExpression> leaf)
        {
            var layout = values.OfType<StructValue>().First().Layout;
            return new StructValue(layout, Enumerable.Range(0, layout.Length).Select(leaf).ToList());
        }
        IrExpression At(int i, int k) => values[i] is StructValue s ? s.Leaves[k] : S(i);
        IrExpression Sum(IEnumerable<IrExpression> terms) => terms.Aggregate((a, b) => Bin(BinaryOperator.Add, a, b));
        IrExpression Dot(StructValue a, StructValue b) => Sum(a.Leaves.Zip(b.Leaves, (x, y) => Bin(BinaryOperator.Multiply, x, y)));
        StructValue Difference(StructValue a, StructValue b) => new(a.Layout, a.Leaves.Zip(b.Leaves, (x, y) => Bin(BinaryOperator.Subtract, x, y)).ToList());
        int n = values.Count;

        switch (name)
        {
            case "op_Addition" or "Add" when n == 2: return Map(k => Bin(BinaryOperator.Add, At(0, k), At(1, k)));
            case "op_Subtraction" or "Subtract" when n == 2: return Map(k => Bin(BinaryOperator.Subtract, At(0, k), At(1, k)));
            case "op_Multiply" or "Multiply" when n == 2: return Map(k => Bin(BinaryOperator.Multiply, At(0, k), At(1, k)));
            case "op_Division" or "Divide" when n == 2: return Map(k => Bin(BinaryOperator.Divide, At(0, k), At(1, k)));
            case "op_UnaryNegation" or "Negate" when n == 1: return Map(k => new IrUnary(f, UnaryOperator.Negate, At(0, k)));
            case "op_UnaryPlus" when n == 1: return V(0);
            case "Abs" when n == 1: return Map(k => M("Abs", At(0, k)));
            case "SquareRoot" when n == 1: return Map(k => M("Sqrt", At(0, k)));
            case "Min" when n == 2: return Map(k => M("Min", At(0, k), At(1, k)));
            case "Max" when n == 2: return Map(k => M("Max", At(0, k), At(1, k)));
            case "Clamp" when n == 3: return Map(k => M("Min", M("Max", At(0, k), At(1, k)), At(2, k)));
            case "Lerp" when n == 3: return Map(k => Bin(BinaryOperator.Add, At(0, k), Bin(BinaryOperator.Multiply, Bin(BinaryOperator.Subtract, At(1, k), At(0, k)), At(2, k))));
            case "Dot" when n == 2: return Dot(V(0), V(1));
            case "LengthSquared" when n == 1: return Dot(V(0), V(0));
            case "Length" when n == 1: return M("Sqrt", Dot(V(0), V(0)));
            case "DistanceSquared" when n == 2:
                var d2 = Materialize(Difference(V(0), V(1)), "difference");
                return Dot(d2, d2);
            case "Distance" when n == 2:
                var d = Materialize(Difference(V(0), V(1)), "difference");
                return M("Sqrt", Dot(d, d));
            case "Normalize" when n == 1:
                var length = Materialize(M("Sqrt", Dot(V(0), V(0))), "length");
                return Map(k => Bin(BinaryOperator.Divide, At(0, k), length));
            case "Cross" when n == 2 && V(0).Leaves.Count == 3:
                IrExpression C(int i, int j) => Bin(BinaryOperator.Subtract, Bin(BinaryOperator.Multiply, V(0).Leaves[i], V(1).Leaves[j]), Bin(BinaryOperator.Multiply, V(0).Leaves[j], V(1).Leaves[i]));
                return new StructValue(V(0).Layout, new List<IrExpression> { C(1, 2), C(2, 0), C(0, 1) });
            case "op_Equality" or "op_Inequality" or "Equals" when n == 2 && values.All(v => v is StructValue):
                var equal = V(0).Leaves.Zip(V(1).Leaves, (x, y) => (IrExpression)new IrBinary(IrType.Boolean, BinaryOperator.Equal, x, y))
                    .Aggregate((a, b) => new IrBinary(IrType.Boolean, BinaryOperator.And, a, b));
                return name == "op_Inequality" ? Not(equal) : equal;
        }
        ReportUnsupportedExpression(site, "'" + method.ContainingType.Name + "." + name + "', a member of " + method.ContainingType.Name + " without a derivative rule",
            "use its operators, Dot, Length, LengthSquared, Distance, DistanceSquared, Normalize, Cross, Lerp, Min, Max, Clamp, Abs or SquareRoot, or write it with the fields X, Y, Z, W");
        return null;
    }

    /// <summary><c>new Vector3(x, y, z)</c>, <c>new Vector3(s)</c>, <c>new Vector3(xy, z)</c>, <c>new Vector4(xyz, w)</c>.</summary>
    private StructValue? VectorConstructor(List<IOperation> arguments, ImmutableArray<StructLeaf> layout)
    {
        var leaves = new List<IrExpression>();
        foreach (var argument in arguments)
        {
            if (IsStructValue(argument))
            {
                if (LowerStruct(argument, argument.Type) is not { } part) return null;
                leaves.AddRange(part.Leaves);
            }
            else if (ScalarOperand(argument) is { } scalar) leaves.Add(scalar);
            else return null;
        }
        // One scalar fills every component.
        if (leaves.Count == 1 && layout.Length > 1) leaves = Enumerable.Repeat(leaves[0], layout.Length).ToList();
        if (leaves.Count != layout.Length)
        {
            ReportUnsupportedExpression(arguments.FirstOrDefault()?.Parent ?? arguments[0], "this Vector constructor", "construct it from its components");
            return null;
        }
        return new StructValue(layout, leaves);
    }
}
