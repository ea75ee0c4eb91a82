using System;
using System.Collections.Generic;
using System.Linq;
using Backprop.Generator.Emit;

namespace Backprop.Generator.Differentiation;

/// <summary>What the <see cref="Vectorizer"/> knows of a name of the generated method.</summary>
/// <param name="Type">The type keyword of a scalar, or the element type keyword of a buffer.</param>
/// <param name="IsBuffer">Whether the name is an array or span.</param>
/// <param name="IsArray">Whether the buffer is an array (read with <c>new Vector&lt;T&gt;(array, k)</c>; never stored into).</param>
/// <param name="Fresh">
/// Whether the buffer is memory the generated method allocated itself (a local's gradient buffer), which therefore
/// overlaps no other buffer; a caller's spans and arrays may overlap one another, so loops over them check at run time.
/// </param>
internal sealed record VectorSymbol(string Type, bool IsBuffer, bool IsArray = false, bool Fresh = false);

/// <summary>
/// Runs the reverse of a counted loop over <c>Vector&lt;T&gt;</c> lanes when its iterations are independent: the reverse
/// of a dot product (<c>dW[o + i] += dy * x[o + i]</c>), of an axpy, of an element-wise map. The loop becomes
/// <code>
/// for (i = bound - Vector&lt;T&gt;.Count; i &gt;= init; i -= Vector&lt;T&gt;.Count) { lanes i .. i + Count - 1 }
/// for (i = i + Vector&lt;T&gt;.Count - 1; i &gt;= init; i--) { the scalar body, for what is left }
/// </code>
/// A loop qualifies when, proven from the fragments' trees (<see cref="FragmentTree"/>), never from text, its body is
/// nothing but
/// <list type="bullet">
/// <item>stores and accumulations into an element <c>b[x + i]</c> (<c>i</c> the counter at unit stride, <c>x</c> loop-invariant) of a span of <c>T</c>;</item>
/// <item>declarations of <c>T</c> locals (which become vectors);</item>
/// <item>accumulations <c>s += e</c> into a <c>T</c> scalar read nowhere else in the loop (a reduction: a vector of partial sums, added into <c>s</c> after the vector loop);</item>
/// </list>
/// whose values use <c>+ - * /</c> and negation of such elements, of those locals and of loop-invariant subexpressions
/// (names the loop does not write, constants, elements at invariant indices of buffers it does not write), which are
/// evaluated as scalars, as written, and broadcast. A buffer the loop writes is read and written only at the one index
/// it writes, so no iteration reads what another writes. Anything else (a pop from the tape, a call, a branch, a nested
/// loop, a scalar assignment, an integer or mixed-precision value, the counter as a value) leaves the loop as it is.
/// <para>
/// Element-wise statements compute exactly what the scalar loop computes (the same IEEE operations per element, no
/// fused multiply-add). A reduction adds in another order (lane-wise partial sums, then <see cref="System.Numerics.Vector.Sum{T}"/>,
/// then the tail): the result differs from the scalar loop's by rounding only, and is the same on every run on a machine
/// (the lane count is fixed per process).
/// </para>
/// <para>
/// Distinct buffers of the caller (parameters and their gradients) may overlap in memory, which would carry a value from one
/// iteration to another; such loops compute <c>disjoint</c> first (<c>MemoryExtensions.Overlaps</c>) and run all scalar
/// when it is false. Loads and stores go through <c>Slice</c>, so an index out of range throws as the scalar loop would
/// (an <see cref="ArgumentOutOfRangeException"/> instead of an <see cref="IndexOutOfRangeException"/>).
/// </para>
/// </summary>
internal static class Vectorizer
{
    /// <param name="symbols">The type of each name of the method, or null for one it does not know (never vectorized).</param>
    /// <param name="reserve">Reserves a fresh local name derived from the one given.</param>
    /// <summary>Fewer iterations than this, known from constant bounds, stay scalar.</summary>
    public const int MinimumTrips = 8;

    public static List<Code> Apply(List<Code> code, Func<string, VectorSymbol?> symbols, Func<string, string> reserve)
    {
        var tests = new HashSet<string>();
        var vectorized = Vectorize(code, symbols, reserve, tests);
        return tests.Count == 0 ? vectorized : Hoist(vectorized, tests);
    }

