using System;
using System.Linq;
using Backprop.Generator.Differentiation;
using Backprop.Generator.Helpers;
using Backprop.Generator.Ir;

namespace Backprop.Generator.Differentiation;

/// <summary>
/// Spells IR expressions as fragments of the adjoint program, adding parentheses only where precedence needs them: the
/// method's variables become typed names (<see cref="Fragment"/>), the rest literal C#.
/// </summary>
internal sealed class ExpressionText
{
    private readonly IrMethod _method;

    public ExpressionText(IrMethod method) => _method = method;

    /// <summary>Lets a caller substitute the spelling of chosen nodes (temporaries); null keeps the default.</summary>
    public Func<IrExpression, string?>? Substitute { get; set; }

    /// <summary>
    /// The tape of a forward sweep that may restart: a callee with side effects is then called through its split forward
    /// on it, whose entries are dropped at once (<c>Tape.Discard</c>), so that a restart does not run its effects again.
    /// Null: callees are called as written.
    /// </summary>
    public Func<Fragment>? EffectTape { get; set; }

    public Fragment Of(IrExpression expression) => Spell(expression).Text;

    /// <summary>A variable as the generated code spells it (<c>this.W</c>, <c>p.X</c>, <c>ptsFlat</c>), named by its own name (a view by its).</summary>
    public Fragment Name(int variable) => NameOf(_method.Variables[variable]);

    public static Fragment NameOf(IrVariable v) => v.HasFlatView ? Fragment.Of(v.Spelling) : Fragment.Of(v.Name, v.Spelling);

    /// <summary>
    /// <c>buffer.Length</c> (or a two-dimensional array's <c>w.GetLength(d)</c>): the length of a buffer, not its contents;
    /// a row's length reads the jagged array's row (<c>this.W[o].Length</c>).
    /// </summary>
    private Fragment LengthOf(IrLength length)
    {
        var v = _method.Variables[length.Buffer];
        if (length.Row is { } row) return Fragment.Element(Name(length.Buffer), Of(row)) + ".Length";
        return length.Dimension >= 0 ? Fragment.LengthOf(v.Name, v.Path, ".GetLength(" + length.Dimension.ToString(System.Globalization.CultureInfo.InvariantCulture) + ")")
            : Fragment.LengthOf(v.HasFlatView ? v.Spelling : v.Name, v.Spelling);
    }

    /// <summary>
    /// The element of <paramref name="buffer"/> (a buffer or its adjoint) at <paramref name="index"/>: <c>b[i]</c>, or
    /// <c>w[row][column]</c> for the <see cref="IrRowIndex"/> of a jagged array, whose row is no buffer of its own (so the
    /// fragment carries no element tree: passes that reason about elements leave it alone).
    /// </summary>
    public Fragment Element(Fragment buffer, IrExpression index) => index is IrRowIndex position
        ? Fragment.Element(buffer, Of(position.Row)) + "[" + Of(position.Column) + "]"
        : Fragment.Element(buffer, Of(index));

    /// <summary><c>n &lt;= 1024 ? stackalloc T[n] : new T[n]</c>: a buffer the generator allocates (see <see cref="IrNewBuffer.SpillsToHeap"/>).</summary>
    public static Fragment StackOrHeap(Fragment length, string element) =>
        length + " <= " + IrNewBuffer.StackLimit.ToString(System.Globalization.CultureInfo.InvariantCulture) + " ? stackalloc " + element + "[" + length + "] : new " + element + "[" + length + "]";

    /// <summary>
    /// The receiver of a call as written: the callee's target, or for an element of a collection of sub-modules the element
    /// at the index, the last of the call's <paramref name="arguments"/> as spelled (see <see cref="CalleeInfo.ElementAccess"/>).
    /// </summary>
    public static Fragment Receiver(CalleeInfo callee, System.Collections.Generic.IReadOnlyList<Fragment> arguments) =>
        callee.IndexedReceiver ? callee.Target + "[" + arguments[arguments.Count - 1] + callee.ElementAccess : Fragment.Literal(callee.Target);

    public static string MathClass(IrType type, string function) =>
        type.Scalar == ScalarKind.Float && function != "Clamp" ? "global::System.MathF" : "global::System.Math";

