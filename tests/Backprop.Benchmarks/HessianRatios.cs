using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;

namespace Backprop.Benchmarks;

/// <summary>
/// <c>--hessian</c>: <see cref="HessianBenchmarks"/>' methods timed interleaved in one process (each round times every
/// method of a workload once, back to back), so that load from other processes hits all of them alike. Prints the
/// minimum and the median over the rounds, the issue-13 ratios (Hessian–vector product / gradient, tangent / forward)
/// of the minima and the median of the per-round ratios, the bytes allocated per call, and the load average before and
/// after.
/// </summary>
internal static class HessianRatios
{
    private const int Rounds = 41, WarmupRounds = 5;
    private static readonly TimeSpan PerMeasurement = TimeSpan.FromMilliseconds(20);

    public static int Run()
    {
        Console.WriteLine("Load average (1, 5, 15 min) before: " + LoadAverage());
        var b = new HessianBenchmarks();
        Report("Logistic loss, d = 100, m = 500 (NewtonCG sample)", b.LogisticForward, b.LogisticGradient, b.LogisticHessianVectorProduct, b.LogisticTangent);
        Report("Wavy (3 scalars, Sin/Exp/Log)", b.WavyForward, b.WavyGradient, b.WavyHessianVectorProduct, b.WavyTangent);
        Report("Rosenbrock (2 scalars)", b.RosenbrockForward, b.RosenbrockGradient, b.RosenbrockHessianVectorProduct, b.RosenbrockTangent);
        Console.WriteLine("Load average (1, 5, 15 min) after: " + LoadAverage());
        return 0;
    }

    /// <param name="parts">Further methods timed with the others, such as a part of the Hessian–vector product.</param>
    private static void Report(string workload, Func<double> forward, Func<double> gradient, Func<double> product, Func<double> tangent, params (string, Func<double>)[] parts)
    {
        var methods = new[] { ("forward", forward), ("gradient", gradient), ("Hessian-vector product", product), ("tangent", tangent) }.Concat(parts).ToArray();
        // Calls per measurement, from a warm-up that also gets the JIT to its last tier.
        int[] calls = methods.Select(m =>
        {
            var watch = Stopwatch.StartNew();
            int n = 0;
            while (watch.Elapsed < TimeSpan.FromMilliseconds(300)) { m.Item2(); n++; }
            return Math.Max(1, (int)(n * PerMeasurement.TotalMilliseconds / watch.Elapsed.TotalMilliseconds));
        }).ToArray();
        var times = methods.Select(_ => new List<double>()).ToArray();
        var allocated = new long[methods.Length];
        double sink = 0;
        for (int round = 0; round < Rounds; round++)
            for (int k = 0; k < methods.Length; k++)
            {
                long bytes = GC.GetAllocatedBytesForCurrentThread();
                long start = Stopwatch.GetTimestamp();
                for (int i = 0; i < calls[k]; i++) sink += methods[k].Item2();
                double nanoseconds = Stopwatch.GetElapsedTime(start).TotalNanoseconds / calls[k];
                if (round < WarmupRounds) continue;
                times[k].Add(nanoseconds);
                allocated[k] += GC.GetAllocatedBytesForCurrentThread() - bytes;
            }
        GC.KeepAlive(sink);
        Console.WriteLine($"{workload}: min / median of {Rounds - WarmupRounds} interleaved rounds");
        for (int k = 0; k < methods.Length; k++)
            Console.WriteLine($"  {methods[k].Item1,-24} {Format(times[k].Min()),10} / {Format(Median(times[k])),10}   {(double)allocated[k] / calls[k] / (Rounds - WarmupRounds):F0} B/call");
        Ratio("Hessian-vector product / gradient", times[2], times[1], "target <= 3");
        Ratio("gradient / forward", times[1], times[0], "");
        Ratio("tangent / forward", times[3], times[0], "target <= 2");
        for (int k = 4; k < methods.Length; k++) Ratio(methods[k].Item1 + " / gradient", times[k], times[1], "");
    }

    private static void Ratio(string name, List<double> numerator, List<double> denominator, string target)
    {
        double ofMinima = numerator.Min() / denominator.Min();
        double medianOfRounds = Median(numerator.Zip(denominator, (a, b) => a / b));
        Console.WriteLine($"  {name,-34} {ofMinima,6:F2}x (minima)  {medianOfRounds,6:F2}x (median per round)  {target}");
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted[sorted.Length / 2];
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(", ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";

    private static string Format(double ns) => ns < 1e3 ? $"{ns:F1} ns" : ns < 1e6 ? $"{ns / 1e3:F2} us" : $"{ns / 1e6:F2} ms";
}
