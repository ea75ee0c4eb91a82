using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using Backprop.Generator.Diagnostics;
using Backprop.Generator.Differentiation;
using Backprop.Generator.Helpers;
using Backprop.Generator.Ir;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace Backprop.Generator.Lowering;

/// <summary>Expressions: constants, operators, conversions, element and member reads.</summary>
internal sealed partial class MethodLowerer
{
    /// <summary>
    /// A <c>const</c> field read as it is (no conversion), reachable from the generated code: its qualified name, so that
    /// generated code says <c>Inputs</c> where the source does. Local constants are values (generated code has no such local).
    /// </summary>
    private string? ConstantName(IOperation operation) =>
        operation is IFieldReferenceOperation { Field: { IsConst: true } field }
        && SymbolEqualityComparer.Default.Equals(field.Type, operation.Type)
        && _model.Compilation.IsSymbolAccessibleWithin(field, _method.ContainingType)
            ? field.ContainingType.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat) + "." + Identifiers.Escape(field.Name)
            : null;

    /// <summary>A compile-time constant of the user's code (<c>ConstantValue</c>) as a value of the IR.</summary>
    private static IrConstant Constant(IrType type, object value, string? name) => value switch
    {
        bool truth => IrConstant.OfInteger(type, truth ? 1 : 0, name),
        double or float or decimal => IrConstant.Of(type, System.Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture), name),
        ulong large => type.IsReal ? IrConstant.Of(type, large, name) : IrConstant.OfInteger(type, unchecked((long)large), name),
        _ => IrConstant.OfInteger(type, System.Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture), name),
    };

    private IrExpression? LowerExpression(IOperation operation)
    {
        var type = TypeMapping.Map(operation.Type);
        if (operation.ConstantValue is { HasValue: true, Value: { } constant } && type is { IsBuffer: false })
            return Constant(type, constant, ConstantName(operation));

        switch (operation)
        {
            case IParenthesizedOperation parenthesized:
                return LowerExpression(parenthesized.Operand);
            case IAssignmentOperation or IIncrementOrDecrementOperation when LowerSideEffect(operation) is { } hoisted:
                return ReferenceEquals(hoisted, Poisoned) ? null : hoisted;
            case ILocalReferenceOperation { Local.IsRef: true } local when RefAliasOf(local.Local) is { } alias:
                return alias;
            // A local or an inlined method's parameter bound to a row of a jagged array, used other than for its elements.
            case ILocalReferenceOperation or IParameterReferenceOperation when IsJaggedRow(operation):
                ReportWholeJagged(operation, row: true);
                return null;
            case ILocalReferenceOperation local when SpanViewOf(local.Local) is { } view:
                return Located(view, operation);
            case ILocalReferenceOperation local when _dataLocals.ContainsKey(local.Local):
                if (TryVerbatim(operation, type) is { } dataValue) return dataValue;
                ReportUnsupportedExpression(operation, "the local '" + local.Local.Name + "' of type '" + Shown(local.Local.Type) + "', kept as written, where a number is needed",
                    "convert it to a number explicitly ('(double)" + local.Local.Name + "')");
                return null;
            case ILocalReferenceOperation local:
                return VariableOf(local.Local, local.Syntax.GetLocation()) is { } localId ? Read(localId) : null;
            case IParameterReferenceOperation parameter when _parameterValues.TryGetValue(parameter.Parameter, out var boundValue):
                return boundValue;
            case IParameterReferenceOperation parameter when ParameterElement(parameter.Parameter) is { } boundElement:
                return boundElement;
            case IParameterReferenceOperation parameter when _structBuffers.ContainsKey(parameter.Parameter):
                ReportUnsupportedExpression(operation, "the array of structs '" + parameter.Parameter.Name + "' used as a whole (passed, sliced or assigned)",
                    "read its elements where it is a parameter ('" + parameter.Parameter.Name + "[i].X', foreach), or pass its numbers as a flat double[]");
                return null;
            case IParameterReferenceOperation parameter when MatrixOf(parameter) is not null:
                ReportWholeMatrix(operation, parameter.Parameter.Name);
                return null;
            case IParameterReferenceOperation parameter:
                // A primary constructor's parameter, captured by the class: a hidden field dThis cannot mirror.
                if (parameter.Parameter.ContainingSymbol is IMethodSymbol { MethodKind: MethodKind.Constructor } constructor
                    && !SymbolEqualityComparer.Default.Equals(constructor, _method) && TypeMapping.Map(parameter.Parameter.Type) is { IsReal: true })
                {
                    string name = parameter.Parameter.Name;
                    ReportUnsupportedExpression(operation, "the primary constructor parameter '" + name + "', captured by the class, which dThis has no member to receive a gradient for",
                        "assign it to a field ('public double " + char.ToUpperInvariant(name[0]) + name.Substring(1) + " = " + name + ";') and read that to differentiate it, or to a [NoDerivative] field to read it as a constant");
                    return null;
                }
                if (!_variableIds.TryGetValue(parameter.Parameter, out int parameterId) || TypeMapping.Map(parameter.Parameter.Type) is null)
                {
                    ReportUnsupportedExpression(operation, "a parameter of type '" + parameter.Parameter.Type.ToDisplayString() + "'", "pass double, float, int, long, bool, arrays or spans of double/float");
                    return null;
                }
                return Read(parameterId);
            case IBinaryOperation binary:
                return LowerBinary(binary, type);
            case IUnaryOperation unary:
                return LowerUnary(unary, type);
            case IConversionOperation conversion:
                return LowerConversion(conversion, type);
            case IInvocationOperation invocation:
                return LowerInvocation(invocation, type);
            case IConditionalOperation { WhenFalse: { } whenFalse } conditional when type is { IsBuffer: false }:
                var c = LowerExpression(conditional.Condition);
                // A condition folded to a constant chooses now (as C# does for its own constants).
                if (c is IrConstant { Type.Scalar: ScalarKind.Boolean } chosen)
                    return LowerExpression(chosen.Truth == true ? conditional.WhenTrue : whenFalse) is { } arm ? ConvertTo(arm, type) : null;
                _conditionalDepth++;
                var t = LowerExpression(conditional.WhenTrue);
                var f = LowerExpression(whenFalse);
                _conditionalDepth--;
                return c is null || t is null || f is null ? null : new IrConditional(type, c, ConvertTo(t, type), ConvertTo(f, type));
            case ISwitchExpressionOperation switchExpression when type is { IsBuffer: false }:
                return LowerSwitchExpression(switchExpression, type);
            case IIsPatternOperation isPattern when TypeMapping.Map(isPattern.Value.Type) is null && TryVerbatim(isPattern, type) is { } data:
                return data;
            case IIsPatternOperation isPattern when TypeMapping.Map(isPattern.Value.Type) is null && _unspellable is { } declared:
                var declaredLocal = isPattern.Pattern.DescendantsAndSelf().OfType<IDeclarationPatternOperation>().Select(d => d.DeclaredSymbol).OfType<ILocalSymbol>()
                    .FirstOrDefault(l => l.Name == declared);
                string declaredType = declaredLocal?.Type.ToDisplayString() ?? "T";
                // Its reads are not reported again (BPG018).
                if (declaredLocal is not null) _unsupportedLocals.Add(declaredLocal);
                ReportUnsupportedExpression(isPattern, "a pattern test on '" + Text(isPattern.Value) + "' that declares '" + declared + "', which is read outside the test",
                    "test the type alone, then convert: '" + Text(isPattern.Value) + " is " + declaredType + " ? (" + declaredType + ")" + Text(isPattern.Value) + " : …'");
                return null;
            case IIsPatternOperation isPattern:
                return LowerExpression(isPattern.Value) is { } input ? LowerPattern(isPattern.Pattern, input) : null;
            // Elements and members of data of other types (rows[i][j] of a jagged array, list[k].Length) are read as written.
            case IArrayElementReferenceOperation or IPropertyReferenceOperation when DataRoot(operation) is not null && TryVerbatim(operation, type) is { } rootedInData:
                return rootedInData;
            case IArrayElementReferenceOperation when type is { IsBuffer: true } && DataRoot(operation) is not null:
                string row = Text(operation);
                ReportUnsupportedExpression(operation, "the row '" + row + "' of data of another type ('" + Shown(((IArrayElementReferenceOperation)operation).ArrayReference.Type!) + "') used as a buffer",
                    "pass the whole array and the row index to the method that reads the row, or copy the row into a local array declared at the start of the method");
                return null;
            case IArrayElementReferenceOperation { Indices.Length: 1 } element when type is { IsBuffer: true } && element.Indices[0] is IRangeOperation range:
                return LowerRangeSlice(element.ArrayReference, range, type, operation);
            case IImplicitIndexerReferenceOperation { Argument: IRangeOperation range } indexer when type is { IsBuffer: true }:
                return LowerRangeSlice(indexer.Instance, range, type, operation);
            case IArrayElementReferenceOperation { Indices.Length: 1 } element when IsJaggedDataRow(element.ArrayReference) && TryVerbatim(operation, type) is { } tableElement:
                return tableElement;
            case IPropertyReferenceOperation { Property.Name: "Length", Instance: { } dataRow } when IsJaggedDataRow(dataRow) && TryVerbatim(operation, type) is { } rowLength:
                return rowLength;
            case IArrayElementReferenceOperation { Indices.Length: 1 } when IsJaggedRow(operation):
                ReportWholeJagged(operation, row: true);
                return null;
            case IArrayElementReferenceOperation { Indices.Length: 1 } element:
                return LowerElement(element.ArrayReference, element.Indices[0], type, operation);
            // Elements of data the IR does not model (a List<double>, a double[,]) are read as written.
            case IPropertyReferenceOperation { Property.IsIndexer: true, Instance: { } instance } when TypeMapping.Map(instance.Type) is null && TryVerbatim(operation, type) is { } data:
                return data;
            case IArrayElementReferenceOperation { Indices.Length: 2 } element when MatrixOf(element.ArrayReference) is { } matrix:
                return LowerMatrixElement(matrix, element, type);
            case IArrayElementReferenceOperation { Indices.Length: > 1 } when TryVerbatim(operation, type) is { } data:
                return data;
            case IPropertyReferenceOperation { Property.IsIndexer: true, Instance: { } instance, Arguments.Length: 1 } indexer:
                return LowerElement(instance, indexer.Arguments[0].Value, type, operation);
            case IImplicitIndexerReferenceOperation { Instance: { } listed } when TypeMapping.Map(listed.Type) is null && TryVerbatim(operation, type) is { } data:
                return data;
            case IImplicitIndexerReferenceOperation indexer when type is { IsBuffer: false }:
                return LowerElement(indexer.Instance, indexer.Argument, type, operation);
            case IPropertyReferenceOperation matrixProperty when LowerMatrixProperty(matrixProperty) is { } matrixValue:
                return matrixValue;
            case IPropertyReferenceOperation jaggedProperty when LowerJaggedLength(jaggedProperty) is { } jaggedLength:
                return jaggedLength;
            case IPropertyReferenceOperation { Property.Name: "Length", Instance: { } counted } when StructBufferOf(WithoutConversions(counted)) is { } structs:
                return StructCount(structs);
            case IPropertyReferenceOperation { Property.Name: "Length", Instance: ILocalReferenceOperation viewed } when SpanViewOf(viewed.Local) is { } view:
                return view.Length;
            // The length of an array of an element of a collection of sub-modules (Layers[i].Bias.Length) is data.
            case IPropertyReferenceOperation { Property.Name: "Length", Instance: IMemberReferenceOperation { Instance: var owner } } when ModuleElementOf(owner) is not null && TryVerbatim(operation, type) is { } elementData:
                return elementData;
            case IPropertyReferenceOperation { Property.Name: "Length", Instance: { } instance }
                when TypeMapping.Map(instance.Type) is { IsBuffer: true } && LowerExpression(instance) is IrRead { Type.IsBuffer: true } buffer:
                return new IrLength(buffer.Variable);
            case IFieldReferenceOperation or IPropertyReferenceOperation { Property.IsIndexer: false } when type is { IsBuffer: false } && IsStructValue(((IMemberReferenceOperation)operation).Instance):
                return LowerStructMember((IMemberReferenceOperation)operation, type);
            case IFieldReferenceOperation or IPropertyReferenceOperation { Property.IsIndexer: false } when JaggedType(operation.Type) is not null && JaggedOf(operation) is not null:
                ReportWholeJagged(operation, row: false);
                return null;
            case IFieldReferenceOperation or IPropertyReferenceOperation when type is { IsBuffer: false }:
                return LowerMember((IMemberReferenceOperation)operation, type);
            case IFieldReferenceOperation or IPropertyReferenceOperation { Property.IsIndexer: false } when type is { IsBuffer: true }:
                return LowerBufferMember((IMemberReferenceOperation)operation, type);
            default:
                // Any other test or computation on data of other types (o is int, a tuple's item) runs as written too.
                if (operation.Descendants().Any(d => d.Type is { } t && TypeMapping.Map(t) is null && !d.ConstantValue.HasValue) && TryVerbatim(operation, type) is { } asWritten) return asWritten;
                ReportUnsupportedExpression(operation);
                return null;
        }
    }

    private IrExpression? LowerBinary(IBinaryOperation binary, IrType? type)
    {
        if (binary.OperatorKind is BinaryOperatorKind.ConditionalAnd or BinaryOperatorKind.ConditionalOr)
        {
            // The right operand may not run: no side effect of it can be hoisted before the statement, except into a branch
            // that runs it when C# would (see ConditionalWithEffects).
            var l = LowerExpression(binary.LeftOperand);
            if (l is not null && type is not null && _pending is not null && _conditionalDepth == 0 && ChangesVariables(binary.RightOperand))
                return ConditionalWithEffects(binary, l);
            _conditionalDepth++;
            var r = LowerExpression(binary.RightOperand);
            _conditionalDepth--;
            if (l is null || r is null || type is null) return null;
            return new IrBinary(type, binary.OperatorKind == BinaryOperatorKind.ConditionalAnd ? BinaryOperator.And : BinaryOperator.Or, l, r);
        }
        if (binary.OperatorMethod is { } structOperator && (IsStructValue(binary.LeftOperand) || IsStructValue(binary.RightOperand)))
            return StructOperatorCall(structOperator, new[] { binary.LeftOperand, binary.RightOperand }, binary) as IrExpression;
        // Enums, strings, chars: compared as written.
        if ((TypeMapping.Map(binary.LeftOperand.Type) is null || TypeMapping.Map(binary.RightOperand.Type) is null) && TryVerbatim(binary, type) is { } data) return data;
        var left = LowerExpression(binary.LeftOperand);
        var right = LowerExpression(binary.RightOperand);
        if (binary.OperatorMethod is not null || type is null || BinaryOperatorOf(binary.OperatorKind) is not { } op)
        {
            ReportUnsupportedExpression(binary, binary.OperatorMethod is null ? "an operator without a derivative rule" : "the user-defined operator '" + binary.OperatorMethod.ToDisplayString() + "'", "use +, -, *, /, % on double/float, comparisons, && or ||");
            return null;
        }
        if (left is null || right is null) return null;
        if (op is BinaryOperator.And or BinaryOperator.Or && type.Scalar != ScalarKind.Boolean)
        {
            ReportUnsupportedExpression(binary, "a bitwise operator", "use && or || on booleans");
            return null;
        }
        var operandType = Promote(left.Type, right.Type);
        var (convertedLeft, convertedRight) = (ConvertTo(left, operandType), ConvertTo(right, operandType));
        return FoldComparison(type, op, convertedLeft, convertedRight) ?? new IrBinary(type, op, convertedLeft, convertedRight);
    }

    /// <summary>
    /// <c>a &amp;&amp; b</c> or <c>a || b</c> whose right operand assigns or increments (<c>(res = f(x)) != 0 &amp;&amp; (res += g(x)) != 0</c>):
    /// a flag takes the left operand's value, and a branch that runs when C# evaluates the right operand holds the right
    /// operand's effects and assigns it to the flag, which is the expression's value.
    /// </summary>
    private IrExpression? ConditionalWithEffects(IBinaryOperation binary, IrExpression left)
    {
        var pending = _pending!;
        int flag = AddVariable(binary.OperatorKind == BinaryOperatorKind.ConditionalAnd ? "both" : "either", IrType.Boolean, VariableKind.Synthetic);
        pending.Add(new IrAssign(_pendingSource, flag, left, IsDeclaration: true));
        var branch = new List<IrStatement>();
        IrExpression? right;
        int reads = _statementReads.Count;
        _pending = branch;
        try
        {
            right = LowerExpression(binary.RightOperand);
        }
        finally
        {
            // What the branch reads, it reads when it runs, before anything hoisted after it.
            _pending = pending;
            _statementReads.RemoveRange(reads, _statementReads.Count - reads);
        }
        if (right is null) return null;
        branch.Add(new IrAssign(_pendingSource, flag, right));
        var runsRight = binary.OperatorKind == BinaryOperatorKind.ConditionalAnd ? Read(flag) : Not(Read(flag));
        pending.Add(new IrIf(_pendingSource, runsRight, branch.ToEquatableArray(), EquatableArray<IrStatement>.Empty));
        var result = Read(flag);
        _hoistedReads.Add(result);
        return result;
    }

    /// <summary>Whether an expression assigns or increments something (outside lambdas, which are reported on their own).</summary>
    private static bool ChangesVariables(IOperation operation)
    {
        foreach (var change in operation.DescendantsAndSelf().Where(o => o is IAssignmentOperation or IIncrementOrDecrementOperation))
        {
            var outer = change.Parent;
            while (outer is not null && outer != operation && outer is not IAnonymousFunctionOperation) outer = outer.Parent;
            if (outer is not IAnonymousFunctionOperation) return true;
        }
        return false;
    }

    /// <summary>
    /// A comparison the generator's own folding made trivial (<c>Max(x, x) &lt; x</c> is <c>x &lt; x</c>, <c>Max(2, 2) &gt; 0.5</c>
    /// is <c>2.0 &gt; 0.5</c>), decided now: printed, it would be a warning the user's code does not have (CS1718, CS0162).
    /// NaN keeps its meaning: <c>x &lt;= x</c> is <c>!double.IsNaN(x)</c>.
    /// </summary>
    private static IrExpression? FoldComparison(IrType type, BinaryOperator op, IrExpression left, IrExpression right)
    {
        if (op is not (BinaryOperator.Less or BinaryOperator.LessOrEqual or BinaryOperator.Greater or BinaryOperator.GreaterOrEqual or BinaryOperator.Equal or BinaryOperator.NotEqual))
            return null;
        IrExpression Constant(bool value) => IrConstant.Bool(value);
        if (left is IrConstant a && right is IrConstant b)
        {
            // Integers compare exactly (a long beyond 2^53 is not a double); reals as doubles, NaN unordered.
            bool exact = !a.Type.IsReal && !b.Type.IsReal;
            int? order = exact ? a.Integer.CompareTo(b.Integer) : a.Value < b.Value ? -1 : a.Value > b.Value ? 1 : a.Value == b.Value ? 0 : null;
            return Constant(op switch
            {
                BinaryOperator.Less => order < 0,
                BinaryOperator.LessOrEqual => order <= 0,
                BinaryOperator.Greater => order > 0,
                BinaryOperator.GreaterOrEqual => order >= 0,
                BinaryOperator.Equal => order == 0,
                _ => order != 0,
            });
        }
        if (!left.Equals(right) || left is not (IrRead or IrElement or IrExternal or IrConvert { Operand: IrRead or IrElement or IrExternal })) return null;
        if (op is BinaryOperator.Less or BinaryOperator.Greater) return Constant(false);
        if (!left.Type.IsReal) return Constant(op != BinaryOperator.NotEqual);
        var isNaN = new IrOpaqueCall(IrType.Boolean, left.Type.Scalar == ScalarKind.Float ? "global::System.Single.IsNaN" : "global::System.Double.IsNaN", "IsNaN", "", new[] { left }.ToEquatableArray(), Public: true);
        return op == BinaryOperator.NotEqual ? isNaN : Not(isNaN);
    }

    private IrExpression? LowerUnary(IUnaryOperation unary, IrType? type)
    {
        var operand = LowerExpression(unary.Operand);
        if (operand is null || type is null) return null;
        switch (unary.OperatorKind)
        {
            case UnaryOperatorKind.Plus:
                return operand;
            case UnaryOperatorKind.Minus when unary.OperatorMethod is null:
                return new IrUnary(type, UnaryOperator.Negate, ConvertTo(operand, type));
            case UnaryOperatorKind.Not when unary.OperatorMethod is null:
                return operand is IrConstant { Type.Scalar: ScalarKind.Boolean } constant
                    ? IrConstant.Bool(constant.Truth != true)
                    : new IrUnary(type, UnaryOperator.Not, operand);
            default:
                ReportUnsupportedExpression(unary, "the operator '" + unary.OperatorKind + "'", "use unary minus or !");
                return null;
        }
    }

    private IrExpression? LowerConversion(IConversionOperation conversion, IrType? type)
    {
        if (TypeMapping.Map(conversion.Operand.Type) is null && conversion.Operand.ConstantValue is not { HasValue: true } && TryVerbatim(conversion, type) is { } data) return data;
        var operand = LowerExpression(conversion.Operand);
        if (operand is null) return null;
        // Arrays and spans convert implicitly at call sites (through op_Implicit before C# 14); the buffer itself flows.
        if (type is { IsBuffer: true } && operand.Type.IsBuffer) return operand;
        if (conversion.OperatorMethod is not null || type is null)
        {
            ReportUnsupportedExpression(conversion, "a conversion to '" + conversion.Type?.ToDisplayString() + "'", "convert between double, float, int and long only");
            return null;
        }
        return ConvertTo(operand, type);
    }

    private IrExpression? LowerElement(IOperation bufferOperation, IOperation indexOperation, IrType? type, IOperation whole)
    {
        if (IsJaggedRow(bufferOperation)) return LowerJaggedElement(bufferOperation, indexOperation, type);
        if (WithoutConversions(bufferOperation) is ILocalReferenceOperation viewed && SpanViewOf(viewed.Local) is { } view)
            return ElementOfView(view, indexOperation, type);
        // An element of Ad.StopGradient(w) (or of a slice of it): the buffer's element, read without a derivative.
        if (WithoutConversions(bufferOperation) is IInvocationOperation stopped && IsStopGradient(stopped.TargetMethod))
            return LowerExpression(bufferOperation) is IrSlice detached ? ElementOfView(detached, indexOperation, type) : null;
        var buffer = LowerExpression(bufferOperation);
        // w[^k] is w[w.Length - k], for arrays (an Index converted) and spans (an implicit indexer) alike.
        bool fromEnd = WithoutConversions(indexOperation) is IUnaryOperation { OperatorKind: UnaryOperatorKind.Hat } hat
            && hat.Operand.Type?.SpecialType == SpecialType.System_Int32;
        var index = EvaluatedOnce(fromEnd && buffer is IrRead { Type.IsBuffer: true } counted
            ? LowerExpression(((IUnaryOperation)WithoutConversions(indexOperation)).Operand) is { } k ? new IrBinary(IrType.Int32, BinaryOperator.Subtract, new IrLength(counted.Variable), k) : null
            : LowerExpression(indexOperation), indexOperation);
        if (buffer is null || index is null) return null;
        if (buffer is not IrRead { Type.IsBuffer: true } read || type is null || !fromEnd && indexOperation.Type?.SpecialType != SpecialType.System_Int32)
        {
            ReportUnsupportedExpression(whole, "an element access", "index a double/float array or span parameter with an int");
            return null;
        }
        var element = new IrElement(type, read.Variable, index);
        _indexLocations[index] = indexOperation.Syntax.GetLocation();
        return element;
    }

    /// <summary>
    /// An element of a view: the buffer's element at the view's start plus the index (<c>w[^k]</c> counts from the view's
    /// end); under <c>Ad.StopGradient</c> for a detached view.
    /// </summary>
    private IrExpression? ElementOfView(IrSlice view, IOperation indexOperation, IrType? type)
    {
        bool fromViewEnd = WithoutConversions(indexOperation) is IUnaryOperation { OperatorKind: UnaryOperatorKind.Hat };
        var offset = EvaluatedOnce(fromViewEnd
            ? LowerExpression(((IUnaryOperation)WithoutConversions(indexOperation)).Operand) is { } back ? new IrBinary(IrType.Int32, BinaryOperator.Subtract, view.Length, back) : null
            : LowerExpression(indexOperation), indexOperation);
        if (offset is null || type is null) return null;
        var at = view.Start is IrConstant { Value: 0 } ? offset : new IrBinary(IrType.Int32, BinaryOperator.Add, view.Start, offset);
        _indexLocations[at] = indexOperation.Syntax.GetLocation();
        var element = new IrElement(type, view.Buffer.Variable, at);
        return view.Detached ? IrOpaqueCall.StopGradientOf(element) : element;
    }

    /// <summary>
    /// A member an inlined method reads that the generated code, which lives in the differentiated method's type, could
    /// not access (a private static of the helper's type): reported, never emitted to fail to compile.
    /// </summary>
    private bool InaccessibleFromGeneratedCode(IMemberReferenceOperation member)
    {
        if (Frame is null || _model.Compilation.IsSymbolAccessibleWithin(member.Member, _method.ContainingType)) return false;
        ReportUnsupportedExpression(member, "'" + member.Member.ContainingType.Name + "." + member.Member.Name + "', which '" + Frame.Method.Name + "' reads and the generated code in '" + _method.ContainingType.Name + "' cannot access",
            "make '" + member.Member.Name + "' internal");
        return true;
    }

    private IrExpression? LowerMember(IMemberReferenceOperation member, IrType type)
    {
        if (InaccessibleFromGeneratedCode(member)) return null;
        string? receiver = member.Instance is null ? member.Member.ContainingType.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat) : ReceiverPath(member.Instance);
        if (receiver is null)
        {
            if (ReportedElementMemberRead(member, type)) return null;
            if (ReportedHiddenModule(member, member.Instance)) return null;
            if (TryVerbatim(member, type) is { } data) return data;
            // A member of a local already reported (BPG018) is not reported again.
            if (member.Instance is ILocalReferenceOperation { Local: var local } && _unsupportedLocals.Contains(local)) return null;
            ReportUnsupportedExpression(member, "a member of an object the generator does not differentiate", "read it before the method and pass the number in as a parameter");
            return null;
        }
        if (member.Instance is not null)
        {
            var differentiated = LowerThisMember(member, type, receiver, out bool isData);
            if (!isData) return differentiated;
        }
        _externalReads.Add(receiver + "." + Identifiers.Escape(member.Member.Name));
        return new IrExternal(type, receiver + "." + Identifiers.Escape(member.Member.Name), member.Member.IsStatic && SymbolFacts.IsPublicEverywhere(member.Member));
    }

    /// <summary>A buffer read from a static or <c>this</c> field or property: data, spelled as the member wherever it is used.</summary>
    private IrExpression? LowerBufferMember(IMemberReferenceOperation member, IrType type)
    {
        if (InaccessibleFromGeneratedCode(member)) return null;
        string? receiver = member.Instance is null ? member.Member.ContainingType.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat) : ReceiverPath(member.Instance);
        if (receiver is null)
        {
            if (ReportedElementMemberRead(member, type)) return null;
            ReportUnsupportedExpression(member, "a buffer of another object", "pass it as a parameter");
            return null;
        }
        if (member.Instance is not null)
        {
            var differentiated = LowerThisMember(member, type, receiver, out bool isData);
            if (!isData) return differentiated;
        }
        string spelling = receiver + "." + Identifiers.Escape(member.Member.Name);
        if (!_externalBuffers.TryGetValue(spelling, out int id))
        {
            id = _variables.Count;
            _names.Add(spelling);
            _variables.Add(new IrVariable(id, spelling, type, VariableKind.External, NoDerivative: true, type.Keyword, Public: member.Member.IsStatic && SymbolFacts.IsPublicEverywhere(member.Member)));
            _externalBuffers[spelling] = id;
        }
        return Read(id);
    }
}
