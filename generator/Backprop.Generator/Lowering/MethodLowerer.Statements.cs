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

/// <summary>Statements: blocks, declarations of locals and buffers, assignments, deconstructions, control flow.</summary>
internal sealed partial class MethodLowerer
{
    private ImmutableArray<IrStatement> LowerBlock(IOperation operation)
    {
        var statements = ImmutableArray.CreateBuilder<IrStatement>();
        LowerStatement(operation, statements);
        return statements.ToImmutable();
    }

    private ImmutableArray<IrStatement> LowerNested(IOperation operation)
    {
        _depth++;
        try
        {
            return LowerBlock(operation);
        }
        finally
        {
            _depth--;
        }
    }

    /// <summary>The operand under implicit conversions (foreach over an array sees it converted to IEnumerable).</summary>
    private static IOperation WithoutConversions(IOperation operation)
    {
        while (operation is IConversionOperation conversion) operation = conversion.Operand;
        return operation;
    }

    private static bool IsBufferReference(IOperation operation)
    {
        operation = WithoutConversions(operation);
        return operation is ILocalReferenceOperation or IParameterReferenceOperation && TypeMapping.Map(operation.Type) is { IsBuffer: true };
    }

    /// <param name="elements">Receives the initial elements of an initialized buffer (<c>{ x, y }</c>), lowered.</param>
    /// <param name="copyOf">Receives the buffer (or the part of one) the new buffer is a copy of.</param>
    private IrExpression? LowerBufferInitializer(IVariableDeclaratorOperation declarator, IOperation value, List<IrExpression> elements, out IrSlice? copyOf)
    {
        var type = _variables[_variableIds[declarator.Symbol]].Type;
        value = WithoutConversions(value);
        copyOf = null;
        // A copy of a buffer, (double[])w.Clone() or span.ToArray() (also of a slice, w.AsSpan(1, 2).ToArray()), or of a
        // range of an array (w[1..], which C# copies): a buffer of its length, filled from it.
        var copied = value is IInvocationOperation { TargetMethod.Name: "Clone" or "ToArray", Arguments.Length: 0, Instance: { } instance } ? LowerExpression(WithoutConversions(instance))
            : value is IArrayElementReferenceOperation { Indices.Length: 1 } range && range.Indices[0] is IRangeOperation ? LowerExpression(value)
            : null;
        if (copied is IrRead { Type.IsBuffer: true } whole) copied = new IrSlice(whole.Type, whole, IrConstant.Int(0), new IrLength(whole.Variable));
        if (copied is IrSlice source && source.Buffer.Type.Scalar == type.Scalar)
        {
            copyOf = source;
            return new IrNewBuffer(type, source.Length, OnStack: type.Shape != ShapeKind.Array);
        }
        IOperation? length = null;
        bool onStack = false;
        ImmutableArray<IOperation>? initial = value switch
        {
            IArrayCreationOperation { DimensionSizes.Length: 1, Initializer: { } init } => init.ElementValues,
            ICollectionExpressionOperation collection when collection.Elements.All(e => e is not ISpreadOperation) => collection.Elements,
            // stackalloc has no operation of its own: its initializer's expressions have.
            _ when value.Syntax is StackAllocArrayCreationExpressionSyntax { Initializer: not null } or ImplicitStackAllocArrayCreationExpressionSyntax
                => (value.Syntax is StackAllocArrayCreationExpressionSyntax s ? s.Initializer! : ((ImplicitStackAllocArrayCreationExpressionSyntax)value.Syntax).Initializer)
                    .Expressions.Select(e => ModelFor(e).GetOperation(e, _cancellationToken)!).ToImmutableArray(),
            _ => null,
        };
        if (initial is { } values)
        {
            foreach (var v in values)
            {
                if (LowerExpression(v) is not { } lowered) return null;
                elements.Add(lowered);
            }
            // A collection expression or stackalloc for a span lives on the stack, like the span the user asked for.
            onStack = type.Shape != ShapeKind.Array;
            return new IrNewBuffer(type, IrConstant.Int(values.Length), onStack);
        }
        if (value is IArrayCreationOperation { DimensionSizes.Length: 1, Initializer: null } array)
        {
            length = array.DimensionSizes[0];
        }
        else if (value.Syntax is StackAllocArrayCreationExpressionSyntax { Type: ArrayTypeSyntax rank, Initializer: null }
                 && rank.RankSpecifiers.Count == 1 && rank.RankSpecifiers[0].Sizes.Count == 1)
        {
            length = ModelFor(rank).GetOperation(rank.RankSpecifiers[0].Sizes[0], _cancellationToken);
            onStack = true;
        }
        if (length is null || length.Type?.SpecialType != SpecialType.System_Int32)
        {
            ReportUnsupportedExpression(value, "an initializer of the buffer '" + declarator.Symbol.Name + "' that is neither an allocation, a list of values nor a copy of a buffer",
                "allocate it with 'stackalloc T[n]' or 'new T[n]', list its values ('[x, y]'), or copy a buffer ('(double[])w.Clone()')");
            return null;
        }
        return LowerExpression(length) is { } n ? new IrNewBuffer(type, n, onStack) : null;
    }

