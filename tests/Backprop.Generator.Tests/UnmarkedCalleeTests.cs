using System;
using Xunit;

namespace Backprop.Generator.Tests;

/// <summary>
/// Calls with active arguments of methods whose source is in the compilation are differentiated without a mark (issue
/// 16), as Clad and Enzyme do: helpers of helpers, buffers, helpers shared by several marked methods, private helpers of
/// another partial type. Checked against central finite differences inside the compiled program.
/// </summary>
public sealed class UnmarkedCalleeTests
{
    [Fact]
    public void HelpersOfHelpers_AreDifferentiatedWithoutAMark()
    {
        var type = GeneratorHarness.CompileAndLoad("""
            using System;
            using Backprop;

            public static partial class Pricing
            {
                static double Erf(double x)
                {
                    double t = 1 / (1 + 0.3275911 * Math.Abs(x));
                    double y = 1 - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.Exp(-x * x);
                    return x >= 0 ? y : -y;
                }

                static double NormCdf(double x) => 0.5 * (1 + Erf(x / Math.Sqrt(2)));

                [Differentiable]
                public static double Call(double s, double k, double sigma, double t)
                {
                    double d1 = (Math.Log(s / k) + 0.5 * sigma * sigma * t) / (sigma * Math.Sqrt(t));
                    return s * NormCdf(d1) - k * NormCdf(d1 - sigma * Math.Sqrt(t));
                }

                [Differentiable]
                public static double Digital(double s, double k) => NormCdf(Math.Log(s / k)) + Norms.Total(s, k);
            }

            public static partial class Norms
            {
                private static double SumSquares(ReadOnlySpan<double> v)
                {
                    double s = 0;
                    for (int i = 0; i < v.Length; i++) s += v[i] * v[i];
                    return s;
                }

                internal static double Total(double a, double b)
                {
                    Span<double> v = stackalloc double[2];
                    v[0] = a; v[1] = Math.Sin(b);
                    return Math.Sqrt(SumSquares(v));
                }
            }

            public static class Probe
            {
                static double Worst(Func<double[], double> f, double[] p, double[] analytic)
                {
                    double worst = 0;
                    for (int i = 0; i < p.Length; i++)
                    {
                        var q = (double[])p.Clone();
                        q[i] = p[i] + 1e-6; double plus = f(q);
                        q[i] = p[i] - 1e-6; double minus = f(q);
                        worst = Math.Max(worst, Math.Abs((plus - minus) / 2e-6 - analytic[i]) / Math.Max(1, Math.Abs(analytic[i])));
                    }
                    return worst;
                }

                public static double Check()
                {
                    double[] p = { 105, 100, 0.25, 0.5 };
                    double value = Pricing.CallGradient(p[0], p[1], p[2], p[3], out double dS, out double dK, out double dSigma, out double dT);
                    if (value != Pricing.Call(p[0], p[1], p[2], p[3])) return double.PositiveInfinity;
                    double worst = Worst(q => Pricing.Call(q[0], q[1], q[2], q[3]), p, new[] { dS, dK, dSigma, dT });
                    Pricing.DigitalGradient(1.3, 0.9, out double dA, out double dB);
                    return Math.Max(worst, Worst(q => Pricing.Digital(q[0], q[1]), new[] { 1.3, 0.9 }, new[] { dA, dB }));
                }
            }
            """).GetType("Probe")!;
        double worst = (double)type.GetMethod("Check")!.Invoke(null, null)!;
        Assert.True(worst < 1e-6, "worst relative error " + worst);
    }

    [Fact]
    public void InactiveCallsOfUnmarkedMethods_StillRunAsWritten_AndHelpersGetNoDiagnostics()
    {
        var outcome = GeneratorHarness.Run("""
            using System;
            using Backprop;

            public static class Data
            {
                public static double Mean(double a, double b) => (a + b) / 2;
            }

            public static partial class Model
            {
                static double Unused(double z, double q) => z;

                [Differentiable]
                public static double Loss(double w, [NoDerivative] double x, [NoDerivative] double y) => w * Data.Mean(x, y) + Unused(w, 1);
            }
            """);
        Assert.Empty(outcome.GeneratorDiagnostics);
        Assert.Empty(outcome.CompilationDiagnostics);
    }

    [Fact]
    public void UnmarkedLayerHelpers_AreDifferentiated()
    {
        var type = GeneratorHarness.CompileAndLoad("""
            using System;
            using Backprop;

            public static partial class H
            {
                public static void Lay(ReadOnlySpan<double> x, ReadOnlySpan<double> w, Span<double> y)
                {
                    for (int i = 0; i < y.Length; i++) y[i] = Math.Tanh(x[i] * w[i] + w[(i + 1) % w.Length]);
                }
            }

            public static partial class M
            {
                [Differentiable]
                public static double L(double[] w, [NoDerivative] double[] x)
                {
                    Span<double> y = stackalloc double[3];
                    Span<double> z = stackalloc double[3];
                    H.Lay(x, w, y);
                    H.Lay(y, w, z);
                    return z[0] * z[1] + z[2];
                }

                public static double Check()
                {
                    double[] w = { 0.3, -0.6, 0.9 }, x = { 1.1, 0.2, -0.5 }, dW = new double[3];
                    L(w, x);
                    LGradient(w, x, dW);
                    double worst = 0;
                    for (int i = 0; i < 3; i++)
                    {
                        var p = (double[])w.Clone(); p[i] += 1e-6; double up = L(p, x);
                        p[i] -= 2e-6; double down = L(p, x);
                        worst = Math.Max(worst, Math.Abs((up - down) / 2e-6 - dW[i]));
                    }
                    return worst;
                }
            }
            """).GetType("M")!;
        Assert.True((double)type.GetMethod("Check")!.Invoke(null, null)! < 1e-6);
    }
}