    /// <param name="tests">Receives the names of the overlap tests (<c>disjoint</c>) the vector forms declare.</param>
    private static List<Code> Vectorize(List<Code> code, Func<string, VectorSymbol?> symbols, Func<string, string> reserve, HashSet<string> tests)
    {
        var output = new List<Code>(code.Count);
        foreach (var item in code)
        {
            switch (item)
            {
                case CodeIf branch:
                    output.Add(branch.With(Vectorize(branch.Then, symbols, reserve, tests), branch.Else is null ? null : Vectorize(branch.Else, symbols, reserve, tests)));
                    break;
                case CodeLoop loop:
                    var inner = loop.With(Vectorize(loop.Body, symbols, reserve, tests));
                    if (Plan.Of(inner, symbols) is { } plan) output.AddRange(plan.Emit(reserve, tests));
                    else output.Add(inner);
                    break;
                default:
                    output.Add(item);
                    break;
            }
        }
        return output;
    }

    /// <summary>
    /// Loop-invariant code motion of the overlap tests: a test reads whole spans (and a trip count), which the loops around
    /// it seldom change, so it moves, with its comment, before the outermost enclosing loop that writes none of the names it
    /// reads: a dense layer's reverse tests its buffers once per call, not once per output row. A test is pure (it reads
    /// lengths and addresses, never throws), so running it once even where its loop would not run changes nothing.
    /// </summary>
    private static List<Code> Hoist(List<Code> code, HashSet<string> tests)
    {
        var output = new List<Code>(code.Count);
        foreach (var item in code)
        {
            switch (item)
            {
                case CodeIf branch:
                    output.Add(branch.With(Hoist(branch.Then, tests), branch.Else is null ? null : Hoist(branch.Else, tests)));
                    break;
                case CodeLoop loop:
                    var lifted = new List<Code>();
                    var body = Lift(loop.Body, loop, tests, lifted);
                    output.AddRange(lifted);
                    output.Add(loop.With(Hoist(body, tests)));
                    break;
                default:
                    output.Add(item);
                    break;
            }
        }
        return output;
    }

    /// <summary><paramref name="code"/> (in <paramref name="loop"/>, at any depth) without the tests that nothing in the loop changes, which go to <paramref name="lifted"/>.</summary>
    private static List<Code> Lift(List<Code> code, CodeLoop loop, HashSet<string> tests, List<Code> lifted)
    {
        var output = new List<Code>(code.Count);
        foreach (var item in code)
        {
            switch (item)
            {
                case CodeAssign { Kind: AssignKind.Declare, TargetName: { } name } test when tests.Contains(name) && !test.Value.Names.Any(loop.Writes):
                    if (output.Count > 0 && output[output.Count - 1] is CodeComment comment)
                    {
                        output.RemoveAt(output.Count - 1);
                        lifted.Add(comment);
                    }
                    lifted.Add(test);
                    break;
                case CodeIf branch:
                    output.Add(branch.With(Lift(branch.Then, loop, tests, lifted), branch.Else is null ? null : Lift(branch.Else, loop, tests, lifted)));
                    break;
                case CodeLoop inner:
                    output.Add(inner.With(Lift(inner.Body, loop, tests, lifted)));
                    break;
                default:
                    output.Add(item);
                    break;
            }
        }
        return output;
    }

    private enum Lanes
    {
        /// <summary>The same value in every iteration: evaluated as a scalar, as written, and broadcast.</summary>
        Invariant,
        /// <summary>One value per iteration, computed lane-wise.</summary>
        Varying,
        /// <summary>Not vectorizable.</summary>
        Invalid,
    }

    /// <summary>A loop proven vectorizable, and what its vector form needs.</summary>
    private sealed class Plan
    {
        private readonly CodeLoop _loop;
        private readonly Func<string, VectorSymbol?> _symbols;
        private readonly string _counter;
        private readonly string _type;
        private readonly HashSet<string> _locals = new();
        private readonly List<string> _reductions = new();
        private readonly Dictionary<string, Fragment> _written = new();
        private readonly List<string> _buffers = new();
        private List<Fragment>? _guards;

