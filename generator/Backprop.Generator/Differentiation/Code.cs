using System.Collections.Generic;
using System.Linq;
using System.Text;

namespace Backprop.Generator.Differentiation;

/// <summary>How a piece of C# uses the value it names.</summary>
internal enum NameUse
{
    /// <summary>Literal C#: operators, constants, type and method names. Passes never look into it.</summary>
    None,
    /// <summary>The value of a variable, or the contents of a buffer.</summary>
    Value,
    /// <summary><c>name.Length</c>: the length of a buffer, not its contents.</summary>
    Length,
    /// <summary><c>ref name</c>: passed by reference, so the callee may write it.</summary>
    Reference,
    /// <summary>Read by user code kept as written (an <see cref="Ir.IrVerbatim"/>'s operands); prints nothing of its own.</summary>
    Hidden,
}

/// <summary>One piece of an expression: literal text, or a name of the generated method and how it is used.</summary>
internal readonly struct Piece
{
    public Piece(string text, string? name, NameUse use)
    {
        Text = text;
        Name = name;
        Use = use;
    }

    /// <summary>What is printed.</summary>
    public string Text { get; }

    /// <summary>The variable, adjoint, kept value or buffer the piece refers to (by its unique name in the method), or null.</summary>
    public string? Name { get; }

    public NameUse Use { get; }
}

/// <summary>
/// An expression of the adjoint program: C# text whose names are typed references. Passes ask which names it reads, writes
/// by reference or only measures, and rename them, from its pieces; none of them searches text.
/// </summary>
internal sealed class Fragment
{
    private static readonly Piece[] NoPieces = new Piece[0];
    private readonly Piece[] _pieces;

    private readonly Fragment? _inner;

    private Fragment(Piece[] pieces, FragmentTree? tree = null, Fragment? inner = null)
    {
        _pieces = pieces;
        Tree = tree;
        _inner = inner;
    }

    public static Fragment Empty { get; } = new(NoPieces);

    public IReadOnlyList<Piece> Pieces => _pieces;

    /// <summary>
    /// What the fragment computes, when it is arithmetic the builders know the structure of (see <see cref="FragmentTree"/>);
    /// null for anything else. Concatenation forgets it, so only the typed factories below make one.
    /// </summary>
    public FragmentTree? Tree { get; }

    /// <summary>
    /// The constant <paramref name="value"/> of the given type keyword, printed as <paramref name="text"/> (<c>1</c>,
    /// <c>0.5f</c>, a named <c>const</c>): passes ask its value (<see cref="IsConstant"/>), never its spelling.
    /// </summary>
    public static Fragment Constant(string text, string type, double value) => new(Literal(text)._pieces, new FragmentTree(TreeKind.Constant, null, type) { Value = value });

    /// <summary>The <c>int</c> constant 0: what an adjoint is reset to.</summary>
    public static Fragment Zero { get; } = Constant("0", "int", 0);

    /// <summary>The <c>int</c> constant 1: the seed of a derivative.</summary>
    public static Fragment One { get; } = Constant("1", "int", 1);

    /// <summary><c>buffer[index]</c>: an element of the buffer <paramref name="buffer"/> names.</summary>
    public static Fragment Element(Fragment buffer, Fragment index)
    {
        var text = buffer + "[" + index + "]";
        return buffer.AsName is { } name ? new(text._pieces, new FragmentTree(TreeKind.Element, name, null, index)) : text;
    }

    /// <summary><c>-operand</c> (<paramref name="text"/> its spelling, parenthesized as precedence needs).</summary>
    public static Fragment Negate(Fragment operand, Fragment text) =>
        operand.Tree is null ? text : new(text._pieces, new FragmentTree(TreeKind.Negate, null, null, operand));

    /// <summary><c>left op right</c> for one of <c>+ - * /</c> (<paramref name="text"/> its spelling).</summary>
    public static Fragment Binary(TreeKind op, Fragment left, Fragment right, Fragment text) =>
        left.Tree is null || right.Tree is null ? text : new(text._pieces, new FragmentTree(op, null, null, left, right));

