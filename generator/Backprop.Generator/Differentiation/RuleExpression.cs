using System;
using System.Collections.Generic;
using System.Globalization;
using Backprop.Generator.Helpers;
using Backprop.Generator.Ir;

namespace Backprop.Generator.Differentiation;

/// <summary>
/// A partial derivative in the rules table: an expression tree over the operation's arguments (<see cref="RuleArgument"/>)
/// and its result (<see cref="RuleResult"/>). The builders print it as C# (<see cref="Print"/>), the tests evaluate it
/// (<see cref="Evaluate"/>), and the values a rule needs are found by walking it (<see cref="Reads"/>), never by searching text.
/// </summary>
internal abstract record RuleExpression
{
    /// <summary>C#'s precedence of the node's outermost operator: higher binds tighter.</summary>
    protected abstract int Precedence { get; }

    public static implicit operator RuleExpression(int value) => new RuleInteger(value);

    public static implicit operator RuleExpression(double value) => new RuleReal(value);

    public static RuleExpression operator +(RuleExpression left, RuleExpression right) => new RuleBinary("+", left, right);

    public static RuleExpression operator -(RuleExpression left, RuleExpression right) => new RuleBinary("-", left, right);

    public static RuleExpression operator *(RuleExpression left, RuleExpression right) => new RuleBinary("*", left, right);

    public static RuleExpression operator /(RuleExpression left, RuleExpression right) => new RuleBinary("/", left, right);

    public static RuleExpression operator -(RuleExpression operand) => new RuleNegate(operand);

    public static RuleExpression operator <(RuleExpression left, RuleExpression right) => new RuleBinary("<", left, right);

    public static RuleExpression operator >(RuleExpression left, RuleExpression right) => new RuleBinary(">", left, right);

    public static RuleExpression operator <=(RuleExpression left, RuleExpression right) => new RuleBinary("<=", left, right);

    public static RuleExpression operator >=(RuleExpression left, RuleExpression right) => new RuleBinary(">=", left, right);

    /// <summary>The expression as C#: <paramref name="arguments"/> and <paramref name="result"/> are atoms (names or parenthesized).</summary>
    public Fragment Print(RuleContext context) => Text(context);

    internal abstract Fragment Text(RuleContext context);

    /// <summary>The child's text, parenthesized when it binds looser than <paramref name="precedence"/>.</summary>
    protected static Fragment Wrapped(RuleExpression child, int precedence, RuleContext context) =>
        child.Precedence < precedence ? Fragment.Parenthesized(child.Text(context)) : child.Text(context);

    /// <summary>The value at the given arguments and result; comparisons are 1 or 0.</summary>
    public abstract double Evaluate(double[] arguments, double result);

    /// <summary>Marks the arguments the expression reads, and returns whether it reads the result.</summary>
    public abstract bool Reads(bool[] arguments);

    /// <summary>The children, one way for every pass.</summary>
    public abstract IEnumerable<RuleExpression> Children { get; }
}

/// <summary>The value of argument <see cref="Index"/>.</summary>
internal sealed record RuleArgument(int Index) : RuleExpression
{
    protected override int Precedence => 100;

    internal override Fragment Text(RuleContext context) => context.Arg(Index);

    public override double Evaluate(double[] arguments, double result) => arguments[Index];

    public override bool Reads(bool[] arguments)
    {
        arguments[Index] = true;
        return false;
    }

    public override IEnumerable<RuleExpression> Children => Array.Empty<RuleExpression>();
}

/// <summary>The value of the operation itself (<c>t</c> in <c>tanh' = 1 - t * t</c>), reused instead of recomputed.</summary>
internal sealed record RuleResult : RuleExpression
{
    protected override int Precedence => 100;

    internal override Fragment Text(RuleContext context) => context.Result;

    public override double Evaluate(double[] arguments, double result) => result;

    public override bool Reads(bool[] arguments) => true;

    public override IEnumerable<RuleExpression> Children => Array.Empty<RuleExpression>();
}

/// <summary>An integer literal, converted implicitly to the element type (<c>1</c>, <c>-1</c>, <c>3</c>).</summary>
internal sealed record RuleInteger(int Value) : RuleExpression
{
    protected override int Precedence => Value < 0 ? 90 : 100;

    internal override Fragment Text(RuleContext context) => Fragment.Constant(Value.ToString(CultureInfo.InvariantCulture), "int", Value);

    public override double Evaluate(double[] arguments, double result) => Value;

    public override bool Reads(bool[] arguments) => false;

    public override IEnumerable<RuleExpression> Children => Array.Empty<RuleExpression>();
}

/// <summary>A literal of the element type (<c>0.5</c> or <c>0.5f</c>).</summary>
internal sealed record RuleReal(double Value) : RuleExpression
{
    protected override int Precedence => 100;

    internal override Fragment Text(RuleContext context) => Fragment.Constant(context.Lit(Value), context.Kind == ScalarKind.Float ? "float" : "double", Value);

    public override double Evaluate(double[] arguments, double result) => Value;

    public override bool Reads(bool[] arguments) => false;

    public override IEnumerable<RuleExpression> Children => Array.Empty<RuleExpression>();
}