        private Plan(CodeLoop loop, Func<string, VectorSymbol?> symbols, string counter, string type)
        {
            _loop = loop;
            _symbols = symbols;
            _counter = counter;
            _type = type;
        }

        private string Vector => "global::System.Numerics.Vector<" + _type + ">";

        private string Count => Vector + ".Count";

        public static Plan? Of(CodeLoop loop, Func<string, VectorSymbol?> symbols)
        {
            if (loop is not { Counter: { } counter, Init: { } init, Bound: { } bound, Step: null, DeclaresCounter: false }) return null;
            // A loop known to run fewer times than two passes of four lanes (a 3x3 kernel's rows) gains nothing from lanes.
            if (loop.Trips < MinimumTrips) return null;
            var statements = loop.Body.Where(c => c is not CodeComment).ToList();
            if (statements.Count == 0 || statements.Any(c => c is not CodeAssign)) return null;
            // The element type: that of the first buffer an element of which the body writes.
            string? type = null;
            foreach (CodeAssign assign in statements)
            {
                if (assign.Target.Tree is { Kind: TreeKind.Element, Name: { } buffer } && symbols(buffer) is { IsBuffer: true } symbol)
                {
                    type = symbol.Type;
                    break;
                }
                if (assign.TargetName is { } scalar && symbols(scalar) is { IsBuffer: false } s) type ??= s.Type;
            }
            if (type is not ("double" or "float")) return null;
            var plan = new Plan(loop, symbols, counter, type);
            return plan.Check(statements, init, bound) ? plan : null;
        }

        private bool Check(List<Code> statements, Fragment init, Fragment bound)
        {
            // What the body writes: declared locals, reductions, elements (one index per buffer).
            foreach (CodeAssign assign in statements)
            {
                switch (assign.Kind)
                {
                    case AssignKind.Declare when assign.TargetName is { } local && assign.Type == _type:
                        if (!_locals.Add(local)) return false;
                        break;
                    case AssignKind.Accumulate when assign.TargetName is { } scalar:
                        if (scalar == _counter || _locals.Contains(scalar) || _symbols(scalar) is not { IsBuffer: false } s || s.Type != _type) return false;
                        if (!_reductions.Contains(scalar)) _reductions.Add(scalar);
                        break;
                    case AssignKind.Accumulate or AssignKind.Assign when assign.Target.Tree is { Kind: TreeKind.Element, Name: { } buffer } element:
                        if (_symbols(buffer) is not { IsBuffer: true, IsArray: false } b || b.Type != _type || !IsUnitStride(element.Operands[0])) return false;
                        if (_written.TryGetValue(buffer, out var index) ? !SameTree(index, element.Operands[0]) : !Add(_written, buffer, element.Operands[0])) return false;
                        break;
                    default:
                        return false;
                }
            }
            if (_locals.Overlaps(_reductions)) return false;
            // The bounds are read where the loop stands and at each test: nothing the body writes may change them.
            foreach (var bounds in new[] { init, bound })
                if (bounds.Mentions(_counter) || _locals.Concat(_reductions).Any(bounds.Mentions) || _written.Keys.Any(bounds.NeedsContents)) return false;
            // A reduction's accumulator is read nowhere in the loop: not in a value, an index or another target.
            foreach (var reduction in _reductions)
                foreach (CodeAssign assign in statements)
                    if (assign.Value.Mentions(reduction) || (assign.TargetName != reduction && assign.Target.Mentions(reduction))) return false;
            // Every value, and every element target's index, in lanes.
            var declared = new HashSet<string>();
            foreach (CodeAssign assign in statements)
            {
                bool reset = assign.Kind == AssignKind.Assign && assign.IsZero;
                if (!reset && (Classify(assign.Value, declared) == Lanes.Invalid || !Fits(assign.Value, declared))) return false;
                if (assign.Kind == AssignKind.Declare) declared.Add(assign.TargetName!);
            }
            // The targets' indices again, now that everything the loop writes is known.
            foreach (CodeAssign assign in statements)
                if (assign.Target.Tree is { Kind: TreeKind.Element } element && !IsUnitStride(element.Operands[0])) return false;
            foreach (var buffer in _written.Keys) Mention(buffer);
            _guards = Guards();
            return _guards is not null;
        }

