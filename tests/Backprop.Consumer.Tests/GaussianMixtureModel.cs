using System;
using Backprop;

namespace Backprop.Consumer.Tests;

/// <summary>
/// ADBench's Gaussian-mixture objective (microsoft/ADBench, <c>src/cpp/shared/gmm.h</c>), written with loops over spans
/// as a user would (stack buffers overwritten per point and per component, increments into them): tested here against
/// finite differences, and timed by the benchmarks, which compile this same file.
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