internal sealed record RuleNegate(RuleExpression Operand) : RuleExpression
{
    protected override int Precedence => 90;

    internal override Fragment Text(RuleContext context)
    {
        var operand = Wrapped(Operand, 90, context);
        return Fragment.Negate(operand, "-" + operand);
    }

    public override double Evaluate(double[] arguments, double result) => -Operand.Evaluate(arguments, result);

    public override bool Reads(bool[] arguments) => Operand.Reads(arguments);

    public override IEnumerable<RuleExpression> Children => new[] { Operand };
}

/// <summary>An arithmetic, comparison or logical (<c>&amp;&amp;</c>) operator.</summary>
internal sealed record RuleBinary(string Operator, RuleExpression Left, RuleExpression Right) : RuleExpression
{
    protected override int Precedence => Operator switch
    {
        "*" or "/" => 80,
        "+" or "-" => 70,
        "<" or ">" or "<=" or ">=" => 60,
        "==" => 50,
        _ => 40,
    };

    // Left-associative: the right operand of a - b or a / b (and, for a stable form, of every operator) binds tighter.
    internal override Fragment Text(RuleContext context)
    {
        var (left, right) = (Wrapped(Left, Precedence, context), Wrapped(Right, Precedence + 1, context));
        var text = left + " " + Operator + " " + right;
        TreeKind? kind = Operator switch { "+" => TreeKind.Add, "-" => TreeKind.Subtract, "*" => TreeKind.Multiply, "/" => TreeKind.Divide, _ => null };
        return kind is { } arithmetic ? Fragment.Binary(arithmetic, left, right, text) : text;
    }

    public override double Evaluate(double[] arguments, double result)
    {
        double a = Left.Evaluate(arguments, result), b = Right.Evaluate(arguments, result);
        return Operator switch
        {
            "+" => a + b,
            "-" => a - b,
            "*" => a * b,
            "/" => a / b,
            "<" => a < b ? 1 : 0,
            ">" => a > b ? 1 : 0,
            "<=" => a <= b ? 1 : 0,
            ">=" => a >= b ? 1 : 0,
            "==" => a == b ? 1 : 0,
            "&&" => a != 0 && b != 0 ? 1 : 0,
            _ => throw new InvalidOperationException("Unknown rule operator " + Operator),
        };
    }

    public override bool Reads(bool[] arguments) => Left.Reads(arguments) | Right.Reads(arguments);

    public override IEnumerable<RuleExpression> Children => new[] { Left, Right };
}

internal sealed record RuleConditional(RuleExpression Condition, RuleExpression WhenTrue, RuleExpression WhenFalse) : RuleExpression
{
    protected override int Precedence => 10;

    // Right-associative: a conditional in the false arm needs no parentheses.
    internal override Fragment Text(RuleContext context) =>
        Wrapped(Condition, 11, context) + " ? " + Wrapped(WhenTrue, 11, context) + " : " + Wrapped(WhenFalse, 10, context);

    public override double Evaluate(double[] arguments, double result) =>
        Condition.Evaluate(arguments, result) != 0 ? WhenTrue.Evaluate(arguments, result) : WhenFalse.Evaluate(arguments, result);

    public override bool Reads(bool[] arguments) =>
        Condition.Reads(arguments) | WhenTrue.Reads(arguments) | WhenFalse.Reads(arguments);

    public override IEnumerable<RuleExpression> Children => new[] { Condition, WhenTrue, WhenFalse };
}

/// <summary>A function of <c>System.Math</c> (<c>System.MathF</c> for <c>float</c>).</summary>
internal sealed record RuleMath(string Function, EquatableArray<RuleExpression> Arguments) : RuleExpression
{
    protected override int Precedence => 100;

    internal override Fragment Text(RuleContext context)
    {
        var parts = new Fragment[Arguments.Count];
        for (int i = 0; i < parts.Length; i++) parts[i] = Arguments[i].Text(context);
        return context.M + "." + Function + "(" + Fragment.Join(", ", parts) + ")";
    }

    public override double Evaluate(double[] arguments, double result)
    {
        double A(int i) => Arguments[i].Evaluate(arguments, result);
        return Function switch
        {
            "Sin" => Math.Sin(A(0)),
            "Cos" => Math.Cos(A(0)),
            "Sinh" => Math.Sinh(A(0)),
            "Cosh" => Math.Cosh(A(0)),
            "Sqrt" => Math.Sqrt(A(0)),
            "Log" => Math.Log(A(0)),
            "Pow" => Math.Pow(A(0), A(1)),
            "Truncate" => Math.Truncate(A(0)),
            "CopySign" => BitConverter.DoubleToInt64Bits(A(1)) < 0 ? -Math.Abs(A(0)) : Math.Abs(A(0)),
            _ => throw new InvalidOperationException("No evaluator for Math." + Function + " in a rule."),
        };
    }

    public override bool Reads(bool[] arguments)
    {
        bool result = false;
        foreach (var a in Arguments) result |= a.Reads(arguments);
        return result;
    }

    public override IEnumerable<RuleExpression> Children => Arguments;
}
