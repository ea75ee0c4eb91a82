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

/// <summary>Calls: invocations of Math and of other methods, slices, differentiable calls and layers.</summary>
internal sealed partial class MethodLowerer
{
    private IrExpression? LowerInvocation(IInvocationOperation invocation, IrType? type)
    {
        if (LowerMatrixDimension(invocation) is { } dimension) return dimension;
        var target = invocation.TargetMethod;
        if (type is { IsBuffer: true } && IsSlicing(target)) return LowerSlice(invocation, type);
        if (InlinesCall(invocation)) return LowerStructCall(invocation) as IrExpression;
        // A call on data the IR does not model (a list, a string, an enum, another object) runs as written.
        bool onData = invocation.Arguments.Any(a => a.Value.Type is { } t && TypeMapping.Map(t) is null && a.Value.ConstantValue is not { HasValue: true })
            || invocation.Instance is { } receiver && !IsSlicing(target) && ReceiverPath(receiver) is null && TypeMapping.Map(receiver.Type) is null && ModuleElementOf(receiver) is null;
        if ((target.ReturnsVoid || HoldsNumbers(target.ReturnType)) && (ReportedHiddenModule(invocation, invocation.Instance) | ReportedModuleArgument(invocation))) return null;
        // A layer of the compilation given data of another type: the data is what stops it (BPG010 says so), not the write.
        if (onData && target.DeclaringSyntaxReferences.Length > 0 && invocation.Arguments.Any(a => WritableBuffer(a.Value) is not null && MayWriteInto(a.Parameter, target) && CalleeMayWrite(target, a.Parameter)))
        {
            Report(DiagnosticDescriptors.UnknownCall, invocation.Syntax.GetLocation(), target.ContainingType?.Name + "." + target.Name, CallAdvice(target, invocation));
            return null;
        }
        if (onData && ReportedBufferWrite(invocation, invocation)) return null;
        if (onData && TryVerbatim(invocation, type) is { } data) return data;
        var arguments = new List<IrExpression>();
        bool ok = true;
        foreach (var argument in invocation.Arguments.OrderBy(a => a.Parameter?.Ordinal ?? 0))
        {
            if (argument.Parameter?.RefKind is RefKind.Ref or RefKind.Out)
            {
                ReportUnsupportedExpression(argument, "a ref or out argument", "pass the value and use the result");
                ok = false;
                continue;
            }
            // A char or string constant passed on ('a', "aa"): spelled as a literal, never differentiated.
            if (argument.Value.ConstantValue is { HasValue: true, Value: char or string } literal && TypeMapping.Map(argument.Value.Type) is null)
            {
                string text = literal.Value is char c ? SymbolDisplay.FormatLiteral(c, quote: true) : SymbolDisplay.FormatLiteral((string)literal.Value, quote: true);
                arguments.Add(new IrVerbatim(IrType.Int32, text, text, "", EquatableArray<IrExpression>.Empty, IsPrimary: true));
                continue;
            }
            if (TemporaryBuffer(invocation, argument) is { } temporary)
            {
                if (ReferenceEquals(temporary, Poisoned)) ok = false;
                else arguments.Add(temporary);
                continue;
            }
            var value = LowerExpression(argument.Value);
            if (value is null) ok = false;
            else arguments.Add(ConvertTo(value, TypeMapping.Map(argument.Parameter?.Type) ?? value.Type));
        }
        if (!ok) return null;

        // A hand-written rule replaces differentiating the callee (or having to).
        if (CustomRules.For(_model.Compilation, target).Count > 0) return LowerCustomRuleCall(invocation, type, arguments);
        if (IsStopGradient(target) && arguments.Count == 1)
        {
            if (!arguments[0].Type.IsBuffer) return Located(IrOpaqueCall.StopGradientOf(arguments[0]), invocation);
            // The span form: a view of the same memory, read without derivatives (elements, lengths, slices, callees).
            if (arguments[0] is IrSlice slice) return Located(slice with { Type = type ?? slice.Type, Detached = true }, invocation);
            if (arguments[0] is IrRead whole) return Located(new IrSlice(type ?? whole.Type, whole, IrConstant.Int(0), new IrLength(whole.Variable), Detached: true), invocation);
            ReportUnsupportedExpression(invocation, "'Ad.StopGradient' of a buffer expression", "pass a buffer parameter or local, or a slice of one");
            return null;
        }

        // A generic [Differentiable] callee (itself BPG004) is differentiated like an unmarked one, for its type arguments.
        if (!target.IsGenericMethod && target.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == DifferentiableAttribute))
            return LowerDifferentiableCall(invocation, type, arguments);

