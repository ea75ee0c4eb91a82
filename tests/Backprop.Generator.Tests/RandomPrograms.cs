using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.RegularExpressions;
using CsCheck;

namespace Backprop.Generator.Tests;

/// <summary>One random [Differentiable] method: its parameter list (three doubles) and its body.</summary>
internal sealed record RandomProgram(string Parameters, string Body)
{
    public string Method(string name, bool instance = false) =>
        "    [Differentiable]\n    public " + (instance ? "" : "static ") + "double " + name + "(" + Parameters + ")\n    {\n        " + Body + "\n    }\n";
}

/// <summary>
/// CsCheck generators of random [Differentiable] methods over three double parameters: straight-line code,
/// compound assignments, nested branches, conditionals, switch statements and expressions, slices passed to callees, early returns, counted loops with loop-carried values triangular inner loops and buffers declared in loops,
/// break and continue, and calls of differentiable helpers, overloaded by arity; ordinary C# kept as written (issue 16).
/// Besides, the shapes of issue 15:
/// ref locals (to scalars and to elements, chained, with writes through them), names that are C# keywords, local
/// constants, from-end indexes, <c>Math.Min(e, e)</c>, deconstructions with unused elements, comments inside
/// expressions, and conditionals whose unselected arm would throw or give NaN.
/// Operations are chosen to stay finite on [-1.5, 1.5]³, and no method throws.
/// </summary>
internal static class RandomPrograms
{
    private static readonly string[] Scalars = { "p0", "p1", "p2", "v0", "v1" };

    /// <summary>An element of <c>b</c> or <c>c</c> (length 3) at a constant index, from the start or from the end.</summary>
    private static Gen<string> ConstantElement => Weighted(
        (3, Gen.Select(Gen.OneOf("b", "c"), Gen.Int[0, 2], (buffer, k) => buffer + "[" + k + "]")),
        (1, Gen.Select(Gen.OneOf("b", "c"), Gen.Int[1, 3], (buffer, k) => buffer + "[^" + k + "]")));

    /// <param name="alias">A ref local in scope, read like any scalar.</param>
    /// <param name="hidden">The scalar the ref local is bound to, not read by its name where the alias is in scope.</param>
    private static Gen<string> Leaf(bool inLoop, string? alias, string? hidden) => Weighted(
        (6, Gen.OneOf(Scalars.Where(s => s != hidden).ToArray())),
        (2, Gen.Double[-2, 2].Select(c => Literal(c))),
        (2, ConstantElement),
        (inLoop ? 1 : 0, Gen.OneOf("b[i % 3]", "c[(i + 1) % 3]")),
        // Local constants, declared by Body when read.
        (1, Gen.OneOf("k0", "(k0 * n0)")),
        (Calls, Gen.Const("Helpers.SumSquares(b)")),
        (Calls, Gen.OneOf("Helpers.SumSquares(c.Slice(1))", "Helpers.SumSquares(b.Slice(0, 2))", "Helpers.SumSquares(c, 0.5)")),
        (inLoop ? 2 : 0, Gen.Const("(double)i")),
        (alias is null ? 0 : 4, Gen.Const(alias ?? "")),
        // Members of the model class the programs are methods of (issue 11): a field, an auto-property, an array, a
        // two-dimensional array, a jagged array, and calls of a sub-module's and of an array of sub-modules' methods.
        (WithMembers ? 3 : 0, Gen.OneOf("m0", "Gain", "mb[1]", "mb[^1]", "mw[1, 0]", "mw[0, 1]", "mj[0][2]", "mj[^1][0]", "mj[0][^2]")),
        (WithMembers ? 1 : 0, Gen.OneOf("Sub.Apply(p0)", "Sub.Apply(v1)", "Layers[1].Apply(p2)", "Layers[0].Apply(v0)")),
        (WithMembers && inLoop ? 1 : 0, Gen.OneOf("Layers[i % 2].Apply(p1)", "mw[i % 2, (i + 1) % 2]", "mj[0][i % mj[0].Length]", "mj[i % 2][0]")));

    /// <summary>
    /// True on a thread that generates the methods of a model class (<see cref="ModelClass"/>), which read its members. Set
    /// it around the whole Sample, like <see cref="WithoutCalls"/>.
    /// </summary>
    [ThreadStatic]
    public static bool WithMembers;

    private static string Literal(double c) => "(" + System.Math.Round(c, 3).ToString("0.0##", CultureInfo.InvariantCulture) + ")";

