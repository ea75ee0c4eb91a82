using System;
using Backprop;

namespace Backprop.Consumer.Tests;

/// <summary>
/// At least one [Differentiable] method per derivative rule, marked with the rule it checks; <see cref="RuleTests"/>
/// checks each against finite differences. A piecewise-constant function is multiplied by x, so that its value reaches
/// the gradient (through the product rule) and a wrong nonzero derivative would too.
/// </summary>
public static partial class RuleFunctions
{
    private const double Half = 0.5;

    [Differentiable, TestsRule("op_Addition/2")]
    public static double Add(double x, double y) => x + y;

    [Differentiable, TestsRule("op_Subtraction/2")]
    public static double Subtract(double x, double y) => x - y;

    [Differentiable, TestsRule("op_Multiply/2")]
    public static double Multiply(double x, double y) => x * y;

    [Differentiable, TestsRule("op_Division/2")]
    public static double Divide(double x, double y) => x / y;

    [Differentiable, TestsRule("op_Modulus/2")]
    public static double Remainder(double x, double y) => x % y;

    [Differentiable, TestsRule("op_UnaryNegation/1")]
    public static double Negate(double x) => -x;

    [Differentiable, TestsRule("Sin/1")]
    public static double Sin(double x) => Math.Sin(x);

    [Differentiable, TestsRule("Cos/1")]
    public static double Cos(double x) => Math.Cos(x);

    [Differentiable, TestsRule("Tan/1")]
    public static double Tan(double x) => Math.Tan(x);

    [Differentiable, TestsRule("Asin/1")]
    public static double Asin(double x) => Math.Asin(x);

    [Differentiable, TestsRule("Acos/1")]
    public static double Acos(double x) => Math.Acos(x);

    [Differentiable, TestsRule("Atan/1")]
    public static double Atan(double x) => Math.Atan(x);

    [Differentiable, TestsRule("Atan2/2")]
    public static double Atan2(double x, double y) => Math.Atan2(x, y);

    [Differentiable, TestsRule("Atan2/2")]
    public static double Atan2LeftHalf(double x, double y) => Math.Atan2(x, y);

    [Differentiable, TestsRule("Sinh/1")]
    public static double Sinh(double x) => Math.Sinh(x);

    [Differentiable, TestsRule("Cosh/1")]
    public static double Cosh(double x) => Math.Cosh(x);

    [Differentiable, TestsRule("Tanh/1")]
    public static double Tanh(double x) => Math.Tanh(x);

    [Differentiable, TestsRule("Asinh/1")]
    public static double Asinh(double x) => Math.Asinh(x);

    [Differentiable, TestsRule("Acosh/1")]
    public static double Acosh(double x) => Math.Acosh(x);

    [Differentiable, TestsRule("Atanh/1")]
    public static double Atanh(double x) => Math.Atanh(x);

    [Differentiable, TestsRule("Exp/1")]
    public static double Exp(double x) => Math.Exp(x);

    [Differentiable, TestsRule("Log/1")]
    public static double Log(double x) => Math.Log(x);

    [Differentiable, TestsRule("Log/2")]
    public static double LogBase(double x, double y) => Math.Log(x, y);

    [Differentiable, TestsRule("Log10/1")]
    public static double Log10(double x) => Math.Log10(x);

    [Differentiable, TestsRule("Log2/1")]
    public static double Log2(double x) => Math.Log2(x);

    [Differentiable, TestsRule("Sqrt/1")]
    public static double Sqrt(double x) => Math.Sqrt(x);

    [Differentiable, TestsRule("Cbrt/1")]
    public static double Cbrt(double x) => Math.Cbrt(x);

    [Differentiable, TestsRule("Cbrt/1")]
    public static double CbrtNegative(double x) => Math.Cbrt(x);

    [Differentiable, TestsRule("Pow/2")]
    public static double Pow(double x, double y) => Math.Pow(x, y);

    [Differentiable, TestsRule("Pow/2")]
    public static double PowIntegerExponentNegativeBase(double x) => Math.Pow(x, 3);

    [Differentiable, TestsRule("Abs/1")]
    public static double Abs(double x) => Math.Abs(x);

    [Differentiable, TestsRule("Min/2")]
    public static double Min(double x, double y) => Math.Min(x, y);

    [Differentiable, TestsRule("Max/2")]
    public static double Max(double x, double y) => Math.Max(x, y);

    [Differentiable, TestsRule("Clamp/3")]
    public static double Clamp(double x, double y, double z) => Math.Clamp(x, y, z);

    [Differentiable, TestsRule("FusedMultiplyAdd/3")]
    public static double FusedMultiplyAdd(double x, double y, double z) => Math.FusedMultiplyAdd(x, y, z);

    [Differentiable, TestsRule("CopySign/2")]
    public static double CopySign(double x, [NoDerivative] double y) => Math.CopySign(x, y);

    [Differentiable, TestsRule("Floor/1")]
    public static double Floor(double x) => Math.Floor(x) * x;

    [Differentiable, TestsRule("Ceiling/1")]
    public static double Ceiling(double x) => Math.Ceiling(x) * x;

    [Differentiable, TestsRule("Round/1")]
    public static double Round(double x) => Math.Round(x) * x;

    [Differentiable, TestsRule("Round/2")]
    public static double RoundDigits(double x) => Math.Round(x, 1) * x;

    [Differentiable, TestsRule("Truncate/1")]
    public static double Truncate(double x) => Math.Truncate(x) * x;

    // Math.Sign returns an int: no derivative flows through its result, whatever the Sign/1 entry says.
    [Differentiable, TestsRule("Sign/1")]
    public static double Sign(double x) => Math.Sign(x) * x * x;

    [Differentiable]
    public static double ConstantsAndLiterals(double x) => Math.PI * x + Math.E * x * x + Half * x;

    [Differentiable, TestsRule("Sin/1")]
    public static float SinF(float x) => MathF.Sin(x);

    [Differentiable, TestsRule("Exp/1")]
    public static float ExpF(float x) => MathF.Exp(x);

    [Differentiable, TestsRule("Tanh/1")]
    public static float TanhF(float x) => MathF.Tanh(x);

    [Differentiable, TestsRule("Sqrt/1")]
    public static float SqrtF(float x) => MathF.Sqrt(x);

    [Differentiable, TestsRule("Log/1")]
    public static float LogF(float x) => MathF.Log(x);

    [Differentiable, TestsRule("Pow/2")]
    public static float PowF(float x) => MathF.Pow(x, 1.5f);

    [Differentiable, TestsRule("Atan/1")]
    public static float AtanF(float x) => MathF.Atan(x);

    [Differentiable, TestsRule("Max/2")]
    public static float MaxF(float x) => MathF.Max(x, 0.5f);

    [Differentiable, TestsRule("Floor/1")]
    public static float FloorF(float x) => MathF.Floor(x) * x;

    [Differentiable, TestsRule("Round/2")]
    public static float RoundDigitsF(float x) => float.Round(x, 1) * x;
}
