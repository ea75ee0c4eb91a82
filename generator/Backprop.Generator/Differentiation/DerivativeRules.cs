using System;
using System.Collections.Generic;
using Backprop.Generator.Helpers;
using Backprop.Generator.Ir;

namespace Backprop.Generator.Differentiation;

/// <summary>What a rule can refer to when it spells a partial derivative as C#.</summary>
internal sealed class RuleContext
{
    private readonly string[] _arguments;

    public RuleContext(ScalarKind kind, string[] arguments, string result)
    {
        Kind = kind;
        _arguments = arguments;
        Result = result;
    }

    public ScalarKind Kind { get; }

    /// <summary>The value of the operation itself (e.g. <c>t</c> for <c>t = tanh(u)</c>), reused instead of recomputed.</summary>
    public string Result { get; }

    /// <summary><c>global::System.Math</c> or <c>global::System.MathF</c>, matching the element type.</summary>
    public string M => Kind == ScalarKind.Float ? "global::System.MathF" : "global::System.Math";

    /// <summary>The value of argument <paramref name="index"/>.</summary>
    public string Arg(int index) => _arguments[index];

    public string X => _arguments[0];

    public string Y => _arguments[1];

    /// <summary>A literal of the element type.</summary>
    public string Lit(double value) => Literals.Real(value, Kind);
}

/// <summary>
/// One derivative rule: the partial derivative of an operation with respect to each argument, as C#,
/// or null where it is identically zero.
/// </summary>
internal sealed class DerivativeRule
{
    private const string ArgumentMarker = "\u0001";
    private const string ResultMarker = "\u0002";

    private readonly Func<RuleContext, string?[]> _partials;

    public DerivativeRule(string name, int arity, Func<RuleContext, string?[]> partials)
    {
        Name = name;
        Arity = arity;
        _partials = partials;
    }

    public string Name { get; }

    public int Arity { get; }

    /// <summary>The rule's entry in the table, <c>name/arity</c> (e.g. <c>Round/2</c>, <c>op_Addition/2</c>).</summary>
    public string Key => DerivativeRules.Key(Name, Arity);

    public string?[] Partials(RuleContext context) => _partials(context);

    /// <summary>
    /// Which argument values, and whether the result, the partials with respect to the
    /// <paramref name="active"/> arguments refer to: those values are kept for the reverse sweep.
    /// </summary>
    public (bool[] Arguments, bool Result) Needs(bool[] active)
    {
        var markers = new string[Arity];
        for (int i = 0; i < Arity; i++) markers[i] = ArgumentMarker + i + ArgumentMarker;
        var partials = _partials(new RuleContext(ScalarKind.Double, markers, ResultMarker));
        var arguments = new bool[Arity];
        bool result = false;
        for (int i = 0; i < Arity; i++)
        {
            if (!active[i] || partials[i] is not { } partial) continue;
            result |= partial.Contains(ResultMarker);
            for (int j = 0; j < Arity; j++) arguments[j] |= partial.Contains(markers[j]);
        }
        return (arguments, result);
    }
}

/// <summary>
/// The derivative rules, one entry per operation or System.Math/MathF function. Conventions at
/// non-differentiable points follow PyTorch: Abs'(0) = 0, ties of Min/Max split the gradient evenly,
/// Clamp passes the gradient to x on the closed interval, Sqrt'(0) = +∞, and Pow's exponent derivative is 0
/// at base 0 and NaN for a negative base. See docs/derivative-rules.md.
/// </summary>
internal static class DerivativeRules
{
    private static readonly Dictionary<string, DerivativeRule> s_rules = Build();

    public static bool TryGet(string name, int arity, out DerivativeRule rule)
    {
        if (s_rules.TryGetValue(Key(name, arity), out rule!)) return true;
        rule = null!;
        return false;
    }

    public static DerivativeRule Get(string name, int arity) => s_rules[Key(name, arity)];

    public static IEnumerable<DerivativeRule> All => s_rules.Values;

    public const string Add = "op_Addition";
    public const string Subtract = "op_Subtraction";
    public const string Multiply = "op_Multiply";
    public const string Divide = "op_Division";
    public const string Remainder = "op_Modulus";
    public const string Negate = "op_UnaryNegation";

    internal static string Key(string name, int arity) => name + "/" + arity;