    public static Gen<string> Expression(int depth, bool inLoop, string? alias = null, string? hidden = null)
    {
        if (depth == 0) return Leaf(inLoop, alias, hidden);
        var sub = Expression(depth - 1, inLoop, alias, hidden);
        return Weighted(
            (3, Leaf(inLoop, alias, hidden)),
            (4, Gen.Select(sub, sub, Gen.OneOf("+", "-", "*"), (a, b, op) => "(" + a + " " + op + " " + b + ")")),
            (1, Gen.Select(sub, sub, Gen.OneOf("+", "*"), (a, b, op) => "(" + a + " /* " + op + " */ " + op + " " + b + ")")),
            (1, Gen.Select(sub, sub, (a, b) => "(" + a + " / (1.5 + " + b + " * " + b + "))")),
            (1, Gen.Select(sub, a => "(-" + a + ")")),
            (4, Gen.Select(sub, Gen.OneOf(new[] {
                "Math.Sin({0})", "Math.Cos({0})", "Math.Tanh({0})", "Math.Atan({0})", "Math.Exp(Math.Tanh({0}))",
                "Math.Sqrt(1 + {0} * {0})", "Math.Log(1 + {0} * {0})", "Math.Cbrt(2 + Math.Sin({0}))",
                "Math.Pow(1.5 + Math.Cos({0}), 1.7)", "Math.Asinh({0})", "Helpers.Square({0})" }.Where(f => Calls > 0 || !f.StartsWith("Helpers", StringComparison.Ordinal)).ToArray()),
                (a, f) => string.Format(CultureInfo.InvariantCulture, f, a))),
            (1, Gen.Select(sub, sub, (a, b) => "Math.Atan2(" + a + ", 2 + Math.Cos(" + b + "))")),
            // The overload of Helpers.Square by arity; Min and Max of the same operand twice, and of two.
            (Calls, Gen.Select(sub, sub, (a, b) => "Helpers.Square(" + a + ", Math.Tanh(" + b + "))")),
            (1, Gen.Select(sub, sub, Gen.OneOf("Min", "Max"), Gen.Int[0, 2], (a, b, f, same) => (a, b: same > 0 ? a : b, f))
                .Select(m => "Math." + m.f + "(" + m.a + ", " + m.b + ")")),
            (1, Gen.Select(Condition(sub), sub, sub, (condition, c, d) => (condition, c, d))
                .Select(e => "(" + e.condition + " ? " + e.c + " : " + e.d + ")")),
            // Conditionals whose unselected arm would throw (Math.Sign(NaN), an index out of range, a division by zero)
            // or give NaN: the gradient must evaluate only the selected one, like the method.
            (1, Gen.Select(sub, sub, sub, Gen.OneOf("Math.Log({0}) * {1}", "Math.Sign(Math.Sqrt({0} - 0.5)) * {1}"), (a, b, c, arm) => (a, b, c, arm))
                .Select(e => "(" + e.a + " > 0.5 ? " + string.Format(CultureInfo.InvariantCulture, e.arm, e.a, e.b) + " : " + e.c + ")")),
            (inLoop ? 1 : 0, Gen.Select(sub, sub, Gen.OneOf(
                "(i < 3 ? Math.Exp(Math.Tanh(b[i] * {0})) * {0} : {1})", "(i < 3 ? b[i] : {1})", "(i + 1 < 3 ? c[i + 1] * Math.Exp(Math.Tanh({0})) : {1})",
                "(i != 0 ? Math.Sin((6 / i) * {0}) : {1})"),
                (a, b, f) => string.Format(CultureInfo.InvariantCulture, f, a, b))),
            (1, Gen.Select(sub, sub, sub, sub, (a, b, c, d) => (a, b, c, d))
                .Select(e => "(" + e.a + " switch { < -0.5 => " + e.b + ", > 0.5 and < 1.2 => " + e.c + ", _ => " + e.d + " })")));
    }

    /// <summary>A comparison of two expressions.</summary>
    private static Gen<string> Condition(Gen<string> operand) =>
        Gen.Select(operand, operand, (a, b) => a + " < " + b);

    private static Gen<string> Target => Gen.OneOf("v0", "v1", "v0", "v1", "p0", "p1", "p2");

    /// <summary>What an assignment may write: a scalar, an element, the ref local in scope.</summary>
    private static Gen<string> Written(bool inLoop, bool counted, string? alias, string? hidden) => Weighted(
        (5, hidden is null ? Target : Target.Where(t => t != hidden)),
        (2, ConstantElement),
        (inLoop ? 1 : 0, Gen.Const("b[i % 3]")),
        (counted ? 1 : 0, Gen.Const("c[i]")),
        (alias is null ? 0 : 5, Gen.Const(alias ?? "")));

