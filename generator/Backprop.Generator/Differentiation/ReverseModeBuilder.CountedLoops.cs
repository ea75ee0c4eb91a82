using System.Collections.Generic;
using System.Linq;
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
    private sealed record CountedLoop(int Counter, IrExpression Init, IrExpression Bound);

    private readonly Dictionary<IrStatement, CountedLoop> _counted = new(ReferenceComparer<IrStatement>.Instance);

    /// <summary>Counters of the counted loops around the statement being analysed: the reverse loop sets them itself.</summary>
    private readonly HashSet<int> _countersInScope = new();

    private Dictionary<int, int>? _assignmentCounts;

    /// <summary>
    /// Whether nothing can change <paramref name="v"/> after it is first set: a parameter never assigned, or a local
    /// assigned exactly once, by a statement at the top level of the method.
    /// </summary>
    private bool Frozen(int v)
    {
        if (_assignmentCounts is null)
        {
            _assignmentCounts = new Dictionary<int, int>();
            foreach (var statement in _method.Body)
                IrWalker.VisitStatements(statement, s =>
                {
                    if (s is IrAssign a) _assignmentCounts[a.Variable] = _assignmentCounts.TryGetValue(a.Variable, out int n) ? n + 1 : 1;
                });
        }
        int count = _assignmentCounts.TryGetValue(v, out int c) ? c : 0;
        return _method.Variables[v].Kind switch
        {
            VariableKind.Parameter => count == 0,
            // The method cannot assign a field (BPG023): a field's buffer keeps its length while the method runs.
            VariableKind.External or VariableKind.Member => true,
            _ => count == 1 && _method.Body.OfType<IrAssign>().Any(a => a.Variable == v),
        };
    }

    private void FindCountedLoops()
    {
        // An int the loop itself never assigns keeps its value through the loop, and the reverse sweep gives it that value
        // back when it reverses the loop (the loop's reverse reads it: see CollectReverseReads).
        bool Invariant(IrExpression e, IrLoop loop)
        {
            bool invariant = true;
            IrWalker.VisitExpression(e, node => invariant &= node switch
            {
                IrConstant => true,
                IrLength length => Frozen(length.Buffer),
                IrRead read => read.Type.Scalar is ScalarKind.Int32 && (Frozen(read.Variable) || !Assigns(loop.Body.Concat(loop.Step), read.Variable)),
                IrBinary { Operator: BinaryOperator.Add or BinaryOperator.Subtract or BinaryOperator.Multiply } b => b.Type.Scalar is ScalarKind.Int32,
                _ => false,
            });
            return invariant;
        }
        bool Assigns(IEnumerable<IrStatement> statements, int variable)
        {
            bool found = false;
            foreach (var statement in statements)
                IrWalker.VisitStatements(statement, s => found |= s is IrAssign a && a.Variable == variable);
            return found;
        }
        void Visit(IReadOnlyList<IrStatement> block)
        {
            for (int k = 0; k < block.Count; k++)
            {
                switch (block[k])
                {
                    case IrLoop loop:
                        if (k > 0
                            && block[k - 1] is IrAssign init
                            && loop.Condition is IrBinary { Operator: BinaryOperator.Less, Left: IrRead counter } condition
                            && counter.Variable == init.Variable
                            && counter.Type.Scalar is ScalarKind.Int32
                            && loop.Step.Count == 1
                            && loop.Step[0] is IrAssign { Value: IrBinary { Operator: BinaryOperator.Add, Left: IrRead stepped, Right: IrConstant { Text: "1" } } } step
                            && step.Variable == counter.Variable && stepped.Variable == counter.Variable
                            && !Assigns(loop.Body, counter.Variable)
                            && Invariant(init.Value, loop) && Invariant(condition.Right, loop))
                        {
                            _counted[loop] = new CountedLoop(counter.Variable, init.Value, condition.Right);
                        }
                        Visit(loop.Body);
                        Visit(loop.Step);
                        break;
                    case IrIf branch:
                        Visit(branch.Then);
                        Visit(branch.Else);
                        break;
                }
            }
        }
        Visit(_method.Body);
    }

    /// <summary>Stores whose old element a counted loop saves for the whole range at once (see <see cref="SliceSaves"/>).</summary>
    private readonly HashSet<IrStatement> _sliceSaved = new(ReferenceComparer<IrStatement>.Instance);

    /// <summary>The stores each counted loop saves in one piece.</summary>
    private readonly Dictionary<IrLoop, List<IrStore>> _sliceSaves = new(ReferenceComparer<IrLoop>.Instance);

    /// <summary>Stores after a loop that saves their whole buffer once per pass, which need no save of their own (see <see cref="FindSliceSaves"/>).</summary>
    private readonly HashSet<IrStatement> _coveredBySlice = new(ReferenceComparer<IrStatement>.Instance);

    /// <summary>Whether the reverse sweep must undo this store's overwrite itself (no slice save covers it).</summary>
    private bool StoreNeedsRestore(IrStore store) =>
        _reverseRead.MustRestore(store.Buffer, store) && !_sliceSaved.Contains(store) && !_coveredBySlice.Contains(store);

    /// <summary>
    /// The slice saves of every counted loop, and the stores they cover (Tapenade's TBR: a save already made is not made
    /// again). A loop that saves a whole buffer (<c>b[0..b.Length)</c>) before it runs, in a block run once per pass, puts
    /// the buffer back to its state before the pass once its reverse is done. A store into that buffer later in the same
    /// block then needs no save of its own when no reverse read of the buffer lies between that loop and the statement of
    /// the block that holds the store: the reverse reads after it see the values they saw, and the slice's restore undoes
    /// the store for everything before (GMM: <c>transformed[j] += icf[l] * centered[i]</c> after <c>transformed[i] = …</c>).
    /// </summary>
    private void FindSliceSaves()
    {
        void Visit(IReadOnlyList<IrStatement> block)
        {
            for (int k = 0; k < block.Count; k++)
            {
                if (block[k] is IrLoop loop && _counted.TryGetValue(loop, out var counted))
                {
                    var saves = SliceSaves(loop, counted);
                    _sliceSaves[loop] = saves;
                    _sliceSaved.UnionWith(saves);
                    int from = _reverseRead.LastPosition(loop);
                    foreach (int buffer in saves.Select(s => s.Buffer).Distinct().Where(b => SavesWholeBuffer(b, counted)))
                    {
                        for (int m = k + 1; m < block.Count; m++)
                        {
                            var holder = block[m];
                            if (_reverseRead.IsReadBetween(buffer, from, _reverseRead.LastPosition(holder), excludingAfterAt: holder)) break;
                            IrWalker.VisitStatements(holder, s =>
                            {
                                if (s is IrStore store && store.Buffer == buffer) _coveredBySlice.Add(store);
                            });
                        }
                    }
                }
                switch (block[k])
                {
                    case IrIf branch:
                        Visit(branch.Then);
                        Visit(branch.Else);
                        break;
                    case IrLoop inner:
                        Visit(inner.Body);
                        Visit(inner.Step);
                        break;
                }
            }
        }
        Visit(_method.Body);
    }

    /// <summary>Whether the counted loop's range <c>[init, bound)</c> is the whole buffer: from 0 to its length, which nothing changes.</summary>
    private bool SavesWholeBuffer(int buffer, CountedLoop counted)
    {
        if (counted.Init is not IrConstant { Text: "0" }) return false;
        if (counted.Bound is IrLength length && length.Buffer == buffer && Frozen(buffer)) return true;
        // A local buffer allocated once with the bound as its length (stackalloc double[d], for (i = 0; i < d; i++)).
        if (!Frozen(buffer) || _method.Body.OfType<IrAssign>().FirstOrDefault(a => a.Variable == buffer) is not { Value: IrNewBuffer allocation }) return false;
        bool frozen = true;
        IrWalker.VisitExpression(allocation.Length, e => frozen &= e switch
        {
            IrConstant or IrBinary => true,
            IrRead r => Frozen(r.Variable),
            IrLength l => Frozen(l.Buffer),
            _ => false,
        });
        return frozen && allocation.Length.Equals(counted.Bound);
    }

    /// <summary>
    /// The stores <c>b[i] = value</c> at the top level of a counted loop's body (so once per iteration, at the counter)
    /// whose buffer nothing else in the loop touches: the loop overwrites exactly <c>b[init..bound)</c> and nothing in it
    /// reads an old element, so the old elements can go on the tape in one piece before the loop and come back in one
    /// piece after its reverse, instead of one push and pop per element (a loss copying each input row into a buffer).
    /// </summary>
    private List<IrStore> SliceSaves(IrLoop loop, CountedLoop counted)
    {
        var saves = new List<IrStore>();
        foreach (var store in loop.Body.OfType<IrStore>())
        {
            if (store.Index is not IrRead { Variable: var index } || index != counted.Counter || !_reverseRead.MustRestore(store.Buffer, store))
                continue;
            bool touched = false;
            foreach (var statement in loop.Body.Concat(loop.Step))
            {
                IrWalker.VisitStatements(statement, s => touched |= s is IrStore other && other.Buffer == store.Buffer && !ReferenceEquals(other, store));
                IrWalker.VisitStatement(statement, e => touched |= e is IrElement element && element.Buffer == store.Buffer
                    || e is IrRead read && read.Variable == store.Buffer);
            }
            if (!touched) saves.Add(store);
        }
        return saves;
    }

    /// <summary>The forward and reverse code of a counted loop.</summary>
    private void CountedLoopCode(IrLoop loop, CountedLoop counted, List<Code> forward, List<Code> reverse)
    {
        var slices = _sliceSaves[loop];
        var range = ", " + _text.Of(counted.Init) + ", " + _text.Of(counted.Bound) + ")";
        foreach (var store in slices)
        {
            var buffer = _method.Variables[store.Buffer];
            forward.Add(new CodeComment($"old {buffer.Name}[{_text.Of(counted.Init)}..{_text.Of(counted.Bound)}), which the loop below overwrites, saved in one piece"));
            forward.Add(new CodeStatement(Tape() + ".PushSlice<" + buffer.Type.ScalarKeyword + ">(" + N(buffer.Name) + range));
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
            reverse.Add(CodeLoop.Down(counter, ExpressionText.Atom(_text.Of(counted.Bound)) + " - 1", N(counter) + " >= " + ExpressionText.Atom(_text.Of(counted.Init)), bodyReverse, declares: false));
        for (int k = slices.Count - 1; k >= 0; k--)
        {
            var buffer = _method.Variables[slices[k].Buffer];
            reverse.Add(new CodeStatement(Tape() + ".PopSlice<" + buffer.Type.ScalarKeyword + ">(" + N(buffer.Name) + range));
            Rewinds(slices[k].Buffer);
        }
    }
}