    private (Fragment Text, int Precedence) Spell(IrExpression expression)
    {
        if (Substitute?.Invoke(expression) is { } substituted) return (Fragment.Of(substituted), Primary);
        switch (expression)
        {
            case IrConstant c:
                return (Fragment.Constant(c.Name ?? Literals.Of(c), c.Type.Keyword, c.Value), Primary);
            case IrRead r:
                return (Name(r.Variable), Primary);
            case IrExternal x:
                return (Fragment.Literal(x.Text), Primary);
            case IrElement e:
                return (Element(Name(e.Buffer), e.Index), Primary);
            case IrLength l:
                return (LengthOf(l), Primary);
            case IrUnary { Operator: UnaryOperator.Negate } u:
                var negated = Operand(u.Operand, Unary, prefix: true);
                return (Fragment.Negate(negated, "-" + negated), Unary);
            case IrUnary u:
                return ("!" + Operand(u.Operand, Unary, prefix: true), Unary);
            case IrConvert c:
                return ("(" + c.Type.Keyword + ")" + Operand(c.Operand, Unary, prefix: true), Unary);
            case IrBinary b:
                int precedence = PrecedenceOf(b.Operator);
                var (left, right) = (Operand(b.Left, precedence, right: false), Operand(b.Right, precedence, right: true));
                var text = left + " " + Symbol(b.Operator) + " " + right;
                return (Arithmetic(b.Operator) is { } kind ? Fragment.Binary(kind, left, right, text) : text, precedence);
            case IrConditional c:
                return (Operand(c.Condition, Conditional - 1) + " ? " + Operand(c.WhenTrue, Conditional - 1) + " : " + Operand(c.WhenFalse, Conditional), Conditional);
            case IrMathCall m:
                return (MathClass(m.Type, m.Function) + "." + m.Function + "(" + Arguments(m.Arguments) + ")", Primary);
            case IrVerbatim v:
                return ((v.IsPrimary ? v.Text : "(" + v.Text + ")") + Fragment.Hidden(v.Operands.SelectMany(Names)), Primary);
            case IrOpaqueCall o:
                return (o.Method + "(" + Arguments(o.Arguments) + ")", Primary);
            case IrDifferentiableCall { Callee: { HasEffects: true, CustomRule: false } } effect when EffectTape is { } tape:
            {
                var spelled = effect.Arguments.Select(Of).ToList();
                var t = tape();
                return ("global::Backprop.CompilerServices.Tape.Discard(ref " + t + ", " + t + ".Count, " + Receiver(effect.Callee, spelled) + "." + effect.Callee.ForwardName
                    + "(" + Fragment.Join(", ", effect.Callee.Own(spelled).Append("ref " + t)) + "))", Primary);
            }
            case IrDifferentiableCall d:
            {
                var spelled = d.Arguments.Select(Of).ToList();
                return (Receiver(d.Callee, spelled) + "." + d.Callee.CallName + "(" + Fragment.Join(", ", d.Callee.Own(spelled)) + ")", Primary);
            }
            case IrNewBuffer { OnStack: true, SpillsToHeap: true } n:
                return (StackOrHeap(Of(n.Length), n.Type.ScalarKeyword), Conditional);
            case IrNewBuffer n:
                return ((n.OnStack ? "stackalloc " : "new ") + n.Type.ScalarKeyword + "[" + Of(n.Length) + "]", Unary);
            case IrSlice { Detached: true } s:
                // Ad.StopGradient(w) as the user wrote it: the whole buffer, or a slice of it.
                return ("global::Backprop.Ad.StopGradient(" + (s.Start is IrConstant { Value: 0 } && s.Length is IrLength { Row: null, Dimension: -1 } whole && whole.Buffer == s.Buffer.Variable
                    ? Name(s.Buffer.Variable) : Slice(Name(s.Buffer.Variable), s.Buffer.Type, Of(s.Start), Of(s.Length))) + ")", Primary);
            case IrSlice s:
                return (Slice(Name(s.Buffer.Variable), s.Buffer.Type, Of(s.Start), Of(s.Length)), Primary);
            default:
                throw new InvalidOperationException("Unknown IR expression " + expression.GetType().Name);
        }
    }