    private static Gen<string> Assignment(bool inLoop, bool counted, string? alias = null, string? hidden = null) =>
        Gen.Select(Written(inLoop, counted, alias, hidden), Gen.OneOf("=", "=", "+=", "-=", "*="), Expression(2, inLoop, alias, hidden), (t, op, e) =>
            op == "*=" ? t + " *= Math.Tanh(" + e + ");" : t + " " + op + " " + e + ";");

    /// <summary>
    /// A block with a ref local bound to a scalar or an element, written and read through it (and through a second ref
    /// local bound to the first); or bound to <c>c[j]</c> before <c>j</c> changes, which must not move it.
    /// </summary>
    /// <remarks>
    /// Left out (a generator bug, open): a scalar read both by its name and through a ref local in one statement can
    /// still give a comparison of one variable with itself in generated code (CS1718) in some shapes. Where the ref
    /// local is in scope the scalar it is bound to is hidden; its element is not.
    /// </remarks>
    private static Gen<string> RefBlock(bool inLoop, bool counted) =>
        Gen.Select(Gen.OneOf("r", "@ref"), Weighted((3, Target), (2, ConstantElement), (inLoop ? 1 : 0, Gen.Const("b[i % 3]")), (counted ? 1 : 0, Gen.Const("c[i]"))))
            .SelectMany(((string Name, string Target) bound) =>
            {
                string r = bound.Name, t = bound.Target;
                string? hidden = Scalars.Contains(t) ? t : null;
                var through = Assignment(inLoop, counted, r, hidden).Array[1, 2].Select(s => string.Join(" ", s));
                return Weighted(
                    (3, through.Select(body => "{ ref double " + r + " = ref " + t + "; " + body + " }")),
                    (1, Gen.Select(through, Assignment(inLoop, counted, "q", hidden), (body, chained) =>
                        "{ ref double " + r + " = ref " + t + "; " + body + " ref double q = ref " + r + "; " + chained + " }")),
                    (1, Gen.Select(inLoop ? Gen.OneOf("(i + 1) % 3", "i % 3") : Gen.OneOf("0", "1", "2"), Assignment(inLoop, counted, r).Array[1, 2],
                        Expression(1, inLoop, r), (j, body, e) =>
                        "{ int j = " + j + "; ref double " + r + " = ref c[j]; j = (j + 1) % 3; " + string.Join(" ", body) + " " + r + " += b[j] * " + e + "; }")));
            });

    /// <summary>Deconstructions: one element unused (a named local or a discard), or two targets assigned at once (a swap).</summary>
    private static Gen<string> Deconstruction(bool inLoop, bool counted)
    {
        var expression = Expression(2, inLoop);
        var pair = Gen.OneOf(("v0", "v1"), ("v1", "v0"), ("p0", "v1"), ("v0", "b[0]"), ("c[^1]", "p2"));
        return Weighted(
            (2, Gen.Select(expression, Gen.Double[-2, 2], Written(inLoop, counted, null, null), (e, c, t) =>
                "{ var (d, _unused) = (" + e + ", " + Literal(c) + "); " + t + " += d; }")),
            (1, Gen.Select(expression, expression, Written(inLoop, counted, null, null), (e1, e2, t) =>
                "{ var (d, _) = (" + e1 + ", " + e2 + "); " + t + " -= d; }")),
            (2, Gen.Select(pair, Expression(1, inLoop), (targets, e) =>
                "(" + targets.Item1 + ", " + targets.Item2 + ") = (" + targets.Item2 + ", " + targets.Item1 + " * " + e + ");")));
    }

    /// <summary>Fill, CopyTo (between slices) and Clear on a fresh array and on the local buffer c, read afterwards.</summary>
    private static Gen<string> BufferOperations(bool inLoop, bool counted) =>
        Gen.Select(Expression(2, inLoop), Expression(1, inLoop), Written(inLoop, counted, null, null), Gen.Int[0, 2], (e1, e2, t, form) => form switch
        {
            0 => "{ double[] t3 = new double[3]; Array.Fill(t3, " + e1 + "); c.Slice(1, 2).CopyTo(t3); t3.AsSpan(2).Clear(); " + t + " += t3[0] * t3[1] + t3[2] * " + e2 + "; }",
            1 => "{ double[] t3 = new double[3]; b.CopyTo(t3); c.Fill(" + e1 + "); t3.AsSpan(0, 2).CopyTo(c.Slice(1)); " + t + " -= c[0] * t3[2] + c[2]; }",
            _ => "{ c.Slice(0, 2).Clear(); b.Slice(1).CopyTo(c.Slice(0, 2)); " + t + " += c[1] * " + e1 + " + c[2]; }",
        });