        string owner = target.ContainingType?.ToDisplayString() ?? "";
        // System.Math, System.MathF and the generic-math statics of double and float (double.Sin, float.Max) share the rules.
        bool mathClass = owner is "System.Math" or "System.MathF"
            || target.IsStatic && target.ContainingType?.SpecialType is SpecialType.System_Double or SpecialType.System_Single;
        // double.CreateChecked(x) and its kin (T.CreateChecked in a generic callee written for double) convert.
        if (type is { IsReal: true, IsBuffer: false } && mathClass && target.Name is "CreateChecked" or "CreateSaturating" or "CreateTruncating" && arguments.Count == 1 && arguments[0].Type is { IsBuffer: false, Scalar: not ScalarKind.Boolean })
            return arguments[0].Type == type ? arguments[0] : Located(ConvertTo(arguments[0], type), invocation);
        if (type is { IsBuffer: false } && mathClass && DerivativeRules.TryGet(target.Name, arguments.Count, out _))
        {
            // Min(e, e) and Max(e, e) are e (NaN included); their rule would compare e with itself (CS1718).
            if (target.Name is "Min" or "Max" && arguments.Count == 2 && arguments[0].Equals(arguments[1])) return arguments[0];
            return Located(new IrMathCall(type, target.Name, arguments.ToEquatableArray()), invocation);
        }


        // A method with source is differentiated without a mark, as Clad and Enzyme do; if it cannot be, it still runs as
        // an opaque call, which is fine as long as nothing it takes carries a derivative (else BPG010 at the call).
        if (IsUnmarkedCallee(target, type, invocation) && LowerDifferentiableCall(invocation, type, arguments, unmarked: true) is { } differentiated)
            return differentiated;
        if (ReportedOpaqueModuleCall(invocation)) return null;

