using System.Collections.Generic;
using System.Linq;
using Backprop.Generator.Differentiation;
using Backprop.Generator.Helpers;
using Backprop.Generator.Ir;

namespace Backprop.Generator.Analysis;

/// <summary>
/// The recording plan: every what-to-record decision of reverse mode, computed once from the IR and activity, before
/// differentiation. Which values the reverse sweep reads and where (<see cref="ReverseReads"/>), which overwrites it must
/// undo and how (nothing, a local, a tape entry, a slice saved per pass, or an integer step undone), which loops are
/// counted (reversed without a trip count), which stores a slice save already covers, which writes another write
/// dominates, which buffers need gradient buffers of their own. The reverse builder only asks.
/// </summary>
internal sealed class RecordingPlan
{
    private readonly IrMethod _method;
    private readonly ActivityAnalysis _activity;
    private readonly ReverseReads _reverseRead;

    private RecordingPlan(IrMethod method, ActivityAnalysis activity)
    {
        _method = method;
        _activity = activity;
        _reverseRead = new ReverseReads(method.Body);
    }

    /// <summary>The plan of <paramref name="method"/> under <paramref name="activity"/>.</summary>
    public static RecordingPlan Compute(IrMethod method, ActivityAnalysis activity)
    {
        var plan = new RecordingPlan(method, activity);
        plan.FindCountedLoops();
        // What the reverse sweep reads grows with what it must restore (a store's index): iterate to a fixed point.
        for (int before = -1; before != plan._reverseRead.Count;)
        {
            before = plan._reverseRead.Count;
            foreach (var statement in method.Body) plan.CollectReverseReads(statement);
        }
        plan.FindDominatedWrites();
        plan.FindSliceSaves();
        plan.FindScratchBuffers();
        plan.FindZeroSkips();
        return plan;
    }

    /// <summary>What the reverse sweep reads, and where.</summary>
    public ReverseReads Reads => _reverseRead;

    /// <summary>A counted loop: its counter and the bounds of <c>[init, bound)</c>.</summary>
    internal sealed record CountedLoop(int Counter, IrExpression Init, IrExpression Bound);

    private readonly Dictionary<IrStatement, CountedLoop> _counted = new(ReferenceComparer<IrStatement>.Instance);

    /// <summary>The counted loops, reversed as <c>for (i = bound - 1; i &gt;= init; i--)</c> without a trip count.</summary>
    public IReadOnlyDictionary<IrStatement, CountedLoop> CountedLoops => _counted;

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
                            && loop.Step[0] is IrAssign { Value: IrBinary { Operator: BinaryOperator.Add, Left: IrRead stepped, Right: IrConstant { Value: 1 } } } step
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

    /// <summary>The stores whose old elements the counted loop saves in one piece before it runs.</summary>
    public IReadOnlyList<IrStore> SliceSavesOf(IrLoop loop) => _sliceSaves[loop];

    /// <summary>Whether a slice save made before this store covers it (see <see cref="FindSliceSaves"/>).</summary>
    public bool IsCoveredBySlice(IrStore store) => _coveredBySlice.Contains(store);

    /// <summary>Stores after a loop that saves their whole buffer once per pass, which need no save of their own (see <see cref="FindSliceSaves"/>).</summary>
    private readonly HashSet<IrStatement> _coveredBySlice = new(ReferenceComparer<IrStatement>.Instance);

    /// <summary>Whether the reverse sweep must undo this store's overwrite itself (no slice save covers it).</summary>
    public bool StoreNeedsRestore(IrStore store) =>
        _reverseRead.MustRestore(store.Buffer, store, ConstantIndex(store.Index)) && !_sliceSaved.Contains(store) && !_coveredBySlice.Contains(store);

    /// <summary>The index when it is a constant (<c>y[1]</c>): reads of other constant elements cannot observe the store.</summary>
    private static long? ConstantIndex(IrExpression index) => index is IrConstant constant ? constant.Integer : null;

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
        if (counted.Init is not IrConstant { Value: 0 }) return false;
        if (counted.Bound is IrLength { Row: null } length && length.Buffer == buffer && Frozen(buffer)) return true;
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

    /// <summary>The reductions whose reverse the reverse sweep skips when their accumulator's adjoint is zero, and that accumulator.</summary>
    private readonly Dictionary<IrLoop, int> _zeroSkips = new(ReferenceComparer<IrLoop>.Instance);

