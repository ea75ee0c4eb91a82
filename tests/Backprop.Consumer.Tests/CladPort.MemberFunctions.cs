using System;
using Backprop;

// Clad's functions keep parameters their results do not depend on (BPG016 warns of each).
#pragma warning disable BPG016

namespace Backprop.Consumer.Tests;

/// <summary>
/// Clad's test/Gradient/MemberFunctions.C, ported to C#: classes used by value are structs. Of SimpleFunctions' 24
/// cv-, ref- and noexcept-qualified copies of mem_fn only mem_fn and const_mem_fn (readonly) have a C# meaning.
/// </summary>
public partial struct CladSimpleFunctions
{
    public double X, Y;

    public CladSimpleFunctions(double pX = 0, double pY = 0) { X = pX; Y = pY; }

    // SimpleFunctions::mem_fn
    [Differentiable] public double MemFn(double i, double j) => (X + Y) * i + i * j;

    // SimpleFunctions::const_mem_fn
    [Differentiable] public readonly double ConstMemFn(double i, double j) => (X + Y) * i + i * j;

    // SimpleFunctions::partial_mem_fn
    [Differentiable] public double PartialMemFn(double i, [NoDerivative] double j) => (X + Y) * i + i * j;

    // SimpleFunctions::static_mem_fn
    [Differentiable] public static double StaticMemFn(double u, double v) => u + v;

    // SimpleFunctions::ref_mem_fn
    public double RefMemFn(double i)
    {
        X = +i;
        X = -i;
        return X;
    }

    // SimpleFunctions::operator+= (C# compound assignment goes through operator +)
    public static CladSimpleFunctions operator +(CladSimpleFunctions s, double value) => new(s.X + value, s.Y);

    // SimpleFunctions::operator++
    public static CladSimpleFunctions operator ++(CladSimpleFunctions s) => new(s.X + 1.0, s.Y);
}

public static partial class CladMemberFunctions
{
    // fn
    [Differentiable] public static double Fn(double i, double j) => i * i * j;

    // fn2
    [Differentiable] public static double Fn2(CladSimpleFunctions sf, double i) => sf.RefMemFn(i);

    // fn3
    [Differentiable]
    public static double Fn3(double x, double y, double i, double j)
    {
        CladSimpleFunctions sf = new(x, y);
        return sf.MemFn(i, j);
    }

    // fn5
    [Differentiable]
    public static double Fn5(CladSimpleFunctions v, double value)
    {
        v += value;
        return v.X;
    }

    // fn4
    [Differentiable]
    public static double Fn4(CladSimpleFunctions v)
    {
        ++v;
        return v.X;
    }

    // SafeTestClass
    public struct SafeTestClass
    {
        public SafeTestClass(ref double x) { }
        public SafeTestClass(double x, out double y) { y = x; }
    }

#if CLAD_PORT_REJECTED
    // Rejected: BPG015 at 'new SafeTestClass(u, out v)'
    // Rejected: BPG015 at 'new SafeTestClass(ref w)'
    // fn6
    [Differentiable]
    public static double Fn6(double u, double v)
    {
        ref double w = ref u;
        SafeTestClass s1 = new SafeTestClass();
        SafeTestClass s2 = new SafeTestClass(u, out v);
        SafeTestClass s3 = new SafeTestClass(ref w);
        return v;
    }
#endif

    // fn7
    [Differentiable] public static double Fn7(double u, double v) => CladSimpleFunctions.StaticMemFn(u, v);

    // S
    public struct S
    {
        public double Val;
        public bool Flag;
        public readonly bool Cond(in double t) => t > 0 || Flag;
        public readonly double GetVal() => Val;
        public static S operator -(S s, double x) => new S { Val = s.Val - x, Flag = s.Flag };
    }

    // fn8
    [Differentiable]
    public static double Fn8(double x, double y)
    {
        S s = new S { Val = x, Flag = false };
        if (s.Cond(y))
            return 0;
        return y;
    }

    // fn9 (new S on the heap: a value here)
    [Differentiable]
    public static double Fn9(double x, double y)
    {
        S s = new S { Val = x, Flag = false };
        double res = s.GetVal();
        return res;
    }

    // fn10
    [Differentiable]
    public static double Fn10(double x, double y)
    {
        S s = new S { Val = x, Flag = false };
        return ((s - 4 * x) - y).GetVal();
    }

    // A
    public struct A
    {
        public double Data;
        public void Increment() { Data++; }
        public void SetData(double u) { Data = u; }
    }

    // fn11
    [Differentiable]
    public static double Fn11(double u, double v)
    {
        double res = 0;
        A a = new A();
        a.SetData(u);
        res += a.Data * v;
        a.Increment();
        return res;
    }

    // B
    public struct B
    {
        public float M;
        public readonly void Scale(ReadOnlySpan<float> input, Span<float> output) { output[0] = input[0] * M; }
    }

    // fn12
    [Differentiable]
    public static float Fn12(B b, [NoDerivative] float[] input)
    {
        Span<float> res = stackalloc float[1];
        b.Scale(input, res);
        return res[0] + 3;
    }
}
