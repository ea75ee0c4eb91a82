using System;
using Backprop;

// Clad's functions keep parameters their results do not depend on (BPG016 warns of each).
#pragma warning disable BPG016

namespace Backprop.Consumer.Tests;

/// <summary>Clad's test/Gradient/Loops.C, ported to C#.</summary>
public static partial class CladLoops
{
    // f1
    [Differentiable]
    public static double F1(double x)
    {
        double t = 1;
        for (int i = 0; i < 3; i++)
            t *= x;
        return t;
    }

    // f2
    [Differentiable]
    public static double F2(double x)
    {
        double t = 1;
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++)
                t *= x;
        return t;
    }

    // f3
    [Differentiable]
    public static double F3(double x)
    {
        double t = 1;
        for (int i = 0; i < 3; i++)
        {
            t *= x;
            if (i == 1)
                return t;
        }
        return t;
    }

    // f4
    [Differentiable]
    public static double F4(double x)
    {
        double t = 1;
        for (int i = 0; i < 3; t *= x)
            i++;
        return t;
    }

    // f5
    [Differentiable]
    public static double F5(double x)
    {
        for (int i = 0; i < 10; i++)
            x++;
        return x;
    }

    // f_const_local
    [Differentiable]
    public static double FConstLocal(double x)
    {
        double res = 0;
        for (int i = 0; i < 3; ++i)
        {
            double n = x + i;
            res += x * n;
        }
        return res;
    }

    // f_sum
    [Differentiable]
    public static double FSum(double[] p, int n)
    {
        double s = 0;
        for (int i = 0; i < n; i++)
            s += p[i];
        return s;
    }

    private static double Sq(double x) => x * x;

    // f_sum_squares
    [Differentiable]
    public static double FSumSquares(double[] p, int n)
    {
        double s = 0;
        for (int i = 0; i < n; i++)
            s += Sq(p[i]);
        return s;
    }

    // f_log_gaus
    [Differentiable]
    public static double FLogGaus(ReadOnlySpan<double> x, double[] p, double n, double sigma)
    {
        double power = 0;
        for (int i = 0; i < n; i++)
            power += Sq(x[i] - p[i]);
        power = -power / (2 * Sq(sigma));
        double gaus = 1.0 / Math.Sqrt(Math.Pow(2 * Math.PI, n) * sigma) * Math.Exp(power);
        return Math.Log(gaus);
    }

    // f_const
    [Differentiable]
    public static double FConst(double a, double b)
    {
        int r = 0;
        for (int i = 0; i < a; i++)
        {
            int sq = (int)(b * b);
            r += sq;
        }
        return r;
    }

    // f6
    [Differentiable]
    public static double F6(double i, double j)
    {
        double a = 0;
        for (int counter = 0; counter < 3; ++counter)
        {
            double b = i * i;
            double c = j * j;
            b += j;
            a += b + c + i;
        }
        return a;
    }

    // fn7
    [Differentiable]
    public static double Fn7(double i, double j)
    {
        double a = 0;
        int counter = 3;
        while (counter-- != 0)
            a += i * i + j;
        return a;
    }

    // fn8
    [Differentiable]
    public static double Fn8(double i, double j)
    {
        double a = 0;
        int counter = 3;
        while (counter > 0)
            do
            {
                a += i * i + j;
            } while (--counter != 0);
        return a;
    }

    // fn9
    [Differentiable]
    public static double Fn9(double i, double j)
    {
        int counter, counterAgain;
        counter = counterAgain = 3;
        double a = 0;
        while (counter-- != 0)
        {
            counterAgain = 3;
            while (counterAgain-- != 0)
            {
                a += i * i + j;
            }
        }
        return a;
    }

    // fn10: the condition's declaration 'int b = counter' as an assignment in the condition
    [Differentiable]
    public static double Fn10(double i, double j)
    {
        double a = 0;
        int counter = 3;
        int b;
        while ((b = counter) != 0)
        {
            b += (int)(i * i + j);
            a += b;
            counter -= 1;
        }
        return a;
    }

    // fn11
    [Differentiable]
    public static double Fn11(double i, double j)
    {
        int counter = 3;
        double a = 0;
        do
        {
            a += i * i + j;
            counter -= 1;
        } while (counter != 0);
        return a;
    }

    // fn12
    [Differentiable]
    public static double Fn12(double i, double j)
    {
        int counter = 3;
        double a = 0;
        do
        {
            int counterAgain = 3;
            do
            {
                a += i * i + j;
                counterAgain -= 1;
                do
                    a += j;
                while (false);
            } while (counterAgain != 0);
            counter -= 1;
        } while (counter != 0);
        return a;
    }

    // fn13
    [Differentiable]
    public static double Fn13(double i, double j)
    {
        double res = 0;
        int counter = 3;
        for (int k; (k = counter) != 0; counter -= 1)
        {
            k += (int)(i + 2 * j);
            double temp = k;
            res += temp;
        }
        return res;
    }

    // fn14
    [Differentiable]
    public static double Fn14(double i, double j)
    {
        int choice = 5;
        double res = 0;
        while (choice-- != 0)
        {
            if (choice > 3)
            {
                res += i;
                continue;
            }
            if (choice > 1)
            {
                res += j;
                continue;
            }
            if (choice > 0)
            {
                res += i * j;
                continue;
            }
        }
        return res;
    }

    // fn15
    [Differentiable]
    public static double Fn15(double i, double j)
    {
        int choice = 5;
        double res = 0;
        while (choice-- != 0)
        {
            if (choice > 2)
                continue;
            int anotherChoice = 3;
            while (anotherChoice-- != 0)
            {
                if (anotherChoice > 1)
                {
                    res += i;
                    continue;
                }
                if (anotherChoice > 0)
                {
                    res += j;
                }
            }
        }
        return res;
    }

    // fn16
    [Differentiable]
    public static double Fn16(double i, double j)
    {
        int counter = 5;
        double res = 0;
        for (int ii = 0; ii < counter; ++ii)
        {
            if (ii == 4)
            {
                res += i * j;
                break;
            }
            if (ii > 2)
            {
                res += 2 * i;
                continue;
            }
            res += i + j;
        }
        return res;
    }

    // fn17 (Clad's dead 'res += i*i*j*j' after the if/else that always leaves the iteration is left out: C# warns on it)
    [Differentiable]
    public static double Fn17(double i, double j)
    {
        int counter = 5;
        double res = 0;
        for (int ii = 0; ii < counter; ++ii)
        {
            int jj = ii;
            if (ii < 2)
                continue;
            while (jj-- != 0)
            {
                if (jj < 3)
                {
                    res += i * j;
                    break;
                }
                else
                {
                    continue;
                }
            }
        }
        return res;
    }

    // fn18
    [Differentiable]
    public static double Fn18(double i, double j)
    {
        int choice = 5;
        double res = 0;
        for (int counter = 0; counter < choice; ++counter)
            if (counter < 2)
                res += i + j;
            else if (counter < 4)
                continue;
            else
            {
                res += 2 * i + 2 * j;
                break;
            }
        return res;
    }

    // fn19
    [Differentiable]
    public static double Fn19(double[] arr, int n)
    {
        double res = 0;
        for (int i = 0; i < n; ++i)
        {
            ref double r = ref arr[i];
            res += r;
        }
        return res;
    }

    // f_loop_init_var
    [Differentiable]
    public static double FLoopInitVar(double lower, double upper)
    {
        double sum = 0;
        double numPoints = 10000;
        double interval = (upper - lower) / numPoints;
        for (double x = lower; x <= upper; x += interval)
        {
            sum += x * x * interval;
        }
        return sum;
    }

    // fn20
    [Differentiable]
    public static double Fn20(double[] arr, int n)
    {
        double res = 0;
        for (int i = 0; i < n; ++i)
        {
            res += (arr[i] *= 5);
        }
        return res;
    }

    // fn21
    [Differentiable]
    public static double Fn21(double x)
    {
        double res = 0;
        for (int i = 0; i < 5; ++i)
        {
            double[] arr = { 1, x, 2 };
            res += arr[0] + arr[1];
        }
        return res;
    }

    // fn22
    [Differentiable]
    public static double Fn22(double param)
    {
        double output = 0.0;
        for (int i = 0; i < 1; i++)
        {
            double[] arr = { 1.0 };
            output += arr[0] * param;
        }
        return output;
    }

    // fn23
    [Differentiable]
    public static double Fn23(double i, double j)
    {
        double res = 0;
        for (int c = 0; (res = i * j) != 0; ++c)
        {
            if (c == 1)
                break;
        }
        return res;
    }

    // fn26
    [Differentiable]
    public static double Fn26(double i, double j)
    {
        double res = 0;
        for (int c = 0; (res += i * j) != 0; ++c, res = 7 * i * j)
        {
            if (c == 0)
                break;
        }
        return res;
    }

    // fn27
    [Differentiable]
    public static double Fn27(double i, double j)
    {
        double res = 0;
        for (int c = 0; (res += i * j) != 0; ++c)
        {
            if (c == 2)
                break;
            res = c * i * j;
        }
        return res;
    }

    // fn30
    [Differentiable]
    public static double Fn30(double i, double j)
    {
        double res = 0;
        for (int c = 0; (c == 0) && (res = i * j) != 0; ++c) { }
        return res;
    }

    // fn32
    [Differentiable]
    public static double Fn32(double i, double j)
    {
        double res = 0;
        for (int c = 0; (res += i * j) != 0; ++c)
        {
            for (int d = 0; (res += i * j) != 0; ++d)
            {
                if (d == 1)
                {
                    res += i * j;
                    break;
                }
            }
            if (c == 1)
            {
                res += i * j;
                break;
            }
        }
        return res;
    }

    // fn33
    [Differentiable]
    public static double Fn33(double i, double j)
    {
        double res = 0;
        for (int c = 0; (res = i * j) != 0; ++c)
        {
            if ((res += i * j) != 0 && (c == 1))
            {
                break;
            }
            if ((c == 0) && (res += i * j) != 0)
            {
                break;
            }
        }
        return res;
    }

    // fn34
    [Differentiable]
    public static double Fn34(double x, double y)
    {
        double r = 0;
        double[] a = { y, x * y, x * x + y };
        foreach (ref double i in a.AsSpan())
        {
            r += i * i;
        }
        return r;
    }

    // fn35
    [Differentiable]
    public static double Fn35(double x, double y)
    {
        double r = 0;
        double[] a = { x, x * y, 0 };
        foreach (double i in a)
        {
            foreach (double j in a)
            {
                if (r <= x * x)
                {
                    r += i * j;
                }
                else if (r > x * x)
                {
                    break;
                }
            }
        }
        return r;
    }

    // fn36
    [Differentiable]
    public static double Fn36(double x, double y)
    {
        double[] a = { 1, 2, 3 };
        double sum = 0;
        foreach (double i in a)
        {
            if (sum > x)
            {
                continue;
            }
            else
            {
                sum += Math.Sin(i) * x;
            }
        }
        return sum;
    }

    // fn37
    [Differentiable]
    public static double Fn37(double x, double y)
    {
        double[] range = { x, 4.0, y };
        double sum = 0;
        foreach (double elem in range)
            sum += elem;
        return sum;
    }

    // fn38
    [Differentiable]
    public static double Fn38(double x, double y)
    {
        double sum = 0;
        if (x > 0)
        {
            ReadOnlySpan<double> range = [1.0, x, 2.0, y, 3.0];
            foreach (double elem in range)
                sum += elem;
        }
        return sum;
    }

    // fn39
    [Differentiable]
    public static double Fn39(double x)
    {
        double res = 0;
        int[] range = { 1, 2, 3 };
        for (int i = 0; i != range.Length; i++)
        {
            res += x * range[i];
        }
        return res;
    }

    // fn40
    [Differentiable]
    public static double Fn40(double u, double v)
    {
        double res = 11 * u;
        for (int i = 0; i < 3; i++)
        {
            res += u * i;
            continue;
        }
        return res;
    }

    // fn41
    [Differentiable]
    public static double Fn41(double u, double v)
    {
        double res = 0;
        for (int i = 1; i < 3; i++)
        {
            res += i * u;
            if (i == 1)
                break;
        }
        return res;
    }

    // fn42: struct tmp and struct layer (a std::vector<tmp>) as an array of structs
    public struct Tmp
    {
        public float Z;
        public Tmp(float val) { Z = val; }
        public readonly float Forward(float x) => x + Z;
    }

    private static float LayerForward(ReadOnlySpan<Tmp> w, float inp)
    {
        float x = inp;
        for (int i = 0; i < w.Length; i++)
        {
            x = w[i].Forward(x);
        }
        return x;
    }