    /// <summary>
    /// A local buffer's declaration. One at the top level before any return stays where it is. Any other (in a loop or a
    /// branch, or after an early return, which the normalizer nests in a branch) is allocated once at the top of the
    /// method, where the reverse sweep's gradient buffers live too, and, inside a block, zero-filled where it was
    /// declared, so that every pass sees the fresh zeroed buffer C# gives it (a loop that saves the old contents in one
    /// piece when the reverse sweep needs them). Its length must then be known at the top: see <see cref="CheckHoistedLengths"/>.
    /// </summary>
    private void DeclareBuffer(IVariableDeclaratorOperation declarator, int buffer, IrNewBuffer allocation, ImmutableArray<IrStatement>.Builder output) =>
        DeclareBuffer(declarator.Syntax, declarator.Symbol.Name, buffer, allocation, output);

    private void DeclareBuffer(SyntaxNode syntax, string name, int buffer, IrNewBuffer allocation, ImmutableArray<IrStatement>.Builder output)
    {
        var source = Source(syntax);
        if (_depth == 0 && !_returnSeen)
        {
            output.Add(new IrAssign(source, buffer, allocation, IsDeclaration: true));
            return;
        }
        // Lowered twice (a switch section that a goto case also runs): hoisted once, zeroed at each place.
        if (!_hoisted.Any(h => h is IrAssign { Value: IrNewBuffer } hoisted && hoisted.Variable == buffer))
        {
            _hoisted.Add(new IrAssign(source, buffer, allocation, IsDeclaration: true));
            _hoistedLengths.Add((syntax.GetLocation(), name, allocation.Length));
        }
        if (_depth == 0) return;
        source = source with { Text = source.Text + " (allocated once at the start, zeroed here)" };
        int index = AddVariable("clear", IrType.Int32, VariableKind.Synthetic);
        var zero = IrConstant.Of(allocation.Type.Element, 0);
        AddCountedLoop(source, index, new IrLength(buffer), new IrStatement[] { new IrStore(SourceRef.None, buffer, new IrRead(IrType.Int32, index), zero) }, output);
    }

    /// <summary>Buffers allocated at the top of the method although declared later (see <see cref="DeclareBuffer"/>).</summary>
    private readonly List<IrStatement> _hoisted = new();

    private readonly List<(Location Location, string Name, IrExpression Length)> _hoistedLengths = new();

    /// <summary>Whether a return has been lowered: a buffer declared after one may not be reached, and is hoisted.</summary>
    private bool _returnSeen;

    /// <summary>
    /// A hoisted buffer's length must mean the same at the top of the method: constants, lengths of parameters and of
    /// field tables, and int parameters that the method never assigns.
    /// </summary>
    private void CheckHoistedLengths(ImmutableArray<IrStatement> body)
    {
        var assigned = new HashSet<int>();
        foreach (var statement in body)
            IrWalker.VisitStatements(statement, s =>
            {
                if (s is IrAssign a) assigned.Add(a.Variable);
            });
        foreach (var (location, name, length) in _hoistedLengths)
        {
            bool known = true;
            IrWalker.VisitExpression(length, e => known &= e switch
            {
                IrConstant or IrExternal => true,
                IrLength l => _variables[l.Buffer].Kind is VariableKind.Parameter or VariableKind.External,
                IrRead r => _variables[r.Variable].Kind == VariableKind.Parameter && !assigned.Contains(r.Variable),
                IrBinary { Operator: BinaryOperator.Add or BinaryOperator.Subtract or BinaryOperator.Multiply or BinaryOperator.Divide or BinaryOperator.Remainder } => true,
                _ => false,
            });
            if (!known) Report(DiagnosticDescriptors.NestedBuffer, location, name);
        }
    }

