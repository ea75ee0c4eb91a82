using System;
using Backprop;

// Clad's functions keep parameters their results do not depend on (BPG016 warns of each).
#pragma warning disable BPG016

namespace Backprop.Consumer.Tests;

/// <summary>Clad's test/Gradient/EarlyReturns.C, ported to C#.</summary>
public static partial class CladEarlyReturns
{
    // noEarly
    [Differentiable] public static double NoEarly(double x, double y) => x * y;

    // singleEarly
    [Differentiable]
    public static double SingleEarly(double x, double y)
    {
        if (x > y)
            return x * x;
        return x * y;
    }

    // multiEarly
    [Differentiable]
    public static double MultiEarly(double x, double y)
    {
        if (x > 10)
            return x;
        if (y > 10)
            return y * y;
        return x * y;
    }

    // loopEarly
    [Differentiable]
    public static double LoopEarly(double x, double y)
    {
        double s = 0;
        for (int i = 0; i < 5; ++i)
        {
            s += x * y;
            if (s > 20)
                return s;
        }
        return s;
    }

    // midEarly
    [Differentiable]
    public static double MidEarly(double x, double y)
    {
        double a = x * y;
        double b = a + x;
        if (b > 50)
            return a * b;
        return b * y;
    }

    // recEarly
    private static double RecEarly(double x, double y)
    {
        if (x > y)
            return RecEarly(x - 1, y);
        return x * y;
    }

    // callsRec
    [Differentiable] public static double CallsRec(double x, double y) => RecEarly(x, y);

    // nested_early_return
    [Differentiable]
    public static double NestedEarlyReturn(double x, double y)
    {
        if (x > 0)
        {
            x = x * y;
        }
        if (x < 0)
        {
            return 0;
        }
        return x;
    }

    // declAfterEarly
    [Differentiable]
    public static double DeclAfterEarly(double x, double y)
    {
        if (y == 0)
            return 1;
        double n = y;
        double a = n + x;
        double b = n, c = 2 * x;
        a *= b;
        return a + c;
    }

    // refAfterEarly
    [Differentiable]
    public static double RefAfterEarly(double x, double y)
    {
        if (y == 0)
            return 1;
        double a = x * y;
        ref double r = ref a;
        double c = r * r;
        double d = c * c;
        return d;
    }

    public struct Pair
    {
        public double A;
        public double B;
    }

    // structRefAfterEarly
    [Differentiable]
    public static double StructRefAfterEarly(double x, double y)
    {
        if (y == 0)
            return 1;
        Pair p;
        p.A = x * y;
        p.B = x + y;
        ref Pair r = ref p;
        double d = r.A * r.B;
        return d;
    }

    public struct Seeded
    {
        public double A = 1.0;
        public double B = 0.0;
        public Seeded() { }
    }

    // nontrivialRefAfterEarly
    [Differentiable]
    public static double NontrivialRefAfterEarly(double x, double y)
    {
        if (y == 0)
            return 1;
        Seeded s = new Seeded();
        s.A = x * y;
        s.B = x + y;
        ref Seeded r = ref s;
        double d = r.A * r.B;
        return d;
    }
}
