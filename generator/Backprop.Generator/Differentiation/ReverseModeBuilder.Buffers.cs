using System.Collections.Generic;
using System.Linq;
using Backprop.Generator.Analysis;
using Backprop.Generator.Emit;
using Backprop.Generator.Ir;

namespace Backprop.Generator.Differentiation;

/// <summary>Buffers: element writes, gradient buffers of locals, and calls of layers.</summary>
internal sealed partial class ReverseModeBuilder
{
    /// <summary>The outputs whose contents the reverse sweep may rewind to what they held before the layer ran.</summary>
    private readonly HashSet<int> _rewound = new();

    /// <summary>
    /// The gradient buffer of <paramref name="buffer"/>: on the stack when the buffer itself is (the user chose that size
    /// for the stack), else rented from the pool and returned by the emitter in <c>finally</c>. Declared where the buffer
    /// is, at the top level of the method.
    /// </summary>
    private IEnumerable<Code> RentScratch(int buffer, bool onStack)
    {
        var variable = _method.Variables[buffer];
        string element = variable.Type.ScalarKeyword;
        string adjoint = Adjoint(buffer);
        if (onStack)
        {
            // stackalloc zeroes the buffer, except under [SkipLocalsInit].
            yield return new CodeComment("gradient buffer of " + variable.Name + ", on the stack like it" + (_method.Shape.SkipsLocalsInit ? "" : " (stackalloc zeroes it)"));
            yield return CodeAssign.Declare(variable.Type.GradientSpanKeyword, adjoint, "stackalloc " + element + "[" + Fragment.LengthOf(variable.Name) + "]");
            if (_method.Shape.SkipsLocalsInit) yield return new CodeStatement(N(adjoint) + ".Clear()");
            yield break;
        }
        string rented = Reserve(adjoint + "Rented");
        _program.Declarations.Add(new Declaration(element + "[]?", rented, "null"));
        _program.Declarations.Add(new Declaration(variable.Type.GradientSpanKeyword, adjoint, "default"));
        _program.Cleanup.Add(new CodeIf(N(rented) + " is not null", new List<Code> { new CodeStatement("global::System.Buffers.ArrayPool<" + element + ">.Shared.Return(" + N(rented) + ")") }));
        yield return new CodeComment("gradient buffer of " + variable.Name + ", from the pool");
        yield return CodeAssign.Set(N(rented), "global::System.Buffers.ArrayPool<" + element + ">.Shared.Rent(" + Fragment.LengthOf(variable.Name) + ")");
        yield return CodeAssign.Set(N(adjoint), "global::System.MemoryExtensions.AsSpan(" + N(rented) + ", 0, " + Fragment.LengthOf(variable.Name) + ")");
        yield return new CodeStatement(N(adjoint) + ".Clear()");
    }