    /// <summary>The span parameters the method writes (a layer's outputs); each must not be read as well.</summary>
    private List<int> FindOutputs(ImmutableArray<IrStatement> body, List<int> parameters)
    {
        var written = new HashSet<int>();
        var read = new HashSet<int>();
        void Visit(IrStatement statement)
        {
            switch (statement)
            {
                case IrStore store:
                    written.Add(store.Buffer);
                    break;
                case IrCallStatement call:
                    for (int i = 0; i < call.Arguments.Count; i++)
                        if (call.Callee.OutputParameters[i] && call.Arguments[i] is IrRead or IrSlice) written.Add(IrSlice.BufferOf(call.Arguments[i]));
                    break;
                case IrIf branch:
                    foreach (var s in branch.Then.Concat(branch.Else)) Visit(s);
                    break;
                case IrLoop loop:
                    foreach (var s in loop.Body.Concat(loop.Step)) Visit(s);
                    break;
            }
            IrWalker.VisitStatement(statement, e =>
            {
                if (e is IrElement element) read.Add(element.Buffer);
            });
            if (statement is IrCallStatement c)
                for (int i = 0; i < c.Arguments.Count; i++)
                    if (!c.Callee.OutputParameters[i] && c.Arguments[i] is IrRead or IrSlice) read.Add(IrSlice.BufferOf(c.Arguments[i]));
            IrWalker.VisitStatement(statement, e =>
            {
                if (e is IrDifferentiableCall d)
                    foreach (var a in d.Arguments)
                        if (a is IrRead { Type.IsBuffer: true } or IrSlice) read.Add(IrSlice.BufferOf(a));
            });
        }
        foreach (var statement in body) Visit(statement);

        var outputs = new List<int>();
        foreach (int parameter in parameters.Where(written.Contains))
        {
            var location = _parameterLocations[parameter];
            if (!_method.ReturnsVoid)
                Report(DiagnosticDescriptors.UnsupportedStore, location, _variables[parameter].Name, "a method that returns a value cannot write into its parameters; make it a void layer that writes its results into Span<T> parameters");
            else if (read.Contains(parameter))
                Report(DiagnosticDescriptors.OutputAlsoRead, location, _method.Name, _variables[parameter].Name);
            else
                outputs.Add(parameter);
        }
        return outputs;
    }