    /// <summary><c>(inner)</c>, computing what <paramref name="inner"/> computes.</summary>
    public static Fragment Parenthesized(Fragment inner) => new(("(" + inner + ")")._pieces, inner.Tree, inner);

    /// <summary>The fragment without the parentheses <see cref="Parenthesized"/> put around it, or itself.</summary>
    public Fragment Unwrapped => _inner?.Unwrapped ?? this;

    /// <summary>Literal C# (no names of the method in it).</summary>
    public static Fragment Literal(string text) => text.Length == 0 ? Empty : new(new[] { new Piece(text, null, NameUse.None) });

    /// <summary>The value of <paramref name="name"/>, printed as <paramref name="text"/> (a struct parameter's field <c>p.X</c>) or as the name.</summary>
    public static Fragment Of(string name, string? text = null) => new(new[] { new Piece(text ?? name, name, NameUse.Value) }, new FragmentTree(TreeKind.Name, name, null));

    /// <summary><c>name.Length</c> (or another <paramref name="member"/> of its length, <c>.GetLength(1)</c>).</summary>
    public static Fragment LengthOf(string name, string? text = null, string member = ".Length") => new(new[] { new Piece(text ?? name, name, NameUse.Length), new Piece(member, null, NameUse.None) });

    /// <summary><c>ref name</c>.</summary>
    public static Fragment RefOf(string name) => new(new[] { new Piece("ref ", null, NameUse.None), new Piece(name, name, NameUse.Reference) });

    /// <summary>Names read by kept user code, printed by its own text.</summary>
    public static Fragment Hidden(IEnumerable<string> names) => new(names.Select(n => new Piece("", n, NameUse.Hidden)).ToArray());

    public static Fragment operator +(Fragment left, Fragment right)
    {
        if (left._pieces.Length == 0) return right;
        if (right._pieces.Length == 0) return left;
        var pieces = new Piece[left._pieces.Length + right._pieces.Length];
        left._pieces.CopyTo(pieces, 0);
        right._pieces.CopyTo(pieces, left._pieces.Length);
        return new(pieces);
    }

    public static Fragment operator +(Fragment left, string right) => left + Literal(right);

    public static Fragment operator +(string left, Fragment right) => Literal(left) + right;

    /// <summary>The fragments joined by <paramref name="separator"/>.</summary>
    public static Fragment Join(string separator, IEnumerable<Fragment> parts)
    {
        var result = Empty;
        bool first = true;
        foreach (var part in parts)
        {
            result = first ? part : result + separator + part;
            first = false;
        }
        return result;
    }

    /// <summary>The single name this fragment is, if it is nothing but a name's value.</summary>
    public string? AsName => _pieces.Length == 1 && _pieces[0].Use == NameUse.Value && _pieces[0].Text == _pieces[0].Name ? _pieces[0].Name : null;

    /// <summary>Whether the fragment is a constant equal to <paramref name="value"/> (parentheses aside).</summary>
    public bool IsConstant(double value) => Unwrapped.Tree is { Kind: TreeKind.Constant } tree && tree.Value == value;

    /// <summary>Whether any piece refers to <paramref name="name"/>, however it uses it.</summary>
    public bool Mentions(string name)
    {
        foreach (var piece in _pieces)
            if (piece.Name == name) return true;
        return false;
    }

    /// <summary>Whether the fragment needs what <paramref name="name"/> holds (its value or contents), not only its length.</summary>
    public bool NeedsContents(string name)
    {
        foreach (var piece in _pieces)
            if (piece.Name == name && piece.Use != NameUse.Length) return true;
        return false;
    }

    /// <summary>Whether <paramref name="name"/> is passed by reference (so may be written).</summary>
    public bool PassesByReference(string name)
    {
        foreach (var piece in _pieces)
            if (piece.Name == name && piece.Use == NameUse.Reference) return true;
        return false;
    }

    /// <summary>Adds the names the fragment refers to (all of them, or those whose contents it needs) to <paramref name="names"/>.</summary>
    public void AddNames(HashSet<string> names, bool contentsOnly = false)
    {
        foreach (var piece in _pieces)
            if (piece.Name is { } name && !(contentsOnly && piece.Use == NameUse.Length)) names.Add(name);
    }

