using System;
using System.Numerics;
using Backprop;

// Clad's functions keep parameters their results do not depend on (BPG016 warns of each).
#pragma warning disable BPG016

namespace Backprop.Consumer.Tests;

/// <summary>Clad's test/Gradient/FunctionCalls.C, ported to C#.</summary>
public static partial class CladFunctionCalls
{
    // A::constantFn<T>
    private static T ConstantFn<T>(T i) where T : INumber<T> => T.CreateChecked(3);

    // fn1
    [Differentiable]
    public static double Fn1(float i)
    {
        float res = ConstantFn(i);
        double a = res * i;
        return a;
    }

    // modify1
    private static double Modify1(ref double i, ref double j)
    {
        i += j;
        j += j;
        double res = i + j;
        return res;
    }

    // fn2
    [Differentiable]
    public static double Fn2(double i, double j)
    {
        double temp = 0;
        temp = Modify1(ref i, ref j);
        temp = Modify1(ref i, ref j);
        return i;
    }

    // update1
    private static void Update1(ref double i, ref double j)
    {
        i += j;
        j += j;
    }

    // fn3
    [Differentiable]
    public static double Fn3(double i, double j)
    {
        Update1(ref i, ref j);
        Update1(ref i, ref j);
        return i;
    }

    // sum
    private static float Sum(double[] arr, int n)
    {
        float res = 0;
        for (int i = 0; i < n; ++i)
            res += (float)arr[i];
        arr[0] += 10 * arr[0];
        return res;
    }

    // twice
    private static void Twice(ref double d) => d = 2 * d;

    // fn4
    [Differentiable]
    public static double Fn4(double[] arr, int n)
    {
        double res = 0;
        res += Sum(arr, n);
        for (int i = 0; i < n; ++i)
        {
            Twice(ref arr[i]);
            res += arr[i];
        }
        return res;
    }

    // modify2
    private static double Modify2(double[] arr)
    {
        arr[0] = 5 * arr[0] + arr[1];
        return 1;
    }

    // fn5
    [Differentiable]
    public static double Fn5(double[] arr, int n)
    {
        double temp = Modify2(arr);
        return arr[0];
    }

    // fn6
    [Differentiable] public static double Fn6(double i = 0, double j = 0) => i * j;

    // MyStruct::myFunction
    private static class MyStruct
    {
        public static void MyFunction() { }
    }

    // identity
    private static ref double Identity(ref double i)
    {
        MyStruct.MyFunction();
        double dI = i;
        dI += 1;
        return ref i;
    }

    // custom_identity
    private static ref double CustomIdentity(ref double i) => ref i;

#if CLAD_PORT_REJECTED
    // Rejected: BPG014 at 'Identity(ref i)'
    // Rejected: BPG014 at 'Identity(ref j)'
    // Rejected: BPG014 at 'CustomIdentity(ref i)'
    // fn7
    [Differentiable]
    public static double Fn7(double i, double j)
    {
        ref double k = ref Identity(ref i);
        ref double l = ref Identity(ref j);
        ref double temp = ref CustomIdentity(ref i);
        k += 7 * j;
        l += 9 * i;
        return i + j + temp;
    }
#endif

    // check_and_return
    private static double CheckAndReturn(double x, char c, string s)
    {
        if (c == 'a' && s[0] == 'a')
            return x;
        return 1;
    }

    // fn8
    [Differentiable] public static double Fn8(double x, double y) => CheckAndReturn(x, 'a', "aa") * y * Math.Tanh(1.0) * Math.Max(1.0, 2.0);

    // custom_max
    private static double CustomMax(in double a, in double b) => a > b ? a : b;

    // fn9
    [Differentiable] public static double Fn9(double x, double y) => CustomMax(x * y, y);

