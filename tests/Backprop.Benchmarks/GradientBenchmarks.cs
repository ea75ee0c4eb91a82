using System;
using BenchmarkDotNet.Attributes;
using MathNet.Numerics.Differentiation;

namespace Backprop.Benchmarks;

// One class per workload. Forward is the plain [Differentiable] method (the baseline), Generated the emitted
// ...Gradient (value and gradient), HandWritten a value-and-gradient written by hand for speed, and
// FiniteDifferences what a user without AD would do: MathNet.Numerics 5.0.0 NumericalJacobian.Evaluate on a
// scalar function (its gradient form; MathNet 5 has no separate NumericalGradient): three-point central differences
// (2 evaluations per variable). Every benchmark returns a sum of everything it computes so the
// JIT cannot drop work.

/// <summary>
/// Rosenbrock, (1 - x)^2 + 100 (y - x^2)^2, over 16 points in [-2, 2)²; times are per point (OperationsPerInvoke):
/// one call is below BenchmarkDotNet's resolution.
/// </summary>
[MemoryDiagnoser]
public class RosenbrockGradientBenchmarks
{
    private const int Points = 16;
    private readonly NumericalJacobian _fd = new();
    private static readonly Func<double[], double> F = p => Workloads.Rosenbrock(p[0], p[1]);
    private readonly double[] _xs = new double[Points], _ys = new double[Points];
    private readonly double[][] _points = new double[Points][];

    public RosenbrockGradientBenchmarks()
    {
        var random = new Random(1);
        for (int k = 0; k < Points; k++)
        {
            _xs[k] = 4 * random.NextDouble() - 2;
            _ys[k] = 4 * random.NextDouble() - 2;
            _points[k] = new[] { _xs[k], _ys[k] };
        }
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Points)]
    public double Forward()
    {
        double s = 0;
        for (int k = 0; k < Points; k++) s += Workloads.Rosenbrock(_xs[k], _ys[k]);
        return s;
    }

    [Benchmark(OperationsPerInvoke = Points)]
    public double Generated()
    {
        double s = 0;
        for (int k = 0; k < Points; k++) s += Workloads.RosenbrockGradient(_xs[k], _ys[k], out double dX, out double dY) + dX + dY;
        return s;
    }

    [Benchmark(OperationsPerInvoke = Points)]
    public double HandWritten()
    {
        double s = 0;
        for (int k = 0; k < Points; k++) s += Workloads.RosenbrockHandWritten(_xs[k], _ys[k], out double dX, out double dY) + dX + dY;
        return s;
    }

    [Benchmark(OperationsPerInvoke = Points)]
    public double FiniteDifferences()
    {
        double s = 0;
        for (int k = 0; k < Points; k++)
        {
            double[] g = _fd.Evaluate(F, _points[k]);
            s += F(_points[k]) + g[0] + g[1];
        }
        return s;
    }
}

/// <summary>A 30-operation transcendental function of 4 variables (see <see cref="Workloads.Transcendental"/>).</summary>
[MemoryDiagnoser]
public class TranscendentalGradientBenchmarks
{
    private readonly NumericalJacobian _fd = new();
    private static readonly Func<double[], double> F = p => Workloads.Transcendental(p[0], p[1], p[2], p[3]);
    private double _a = 0.7, _b = -0.3, _c = 1.1, _d = 0.4;
    private readonly double[] _point = { 0.7, -0.3, 1.1, 0.4 };

    [Benchmark(Baseline = true)]
    public double Forward() => Workloads.Transcendental(_a, _b, _c, _d);

    [Benchmark]
    public double Generated() =>
        Workloads.TranscendentalGradient(_a, _b, _c, _d, out double dA, out double dB, out double dC, out double dD) + dA + dB + dC + dD;

    [Benchmark]
    public double HandWritten() =>
        Workloads.TranscendentalHandWritten(_a, _b, _c, _d, out double dA, out double dB, out double dC, out double dD) + dA + dB + dC + dD;

    [Benchmark]
    public double FiniteDifferences()
    {
        double[] g = _fd.Evaluate(F, _point);
        return F(_point) + g[0] + g[1] + g[2] + g[3];
    }
}

