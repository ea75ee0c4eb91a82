using System.Globalization;
using System.Linq;
using CsCheck;

namespace Backprop.Generator.Tests;

/// <summary>
/// CsCheck generators of random [Differentiable] methods over three double parameters: straight-line code,
/// compound assignments, nested branches, conditionals, switch statements and expressions, slices passed to callees, early returns, counted loops with loop-carried values triangular inner loops and buffers declared in loops,
/// break and continue, and calls of a differentiable helper. Operations are chosen to stay finite on [-1.5, 1.5]³.
/// </summary>
internal static class RandomPrograms
{
    private static readonly string[] Scalars = { "p0", "p1", "p2", "v0", "v1" };

    private static Gen<string> Leaf(bool inLoop) => Weighted(
        (6, Gen.OneOf(Scalars)),
        (2, Gen.Double[-2, 2].Select(c => Literal(c))),
        (2, Gen.Select(Gen.OneOf("b", "c"), Gen.Int[0, 2], (buffer, k) => buffer + "[" + k + "]")),
        (inLoop ? 1 : 0, Gen.OneOf("b[i % 3]", "c[(i + 1) % 3]")),
        (1, Gen.Const("Helpers.SumSquares(b)")),
        (1, Gen.OneOf("Helpers.SumSquares(c.Slice(1))", "Helpers.SumSquares(b.Slice(0, 2))")),
        (inLoop ? 2 : 0, Gen.Const("(double)i")));

    private static string Literal(double c) => "(" + System.Math.Round(c, 3).ToString("0.0##", CultureInfo.InvariantCulture) + ")";

    public static Gen<string> Expression(int depth, bool inLoop)
    {
        if (depth == 0) return Leaf(inLoop);
        var sub = Expression(depth - 1, inLoop);
        return Weighted(
            (3, Leaf(inLoop)),
            (4, Gen.Select(sub, sub, Gen.OneOf("+", "-", "*"), (a, b, op) => "(" + a + " " + op + " " + b + ")")),
            (1, Gen.Select(sub, sub, (a, b) => "(" + a + " / (1.5 + " + b + " * " + b + "))")),
            (1, Gen.Select(sub, a => "(-" + a + ")")),
            (4, Gen.Select(sub, Gen.OneOf(
                "Math.Sin({0})", "Math.Cos({0})", "Math.Tanh({0})", "Math.Atan({0})", "Math.Exp(Math.Tanh({0}))",
                "Math.Sqrt(1 + {0} * {0})", "Math.Log(1 + {0} * {0})", "Math.Cbrt(2 + Math.Sin({0}))",
                "Math.Pow(1.5 + Math.Cos({0}), 1.7)", "Math.Asinh({0})", "Helpers.Square({0})"),
                (a, f) => string.Format(CultureInfo.InvariantCulture, f, a))),
            (1, Gen.Select(sub, sub, (a, b) => "Math.Atan2(" + a + ", 2 + Math.Cos(" + b + "))")),
            (1, Gen.Select(sub, sub, sub, sub, (a, b, c, d) => "(" + a + " < " + b + " ? " + c + " : " + d + ")")),
            (1, Gen.Select(sub, sub, sub, sub, (a, b, c, d) => "(" + a + " switch { < -0.5 => " + b + ", > 0.5 and < 1.2 => " + c + ", _ => " + d + " })")));
    }

    private static Gen<string> Target => Gen.OneOf("v0", "v1", "v0", "v1", "p0", "p1", "p2");

