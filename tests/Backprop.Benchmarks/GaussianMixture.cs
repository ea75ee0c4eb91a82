using System;
using System.Globalization;
using System.IO;
using System.Linq;
using Backprop.Consumer.Tests;
using BenchmarkDotNet.Attributes;

namespace Backprop.Benchmarks;

/// <summary>An ADBench GMM instance (<c>data/gmm/*.txt</c>) and the constant part of its Wishart prior.</summary>
public sealed class GaussianMixtureData
{
    public readonly int D, K, N, M;
    public readonly double Gamma, WishartConstant;
    public readonly double[] Alphas, Means, Icf, X;

    private GaussianMixtureData(string path)
    {
        var numbers = File.ReadAllText(path).Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)
            .Select(s => double.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        int at = 0;
        D = (int)numbers[at++];
        K = (int)numbers[at++];
        N = (int)numbers[at++];
        int icfSize = D * (D + 1) / 2;
        double[] Take(int count) { var a = numbers.AsSpan(at, count).ToArray(); at += count; return a; }
        Alphas = Take(K);
        Means = Take(K * D);
        Icf = Take(K * icfSize);
        X = Take(N * D);
        Gamma = numbers[at++];
        M = (int)numbers[at++];
        // ADBench's log_wishart_prior: C = n·p·(log γ − ½ log 2) − log Γ_p(n/2), with n = p + m + 1 (p = d).
        int dof = D + M + 1;
        double logGammaP = 0.25 * D * (D - 1) * Math.Log(Math.PI);
        for (int j = 1; j <= D; j++) logGammaP += LogGamma(0.5 * dof + 0.5 * (1 - j));
        WishartConstant = dof * D * (Math.Log(Gamma) - 0.5 * Math.Log(2)) - logGammaP;
    }

    /// <summary>ADBench's data folder: <c>$ADBENCH_DATA</c>, else <c>/work/shared/bench-data/adbench</c>.</summary>
    public static string Folder => Environment.GetEnvironmentVariable("ADBENCH_DATA") ?? "/work/shared/bench-data/adbench";

    public static GaussianMixtureData Load(string name) => new(Path.Combine(Folder, "gmm", name));

    public double Objective() => GaussianMixtureModel.Objective(Alphas, Means, Icf, X, D, K, Gamma, M, WishartConstant);

    /// <summary>The objective and its gradient (reverse mode), added to the gradient buffers.</summary>
    public double Gradient(double[] dAlphas, double[] dMeans, double[] dIcf) =>
        GaussianMixtureModel.ObjectiveGradient(Alphas, Means, Icf, X, D, K, Gamma, M, WishartConstant, dAlphas, dMeans, dIcf);

    public double Tangent(double[] tAlphas, double[] tMeans, double[] tIcf, out double tangent) =>
        GaussianMixtureModel.ObjectiveTangent(Alphas, Means, Icf, X, D, K, Gamma, M, WishartConstant, tAlphas, tMeans, tIcf, out tangent);

    /// <summary>log Γ(x) for x &gt; 0 (Lanczos, g = 7, 9 terms; about 15 digits).</summary>
    private static double LogGamma(double x)
    {
        double[] c = { 0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
            12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7 };
        if (x < 0.5) return Math.Log(Math.PI / Math.Abs(Math.Sin(Math.PI * x))) - LogGamma(1 - x);
        x -= 1;
        double a = c[0], t = x + 7.5;
        for (int i = 1; i < 9; i++) a += c[i] / (x + i);
        return 0.5 * Math.Log(2 * Math.PI) + (x + 0.5) * Math.Log(t) - t + Math.Log(a);
    }
}

/// <summary>
/// ADBench GMM d = 10, K = 25, n = 1000 (3,000 parameters): the objective, and its value with the directional derivative
/// along a fixed random direction from the generated <c>ObjectiveTangent</c> (forward mode).
/// </summary>
[MemoryDiagnoser]
public class GaussianMixtureTangentBenchmarks
{
    private GaussianMixtureData _d = null!;
    private double[] _tAlphas = null!, _tMeans = null!, _tIcf = null!;

    [Params("gmm_d2_K5.txt", "gmm_d10_K25.txt")]
    public string Instance { get; set; } = "gmm_d10_K25.txt";

    [GlobalSetup]
    public void Setup()
    {
        _d = GaussianMixtureData.Load(Instance);
        var random = new Random(7);
        double[] Direction(int n) => Enumerable.Range(0, n).Select(_ => 2 * random.NextDouble() - 1).ToArray();
        (_tAlphas, _tMeans, _tIcf) = (Direction(_d.Alphas.Length), Direction(_d.Means.Length), Direction(_d.Icf.Length));
    }

    [Benchmark(Baseline = true)]
    public double Objective() => _d.Objective();

    [Benchmark]
    public double Tangent() => _d.Tangent(_tAlphas, _tMeans, _tIcf, out double t) + t;
}