    /// <summary>Adds the names the fragment passes by reference to <paramref name="names"/>.</summary>
    public void AddReferences(HashSet<string> names)
    {
        foreach (var piece in _pieces)
            if (piece.Name is { } name && piece.Use == NameUse.Reference) names.Add(name);
    }

    /// <summary>The name a target writes: the scalar it is, or the buffer of the element it is.</summary>
    public string? Root => _pieces.Length > 0 ? _pieces[0].Name : null;

    /// <summary>The names the fragment refers to.</summary>
    public IEnumerable<string> Names => _pieces.Where(p => p.Name is not null).Select(p => p.Name!);

    public Fragment Rename(string from, string to) => !Mentions(from) ? this
        : new(_pieces.Select(p => p.Name != from ? p : new Piece(p.Text == from ? to : p.Text, to, p.Use)).ToArray(), Tree?.Rename(from, to), _inner?.Rename(from, to));

    public override string ToString()
    {
        if (_pieces.Length == 1) return _pieces[0].Text;
        var builder = new StringBuilder();
        foreach (var piece in _pieces) builder.Append(piece.Text);
        return builder.ToString();
    }
}

/// <summary>The operation at the top of a <see cref="FragmentTree"/>.</summary>
internal enum TreeKind
{
    /// <summary>The value of a name (<see cref="FragmentTree.Name"/>).</summary>
    Name,
    /// <summary>A constant of type <see cref="FragmentTree.Type"/>.</summary>
    Constant,
    /// <summary>An element of the buffer <see cref="FragmentTree.Name"/> at the index <c>Operands[0]</c>.</summary>
    Element,
    Negate,
    Add,
    Subtract,
    Multiply,
    Divide,
}

/// <summary>
/// The structure of an arithmetic fragment: its operation and operands (fragments themselves, each with its own text and
/// tree). Built only by the typed factories of <see cref="Fragment"/>, from the IR and the rules' trees, so that a pass
/// (<see cref="Vectorizer"/>) can prove what an expression reads and computes without reading its text.
/// </summary>
internal sealed class FragmentTree
{
    public FragmentTree(TreeKind kind, string? name, string? type, params Fragment[] operands)
    {
        Kind = kind;
        Name = name;
        Type = type;
        Operands = operands;
    }

    public TreeKind Kind { get; }

    /// <summary>The name read (<see cref="TreeKind.Name"/>) or the buffer indexed (<see cref="TreeKind.Element"/>).</summary>
    public string? Name { get; }

    /// <summary>The type keyword of a <see cref="TreeKind.Constant"/>.</summary>
    public string? Type { get; }

    /// <summary>The value of a <see cref="TreeKind.Constant"/>.</summary>
    public double Value { get; init; }

    public IReadOnlyList<Fragment> Operands { get; }

    public FragmentTree Rename(string from, string to) =>
        new(Kind, Name == from ? to : Name, Type, Operands.Select(o => o.Rename(from, to)).ToArray()) { Value = Value };
}

/// <summary>
/// The typed adjoint program: what differentiation produces, what its passes (<see cref="Simplifier"/>,
/// <see cref="FirstWrites"/>, <see cref="LoopVersioning"/>, dead writes, the split hand-over) transform and analyse, and
/// what the emitter prints. Statements know their targets and the names their expressions use.
/// </summary>
internal abstract class Code
{
    /// <summary>Whether the statement (or any statement in it) refers to <paramref name="name"/>.</summary>
    public abstract bool Mentions(string name);

    /// <summary>Whether the statement (or any in it) may change the scalar <paramref name="name"/>: assigns it or passes it by reference.</summary>
    public abstract bool Writes(string name);

    public abstract Code Rename(string from, string to);

    /// <summary>Whether the statement does anything when run (comments do not; blocks do when a statement in them does).</summary>
    public abstract bool HasEffect { get; }
}

internal sealed class CodeComment : Code
{
    public CodeComment(string text) => Text = text;

