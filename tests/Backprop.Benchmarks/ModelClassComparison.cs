using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;

namespace Backprop.Benchmarks;

/// <summary>
/// <c>--model-class</c>: <see cref="ModelClassBenchmarks"/>' four methods timed interleaved in one process (round after
/// round, each method in turn), so that a machine whose load changes during the run slows all four alike; BenchmarkDotNet
/// runs one method after the other. Prints, per method and batch, the median and the minimum over the rounds and the
/// bytes allocated per call.
/// </summary>
internal static class ModelClassComparison
{
    private const int Rounds = 60, WarmupRounds = 10;

    public static int Run()
    {
        Console.WriteLine("| Digits 64-32-10 | Batch | Forward (median / min) | Gradient (median / min) | Gradient / forward (medians) | Allocated per gradient |");
        Console.WriteLine("|---|--:|--:|--:|--:|--:|");
        foreach (int batch in new[] { 1, 32 })
        {
            var d = ModelData.Digits(batch);
            var (model, gradient, labels) = ModelData.DigitsModule(d);
            var methods = new Func<double>[]
            {
                () => model.Loss(d.X, labels),
                () => model.LossGradient(d.X, labels, gradient),
                () => DigitsStaticModel.Loss(d.P[0], d.P[1], d.P[2], d.P[3], d.X, labels),
                () => DigitsStaticModel.LossGradient(d.P[0], d.P[1], d.P[2], d.P[3], d.X, labels, d.G[0], d.G[1], d.G[2], d.G[3]),
            };
            var (median, min, allocated) = Time(methods, calls: Math.Max(1, 20_000 / batch));
            Row("model class", batch, median[0], min[0], median[1], min[1], allocated[1]);
            Row("static methods", batch, median[2], min[2], median[3], min[3], allocated[3]);
        }
        return 0;
    }

    private static (double[] Median, double[] Min, double[] Allocated) Time(Func<double>[] methods, int calls)
    {
        var times = methods.Select(_ => new List<double>()).ToArray();
        var allocated = new double[methods.Length];
        double sink = 0;
        for (int round = 0; round < Rounds; round++)
            for (int k = 0; k < methods.Length; k++)
            {
                long bytes = GC.GetAllocatedBytesForCurrentThread();
                long start = Stopwatch.GetTimestamp();
                for (int i = 0; i < calls; i++) sink += methods[k]();
                double microseconds = Stopwatch.GetElapsedTime(start).TotalMicroseconds / calls;
                if (round < WarmupRounds) continue;
                times[k].Add(microseconds);
                allocated[k] += (double)(GC.GetAllocatedBytesForCurrentThread() - bytes) / calls / (Rounds - WarmupRounds);
            }
        GC.KeepAlive(sink);
        var sorted = times.Select(t => t.Order().ToArray()).ToArray();
        return (sorted.Select(t => t[t.Length / 2]).ToArray(), sorted.Select(t => t[0]).ToArray(), allocated);
    }

    private static void Row(string style, int batch, double forward, double forwardMin, double gradient, double gradientMin, double allocated) =>
        Console.WriteLine(FormattableString.Invariant(
            $"| {style} | {batch} | {forward:F2} µs / {forwardMin:F2} µs | {gradient:F2} µs / {gradientMin:F2} µs | {gradient / forward:F2}× | {allocated:F0} B |"));
}
