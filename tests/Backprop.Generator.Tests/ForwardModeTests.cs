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

    /// <summary>
    /// Found by the forward property test (seed 00023rnrX0P3): the tangent of a conditional or a switch expression was
    /// computed after the primal write, so a condition that reads the written variable chose the other arm.
    /// </summary>
    [Fact]
    public void Tangent_OfAConditional_ReadsTheConditionBeforeTheWrite()
    {
        var type = GeneratorHarness.CompileAndLoad("""
            using System;
            using Backprop;

            public static partial class Model
            {
                [Differentiable(Forward = true)]
                public static double F(double p, double q, double v)
                {
                    Span<double> b = stackalloc double[2];
                    b[0] = p; b[1] = q * p;
                    b[0] = b[0] switch { > 0.5 and < 1.2 => v, _ => b[1] };
                    q = q > 0.5 ? v * q : p;
                    return b[0] * b[0] + b[1] + q;
                }

                public static double Check()
                {
                    double worst = 0;
                    foreach (var (p, q, v) in new[] { (0.7, 0.8, 0.3), (2.0, 0.1, -0.4), (0.9, 1.5, 0.6) })
                    {
                        const double tp = 0.3, tq = -0.7, tv = 0.4, h = 1e-6;
                        FTangent(p, q, v, tp, tq, tv, out double t);
                        double numeric = (F(p + h * tp, q + h * tq, v + h * tv) - F(p - h * tp, q - h * tq, v - h * tv)) / (2 * h);
                        worst = Math.Max(worst, Math.Abs(numeric - t) / Math.Max(1, Math.Abs(numeric)));
                    }
                    return worst;
                }
            }
            """).GetType("Model")!;
        double worst = (double)type.GetMethod("Check")!.Invoke(null, null)!;
        Assert.True(worst < 1e-6, "worst relative error " + worst);
    }
}

/// <summary><c>MJacobian</c> (issue 13): rows by reverse sweeps, checked column by column against central finite differences.</summary>
public sealed class JacobianTests
{
    [Fact]
    public void Jacobian_OfALayerAndOfAScalarMethod_MatchesFiniteDifferences()
    {
        var type = GeneratorHarness.CompileAndLoad("""
            using System;
            using Backprop;

            public static partial class Model
            {
                /// <summary>A bundle-adjustment-like reprojection: camera (3), point (2) and focal length in, 2 residuals out.</summary>
                [Differentiable(Jacobian = true)]
                public static void Reproject(ReadOnlySpan<double> camera, ReadOnlySpan<double> point, double focal, [NoDerivative] ReadOnlySpan<double> observed, Span<double> residual)
                {
                    double c = Math.Cos(camera[0]), s = Math.Sin(camera[0]);
                    double x = c * point[0] - s * point[1] + camera[1];
                    double y = s * point[0] + c * point[1] + camera[2];
                    double depth = 2 + x * x * 0.1;
                    residual[0] = focal * x / depth - observed[0];
                    residual[1] = focal * y / depth - observed[1];
                }

                [Differentiable(Jacobian = true)]
                public static double Energy(double a, ReadOnlySpan<double> w) => a * (w[0] * w[0] + Math.Sin(w[1])) + Math.Exp(a);

                public static double Check()
                {
                    double[] camera = { 0.3, 0.5, -0.2 }, point = { 1.1, -0.4 }, observed = { 0.2, 0.1 };
                    double focal = 1.7;
                    double[] residual = new double[2], jacobian = new double[2 * 6];
                    ReprojectJacobian(camera, point, focal, observed, residual, jacobian);
                    double[] expected = new double[2];
                    Reproject(camera, point, focal, observed, expected);
                    if (residual[0] != expected[0] || residual[1] != expected[1]) return double.PositiveInfinity;
                    double worst = 0;
                    double[] inputs = { camera[0], camera[1], camera[2], point[0], point[1], focal };
                    double[] Evaluate(double[] p)
                    {
                        var r = new double[2];
                        Reproject(new[] { p[0], p[1], p[2] }, new[] { p[3], p[4] }, p[5], observed, r);
                        return r;
                    }
                    for (int i = 0; i < 6; i++)
                    {
                        var plus = (double[])inputs.Clone(); plus[i] += 1e-6;
                        var minus = (double[])inputs.Clone(); minus[i] -= 1e-6;
                        var up = Evaluate(plus); var down = Evaluate(minus);
                        for (int o = 0; o < 2; o++)
                        {
                            double numeric = (up[o] - down[o]) / 2e-6;
                            worst = Math.Max(worst, Math.Abs(numeric - jacobian[o * 6 + i]) / Math.Max(1, Math.Abs(numeric)));
                        }
                    }
                    double[] w = { 0.4, -0.9 }, row = new double[3];
                    double value = EnergyJacobian(1.3, w, row);
                    EnergyGradient(1.3, w, out double dA, new double[2] is var dW ? dW : dW);
                    if (value != Energy(1.3, w)) return double.NegativeInfinity;
                    worst = Math.Max(worst, Math.Abs(row[0] - dA) + Math.Abs(row[1] - dW[0]) + Math.Abs(row[2] - dW[1]));
                    return worst;
                }
            }
            """).GetType("Model")!;
        double worst = (double)type.GetMethod("Check")!.Invoke(null, null)!;
        Assert.True(worst < 1e-6, "worst relative error " + worst);
    }
}