    public string Text { get; }

    public override bool Mentions(string name) => false;

    public override bool Writes(string name) => false;

    public override Code Rename(string from, string to) => this;

    public override bool HasEffect => false;
}

internal enum AssignKind
{
    /// <summary><c>T name = value;</c></summary>
    Declare,
    /// <summary><c>target = value;</c></summary>
    Assign,
    /// <summary><c>target += value;</c></summary>
    Accumulate,
    /// <summary><c>value.CopyTo(target);</c>: a <c>Vector&lt;T&gt;</c> stored into the span <c>target</c> (<c>d.Slice(k)</c>), which it writes.</summary>
    Store,
}

/// <summary>An assignment to a name or an element: a declaration, a plain assignment (a reset when the value is 0) or an accumulation.</summary>
internal sealed class CodeAssign : Code
{
    public CodeAssign(AssignKind kind, Fragment target, Fragment value, string? type = null)
    {
        Kind = kind;
        Target = target;
        Value = value;
        Type = type;
    }

    public static CodeAssign Declare(string type, string name, Fragment value) => new(AssignKind.Declare, Fragment.Of(name), value, type);

    public static CodeAssign Set(Fragment target, Fragment value) => new(AssignKind.Assign, target, value);

    public static CodeAssign Reset(Fragment target) => new(AssignKind.Assign, target, Fragment.Zero);


    public static CodeAssign Add(Fragment target, Fragment value) => new(AssignKind.Accumulate, target, value);

    /// <summary><c>value.CopyTo(target);</c>, <paramref name="target"/> a slice of a span, starting with the span's name.</summary>
    public static CodeAssign Store(Fragment target, Fragment value) => new(AssignKind.Store, target, value);

    public AssignKind Kind { get; }

    /// <summary>A name, or an element <c>d[i]</c> (whose target name is null: it writes the buffer, not a scalar).</summary>
    public Fragment Target { get; }

    public Fragment Value { get; }

    /// <summary>The declared type's keyword, for <see cref="AssignKind.Declare"/>.</summary>
    public string? Type { get; }

    /// <summary>The scalar this statement assigns, or null when it assigns an element.</summary>
    public string? TargetName => Target.AsName;

    /// <summary>Whether this is <c>name = 0;</c> (or its declaration).</summary>
    public bool IsZero => Value.IsConstant(0);

    public override bool Mentions(string name) => Target.Mentions(name) || Value.Mentions(name);

    public override bool Writes(string name) => TargetName == name || Value.PassesByReference(name);

    public override Code Rename(string from, string to) => new CodeAssign(Kind, Target.Rename(from, to), Value.Rename(from, to), Type);

    public override bool HasEffect => true;

    public override string ToString() => Kind switch
    {
        AssignKind.Declare => $"{Type} {Target} = {Value};",
        AssignKind.Assign => $"{Target} = {Value};",
        AssignKind.Store => $"{Value}.CopyTo({Target});",
        _ => $"{Target} += {Value};",
    };
}

/// <summary>A statement run for its effect: a call (<c>tape.Push(x);</c>, a callee's reverse), an increment, a return.</summary>
internal sealed class CodeStatement : Code
{
    /// <param name="increments">The name the statement steps (<c>trips++</c>), if any.</param>
    public CodeStatement(Fragment text, string? increments = null)
    {
        Text = text;
        Increments = increments;
    }

    public Fragment Text { get; }

    public string? Increments { get; }

    public override bool Mentions(string name) => Text.Mentions(name);

    public override bool Writes(string name) => Increments == name || Text.PassesByReference(name);

    public override Code Rename(string from, string to) => new CodeStatement(Text.Rename(from, to), Increments == from ? to : Increments);

    public override bool HasEffect => true;

    public override string ToString() => $"{Text};";
}

/// <summary><c>if (condition) { … } else { … }</c>; <see cref="Guard"/> names the gradient span of <c>if (!dX.IsEmpty)</c>.</summary>
internal sealed class CodeIf : Code
{
    public CodeIf(Fragment condition, List<Code> then, List<Code>? otherwise = null, string? guard = null)
    {
        Condition = condition;
        Then = then;
        Else = otherwise;
        Guard = guard;
    }