    private void LowerStatement(IOperation operation, ImmutableArray<IrStatement>.Builder output)
    {
        _cancellationToken.ThrowIfCancellationRequested();
        switch (operation)
        {
            case IBlockOperation block:
                foreach (var statement in block.Operations) LowerStatement(statement, output);
                break;
            case IEmptyOperation:
                break;
            case IVariableDeclarationGroupOperation group when _pending is null:
                WithSideEffects(group, output, () => LowerStatement(group, output));
                break;
            case IExpressionStatementOperation statementWithEffects when _pending is null:
                WithSideEffects(statementWithEffects, output, () => LowerStatement(statementWithEffects, output));
                break;
            case IReturnOperation { ReturnedValue: not null } returnWithEffects when _pending is null:
                WithSideEffects(returnWithEffects, output, () => LowerStatement(returnWithEffects, output));
                break;
            case IVariableDeclarationGroupOperation group:
                foreach (var declaration in group.Declarations)
                {
                    foreach (var declarator in declaration.Declarators)
                    {
                        var initializer = declarator.Initializer ?? declaration.Initializer;
                        // A local constant is folded into every use (ConstantValue); code kept as written names it, so it is
                        // declared as written too (and dropped where nothing kept reads it: UnreadAssignments).
                        if (declarator.Symbol.IsConst)
                        {
                            DeclareDataLocal(declarator, initializer?.Value, output);
                            continue;
                        }
                        if (declarator.Symbol.IsRef && initializer is not null)
                        {
                            DeclareRefLocal(declarator, initializer.Value, output);
                            continue;
                        }
                        if (initializer is not null && TryDeclareRowAlias(declarator.Symbol, initializer.Value, declarator.Syntax, output)) continue;
                        if (initializer is not null && TryDeclareSpanView(declarator.Symbol, initializer.Value, declarator.Syntax, output)) continue;
                        if (!declarator.Symbol.IsRef && StructLayout.Of(declarator.Symbol.Type) is { } layout)
                        {
                            DeclareStructLocal(declarator, layout, initializer?.Value, output);
                            continue;
                        }
                        if (!declarator.Symbol.IsRef && initializer is not null && TryDeclareModuleElement(declarator, initializer.Value, output)) continue;
                        if (!declarator.Symbol.IsRef && IsDataType(declarator.Symbol.Type))
                        {
                            DeclareDataLocal(declarator, initializer?.Value, output);
                            continue;
                        }
                        // A read-only span local that owns its numbers ([x, y], stackalloc[] { … }, new[] { … }) is a local
                        // buffer like a Span<T> one: only its initializer writes it.
                        if (initializer is not null && !declarator.Symbol.IsRef && !_variableIds.ContainsKey(declarator.Symbol)
                            && TypeMapping.Map(declarator.Symbol.Type) is { Shape: ShapeKind.ReadOnlySpan } readOnly
                            && initializer.Value.Syntax is CollectionExpressionSyntax or StackAllocArrayCreationExpressionSyntax or ImplicitStackAllocArrayCreationExpressionSyntax
                                or ArrayCreationExpressionSyntax or ImplicitArrayCreationExpressionSyntax)
                            _variableIds[declarator.Symbol] = AddVariable(declarator.Symbol.Name, readOnly with { Shape = ShapeKind.Span }, VariableKind.Local);
                        var id = VariableOf(declarator.Symbol, declarator.Syntax.GetLocation());
                        if (id is null || initializer is null) continue;
                        if (_variables[id.Value].Type.IsBuffer)
                        {
                            var elements = new List<IrExpression>();
                            if (LowerBufferInitializer(declarator, initializer.Value, elements, out var copyOf) is IrNewBuffer buffer)
                            {
                                DeclareBuffer(declarator, id.Value, buffer, output);
                                if (copyOf is { } from)
                                {
                                    int index = AddVariable("i", IrType.Int32, VariableKind.Synthetic);
                                    var at = new IrRead(IrType.Int32, index);
                                    var source = from.Start is IrConstant { Value: 0 } ? (IrExpression)at : new IrBinary(IrType.Int32, BinaryOperator.Add, from.Start, at);
                                    var element = new IrElement(buffer.Type.Element, from.Buffer.Variable, source);
                                    AddCountedLoop(Source(declarator.Syntax), index, new IrLength(id.Value),
                                        new IrStatement[] { new IrStore(Source(declarator.Syntax), id.Value, at, from.Detached ? IrOpaqueCall.StopGradientOf(element) : element) }, output);
                                }
                                // { x, y }, [x, y], stackalloc[] { x, y }: the buffer, then its elements in order.
                                for (int k = 0; k < elements.Count; k++)
                                    output.Add(new IrStore(Source(declarator.Syntax), id.Value, IrConstant.Int(k), ConvertTo(elements[k], buffer.Type.Element)));
                            }
                        }
                        else if (LowerExpression(initializer.Value) is { } value)
                        {
                            output.Add(new IrAssign(Source(declarator.Syntax), id.Value, value, IsDeclaration: true));
                        }
                    }
                }
                break;
            case IExpressionStatementOperation statement:
                LowerExpressionStatement(statement.Operation, Source(statement.Syntax), output);
                break;
            case IReturnOperation ret when Frame is { } frame:
                LowerInlinedReturn(frame, ret, output);
                break;
            case IReturnOperation { ReturnedValue: { } returned } ret:
                _returnSeen = true;
                if (LowerExpression(returned) is { } result)
                    output.Add(new IrReturn(Source(ret.Syntax), result));
                break;
            case IReturnOperation { ReturnedValue: null } ret when _method.ReturnsVoid:
                _returnSeen = true;
                output.Add(new IrReturn(Source(ret.Syntax), null));
                break;
            case IConditionalOperation conditional:
                var (condition, conditionEffects) = LowerCondition(conditional.Condition, Header(conditional.Syntax));
                output.AddRange(conditionEffects);
                var whenTrue = LowerNested(conditional.WhenTrue);
                var whenFalse = conditional.WhenFalse is null ? ImmutableArray<IrStatement>.Empty : LowerNested(conditional.WhenFalse);
                if (condition is IrConstant { Type.Scalar: ScalarKind.Boolean } decided)
                    output.AddRange(decided.Truth == true ? whenTrue : whenFalse);
                else if (condition is not null)
                    output.Add(new IrIf(Header(conditional.Syntax), condition, whenTrue.ToEquatableArray(), whenFalse.ToEquatableArray()));
                break;
            case IForLoopOperation loop:
                foreach (var before in loop.Before) LowerStatement(before, output);
                var (forCondition, forEffects) = LowerCondition(loop.Condition!, Header(loop.Syntax));
                var forBody = LowerNested(loop.Body);
                var step = ImmutableArray.CreateBuilder<IrStatement>();
                foreach (var bottom in loop.AtLoopBottom) LowerStatement(bottom, step);
                output.Add(forEffects.Count > 0 && forCondition is not null
                    ? LoopWithEffects(Header(loop.Syntax), forCondition, forEffects, forBody, step.ToImmutable().ToEquatableArray())
                    : new IrLoop(Header(loop.Syntax), forCondition, forBody.ToEquatableArray(), step.ToImmutable().ToEquatableArray()));
                break;
            case IWhileLoopOperation { ConditionIsUntil: false } loop:
                var (whileCondition, whileEffects) = LowerCondition(loop.Condition!, Header(loop.Syntax));
                var whileBody = LowerNested(loop.Body);
                if (loop.ConditionIsTop && whileEffects.Count > 0 && whileCondition is not null)
                {
                    output.Add(LoopWithEffects(Header(loop.Syntax), whileCondition, whileEffects, whileBody, EquatableArray<IrStatement>.Empty));
                }
                else if (loop.ConditionIsTop)
                {
                    output.Add(new IrLoop(Header(loop.Syntax), whileCondition, whileBody.ToEquatableArray(), EquatableArray<IrStatement>.Empty));
                }
                else if (whileCondition is not null)
                {
                    // do { body } while (c): the test runs after the body and after every continue, like a for loop's step.
                    var exit = new IrIf(Header(loop.Syntax), Not(whileCondition), new IrStatement[] { new IrBreak(Header(loop.Syntax)) }.ToEquatableArray(), EquatableArray<IrStatement>.Empty);
                    output.Add(new IrLoop(Header(loop.Syntax), null, whileBody.ToEquatableArray(), whileEffects.Append(exit).ToEquatableArray()));
                }
                break;
            case IForEachLoopOperation { LoopControlVariable: IVariableDeclaratorOperation control } loop
                when StructBufferOf(WithoutConversions(loop.Collection)) is { } structs && StructLayout.Of(control.Symbol.Type) is { } controlLayout:
                // foreach (var p in points) over structs: p's fields are the numbers of element k.
                int structCounter = AddVariable("index", IrType.Int32, VariableKind.Synthetic);
                var structHeader = Header(loop.Syntax);
                var controlVariables = StructVariables(control.Symbol, controlLayout);
                var elementBody = new List<IrStatement>();
                for (int leaf = 0; leaf < controlLayout.Length; leaf++)
                    elementBody.Add(new IrAssign(structHeader, controlVariables[leaf], StructElement(structs, new IrRead(IrType.Int32, structCounter), leaf), IsDeclaration: true));
                elementBody.AddRange(LowerNested(loop.Body));
                AddCountedLoop(structHeader, structCounter, StructCount(structs), elementBody, output);
                break;
            case IForEachLoopOperation { LoopControlVariable: IVariableDeclaratorOperation jaggedControl } jaggedLoop when TryLowerJaggedForEach(jaggedLoop, jaggedControl, output):
                break;
            case IForEachLoopOperation { LoopControlVariable: IVariableDeclaratorOperation control } loop when ForEachBuffer(loop.Collection) is { } lowered:
                // foreach (var v in buffer) is the indexed loop it means: v = buffer[k] at the top of each trip (of a slice or
                // view: buffer[start + k]; of a two-dimensional array, its flat view, row by row).
                var (collection, first, count) = lowered is IrSlice part ? (part.Buffer, part.Start, part.Length) : ((IrRead)lowered, null, new IrLength(((IrRead)lowered).Variable));
                int counter = AddVariable("index", IrType.Int32, VariableKind.Synthetic);
                var header = Header(loop.Syntax);
                var position = new IrRead(IrType.Int32, counter);
                var read = new IrElement(collection.Type.Element, collection.Variable, first is null or IrConstant { Value: 0 } ? position : new IrBinary(IrType.Int32, BinaryOperator.Add, first, position));
                var foreachBody = new List<IrStatement>();
                if (control.Symbol.IsRef)
                {
                    // foreach (ref var v in span): v is element k itself (reads and writes), as a ref local bound to it.
                    _refAliases[control.Symbol] = read;
                }
                else
                {
                    var element = VariableOf(control.Symbol, control.Syntax.GetLocation());
                    if (element is null) break;
                    // Over Ad.StopGradient(w) (or a view of it) each element is read without a derivative.
                    var value = lowered is IrSlice { Detached: true } ? IrOpaqueCall.StopGradientOf(read) : (IrExpression)read;
                    foreachBody.Add(new IrAssign(header, element.Value, ConvertTo(value, _variables[element.Value].Type)));
                }
                foreachBody.AddRange(LowerNested(loop.Body));
                AddCountedLoop(header, counter, count, foreachBody, output);
                break;
            case IForEachLoopOperation { LoopControlVariable: IVariableDeclaratorOperation { Symbol.IsRef: false } control } loop when ModuleCollectionMember(loop.Collection) is { } modules:
                LowerModuleForEach(loop, control, modules, output);
                break;
            case IForEachLoopOperation { LoopControlVariable: IVariableDeclaratorOperation control } loop when TypeMapping.Map(WithoutConversions(loop.Collection).Type) is null:
                LowerEnumeratorLoop(loop, control, output);
                break;
            case ISwitchOperation switchStatement:
                LowerSwitchStatement(switchStatement, output);
                break;
            case IBranchOperation { BranchKind: BranchKind.Break } branch:
                output.Add(new IrBreak(Source(branch.Syntax)));
                break;
            case IBranchOperation { BranchKind: BranchKind.Continue } branch:
                output.Add(new IrContinue(Source(branch.Syntax)));
                break;
            case ILocalFunctionOperation:
                // A declaration runs nothing: its calls are inlined where they are made (MethodLowerer.Inlining). One marked
                // [Differentiable] is BPG007 where the generator finds it, once.
                break;
            default:
                ReportUnsupportedStatement(operation);
                break;
        }
    }