        private static bool Add(Dictionary<string, Fragment> written, string buffer, Fragment index)
        {
            written.Add(buffer, index);
            return true;
        }

        private void Mention(string buffer)
        {
            if (!_buffers.Contains(buffer)) _buffers.Add(buffer);
        }

        /// <summary>Whether the index is <c>i</c>, <c>x + i</c>, <c>i + x</c> or <c>i - x</c>, the counter <c>i</c> at unit stride and <c>x</c> loop-invariant.</summary>
        private bool IsUnitStride(Fragment index)
        {
            if (index.Tree is not { } tree) return false;
            if (tree.Kind == TreeKind.Name) return tree.Name == _counter;
            if (tree.Kind is not (TreeKind.Add or TreeKind.Subtract)) return false;
            var (left, right) = (tree.Operands[0], tree.Operands[1]);
            if (left.Tree is { Kind: TreeKind.Name } l && l.Name == _counter) return IsInvariantIndex(right);
            return tree.Kind == TreeKind.Add && right.Tree is { Kind: TreeKind.Name } r && r.Name == _counter && IsInvariantIndex(left);
        }

        /// <summary>An integer expression the loop does not change.</summary>
        private bool IsInvariantIndex(Fragment index) => Classify(index, new HashSet<string>()) == Lanes.Invariant && Rank(TypeOf(index)) == 1;

        /// <summary>Whether a value is invariant, varying at unit stride, or beyond this pass; registers the buffers it reads.</summary>
        private Lanes Classify(Fragment value, HashSet<string> declared)
        {
            if (value.Tree is not { } tree) return Lanes.Invalid;
            switch (tree.Kind)
            {
                case TreeKind.Constant:
                    return Rank(tree.Type) > 0 ? Lanes.Invariant : Lanes.Invalid;
                case TreeKind.Name:
                    if (tree.Name == _counter || _reductions.Contains(tree.Name!)) return Lanes.Invalid;
                    if (_locals.Contains(tree.Name!)) return declared.Contains(tree.Name!) ? Lanes.Varying : Lanes.Invalid;
                    return _symbols(tree.Name!) is { IsBuffer: false } s && Rank(s.Type) > 0 ? Lanes.Invariant : Lanes.Invalid;
                case TreeKind.Element:
                    string buffer = tree.Name!;
                    if (_symbols(buffer) is not { IsBuffer: true } b || Rank(b.Type) == 0) return Lanes.Invalid;
                    var index = tree.Operands[0];
                    Mention(buffer);
                    if (_written.TryGetValue(buffer, out var written)) return SameTree(written, index) ? Lanes.Varying : Lanes.Invalid;
                    if (IsInvariantIndex(index)) return Lanes.Invariant;
                    return IsUnitStride(index) && b.Type == _type ? Lanes.Varying : Lanes.Invalid;
                case TreeKind.Negate:
                    return Classify(tree.Operands[0], declared);
                default:
                    var left = Classify(tree.Operands[0], declared);
                    var right = Classify(tree.Operands[1], declared);
                    if (left == Lanes.Invalid || right == Lanes.Invalid) return Lanes.Invalid;
                    return left == Lanes.Varying || right == Lanes.Varying ? Lanes.Varying : Lanes.Invariant;
            }
        }

        /// <summary>
        /// Whether every invariant part of a value converts to <c>T</c> as C# would convert it in the scalar expression: its
        /// type is an integer or <c>T</c> (a <c>double</c> part of a <c>float</c> loop would make the scalar loop compute in <c>double</c>).
        /// </summary>
        private bool Fits(Fragment value, HashSet<string> declared)
        {
            var lanes = Classify(value, declared);
            if (lanes == Lanes.Invariant) return Rank(TypeOf(value)) is > 0 and var rank && rank <= Rank(_type);
            var tree = value.Tree!;
            return tree.Kind switch
            {
                TreeKind.Name or TreeKind.Element => true,
                TreeKind.Negate => Fits(tree.Operands[0], declared),
                _ => Fits(tree.Operands[0], declared) && Fits(tree.Operands[1], declared),
            };
        }