/// <summary>
/// The branchy piecewise function, evaluated at 10 points that reach all 5 returns (2 points each), in a fixed
/// order; times are per point (OperationsPerInvoke).
/// </summary>
[MemoryDiagnoser]
public class PiecewiseGradientBenchmarks
{
    private const int Points = 10;
    private readonly NumericalJacobian _fd = new();
    private static readonly Func<double[], double> F = p => Workloads.Piecewise(p[0], p[1]);
    private readonly double[] _xs = { -2.0, 0.5, 1.5, -1.5, -0.3, 2.0, -3.0, 0.8, 1.2, 0.1 };
    private readonly double[] _ys = { -1.0, 3.0, -3.0, 0.5, 1.0, 1.0, 2.0, -0.7, -2.5, 2.5 };
    private readonly double[][] _points = new double[Points][];

    public PiecewiseGradientBenchmarks()
    {
        for (int k = 0; k < Points; k++) _points[k] = new[] { _xs[k], _ys[k] };
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Points)]
    public double Forward()
    {
        double s = 0;
        for (int k = 0; k < Points; k++) s += Workloads.Piecewise(_xs[k], _ys[k]);
        return s;
    }

    [Benchmark(OperationsPerInvoke = Points)]
    public double Generated()
    {
        double s = 0;
        for (int k = 0; k < Points; k++) s += Workloads.PiecewiseGradient(_xs[k], _ys[k], out double dX, out double dY) + dX + dY;
        return s;
    }

    [Benchmark(OperationsPerInvoke = Points)]
    public double HandWritten()
    {
        double s = 0;
        for (int k = 0; k < Points; k++) s += Workloads.PiecewiseHandWritten(_xs[k], _ys[k], out double dX, out double dY) + dX + dY;
        return s;
    }

    [Benchmark(OperationsPerInvoke = Points)]
    public double FiniteDifferences()
    {
        double s = 0;
        for (int k = 0; k < Points; k++)
        {
            double[] g = _fd.Evaluate(F, _points[k]);
            s += F(_points[k]) + g[0] + g[1];
        }
        return s;
    }
}

/// <summary>
/// Log-sum-exp with the max shift over n values in [-3, 3); the gradient (softmax) is added into a buffer that is
/// not cleared between calls (the contract increments). Finite differences are in
/// <see cref="LogSumExpFdGradientBenchmarks"/>, for n = 1000 only: they cost 2n forward passes.
/// </summary>
[MemoryDiagnoser]
public class LogSumExpGradientBenchmarks
{
    private double[] _x = Array.Empty<double>();
    private double[] _dX = Array.Empty<double>();

    [Params(1_000, 100_000, 1_000_000)]
    public int N { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(1);
        _x = new double[N];
        _dX = new double[N];
        for (int i = 0; i < N; i++) _x[i] = 6 * random.NextDouble() - 3;
    }

    [Benchmark(Baseline = true)]
    public double Forward() => Workloads.LogSumExp(_x);

    [Benchmark]
    public double Generated() => Workloads.LogSumExpGradient(_x, _dX) + _dX[0];

    [Benchmark]
    public double HandWritten() => Workloads.LogSumExpHandWritten(_x, _dX) + _dX[0];
}

/// <summary>Log-sum-exp, n = 1000: central finite differences (2000 forward passes per gradient).</summary>
[MemoryDiagnoser]
public class LogSumExpFdGradientBenchmarks
{
    private readonly NumericalJacobian _fd = new();
    private static readonly Func<double[], double> F = p => Workloads.LogSumExp(p);
    private double[] _x = Array.Empty<double>();

    [Params(1_000)]
    public int N { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(1);
        _x = new double[N];
        for (int i = 0; i < N; i++) _x[i] = 6 * random.NextDouble() - 3;
    }

    [Benchmark(Baseline = true)]
    public double Forward() => Workloads.LogSumExp(_x);

    [Benchmark]
    public double FiniteDifferences()
    {
        double[] g = _fd.Evaluate(F, _x);
        return F(_x) + g[0];
    }
}
