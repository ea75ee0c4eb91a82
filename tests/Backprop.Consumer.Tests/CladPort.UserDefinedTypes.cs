using System;
using System.Numerics;
using Backprop;

// Clad's functions keep parameters their results do not depend on (BPG016 warns of each).
#pragma warning disable BPG016

namespace Backprop.Consumer.Tests;

/// <summary>
/// Clad's test/Gradient/UserDefinedTypes.C, ported to C#: std::pair as a value tuple, std::complex as
/// System.Numerics.Complex, classes used by value as structs, Tangent (a class with a double[5] member) as a class
/// holding an array. Not portable: a union (fn13), struct results (fn12) and void functions (fn20), pointers held in
/// structs (fn26, fn31, fn32, fn35), a conversion operator returning a reference (fn34).
/// </summary>
public static partial class CladUserDefinedTypes
{
    // fn1
    [Differentiable]
    public static double Fn1((double First, double Second) p, double i)
    {
        double res = p.First + 2 * p.Second + 3 * i;
        return res;
    }

    public sealed class Tangent
    {
        public double[] Data = new double[5];

        public void UpdateTo(double d)
        {
            for (int i = 0; i < 5; ++i)
                Data[i] = d;
        }

        public double SomeMemFn2(double i, double j) => Data[0] * i + Data[1] * i * j;
    }

    private static double Sum(Tangent t)
    {
        double res = 0;
        for (int i = 0; i < 5; ++i)
            res += t.Data[i];
        return res;
    }

    private static double Sum(ReadOnlySpan<double> data)
    {
        double res = 0;
        for (int i = 0; i < 5; ++i)
            res += data[i];
        return res;
    }

#if CLAD_PORT_REJECTED
    // Rejected: BPG014 at 't.Data'
    // fn2
    [Differentiable]
    public static double Fn2(Tangent t, double i)
    {
        double res = Sum(t);
        res += Sum(t.Data) + i + 2 * t.Data[0];
        return res;
    }
#endif

#if CLAD_PORT_REJECTED
    // Rejected: BPG018 at 't = new Tangent()'
    // fn3
    [Differentiable]
    public static double Fn3(double i, double j)
    {
        Tangent t = new Tangent();
        t.Data[0] = 2 * i;
        t.Data[1] = 5 * i + 3 * j;
        return Sum(t);
    }
#endif

    // fn4
    [Differentiable]
    public static double Fn4(double i, double j)
    {
        (double First, double Second) p = (1, 3);
        (double First, double Second) q = (7, 5);
        return p.First * i + p.Second * j + q.First * i + q.Second * j;
    }

#if CLAD_PORT_REJECTED
    // Rejected: BPG010 at 't.SomeMemFn2(i, i)'
    // fn5
    [Differentiable] public static double Fn5(Tangent t, double i) => t.SomeMemFn2(i, i);
#endif

#if CLAD_PORT_REJECTED
    // Rejected: BPG034 at 'c'
    // fn6
    [Differentiable]
    public static double Fn6(Complex c, double i)
    {
        c = new Complex(5 * i, c.Imaginary);
        double res = c.Real + 3 * c.Imaginary + 6 * i;
        res += 4 * c.Real;
        return res;
    }
#endif

#if CLAD_PORT_REJECTED
    // Rejected: BPG034 at 'c1'
    // Rejected: BPG034 at 'c2'
    // fn7
    [Differentiable]
    public static double Fn7(Complex c1, Complex c2)
    {
        c1 = new Complex(c2.Imaginary + 5 * c2.Real, c1.Imaginary);
        return c1.Real + 3 * c1.Imaginary;
    }
#endif

#if CLAD_PORT_REJECTED
    // Rejected: BPG034 at 'c'
    // fn8
    [Differentiable]
    public static double Fn8(Tangent t, Complex c)
    {
        t.UpdateTo(c.Real);
        return Sum(t);
    }
#endif

#if CLAD_PORT_REJECTED
    // Rejected: BPG034 at 'c'
    // fn9
    [Differentiable]
    public static double Fn9(Tangent t, Complex c)
    {
        double res = 0;
        for (int i = 0; i < 5; ++i)
        {
            res += c.Real + 2 * c.Imaginary;
        }
        res += Sum(t);
        return res;
    }
#endif

    // fn10
    [Differentiable]
    public static double Fn10(double x, double y)
    {
        ref double ptr = ref x;
        ptr += 6;
        return ptr;
    }

    // fn11 (operator+(double, Tangent) as a method: C# operators need an operand of their own type)
    private static double Plus(double x, Tangent t) => x + t.Data[0];

#if CLAD_PORT_REJECTED
    // Rejected: BPG010 at 'Plus(x, t)'
    [Differentiable]
    public static double Fn11(double x, double y)
    {
        Tangent t = new Tangent();
        t.Data[0] = -y;
        return Plus(x, t);
    }
#endif

    public struct MyStruct
    {
        public double A;
        public double B;
    }

    // fn14
    [Differentiable]
    public static double Fn14(double x, double y)
    {
        MyStruct s = new MyStruct { A = 2 * y, B = 3 * x + 2 };
        return s.A * s.B;
    }

    // fn15
    [Differentiable]
    public static double Fn15(double x, double y)
    {
        double[] elements = new double[2];
        return elements[0];
    }

