using System;
using Backprop;

namespace Backprop.Consumer.Tests;

/// <summary>One [Differentiable] method per language feature the generator supports.</summary>
public static partial class FeatureFunctions
{
    private const double Scale = 1.5;

    [Differentiable]
    public static double Rosenbrock(double x, double y)
    {
        double a = 1 - x;
        double b = y - x * x;
        return a * a + 100 * b * b;
    }

    [Differentiable]
    public static double CompoundAssignments(double x, double y)
    {
        double z = x;
        z += y * 2;
        z -= x * y;
        z *= z;
        z /= 1 + y * y;
        z++;
        z--;
        z++;
        return -z * Scale;
    }

    [Differentiable]
    public static double CastsBetweenFloatAndDouble(double x, float f)
    {
        float g = (float)x * f;
        double h = g + (double)f * x;
        return h * (float)h;
    }

    [Differentiable]
    public static double IntegerAndBooleanLocals(double x, double y, int n)
    {
        int k = n * 2 + 1;
        bool big = x > y;
        double z = big ? x * k : y * k;
        if (big && k > 2 || !big && x < -10) z += 1;
        return z * x;
    }

    [Differentiable]
    public static double NestedBranches(double x, double y)
    {
        double z = x * y;
        if (x > 0)
        {
            if (y > 0) z = Math.Sin(z);
            else z = Math.Cos(z) * x;
        }
        else if (y > 0)
        {
            z = z * z;
        }
        else
        {
            z -= x;
        }
        return z + y;
    }

    [Differentiable]
    public static double EarlyReturns(double x, double y)
    {
        if (x > 1) return x * y;
        double z = Math.Exp(x);
        if (y < 0)
        {
            if (x < -1) return z;
            z *= y;
        }
        return z + x;
    }

    [Differentiable]
    public static double ConditionalOperator(double x, double y) => x > y ? x * x : (y < 0 ? -y : y * x);

    [Differentiable]
    public static double ParameterReassigned(double x, double y)
    {
        x = x * y;
        y = Math.Tanh(x);
        return x + y;
    }

    [Differentiable]
    public static double CallsSameType(double x, double y) => Rosenbrock(x * 0.5, y) + Sigmoid(x - y);

