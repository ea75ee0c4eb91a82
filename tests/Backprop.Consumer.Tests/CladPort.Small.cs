using System;
using Backprop;

// Clad's functions keep parameters their results do not depend on (BPG016 warns of each).
#pragma warning disable BPG016

namespace Backprop.Consumer.Tests;

/// <summary>Clad's test/Gradient/TestTypeConversion.C, ported to C#.</summary>
public static partial class CladTestTypeConversion
{
    // fn_type_conversion
    [Differentiable]
    public static float FnTypeConversion(float z, int a)
    {
        for (int i = 1; i < a; i++)
        {
            z = z * a;
        }
        return z;
    }
}

/// <summary>Clad's test/Gradient/UnaryMinus.C, ported to C#.</summary>
public static partial class CladUnaryMinus
{
    // f1
    [Differentiable] public static double F1(double x) => -(-(-1)) * -(-(-x));

    // f2
    [Differentiable] public static double F2(double x, double y) => -2 * -(-(-x)) * -y - 1 * (-y) * (-(-x));
}

/// <summary>Clad's test/Gradient/ConditionalOperatorCondition.C, ported to C#.</summary>
public static partial class CladConditionalOperatorCondition
{
    // f
    [Differentiable] public static double F(double x, string? s) => s is not null ? x * x : x;
}

/// <summary>Clad's test/Gradient/TBRTernary.C, ported to C#.</summary>
public static partial class CladTbrTernary
{
    // f
    [Differentiable]
    public static double F(bool cond, double a, double b)
    {
        double x = cond ? (a * a) : (b * b);
        a = 0;
        b = 0;
        return x;
    }
}