    /// <summary><c>if (!span.IsEmpty) { … }</c>: work on a gradient span the caller may not want.</summary>
    public static CodeIf Wanted(string span, List<Code> then) => new("!" + Fragment.Of(span) + ".IsEmpty", then, null, span);

    public Fragment Condition { get; }

    public List<Code> Then { get; }

    public List<Code>? Else { get; }

    public string? Guard { get; }

    public CodeIf With(List<Code> then, List<Code>? otherwise) => new(Condition, then, otherwise, Guard);

    public override bool Mentions(string name) => Condition.Mentions(name) || Then.Any(c => c.Mentions(name)) || (Else?.Any(c => c.Mentions(name)) ?? false);

    public override bool Writes(string name) => Then.Any(c => c.Writes(name)) || (Else?.Any(c => c.Writes(name)) ?? false);

    public override Code Rename(string from, string to) =>
        new CodeIf(Condition.Rename(from, to), Then.Select(c => c.Rename(from, to)).ToList(), Else?.Select(c => c.Rename(from, to)).ToList(), Guard == from ? to : Guard);

    public override bool HasEffect => Then.Any(c => c.HasEffect) || (Else?.Any(c => c.HasEffect) ?? false);
}

/// <summary>
/// A loop: <c>while (condition) { … }</c>, or the reverse of a loop, <c>for (counter = from; condition; counter -= step) { … }</c>
/// (a counted loop run backwards, or a trip count run down, declared by the loop when <see cref="DeclaresCounter"/>; the
/// step is 1 unless <see cref="Step"/> says otherwise).
/// </summary>
internal sealed class CodeLoop : Code
{
    private CodeLoop(Fragment condition, List<Code> body, string? counter, Fragment? from, bool declares, Fragment? step = null, Fragment? init = null, Fragment? bound = null, int? trips = null)
    {
        Trips = trips;
        Condition = condition;
        Body = body;
        Counter = counter;
        From = from;
        DeclaresCounter = declares;
        Step = step;
        Init = init;
        Bound = bound;
    }

    public static CodeLoop While(Fragment condition, List<Code> body) => new(condition, body, null, null, false);

    /// <summary><c>for ([int ]counter = from; condition; counter--)</c>.</summary>
    public static CodeLoop Down(string counter, Fragment from, Fragment condition, List<Code> body, bool declares) => new(condition, body, counter, from, declares);

    /// <summary>
    /// The reverse of a counted loop over <c>[init, bound)</c>: <c>for (counter = bound - 1; counter &gt;= init; counter--)</c>,
    /// which keeps its bounds, so that a pass can reshape it (<see cref="Vectorizer"/>).
    /// </summary>
    /// <param name="trips">How many times it runs, when its bounds are constants (<c>Kernel</c>, 3).</param>
    public static CodeLoop Counted(string counter, Fragment init, Fragment bound, List<Code> body, int? trips = null) =>
        new(Fragment.Of(counter) + " >= " + ExpressionText.Atom(init), body, counter, ExpressionText.Atom(bound) + " - 1", false, null, init, bound, trips);

    /// <summary><c>for (counter = from; condition; counter -= step)</c>.</summary>
    public static CodeLoop Strided(string counter, Fragment from, Fragment condition, Fragment step, List<Code> body) => new(condition, body, counter, from, false, step);

    public Fragment Condition { get; }

    public List<Code> Body { get; }

    /// <summary>The counter a reverse loop sets and counts down, or null for a <c>while</c> loop.</summary>
    public string? Counter { get; }

    public Fragment? From { get; }

    public bool DeclaresCounter { get; }

    /// <summary>How much the counter goes down per pass, when not 1 (literal: it names nothing of the method).</summary>
    public Fragment? Step { get; }

    /// <summary>For the reverse of a counted loop (<see cref="Counted"/>): its lowest counter value, read where the loop stands.</summary>
    public Fragment? Init { get; }

    /// <summary>For the reverse of a counted loop: one past its highest counter value.</summary>
    public Fragment? Bound { get; }