#if CLAD_PORT_REJECTED
    // Rejected: BPG014 at 'w'
    [Differentiable] public static float Fn42(Tmp[] w, float x) => LayerForward(w, x);
#endif

    // fn43
    [Differentiable]
    public static double Fn43(double[] x, double y)
    {
        double output = 0.0;
        for (int i = 0; i < 3; i++)
        {
            double t4 = x[i];
            output += 1.0 / t4;
        }
        return output;
    }

    // fn44
    [Differentiable]
    public static double Fn44(double u, double v)
    {
        double sum = 0;
        for (int i = 0; i != 1;)
        {
            sum += u + v;
            break;
        }
        return sum;
    }

    // fn45
    [Differentiable]
    public static double Fn45(double x, double y)
    {
        double sum = 0;
        for (int i = 0; i < 100; ++i)
        {
            double t1 = x;
            double t2 = y / t1;
            sum += Math.Pow(t2, 2);
        }
        return sum;
    }

    // fn46
    [Differentiable]
    public static double Fn46(double x, double y)
    {
        double sum = 0;
        int i = 0;
        while (i < 50)
        {
            double t1 = x;
            double t2 = y / t1;
            sum += Math.Pow(t2, 2);
            ++i;
        }
        do
        {
            double t1 = x;
            double t2 = y / t1;
            sum += Math.Pow(t2, 2);
            ++i;
        } while (i < 100);
        return sum;
    }
}
