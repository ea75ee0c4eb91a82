using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;

namespace Backprop.Benchmarks;

/// <summary>
/// <c>--ops</c>: a Stopwatch harness for the GEMM and MLP rows (minimum over rounds of the mean time of a batch of
/// calls), quicker than BenchmarkDotNet and, when built with <c>-p:Torch=true</c>, timing libtorch in the same process
/// (the same libm for both sides). Minimums, because the machine is shared: the fastest round is the least disturbed.
/// </summary>
public static class OpsQuick
{
    /// <summary>Added by Torch/TorchRows.cs when it is compiled in: extra rows, each a group, a name, FLOPs (0: none) and a call.</summary>
    public static readonly List<(string Group, string Name, double Flops, Action Run)> Extra = new();

    /// <param name="rounds">Rounds per row.</param>
    /// <param name="only">When given, only the rows whose group contains it (e.g. <c>Cnn</c>).</param>
    public static int Run(int rounds, string? only = null)
    {
#if TORCH
        Torch.TorchRows.Register();
#endif
        var rows = new List<(string Group, string Name, double Flops, Action Run)>();
        foreach (var (m, k, n) in new[] { (32, 784, 128), (256, 256, 256) })
        {
            double flops = 2.0 * m * k * n;
            double[] ad = Fill(m * k, 1), bd = Fill(k * n, 2), cd = new double[m * n];
            float[] af = Array.ConvertAll(ad, v => (float)v), bf = Array.ConvertAll(bd, v => (float)v), cf = new float[m * n];
            rows.Add(($"GEMM {m}x{k}x{n}", "Ops.MatMul double", flops, () => Ops.MatMul(ad, bd, cd, m, k, n)));
            rows.Add(($"GEMM {m}x{k}x{n}", "Ops.MatMul float", flops, () => Ops.MatMul(af, bf, cf, m, k, n)));
        }
        // The MLP's first layer alone: forward reads w transposed in place; the reverse is dW += dYᵀ·x and dB (x is data).
        {
            const int batch = 32, inF = 784, outF = 128;
            double flops = 2.0 * batch * inF * outF;
            double[] x = Fill(batch * inF, 3), w = Fill(outF * inF, 4), b = Fill(outF, 5), y = new double[batch * outF], dY = Fill(batch * outF, 6);
            double[] dW = new double[w.Length], dB = new double[outF];
            float[] xf = Array.ConvertAll(x, v => (float)v), wf = Array.ConvertAll(w, v => (float)v), bf = Array.ConvertAll(b, v => (float)v);
            float[] yf = new float[y.Length], dYf = Array.ConvertAll(dY, v => (float)v), dWf = new float[w.Length], dBf = new float[outF];
            const string group = "Linear 784→128, batch 32";
            rows.Add((group, "Ops.Linear double", flops, () => Ops.Linear(x, w, b, y, batch, inF, outF)));
            rows.Add((group, "Ops.Linear float", flops, () => Ops.Linear(xf, wf, bf, yf, batch, inF, outF)));
            rows.Add((group, "Ops.LinearReverse (dW, dB) double", flops, () => Ops.LinearReverse(x, w, b, y, batch, inF, outF, dY, default, dW, dB)));
            rows.Add((group, "Ops.LinearReverse (dW, dB) float", flops, () => Ops.LinearReverse(xf, wf, bf, yf, batch, inF, outF, dYf, default, dWf, dBf)));
        }
        var mlp = new MlpOpsData();
        var d = mlp.D;
        rows.Add(("MLP 784-128-10, batch 32, value+gradient", "plain loops, generated (double)", 0,
            () => MlpModel.LossGradient(d.P[0], d.P[1], d.P[2], d.P[3], d.X, d.Y, d.G[0], d.G[1], d.G[2], d.G[3])));
        rows.Add(("MLP 784-128-10, batch 32, value+gradient", "Ops.Linear, generated (double)", 0, () => mlp.Gradient()));
        rows.Add(("MLP 784-128-10, batch 32, value+gradient", "Ops.Linear, generated (float)", 0, () => mlp.GradientF()));
        rows.AddRange(Extra);
        if (only is not null) rows.RemoveAll(row => !row.Group.Contains(only, StringComparison.Ordinal));

        double peak = PeakFlops.Float();
        Console.WriteLine($"{Environment.ProcessorCount} cores, Vector512 {System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated}, load: {Load()}");
        Console.WriteLine($"Measured FMA peak of one core: {peak / 1e9:F1} GFLOP/s float, {peak / 2e9:F1} GFLOP/s double");
        Console.WriteLine("| Workload | Implementation | Time (min of rounds) | GFLOP/s | % of peak | Allocated per call |");
        Console.WriteLine("|---|---|--:|--:|--:|--:|");
        foreach (var (group, name, flops, run) in rows)
        {
            double seconds = Time(run, rounds);
            string rate = flops > 0 ? (flops / seconds / 1e9).ToString("F1", CultureInfo.InvariantCulture) : "–";
            double typePeak = name.Contains("double", StringComparison.Ordinal) ? peak / 2 : peak;
            string share = flops > 0 && peak > 0 ? (100 * flops / seconds / typePeak).ToString("F0", CultureInfo.InvariantCulture) + " %" : "–";
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 100; i++) run();
            double allocated = (GC.GetAllocatedBytesForCurrentThread() - before) / 100.0;
            Console.WriteLine($"| {group} | {name} | {Format(seconds)} | {rate} | {share} | {allocated:0.#} B |");
        }
        Console.WriteLine($"load after: {Load()}");
        return 0;
    }

    /// <summary>The least mean time per call over <paramref name="rounds"/> rounds of about 20 ms each, after a warm-up.</summary>
    public static double Time(Action run, int rounds)
    {
        // Long enough for tiered compilation to reach its optimized code (30 calls, then a 100 ms delay).
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed.TotalMilliseconds < 300) run();
        watch.Restart();
        int calls = 0;
        while (watch.Elapsed.TotalMilliseconds < 20) { run(); calls++; }
        calls = Math.Max(1, calls);
        double best = double.MaxValue;
        for (int r = 0; r < rounds; r++)
        {
            watch.Restart();
            for (int i = 0; i < calls; i++) run();
            best = Math.Min(best, watch.Elapsed.TotalSeconds / calls);
        }
        return best;
    }

    private static string Format(double seconds) => seconds >= 1e-3
        ? (seconds * 1e3).ToString("F3", CultureInfo.InvariantCulture) + " ms"
        : (seconds * 1e6).ToString("F1", CultureInfo.InvariantCulture) + " µs";

    private static string Load()
    {
        try { return System.IO.File.ReadAllText("/proc/loadavg").Trim(); }
        catch (System.IO.IOException) { return "?"; }
    }

    private static double[] Fill(int length, int seed)
    {
        var random = new Random(seed);
        var v = new double[length];
        for (int i = 0; i < length; i++) v[i] = random.NextDouble() * 2 - 1;
        return v;
    }
}
