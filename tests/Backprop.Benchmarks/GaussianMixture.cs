using System;
using System.Globalization;
using System.IO;
using System.Linq;
using BenchmarkDotNet.Attributes;

namespace Backprop.Benchmarks;

/// <summary>
/// ADBench's Gaussian-mixture objective (microsoft/ADBench, <c>src/cpp/shared/gmm.h</c>): the negative log-likelihood of
/// n points in d dimensions under k Gaussians with inverse-covariance factors (log-diagonal and strict lower triangle,
/// <c>icf</c>), plus a Wishart prior. A loop-heavy scalar function; forward mode gives its directional derivative.
/// </summary>
public static partial class GaussianMixtureModel
{
    [Differentiable(Forward = true)]
    public static double Objective(ReadOnlySpan<double> alphas, ReadOnlySpan<double> means, ReadOnlySpan<double> icf,
        [NoDerivative] ReadOnlySpan<double> x, int d, int k, [NoDerivative] double gamma, int m, [NoDerivative] double wishartConstant)
    {
        int n = x.Length / d;
        int icfSize = d * (d + 1) / 2;
        Span<double> sumQs = stackalloc double[k];
        Span<double> mainTerm = stackalloc double[k];
        Span<double> centered = stackalloc double[d];
        Span<double> transformed = stackalloc double[d];
        for (int ik = 0; ik < k; ik++)
        {
            double s = 0;
            for (int i = 0; i < d; i++) s += icf[ik * icfSize + i];
            sumQs[ik] = s;
        }

        double slse = 0;
        for (int ix = 0; ix < n; ix++)
        {
            for (int ik = 0; ik < k; ik++)
            {
                for (int i = 0; i < d; i++) centered[i] = x[ix * d + i] - means[ik * d + i];
                // Q·(x − μ): Q's diagonal is exp of the first d entries of icf, its strict lower triangle the rest, by columns.
                for (int i = 0; i < d; i++) transformed[i] = Math.Exp(icf[ik * icfSize + i]) * centered[i];
                int l = ik * icfSize + d;
                for (int i = 0; i < d; i++)
                {
                    for (int j = i + 1; j < d; j++)
                    {
                        transformed[j] += icf[l] * centered[i];
                        l++;
                    }
                }
                double squaredNorm = 0;
                for (int i = 0; i < d; i++) squaredNorm += transformed[i] * transformed[i];
                mainTerm[ik] = alphas[ik] + sumQs[ik] - 0.5 * squaredNorm;
            }
            double largest = mainTerm[0];
            for (int ik = 1; ik < k; ik++) largest = Math.Max(largest, mainTerm[ik]);
            double sum = 0;
            for (int ik = 0; ik < k; ik++) sum += Math.Exp(mainTerm[ik] - largest);
            slse += Math.Log(sum) + largest;
        }

        double largestAlpha = alphas[0];
        for (int ik = 1; ik < k; ik++) largestAlpha = Math.Max(largestAlpha, alphas[ik]);
        double sumAlphas = 0;
        for (int ik = 0; ik < k; ik++) sumAlphas += Math.Exp(alphas[ik] - largestAlpha);
        double lseAlphas = Math.Log(sumAlphas) + largestAlpha;

        double prior = 0;
        for (int ik = 0; ik < k; ik++)
        {
            double frobenius = 0;
            for (int i = 0; i < d; i++)
            {
                double q = Math.Exp(icf[ik * icfSize + i]);
                frobenius += q * q;
            }
            for (int i = d; i < icfSize; i++) frobenius += icf[ik * icfSize + i] * icf[ik * icfSize + i];
            prior += 0.5 * gamma * gamma * frobenius - m * sumQs[ik];
        }

        double constant = -n * d * 0.5 * Math.Log(2 * Math.PI);
        return constant + slse - n * lseAlphas + prior - k * wishartConstant;
    }
}

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