    private void Store(IrStore store, List<Code> forward, List<Code> reverse)
    {
        var buffer = _method.Variables[store.Buffer];
        var element = buffer.Type.Element;
        bool active = _plan.HasAdjoint(store.Buffer);
        // A store whose counted loop saves the old elements in one piece (PushSlice) needs no save of its own.
        bool restore = _plan.StoreNeedsRestore(store);
        // (A span of structs is written through its flat view.)
        var target = Fragment.Element(_text.Name(store.Buffer), _text.Of(store.Index));
        if (!active && !restore)
        {
            forward.Add(CodeAssign.Set(target, _text.Of(store.Value)));
            return;
        }

        Comment(forward, store.Source);
        var plan = active ? _plan.Plan(store.Value) : new RecordingPlan.ExpressionPlan();
        _values.Clear();
        var kept = new List<(string Name, IrType Type)>();
        var value = ForwardValue(store.Value, plan, forward, kept, root: true);
        string? saved = null;
        if (restore)
        {
            if (_loopDepth > 0)
            {
                forward.Add(new CodeStatement(Tape() + ".Push(" + target + ")"));
            }
            else
            {
                saved = Reserve(buffer.Name + "Old");
                forward.Add(Keep(saved, element, target));
            }
        }
        forward.Add(CodeAssign.Set(target, value));
        foreach (var (name, type) in kept) Record(name, type, forward, reverse: null);

        Comment(reverse, store.Source);
        if (active && plan.Needed.Contains(store.Value) && !RecordingPlan.IsLeaf(store.Value))
        {
            string result = Reserve(buffer.Name + "New");
            reverse.Add(CodeAssign.Declare(element.Keyword, result, target));
            _values[store.Value] = result;
        }
        if (_loopDepth > 0)
        {
            for (int i = kept.Count - 1; i >= 0; i--)
                reverse.Add(CodeAssign.Set(N(kept[i].Name), Reload(N(kept[i].Name), kept[i].Type)));
        }
        if (restore)
        {
            reverse.Add(CodeAssign.Set(target, saved is null ? Reload(target, element) : N(saved)));
            Rewinds(store.Buffer);
        }
        if (active)
        {
            var adjoint = Fragment.Element(N(Adjoint(store.Buffer)), _text.Of(store.Index));
            if (!_activity.IsActive(store.Value) || _activity.IsDead(store))
            {
                reverse.Add(CodeAssign.Reset(adjoint));
            }
            else if (Increment(store) is var (increment, subtracted))
            {
                // b[i] += e: the element's adjoint passes through unchanged (no capture, reset and re-add); e gets it too.
                var atom = ExpressionText.Atom(adjoint);
                Propagate(increment, subtracted ? Fragment.Negate(atom, "-" + atom) : adjoint, reverse);
            }
            else
            {
                string incoming = Reserve("d" + MethodName + "_d" + buffer.Name + "Element");
                reverse.Add(CodeAssign.Declare(element.Keyword, incoming, adjoint));
                reverse.Add(CodeAssign.Reset(adjoint));
                Propagate(store.Value, N(incoming), reverse);
            }
        }
        ReverseSplitCalls(reverse);
        _values.Clear();
    }

    /// <summary>
    /// A layer call whose derivative is not needed: the layer itself, or, when it has side effects, its split forward with
    /// what it pushed dropped at once (a restart of the forward sweep then does not run its effects again).
    /// </summary>
    private void Unrecorded(IrCallStatement call, System.Func<string, IReadOnlyList<Fragment>, IEnumerable<Fragment>, CodeStatement> invocation, List<Code> forward)
    {
        var spelled = call.Arguments.Select(_text.Of).ToList();
        if (!call.Callee.HasEffects || call.Callee.CustomRule)
        {
            forward.Add(invocation(call.Callee.CallName, spelled, Enumerable.Empty<Fragment>()));
            return;
        }
        Comment(forward, call.Source);
        string mark = Reserve("tapeCount");
        forward.Add(CodeAssign.Declare("int", mark, Tape() + ".Count"));
        forward.Add(invocation(call.Callee.ForwardName, spelled, new Fragment[] { "ref " + Tape() }));
        forward.Add(new CodeStatement(Tape() + ".Truncate(" + mark + ")"));
    }

    /// <summary>
    /// For <c>b[i] = b[i] + e</c> or <c>b[i] = b[i] - e</c> where <c>e</c> does not read <c>b</c>: <c>e</c>, and whether it is
    /// subtracted. Its derivative with respect to the old element is 1, so the element's adjoint stays as it is.
    /// </summary>
    private static (IrExpression Increment, bool Subtracted)? Increment(IrStore store)
    {
        if (store.Value is not IrBinary { Operator: BinaryOperator.Add or BinaryOperator.Subtract, Left: IrElement old } sum
            || old.Buffer != store.Buffer || !old.Index.Equals(store.Index)) return null;
        bool readsBuffer = false;
        IrWalker.VisitExpression(sum.Right, e => readsBuffer |= e is IrElement { Buffer: var b } && b == store.Buffer || e is IrRead { Variable: var v } && v == store.Buffer
            || e is IrSlice { Buffer.Variable: var s } && s == store.Buffer);
        return readsBuffer ? null : (sum.Right, sum.Operator == BinaryOperator.Subtract);
    }

