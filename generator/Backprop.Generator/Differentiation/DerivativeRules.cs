using System;
using System.Collections.Generic;
using Backprop.Generator.Helpers;
using Backprop.Generator.Ir;

namespace Backprop.Generator.Differentiation;

/// <summary>What a rule can refer to when it spells a partial derivative as C#.</summary>
internal sealed class RuleContext
{
    private readonly Fragment[] _arguments;

    public RuleContext(ScalarKind kind, Fragment[] arguments, Fragment result)
    {
        Kind = kind;
        _arguments = arguments;
        Result = result;
    }

    public ScalarKind Kind { get; }

    /// <summary>The value of the operation itself (e.g. <c>t</c> for <c>t = tanh(u)</c>), reused instead of recomputed.</summary>
    public Fragment Result { get; }

    /// <summary><c>global::System.Math</c> or <c>global::System.MathF</c>, matching the element type.</summary>
    public string M => Kind == ScalarKind.Float ? "global::System.MathF" : "global::System.Math";

    /// <summary>The value of argument <paramref name="index"/>.</summary>
    public Fragment Arg(int index) => _arguments[index];

    public Fragment X => _arguments[0];

    public Fragment Y => _arguments[1];

    /// <summary>A literal of the element type.</summary>
    public string Lit(double value) => Literals.Real(value, Kind);
}

/// <summary>
/// One derivative rule: the partial derivative of an operation with respect to each argument, as an expression tree
/// over the arguments and the result, or null where it is identically zero.
/// </summary>
internal sealed class DerivativeRule
{
    public DerivativeRule(string name, int arity, RuleExpression?[] trees, bool singular = false)
    {
        Name = name;
        Arity = arity;
        Trees = trees;
        Singular = singular;
    }

    public string Name { get; }

    public int Arity { get; }

    /// <summary>The partial derivative with respect to each argument; null where it is zero.</summary>
    public IReadOnlyList<RuleExpression?> Trees { get; }

    /// <summary>
    /// Whether a partial may be infinite or NaN where the operation's value is finite (<c>Sqrt</c> at 0, <c>Pow</c> at a
    /// base ≤ 0, <c>Asin</c> at ±1). Its product with a zero tangent or a zero adjoint is a strong zero: a direction along
    /// which the argument does not move, or a value no output depends on, gets nothing from it instead of NaN.
    /// </summary>
    public bool Singular { get; }

    /// <summary>The rule's entry in the table, <c>name/arity</c> (e.g. <c>Round/2</c>, <c>op_Addition/2</c>).</summary>
    public string Key => DerivativeRules.Key(Name, Arity);

    /// <summary>The partials spelled as C# with the context's argument and result atoms.</summary>
    public Fragment?[] Partials(RuleContext context)
    {
        var partials = new Fragment?[Arity];
        for (int i = 0; i < Arity; i++) partials[i] = Trees[i]?.Print(context);
        return partials;
    }

    /// <summary>
    /// Which argument values, and whether the result, the partials with respect to the
    /// <paramref name="active"/> arguments read: those values are kept for the reverse sweep.
    /// </summary>
    public (bool[] Arguments, bool Result) Needs(bool[] active)
    {
        var arguments = new bool[Arity];
        bool result = false;
        for (int i = 0; i < Arity; i++)
            if (active[i] && Trees[i] is { } tree) result |= tree.Reads(arguments);
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
        void Rule(string name, params RuleExpression?[] partials) =>
            rules.Add(Key(name, partials.Length), new DerivativeRule(name, partials.Length, partials));
        // A rule with a partial that is infinite or NaN at points where the function is finite (RuleTableTests finds them).
        void Singular(string name, params RuleExpression?[] partials) =>
            rules.Add(Key(name, partials.Length), new DerivativeRule(name, partials.Length, partials, singular: true));
        void Constant(string name, int arity) => Rule(name, new RuleExpression?[arity]);
        RuleExpression X = new RuleArgument(0), Y = new RuleArgument(1), Z = new RuleArgument(2), R = new RuleResult();
        static RuleExpression M(string function, params RuleExpression[] arguments) => new RuleMath(function, arguments.ToEquatableArray());
        static RuleExpression If(RuleExpression condition, RuleExpression whenTrue, RuleExpression whenFalse) => new RuleConditional(condition, whenTrue, whenFalse);
        static RuleExpression Eq(RuleExpression left, RuleExpression right) => new RuleBinary("==", left, right);
        static RuleExpression And(RuleExpression left, RuleExpression right) => new RuleBinary("&&", left, right);

        // Operators.
        Rule(Add, 1, 1);
        Rule(Subtract, 1, -1);
        Rule(Multiply, Y, X);
        Rule(Divide, 1 / Y, -R / Y);
        Rule(Remainder, 1, -M("Truncate", X / Y));
        Rule(Negate, -1);

        // Trigonometric and hyperbolic functions.
        Rule("Sin", M("Cos", X));
        Rule("Cos", -M("Sin", X));
        Rule("Tan", 1 + R * R);
        Singular("Asin", 1 / M("Sqrt", 1 - X * X));
        Singular("Acos", -1 / M("Sqrt", 1 - X * X));
        Rule("Atan", 1 / (1 + X * X));
        Singular("Atan2", Y / (Y * Y + X * X), -X / (Y * Y + X * X));
        Rule("Sinh", M("Cosh", X));
        Rule("Cosh", M("Sinh", X));
        Rule("Tanh", 1 - R * R);
        Rule("Asinh", 1 / M("Sqrt", X * X + 1));
        Singular("Acosh", 1 / M("Sqrt", X * X - 1));
        Rule("Atanh", 1 / (1 - X * X));

        // Exponentials, logarithms, powers and roots.
        Rule("Exp", R);
        Rule("Log", 1 / X);
        Singular("Log", 1 / (X * M("Log", Y)), -M("Log", X) / (Y * M("Log", Y) * M("Log", Y)));
        Rule("Log10", 1 / (X * Math.Log(10)));
        Rule("Log2", 1 / (X * Math.Log(2)));
        Singular("Sqrt", 0.5 / R);
        Singular("Cbrt", 1 / (3 * R * R));
        Singular("Pow", If(Eq(Y, 0), 0, Y * M("Pow", X, Y - 1)), If(X > 0, R * M("Log", X), If(Eq(X, 0), 0, double.NaN)));

        // Piecewise-linear functions.
        Rule("Abs", If(X > 0, 1, If(X < 0, -1, 0)));
        Rule("Min", If(X < Y, 1, If(Eq(X, Y), 0.5, 0)), If(Y < X, 1, If(Eq(X, Y), 0.5, 0)));
        Rule("Max", If(X > Y, 1, If(Eq(X, Y), 0.5, 0)), If(Y > X, 1, If(Eq(X, Y), 0.5, 0)));
        Rule("Clamp", If(And(X >= Y, X <= Z), 1, 0), If(X < Y, 1, 0), If(X > Z, 1, 0));
        Rule("FusedMultiplyAdd", Y, X, 1);
        Rule("CopySign", If(Eq(X, 0), 0, M("CopySign", 1, X) * M("CopySign", 1, Y)), null);

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