    public struct SimpleFunctions1
    {
        public double X;
        public double Y;
        public SimpleFunctions1(double pX) { X = pX; Y = 0; }
        public SimpleFunctions1(double pX, double pY) { X = pX; Y = pY; }
        public readonly double MemFn1(double i, double j) => (X + Y) * i + i * j * j;
        public readonly double MemFn(double i, double j) => (X + Y) * i + i * j;
        public static SimpleFunctions1 operator +(SimpleFunctions1 a, SimpleFunctions1 other)
        {
            SimpleFunctions1 res = new(a.X + other.X, a.Y + other.Y);
            return res;
        }
        public static SimpleFunctions1 operator *(SimpleFunctions1 a, SimpleFunctions1 rhs) => new(a.X * rhs.X, a.Y * rhs.Y);
    }

    // fn16
    [Differentiable]
    public static double Fn16(double i, double j)
    {
        SimpleFunctions1 obj1 = new(2, 3);
        SimpleFunctions1 obj2 = new(3, 5);
        return (obj1 + obj2).MemFn1(i, j);
    }

    // fn17
    [Differentiable]
    public static double Fn17(double i, double j)
    {
        SimpleFunctions1 sf = new(3, 5);
        return sf.MemFn(i, j);
    }

    // fn18
    [Differentiable]
    public static double Fn18(double i, double j)
    {
        SimpleFunctions1 sf = new(3 * i, 5 * j);
        return sf.MemFn(i, j);
    }

    // fn19
    [Differentiable]
    public static double Fn19(double i, double j)
    {
        SimpleFunctions1 sf1 = new(3, 5);
        SimpleFunctions1 sf2 = new(i, j);
        return (sf1 * sf2).MemFn(i, j);
    }

    // Identity (operator() as a method)
    public struct Identity
    {
        public readonly double Invoke(double u) => u + 1;
    }

#if CLAD_PORT_REJECTED
    // Rejected: BPG010 at 'di.Invoke(x)'
    // fn21
    [Differentiable]
    public static double Fn21(double x, double y)
    {
        Identity di = new Identity();
        double val = di.Invoke(x);
        return val * val;
    }
#endif

    public struct StructNoDefConstr
    {
        public StructNoDefConstr(int i) { }
    }

    // fn22
    [Differentiable]
    public static double Fn22(double x)
    {
        StructNoDefConstr t = new StructNoDefConstr(0);
        return x;
    }

    public struct BData
    {
        public double Data;
    }

    private static double Add(BData b, double u) => b.Data + u;

    // fn23
    [Differentiable]
    public static double Fn23(double u, double v)
    {
        BData b = new BData();
        b.Data = v;
        double res = 0;
        res = Add(b, u);
        return res;
    }

    public struct Vec3
    {
        public double X, Y, Z;
        public Vec3(double px = 0, double py = 0, double pz = 0) { X = px; Y = py; Z = pz; }
        public static Vec3 operator -(Vec3 v) => new(-v.X, -v.Y, -v.Z);
        public static Vec3 operator *(double a, Vec3 v) => new(a * v.X, a * v.Y, a * v.Z);
    }

    // fn24
    [Differentiable]
    public static double Fn24(double x, double y)
    {
        Vec3 v = new(x, x, y);
        Vec3 w = 2 * v;
        return w.X;
    }

    // fn25
    [Differentiable]
    public static double Fn25(double x, double y)
    {
        Vec3 v = new(x, x, y);
        Vec3 w = -v;
        return w.X;
    }

    public struct MyStructWrapper
    {
        public MyStruct Val;
    }

    // fn27
    [Differentiable]
    public static double Fn27(double x, double y)
    {
        MyStructWrapper s;
        s = new MyStructWrapper { Val = new MyStruct { A = 2 * y, B = 3 * x + 2 } };
        return s.Val.A * s.Val.B;
    }

    private static double VecSum(in Vec3 v) => v.X + v.Y + v.Z;

    // fn28
    [Differentiable]
    public static double Fn28(double x, double y)
    {
        double z = VecSum(new Vec3(x, y, x));
        return z;
    }

    public sealed class Session
    {
        public float[] Factors = { 9, 8, 7, 6, 5 };
    }

    // fn29
    [Differentiable]
    public static float Fn29(float[] input, Session session)
    {
        Session sess = session;
        Span<float> buffer = stackalloc float[5];
        const int n = 5;
        for (int id = 0; id < n; id++)
        {
            buffer[id] = sess.Factors[id] * input[id];
        }
        float output = 0.0f;
        for (int id = 0; id < n; id++)
        {
            output += input[id];
        }
        return output;
    }

    private static ref MyStruct ObjRef(ref MyStruct s) => ref s;

    // fn30
    [Differentiable]
    public static double Fn30(double x, double y)
    {
        MyStruct a = new MyStruct { A = x, B = y };
        return ObjRef(ref a).B;
    }

    public class PIBase
    {
        private readonly double _pi = 3.14;
        public double GetPi() => _pi;
    }

    public sealed class PI : PIBase
    {
        public double GetFourPi()
        {
            double tmp1 = ((PIBase)this).GetPi();
            double tmp2 = (this as PIBase).GetPi();
            double tmp3 = ((PIBase)this).GetPi();
            double tmp4 = ((PIBase)this).GetPi();
            return 2 * (tmp1 + tmp2 + tmp3 + tmp4);
        }
    }

    // fn33
    [Differentiable]
    public static double Fn33(double x)
    {
        PI pi = new PI();
        return x + pi.GetFourPi();
    }

    public sealed class PrivClass
    {
        private readonly int _n;
        public PrivClass(int n) { _n = n; }
        public double Multiply(double x) => _n * x;
    }

#if CLAD_PORT_REJECTED
    // Rejected: BPG010 at 'e.Multiply(x)'
    // fn36
    [Differentiable]
    public static double Fn36(double x, int n)
    {
        PrivClass e = new PrivClass(n);
        return e.Multiply(x);
    }
#endif
}
