using System;
using Xunit;

namespace Backprop.Generator.Tests;

/// <summary>
/// Span locals bound to a buffer or a slice (issue 16) are views: reads, writes, lengths, from-end indexes, slices of
/// views and views passed to callees all go to the buffer at the view's start, captured when it is bound. Gradients and
/// a layer's Jacobian against central differences; re-binding a view is a located error.
/// </summary>
public sealed class SpanViewTests
{
    [Fact]
    public void SpanLocals_BoundToSlices_AreViewsOfTheBuffer()
    {
        var type = GeneratorHarness.CompileAndLoad("""
            using System;
            using Backprop;

            public static partial class Model
            {
                [Differentiable]
                public static double SumSquares(ReadOnlySpan<double> v)
                {
                    double s = 0;
                    for (int k = 0; k < v.Length; k++) s += v[k] * v[k];
                    return s;
                }

                [Differentiable]
                public static double Loss(ReadOnlySpan<double> w, double a)
                {
                    const int n = 3;
                    double total = 0;
                    for (int r = 0; r < 2; r++)
                    {
                        var row = w.Slice(r * n, n);             // a view, re-bound each iteration by its declaration
                        total += row[0] * a + row[^1] * row.Length + SumSquares(row.Slice(1));
                    }
                    ReadOnlySpan<double> all = w;
                    var tail = w[4..];
                    int start = 1;
                    var moved = w.Slice(start, 2);
                    start = 0;                                    // the view keeps the start it was bound with
                    return total + all[5] * tail[0] + moved[0] * all.Length + SumSquares(tail);
                }

                [Differentiable(Jacobian = true)]
                public static void Layer(ReadOnlySpan<double> x, double a, Span<double> y)
                {
                    Span<double> upper = y.Slice(2, 2);
                    Span<double> h = stackalloc double[4];
                    Span<double> part = h.Slice(1);
                    for (int i = 0; i < part.Length; i++) part[i] = x[i] * a;
                    upper[0] = part[2] * part[0];
                    upper[1] = Math.Sin(part[1]);
                    y[0] = h[0] + x[0];
                    y[1] = a;
                }

                public static double Check()
                {
                    double[] w = { 0.3, -0.7, 1.1, 0.4, -0.2, 0.9 }, dw = new double[6];
                    const double a = 0.8, h = 1e-6;
                    double value = LossGradient(w, a, dw, out double da);
                    double worst = Math.Abs(value - Loss(w, a));
                    for (int j = 0; j < 7; j++)
                    {
                        double[] wp = (double[])w.Clone(), wm = (double[])w.Clone();
                        double ap = a, am = a;
                        if (j < 6) { wp[j] += h; wm[j] -= h; } else { ap += h; am -= h; }
                        double numeric = (Loss(wp, ap) - Loss(wm, am)) / (2 * h);
                        worst = Math.Max(worst, Math.Abs(numeric - (j < 6 ? dw[j] : da)) / Math.Max(1, Math.Abs(numeric)));
                    }
                    double[] x = { 0.5, -1.2, 0.7 }, y = new double[4], y0 = new double[4], jacobian = new double[4 * 4];
                    LayerJacobian(x, a, y, jacobian);
                    Layer(x, a, y0);
                    for (int i = 0; i < 4; i++) worst = Math.Max(worst, Math.Abs(y[i] - y0[i]));
                    for (int j = 0; j < 4; j++)
                    {
                        double[] xp = (double[])x.Clone(), xm = (double[])x.Clone(), up = new double[4], down = new double[4];
                        double ap = a, am = a;
                        if (j < 3) { xp[j] += h; xm[j] -= h; } else { ap += h; am -= h; }
                        Layer(xp, ap, up);
                        Layer(xm, am, down);
                        for (int k = 0; k < 4; k++)
                            worst = Math.Max(worst, Math.Abs((up[k] - down[k]) / (2 * h) - jacobian[k * 4 + j]));
                    }
                    return worst;
                }
            }
            """).GetType("Model")!;
        double worst = (double)type.GetMethod("Check")!.Invoke(null, null)!;
        Assert.True(worst < 1e-6, "worst error " + worst);
    }
}