    /// <summary>Span locals bound to slices of b and c: read, written through, sliced again, passed to a helper.</summary>
    private static Gen<string> SpanViews(bool inLoop, bool counted) =>
        Gen.Select(Expression(2, inLoop), Expression(1, inLoop), Written(inLoop, counted, null, null), Gen.Int[0, 2], (e1, e2, t, form) => form switch
        {
            0 => "{ var row = c.Slice(1, 2); row[0] = " + e1 + "; " + t + " += row[^1] * row.Length + row[0] * " + e2 + (Calls > 0 ? " + Helpers.SumSquares(row)" : "") + "; }",
            1 => "{ ReadOnlySpan<double> all = b; var tail = b[1..]; " + t + " += all[0] * " + e1 + " + tail[tail.Length - 1]; }",
            _ => "{ int s0 = 1; Span<double> view = c.Slice(s0, 2); s0 = 0; view[1] = " + e1 + "; " + t + " *= Math.Tanh(view[0] + " + e2 + "); }",
        });

    /// <summary>
    /// Struct values (issue 11): a user struct's constructor, operators, computed property and mutating method, default and
    /// field writes, a named tuple with a compound assignment to an element, a tuple-returning helper deconstructed, and a
    /// helper with a ref parameter called for its side effect. All are inlined when lowered, so every mode covers them.
    /// </summary>
    private static Gen<string> StructBlock(bool inLoop, bool counted) =>
        Gen.Select(Expression(2, inLoop), Expression(1, inLoop), Expression(1, inLoop), Written(inLoop, counted, null, null), Target, Gen.Int[0, 4],
            (e1, e2, e3, t, scalar, form) => form switch
            {
                0 => "{ var s = new P2(" + e1 + ", " + e2 + "); s.X += " + e3 + "; " + t + " += s.Norm2 + (s * new P2(v0, " + e3 + ")).Y; }",
                1 => "{ P2 s = default; s.Y = " + e1 + "; s = s + new P2(" + e2 + ", s.Y); s.Scale(" + e3 + "); " + t + " -= s.X * s.Y; }",
                2 => "{ (double a, double b) u = (" + e1 + ", " + e2 + "); u.b *= Math.Tanh(u.a); " + t + " += u.a + u.b * " + e3 + "; }",
                3 => "{ var (q0, q1) = P2.SumAndProduct(" + e1 + ", " + e2 + "); " + t + " += q0 * Math.Tanh(q1); }",
                _ => "P2.Accumulate(ref " + scalar + ", " + e1 + ");",
            });

    /// <summary>
    /// Ordinary C# kept as written (issue 16): a value logged for its side effect (<c>Helpers.Log</c>, which the property
    /// tests compare between the method and its gradient), a list and a string local, and foreach over a list of data and
    /// over a LINQ query on it.
    /// </summary>
    private static Gen<string> OrdinaryBlock(bool inLoop, bool counted) =>
        Gen.Select(Expression(2, inLoop), Expression(1, inLoop), Written(inLoop, counted, null, null), Gen.Int[0, 3], (e1, e2, t, form) => form switch
        {
            0 => "Helpers.Log.Add(" + e1 + ");",
            1 => "{ var seen = new List<double>(); seen.Add(" + e1 + "); string tag = \"n\" + seen.Count; " + t + " += " + e2 + " * tag.Length; Helpers.Log.Add(seen[0]); }",
            2 => "foreach (double datum in Helpers.Data) { " + t + " += datum * Math.Tanh(" + e1 + "); }",
            _ => "{ double total = 0; foreach (var datum in Helpers.Data.Where(entry => entry > 0)) total += datum; " + t + " -= total * " + e1 + "; Helpers.Log.Add(total); }",
        });

    /// <summary>
    /// Loops whose reverse sweeps run over <c>Vector&lt;T&gt;</c> lanes (<c>Vectorizer</c>): a map into a local array of 9
    /// (two passes of 4 lanes and a scalar tail, or one of 8 and a tail), whose reverse reduces into the adjoints of the
    /// values it broadcasts, then a sum of squares whose reverse is element-wise.
    /// </summary>
    private static Gen<string> VectorBlock(bool inLoop, bool counted) =>
        Gen.Select(Expression(1, inLoop), Expression(1, inLoop), Written(inLoop, counted, null, null),
            (e1, e2, t) => "{ double[] vg = new double[9]; double vx = Math.Tanh(" + e1 + "), vy = Math.Tanh(" + e2 + "); "
                + "for (int vq = 0; vq < 9; vq++) vg[vq] = vx * vx - vy / 2; double vs = 0; "
                + "for (int vq = 0; vq < vg.Length; vq++) vs += vg[vq] * vg[vq] * vy; " + t + " += vs * 0.1; }");