    private static Dictionary<string, DerivativeRule> Build()
    {
        var rules = new Dictionary<string, DerivativeRule>();
        void Rule(string name, int arity, Func<RuleContext, string?[]> partials) =>
            rules.Add(Key(name, arity), new DerivativeRule(name, arity, partials));
        void Unary(string name, Func<RuleContext, string> partial) => Rule(name, 1, c => new[] { partial(c) });
        void Constant(string name, int arity) => Rule(name, arity, _ => new string?[arity]);

        // Operators.
        Rule(Add, 2, _ => new[] { "1", "1" });
        Rule(Subtract, 2, _ => new[] { "1", "-1" });
        Rule(Multiply, 2, c => new[] { c.Y, c.X });
        Rule(Divide, 2, c => new[] { $"1 / {c.Y}", $"-{c.Result} / {c.Y}" });
        Rule(Remainder, 2, c => new[] { "1", $"-{c.M}.Truncate({c.X} / {c.Y})" });
        Unary(Negate, _ => "-1");

        // Trigonometric and hyperbolic functions.
        Unary("Sin", c => $"{c.M}.Cos({c.X})");
        Unary("Cos", c => $"-{c.M}.Sin({c.X})");
        Unary("Tan", c => $"1 + {c.Result} * {c.Result}");
        Unary("Asin", c => $"1 / {c.M}.Sqrt(1 - {c.X} * {c.X})");
        Unary("Acos", c => $"-1 / {c.M}.Sqrt(1 - {c.X} * {c.X})");
        Unary("Atan", c => $"1 / (1 + {c.X} * {c.X})");
        Rule("Atan2", 2, c => new[] { $"{c.Arg(1)} / ({c.Arg(1)} * {c.Arg(1)} + {c.Arg(0)} * {c.Arg(0)})", $"-{c.Arg(0)} / ({c.Arg(1)} * {c.Arg(1)} + {c.Arg(0)} * {c.Arg(0)})" });
        Unary("Sinh", c => $"{c.M}.Cosh({c.X})");
        Unary("Cosh", c => $"{c.M}.Sinh({c.X})");
        Unary("Tanh", c => $"1 - {c.Result} * {c.Result}");
        Unary("Asinh", c => $"1 / {c.M}.Sqrt({c.X} * {c.X} + 1)");
        Unary("Acosh", c => $"1 / {c.M}.Sqrt({c.X} * {c.X} - 1)");
        Unary("Atanh", c => $"1 / (1 - {c.X} * {c.X})");

        // Exponentials, logarithms, powers and roots.
        Unary("Exp", c => c.Result);
        Unary("Log", c => $"1 / {c.X}");
        Rule("Log", 2, c => new[] { $"1 / ({c.X} * {c.M}.Log({c.Y}))", $"-{c.M}.Log({c.X}) / ({c.Y} * {c.M}.Log({c.Y}) * {c.M}.Log({c.Y}))" });
        Unary("Log10", c => $"1 / ({c.X} * {c.Lit(Math.Log(10))})");
        Unary("Log2", c => $"1 / ({c.X} * {c.Lit(Math.Log(2))})");
        Unary("Sqrt", c => $"{c.Lit(0.5)} / {c.Result}");
        Unary("Cbrt", c => $"1 / (3 * {c.Result} * {c.Result})");
        Rule("Pow", 2, c => new[]
        {
            $"{c.Y} == 0 ? 0 : {c.Y} * {c.M}.Pow({c.X}, {c.Y} - 1)",
            $"{c.X} > 0 ? {c.Result} * {c.M}.Log({c.X}) : {c.X} == 0 ? 0 : {c.Lit(double.NaN)}",
        });

        // Piecewise-linear functions.
        Unary("Abs", c => $"{c.X} > 0 ? 1 : {c.X} < 0 ? -1 : 0");
        Rule("Min", 2, c => new[]
        {
            $"{c.X} < {c.Y} ? 1 : {c.X} == {c.Y} ? {c.Lit(0.5)} : 0",
            $"{c.Y} < {c.X} ? 1 : {c.X} == {c.Y} ? {c.Lit(0.5)} : 0",
        });
        Rule("Max", 2, c => new[]
        {
            $"{c.X} > {c.Y} ? 1 : {c.X} == {c.Y} ? {c.Lit(0.5)} : 0",
            $"{c.Y} > {c.X} ? 1 : {c.X} == {c.Y} ? {c.Lit(0.5)} : 0",
        });
        Rule("Clamp", 3, c => new[]
        {
            $"{c.Arg(0)} >= {c.Arg(1)} && {c.Arg(0)} <= {c.Arg(2)} ? 1 : 0",
            $"{c.Arg(0)} < {c.Arg(1)} ? 1 : 0",
            $"{c.Arg(0)} > {c.Arg(2)} ? 1 : 0",
        });
        Rule("FusedMultiplyAdd", 3, c => new[] { c.Arg(1), c.Arg(0), "1" });
        Rule("CopySign", 2, c => new[] { $"{c.X} == 0 ? 0 : {c.M}.CopySign(1, {c.X}) * {c.M}.CopySign(1, {c.Y})", null });

        // Piecewise-constant functions: zero derivative almost everywhere.
        Constant("Floor", 1);
        Constant("Ceiling", 1);
        Constant("Round", 1);
        Constant("Round", 2);
        Constant("Truncate", 1);
        Constant("Sign", 1);
        return rules;
    }
}