    /// <summary>
    /// The accumulator <c>s</c> when the reverse of this loop runs only if <c>s</c>'s adjoint is not zero (see
    /// <see cref="FindZeroSkips"/>); null when it always runs.
    /// </summary>
    public int? ZeroSkipAccumulator(IrLoop loop) => _zeroSkips.TryGetValue(loop, out int accumulator) ? accumulator : null;

    /// <summary>
    /// Reductions nested in another loop, <c>for (…) s += e;</c> (loops of them too), whose reverse does nothing but add
    /// multiples of <c>s</c>'s adjoint: that adjoint passes through each increment unchanged, and nothing of the loop is
    /// kept, restored or called, so its reverse pops nothing and leaves nothing behind. When the adjoint is zero every term
    /// is 0 × a partial, and the reverse sweep skips the loop: a convolution's reverse, the inner loop of each output, runs
    /// for three outputs in four for nothing behind a 2x2 max-pooling (and for more behind a ReLU). This treats a zero
    /// adjoint as a strong zero (like ChainRules' <c>ZeroTangent</c>, and a hand-written backward that skips it): a partial
    /// that is infinite or NaN adds nothing instead of NaN.
    /// </summary>
    private void FindZeroSkips()
    {
        void Visit(IReadOnlyList<IrStatement> block, int depth)
        {
            foreach (var statement in block)
            {
                switch (statement)
                {
                    case IrLoop loop:
                        int accumulator = -1;
                        if (depth > 0 && IsSkippableReduction(loop, ref accumulator))
                        {
                            _zeroSkips[loop] = accumulator;
                            break;
                        }
                        Visit(loop.Body, depth + 1);
                        Visit(loop.Step, depth + 1);
                        break;
                    case IrIf branch:
                        Visit(branch.Then, depth);
                        Visit(branch.Else, depth);
                        break;
                }
            }
        }
        Visit(_method.Body, 0);
    }

    /// <summary>Whether the counted loop only adds into one active scalar, <paramref name="accumulator"/>, keeping nothing.</summary>
    private bool IsSkippableReduction(IrLoop loop, ref int accumulator)
    {
        if (!_counted.ContainsKey(loop) || _sliceSaves.TryGetValue(loop, out var saves) && saves.Count > 0) return false;
        foreach (var statement in loop.Body.Concat(loop.Step))
        {
            switch (statement)
            {
                case IrAssign { Value: IrBinary { Operator: BinaryOperator.Add or BinaryOperator.Subtract, Left: IrRead self, Right: var term } } increment
                    when self.Variable == increment.Variable && _activity.IsActive(increment.Variable) && _method.Variables[increment.Variable].Type.IsRealScalar:
                    if (accumulator >= 0 && accumulator != increment.Variable || NeedsRestore(increment)) return false;
                    accumulator = increment.Variable;
                    bool plain = true;
                    IrWalker.VisitExpression(term, e => plain &= !(e is IrDifferentiableCall or IrConditional || e is IrRead read && read.Variable == increment.Variable));
                    if (!plain || Plan(increment.Value).Needed.Any(node => !IsLeaf(node) && !IsRecomputable(node))) return false;
                    break;
                // Bookkeeping the reverse sweep never undoes (an inner loop's counter) has no reverse to skip.
                case IrAssign other when !_activity.IsActive(other.Variable) && !NeedsRestore(other):
                    break;
                case IrLoop inner when IsSkippableReduction(inner, ref accumulator):
                    break;
                default:
                    return false;
            }
        }
        return accumulator >= 0;
    }

    /// <summary>The nodes of one expression whose values the reverse sweep reads.</summary>
    internal sealed class ExpressionPlan
    {
        public HashSet<IrExpression> Needed { get; } = new(ReferenceComparer<IrExpression>.Instance);

        /// <summary>Calls with buffer arguments that run split (forward now, reverse after the statement's propagation).</summary>
        public HashSet<IrExpression> Split { get; } = new(ReferenceComparer<IrExpression>.Instance);
    }