    /// <summary>
    /// The recording plan's slice rules (issue 10): a loop writes all of c (saved in one piece per pass), increments add into
    /// it (the adjoint passes through), one of them reading c (which stops the slice save from covering the stores after it),
    /// and c is read afterwards. The loop's values are bounded (tanh): repeated in loops, c[j] = f(c) * (j + 1) with f
    /// quadratic overflowed, and 0 × ∞ made the gradient NaN where the value was finite (seed 9FG4Li2G7ZS3).
    /// </summary>
    private static Gen<string> SliceBlock(bool inLoop, bool counted) =>
        Gen.Select(Expression(1, inLoop), Expression(1, inLoop), Expression(1, inLoop), Written(inLoop, counted, null, null), Gen.Int[0, 2], Gen.Int[0, 2],
            (e1, e2, e3, t, x, y) => "{ for (int j = 0; j < 3; j++) c[j] = Math.Tanh(" + e1 + ") * (j + 1); c[1] += " + e2 + "; c[" + x + "] -= " + e3 + " * c[" + y + "]; "
                + t + " += c[0] * c[1] + Math.Tanh(c[2]); }");

    /// <summary>
    /// The recording plan's zero skip: on each pass of an outer loop, a reduction over two nested loops whose adjoint a
    /// ReLU zeroes on some passes; its reverse is skipped then when its terms keep nothing, and runs (popping tanh's
    /// results from the tape) when they do.
    /// </summary>
    private static Gen<string> ZeroSkipBlock(bool inLoop, bool counted) =>
        Gen.Select(Expression(1, inLoop), Expression(1, inLoop), Written(inLoop, counted, null, null), Gen.Int[0, 1], Gen.OneOf("-0.3", "0.0", "0.4"),
            (e1, e2, t, kept, cut) => "{ double zt = 0; for (int zr = 0; zr < 3; zr++) { double zs = " + e1 + " * (zr - 1); "
                + "for (int zq = 0; zq < 2; zq++) for (int zp = 0; zp < 2; zp++) zs += "
                + (kept == 1 ? "Math.Tanh(" + e2 + " + zq - zp) * 0.5" : e2 + " * (zq - zp + zr)") + "; "
                + "zt += zs > " + cut + " ? zs : 0.0; } " + t + " += zt * 0.25; }");