    /// <param name="counted">Inside <c>for (int i = 0; i &lt; n; i++)</c> with n ≤ 3: <c>c[i]</c> is a target (a range the loop overwrites).</param>
    /// <param name="inSwitch">Inside a switch section, where <c>break</c> would leave the switch, not the loop.</param>
    private static Gen<string> Statement(int depth, bool inLoop, bool loopAllowed, bool counted = false, bool inSwitch = false)
    {
        var expression = Expression(2, inLoop);
        var element = Gen.Select(Gen.OneOf("b", "c"), Gen.Int[0, 2], (buffer, k) => buffer + "[" + k + "]");
        var target = inLoop ? Weighted((5, Target), (2, element), (1, Gen.Const("b[i % 3]")), (counted ? 1 : 0, Gen.Const("c[i]"))) : Weighted((5, Target), (2, element));
        var assign = Weighted(
            (12, Gen.Select(target, Gen.OneOf("=", "=", "+=", "-=", "*="), expression, (t, op, e) =>
                op == "*=" ? t + " *= Math.Tanh(" + e + ");" : t + " " + op + " " + e + ";")),
            (1, Gen.Select(expression, e => "Helpers.Mix(b, " + e + ", c);")),
            (1, Gen.Select(expression, e => "Helpers.Mix(b.Slice(1, 2), " + e + ", c);")),
            (1, Gen.Select(expression, e => "Helpers.Mix(b.Slice(0, 2), " + e + ", c.Slice(1, 2));")));
        if (depth == 0) return assign;
        var block = Statement(depth - 1, inLoop, loopAllowed: false, counted, inSwitch).Array[1, 3].Select(s => string.Join(" ", s));
        var section = Statement(depth - 1, inLoop, loopAllowed: false, counted, inSwitch: true).Array[1, 3].Select(s => string.Join(" ", s));
        var condition = Gen.Select(Expression(1, inLoop), Expression(1, inLoop), (a, b) => a + " < " + b);
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
            // A buffer declared in the loop: fresh and zeroed on every pass, read before and after it is written.
            (inLoop ? 1 : 0, Gen.Select(Expression(1, inLoop), Expression(1, inLoop), Target, (e1, e2, t) =>
                "{ double[] t = new double[3]; t[i % 3] += " + e1 + "; " + t + " += t[i % 3] * " + e2 + " + t[(i + 1) % 3]; }")),
            // A triangular inner loop: its bound is the outer counter, an int the inner loop does not assign.
            (counted ? 1 : 0, Gen.Select(Statement(0, inLoop: true, loopAllowed: false).Array[1, 2],
                body => "for (int k = 0; k <= i; k++) { " + string.Join(" ", body) + " }")),
            (loopAllowed ? 3 : 0, Gen.Select(Gen.Int[1, 3], Statement(depth - 1, inLoop: true, loopAllowed: false, counted: true).Array[1, 4],
                (n, body) => "for (int i = 0; i < " + n + "; i++) { " + string.Join(" ", body) + " }")),
            (loopAllowed ? 1 : 0, Gen.Select(Gen.Int[1, 4], Statement(depth - 1, inLoop: true, loopAllowed: false).Array[1, 3],
                (n, body) => "int i = 0; while (i < " + n + ") { i++; " + string.Join(" ", body) + " }")),
        };
        return Weighted(options);
    }

    /// <summary>The body of one method: two locals, a few statements (at most one loop), a return.</summary>
    public static Gen<string> Body =>
        Gen.Select(Expression(2, false), Expression(2, false), Statement(2, false, loopAllowed: true).Array[1, 5], Expression(2, false),
            (a, b, statements, result) =>
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
                return "Span<double> b = stackalloc double[3];\n        Span<double> c = stackalloc double[3];\n        double v0 = " + a + ";\n        double v1 = " + b + ";\n        " + string.Join("\n        ", kept) + "\n        return " + result + ";";
            });

    private static Gen<string> Weighted(params (int Weight, Gen<string> Gen)[] options) =>
        Gen.Frequency(options.Where(o => o.Weight > 0).Select(o => (o.Weight, (IGen<string>)o.Gen)).ToArray());

    public static string Class(string[] bodies) =>
        "using System;\nusing Backprop;\n\npublic static partial class Helpers\n{\n    [Differentiable]\n    public static double Square(double x) => x * x;\n\n" +
        "    [Differentiable]\n    public static double SumSquares(ReadOnlySpan<double> v)\n    {\n        double s = 0;\n        for (int k = 0; k < v.Length; k++) s += v[k] * v[k];\n        return s;\n    }\n\n" +
        "    [Differentiable]\n    public static void Mix(ReadOnlySpan<double> a, double scale, Span<double> o)\n    {\n        for (int k = 0; k < a.Length; k++) o[k] = Math.Tanh(a[k] * scale + k);\n    }\n}\n\npublic static partial class Programs\n{\n" +
        string.Join("\n", bodies.Select((body, k) =>
            "    [Differentiable]\n    public static double F" + k + "(double p0, double p1, double p2)\n    {\n        " + body + "\n    }\n")) +
        "}\n";
}