    // fn10
    [Differentiable]
    public static double Fn10(double x, double y)
    {
        double output = x;
        output = Math.Max(output, 0.0);
        output = Math.Min(output, 10.0);
        output = Math.Clamp(output, 3.0, 7.0);
        return output * y;
    }

    // n1::n2::sum, with Clad's custom pullback as a [DerivativeOf] rule
    public static double N1Sum(in double x, in double y) => x + y;

    // fn11
    [Differentiable] public static double Fn11(double x, double y) => N1Sum(x, y);

    // do_nothing
    private static double DoNothing(ReadOnlySpan<double> u, ReadOnlySpan<double> v, ReadOnlySpan<double> w) => u[0];

    // fn12
    [Differentiable] public static double Fn12(double x, double y) => DoNothing([x], default, default);

    // multiply
    private static double Multiply(ReadOnlySpan<double> a, ReadOnlySpan<double> b) => a[0] * b[0];

    // fn13
    [Differentiable]
    public static double Fn13(double[] x, ReadOnlySpan<double> w)
    {
        Span<double> wCopy = stackalloc double[2];
        for (int i = 0; i < 2; ++i) { wCopy[i] = w[i]; }
        return Multiply(x, wCopy.Slice(1));
    }

    // emptyFn
    private static void EmptyFn(ref double x, double y) { }

    // fn14
    [Differentiable]
    public static double Fn14(double x, double y)
    {
        EmptyFn(ref x, y);
        return x + y;
    }

    // fn15
    [Differentiable]
    public static double Fn15(double x, double y)
    {
        ConstantFn(y += x);
        return y;
    }

    // recFun
    private static double RecFun(double x, double y)
    {
        if (x > y)
            return RecFun(x - 1, y);
        return x * y;
    }

    // fn16
    [Differentiable] public static double Fn16(double x, double y) => RecFun(x, y);

    // add
    private static double Add(double a, ReadOnlySpan<double> b) => a + b[0];

    // fn17
    [Differentiable]
    public static double Fn17(double x, ReadOnlySpan<double> y)
    {
        x = Add(x, y);
        x = Add(x, [x]);
        return x;
    }

    // fn18
    [Differentiable] public static double Fn18(double x, double y) => SqDefinedLater(x) + SqDefinedLater(y);

    // sq_defined_later
    private static double SqDefinedLater(double x) => x * x;

    // templated_fn<T>
    private static T TemplatedFn<T>(double x) where T : IFloatingPoint<T> => T.CreateChecked(x);

    // fn19
    [Differentiable] public static double Fn19(double x) => TemplatedFn<double>(x);

    // weighted_sum
    private static double WeightedSum(ReadOnlySpan<double> x, ReadOnlySpan<double> w) => w[0] * x[0] + w[1] * x[1];

    // fn20
    [Differentiable]
    public static double Fn20(double[] x, ReadOnlySpan<double> w)
    {
        ReadOnlySpan<double> auxW = w.Slice(1);
        return WeightedSum(x, auxW);
    }

    // fn22 (Clad's custom derivative of fn22 itself has no C# counterpart: the function alone)
    [Differentiable] public static double Fn22(double x, double y) => x * y;

    // identity_with_bool
    private static double IdentityWithBool(double x, bool b) => x;

    // fn23
    [Differentiable] public static double Fn23(double x) => IdentityWithBool(x, true);

    // unused_return
    private static double UnusedReturn(ref double x) => x *= 2;

    // fn24
    [Differentiable]
    public static double Fn24(double x)
    {
        UnusedReturn(ref x);
        return x;
    }

    // fn25
    [Differentiable] public static double Fn25(double x) => x;

    // inner_func
    private static double InnerFunc(ReadOnlySpan<double> parameters, ReadOnlySpan<double> constants) => parameters[0] * constants[0];

    // fn26
    [Differentiable] public static double Fn26(double[] parameters, ReadOnlySpan<double> constants) => InnerFunc(parameters, constants);