    public ExpressionPlan Plan(IrExpression root)
    {
        var plan = new ExpressionPlan();
        // Inside a conditional's arms a call may not run: it stays joint (its pullback runs it in the reverse sweep).
        int arms = 0;
        void Visit(IrExpression node)
        {
            if (!_activity.IsActive(node)) return;
            if (RuleOf(node) is { } applied)
            {
                var active = applied.Arguments.Select(_activity.IsActive).ToArray();
                var (arguments, result) = applied.Rule.Needs(active);
                for (int i = 0; i < arguments.Length; i++)
                    if (arguments[i]) plan.Needed.Add(applied.Arguments[i]);
                if (result) plan.Needed.Add(node);
            }
            else if (node is IrConditional conditional)
            {
                plan.Needed.Add(conditional.Condition);
            }
            else if (node is IrDifferentiableCall call && !IsEager(call))
            {
                foreach (var argument in call.Arguments)
                    if (!argument.Type.IsBuffer) plan.Needed.Add(argument);
                // A custom rule runs joint: the reverse sweep calls it with the kept result and the buffers as they were.
                if (call.Callee.CustomRule) plan.Needed.Add(call);
                else if (arms == 0) plan.Split.Add(call);
            }
            if (node is IrConditional) arms++;
            foreach (var child in ActivityAnalysis.DifferentiableChildren(node)) Visit(child);
            if (node is IrConditional) arms--;
        }
        Visit(root);
        return plan;
    }

    /// <summary>The derivative rule applied at <paramref name="node"/> and its operands; null for a node without one.</summary>
    internal static (DerivativeRule Rule, IReadOnlyList<IrExpression> Arguments)? RuleOf(IrExpression node) => node switch
    {
        IrBinary b when b.Type.IsReal && OperatorRule(b.Operator) is { } name => (DerivativeRules.Get(name, 2), new[] { b.Left, b.Right }),
        IrUnary { Operator: UnaryOperator.Negate } u when u.Type.IsReal => (DerivativeRules.Get(DerivativeRules.Negate, 1), new[] { u.Operand }),
        IrMathCall m when m.Type.IsReal => (DerivativeRules.Get(m.Function, m.Arguments.Count), m.Arguments.ToArray()),
        _ => null,
    };

    private static string? OperatorRule(BinaryOperator op) => op switch
    {
        BinaryOperator.Add => DerivativeRules.Add,
        BinaryOperator.Subtract => DerivativeRules.Subtract,
        BinaryOperator.Multiply => DerivativeRules.Multiply,
        BinaryOperator.Divide => DerivativeRules.Divide,
        BinaryOperator.Remainder => DerivativeRules.Remainder,
        _ => null,
    };

    public static bool IsLeaf(IrExpression node) => node is IrRead or IrConstant or IrExternal or IrElement or IrLength;

    /// <summary>Inactive and cheap: the reverse sweep recomputes it from restored variables instead of keeping it.</summary>
    public bool IsRecomputable(IrExpression node)
    {
        if (_activity.IsActive(node)) return false;
        bool cheap = true;
        IrWalker.VisitExpression(node, e => cheap &= e is IrRead or IrConstant or IrExternal or IrElement or IrLength or IrConvert or IrUnary or IrBinary);
        return cheap;
    }

    /// <summary>
    /// A call whose arguments are all scalars is differentiated eagerly: the forward sweep calls the pullback with seed 1
    /// and keeps the partial derivatives, so the reverse sweep only multiplies (the callee runs once, not twice). A callee
    /// with side effects runs split instead, on this method's tape (see <see cref="CalleeInfo.HasEffects"/>).
    /// </summary>
    public static bool IsEager(IrDifferentiableCall call) => call.Arguments.All(a => !a.Type.IsBuffer) && call.Callee.ThisGradientPath is null && !call.Callee.HasEffects;

    // ---------------------------------------------------------------- what the reverse sweep reads