    /// <param name="counted">Inside <c>for (int i = 0; i &lt; n; i++)</c> with n ≤ 3: <c>c[i]</c> is a target (a range the loop overwrites).</param>
    /// <param name="inSwitch">Inside a switch section, where <c>break</c> would leave the switch, not the loop.</param>
    private static Gen<string> Statement(int depth, bool inLoop, bool loopAllowed, bool counted = false, bool inSwitch = false)
    {
        var assign = Weighted(
            (12, Assignment(inLoop, counted)),
            (Calls, Gen.Select(Expression(2, inLoop), e => "Helpers.Mix(b, " + e + ", c);")),
            (Calls, Gen.Select(Expression(2, inLoop), e => "Helpers.Mix(b.Slice(1, 2), " + e + ", c);")),
            (Calls, Gen.Select(Expression(2, inLoop), e => "Helpers.Mix(b.Slice(0, 2), " + e + ", c.Slice(1, 2));")),
            (Calls, Gen.OneOf("Helpers.Mix(c, b);", "Helpers.Mix(b.Slice(1), c.Slice(0, 2));")),
            (1, RefBlock(inLoop, counted)),
            (1, Deconstruction(inLoop, counted)),
            (1, BufferOperations(inLoop, counted)),
            (1, SpanViews(inLoop, counted)),
            (1, StructBlock(inLoop, counted)),
            (1, OrdinaryBlock(inLoop, counted)),
            (1, SliceBlock(inLoop, counted)),
            (1, VectorBlock(inLoop, counted)),
            (1, ZeroSkipBlock(inLoop, counted)));
        if (depth == 0) return assign;
        var block = Statement(depth - 1, inLoop, loopAllowed: false, counted, inSwitch).Array[1, 3].Select(s => string.Join(" ", s));
        var section = Statement(depth - 1, inLoop, loopAllowed: false, counted, inSwitch: true).Array[1, 3].Select(s => string.Join(" ", s));
        var condition = Condition(Expression(1, inLoop));
        var options = new (int, Gen<string>)[]
        {
            (6, assign),
            (2, Gen.Select(condition, block, block, (c, t, e) => "if (" + c + ") { " + t + " } else { " + e + " }")),
            (1, Gen.Select(condition, block, (c, t) => "if (" + c + ") { " + t + " }")),
            (1, Gen.Select(condition, Expression(2, inLoop), (c, e) => "if (" + c + ") return " + e + ";")),
            (inLoop && !inSwitch ? 1 : 0, Gen.Select(condition, c => "if (" + c + ") break;")),
            (1, Gen.Select(Expression(1, inLoop), section, section, section, (v, a, b, c) =>
                "switch (" + v + ") { case < -0.5: " + a + " break; case > 0.5 and < 1.2: " + b + " break; default: " + c + " break; }")),
            (inLoop ? 1 : 0, Gen.Select(condition, c => "if (" + c + ") continue;")),
            // goto case and goto default at the end of sections, over an int chosen by the values.
            (1, Gen.Select(Expression(1, inLoop), section, section, section, (v, a, b, c) =>
                "switch (" + v + " > 0.3 ? 0 : " + v + " < -0.6 ? 1 : 2) { case 0: " + a + " goto case 1; case 1: " + b + " goto default; default: " + c + " break; }")),
            // A buffer declared in the loop: fresh and zeroed on every pass, read before and after it is written.
            (inLoop ? 1 : 0, Gen.Select(Expression(1, inLoop), Expression(1, inLoop), Target, (e1, e2, t) =>
                "{ double[] t = new double[3]; t[i % 3] += " + e1 + "; " + t + " += t[i % 3] * " + e2 + " + t[(i + 1) % 3]; }")),
            // A triangular inner loop: its bound is the outer counter, an int the inner loop does not assign.
            (counted ? 1 : 0, Gen.Select(Statement(0, inLoop: true, loopAllowed: false).Array[1, 2],
                body => "for (int k = 0; k <= i; k++) { " + string.Join(" ", body) + " }")),
            // The bound may be the local constant n0 (at most 3, like the literals).
            (loopAllowed ? 3 : 0, Gen.Select(Gen.OneOf("1", "2", "3", "n0"), Statement(depth - 1, inLoop: true, loopAllowed: false, counted: true).Array[1, 4],
                (n, body) => "for (int i = 0; i < " + n + "; i++) { " + string.Join(" ", body) + " }")),
            (loopAllowed ? 1 : 0, Gen.Select(Gen.Int[1, 4], Statement(depth - 1, inLoop: true, loopAllowed: false).Array[1, 3],
                (n, body) => "int i = 0; while (i < " + n + ") { i++; " + string.Join(" ", body) + " }")),
        };
        return Weighted(options);
    }

    /// <summary>
    /// Names that are C# keywords, in some programs: a parameter (<c>@params</c>, <c>@in</c>) or a local
    /// (<c>@event</c>, <c>@class</c>) renamed throughout.
    /// </summary>
    private static readonly Gen<(string From, string To)[]> KeywordNames = Gen.Frequency(
        (8, Gen.Const(System.Array.Empty<(string, string)>())),
        (1, Gen.Const(new[] { ("p0", "@params") })),
        (1, Gen.Const(new[] { ("v1", "@event") })),
        (1, Gen.Const(new[] { ("v0", "@class"), ("p2", "@in") })));

    /// <summary>One method: two locals, a few statements (at most one loop), a return; local constants when read.</summary>
    public static Gen<RandomProgram> Program =>
        Gen.Select(Expression(2, false), Expression(2, false), Statement(2, false, loopAllowed: true).Array[1, 5], Expression(2, false),
            Gen.OneOf("0.5", "1.25", "-0.75", "2.0"), Gen.Int[1, 3], KeywordNames,
            (a, b, statements, result, k0, n0, keywords) =>
            {
                // At most one top-level loop: each declares its own 'i'.
                bool seenLoop = false;
                var kept = statements.Where(s =>
                {
                    bool loop = s.StartsWith("for", System.StringComparison.Ordinal) || s.StartsWith("int i", System.StringComparison.Ordinal);
                    if (loop && seenLoop) return false;
                    seenLoop |= loop;
                    return true;
                });
                // Initializers may only read what is already declared.
                a = a.Replace("v0", "p1").Replace("v1", "p2");
                b = b.Replace("v1", "p0");
                var lines = new List<string>();
                string body = "Span<double> b = stackalloc double[3];\n        Span<double> c = stackalloc double[3];\n        double v0 = " + a + ";\n        double v1 = " + b + ";\n        " +
                    string.Join("\n        ", kept) + "\n        return " + result + ";";
                if (Mentions(body, "k0")) lines.Add("const double k0 = " + k0 + ";");
                if (Mentions(body, "n0")) lines.Add("const int n0 = " + n0 + ";");
                lines.Add(body);
                body = string.Join("\n        ", lines);
                string parameters = "double p0, double p1, double p2";
                foreach (var (from, to) in keywords)
                {
                    body = Rename(body, from, to);
                    parameters = Rename(parameters, from, to);
                }
                return new RandomProgram(parameters, body);
            });

