using System;
using MathNet.Numerics.Differentiation;

namespace Backprop.Benchmarks;

/// <summary>
/// <c>--check</c>: the generated and the hand-written gradients of every workload agree with each other and with
/// central finite differences, so the benchmarks compare like with like.
/// </summary>
internal static class GradientCheck
{
    private static int _failures;

    public static int Run()
    {
        var fd = new NumericalJacobian();
        foreach (var (x, y) in new[] { (-1.2, 1.0), (0.3, -0.4) })
        {
            double v1 = Workloads.RosenbrockGradient(x, y, out double gx, out double gy);
            double v2 = Workloads.RosenbrockHandWritten(x, y, out double hx, out double hy);
            double[] f = fd.Evaluate(p => Workloads.Rosenbrock(p[0], p[1]), new[] { x, y });
            Compare($"Rosenbrock({x}, {y})", new[] { v1, gx, gy }, new[] { v2, hx, hy }, new[] { v1, f[0], f[1] });
        }
        foreach (var p in new[] { new[] { 0.7, -0.3, 1.1, 0.4 }, new[] { -0.5, 1.3, -0.8, 1.7 } })
        {
            double v1 = Workloads.TranscendentalGradient(p[0], p[1], p[2], p[3], out double ga, out double gb, out double gc, out double gd);
            double v2 = Workloads.TranscendentalHandWritten(p[0], p[1], p[2], p[3], out double ha, out double hb, out double hc, out double hd);
            double[] f = fd.Evaluate(q => Workloads.Transcendental(q[0], q[1], q[2], q[3]), p);
            Compare($"Transcendental({string.Join(", ", p)})", new[] { v1, ga, gb, gc, gd }, new[] { v2, ha, hb, hc, hd },
                new[] { v1, f[0], f[1], f[2], f[3] });
        }
        double[] xs = { -2.0, 0.5, 1.5, -1.5, -0.3, 2.0, -3.0, 0.8, 1.2, 0.1 };
        double[] ys = { -1.0, 3.0, -3.0, 0.5, 1.0, 1.0, 2.0, -0.7, -2.5, 2.5 };
        for (int k = 0; k < xs.Length; k++)
        {
            double v1 = Workloads.PiecewiseGradient(xs[k], ys[k], out double gx, out double gy);
            double v2 = Workloads.PiecewiseHandWritten(xs[k], ys[k], out double hx, out double hy);
            double[] f = fd.Evaluate(p => Workloads.Piecewise(p[0], p[1]), new[] { xs[k], ys[k] });
            Compare($"Piecewise({xs[k]}, {ys[k]})", new[] { v1, gx, gy }, new[] { v2, hx, hy }, new[] { v1, f[0], f[1] });
        }
        {
            var random = new Random(1);
            var x = new double[50];
            for (int i = 0; i < x.Length; i++) x[i] = 6 * random.NextDouble() - 3;
            var g = new double[x.Length];
            var h = new double[x.Length];
            double v1 = Workloads.LogSumExpGradient(x, g);
            double v2 = Workloads.LogSumExpHandWritten(x, h);
            double[] f = fd.Evaluate(p => Workloads.LogSumExp(p), x);
            Compare("LogSumExp(n = 50)", [v1, .. g], [v2, .. h], [v1, .. f]);
        }
        Console.WriteLine(_failures == 0 ? "All gradients agree." : $"{_failures} mismatches.");
        return _failures == 0 ? 0 : 1;
    }

    private static void Compare(string what, double[] generated, double[] handWritten, double[] finiteDifferences)
    {
        for (int i = 0; i < generated.Length; i++)
        {
            double scale = Math.Max(1, Math.Abs(generated[i]));
            bool same = Math.Abs(generated[i] - handWritten[i]) <= 1e-12 * scale;
            bool fdClose = Math.Abs(generated[i] - finiteDifferences[i]) <= 1e-5 * scale;
            if (!same || !fdClose)
            {
                _failures++;
                Console.WriteLine($"{what} [{i}]: generated {generated[i]:R}, hand-written {handWritten[i]:R}, FD {finiteDifferences[i]:R}");
            }
        }
    }
}
