using System;
using Backprop;

// Clad's functions keep parameters their results do not depend on (BPG016 warns of each).
#pragma warning disable BPG016

namespace Backprop.Consumer.Tests;

/// <summary>Clad's test/Gradient/Switch.C, ported to C# (fall-through as goto case / goto default).</summary>
public static partial class CladSwitch
{
    // fn1
    [Differentiable]
    public static double Fn1(double i, double j)
    {
        double res = 0;
        int count = 1;
        switch (count)
        {
            case 0: res += i * j; break;
            case 1: res += i * i; goto case 2;
            case 2: res += j * j; goto default;
            default: res += i * i * j * j; break;
        }
        return res;
    }

    // fn2 (Clad's statements before the first label never run: left out)
    [Differentiable]
    public static double Fn2(double i, double j)
    {
        double res = 0;
        int count = 2;
        switch (count)
        {
            case 0: res += i; break;
            case 1: res += j; goto case 2;
            case 2: res += i * j; break;
            default: res += i + j; break;
        }
        return res;
    }

    // fn3
    [Differentiable]
    public static double Fn3(double i, double j)
    {
        double res = 0;
        int counter = 2;
        while (counter-- != 0)
        {
            switch (counter)
            {
                case 0: res += i * i * j * j; goto case 1;
                case 1:
                    {
                        res += i * i;
                    }
                    break;
                case 2: res += j * j; goto default;
                default: res += i + j; break;
            }
        }
        return res;
    }

    // fn4
    [Differentiable]
    public static double Fn4(double i, double j)
    {
        double res = 0;
#pragma warning disable CS0162 // Clad's constant switch
        switch (1)
        {
            case 0: res += i * i * j * j; break;
            case 1:
                int counter = 2;
                while (counter-- != 0)
                {
                    res += i * j;
                }
                break;
        }
#pragma warning restore CS0162
        return res;
    }

    // fn5
    [Differentiable]
    public static double Fn5(double i, double j)
    {
        double res = 0;
        int count = 1;
        switch (count)
        {
            case 1:
                res += i * j;
                break;
        }
        return res;
    }

    // fn6
    [Differentiable]
    public static double Fn6(double u, double v)
    {
        int res = 0;
#pragma warning disable CS0219 // Clad's temp, assigned and never read
        double temp = 0;
#pragma warning restore CS0219
        switch (res = (int)(u * v))
        {
            default:
                temp = 1;
                break;
        }
        return res;
    }

    // fn7
    [Differentiable]
    public static double Fn7(double u, double v)
    {
        double res = 0;
        for (int i = 0; i < 5; ++i)
        {
            switch (i)
            {
                case 0:
                case 1:
                case 2:
                    res += u;
                    break;
                case 3:
                default:
                    res += v;
                    break;
            }
        }
        return res;
    }

    public enum Op { Add, Sub, Mul, Div }

    // fn24
    [Differentiable]
    public static double Fn24(double x, double y, Op op)
    {
        double res = 0;
        switch (op)
        {
            case Op.Add:
                res = x + y;
                break;
            case Op.Sub:
                res = x - y;
                break;
            case Op.Mul:
                res = x * y;
                break;
            case Op.Div:
                res = x / y;
                break;
        }
        return res;
    }

    // switchReturn
    [Differentiable]
    public static double SwitchReturn(double x, double y, int k)
    {
        switch (k)
        {
            case 0: return x * x;
            case 1: return x * y;
            default: return y * y;
        }
    }
}