    private void LowerExpressionStatement(IOperation operation, SourceRef source, ImmutableArray<IrStatement>.Builder output)
    {
        switch (operation)
        {
            case ISimpleAssignmentOperation { IsRef: true } assignment:
                ReportRefReassignment(assignment);
                break;
            case ISimpleAssignmentOperation { Target: ILocalReferenceOperation local } moduleAssignment when _moduleAliases.ContainsKey(local.Local):
                RebindModuleElement(local.Local, moduleAssignment, source, output);
                break;
            case ISimpleAssignmentOperation structStore when TryLowerStructElementStore(structStore, source, output):
                break;
            case IAssignmentOperation or IIncrementOrDecrementOperation when TryLowerDataAssignment(operation, source, output):
                break;
            case ISimpleAssignmentOperation or ICompoundAssignmentOperation or IIncrementOrDecrementOperation when TryLowerStructAssignment(operation, source, output):
                break;
            case IDeconstructionAssignmentOperation deconstruction when TryLowerStructDeconstruction(deconstruction, source, output):
                break;
            case IInvocationOperation inlined when InlinesCall(inlined):
                LowerStructCall(inlined);
                break;
            // A view or a row re-bound: one error, at the local (its new value may be a row, which is no value).
            case ISimpleAssignmentOperation { Target: ILocalReferenceOperation rebound } assignment when _spanViews.ContainsKey(rebound.Local) || _boundRows.ContainsKey(rebound.Local):
                LowerAssignment(assignment.Target, null, source, output);
                break;
            case ISimpleAssignmentOperation assignment:
                LowerAssignment(assignment.Target, LowerExpression(assignment.Value), source, output);
                break;
            case ICompoundAssignmentOperation compound:
                if (compound.OperatorMethod is not null || BinaryOperatorOf(compound.OperatorKind) is not { } op)
                {
                    ReportUnsupportedExpression(compound, "this compound operator", "write it with a supported arithmetic operator");
                    break;
                }
                var current = LowerExpression(compound.Target);
                var operand = LowerExpression(compound.Value);
                if (current is null || operand is null) break;
                var operandType = TypeMapping.Map(compound.Value.Type) ?? current.Type;
                var computationType = Promote(current.Type, operandType);
                var combined = (IrExpression)new IrBinary(computationType, op, ConvertTo(current, computationType), ConvertTo(operand, computationType));
                LowerAssignment(compound.Target, ConvertTo(combined, current.Type), source, output);
                break;
            case IInvocationOperation invocation when invocation.TargetMethod.ReturnsVoid && BufferOperationOf(invocation) is null && !IsKeptCall(invocation):
                if (LowerLayerCall(invocation) is { } layer)
                    output.Add(new IrCallStatement(source, layer.Callee, layer.Arguments));
                break;
            case IInvocationOperation bufferCall when BufferOperationOf(bufferCall) is { } bufferOperation:
                LowerBufferOperation(bufferCall, bufferOperation, source, output);
                break;
            case IDeconstructionAssignmentOperation deconstruction:
                LowerDeconstruction(deconstruction, source, output);
                break;
            case IIncrementOrDecrementOperation increment:
                var target = LowerExpression(increment.Target);
                if (target is null) break;
                var one = IrConstant.Of(target.Type, 1);
                var kind = increment.Kind == OperationKind.Increment ? BinaryOperator.Add : BinaryOperator.Subtract;
                LowerAssignment(increment.Target, new IrBinary(target.Type, kind, target, one), source, output);
                break;
            case IInvocationOperation discarded when ChangesInArguments(discarded) && TypeMapping.Map(discarded.Type) is { IsRealScalar: true } type
                && IsUnmarkedCallee(discarded.TargetMethod, type, discarded):
                // F(y += x) for its arguments' changes: the call is differentiated (its changes to y seen), its value unused.
                if (LowerExpression(discarded) is { } value)
                    output.Add(new IrAssign(source, AddVariable("discarded", type, VariableKind.Local), value, IsDeclaration: true));
                break;
            case IInvocationOperation kept when IsKeptCall(kept):
                LowerKeptCall(kept, source, output);
                break;
            default:
                ReportUnsupportedStatement(operation);
                break;
        }
    }

