using System;
using System.Diagnostics;
using System.Linq;

namespace Backprop.Benchmarks;

/// <summary>
/// <c>--ratios</c>: the ratios of the forward-mode and Jacobian benchmarks to their baselines, timed round-robin with a
/// Stopwatch (each round times every method once, back to back), so that load from other processes, which shifts the
/// separate runs of BenchmarkDotNet, hits a method and its baseline alike. Prints the median time and the median
/// per-round ratio of each.
/// </summary>
internal static class InterleavedRatios
{
    private const int Rounds = 21;
    private static readonly TimeSpan PerMeasurement = TimeSpan.FromMilliseconds(40);

    public static int Run()
    {
        var ba = new BundleAdjustmentJacobianBenchmarks();
        Report("BA ba1_n49_m7776_p31843", ("Objective", ba.Objective), ("Jacobian", ba.Jacobian), ("OneForwardThreeReverse", ba.OneForwardThreeReverse), ("ForwardOnTape", ba.ForwardOnTape), ("OneRow", ba.OneRow));
        foreach (string instance in new[] { "gmm_d2_K5.txt", "gmm_d10_K25.txt" })
        {
            var gmm = new GaussianMixtureTangentBenchmarks { Instance = instance };
            gmm.Setup();
            Report("GMM " + instance, ("Objective", gmm.Objective), ("Tangent", gmm.Tangent));
        }
        var curveFit = new CurveFitJacobianBenchmarks();
        Report("CurveFit 200 x 5", ("Residuals", curveFit.Residuals), ("Jacobian", curveFit.Jacobian), ("JacobianByTangents", curveFit.JacobianByTangents));
        return 0;
    }

    /// <summary><c>--gmm</c>: ADBench GMM gradient / objective for the three published sizes (issue 10's target: ≤ 3.0 at d = 10, K = 25).</summary>
    public static int RunGaussianMixture()
    {
        foreach (string instance in new[] { "gmm_d2_K5.txt", "gmm_d10_K25.txt", "gmm_d20_K50.txt" })
        {
            var d = GaussianMixtureData.Load(instance);
            double[] dAlphas = new double[d.Alphas.Length], dMeans = new double[d.Means.Length], dIcf = new double[d.Icf.Length];
            Report("GMM " + instance, ("Objective", d.Objective), ("Gradient", () => d.Gradient(dAlphas, dMeans, dIcf)));
        }
        return 0;
    }

    /// <summary><c>--models</c>: the samples' generated value+gradient against the forward pass and the hand-written gradient (issue 10).</summary>
    public static int RunModels()
    {
        Console.WriteLine($"load: {System.IO.File.ReadAllText("/proc/loadavg").Trim()}");
        var simple = new SimpleNNGradientBenchmarks();
        Report("SimpleNN (one sample)", ("Forward", simple.Forward), ("Generated", simple.Generated), ("HandWritten", simple.HandWritten));
        foreach (int steps in new[] { 20, 200 })
        {
            var rnn = new RnnGradientBenchmarks { T = steps };
            rnn.Setup();
            Report($"Rnn (T = {steps})", ("Forward", rnn.Forward), ("Generated", rnn.Generated), ("HandWritten", rnn.HandWritten));
        }
        foreach (int batch in new[] { 1, 32 })
        {
            var cnn = new CnnGradientBenchmarks { Batch = batch };
            cnn.Setup();
            Report($"Cnn (batch = {batch})", ("Forward", cnn.Forward), ("Generated", cnn.Generated), ("HandWritten", cnn.HandWritten));
        }
        var mlp = new MlpGradientBenchmarks();
        Report("MLP 784-128-10, batch 32", ("Forward", mlp.Forward), ("Generated", mlp.Generated), ("HandWritten", mlp.HandWritten));
        Console.WriteLine($"load after: {System.IO.File.ReadAllText("/proc/loadavg").Trim()}");
        return 0;
    }

    private static void Report(string workload, params (string Name, Func<double> Call)[] methods)
    {
        // Calls per measurement, from a warm-up that also gets the JIT to its last tier.
        var calls = methods.Select(m =>
        {
            var watch = Stopwatch.StartNew();
            int n = 0;
            while (watch.Elapsed < TimeSpan.FromMilliseconds(300)) { m.Call(); n++; }
            return Math.Max(1, (int)(n * PerMeasurement.TotalMilliseconds / watch.Elapsed.TotalMilliseconds));
        }).ToArray();
        var times = new double[methods.Length][];
        for (int k = 0; k < methods.Length; k++) times[k] = new double[Rounds];
        for (int round = 0; round < Rounds; round++)
        {
            for (int k = 0; k < methods.Length; k++)
            {
                var watch = Stopwatch.StartNew();
                for (int i = 0; i < calls[k]; i++) methods[k].Call();
                times[k][round] = watch.Elapsed.TotalMilliseconds * 1e6 / calls[k];
            }
        }
        Console.WriteLine($"{workload} (median of {Rounds} interleaved rounds):");
        for (int k = 0; k < methods.Length; k++)
        {
            double ratio = Median(Enumerable.Range(0, Rounds).Select(r => times[k][r] / times[0][r]));
            Console.WriteLine($"  {methods[k].Name,-24} {Format(Median(times[k])),12} (min {Format(times[k].Min()),10})   {ratio,7:F2}x {methods[0].Name}");
        }
    }

    private static double Median(System.Collections.Generic.IEnumerable<double> values)
    {
        var sorted = values.OrderBy(v => v).ToArray();
        return sorted[sorted.Length / 2];
    }

    private static string Format(double ns) => ns < 1e3 ? $"{ns:F1} ns" : ns < 1e6 ? $"{ns / 1e3:F2} us" : $"{ns / 1e6:F2} ms";
}