        /// <summary>The C# type of an invariant expression (binary numeric promotion), or null.</summary>
        private string? TypeOf(Fragment value)
        {
            var tree = value.Tree!;
            switch (tree.Kind)
            {
                case TreeKind.Constant:
                    return tree.Type;
                case TreeKind.Name:
                case TreeKind.Element:
                    return _symbols(tree.Name!)?.Type;
                case TreeKind.Negate:
                    return TypeOf(tree.Operands[0]);
                default:
                    var (left, right) = (TypeOf(tree.Operands[0]), TypeOf(tree.Operands[1]));
                    if (Rank(left) == 0 || Rank(right) == 0) return null;
                    return Rank(left) >= Rank(right) ? left : right;
            }
        }

        /// <summary>1 for integers, 2 for <c>float</c>, 3 for <c>double</c>, 0 for anything else.</summary>
        private static int Rank(string? type) => type switch
        {
            "int" or "long" => 1,
            "float" => 2,
            "double" => 3,
            _ => 0,
        };

        /// <summary>Whether two trees compute the same thing from the same names (their shapes, names, constants).</summary>
        private static bool SameTree(Fragment a, Fragment b)
        {
            if (a.Tree is not { } x || b.Tree is not { } y) return false;
            if (x.Kind != y.Kind || x.Name != y.Name || x.Operands.Count != y.Operands.Count) return false;
            if (x.Kind == TreeKind.Constant && (x.Type != y.Type || System.BitConverter.DoubleToInt64Bits(x.Value) != System.BitConverter.DoubleToInt64Bits(y.Value))) return false;
            for (int k = 0; k < x.Operands.Count; k++)
                if (!SameTree(x.Operands[k], y.Operands[k])) return false;
            return true;
        }

        // ------------------------------------------------------------ the vector form

        public List<Code> Emit(Func<string, string> reserve, HashSet<string> tests)
        {
            var code = new List<Code>();
            string counter = _counter;
            var init = ExpressionText.Atom(_loop.Init!);
            var bound = ExpressionText.Atom(_loop.Bound!);
            code.Add(new CodeComment($"vectorized: Vector<{_type}>.Count iterations per pass from the top (they are independent); the scalar loop below does the rest"));
            var guards = _guards!;
            Fragment condition = Fragment.Of(counter) + " >= " + init;
            if (guards.Count > 0)
            {
                string disjoint = reserve("disjoint");
                tests.Add(disjoint);
                // A loop shorter than one vector (a 3x3 kernel's rows) skips the tests: they would cost more than its iterations.
                code.Add(new CodeComment("if the caller's buffers overlap, an iteration could read what another wrote: then all of it runs scalar"));
                var trip = init.IsConstant(0) ? bound : bound + " - " + init;
                code.Add(CodeAssign.Declare("bool", disjoint, trip + " >= " + Vector + ".Count && !(" + Fragment.Join(" || ", guards) + ")"));
                condition = Fragment.Of(disjoint) + " && " + condition;
            }
            var lanes = new Dictionary<string, string>();
            foreach (var reduction in _reductions)
            {
                lanes[reduction] = reserve(reduction + "Lanes");
                code.Add(CodeAssign.Declare(Vector, lanes[reduction], Fragment.Literal(Vector + ".Zero")));
            }
            var body = new List<Code>();
            var declared = new HashSet<string>();
            foreach (var item in _loop.Body)
            {
                if (item is not CodeAssign assign)
                {
                    body.Add(item);
                    continue;
                }
                switch (assign.Kind)
                {
                    case AssignKind.Declare:
                        body.Add(CodeAssign.Declare(Vector, assign.TargetName!, Lane(assign.Value, declared).Text));
                        declared.Add(assign.TargetName!);
                        break;
                    case AssignKind.Accumulate when assign.TargetName is { } reduction:
                        body.Add(CodeAssign.Add(Fragment.Of(lanes[reduction]), Lane(assign.Value, declared).Text));
                        break;
                    default:
                        var element = assign.Target.Tree!;
                        var slice = Slice(element.Name!, element.Operands[0]);
                        // d[k] += e as (d[k] + e), in the scalar statement's order of operands.
                        var value = assign.Kind == AssignKind.Assign && assign.IsZero ? Fragment.Literal(Vector + ".Zero")
                            : assign.Kind == AssignKind.Assign ? Operand(assign.Value, declared)
                            : Fragment.Parenthesized(Load(element.Name!, element.Operands[0]) + " + " + Operand(assign.Value, declared));
                        body.Add(CodeAssign.Store(slice, value));
                        break;
                }
            }
            code.Add(CodeLoop.Strided(counter, bound + " - " + Count, condition, Fragment.Literal(Count), body));
            foreach (var reduction in _reductions)
                code.Add(CodeAssign.Add(Fragment.Of(reduction), "global::System.Numerics.Vector.Sum(" + Fragment.Of(lanes[reduction]) + ")"));
            code.Add(CodeLoop.Down(counter, Fragment.Of(counter) + " + " + Count + " - 1", Fragment.Of(counter) + " >= " + init, _loop.Body, declares: false));
            return code;
        }