    /// <summary>Records what the reverse code of a statement reads, so that overwrites it can observe are undone.</summary>
    private void CollectReverseReads(IrStatement statement)
    {
        switch (statement)
        {
            case IrAssign assign when _activity.IsActive(assign.Variable):
                CollectExpressionReads(statement, assign.Value, assign.Variable);
                break;
            case IrStore store when HasAdjoint(store.Buffer) || _reverseRead.IsRead(store.Buffer):
                AddReads(store.Index, statement);
                if (_activity.IsActive(store.Buffer)) CollectExpressionReads(statement, store.Value, store.Buffer);
                break;
            case IrCallStatement call:
                // The layer's backward runs the layer again on the same inputs: they must hold their forward values.
                // Scalar arguments are differentiated in the reverse sweep from the variables they read.
                foreach (var argument in call.Arguments.Where((_, i) => !call.Callee.OutputParameters[i]))
                    if (argument is IrRead or IrSlice || !argument.Type.IsBuffer) AddReads(argument, statement);
                // An output slice's bounds pick the part of the adjoint its reverse consumes (not the buffer's contents).
                foreach (var slice in call.Arguments.Where((_, i) => call.Callee.OutputParameters[i]).OfType<IrSlice>())
                {
                    AddReads(slice.Start, statement);
                    AddReads(slice.Length, statement);
                }
                // A hand-written rule reads the outputs as the call left them.
                if (call.Callee.CustomRule)
                    foreach (var output in call.Arguments.Where((_, i) => call.Callee.OutputParameters[i]))
                        _reverseRead.Add(IrSlice.BufferOf(output), statement, after: true);
                break;
            case IrIf branch:
                foreach (var s in branch.Then) CollectReverseReads(s);
                foreach (var s in branch.Else) CollectReverseReads(s);
                break;
            case IrLoop loop:
                // The reverse loop 'for (i = bound - 1; i >= init; i--)' reads its bounds where the loop stands.
                if (_counted.TryGetValue(loop, out var bounds))
                {
                    AddReads(bounds.Init, statement);
                    AddReads(bounds.Bound, statement);
                }
                bool counted = _counted.TryGetValue(loop, out var c) && _countersInScope.Add(c.Counter);
                foreach (var s in loop.Body) CollectReverseReads(s);
                foreach (var s in loop.Step) CollectReverseReads(s);
                if (counted) _countersInScope.Remove(c!.Counter);
                break;
        }
    }

    private void CollectExpressionReads(IrStatement statement, IrExpression value, int target)
    {
        var plan = Plan(value);
        foreach (var node in plan.Needed)
        {
            if (ReferenceEquals(node, value))
            {
                // The reverse sweep reads a needed result from the target itself, right after the statement.
                // The result variable is assigned once on every path (see ControlFlowNormalizer): nothing overwrites it.
                if (!IsLeaf(node) && target != _method.Result)
                    _reverseRead.Add(target, statement, after: true, index: statement is IrStore store ? ConstantIndex(store.Index) : null);
                continue;
            }
            if (IsLeaf(node) || IsRecomputable(node)) AddReads(node, statement);
        }
        IrWalker.VisitExpression(value, e =>
        {
            if (e is IrElement element && _activity.IsActive(element)) AddReads(element.Index, statement);
            if (e is IrDifferentiableCall call)
                foreach (var argument in call.Arguments.Where(a => a.Type.IsBuffer)) AddReads(argument, statement);
        });
    }

    private void AddReads(IrExpression expression, IrStatement statement) =>
        IrWalker.VisitExpression(expression, e =>
        {
            if (e is IrRead read)
            {
                if (!_countersInScope.Contains(read.Variable)) _reverseRead.Add(read.Variable, statement);
            }
            else if (e is IrElement element) _reverseRead.Add(element.Buffer, statement, index: ConstantIndex(element.Index));
        });

    public bool NeedsRestore(IrAssign assign) =>
        _reverseRead.MustRestore(assign.Variable, assign) && !(assign.IsDeclaration && _reverseRead.SiteOf(assign).Loops.Length == 0)
        && !_dominatedWrites.Contains(assign);

    /// <summary>Assignments whose old values need no restore although a reverse read shares a loop with them (see <see cref="FindDominatedWrites"/>).</summary>
    private readonly HashSet<IrStatement> _dominatedWrites = new(ReferenceComparer<IrStatement>.Instance);

    /// <summary>
    /// An assignment <c>v = …</c> inside a loop needs no restore when an assignment of <c>v</c> at the top of the same
    /// block precedes that loop and the reverse sweep reads <c>v</c> nowhere from there to the loop's end: the loop's
    /// reverse leaves <c>v</c> as the loop left it, which is what the reads after the loop saw, and the earlier assignment's
    /// own restore gives the reads before it their value. <c>e = 0; for (…) e += Math.Exp(z[c] - m);</c> then saves
    /// <c>e</c> once per pass, not once per term.
    /// </summary>
    private void FindDominatedWrites()
    {
        void Visit(IReadOnlyList<IrStatement> block)
        {
            for (int k = 0; k < block.Count; k++)
            {
                if (block[k] is IrAssign first)
                {
                    int from = _reverseRead.SiteOf(first).Position;
                    for (int m = k + 1; m < block.Count; m++)
                    {
                        if (block[m] is not IrLoop loop) continue;
                        if (_reverseRead.IsReadBetween(first.Variable, from, _reverseRead.LastPosition(loop))) break;
                        IrWalker.VisitStatements(loop, s =>
                        {
                            if (s is IrAssign later && later.Variable == first.Variable) _dominatedWrites.Add(later);
                        });
                    }
                }
                switch (block[k])
                {
                    case IrIf branch:
                        Visit(branch.Then);
                        Visit(branch.Else);
                        break;
                    case IrLoop loop:
                        Visit(loop.Body);
                        Visit(loop.Step);
                        break;
                }
            }
        }
        Visit(_method.Body);
    }

