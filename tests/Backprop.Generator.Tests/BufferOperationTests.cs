using System;
using Xunit;

namespace Backprop.Generator.Tests;

/// <summary>
/// <c>Span.Fill</c>, <c>Clear</c>, <c>CopyTo</c> (on buffers and slices) and <c>Array.Fill</c>, <c>Array.Clear</c> inside
/// differentiated code (issue 16): lowered to loops of element stores, so gradients and layer Jacobians flow through
/// them; checked against central differences, and a copy within one buffer is a located error.
/// </summary>
public sealed class BufferOperationTests
{
    [Fact]
    public void FillClearAndCopyTo_OnBuffersAndSlices_DifferentiateExactly()
    {
        var type = GeneratorHarness.CompileAndLoad("""
            using System;
            using Backprop;

            public static partial class Model
            {
                [Differentiable]
                public static double Loss(ReadOnlySpan<double> w, double a)
                {
                    Span<double> t = stackalloc double[4];
                    t.Fill(a * w[0]);                         // every entry depends on a and w[0]
                    Span<double> u = stackalloc double[4];
                    for (int i = 0; i < 4; i++) u[i] = w[i] * w[i];
                    u.Slice(1, 2).CopyTo(t.Slice(0, 2));      // t = [u1, u2, a w0, a w0]
                    u.Slice(2).Clear();                       // u = [u0, u1, 0, 0]
                    double[] v = new double[4];
                    Array.Fill(v, Math.Sin(a));
                    w.CopyTo(v);                              // v = w
                    Array.Clear(v);
                    double[] r = new double[4], q = new double[5], z = new double[4];
                    for (int i = 0; i < 4; i++) r[i] = a * w[i];
                    r.CopyTo(q, 1);                           // an array's CopyTo from an index: q = [0, a w]
                    r.CopyTo(z.AsSpan());                     // and into a span: z = a w
                    double s = q[0] + q[4] * z[0];
                    for (int i = 0; i < 4; i++) s += t[i] * t[i] + u[i] * a + v[i] + q[i] * z[i];
                    return s + t.Length;
                }

                [Differentiable(Jacobian = true)]
                public static void Layer(ReadOnlySpan<double> x, double a, Span<double> y)
                {
                    y.Fill(a * a);
                    x.Slice(1, 2).CopyTo(y.Slice(2, 2));
                    y.Slice(0, 1).Clear();
                }

                public static double Check()
                {
                    double[] w = { 0.3, -0.7, 1.1, 0.4 }, dw = new double[4];
                    const double a = 0.8, h = 1e-6;
                    double value = LossGradient(w, a, dw, out double da);
                    double worst = Math.Abs(value - Loss(w, a));
                    for (int j = 0; j < 5; j++)
                    {
                        double[] wp = (double[])w.Clone(), wm = (double[])w.Clone();
                        double ap = a, am = a;
                        if (j < 4) { wp[j] += h; wm[j] -= h; } else { ap += h; am -= h; }
                        double numeric = (Loss(wp, ap) - Loss(wm, am)) / (2 * h);
                        worst = Math.Max(worst, Math.Abs(numeric - (j < 4 ? dw[j] : da)) / Math.Max(1, Math.Abs(numeric)));
                    }
                    double[] x = { 1, 2, 3 }, y = new double[4], jacobian = new double[4 * 4];
                    LayerJacobian(x, a, y, jacobian);
                    double[] expectedY = { 0, a * a, 2, 3 };
                    double[] expectedJacobian =
                    {
                        0, 0, 0, 0,
                        0, 0, 0, 2 * a,
                        0, 1, 0, 0,
                        0, 0, 1, 0,
                    };
                    for (int i = 0; i < 4; i++) worst = Math.Max(worst, Math.Abs(y[i] - expectedY[i]));
                    for (int i = 0; i < 16; i++) worst = Math.Max(worst, Math.Abs(jacobian[i] - expectedJacobian[i]));
                    return worst;
                }
            }
            """).GetType("Model")!;
        double worst = (double)type.GetMethod("Check")!.Invoke(null, null)!;
        Assert.True(worst < 1e-6, "worst error " + worst);
    }
}
