using System;
using Backprop;

// Clad's functions keep parameters their results do not depend on (BPG016 warns of each).
#pragma warning disable BPG016

namespace Backprop.Consumer.Tests;

/// <summary>Clad's test/Gradient/Gradients.C, ported to C#: each function under the name Clad gives it.</summary>
public static partial class CladGradients
{
    // f_add1
    [Differentiable] public static double FAdd1(double x, double y) => x + y;
    // f_add2
    [Differentiable] public static double FAdd2(double x, double y) => 3 * x + 4 * y;
    // f_add3
    [Differentiable] public static double FAdd3(double x, double y) => 3 * x + 4 * y * 4;
    // f_sub1
    [Differentiable] public static double FSub1(double x, double y) => x - y;
    // f_sub2
    [Differentiable] public static double FSub2(double x, double y) => 3 * x - 4 * y;
    // f_mult1
    [Differentiable] public static double FMult1(double x, double y) => x * y;
    // f_mult2
    [Differentiable] public static double FMult2(double x, double y) => 3 * x * 4 * y;
    // f_div1
    [Differentiable] public static double FDiv1(double x, double y) => x / y;
    // f_div2
    [Differentiable] public static double FDiv2(double x, double y) => 3 * x / (4 * y);
    // f_div3
    [Differentiable] public static double FDiv3(double x, double y) => (x = y) / (y * y);
    // f_c
    [Differentiable] public static double FC(double x, double y) => -x * y + (x + y) * (x / y) - x * x;
    // f_rosenbrock
    [Differentiable] public static double FRosenbrock(double x, double y) => (x - 1) * (x - 1) + 100 * (y - x * x) * (y - x * x);
    // f_cond1
    [Differentiable] public static double FCond1(double x, double y) => x > y ? x : y;
    // f_cond2
    [Differentiable] public static double FCond2(double x, double y) => x > y ? x : (y > 0 ? y : -y);
    // f_cond3
    [Differentiable] public static double FCond3(double x, double c) => c > 0 ? x + c : x - c;

    // f_cond4
    [Differentiable]
    public static double FCond4(double x, double y)
    {
        int i = 0;
        double[] arr = { x, y };
        if (x > 0)
        {
            y = arr[i] * x;
        }
        return y;
    }

    // f_if1
    [Differentiable]
    public static double FIf1(double x, double y)
    {
        if (x > y)
            return x;
        else
            return y;
    }

    // f_if2
    [Differentiable]
    public static double FIf2(double x, double y)
    {
        if (x > y)
            return x;
        else if (y > 0)
            return y;
        else
            return -y;
    }

    // sum_of_powers (with Clad's custom pullback, here a [DerivativeOf] rule)
    public static double SumOfPowers(double x, double y, double z, double p) => Math.Pow(x, p) + Math.Pow(y, p) + Math.Pow(z, p);

    [DerivativeOf(typeof(CladGradients), nameof(SumOfPowers))]
    public static void SumOfPowersReverse(double x, double y, double z, double p, double result, double dResult,
        ref double dX, ref double dY, ref double dZ, ref double dP)
    {
        dX += p * Math.Pow(x, p - 1) * dResult;
        dY += p * Math.Pow(y, p - 1) * dResult;
        dZ += p * Math.Pow(z, p - 1) * dResult;
        dP += (Math.Pow(x, p) * Math.Log(x) + Math.Pow(y, p) * Math.Log(y) + Math.Pow(z, p) * Math.Log(z)) * dResult;
    }

    // f_norm
    [Differentiable] public static double FNorm(double x, double y, double z, double d) => Math.Pow(SumOfPowers(x, y, z, d), 1 / d);
    // f_pow_zero
    [Differentiable] public static double FPowZero(double x, double y) => Math.Pow(x, y);
    // f_sin
    [Differentiable] public static double FSin(double x, double y) => (Math.Sin(x) + Math.Sin(y)) * (x + y);
#if CLAD_PORT_REJECTED
    // Rejected: BPG014 at '(uint)(x + y + z)'
    // f_types: unsigned result, so a piecewise-constant function of y and z
    [Differentiable] public static double FTypes(int x, float y, double z) => (uint)(x + y + z);
#endif

    // f_decls1
    [Differentiable]
    public static double FDecls1(double x, double y)
    {
        double a = 3 * x;
        double b = 5 * y;
        double c = a + b;
        return 2 * c;
    }

    // f_decls2
    [Differentiable]
    public static double FDecls2(double x, double y)
    {
        double a = x * x;
        double b = x * y;
        double c = y * y;
        return a + 2 * b + c;
    }

    // f_decls3
    [Differentiable]
    public static double FDecls3(double x, double y)
    {
        double a = 3 * x;
        double c = 333 * y;
        if (x > 1)
            return 2 * a;
        else if (x < -1)
            return -2 * a;
        double b = a * a;
        return b;
    }

    // f_issue138
    [Differentiable]
    public static double FIssue138(double x, double y)
    {
#pragma warning disable CS0219 // Clad's unused local, named like its temporaries
        double _t1 = 1;
#pragma warning restore CS0219
        return x * x * x * x + y * y * y * y;
    }