    /// <summary>
    /// A layer call: the forward sweep calls the layer's split forward (or the layer itself when no derivative flows
    /// through it); the reverse sweep calls its split reverse with the adjoints of its outputs.
    /// </summary>
    private void CallStatement(IrCallStatement call, List<Code> forward, List<Code> reverse)
    {
        var outputs = Enumerable.Range(0, call.Arguments.Count).Where(i => call.Callee.OutputParameters[i]).ToList();
        // An output may be a slice of a buffer: the call overwrites that part, and the whole buffer is saved when needed.
        bool active = outputs.Any(i => _plan.HasAdjoint(IrSlice.BufferOf(call.Arguments[i])));
        var restored = outputs.Select(i => IrSlice.BufferOf(call.Arguments[i])).Distinct().Where(v => _plan.Reads.MustRestore(v, call)).ToList();
        // The callee's own arguments (as spelled), after those the receiver's index when it is an element of a collection.
        CodeStatement Invocation(string name, IReadOnlyList<Fragment> spelled, IEnumerable<Fragment> after) =>
            new(ExpressionText.Receiver(call.Callee, spelled) + "." + name + "(" + Fragment.Join(", ", call.Callee.Own(spelled).Concat(after)) + ")");
        if (!active && restored.Count == 0)
        {
            Unrecorded(call, Invocation, forward);
            return;
        }

        Comment(forward, call.Source);
        _values.Clear();
        var kept = new List<(string Name, IrType Type)>();
        // Scalar arguments are kept unless they are plain variables: an element read could see the call's own writes.
        foreach (var argument in call.Arguments)
        {
            if (argument.Type.IsBuffer || argument is IrRead or IrConstant or IrExternal) continue;
            string name = Reserve(TempName(argument));
            forward.Add(Keep(name, argument.Type, _text.Of(argument)));
            kept.Add((name, argument.Type));
            _values[argument] = name;
        }
        // A buffer the reverse sweep reads keeps its old contents; the call overwrites them.
        foreach (int buffer in restored) forward.Add(SaveBuffer(buffer));
        // An active layer runs split: its forward leaves on the tape what its reverse reads, so nothing is run twice.
        var forwardArguments = call.Arguments.Select(Argument).ToList();
        forward.Add(active && !call.Callee.CustomRule
            ? Invocation(call.Callee.ForwardName, forwardArguments, new Fragment[] { "ref " + Tape() })
            : Invocation(call.Callee.CallName, forwardArguments, Enumerable.Empty<Fragment>()));
        foreach (var (name, type) in kept) Record(name, type, forward, reverse: null);

        Comment(reverse, call.Source);
        if (_loopDepth > 0)
        {
            for (int i = kept.Count - 1; i >= 0; i--)
                reverse.Add(CodeAssign.Set(N(kept[i].Name), Reload(N(kept[i].Name), kept[i].Type)));
        }
        if (active)
        {
            var spelled = call.Arguments.Select(Argument).ToList();
            var arguments = call.Callee.Own(spelled).ToList();
            var pending = new List<(IrExpression, string)>();
            foreach (int i in outputs) arguments.Add(OutputAdjoint(call.Arguments[i]));
            if (ThisGradientArgument(call.Callee, spelled) is { } thisGradient) arguments.Add(thisGradient);
            for (int i = 0; i < call.Arguments.Count; i++)
            {
                if (!call.Callee.ActiveParameters[i] || call.Callee.OutputParameters[i]) continue;
                arguments.Add(GradientArgument(call.Callee.Name, call.Callee.ParameterNames[i], call.Arguments[i], reverse, pending));
            }
            if (call.Callee.CustomRule)
            {
                // A hand-written rule: called with the outputs as the layer computed them. A rule taking an output's adjoint
                // as Span<T> consumes it as a generated reverse does (only it knows which entries its original wrote); one
                // taking ReadOnlySpan<T> says the original overwrote them all, so the adjoint is cleared here.
                reverse.Add(new CodeStatement(call.Callee.PullbackName + "(" + Fragment.Join(", ", arguments) + ")"));
                foreach (int i in outputs)
                    if (call.Callee.ClearedOutputs[i]) reverse.Add(new CodeStatement(OutputAdjoint(call.Arguments[i]) + ".Clear()"));
            }
            else
            {
                arguments.Add("ref " + Tape());
                reverse.Add(new CodeStatement(ExpressionText.Receiver(call.Callee, spelled) + "." + call.Callee.ReverseName + "(" + Fragment.Join(", ", arguments) + ")"));
            }
            // The callee's reverse may rewind its outputs as ours does.
            foreach (int i in outputs) Rewinds(IrSlice.BufferOf(call.Arguments[i]));
            // Arguments are differentiated in the state before the call: restore its outputs first.
            for (int k = restored.Count - 1; k >= 0; k--) reverse.AddRange(RestoreBuffer(restored[k]));
            foreach (var (argument, local) in pending) Propagate(argument, N(local), reverse);
        }
        else
        {
            for (int k = restored.Count - 1; k >= 0; k--) reverse.AddRange(RestoreBuffer(restored[k]));
        }
        _values.Clear();
    }