    // mult
    private static void Mult(Span<double> x, double y)
    {
        for (int i = 0; i < 3; ++i)
        {
            x[i] *= y;
        }
    }

    // fn27
    [Differentiable]
    public static double Fn27(double u, double v)
    {
        double[] arr = { u, v, 1 };
        double sum = arr[0] * arr[1] * arr[2];
        Mult(arr, u);
        return sum + arr[2];
    }

    // nested
    private static ref double Nested(Span<double> x, double y)
    {
        Mult(x, y);
        Mult(x, 3);
        return ref x[1];
    }

#if CLAD_PORT_REJECTED
    // Rejected: BPG014 at 'Nested(arr, u)'
    // fn28
    [Differentiable]
    public static double Fn28(double u, double v)
    {
        double[] arr = { u, v, 1 };
        ref double r = ref Nested(arr, u);
        r += 2;
        return r;
    }
#endif

    // foo
    private static void Foo(Span<double> x) => x[0] = x[0] * x[0];

    // fn29
    [Differentiable]
    public static double Fn29(double[] x)
    {
        Foo(x);
        return x[0] * x[1];
    }

    // flexibleInterp
    private static double FlexibleInterp(ReadOnlySpan<double> parameters, ReadOnlySpan<double> high)
    {
        double total = 1.0;
        for (int i = 0; i < 1; ++i)
            total += parameters[i];
        return total;
    }

    // fn30
    [Differentiable] public static double Fn30(double[] parameters, ReadOnlySpan<double> xlArr) => FlexibleInterp(parameters, xlArr.Slice(2));

    // inner_function (Clad's custom pullback left out: the function differentiated as written)
    private static void InnerFunction(Span<double> output, bool flag, ReadOnlySpan<double> c)
    {
        if (flag)
            output[0] = c[0];
    }

    // fn31
    [Differentiable]
    public static double Fn31(double[] variables)
    {
        Span<double> output = stackalloc double[1];
        InnerFunction(output, true, variables);
        return output[0];
    }

    // fast_interp
    private static void FastInterp(ReadOnlySpan<double> coefs, ReadOnlySpan<double> sumParam, ReadOnlySpan<double> diffParam, Span<double> output)
    {
        ReadOnlySpan<double> sum = sumParam;
        ReadOnlySpan<double> diff = diffParam;
        double x = coefs[0];
        output[0] += x * (diff[0] + x * sum[0]);
    }

#if CLAD_PORT_REJECTED
    // Rejected: BPG014 at 'xlArr.AsSpan(1)'
    // fn32
    [Differentiable]
    public static double Fn32(double[] parameters)
    {
        double[] t3 = { parameters[0] };
        double[] t2 = new double[1];
        double[] xlArr = { 3.0, 4.0 };
        FastInterp(t3, xlArr, xlArr.AsSpan(1), t2);
        return t2[0];
    }
#endif

    // iden_func
    private static double IdenFunc(double x) => x;

    // inner_fn
    private static void InnerFn(ReadOnlySpan<double> coefs, Span<double> output)
    {
        double b = IdenFunc(coefs[0]);
        output[0] = b;
    }

    // fn33
    [Differentiable]
    public static double Fn33(double[] parameters)
    {
        Span<double> output = stackalloc double[1];
        InnerFn(parameters, output);
        return output[0];
    }

    // fnIdLoop
    [Differentiable]
    public static double FnIdLoop(double x, double y)
    {
        double a = x;
        double s = 0;
        for (int c = 0; c < 3; ++c)
            s += Identity(ref a);
        return s + y;
    }
}

public static class CladFunctionCallsRules
{
    // n1::n2::sum_pullback
    [DerivativeOf(typeof(CladFunctionCalls), nameof(CladFunctionCalls.N1Sum))]
    public static void N1SumReverse(double x, double y, double result, double dResult, ref double dX, ref double dY)
    {
        dX += dResult;
        dY += dResult;
    }
}