    // f_const
    [Differentiable] public static double FConst(double a, double b) => a * b;

    // f_const_reference
    [Differentiable]
    public static double FConstReference(double i, double j)
    {
        double a = i;
        ref readonly double ar = ref a;
        double res = 2 * ar;
        return res;
    }

    // f_const02
    [Differentiable]
    public static double FConst02(double i, double j)
    {
        double a = i;
        double res = a;
        return res;
    }

    // running_sum
    [Differentiable]
    public static float RunningSum(float[] p, int n)
    {
        for (int i = 1; i < n; i++)
        {
            p[i] += p[i - 1];
        }
        return p[n - 1];
    }

    public static double Global = 7;

    // fn_global_var_use
    [Differentiable]
    public static double FnGlobalVarUse(double i, double j)
    {
        ref double r = ref Global;
        return r * i;
    }

    // fn_increment_in_return
    [Differentiable]
    public static double FnIncrementInReturn(double i, double j)
    {
        double temp = i;
        return (++i) * temp;
    }

    // fn_template_non_type<15>: the template argument as a constant
    private const int N = 15;

    [Differentiable]
    public static double FnTemplateNonType(double x)
    {
        const int maxN = 53;
        const int m = maxN < N ? maxN : N;
        return x * m;
    }

    // fn_div
    [Differentiable] public static double FnDiv(double x) => -0.5 / x;

    // fn_cond_decl
    [Differentiable]
    public static double FnCondDecl(double x, double y)
    {
        int flag = 1;
        int cond = flag;
        if (cond != 0)
            return y * y;
        return x * x + y * y;
    }

    // fn_cond_side_eff
    [Differentiable]
    public static double FnCondSideEff(double x)
    {
        if ((x += x) != 0)
        {
            return x;
        }
        return x;
    }

    // fn_cond_init
    [Differentiable]
    public static double FnCondInit(double x)
    {
        int a = 12;
        if (a <= 0)
        {
            return x + x * x;
        }
        return x;
    }

    // fn_null_stmts
    [Differentiable]
    public static double FnNullStmts(double x)
    {
        return x;
    }

    // fn_const_cond_op
    [Differentiable] public static double FnConstCondOp(double x) => x + (x > 0 ? 1.0 : 0.0);

    // fn_empty_if_block
    [Differentiable]
    public static double FnEmptyIfBlock(double x)
    {
        double res = 0;
        if (x > 0) { }
        return res;
    }

    // fn_empty_if_else
    [Differentiable]
    public static double FnEmptyIfElse(double x)
    {
        double res = 0;
        if ((res = 0) != 0) { }
        else
        {
            res = 5 * x;
        }
        return res;
    }

    // fn_cond_false
    [Differentiable]
    public static double FnCondFalse(double i, double j)
    {
        double res = 0;
        if (i * j != 0 && res > 0)
        {
            res = 6 * i * j;
        }
        return res;
    }

    // fn_cond_add_assign
    [Differentiable]
    public static double FnCondAddAssign(double i, double j)
    {
        double res = 0;
        if ((res = 2 * i * j) != 0 && (res += 3 * i * j) != 0 && (res += 5 * i * j) != 0)
        {
            res += 6 * i * j;
        }
        return res;
    }

    // f_mult3
    [Differentiable]
    public static double FMult3(double i, double j)
    {
        i = (i + j) * (i < 10 ? i : j);
        return i;
    }

    // f_const_denom
    [Differentiable]
    public static double FConstDenom(double x, double y)
    {
        const double m = 0.5;
        return x * y / m;
    }

    // f_ref_in_rhs
    [Differentiable]
    public static double FRefInRhs(double x, double y)
    {
        if (x != 55)
        {
            ref double refX = ref x;
            ref double refY = ref y;
            return refY * (refX + y);
        }
        return 1;
    }

    public static double Glob1 = 5;

    private static double G(double a, double b)
    {
        Glob1 = b;
        return a;
    }

#if CLAD_PORT_REJECTED
    // Rejected: BPG023 at 'Glob1'
    // f_reuse_global
    [Differentiable]
    public static double FReuseGlobal(double x, double t)
    {
        t = G(t, x);
        Glob1 *= t;
        return -Glob1;
    }
#endif

    // f_static_assert
    [Differentiable]
    public static double FStaticAssert(double x, double y)
    {
        System.Diagnostics.Debug.Assert(sizeof(double) == 8, "unexpected double size");
        return x + y;
    }

    // f_infinity
    [Differentiable]
    public static double FInfinity(double x, double y)
    {
        const double inf = double.PositiveInfinity;
        if (x < inf)
            return y;
        return x + y;
    }
}

/// <summary>Gradients.C's struct S: a member function differentiated with respect to its arguments and this.</summary>
public partial struct CladGradientsS
{
    public double C1;
    public double C2;

    // S::f
    [Differentiable] public double F(double x, double y) => C1 * x + C2 * y;
}