    public bool IsRelevant(IrStatement statement) => statement switch
    {
        IrAssign { Value: IrNewBuffer } => false,
        IrAssign assign => _activity.IsActive(assign.Variable) || NeedsRestore(assign),
        // A store its loop saves in one piece still makes the loop relevant: the loop's reverse restores the slice.
        IrStore store => HasAdjoint(store.Buffer) || _reverseRead.MustRestore(store.Buffer, store, ConstantIndex(store.Index)) && !_coveredBySlice.Contains(store),
        IrCallStatement call => call.Arguments.Where((_, i) => call.Callee.OutputParameters[i])
            .Select(IrSlice.BufferOf).Any(b => HasAdjoint(b) || _reverseRead.MustRestore(b, call)),
        IrIf branch => branch.Then.Concat(branch.Else).Any(IsRelevant),
        IrLoop loop => loop.Body.Concat(loop.Step).Any(IsRelevant),
        _ => false,
    };

    private readonly HashSet<int> _scratch = new();

    /// <summary>Whether the buffer needs a gradient buffer of the method's own (see <see cref="FindScratchBuffers"/>).</summary>
    public bool NeedsGradientBuffer(int buffer) => _scratch.Contains(buffer);

    /// <summary>
    /// Buffers that need a gradient buffer of our own: active local buffers, and buffers passed to an output parameter of
    /// a callee, whose reverse reads and zeroes their adjoints. A buffer without a gradient passed to a differentiated
    /// input gets an empty span instead: the callee skips that gradient.
    /// </summary>
    private void FindScratchBuffers()
    {
        bool HasOwnGradient(int v) => _method.Outputs.Contains(v) || _method.Variables[v].IsDifferentiableInput;
        void Consider(CalleeInfo callee, IReadOnlyList<IrExpression> arguments)
        {
            for (int i = 0; i < arguments.Count; i++)
                if (callee.OutputParameters[i] && arguments[i] is IrRead { Type.IsBuffer: true } or IrSlice && !HasOwnGradient(IrSlice.BufferOf(arguments[i])))
                    _scratch.Add(IrSlice.BufferOf(arguments[i]));
        }
        foreach (var variable in _method.Variables)
            if (variable.Type.IsBuffer && variable.Kind == VariableKind.Local && _activity.IsActive(variable.Id)) _scratch.Add(variable.Id);
        foreach (var statement in _method.Body)
        {
            Walk(statement);
        }
        void Walk(IrStatement statement)
        {
            switch (statement)
            {
                case IrCallStatement call:
                    Consider(call.Callee, call.Arguments);
                    break;
                case IrIf branch:
                    foreach (var s in branch.Then.Concat(branch.Else)) Walk(s);
                    break;
                case IrLoop loop:
                    foreach (var s in loop.Body.Concat(loop.Step)) Walk(s);
                    break;
            }
            IrWalker.VisitStatement(statement, e =>
            {
                if (e is IrDifferentiableCall d) Consider(d.Callee, d.Arguments);
            });
        }
    }

    /// <summary>
    /// Whether writes into the buffer are differentiated: an active buffer, or a layer's output, whose adjoint every write
    /// consumes (zeroes), also when no derivative flows through it (a constant, a value of <c>[NoDerivative]</c> inputs).
    /// </summary>
    public bool HasAdjoint(int buffer) => _activity.IsActive(buffer) || _method.Outputs.Contains(buffer);

    /// <summary>Whether a buffer has a gradient span: a gradient parameter, an output's adjoint, or a gradient buffer of ours.</summary>
    public bool HasGradientBuffer(int buffer) =>
        _scratch.Contains(buffer) || _method.Outputs.Contains(buffer) || _method.Variables[buffer].IsDifferentiableInput;
}
