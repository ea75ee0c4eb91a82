using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Text;
using Backprop;

namespace Backprop.Consumer.Tests;

/// <summary>What a side effect saw: the test thread's own record, so that tests running in parallel do not share it.</summary>
public static class EffectLog
{
    [ThreadStatic]
    private static List<double>? t_values;

    public static List<double> Values => t_values ??= new List<double>();

    public static void Record(double value) => Values.Add(value);
}

public enum Weighting
{
    Plain,
    Doubled,
}

/// <summary>
/// Ordinary C# inside [Differentiable] methods (issue 16): calls kept for their side effect, locals of types the generator
/// does not model, and foreach over lists and enumerables of data, all run as written in the forward sweep.
/// </summary>
public static partial class OrdinaryFunctions
{
    // ---------------------------------------------------------------- calls kept for their side effect

    [Differentiable]
    public static double Logged(double x, double y, [NoDerivative] List<double> log)
    {
        double z = x * y + Math.Sin(x);
        log.Add(z);
        Debug.Assert(!double.IsNaN(z), "z is a number");
        Trace.WriteLine($"z = {z}");
        EffectLog.Record(y);
        return z * z + y;
    }

    /// <summary>Effects in a loop that keeps values on the tape (a recurrence): one record per trip.</summary>
    [Differentiable]
    public static double Recurrence(double x, int steps, [NoDerivative] List<double> log)
    {
        double s = x;
        for (int i = 0; i < steps; i++)
        {
            s = Math.Sin(s) + x * 0.5;
            log.Add(s);
        }
        return s * s;
    }

    /// <summary>A parameter of another type reassigned (the call's own state, run again when the forward sweep restarts).</summary>
    [Differentiable]
    public static double Retagged(double x, int steps, [NoDerivative] string tag)
    {
        tag = tag + "!";
        double s = x;
        for (int i = 0; i < steps; i++)
            s = Math.Sin(s) + x * tag.Length * 0.125;
        return s;
    }

    /// <summary>Effects in a branch and in a layer's loop over a buffer, with a scratch buffer kept as data, and LINQ over data.</summary>
    [Differentiable]
    public static double LoggedDot(double[] w, [NoDerivative] double[] x, [NoDerivative] List<double> log)
    {
        double sum = 0;
        for (int i = 0; i < w.Length; i++)
        {
            double term = Math.Tanh(w[i] * x[i]);
            if (term > 0) log.Add(term);
            sum += term * term;
        }
        log.Add(sum);
        // LINQ with a lambda over [NoDerivative] data runs as written.
        return sum * x.Select(v => v * v).Sum();
    }

    /// <summary>Standardizing by statistics of data, LINQ lambdas reading a local computed from it (the probe's program).</summary>
    [Differentiable]
    public static double Standardized(double[] w, [NoDerivative] double[] data)
    {
        double mean = data.Average();
        double sd = Math.Sqrt(data.Select(d => (d - mean) * (d - mean)).Sum() / data.Length);
        double s = 0;
        for (int i = 0; i < w.Length; i++) s += w[i] * (data[i] - mean) / sd;
        return s * s;
    }

    /// <summary>An unmarked helper with a side effect: differentiated for its caller, its effect run once per call.</summary>
    public static double Noted(double v)
    {
        EffectLog.Record(v);
        return v * v;
    }

    [Differentiable]
    public static double CallsNoted(double x, double y) => Noted(x) * 3 + Noted(x * y);

    [Differentiable(Forward = true, Hessian = true)]
    public static double Cubic(double x, double y, [NoDerivative] List<double> log)
    {
        log.Add(x);
        return x * x * y + Math.Exp(y);
    }

    [Differentiable(Jacobian = true)]
    public static void Scaled(ReadOnlySpan<double> w, double b, [NoDerivative] List<double> log, Span<double> y)
    {
        log.Add(b);
        for (int i = 0; i < w.Length; i++) y[i] = Math.Tanh(w[i] * b);
    }

    // ---------------------------------------------------------------- locals of other types

    [Differentiable]
    public static double Labelled(double x, double y, [NoDerivative] string prefix)
    {
        const string Unit = "m";
        string label = prefix + ":" + Unit;
        var counts = new List<int>();
        for (int i = 0; i < 3; i++) counts.Add(i * i);
        char first = label[0];
        var weighting = first == 'a' ? Weighting.Doubled : Weighting.Plain;
        DateTime epoch = new DateTime(2000, 1, 1);
        object boxed = counts.Count;
        Func<int, int> twice = k => 2 * k;
        var text = new StringBuilder();
        text.Append(label);
        text.Append(x.ToString(CultureInfo.InvariantCulture));
        label += "!";
        double gain = weighting == Weighting.Doubled ? 2 : 1;
        gain *= weighting switch { Weighting.Plain => 1.5 * x, _ => y };
        double z = gain * x * y + counts.Sum() * x + twice(label.Length) * y + (epoch.Year > 1999 ? 0.5 : 0) * x * x + (boxed is int ? (int)boxed : 0);
        EffectLog.Record(text.Length);
        return Math.Sin(z);
    }