    /// <summary>A call whose arguments are passed by value and assign or increment something (<c>F(y += x)</c>).</summary>
    private static bool ChangesInArguments(IInvocationOperation invocation) =>
        invocation.Arguments.All(a => a.Parameter?.RefKind is RefKind.None or RefKind.In)
        && invocation.Arguments.Any(a => a.Value.DescendantsAndSelf().Any(o => o is IAssignmentOperation or IIncrementOrDecrementOperation));

    /// <summary>
    /// <c>(a, b) = (x, y)</c> and <c>var (a, b) = (x, y)</c>: every value is computed before any target is assigned, so
    /// when a value reads a target (a swap) the values go through temporaries first.
    /// </summary>
    private void LowerDeconstruction(IDeconstructionAssignmentOperation deconstruction, SourceRef source, ImmutableArray<IrStatement>.Builder output)
    {
        static IOperation Unwrap(IOperation operation) => operation is IDeclarationExpressionOperation declaration ? declaration.Expression : operation;
        if (Unwrap(deconstruction.Target) is not ITupleOperation targets
            || WithoutConversions(deconstruction.Value) is not ITupleOperation values
            || targets.Elements.Length != values.Elements.Length
            || targets.Elements.Any(t => Unwrap(t) is ITupleOperation))
        {
            Report(DiagnosticDescriptors.UnsupportedStatement, deconstruction.Syntax.GetLocation(), Text(deconstruction),
                "a deconstruction of something other than a flat tuple literal", "deconstruct a tuple literal such as '(x, y)', or assign each variable in its own statement");
            return;
        }
        var lowered = values.Elements.Select(LowerExpression).ToList();
        var assignTo = targets.Elements.Select(Unwrap).ToList();
        if (lowered.Any(v => v is null)) return;

        // Element targets ('w[i]') always go through temporaries: a value may read the element another target writes.
        var written = new HashSet<int>();
        bool readsATarget = false;
        foreach (var target in assignTo)
        {
            if (target is ILocalReferenceOperation { Local.IsRef: true } reference && RefAliasOf(reference.Local) is IrRead aliased) written.Add(aliased.Variable);
            else if (target is ILocalReferenceOperation { Local.IsRef: false } local && VariableOf(local.Local, local.Syntax.GetLocation()) is { } id) written.Add(id);
            else if (target is IParameterReferenceOperation parameter && _variableIds.TryGetValue(parameter.Parameter, out int parameterId)) written.Add(parameterId);
            else if (target is not IDiscardOperation) readsATarget = true;
        }
        foreach (var value in lowered)
            IrWalker.VisitExpression(value!, e => readsATarget |= e is IrRead read && written.Contains(read.Variable));

        for (int k = 0; k < lowered.Count; k++)
        {
            if (!readsATarget || assignTo[k] is IDiscardOperation) continue;
            int temporary = AddVariable("tupleItem", lowered[k]!.Type, VariableKind.Synthetic);
            output.Add(new IrAssign(source, temporary, lowered[k]!, IsDeclaration: true));
            lowered[k] = new IrRead(lowered[k]!.Type, temporary);
        }
        for (int k = 0; k < lowered.Count; k++)
            if (assignTo[k] is not IDiscardOperation) LowerAssignment(assignTo[k], lowered[k], source, output);
    }