        /// <summary>The value in lanes (vectors of elements and locals, invariant parts broadcast), and whether it is one vector (a load, a broadcast, a local) rather than an operation.</summary>
        private (Fragment Text, bool Single) Lane(Fragment value, HashSet<string> declared)
        {
            if (Classify(value, declared) == Lanes.Invariant) return ("new " + Vector + "(" + value.Unwrapped + ")", true);
            var tree = value.Tree!;
            switch (tree.Kind)
            {
                case TreeKind.Name:
                    return (Fragment.Of(tree.Name!), true);
                case TreeKind.Element:
                    return (Load(tree.Name!, tree.Operands[0]), true);
                case TreeKind.Negate:
                    return ("-" + Operand(tree.Operands[0], declared), false);
                default:
                    string op = tree.Kind switch { TreeKind.Add => " + ", TreeKind.Subtract => " - ", TreeKind.Multiply => " * ", _ => " / " };
                    return (Operand(tree.Operands[0], declared) + op + Operand(tree.Operands[1], declared), false);
            }
        }

        /// <summary>A value in lanes as an operand: parenthesized unless it is one vector.</summary>
        private Fragment Operand(Fragment value, HashSet<string> declared)
        {
            var (text, single) = Lane(value, declared);
            return single ? text : Fragment.Parenthesized(text);
        }

        /// <summary>The lanes of <c>buffer[index]</c> from the current counter on.</summary>
        private Fragment Load(string buffer, Fragment index) => _symbols(buffer)!.IsArray
            ? "new " + Vector + "(" + Fragment.Of(buffer) + ", " + index + ")"
            : "new " + Vector + "(" + Slice(buffer, index) + ")";

        private static Fragment Slice(string buffer, Fragment index) => Fragment.Of(buffer) + ".Slice(" + index + ")";

        /// <summary>
        /// An overlap test for each pair of buffers the loop touches, one of them written, neither allocated by the method;
        /// null when a pair cannot be tested (another element type: such a buffer is read only at invariant indices, but a
        /// write through an overlapping one could still change it between iterations).
        /// </summary>
        private List<Fragment>? Guards()
        {
            var guards = new List<Fragment>();
            string span = "(global::System.ReadOnlySpan<" + _type + ">)";
            var shared = _buffers.Where(b => !_symbols(b)!.Fresh).ToList();
            for (int a = 0; a < shared.Count; a++)
                for (int b = a + 1; b < shared.Count; b++)
                {
                    if (!_written.ContainsKey(shared[a]) && !_written.ContainsKey(shared[b])) continue;
                    if (_symbols(shared[a])!.Type != _type || _symbols(shared[b])!.Type != _type) return null;
                    guards.Add("global::System.MemoryExtensions.Overlaps(" + span + Fragment.Of(shared[a]) + ", " + span + Fragment.Of(shared[b]) + ")");
                }
            return guards;
        }
    }
}