    /// <summary>
    /// A null test the compiler proves in the method, and code kept as written that relies on it: in the generated code the
    /// branch is a recorded flag, and the copy must still compile without nullable warnings.
    /// </summary>
    [Differentiable]
    public static double Named(double x, [NoDerivative] string? name)
    {
        double y = x;
        if (name != null)
        {
            y = x * x;
            EffectLog.Record(name.Length);
            y += name.Length * x;
        }
        return y;
    }

    /// <summary>Indices read from a list local: each is evaluated once in the forward sweep, into an int the reverse sweep reads.</summary>
    [Differentiable]
    public static double Permuted(double[] w, [NoDerivative] int[] order)
    {
        var picked = new List<int>(order);
        picked.Reverse();
        double s = 0;
        for (int k = 0; k < picked.Count; k++) s += w[picked[k]] * (k + 1) * w[picked[picked.Count - 1 - k]];
        picked.Clear();
        return s;
    }

    // ---------------------------------------------------------------- foreach over lists and enumerables

    [Differentiable]
    public static double Enumerated(double w, double b, [NoDerivative] List<double> xs, [NoDerivative] IReadOnlyList<double> ys, [NoDerivative] IEnumerable<double> zs)
    {
        double sum = 0;
        foreach (double x in xs)
            sum += Math.Tanh(w * x + b);
        foreach (var y in ys)
        {
            if (y < 0) continue;
            if (y > 10) break;
            sum += w * y * b;
        }
        foreach (double z in zs.Where(z => z != 0))
            sum += Math.Exp(-w * z * z);
        return sum;
    }

    [Differentiable]
    public static double Points(double w, [NoDerivative] List<(double X, double Y)> points, [NoDerivative] string word)
    {
        double sum = 0;
        foreach (var p in points)
            sum += (w * p.X - p.Y) * (w * p.X - p.Y);
        foreach (char c in word)
            if (char.IsUpper(c)) sum += w;
        var squares = new List<double>();
        foreach (var p in points) squares.Add(p.X * p.X);
        foreach (double s in squares) sum += s * w * w;
        return sum;
    }

    /// <summary>Local buffers that copy a buffer: (double[])w.Clone() and span.ToArray().</summary>
    [Differentiable]
    public static double Copies(double[] w, double y)
    {
        double[] c = (double[])w.Clone();
        for (int i = 0; i < c.Length; i++) c[i] *= y * c[i];
        Span<double> s = stackalloc double[2];
        s[0] = c[0];
        s[1] = w[1];
        double[] t = s.ToArray();
        return c[0] + c[1] * t[1] + t[0];
    }

    /// <summary>Assignments used as values whose own value assigns the same variable first.</summary>
    [Differentiable]
    public static double NestedAssignments(double x, double y)
    {
        double t = (x = (x = x * y) * x);
        double u = (y = t = x = Math.Sin(y) + t);
        return t * x + u * y;
    }
}

/// <summary>A model class whose differentiated method logs its members and keeps a list of them as data.</summary>
public sealed partial class LoggedNeuron
{
    public double[] W = { 0.3, -0.7 };
    public double B = 0.1;

    [Differentiable]
    public double Loss(ReadOnlySpan<double> x, [NoDerivative] List<double> log)
    {
        double z = B;
        for (int i = 0; i < W.Length; i++) z += W[i] * x[i];
        var snapshot = new List<double> { B, this.W[0] };
        log.Add(snapshot[1] + W[1]);
        return Math.Tanh(z) * snapshot.Count;
    }
}

/// <summary>Callees with side effects whose derivative the caller does not need: run once per call all the same.</summary>
public static partial class EffectfulCallees
{
    [Differentiable]
    public static double Noted(double x)
    {
        EffectLog.Record(x);
        return x * x;
    }

    [Differentiable]
    public static void NotedLayer(ReadOnlySpan<double> x, Span<double> y)
    {
        EffectLog.Record(-x[0]);
        for (int i = 0; i < y.Length; i++) y[i] = 2 * x[i];
    }

    /// <summary>The layer's output is never read and the value only decides a branch: neither call is differentiated.</summary>
    [Differentiable]
    public static double Caller(double x, int steps)
    {
        Span<double> xs = stackalloc double[1];
        Span<double> ys = stackalloc double[1];
        xs[0] = x;
        NotedLayer(xs, ys);
        if (Noted(x) > 1e9) return 0;
        double s = x;
        for (int i = 0; i < steps; i++) s = Math.Sin(s) + x;
        return s;
    }
}