    private static bool Mentions(string text, string name) => Regex.IsMatch(text, @"\b" + name + @"\b");

    private static string Rename(string text, string from, string to) => Regex.Replace(text, @"(?<![\w@])" + from + @"\b", to);

    /// <summary>
    /// True on a thread that generates programs calling no helper, for modes that do not follow calls yet (Hessians). The
    /// generators read it while they generate (CsCheck with threads: 1 generates on the calling thread), so set it around
    /// the whole Sample.
    /// </summary>
    [ThreadStatic]
    public static bool WithoutCalls;

    private static int Calls => WithoutCalls ? 0 : 1;

    private static Gen<string> Weighted(params (int Weight, Gen<string> Gen)[] options) =>
        Gen.Frequency(options.Where(o => o.Weight > 0).Select(o => (o.Weight, (IGen<string>)o.Gen)).ToArray());

    /// <summary>The helpers the programs call (overloads by arity, parameters named by keywords) and the programs F0, F1, ….</summary>
    public static string Class(RandomProgram[] programs) =>
        "using System;\nusing System.Collections.Generic;\nusing System.Linq;\nusing Backprop;\n\npublic static partial class Helpers\n{\n" +
        "    [ThreadStatic]\n    private static List<double>? t_log;\n\n    /// <summary>What the programs log for their side effect, per thread.</summary>\n" +
        "    public static List<double> Log => t_log ??= new List<double>();\n\n" +
        "    public static readonly IReadOnlyList<double> Data = new[] { 0.5, -1.25, 2.0 };\n\n" +
        "    [Differentiable]\n    public static double Square(double x) => x * x;\n\n" +
        "    [Differentiable]\n    public static double Square(double @base, double @params) => @params * @base * @base;\n\n" +
        "    [Differentiable]\n    public static double SumSquares(ReadOnlySpan<double> v)\n    {\n        double s = 0;\n        for (int k = 0; k < v.Length; k++) s += v[k] * v[k];\n        return s;\n    }\n\n" +
        "    [Differentiable]\n    public static double SumSquares(ReadOnlySpan<double> v, double @in)\n    {\n        double s = 0;\n        for (int k = 0; k < v.Length; k++) s += @in * v[^(k + 1)] * v[k];\n        return s;\n    }\n\n" +
        "    [Differentiable]\n    public static void Mix(ReadOnlySpan<double> a, double scale, Span<double> o)\n    {\n        for (int k = 0; k < a.Length; k++) o[k] = Math.Tanh(a[k] * scale + k);\n    }\n\n" +
        "    [Differentiable]\n    public static void Mix(ReadOnlySpan<double> a, Span<double> o)\n    {\n        for (int k = 0; k < a.Length; k++) o[k] = Math.Tanh(a[k] - k);\n    }\n}\n\n" +
        "public struct P2\n{\n    public double X, Y;\n    public P2(double x, double y) { X = x; Y = y; }\n" +
        "    public static P2 operator +(P2 a, P2 b) => new(a.X + b.X, a.Y + b.Y);\n    public static P2 operator *(P2 a, P2 b) => new(a.X * b.X - a.Y * b.Y, a.X * b.Y + a.Y * b.X);\n" +
        "    public double Norm2 => X * X + Y * Y;\n    public void Scale(double s) { X *= s; Y = Math.Tanh(Y * s); }\n" +
        "    public static (double Sum, double Product) SumAndProduct(double a, double b)\n    {\n        double sum = a + b;\n        return (sum, a * b);\n    }\n" +
        "    public static void Accumulate(ref double total, double value) { total += Math.Sin(value) * total + value; }\n}\n\n" +
        "public static partial class Programs\n{\n" +
        string.Join("\n", programs.Select((program, k) => program.Method("F" + k))) +
        "}\n";