    [Differentiable]
    public static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));

    [Differentiable]
    public static double CallsOtherType(double w, double b, [NoDerivative] double input)
    {
        double s = OtherModel.Softplus(w * input + b);
        return s * OtherModel.Softplus(s);
    }

    [Differentiable]
    public static double ForLoop(double x, int n)
    {
        double h = x;
        for (int t = 0; t < n; t++)
            h = Math.Tanh(h * 0.9 + x);
        return h;
    }

    /// <summary>A recurrence whose tape (one value per step) outgrows any first tape: the entry point restarts the forward sweep.</summary>
    [Differentiable]
    public static double LongRecurrence(double a, ReadOnlySpan<double> w)
    {
        double h = 0.5;
        for (int t = 0; t < 50_000; t++)
            h = Math.Tanh(a * h + w[t % w.Length]);
        return h;
    }

    [Differentiable]
    public static double WhileDoBreakContinue(double x, double y)
    {
        double s = 0;
        int k = 0;
        while (k < 10)
        {
            k++;
            if (k == 3) continue;
            s += x * k + y;
            if (s > 20) break;
        }
        do { s *= 0.5; } while (s > 2);
        return s * y;
    }

    [Differentiable]
    public static double NestedLoops(double x, double y)
    {
        double s = 0;
        for (int i = 0; i < 3; i++)
        {
            double r = x;
            for (int j = 0; j <= i; j++)
                r = r * y + Math.Sin(r);
            s += r;
        }
        return s;
    }

    /// <summary>Counted loops (reversed without a tape) beside one that is not: non-zero start, frozen local bound, an empty
    /// range, element overwrites indexed by two counters, and a triangular loop whose bound is the outer counter.</summary>
    [Differentiable]
    public static double CountedLoops(ReadOnlySpan<double> w, double x)
    {
        int n = w.Length;
        int last = n - 1;
        Span<double> t = stackalloc double[4];
        double s = 0;
        for (int r = 1; r < last; r++)
        {
            for (int c = 0; c < 4; c++)
                t[c] = Math.Sin(t[c] * x + w[(r + c) % n]);
            for (int k = 0; k < r; k++)
                s += t[k % 4] * w[k];
            for (int e = 5; e < 2; e++)
                s += x;
        }
        return s + t[0] * t[3];
    }

    /// <summary>Counted loops that overwrite a range of a buffer (saved on the tape in one piece): a part of a passive
    /// buffer from a non-zero start, and a whole active buffer, both read after their loops, in an outer loop.</summary>
    [Differentiable]
    public static double RowCopies(ReadOnlySpan<double> w, double x)
    {
        Span<double> row = stackalloc double[5];
        Span<double> h = stackalloc double[5];
        double s = 0;
        for (int r = 0; r < 3; r++)
        {
            for (int i = 1; i < 4; i++)
                row[i] = w[r + i] * x;
            for (int i = 0; i < h.Length; i++)
                h[i] = Math.Tanh(row[i] + w[i]);
            for (int i = 0; i < 5; i++)
                s += h[i] * row[i] + h[i] * h[i];
        }
        return s;
    }

    /// <summary>
    /// GMM's pattern: per pass a loop writes the whole buffer (saved in one piece), then increments add into it; nothing
    /// reads the buffer in between, so the increments save nothing of their own.
    /// </summary>
    [Differentiable]
    public static double SlicedThenIncremented(ReadOnlySpan<double> w, int d)
    {
        Span<double> c = stackalloc double[d];
        Span<double> t = stackalloc double[d];
        double total = 0;
        for (int pass = 0; pass < 3; pass++)
        {
            for (int i = 0; i < d; i++) c[i] = w[i] * (pass + 1) - w[d + i];
            for (int i = 0; i < d; i++) t[i] = Math.Exp(w[i] * 0.3) * c[i];
            int l = d;
            for (int i = 0; i < d; i++)
            {
                for (int j = i + 1; j < d; j++)
                {
                    t[j] += w[l] * c[i];
                    l++;
                }
            }
            double norm = 0;
            for (int i = 0; i < d; i++) norm += t[i] * t[i];
            t[0] -= norm * 0.1;
            total += Math.Log(1 + norm) + t[0] * w[0];
        }
        return total;
    }

    /// <summary>As <see cref="SlicedThenIncremented"/>, but a read of the buffer lies between the loop and the increments: they must save.</summary>
    [Differentiable]
    public static double SlicedReadThenIncremented(ReadOnlySpan<double> w, int d)
    {
        Span<double> t = stackalloc double[d];
        double total = 0;
        for (int pass = 0; pass < 3; pass++)
        {
            for (int i = 0; i < d; i++) t[i] = Math.Sin(w[i] * (pass + 1));
            double product = t[0] * t[d - 1];
            for (int j = 1; j < d; j++) t[j] += t[j - 1] * w[j];
            for (int j = 0; j < d; j++) t[j] += product * w[d + j];
            double norm = 0;
            for (int i = 0; i < d; i++) norm += t[i] * t[i];
            total += norm * product;
        }
        return total;
    }

    [Differentiable]
    public static double DesignLoss(ReadOnlySpan<double> w, [NoDerivative] ReadOnlySpan<double> x, double b, [NoDerivative] double y)
    {
        double z = b;
        for (int i = 0; i < w.Length; i++)
            z += w[i] * x[i];
        double a = Math.Tanh(z);
        return 0.5 * (a - y) * (a - y);
    }

    [Differentiable]
    public static double ArrayMatrix(double[] m, double[] v, int rows)
    {
        int cols = v.Length;
        double s = 0;
        for (int r = 0; r < rows; r++)
        {
            double dot = 0;
            for (int c = 0; c < cols; c++)
                dot += m[r * cols + c] * v[c];
            s += dot * dot;
        }
        return s;
    }

    [Differentiable]
    public static float FloatSpan(Span<float> w, float scale)
    {
        float s = 0;
        for (int i = 0; i < w.Length; i++)
            s += MathF.Sin(w[i] * scale);
        return s;
    }

    [Differentiable]
    public static double CallsWithSpans(double[] w, [NoDerivative] double[] x, double b) => DesignLoss(w, x, b, 0.25) * 2;

    /// <summary>Regression: the pullback's seed and its accumulator are the same variable's adjoint.</summary>
    [Differentiable]
    public static double LoopCarriedCallOnItself(double x, double y)
    {
        double v = y * y;
        double w = x + v;
        for (int i = 0; i < 3; i++) v += Sigmoid(v) - w;
        return v;
    }

    [Differentiable]
    public static double ForEachOverSpan(ReadOnlySpan<double> w, double scale)
    {
        double s = 0;
        foreach (double v in w)
        {
            if (v < -0.9) continue;
            s += Math.Sin(v * scale) * v;
        }
        return s;
    }

    /// <summary>foreach over an array (Roslyn sees the array converted to IEnumerable), with an early return inside.</summary>
    [Differentiable]
    public static double ForEachOverArray(double[] w, double limit)
    {
        double s = 0;
        foreach (var v in w)
        {
            if (s > limit) return s * limit;
            s += v * v;
        }
        return s * Math.Cos(limit);
    }

    /// <summary>Switch expressions: constant, or-ed, relational and and-ed patterns, a guard, the discard.</summary>
    [Differentiable]
    public static double SwitchExpression(double x, int k)
    {
        double f = k switch
        {
            0 => x * x,
            1 or 2 => Math.Sin(x),
            > 5 when x > 0 => Math.Exp(x),
            _ => x,
        };
        return f * 2 + (x switch { < -1 => -x, >= -1 and < 1 => x * x * 0.5, _ => x });
    }

    /// <summary>is patterns, negated and parenthesized.</summary>
    [Differentiable]
    public static double IsPatterns(double x, double y)
    {
        if (x is > 0 and < 1) return x * y;
        if (y is not (< 0 or > 2)) return x * x * y;
        return x > 1 || y > 1 ? y * y : x;
    }

    /// <summary>A switch statement in a loop: shared labels, a declaration in a section, a guarded pattern that returns,
    /// a default section that continues the loop.</summary>
    [Differentiable]
    public static double SwitchStatement(double[] w, int mode)
    {
        double s = 0;
        for (int i = 0; i < w.Length; i++)
        {
            switch (mode + i % 3)
            {
                case 0:
                    s += w[i] * w[i];
                    break;
                case 1:
                case 2:
                    double t = Math.Tanh(w[i]);
                    s += t * s;
                    break;
                case > 10 when s > 1:
                    return s;
                default:
                    if (w[i] > 0) continue;
                    s -= w[i];
                    break;
            }
            s *= 0.9;
        }
        return s;
    }

    /// <summary>Generic-math statics of double and float share System.Math's rules.</summary>
    [Differentiable]
    public static double DoubleStatics(double x, double y) =>
        double.Max(x, y) * double.Sin(x) + double.Exp(y / 2) + double.Abs(x - y) + float.Sqrt(2f) + double.Clamp(x, -0.5, 0.5);

    /// <summary>Deconstruction of tuple literals: declarations, a swap of locals, element targets, a discard.</summary>
    [Differentiable]
    public static double Deconstruction(double x, double y)
    {
        var (a, b) = (x * y, x + y);
        (a, b) = (b, a);
        (double c, double d) = (Math.Sin(a), 2);
        double[] buffer = new double[2];
        (buffer[0], buffer[1]) = (c * d, a);
        (buffer[0], buffer[1]) = (buffer[1], buffer[0]);
        (c, _) = (c * c, 3.0);
        return a * Math.Exp(b / 4) + c + buffer[0] * buffer[1];
    }

    private static readonly double[] Coefficients = { 0.5, -1.25, 2.0 };
    private static readonly int[] Order = { 2, 0, 1 };
    private static ReadOnlySpan<double> Table => [1.0, 2.0, 3.0, 4.0];

    /// <summary>Static array fields and a ReadOnlySpan property as data: read, indexed through another table, bounding a loop.</summary>
    [Differentiable]
    public static double PolynomialFromTables(double x)
    {
        double s = 0;
        double p = 1;
        for (int i = 0; i < Coefficients.Length; i++)
        {
            s += Coefficients[i] * p * Table[Order[i]];
            p *= x;
        }
        return s;
    }

    /// <summary>
    /// Counted loops whose bounds are locals the outer loop assigns (a triangular nest), one starting at a local, and a
    /// bound overwritten after its loop: the reverse loops run over the same ranges without trip counts on the tape.
    /// </summary>
    [Differentiable]
    public static double TriangularLoops(ReadOnlySpan<double> w, double x)
    {
        double s = 0;
        int m = 0;
        for (int j = 0; j < w.Length; j++)
        {
            m = j + 1;
            for (int i = 0; i < m; i++) s = s * 0.9 + Math.Sin(w[i] * x + s);
            int start = j / 2;
            for (int i = start; i < m; i++) s += w[i] * w[j] * x;
            m = 0;
        }
        return s;
    }

    /// <summary>
    /// A sum reset before each pass and accumulated in a loop (saved once per pass, not once per term), read before the
    /// reset and after the loop; and a product whose loop reads its old values (saved per term).
    /// </summary>
    [Differentiable]
    public static double RepeatedSums(ReadOnlySpan<double> z, [NoDerivative] int passes)
    {
        double total = 0;
        double e = 1;
        for (int p = 0; p < passes; p++)
        {
            total += e * 0.1;
            e = 0;
            for (int c = 0; c < z.Length; c++) e += Math.Exp(z[c] * (p + 1));
            total += Math.Log(e);
            double f = 1;
            f = f * 2;
            double g = f;
            for (int c = 0; c < z.Length; c++) f = f * Math.Tanh(z[c]) + g;
            total += f;
        }
        return total;
    }

    /// <summary>
    /// A value whose own statement's derivative reads it (a quotient), then accumulated in a loop: the loop's writes must
    /// be undone before that statement is differentiated (found by the property test: the reverse read the final sum).
    /// </summary>
    [Differentiable]
    public static double AccumulateOntoAQuotient(double x, [NoDerivative] int n)
    {
        double v = 0.25 / (1.5 + x * x);
        for (int k = 0; k < n; k++) v += Math.Cos(x * k);
        return v;
    }

    /// <summary>A buffer declared after an early return (the normalizer nests it in a branch): allocated at the start.</summary>
    [Differentiable]
    public static double BufferAfterAnEarlyReturn(double x)
    {
        if (x < -2) return 0;
        Span<double> t = stackalloc double[3];
        for (int i = 0; i < 3; i++) t[i] = Math.Sin(x * i);
        return t[0] + t[1] * t[2];
    }

    /// <summary>Buffers declared in a loop (fresh and zeroed each pass, read before written) and in a branch (new, not
    /// stackalloc: CA2014 rejects stackalloc in a loop).</summary>
    [Differentiable]
    public static double BuffersInALoop(ReadOnlySpan<double> w, double x, [NoDerivative] int n)
    {
        double s = 0;
        for (int t = 0; t < 3; t++)
        {
            double[] scratch = new double[n];
            Span<double> heap = new double[w.Length];
            for (int i = 0; i < n; i++) scratch[i] += Math.Tanh(w[i] * x + t);
            for (int i = 0; i < w.Length; i++) heap[i] = scratch[i % n] * w[i];
            s += scratch[0] * heap[w.Length - 1] + heap[0];
            if (s > 0.5)
            {
                double[] more = new double[2];
                more[1] += s;
                s = more[1] * more[1] * 0.5;
            }
        }
        return s;
    }

    /// <summary>User names that the generated code also wants (tapes, trip counters, adjoints, the result).</summary>
    [Differentiable]
    public static double NamesTheGeneratorUses(double x, double dX, int trips)
    {
        double doubleTape = x;
        double result = 0;
        double dNamesTheGeneratorUses_dx = dX;
        for (int branch = 0; branch < trips; branch++)
        {
            if (branch % 2 == 0) doubleTape = Math.Sin(doubleTape * dNamesTheGeneratorUses_dx);
            result += doubleTape;
        }
        return result;
    }

    [Differentiable(GradientName = "Sensitivity")]
    public static double Renamed(double x) => x * x * x;
}

public static partial class OtherModel
{
    [Differentiable]
    public static double Softplus(double x) => Math.Log(1 + Math.Exp(x));
}

public partial class Oscillator
{
    /// <summary>A physical constant: [NoDerivative] makes the member data (unmarked, it would be differentiated into dThis).</summary>
    [NoDerivative]
    private readonly double _omega;

    public Oscillator(double omega) => _omega = omega;

    [Differentiable]
    public double Energy(double position, double velocity) => 0.5 * velocity * velocity + 0.5 * _omega * _omega * position * position;

    [NoDerivative]
    private readonly float[] _damping = { 0.25f, 2f };

    /// <summary>An instance array field as data.</summary>
    [Differentiable]
    public double Damped(double velocity) => _damping[0] * velocity * velocity + _damping[1] * velocity;
}