    /// <summary>For the reverse of a counted loop with constant bounds: how many times it runs.</summary>
    public int? Trips { get; }

    public CodeLoop With(List<Code> body) => new(Condition, body, Counter, From, DeclaresCounter, Step, Init, Bound, Trips);

    public override bool Mentions(string name) => Counter == name || (From?.Mentions(name) ?? false) || Condition.Mentions(name) || Body.Any(c => c.Mentions(name));

    public override bool Writes(string name) => Counter == name || Body.Any(c => c.Writes(name));

    public override Code Rename(string from, string to) =>
        new CodeLoop(Condition.Rename(from, to), Body.Select(c => c.Rename(from, to)).ToList(), Counter == from ? to : Counter, From?.Rename(from, to), DeclaresCounter,
            Step, Init?.Rename(from, to), Bound?.Rename(from, to), Trips);

    public override bool HasEffect => Body.Any(c => c.HasEffect);

    public string Header => Counter is null
        ? $"while ({Condition})"
        : $"for ({(DeclaresCounter ? "int " : "")}{Counter} = {From}; {Condition}; {(Step is null ? Counter + "--" : Counter + " -= " + Step)})";
}

/// <summary>Passes' shared walks over the adjoint program.</summary>
internal static class CodeExtensions
{
    public static bool Mentions(this IEnumerable<Code> code, string name) => code.Any(c => c.Mentions(name));

    public static bool Writes(this IEnumerable<Code> code, string name) => code.Any(c => c.Writes(name));

    public static bool HasEffect(this IEnumerable<Code> code) => code.Any(c => c.HasEffect);

    public static List<Code> Rename(this IEnumerable<Code> code, string from, string to) => code.Select(c => c.Rename(from, to)).ToList();

    /// <summary>The names the code refers to in one way or another (see <see cref="NameSelection"/>), collected in one walk.</summary>
    public static HashSet<string> Names(this IEnumerable<Code> code, NameSelection selection = NameSelection.Mentioned)
    {
        var names = new HashSet<string>();
        bool contents = selection == NameSelection.Contents;
        void Walk(IEnumerable<Code> items)
        {
            foreach (var item in items)
            {
                switch (item)
                {
                    case CodeAssign a when selection == NameSelection.Written:
                        if (a.Target.Root is { } target) names.Add(target);
                        a.Value.AddReferences(names);
                        break;
                    case CodeAssign a:
                        a.Value.AddNames(names, contents);
                        // A plain assignment or declaration of a name does not read it.
                        if (selection != NameSelection.Read || a.Kind == AssignKind.Accumulate || a.TargetName is null) a.Target.AddNames(names, contents);
                        break;
                    case CodeStatement s when selection == NameSelection.Written:
                        if (s.Increments is { } stepped) names.Add(stepped);
                        s.Text.AddReferences(names);
                        break;
                    case CodeStatement s:
                        s.Text.AddNames(names, contents);
                        break;
                    case CodeIf b:
                        if (selection != NameSelection.Written) b.Condition.AddNames(names, contents);
                        Walk(b.Then);
                        if (b.Else is not null) Walk(b.Else);
                        break;
                    case CodeLoop l:
                        if (l.Counter is not null && !(selection == NameSelection.Written && l.DeclaresCounter)) names.Add(l.Counter);
                        if (selection != NameSelection.Written)
                        {
                            l.From?.AddNames(names, contents);
                            l.Condition.AddNames(names, contents);
                        }
                        Walk(l.Body);
                        break;
                }
            }
        }
        Walk(code);
        return names;
    }
}

/// <summary>Which names <see cref="CodeExtensions.Names"/> collects.</summary>
internal enum NameSelection
{
    /// <summary>Every name the code refers to.</summary>
    Mentioned,
    /// <summary>The names whose value or contents the code needs, not only their length.</summary>
    Contents,
    /// <summary>The names the code reads: every use but the target of a plain assignment or declaration.</summary>
    Read,
    /// <summary>The names whose value or contents the code may change: targets (an element's buffer), by-reference arguments, increments, loop counters it sets.</summary>
    Written,
}

