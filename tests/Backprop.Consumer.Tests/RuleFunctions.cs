using System;
using Backprop;

namespace Backprop.Consumer.Tests;

/// <summary>One [Differentiable] method per derivative rule; each is checked against finite differences.</summary>
public static partial class RuleFunctions
{
    private const double Half = 0.5;

    [Differentiable]
    public static double Add(double x, double y) => x + y;

    [Differentiable]
    public static double Subtract(double x, double y) => x - y;

    [Differentiable]
    public static double Multiply(double x, double y) => x * y;

    [Differentiable]
    public static double Divide(double x, double y) => x / y;

    [Differentiable]
    public static double Remainder(double x, double y) => x % y;

    [Differentiable]
    public static double Negate(double x) => -x;

    [Differentiable]
    public static double Sin(double x) => Math.Sin(x);

    [Differentiable]
    public static double Cos(double x) => Math.Cos(x);

    [Differentiable]
    public static double Tan(double x) => Math.Tan(x);

    [Differentiable]
    public static double Asin(double x) => Math.Asin(x);

    [Differentiable]
    public static double Acos(double x) => Math.Acos(x);

    [Differentiable]
    public static double Atan(double x) => Math.Atan(x);

    [Differentiable]
    public static double Atan2(double x, double y) => Math.Atan2(x, y);

    [Differentiable]
    public static double Atan2LeftHalf(double x, double y) => Math.Atan2(x, y);

    [Differentiable]
    public static double Sinh(double x) => Math.Sinh(x);

    [Differentiable]
    public static double Cosh(double x) => Math.Cosh(x);

    [Differentiable]
    public static double Tanh(double x) => Math.Tanh(x);

    [Differentiable]
    public static double Asinh(double x) => Math.Asinh(x);

    [Differentiable]
    public static double Acosh(double x) => Math.Acosh(x);

    [Differentiable]
    public static double Atanh(double x) => Math.Atanh(x);

    [Differentiable]
    public static double Exp(double x) => Math.Exp(x);

    [Differentiable]
    public static double Log(double x) => Math.Log(x);

    [Differentiable]
    public static double LogBase(double x, double y) => Math.Log(x, y);

    [Differentiable]
    public static double Log10(double x) => Math.Log10(x);

    [Differentiable]
    public static double Log2(double x) => Math.Log2(x);

    [Differentiable]
    public static double Sqrt(double x) => Math.Sqrt(x);

    [Differentiable]
    public static double Cbrt(double x) => Math.Cbrt(x);

    [Differentiable]
    public static double CbrtNegative(double x) => Math.Cbrt(x);

    [Differentiable]
    public static double Pow(double x, double y) => Math.Pow(x, y);

    [Differentiable]
    public static double PowIntegerExponentNegativeBase(double x) => Math.Pow(x, 3);

    [Differentiable]
    public static double Abs(double x) => Math.Abs(x);

    [Differentiable]
    public static double Min(double x, double y) => Math.Min(x, y);

    [Differentiable]
    public static double Max(double x, double y) => Math.Max(x, y);

    [Differentiable]
    public static double Clamp(double x, double y, double z) => Math.Clamp(x, y, z);

    [Differentiable]
    public static double FusedMultiplyAdd(double x, double y, double z) => Math.FusedMultiplyAdd(x, y, z);

    [Differentiable]
    public static double CopySign(double x, [NoDerivative] double y) => Math.CopySign(x, y);

    [Differentiable]
    public static double Floor(double x) => Math.Floor(x) * x;

    [Differentiable]
    public static double Ceiling(double x) => Math.Ceiling(x) * x;

    [Differentiable]
    public static double Round(double x) => Math.Round(x) * x;

    [Differentiable]
    public static double Truncate(double x) => Math.Truncate(x) * x;

    [Differentiable]
    public static double Sign(double x) => Math.Sign(x) * x * x;

    [Differentiable]
    public static double ConstantsAndLiterals(double x) => Math.PI * x + Math.E * x * x + Half * x;

    [Differentiable]
    public static float SinF(float x) => MathF.Sin(x);

    [Differentiable]
    public static float ExpF(float x) => MathF.Exp(x);

    [Differentiable]
    public static float TanhF(float x) => MathF.Tanh(x);

    [Differentiable]
    public static float SqrtF(float x) => MathF.Sqrt(x);

    [Differentiable]
    public static float LogF(float x) => MathF.Log(x);

    [Differentiable]
    public static float PowF(float x) => MathF.Pow(x, 1.5f);

    [Differentiable]
    public static float AtanF(float x) => MathF.Atan(x);

    [Differentiable]
    public static float MaxF(float x) => MathF.Max(x, 0.5f);

}
