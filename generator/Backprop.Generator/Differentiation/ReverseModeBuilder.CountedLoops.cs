using System.Collections.Generic;
using System.Linq;
using Backprop.Generator.Analysis;
using Backprop.Generator.Emit;
using Backprop.Generator.Helpers;
using Backprop.Generator.Ir;

namespace Backprop.Generator.Differentiation;

/// <summary>
/// Counted loops: <c>i = init; while (i &lt; bound) { body; i = i + 1; }</c> where the loop assigns neither <c>i</c>
/// (besides its step) nor what <c>init</c> and <c>bound</c> read. Their reverse is <c>for (i = bound - 1; i &gt;= init; i--)</c>:
/// no trip count and no old value of <c>i</c> go on the tape, and reads of <c>i</c> inside the loop need no restore.
/// (In a convolution, this bookkeeping was one push per multiply-add.)
/// </summary>
internal sealed partial class ReverseModeBuilder
{
    /// <summary>The forward and reverse code of a counted loop.</summary>
    private void CountedLoopCode(IrLoop loop, RecordingPlan.CountedLoop counted, List<Code> forward, List<Code> reverse)
    {
        var slices = _plan.SliceSavesOf(loop);
        var range = ", " + _text.Of(counted.Init) + ", " + _text.Of(counted.Bound) + ")";
        foreach (var store in slices)
        {
            var buffer = _method.Variables[store.Buffer];
            forward.Add(new CodeComment($"old {buffer.Name}[{_text.Of(counted.Init)}..{_text.Of(counted.Bound)}), which the loop below overwrites, saved in one piece"));
            forward.Add(new CodeStatement(Tape() + ".PushSlice<" + buffer.Type.ScalarKeyword + ">(" + _text.Name(store.Buffer) + range));
        }
        Comment(forward, loop.Source);
        _nesting++;
        _loopDepth++;
        var body = new List<Code>();
        var bodyReverse = Block(loop.Body, body);
        // The step's own reverse (undoing i++) is the reverse loop's decrement.
        Block(loop.Step, body);
        _loopDepth--;
        _nesting--;
        forward.Add(CodeLoop.While(_text.Of(loop.Condition!), body));

        Comment(reverse, loop.Source);
        string counter = _method.Variables[counted.Counter].Name;
        // A loop with nothing to reverse (a copy into a buffer saved in one piece) has no reverse loop: nothing after it
        // in the reverse sweep reads the counter it would leave.
        if (bodyReverse.Any(c => c is not CodeComment))
        {
            int? trips = counted.Init is IrConstant low && counted.Bound is IrConstant high ? (int)System.Math.Max(0, high.Integer - low.Integer) : null;
            var reverseLoop = CodeLoop.Counted(counter, _text.Of(counted.Init), _text.Of(counted.Bound), bodyReverse, trips);
            if (_plan.ZeroSkipAccumulator(loop) is int accumulator)
            {
                // Every term of this reduction's reverse is a multiple of the accumulator's adjoint (see RecordingPlan.FindZeroSkips).
                string adjoint = Adjoint(accumulator);
                reverse.Add(new CodeComment("skipped when " + adjoint + " is zero: it would add 0 times each partial"));
                reverse.Add(new CodeIf(N(adjoint) + " != 0", new List<Code> { reverseLoop }));
            }
            else
            {
                reverse.Add(reverseLoop);
            }
        }
        for (int k = slices.Count - 1; k >= 0; k--)
        {
            var buffer = _method.Variables[slices[k].Buffer];
            reverse.Add(new CodeStatement(Tape() + ".PopSlice<" + buffer.Type.ScalarKeyword + ">(" + _text.Name(slices[k].Buffer) + range));
            Rewinds(slices[k].Buffer);
        }
    }
}