/// <summary>
/// A layer's Jacobian runs its forward sweep once and every reverse sweep over the same tape (issue 13): here the reverse
/// sweeps restore a stack buffer overwritten in a loop (writing into their view of the tape) and rewind an output written
/// twice, which a second sweep must not see; every entry against central differences, and the outputs keep the results.
/// </summary>
public sealed class JacobianReuseTests
{
    [Fact]
    public void LayerJacobian_OneForwardManyReverseSweeps_RestoresTheTapeAndOutputsBetweenSweeps()
    {
        var type = GeneratorHarness.CompileAndLoad("""
            using System;
            using Backprop;

            public static partial class Model
            {
                [Differentiable(Jacobian = true)]
                public static void Layer(ReadOnlySpan<double> x, double a, Span<double> y)
                {
                    Span<double> h = stackalloc double[3];
                    for (int i = 0; i < 3; i++) h[i] = x[i] * a;
                    for (int r = 0; r < 2; r++)
                        for (int i = 0; i < 3; i++) h[i] = Math.Tanh(h[i] + h[(i + 1) % 3] * x[i]);
                    y[0] = h[0] * h[1];
                    y[2] = h[1] * h[0] * a;
                    y[0] = Math.Sin(h[0] * h[1]) + a * h[1];
                    y[1] = h[2] * x[0];
                }

                public static double Check()
                {
                    double[] x = { 0.3, -0.7, 1.1 }, y = new double[3], y0 = new double[3];
                    const double a = 0.8;
                    var jacobian = new double[3 * 4];
                    LayerJacobian(x, a, y, jacobian);
                    Layer(x, a, y0);
                    double worst = 0;
                    for (int k = 0; k < 3; k++) worst = Math.Max(worst, Math.Abs(y[k] - y0[k]));
                    const double step = 1e-6;
                    for (int j = 0; j < 4; j++)
                    {
                        double[] xp = (double[])x.Clone(), xm = (double[])x.Clone(), up = new double[3], down = new double[3];
                        double ap = a, am = a;
                        if (j < 3) { xp[j] += step; xm[j] -= step; } else { ap += step; am -= step; }
                        Layer(xp, ap, up);
                        Layer(xm, am, down);
                        for (int k = 0; k < 3; k++)
                        {
                            double numeric = (up[k] - down[k]) / (2 * step);
                            worst = Math.Max(worst, Math.Abs(numeric - jacobian[k * 4 + j]) / Math.Max(1, Math.Abs(numeric)));
                        }
                    }
                    return worst;
                }
            }
            """).GetType("Model")!;
        double worst = (double)type.GetMethod("Check")!.Invoke(null, null)!;
        Assert.True(worst < 1e-6, "worst error " + worst);
    }

    /// <summary>
    /// With forward mode too and fewer inputs than outputs, the Jacobian is built from tangents, one column per input
    /// entry; an output entry the layer does not write has a zero row, and the outputs hold the layer's results.
    /// </summary>
    [Fact]
    public void TallLayerJacobian_WithForwardMode_IsBuiltColumnByColumn()
    {
        var type = GeneratorHarness.CompileAndLoad("""
            using System;
            using Backprop;

            public static partial class Model
            {
                [Differentiable(Forward = true, Jacobian = true)]
                public static void Curve(ReadOnlySpan<double> p, double scale, [NoDerivative] ReadOnlySpan<double> t, Span<double> y)
                {
                    for (int i = 0; i < t.Length; i++)
                        if (i != 2) y[i] = scale * p[0] * Math.Exp(-p[1] * t[i]) * Math.Cos(p[1] + t[i]);
                }

                public static double Check()
                {
                    double[] p = { 1.3, 0.4 }, t = { 0.0, 0.5, 1.0, 1.5, 2.0, 2.5 }, y = new double[6], y0 = new double[6];
                    const double scale = 0.9;
                    var jacobian = new double[6 * 3];
                    for (int i = 0; i < jacobian.Length; i++) jacobian[i] = double.NaN;
                    CurveJacobian(p, scale, t, y, jacobian);
                    Curve(p, scale, t, y0);
                    double worst = 0;
                    for (int k = 0; k < 6; k++) worst = Math.Max(worst, Math.Abs(y[k] - y0[k]));
                    const double step = 1e-6;
                    for (int j = 0; j < 3; j++)
                    {
                        double[] pp = (double[])p.Clone(), pm = (double[])p.Clone(), up = new double[6], down = new double[6];
                        double sp = scale, sm = scale;
                        if (j < 2) { pp[j] += step; pm[j] -= step; } else { sp += step; sm -= step; }
                        Curve(pp, sp, t, up);
                        Curve(pm, sm, t, down);
                        for (int k = 0; k < 6; k++)
                        {
                            double numeric = (up[k] - down[k]) / (2 * step);
                            double entry = jacobian[k * 3 + j];
                            worst = Math.Max(worst, double.IsNaN(entry) ? double.PositiveInfinity : Math.Abs(numeric - entry) / Math.Max(1, Math.Abs(numeric)));
                        }
                    }
                    return worst;
                }
            }
            """).GetType("Model")!;
        double worst = (double)type.GetMethod("Check")!.Invoke(null, null)!;
        Assert.True(worst < 1e-6, "worst error " + worst);
    }
}