/// <summary>A local the generated method declares before its sweeps: <c>T name = initial;</c>.</summary>
internal sealed record Declaration(string Type, string Name, string Initial)
{
    public override string ToString() => Type + " " + Name + " = " + Initial + ";";
}

/// <summary>Everything the emitter needs to print the gradient and pullback methods.</summary>
internal sealed class GradientProgram
{
    public List<Declaration> Declarations { get; } = new();

    /// <summary>
    /// Flat views of arrays and spans of structs (<c>ptsFlat</c>), declared first in every body: of the parameter, and,
    /// where the method takes gradients (<paramref name="Gradient"/>), of its <c>Span&lt;S&gt;</c> gradient.
    /// </summary>
    public List<(string Line, bool Gradient)> Views { get; } = new();

    public List<Code> Forward { get; } = new();

    public List<Code> Reverse { get; } = new();

    /// <summary>Copies written back into buffer parameters (<see cref="KeptKind.WriteBack"/>): the forward sweep's end.</summary>
    public List<Code> WriteBack { get; } = new();

    /// <summary>
    /// Statements that prepare the reverse sweep (gradient buffers of local buffers and of inactive buffers passed to
    /// callees): after the forward sweep in the joint methods, at the start of the split reverse method.
    /// </summary>
    public List<Code> ReverseSetup { get; } = new();

    /// <summary>The name of the one tape (<c>global::Backprop.CompilerServices.Tape</c>) the method pushes on and pops from.</summary>
    public string TapeName { get; set; } = "tape";

    /// <summary>Whether the joint methods need a tape of their own.</summary>
    public bool UsesTape { get; set; }

    /// <summary>
    /// What the forward sweep declares at its top level (hoisted declarations aside) and what it may change beyond its
    /// locals: the split forward method hands those its reverse method reads over on the tape.
    /// </summary>
    public List<ForwardLocal> ForwardLocals { get; } = new();

    /// <summary>For each differentiated parameter: its variable, gradient parameter name and local adjoint (scalars).</summary>
    public List<(int Variable, string GradientName, string? Adjoint)> Gradients { get; } = new();

    /// <summary>For a layer: each output span parameter and the name of its adjoint span parameter.</summary>
    public List<(int Variable, string AdjointName)> Outputs { get; } = new();

    /// <summary>
    /// For a layer: the outputs whose contents the reverse sweep may rewind to what they held before the layer ran (it
    /// restores overwritten elements it reads, or calls a layer's reverse, which may), each with the name of the pooled
    /// array in which the backward keeps the layer's results across the reverse sweep.
    /// </summary>
    public List<(int Variable, string KeptName)> RewoundOutputs { get; } = new();

    /// <summary>Statements for the <c>finally</c> block: returning rented gradient buffers.</summary>
    public List<Code> Cleanup { get; } = new();

    public string ResultAdjoint { get; set; } = "";

    /// <summary>The name of the instance's gradient parameter (<c>dThis</c>), or empty when the method takes none.</summary>
    public string ThisName { get; set; } = "";

    public string SeedName { get; set; } = "";
}

internal enum ForwardLocalKind
{
    /// <summary>A scalar local declared at the top level of the forward sweep.</summary>
    Scalar,
    /// <summary>A scalar parameter the method assigns.</summary>
    Parameter,
    /// <summary>A local buffer; <see cref="ForwardLocal.OnStack"/> says how it was allocated.</summary>
    Buffer,
    /// <summary>A span parameter the method writes (a layer output).</summary>
    Output,
}

/// <summary>A variable the split forward method may have to hand over to the split reverse method.</summary>
/// <param name="SpillLength">
/// For a buffer on the stack only when small (see <see cref="Ir.IrNewBuffer.SpillsToHeap"/>): the name of the local that
/// holds its length where the reverse method allocates it again; null otherwise.
/// </param>
internal sealed record ForwardLocal(string Name, string TypeKeyword, string ElementKeyword, ForwardLocalKind Kind, bool OnStack = false, string? SpillLength = null);
