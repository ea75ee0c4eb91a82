using System;
using Xunit;

namespace Backprop.Generator.Tests;

/// <summary>
/// Forward mode (issue 13, first part): <c>MTangent</c> equals the gradient dotted with the direction for scalar methods,
/// and the finite difference along the direction for layers, over loops, branches, buffers and local buffers.
/// </summary>
public sealed class ForwardModeTests
{
    [Fact]
    public void Tangent_EqualsGradientDotDirection_AndLayerTangentsMatchFiniteDifferences()
    {
        var type = GeneratorHarness.CompileAndLoad("""
            using System;
            using Backprop;

            public static partial class Model
            {
                [Differentiable(Forward = true)]
                public static double Loss(double a, ReadOnlySpan<double> w, [NoDerivative] ReadOnlySpan<double> x, double b)
                {
                    Span<double> h = stackalloc double[3];
                    double s = b;
                    for (int i = 0; i < w.Length; i++)
                    {
                        h[i % 3] += Math.Tanh(w[i] * x[i] + a);
                        if (h[i % 3] > 0.2) s += h[i % 3] * h[i % 3]; else s -= Math.Exp(w[i]) * a;
                    }
                    a = a * s;
                    return a > 0 ? Math.Log(1 + a * a) : Math.Sin(a) * b;
                }

                [Differentiable(Forward = true)]
                public static void Layer(ReadOnlySpan<double> x, double scale, Span<double> y)
                {
                    for (int k = 0; k < y.Length; k++) y[k] = Math.Sin(x[k] * scale) + (k == 0 ? 2 : x[k] * x[k]);
                }

                public static double Check()
                {
                    double[] w = { 0.3, -0.8, 1.1, 0.4 }, x = { 0.5, 0.9, -0.3, 1.2 };
                    double a = 0.7, b = -0.4;
                    double[] dw = new double[4];
                    double value = LossGradient(a, w, x, b, out double da, dw, out double db);
                    double[] tw = { 0.2, -0.5, 0.7, 0.1 };
                    double ta = -0.3, tb = 0.9;
                    double tangentValue = LossTangent(a, w, x, b, ta, tw, tb, out double tLoss);
                    if (tangentValue != value || tangentValue != Loss(a, w, x, b)) return double.PositiveInfinity;
                    double expected = da * ta + db * tb;
                    for (int i = 0; i < 4; i++) expected += dw[i] * tw[i];
                    double worst = Math.Abs(expected - tLoss) / Math.Max(1, Math.Abs(expected));

                    double[] y = new double[3], ty = { 9, 9, 9 }, tx = { 0.3, -0.2, 0.5 }, xs = { 0.4, 0.8, -0.6 };
                    double[] y0 = new double[3];
                    Layer(xs, 1.3, y0);
                    LayerTangent(xs, 1.3, y, tx, 0.25, ty);
                    double[] up = new double[3], down = new double[3];
                    double[] xp = new double[3], xm = new double[3];
                    for (int k = 0; k < 3; k++) { xp[k] = xs[k] + 1e-6 * tx[k]; xm[k] = xs[k] - 1e-6 * tx[k]; }
                    Layer(xp, 1.3 + 1e-6 * 0.25, up);
                    Layer(xm, 1.3 - 1e-6 * 0.25, down);
                    for (int k = 0; k < 3; k++)
                    {
                        if (y[k] != y0[k]) return double.NegativeInfinity;
                        double numeric = (up[k] - down[k]) / 2e-6;
                        worst = Math.Max(worst, Math.Abs(numeric - ty[k]) / Math.Max(1, Math.Abs(numeric)));
                    }
                    return worst;
                }
            }
            """).GetType("Model")!;
        double worst = (double)type.GetMethod("Check")!.Invoke(null, null)!;
        Assert.True(worst < 1e-6, "worst relative error " + worst);
    }
}
