using System;
using Xunit;

namespace Backprop.Generator.Tests;

/// <summary>
/// <c>MHessianVectorProduct</c> and <c>MHessian</c> (issue 13, reverse over forward): every Hessian entry against central
/// differences of the generated gradient, the product against the dense Hessian times the direction, the gradient
/// against <c>MGradient</c>, symmetry, and no allocation per call, over straight-line code, loops, branches, local
/// buffers, span and array parameters, <c>[NoDerivative]</c> data and every family of the rules table. The checks run
/// inside the compiled code (spans cannot go through reflection); each returns its worst relative error.
/// </summary>
public sealed class HessianTests
{
    private const string Source = """
        using System;
        using Backprop;

        public static partial class Model
        {
            [Differentiable(Hessian = true)]
            public static double Rosenbrock(double x, double y) => (1 - x) * (1 - x) + 100 * (y - x * x) * (y - x * x);

            [Differentiable(Hessian = true)]
            public static double Mixed(ReadOnlySpan<double> w, double a, [NoDerivative] double[] data)
            {
                Span<double> h = stackalloc double[3];
                double s = 0;
                for (int i = 0; i < w.Length; i++)
                {
                    h[i % 3] += Math.Tanh(w[i] * a + data[i]);
                    if (h[i % 3] > 0.1) s += h[i % 3] * h[i % 3]; else s -= Math.Exp(w[i]) * a;
                }
                double t = a > 0 ? Math.Sqrt(1 + a * a) : Math.Cos(a);
                s += Math.Atan2(w[0], 2 + w[1] * w[1]) * Math.Pow(1.5 + t, 1.7) + Math.Max(w[2], a) * Math.Log(2 + Math.Sin(w[3]));
                int n = 2;
                while (n-- > 0) s = s * 0.5 + Math.Sinh(w[n]) / (1 + a * a);
                return Math.Log(1 + s * s) + Math.Pow(a, 3) * Math.Sin(w[0]) + Math.Abs(w[1] - w[2]) * Math.Cbrt(2 + w[3]);
            }

            [Differentiable(Hessian = true)]
            public static float Single(float x, float[] v)
            {
                float s = x;
                for (int i = 0; i < v.Length; i++) s = MathF.Tanh(s * v[i] + x) + v[i] * v[i] * x;
                return s * s;
            }
        }

        public static class Checks
        {
            static double Relative(double expected, double actual) => Math.Abs(expected - actual) / Math.Max(1, Math.Abs(expected));

            // Rosenbrock at (-1.2, 1): [[1200x² - 400y + 2, -400x], [-400x, 200]] = [[1330, 480], [480, 200]].
            public static double Rosenbrock()
            {
                var h = new double[4];
                double value = Model.RosenbrockHessian(-1.2, 1.0, h);
                double worst = Relative(24.2, value);
                double[] expected = { 1330, 480, 480, 200 };
                for (int i = 0; i < 4; i++) worst = Math.Max(worst, Relative(expected[i], h[i]));
                return worst;
            }

            public static double MixedAgainstTheGradient(double a)
            {
                double[] w = { 0.3, -0.8, 1.1, 0.4 }, data = { 0.2, -0.1, 0.5, 0.3 };
                var hessian = new double[25];
                double worst = Relative(Model.Mixed(w, a, data), Model.MixedHessian(w, a, data, hessian));
                const double step = 1e-6;
                for (int j = 0; j < 5; j++)
                {
                    double[] wp = (double[])w.Clone(), wm = (double[])w.Clone(), gp = new double[4], gm = new double[4];
                    double ap = a, am = a;
                    if (j < 4) { wp[j] += step; wm[j] -= step; } else { ap += step; am -= step; }
                    Model.MixedGradient(wp, ap, data, gp, out double dap);
                    Model.MixedGradient(wm, am, data, gm, out double dam);
                    for (int i = 0; i < 5; i++)
                    {
                        double numeric = i < 4 ? (gp[i] - gm[i]) / (2 * step) : (dap - dam) / (2 * step);
                        worst = Math.Max(worst, Relative(numeric, hessian[j * 5 + i]));
                        worst = Math.Max(worst, Relative(hessian[i * 5 + j], hessian[j * 5 + i]));
                    }
                }
                return worst;
            }

            public static double ProductAgainstTheHessian()
            {
                double[] w = { 0.3, -0.8, 1.1, 0.4 }, data = { 0.2, -0.1, 0.5, 0.3 }, vw = { 0.1, 0.2, -0.3, 0.5 };
                const double a = 0.7, va = 0.4;
                var hessian = new double[25];
                Model.MixedHessian(w, a, data, hessian);
                double[] gw = { 1, 1, 1, 1 }, hw = { 2, 2, 2, 2 }, g = new double[4];
                double value = Model.MixedHessianVectorProduct(w, a, data, vw, va, gw, out double ga, hw, out double ha);
                double expectedValue = Model.MixedGradient(w, a, data, g, out double ga2);
                double worst = Relative(expectedValue, value) + Relative(ga2, ga);
                // Span gradients and products are added to, as MGradient's; scalars are assigned.
                for (int i = 0; i < 4; i++) worst = Math.Max(worst, Relative(1 + g[i], gw[i]));
                double[] direction = { vw[0], vw[1], vw[2], vw[3], va };
                // H·v alone, as conjugate gradients wants it: an empty gradient span is a part not wanted.
                double[] alone = new double[4];
                Model.MixedHessianVectorProduct(w, a, data, vw, va, Span<double>.Empty, out _, alone, out double haAlone);
                for (int i = 0; i < 5; i++)
                {
                    double expected = 0;
                    for (int j = 0; j < 5; j++) expected += hessian[i * 5 + j] * direction[j];
                    worst = Math.Max(worst, Relative(expected, i < 4 ? hw[i] - 2 : ha));
                    worst = Math.Max(worst, Relative(expected, i < 4 ? alone[i] : haAlone));
                }
                return worst;
            }

            public static double SingleAgainstSecondDifferences()
            {
                float[] v = { 0.3f, -0.6f, 0.9f };
                const float x = 0.4f;
                var hessian = new float[16];
                Model.SingleHessian(x, v, hessian);
                double[] p = { x, v[0], v[1], v[2] };
                double worst = 0;
                const double step = 1e-4;
                for (int i = 0; i < 4; i++)
                    for (int j = 0; j < 4; j++)
                    {
                        double numeric = (At(p, i, step, j, step) - At(p, i, step, j, -step) - At(p, i, -step, j, step) + At(p, i, -step, j, -step)) / (4 * step * step);
                        worst = Math.Max(worst, Relative(numeric, hessian[i * 4 + j]));
                    }
                return worst;

                // The same function in double.
                static double At(double[] p, int i, double di, int j, double dj)
                {
                    var q = (double[])p.Clone();
                    q[i] += di;
                    q[j] += dj;
                    double s = q[0];
                    for (int k = 1; k < 4; k++) s = Math.Tanh(s * q[k] + q[0]) + q[k] * q[k] * q[0];
                    return s * s;
                }
            }

            public static long Allocations()
            {
                double[] w = { 0.3, -0.8, 1.1, 0.4 }, data = { 0.2, -0.1, 0.5, 0.3 }, vw = { 0.1, 0.2, -0.3, 0.5 }, gw = new double[4], hw = new double[4];
                double[] hessian = new double[25];
                float[] v = { 0.3f, -0.6f, 0.9f }, single = new float[16];
                for (int i = 0; i < 3; i++) Run();
                long before = GC.GetAllocatedBytesForCurrentThread();
                for (int i = 0; i < 10; i++) Run();
                return GC.GetAllocatedBytesForCurrentThread() - before;

                void Run()
                {
                    Model.MixedHessianVectorProduct(w, 0.7, data, vw, 0.4, gw, out _, hw, out _);
                    Model.MixedHessian(w, 0.7, data, hessian);
                    Model.RosenbrockHessianVectorProduct(1, 2, 0.5, -0.5, out _, out _, out _, out _);
                    Model.SingleHessian(0.4f, v, single);
                }
            }
        }
        """;