    /// <summary>Notes that the reverse sweep may rewind the buffer's contents: for an output, the backward keeps its results.</summary>
    private void Rewinds(int buffer)
    {
        if (_method.Outputs.Contains(buffer)) _rewound.Add(buffer);
    }

    /// <summary>The gradient argument of a callee parameter: a gradient span, <c>ref</c> to an adjoint, or a local to propagate from.</summary>
    private Fragment GradientArgument(string callee, string parameter, IrExpression argument, List<Code> reverse, List<(IrExpression, string)> pending)
    {
        // Ad.StopGradient(w): the callee's gradient for it is not wanted.
        if (argument is IrSlice { Detached: true }) return Fragment.Literal("default");
        if (argument is IrSlice slice)
        {
            // The same view of the buffer's gradient; a gradient parameter may be empty (not wanted), and then so is the view.
            int buffer = slice.Buffer.Variable;
            if (!_plan.HasGradientBuffer(buffer)) return Fragment.Literal("default");
            return _method.Variables[buffer].IsDifferentiableParameter ? N(Adjoint(buffer)) + ".IsEmpty ? default : " + AdjointSlice(slice) : AdjointSlice(slice);
        }
        if (argument.Type.IsBuffer) return _plan.HasGradientBuffer(((IrRead)argument).Variable) ? N(Adjoint(((IrRead)argument).Variable)) : Fragment.Literal("default");
        if (argument is IrRead read && _activity.IsActive(read.Variable)) return Fragment.RefOf(Adjoint(read.Variable));
        string local = Reserve("d" + MethodName + "_d" + callee + "_" + parameter);
        reverse.Add(CodeAssign.Declare(argument.Type.Keyword, local, Fragment.Zero));
        if (_activity.IsActive(argument)) pending.Add((argument, local));
        return Fragment.RefOf(local);
    }

    /// <summary>An argument as written in a call: a buffer (or slice) as it is, a scalar as its kept value.</summary>
    private Fragment Argument(IrExpression argument) => argument.Type.IsBuffer ? _text.Of(argument) : Value(argument);

    /// <summary>The adjoint a layer's reverse consumes for an output argument: the buffer's adjoint, or the same slice of it.</summary>
    private Fragment OutputAdjoint(IrExpression argument) => argument is IrSlice slice ? AdjointSlice(slice) : N(Adjoint(((IrRead)argument).Variable));

    /// <summary>The slice of the buffer's gradient span that matches <paramref name="slice"/> (gradient spans are spans, never arrays).</summary>
    private Fragment AdjointSlice(IrSlice slice) =>
        ExpressionText.Slice(N(Adjoint(slice.Buffer.Variable)), slice.Buffer.Type with { Shape = IsMember(slice.Buffer.Variable) ? ShapeKind.Array : ShapeKind.Span }, _text.Of(slice.Start), _text.Of(slice.Length));

    /// <summary>A member of <c>this</c>: its gradient is the same member of <c>dThis</c> (an array for an array member).</summary>
    private bool IsMember(int variable) => _method.Variables[variable].Kind == VariableKind.Member;

    private Code SaveBuffer(int buffer)
    {
        var variable = _method.Variables[buffer];
        return new CodeStatement(Tape() + ".PushRange<" + variable.Type.ScalarKeyword + ">(" + N(variable.Name) + ")");
    }

    private IEnumerable<Code> RestoreBuffer(int buffer)
    {
        Rewinds(buffer);
        var variable = _method.Variables[buffer];
        yield return new CodeStatement(Tape() + ".Pop<int>()");
        yield return new CodeStatement(Tape() + ".PopRange<" + variable.Type.ScalarKeyword + ">(" + N(variable.Name) + ")");
    }
}