    /// <summary>A statement kept as written: its text, and the method's variables it reads as hidden names.</summary>
    public Fragment Kept(IrKept kept) => Fragment.Literal(kept.Text) + Fragment.Hidden(kept.Operands.SelectMany(Names));

    /// <summary>The names an expression kept as written reads.</summary>
    private System.Collections.Generic.IEnumerable<string> Names(IrExpression operand) => Of(operand).Names;

    /// <summary><c>span.Slice(start, length)</c>, or a span over part of an array (arrays have no Slice).</summary>
    public static Fragment Slice(Fragment buffer, IrType type, Fragment start, Fragment length) => type.Shape == ShapeKind.Array
        ? "new global::System.Span<" + type.ScalarKeyword + ">(" + buffer + ", " + start + ", " + length + ")"
        : buffer + ".Slice(" + start + ", " + length + ")";

    private Fragment Arguments(System.Collections.Generic.IEnumerable<IrExpression> arguments) => Fragment.Join(", ", arguments.Select(Of));

    private Fragment Operand(IrExpression operand, int parent, bool right = false, bool prefix = false)
    {
        var (text, precedence) = Spell(operand);
        // After a prefix '-' or '!', a negation is parenthesized ('-(-x)', never '--x'); negative literals already are.
        bool wrap = precedence > parent || (right && precedence == parent) || (prefix && operand is IrUnary { Operator: UnaryOperator.Negate });
        return wrap ? Fragment.Parenthesized(text) : text;
    }

    private const int Primary = 0;
    private const int Unary = 1;
    private const int Conditional = 8;

    private static int PrecedenceOf(BinaryOperator op) => op switch
    {
        BinaryOperator.Multiply or BinaryOperator.Divide or BinaryOperator.Remainder => 2,
        BinaryOperator.Add or BinaryOperator.Subtract => 3,
        BinaryOperator.Less or BinaryOperator.LessOrEqual or BinaryOperator.Greater or BinaryOperator.GreaterOrEqual => 4,
        BinaryOperator.Equal or BinaryOperator.NotEqual => 5,
        BinaryOperator.And => 6,
        _ => 7,
    };

    /// <summary>The tree kind of an arithmetic operator (see <see cref="FragmentTree"/>), or null.</summary>
    private static TreeKind? Arithmetic(BinaryOperator op) => op switch
    {
        BinaryOperator.Add => TreeKind.Add,
        BinaryOperator.Subtract => TreeKind.Subtract,
        BinaryOperator.Multiply => TreeKind.Multiply,
        BinaryOperator.Divide => TreeKind.Divide,
        _ => null,
    };

    private static string Symbol(BinaryOperator op) => op switch
    {
        BinaryOperator.Add => "+",
        BinaryOperator.Subtract => "-",
        BinaryOperator.Multiply => "*",
        BinaryOperator.Divide => "/",
        BinaryOperator.Remainder => "%",
        BinaryOperator.Less => "<",
        BinaryOperator.LessOrEqual => "<=",
        BinaryOperator.Greater => ">",
        BinaryOperator.GreaterOrEqual => ">=",
        BinaryOperator.Equal => "==",
        BinaryOperator.NotEqual => "!=",
        BinaryOperator.And => "&&",
        _ => "||",
    };

    /// <summary>Wraps an expression in parentheses unless it is a name, literal, member access, call or element access.</summary>
    public static Fragment Atom(Fragment text)
    {
        if (text.AsName is not null || IsAtomic(text.ToString())) return text;
        return Fragment.Parenthesized(text);
    }

    private static bool IsAtomic(string text)
    {
        if (text.Length == 0) return false;
        int depth = 0;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (c is '(' or '[') depth++;
            else if (c is ')' or ']') depth--;
            else if (depth == 0 && !(char.IsLetterOrDigit(c) || c is '_' or '.' or ':')) return false;
            if (depth == 0 && i < text.Length - 1 && c is ')' or ']' && !(text[i + 1] is '(' or '[' or '.')) return false;
        }
        return text[0] != '(' || MatchingClose(text) == text.Length - 1;
    }

    private static int MatchingClose(string text)
    {
        int depth = 0;
        for (int i = 0; i < text.Length; i++)
        {
            if (text[i] == '(') depth++;
            else if (text[i] == ')' && --depth == 0) return i;
        }
        return -1;
    }
}