    private static readonly Lazy<Type> s_checks = new(() => GeneratorHarness.CompileAndLoad(Source).GetType("Checks")!);

    private static T Run<T>(string check, params object[] arguments) => (T)s_checks.Value.GetMethod(check)!.Invoke(null, arguments)!;

    [Fact]
    public void Hessian_OfRosenbrock_IsExact() => Assert.True(Run<double>("Rosenbrock") < 1e-12);

    [Theory]
    [InlineData(0.7)]
    [InlineData(-0.45)]
    public void Hessian_MatchesCentralDifferencesOfTheGradient_AndIsSymmetric(double a)
    {
        double worst = Run<double>("MixedAgainstTheGradient", a);
        Assert.True(worst < 1e-6, "worst relative error " + worst);
    }

    [Fact]
    public void HessianVectorProduct_IsTheHessianTimesTheDirection_AndTheGradientIsMGradients()
    {
        double worst = Run<double>("ProductAgainstTheHessian");
        Assert.True(worst < 1e-10, "worst relative error " + worst);
    }

    [Fact]
    public void FloatHessian_MatchesSecondDifferencesInDouble()
    {
        double worst = Run<double>("SingleAgainstSecondDifferences");
        Assert.True(worst < 2e-3, "worst relative error " + worst);
    }

    [Fact]
    public void HessianVectorProduct_AndHessian_AllocateNothing() => Assert.Equal(0L, Run<long>("Allocations"));
}