        if (target.IsStatic && type is { IsBuffer: false } && target.Parameters.All(p => TypeMapping.Map(p.Type) is { IsBuffer: false }))
        {
            string name = target.ContainingType!.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat) + "." + Identifiers.Escape(target.Name);
            return Located(new IrOpaqueCall(type, name, target.ContainingType.Name + "." + target.Name, CallAdvice(target), arguments.ToEquatableArray(), SymbolFacts.IsPublicEverywhere(target)), invocation);
        }

        // Run as written, a call that writes into a buffer the gradient reads would change it behind the gradient's back.
        if (ReportedBufferWrite(invocation, invocation)) return null;
        if (TryVerbatim(invocation, type) is { } asWritten) return asWritten;
        Report(DiagnosticDescriptors.UnknownCall, invocation.Syntax.GetLocation(), target.ContainingType?.Name + "." + target.Name, CallAdvice(target));
        return null;
    }

    /// <summary>
    /// A buffer argument written in place, <c>F([x, y])</c>, <c>F(new[] { x })</c>, <c>F(stackalloc[] { x })</c> or
    /// <c>F(default)</c>, of a call the lowering differentiates: a local buffer filled just before the statement (an
    /// empty one for <c>default</c>), passed as the argument; null for any other argument.
    /// </summary>
    private IrExpression? TemporaryBuffer(IInvocationOperation invocation, IArgumentOperation argument)
    {
        var target = invocation.TargetMethod;
        if (_pending is null || _conditionalDepth > 0 || argument.Parameter is not { RefKind: RefKind.None, IsParams: false } parameter
            || TypeMapping.Map(parameter.Type) is not { IsBuffer: true } type
            || !(!target.IsGenericMethod && target.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == DifferentiableAttribute)
                || IsUnmarkedCallee(target, TypeMapping.Map(invocation.Type), invocation)))
            return null;
        var value = WithoutConversions(argument.Value);
        ImmutableArray<IOperation>? elements = value switch
        {
            IDefaultValueOperation => ImmutableArray<IOperation>.Empty,
            IArrayCreationOperation { DimensionSizes.Length: 1, Initializer: { } init } => init.ElementValues,
            ICollectionExpressionOperation collection when collection.Elements.All(e => e is not ISpreadOperation) => collection.Elements,
            _ when value.Syntax is StackAllocArrayCreationExpressionSyntax { Initializer: { } s } => s.Expressions.Select(e => ModelFor(e).GetOperation(e, _cancellationToken)!).ToImmutableArray(),
            _ when value.Syntax is ImplicitStackAllocArrayCreationExpressionSyntax i => i.Initializer.Expressions.Select(e => ModelFor(e).GetOperation(e, _cancellationToken)!).ToImmutableArray(),
            _ => null,
        };
        // Zeros of a length: new double[n], stackalloc double[n].
        IOperation? size = value switch
        {
            IArrayCreationOperation { DimensionSizes.Length: 1, Initializer: null } array => array.DimensionSizes[0],
            _ when value.Syntax is StackAllocArrayCreationExpressionSyntax { Initializer: null, Type: ArrayTypeSyntax rank } && rank.RankSpecifiers.Count == 1 && rank.RankSpecifiers[0].Sizes.Count == 1
                => ModelFor(rank).GetOperation(rank.RankSpecifiers[0].Sizes[0], _cancellationToken),
            _ => null,
        };
        if (elements is null && size?.Type?.SpecialType != SpecialType.System_Int32) return null;
        var lowered = new List<IrExpression>();
        foreach (var element in elements ?? ImmutableArray<IOperation>.Empty)
        {
            if (LowerExpression(element) is not { } e) return Poisoned;
            lowered.Add(ConvertTo(e, type.Element));
        }
        IrExpression length = IrConstant.Int(lowered.Count);
        if (elements is null)
        {
            if (EvaluatedOnce(LowerExpression(size!), size!) is not { } sized) return Poisoned;
            length = sized;
        }
        // An array parameter gets an array (as new[] { … } would be), a span parameter stack memory.
        var local = type.Shape == ShapeKind.Array ? type : type with { Shape = ShapeKind.Span };
        int buffer = AddVariable(Identifiers.Bare(parameter.Name) + "Argument", local, VariableKind.Local);
        var allocation = new IrNewBuffer(local, length, OnStack: local.Shape != ShapeKind.Array);
        var declared = ImmutableArray.CreateBuilder<IrStatement>();
        DeclareBuffer(argument.Syntax, parameter.Name, buffer, allocation, declared);
        var source = Source(argument.Syntax);
        for (int k = 0; k < lowered.Count; k++)
            declared.Add(new IrStore(source, buffer, IrConstant.Int(k), lowered[k]));
        _pending.AddRange(declared);
        return Located(new IrRead(local, buffer), argument.Value);
    }

    /// <summary><c>w[a..b]</c>, <c>w[a..]</c>, <c>w[..^k]</c>: the slice from a to b (b and a counted from the end after ^).</summary>
    private IrExpression? LowerRangeSlice(IOperation bufferOperation, IRangeOperation range, IrType type, IOperation whole)
    {
        // A range of a view (row[1..], Ad.StopGradient(w)[1..]) is a range of its buffer, offset by the view's start.
        var receiver = LowerExpression(WithoutConversions(bufferOperation));
        var view = receiver as IrSlice;
        if ((view?.Buffer ?? receiver) is not IrRead { Type.IsBuffer: true } buffer) return null;
        IrExpression Length() => view?.Length ?? new IrLength(buffer.Variable);
        IrExpression? Position(IOperation? operand, bool isEnd)
        {
            if (operand is null) return isEnd ? Length() : IrConstant.Int(0);
            operand = WithoutConversions(operand);
            if (operand is IUnaryOperation { OperatorKind: UnaryOperatorKind.Hat } fromEnd)
                return EvaluatedOnce(LowerExpression(fromEnd.Operand), fromEnd.Operand) is { } k ? new IrBinary(IrType.Int32, BinaryOperator.Subtract, Length(), k) : null;
            if (operand.Type?.SpecialType != SpecialType.System_Int32)
            {
                ReportUnsupportedExpression(whole, "a range with an Index value", "write the range with int bounds (a..b, ^k)");
                return null;
            }
            return EvaluatedOnce(LowerExpression(operand), operand);
        }
        var start = Position(range.LeftOperand, isEnd: false);
        var end = Position(range.RightOperand, isEnd: true);
        if (start is null || end is null) return null;
        var length = start is IrConstant { Value: 0 } ? end
            : end is IrLength && start is IrBinary { Operator: BinaryOperator.Subtract, Left: IrLength, Right: var fromEnd } ? fromEnd
            : end is IrBinary { Operator: BinaryOperator.Add, Left: var from, Right: var count } && from.Equals(start) ? count
            : start is IrConstant first && end is IrConstant last
                ? IrConstant.Int((int)(last.Integer - first.Integer))
                : new IrBinary(IrType.Int32, BinaryOperator.Subtract, end, start);
        if (view is not null && view.Start is not IrConstant { Value: 0 }) start = new IrBinary(IrType.Int32, BinaryOperator.Add, view.Start, start);
        return Located(new IrSlice(type with { Shape = buffer.Type.Shape == ShapeKind.Array ? ShapeKind.Span : type.Shape }, buffer, start, length, view?.Detached ?? false), whole);
    }

    /// <summary><c>span.Slice(…)</c> and <c>array.AsSpan(…)</c>.</summary>
    private static bool IsSlicing(IMethodSymbol target) =>
        target.Name == "Slice" && target.ContainingType is { Name: "Span" or "ReadOnlySpan", ContainingNamespace.Name: "System" }
        || target.Name == "AsSpan" && target.ContainingType?.ToDisplayString() == "System.MemoryExtensions";

    /// <summary>
    /// A view of part of a buffer: <c>w.Slice(start[, length])</c> or <c>w.AsSpan(start[, length])</c>. Only a
    /// <c>[Differentiable]</c> callee's input may take one (see <see cref="LowerDifferentiableCall"/>); anywhere else a
    /// slice is not a buffer the IR can index, and is reported there.
    /// </summary>
    private IrExpression? LowerSlice(IInvocationOperation invocation, IrType type)
    {
        var operands = new List<IOperation>();
        if (invocation.Instance is { } instance) operands.Add(instance);
        operands.AddRange(invocation.Arguments.OrderBy(a => a.Parameter?.Ordinal ?? 0).Select(a => a.Value));
        if (operands.Count > 3 || operands.Skip(1).Any(o => o.Type?.SpecialType != SpecialType.System_Int32))
        {
            ReportUnsupportedExpression(invocation, "a slice by Index or Range", "slice with an int start and length: w.Slice(start, length)");
            return null;
        }
        var lowered = LowerExpression(WithoutConversions(operands[0]));
        if (lowered is IrSlice outer)
        {
            // A slice of a view: a slice of its buffer, offset by the view's start.
            if (operands.Count == 1) return outer;
            var innerStart = EvaluatedOnce(LowerExpression(operands[1]), operands[1]);
            if (innerStart is null) return null;
            var innerLength = operands.Count == 3 ? EvaluatedOnce(LowerExpression(operands[2]), operands[2]) : new IrBinary(IrType.Int32, BinaryOperator.Subtract, outer.Length, innerStart);
            if (innerLength is null) return null;
            return Located(new IrSlice(type, outer.Buffer, new IrBinary(IrType.Int32, BinaryOperator.Add, outer.Start, innerStart), innerLength, outer.Detached), invocation);
        }
        if (lowered is not IrRead { Type.IsBuffer: true } buffer)
        {
            ReportUnsupportedExpression(invocation, "a slice of something other than a buffer parameter or local", "slice a parameter or local");
            return null;
        }
        if (operands.Count == 1) return buffer;
        var start = EvaluatedOnce(LowerExpression(operands[1]), operands[1]);
        var length = operands.Count == 3 ? EvaluatedOnce(LowerExpression(operands[2]), operands[2]) : start is null ? null
            : new IrBinary(IrType.Int32, BinaryOperator.Subtract, new IrLength(buffer.Variable), start);
        if (start is null || length is null) return null;
        return Located(new IrSlice(type, buffer, start, length), invocation);
    }

    /// <summary>A method of the compilation, with a body, that returns a real scalar (or is a layer), called statically or on this or a sub-module.</summary>
    private bool IsUnmarkedCallee(IMethodSymbol target, IrType? type, IInvocationOperation invocation) =>
        target.MethodKind == MethodKind.Ordinary && (!target.IsGenericMethod || GenericSpecialization.Applies(target)) && !target.IsAbstract && !target.IsExtern
        && (type is { IsRealScalar: true } || target.ReturnsVoid)
        && (invocation.Instance is null || InstanceReceiver(invocation) is not null)
        && target.OriginalDefinition.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(_cancellationToken) is MethodDeclarationSyntax { Body: not null } or MethodDeclarationSyntax { ExpressionBody: not null };

    /// <param name="unmarked">The callee has no [Differentiable] mark: return null without a diagnostic when it cannot be differentiated.</param>
    private IrExpression? LowerDifferentiableCall(IInvocationOperation invocation, IrType? type, List<IrExpression> arguments, bool unmarked = false)
    {
        var target = invocation.TargetMethod;
        // A typo in the callee: the compiler's own errors are all the user sees (see MethodAnalyzer).
        if (HasCompileErrors(target.OriginalDefinition))
        {
            _inlinedCodeHasErrors = true;
            return null;
        }
        // A callee returning a value that writes into its buffer argument: its own gradient works on a copy, but the caller's
        // would not see the writes (an unmarked one is then run as written, and reported there: BPG015).
        if (!target.ReturnsVoid && invocation.Arguments.FirstOrDefault(a => a.Parameter is { } p && TypeMapping.Map(p.Type) is { IsBuffer: true, Shape: not ShapeKind.ReadOnlySpan }
                && WritableBuffer(a.Value) is not null && CalleeMayWrite(target, p)) is { } written)
        {
            if (!unmarked) ReportBufferWrite(invocation, WritableBuffer(written.Value)!, written.Parameter!.Type.ToDisplayString(), target.ContainingType.Name + "." + target.Name);
            return null;
        }
        var instance = invocation.Instance is null ? null : InstanceReceiver(invocation);
        string? receiver = invocation.Instance is null ? target.ContainingType.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat) : instance?.Receiver;
        if (receiver is null || (type is not { IsRealScalar: true } && !target.ReturnsVoid) || target.IsGenericMethod && !unmarked)
        {
            ReportUnsupportedExpression(invocation, "a call of an instance [Differentiable] method of another object", "make the callee static or call it on this");
            return null;
        }
        var active = target.Parameters
            .Select(p => TypeMapping.Map(p.Type) is { IsReal: true } && !SymbolFacts.HasNoDerivative(p))
            .ToEquatableArray();
        for (int i = 0; i < arguments.Count; i++)
        {
            if (arguments[i].Type.IsBuffer && arguments[i] is not (IrRead or IrSlice))
            {
                if (unmarked) return null;
                ReportUnsupportedExpression(invocation.Arguments[i], "a buffer expression passed to '" + target.Name + "'", "pass a buffer parameter or local directly");
                return null;
            }
        }
        var analysed = Differentiate(target, out bool cut);
        // A [NoDerivative] sub-module (or any receiver inside a frozen variant) is a constant: a callee that differentiates
        // members runs as its frozen variant, whose members are data (MethodLowerer.Frozen.cs).
        bool frozen = analysed is { Shape.HasThisGradient: true } && instance is { } on && (_frozen || on.Member is { } member && SymbolFacts.HasNoDerivative(member.Member));
        if (frozen) analysed = Differentiate(target, out cut, frozen: true);
        if (analysed is null)
        {
            if (unmarked) return null;
            if (frozen) ReportNoFrozenVariant(invocation, instance!.Value.Member?.Member.Name ?? "this");
            else Report(DiagnosticDescriptors.CalleeNotDifferentiable, invocation.Syntax.GetLocation(), target.Name);
            return null;
        }
        // Unmarked callees and frozen variants get their derivatives emitted through the methods that call them
        // (DifferentiableGenerator). A recursive call (a cycle cut) got the callee's shape only: its derivatives come with
        // the call that entered the cycle.
        if ((unmarked || frozen) && !cut && !_helpers.Any(h => h.Shape.HintName == analysed.Shape.HintName)) _helpers.Add(analysed);
        foreach (var helper in analysed.Helpers)
            if (!_helpers.Any(h => h.Shape.HintName == helper.Shape.HintName)) _helpers.Add(helper);
        // Where each argument is, for diagnostics about what is passed (BPG030).
        foreach (var argument in invocation.Arguments)
            if (argument.Parameter is { } parameter && parameter.Ordinal < arguments.Count)
                _expressionLocations[arguments[parameter.Ordinal]] = argument.Syntax.GetLocation();
        var outputs = target.Parameters.Select(p => analysed.Outputs.Any(o => analysed.Variables[o].Name == p.Name)).ToEquatableArray();
        var parameterNames = target.Parameters.Select(p => p.Name).ToEquatableArray();
        string elementAccess = "";
        if (instance?.Element is { } element)
        {
            // The element's index is the last argument, for the receiver only (see CalleeInfo.ElementAccess).
            if (LowerElementIndex(element) is not { } index) return null;
            arguments.Add(index);
            active = active.Append(false).ToEquatableArray();
            outputs = outputs.Append(false).ToEquatableArray();
            parameterNames = parameterNames.Append("").ToEquatableArray();
            elementAccess = element.NullableElement ? "]!" : "]";
            _elementCall ??= invocation.Syntax.GetLocation();
        }
        string? thisPath = null;
        if (analysed.Shape.HasThisGradient && instance is { } owner)
        {
            thisPath = owner.Path;
            CallsMemberDifferentiatingMethod(owner.Path, owner.Member, analysed.Shape, owner.Element is not null);
        }
        // A generic callee is differentiated as its specialization (TemplatedFnOfDouble), and called as TemplatedFn<double>.
        var specialized = target.IsGenericMethod ? GenericSpecialization.Of(target, _model.Compilation, _cancellationToken) : null;
        var callee = new CalleeInfo(receiver, specialized is null ? target.Name : analysed.Shape.Name, analysed.Shape.PullbackName, active, outputs, parameterNames, thisPath, analysed.Shape.ThisIsStruct,
            // Forward mode follows a call through the callee's own tangent when it has one, else inlines it (MethodAnalyzer).
            HasTangent: analysed.Shape.EmitTangent && !analysed.Shape.HasThisGradient && elementAccess.Length == 0, HasEffects: IrWalker.RunsEffects(analysed.Body), ElementAccess: elementAccess,
            GenericName: specialized is null ? null : target.Name, TypeArguments: specialized?.TypeArguments ?? default, Variant: analysed.Shape.Variant, IsStatic: target.IsStatic, Public: SymbolFacts.IsPublicEverywhere(target),
            // A recursive call's body is not known here: its partials may be singular.
            Singular: cut || MaySingular(analysed.Body));
        return Located(new IrDifferentiableCall(type ?? IrType.Double, callee, arguments.ToEquatableArray()), invocation);
    }

    /// <summary>
    /// Whether a partial of a method with this body may be infinite or NaN where its value is finite: it applies a
    /// <see cref="DerivativeRule.Singular"/> rule, directly or in a method it calls. A caller that takes the callee's
    /// partials eagerly (seed 1) then scales them by its adjoint as a strong zero, as its own singular rules.
    /// </summary>
    private static bool MaySingular(IEnumerable<IrStatement> body)
    {
        bool found = false;
        foreach (var statement in body)
            IrWalker.VisitStatements(statement, s => IrWalker.VisitStatement(s, e => found |=
                e is IrMathCall m && DerivativeRules.TryGet(m.Function, m.Arguments.Count, out var rule) && rule.Singular
                || e is IrDifferentiableCall { Callee.Singular: true }));
        return found;
    }

    /// <summary>
    /// The callee's IR when its own gradient is generated (it is analysed like the caller, by <see cref="_callees"/>), or
    /// null. A callee already being analysed up the call chain (recursion, direct or mutual) is a cycle: only its shape is
    /// needed, so it is lowered without following its calls (<paramref name="cut"/>); its pullback then calls itself, as the
    /// original does.
    /// </summary>
    /// <param name="frozen">The variant whose members are data, for a call on a <c>[NoDerivative]</c> sub-module.</param>
    private IrMethod? Differentiate(IMethodSymbol callee, out bool cut, bool frozen = false)
    {
        cut = false;
        if (_callees is null) return null;
        var definition = callee.OriginalDefinition;
        MethodDeclarationSyntax? syntax;
        SemanticModel model;
        if (callee.IsGenericMethod)
        {
            if (GenericSpecialization.Of(callee, _model.Compilation, _cancellationToken) is not { } specialized) return null;
            (definition, syntax, model) = (specialized.Method, specialized.Syntax, specialized.Model);
        }
        else
        {
            syntax = definition.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(_cancellationToken) as MethodDeclarationSyntax;
            if (syntax is null) return null;
            model = _model.Compilation.GetSemanticModel(syntax.SyntaxTree);
        }
        return _callees(definition, syntax, model, frozen, out cut);
    }

    private (CalleeInfo Callee, EquatableArray<IrExpression> Arguments)? LowerLayerCall(IInvocationOperation invocation)
    {
        var call = LowerInvocation(invocation, null) as IrDifferentiableCall;
        if (call is null || ReportedInPlaceCall(invocation, call)) return null;
        // A layer writing into a member's or a field table's array writes a field (BPG023), as an element assignment would.
        for (int i = 0; i < call.Arguments.Count; i++)
        {
            if (call.Callee.OutputParameters[i] && call.Arguments[i].Type.IsBuffer
                && _variables[IrSlice.BufferOf(call.Arguments[i])].Kind is VariableKind.External or VariableKind.Member)
            {
                var argument = invocation.Arguments.FirstOrDefault(a => a.Parameter?.Ordinal == i);
                Report(DiagnosticDescriptors.MemberWrite, (argument?.Syntax ?? invocation.Syntax).GetLocation(), (argument?.Syntax ?? invocation.Syntax).ToString());
                return null;
            }
        }
        return (call.Callee, call.Arguments);
    }
}