    /// <summary>
    /// <paramref name="program"/> as <c>Programs.F0</c> in plain C# (compiled without the generator) whose helpers note in
    /// <c>Helpers.Overflowed</c> a value beyond 1e100 or not finite: the oracle for a point where the program saturates an
    /// overflowed value (<c>Math.Atan2(∞, x)</c> is finite), whose derivative IEEE arithmetic makes NaN (0 · ∞) in any
    /// reverse-mode AD (PyTorch and JAX included) while finite differences see a flat function.
    /// </summary>
    public static string Watched(RandomProgram program) => Watched(Class(new[] { program }));

    /// <inheritdoc cref="Watched(RandomProgram)"/>
    public static string Watched(string source)
    {
        (string Original, string Watched)[] edits =
        {
            ("public static double Square(double x) => x * x;", "public static double Square(double x) => Note(x * x);"),
            ("=> @params * @base * @base;", "=> Note(@params * @base * @base);"),
            ("return s;", "return Note(s);"),
        };
        foreach (var (original, watched) in edits)
        {
            if (!source.Contains(original, StringComparison.Ordinal)) throw new InvalidOperationException("The helpers changed: '" + original + "' is gone.");
            source = source.Replace(original, watched, StringComparison.Ordinal);
        }
        return source.Replace("public static partial class Helpers\n{\n",
            "public static partial class Helpers\n{\n    [ThreadStatic]\n    public static bool Overflowed;\n\n"
            + "    private static double Note(double v)\n    {\n        if (!double.IsFinite(v) || Math.Abs(v) > 1e100) Overflowed = true;\n        return v;\n    }\n\n", StringComparison.Ordinal);
    }

    /// <summary>The number of member values of <see cref="ModelClass"/>'s model, which its <c>Get</c> and <c>Set</c> index.</summary>
    public const int MemberCount = 19;

    /// <summary>
    /// The programs as instance methods of a model class with members of every kind (<see cref="WithMembers"/>), a
    /// <c>Zero()</c> gradient object, and <c>Get</c>/<c>Set</c> of its member values by index.
    /// </summary>
    public static string ModelClass(RandomProgram[] programs)
    {
        string source = Class(Array.Empty<RandomProgram>());
        source = source.Substring(0, source.LastIndexOf("public static partial class Programs", StringComparison.Ordinal));
        var paths = new[] { "m0", "Gain", "mb[0]", "mb[1]", "mb[2]", "mw[0, 0]", "mw[0, 1]", "mw[1, 0]", "mw[1, 1]", "Sub.W", "Sub.B[0]", "Layers[0].W", "Layers[0].B[0]", "Layers[1].W", "Layers[1].B[0]", "mj[0][0]", "mj[0][1]", "mj[0][2]", "mj[1][0]" };
        return source +
            "public partial class Sub\n{\n    public double W = 0.9;\n    public double[] B = { 0.4 };\n\n" +
            "    [Differentiable]\n    public double Apply(double x) => W * x + Math.Sin(B[0] * x);\n}\n\n" +
            "public partial class Programs\n{\n    public double m0 = 0.8;\n    public double Gain { get; set; } = -0.6;\n" +
            "    public double[] mb = { 0.5, -0.3, 1.1 };\n    public double[,] mw = { { 0.2, -0.7 }, { 1.3, 0.4 } };\n" +
            "    public double[][] mj = { new[] { 0.3, -0.9, 0.6 }, new[] { 1.2 } };\n" +
            "    public Sub Sub = new();\n    public Sub[] Layers = { new(), new() { W = -0.5 } };\n\n" +
            "    public static Programs Zero() => new() { m0 = 0, Gain = 0, mb = new double[3], mw = new double[2, 2], mj = new[] { new double[3], new double[1] }, Sub = new() { W = 0, B = new double[1] },\n" +
            "        Layers = new Sub[] { new() { W = 0, B = new double[1] }, new() { W = 0, B = new double[1] } } };\n\n" +
            "    public static double Get(Programs p, int k) => k switch\n    {\n" + string.Concat(paths.Select((path, k) => "        " + k + " => p." + path + ",\n")) + "        _ => throw new ArgumentOutOfRangeException(nameof(k)),\n    };\n\n" +
            "    public static void Set(Programs p, int k, double v)\n    {\n        switch (k)\n        {\n" + string.Concat(paths.Select((path, k) => "            case " + k + ": p." + path + " = v; break;\n")) + "        }\n    }\n\n" +
            string.Join("\n", programs.Select((program, k) => program.Method("F" + k, instance: true))) +
            "}\n";
    }
}