    private void LowerAssignment(IOperation target, IrExpression? value, SourceRef source, ImmutableArray<IrStatement>.Builder output)
    {
        switch (target)
        {
            case IFieldReferenceOperation or IPropertyReferenceOperation { Property.IsIndexer: false } when StructLeafPlace(target) is { } leaf:
                if (value is not null) output.Add(new IrAssign(source, leaf, ConvertTo(value, _variables[leaf].Type)));
                break;
            case ILocalReferenceOperation { Local.IsRef: true } local when RefAliasOf(local.Local) is { } alias:
                if (value is null) break;
                if (alias is IrRead aliased)
                    output.Add(new IrAssign(source, aliased.Variable, ConvertTo(value, _variables[aliased.Variable].Type)));
                else if (alias is IrElement aliasedElement && _variables[aliasedElement.Buffer].Kind is VariableKind.External or VariableKind.Member)
                    Report(DiagnosticDescriptors.MemberWrite, target.Syntax.GetLocation(), target.Syntax.ToString());
                else if (alias is IrElement aliasedElement2)
                    output.Add(new IrStore(source, aliasedElement2.Buffer, aliasedElement2.Index, ConvertTo(value, aliasedElement2.Type)));
                else if (alias is IrExternal)
                    Report(DiagnosticDescriptors.MemberWrite, target.Syntax.GetLocation(), target.Syntax.ToString());
                break;
            case ILocalReferenceOperation local when _spanViews.ContainsKey(local.Local) || _boundRows.ContainsKey(local.Local):
                ReportUnsupportedExpression(target, "a span local re-bound to another view", "declare a new span local for the other view");
                break;
            case ILocalReferenceOperation local:
                if (VariableOf(local.Local, local.Syntax.GetLocation()) is { } id && value is not null)
                    output.Add(new IrAssign(source, id, ConvertTo(value, _variables[id].Type)));
                break;
            case IParameterReferenceOperation parameter when ParameterElement(parameter.Parameter) is { } boundElement:
                if (value is null) break;
                if (_variables[boundElement.Buffer].Kind is VariableKind.External or VariableKind.Member)
                    Report(DiagnosticDescriptors.MemberWrite, target.Syntax.GetLocation(), target.Syntax.ToString());
                else
                    output.Add(new IrStore(source, boundElement.Buffer, boundElement.Index, ConvertTo(value, boundElement.Type)));
                break;
            case IParameterReferenceOperation parameter when !_variableIds.ContainsKey(parameter.Parameter):
                ReportUnsupportedExpression(target, "an assignment to a parameter of an inlined method", "assign a local");
                break;
            case IParameterReferenceOperation parameter:
                int parameterId = _variableIds[parameter.Parameter];
                if (_variables[parameterId].Type.IsBuffer)
                    Report(DiagnosticDescriptors.UnsupportedStore, target.Syntax.GetLocation(), parameter.Parameter.Name, "buffer parameters cannot be reassigned; index the parameter directly");
                else if (value is not null)
                    output.Add(new IrAssign(source, parameterId, ConvertTo(value, _variables[parameterId].Type)));
                break;
            case IArrayElementReferenceOperation or IPropertyReferenceOperation { Property.IsIndexer: true } or IImplicitIndexerReferenceOperation:
                if (LowerExpression(target) is IrElement element && value is not null)
                {
                    if (_variables[element.Buffer].IsMatrix)
                        ReportMatrixWrite(target, Identifiers.Bare(_variables[element.Buffer].Kind == VariableKind.Member ? _variables[element.Buffer].Member : _variables[element.Buffer].Name));
                    else if (_variables[element.Buffer].Kind is VariableKind.External or VariableKind.Member)
                        Report(DiagnosticDescriptors.MemberWrite, target.Syntax.GetLocation(), target.Syntax.ToString());
                    else
                        output.Add(new IrStore(source, element.Buffer, element.Index, ConvertTo(value, element.Type)));
                }
                break;
            case IFieldReferenceOperation or IPropertyReferenceOperation:
                Report(DiagnosticDescriptors.MemberWrite, target.Syntax.GetLocation(), target.Syntax.ToString());
                break;
            default:
                ReportUnsupportedExpression(target, "an assignment target", "assign a local or a parameter");
                break;
        }
    }
}
