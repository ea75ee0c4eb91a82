using System;
using Backprop;

// Clad's functions keep parameters their results do not depend on (BPG016 warns of each).
#pragma warning disable BPG016

namespace Backprop.Consumer.Tests;

/// <summary>Clad's test/Gradient/Assignments.C, ported to C#.</summary>
public static partial class CladAssignments
{
    // f1
    [Differentiable]
    public static double F1(double x, double y)
    {
        x = y;
        return y;
    }

    // f2
    [Differentiable]
    public static double F2(double x, double y)
    {
        if (x < y)
            x = y;
        return x;
    }

    // f3
    [Differentiable]
    public static double F3(double x, double y)
    {
#pragma warning disable CS1717 // Clad's 'x = x'
        x = x;
#pragma warning restore CS1717
        x = x * x;
        y = x * x;
        x = y;
        return y;
    }

    // f4
    [Differentiable]
    public static double F4(double x, double y)
    {
        y = x;
        x = 0;
        return y;
    }

    // f5
    [Differentiable]
    public static double F5(double x, double y)
    {
        double t = x * x;
        if (x < 0)
        {
            t = -t;
            return t;
        }
        if (y < 0)
        {
            double z = t;
            t = -t;
        }
        return t;
    }

    // f6
    [Differentiable]
    public static double F6(double x, double y)
    {
        double t = x * x;
        if (x < 0)
        {
            t = -t;
            return t;
        }
        if (y < 0)
        {
            double z = t;
            t = -t;
        }
        return t;
    }

    // f7
    [Differentiable]
    public static double F7(double x, double y)
    {
        double[] t = { 1, x, x * x };
        t[0]++;
        t[0]--;
        ++t[0];
        --t[0];
        t[0] = x;
        x = y;
        t[0] += t[1];
        t[0] *= t[1];
        t[0] /= t[1];
        t[0] -= t[1];
        x = ++t[0];
        return t[0];
    }

    // f8
    [Differentiable]
    public static double F8(double x, double y)
    {
        double[] t = { 1, x, y, 1 };
        t[3] = (y *= (t[0] = t[1] = t[2]));
        return t[3];
    }

    // f10
    [Differentiable]
    public static double F10(double x, double y)
    {
        double t = x;
        t = x = y;
        return t;
    }

    // f13
    [Differentiable]
    public static double F13(double x, double y)
    {
        double t = x * (y = x);
        return t * y;
    }

    // f14
    [Differentiable]
    public static double F14(double i, double j)
    {
        ref double a = ref i;
        a = 2 * i;
        a += i;
        a *= i;
        return i;
    }

    // f15
    [Differentiable]
    public static double F15(double i, double j)
    {
        double b = i * j;
        ref double a = ref b;
        ref double c = ref i;
        ref double d = ref j;
        a *= i;
        b += 2 * i;
        c += 3 * i;
        d *= 3 * j;
        return a + c + d;
    }

    // f16
    [Differentiable]
    public static double F16(double i, double j)
    {
        ref double a = ref i;
        ref double b = ref a;
        ref double c = ref b;
        c *= 4 * j;
        return i;
    }

    // f17
    [Differentiable]
    public static double F17(double i, double j, double k)
    {
        j = 2 * i;
        return j;
    }

    // f18
    [Differentiable]
    public static double F18(double i, double j, double k)
    {
        k = 2 * i + 2 * j;
        k += i;
        return k;
    }

    // f19
    [Differentiable] public static double F19(double a, double b) => Math.FusedMultiplyAdd(a, b, b);

    // f20
    [Differentiable]
    public static double F20(double x, double y)
    {
        ref double r = ref x;
        r = 3;
        x = r * y;
        return x;
    }

    // f22
    [Differentiable]
    public static double F22(double x, double y)
    {
        double t = (x = y = x = 0);
        return t;
    }

    // f23
    [Differentiable]
    public static double F23(double x, double y)
    {
        double[] list = { 1.0, x + y };
        double res = 5;
        if (x > y)
        {
            double[] r = list;
            res = r[^1];
        }
        return res;
    }

    // constVal
    [Differentiable]
    public static double ConstVal(double y, double x)
    {
        double z = y;
        y *= z;
        return y * x;
    }

    // constValConstCast
    [Differentiable]
    public static double ConstValConstCast(double y, double x)
    {
        double z = x;
        y *= z;
        return y * x;
    }

    // constValInput
    [Differentiable] public static double ConstValInput(double x) => x;

    // f24
    [Differentiable]
    public static double F24(double x, double y)
    {
        double sum = x + y;
        double zero = default;
        return sum + zero * x;
    }

    // f26
    [Differentiable]
    public static double F26(double x, double y)
    {
        double l = x;
        l /= y;
        return l;
    }

    // f27
    [Differentiable]
    public static double F27(double x, double y)
    {
        x *= y + 1.0;
        return x;
    }
}
