using System;
using Xunit;

namespace Backprop.Generator.Tests;

/// <summary>
/// <c>[DerivativeOf]</c> rules (issue 12): a method of the user's code without a mark, a method of another assembly (the
/// BCL's <c>double.Hypot</c>, which has no built-in rule), a span input; and <c>Ad.StopGradient</c>. Each program checks
/// its gradients against central finite differences in the program itself and returns the worst relative error.
/// </summary>
public sealed class CustomDerivativeTests
{
    private static double WorstError(string members)
    {
        var type = GeneratorHarness.CompileAndLoad("using System;\nusing Backprop;\n\n" + members + """

            public static class Fd
            {
                public static double Worst(Func<double[], double> f, double[] point, double[] analytic)
                {
                    double worst = 0;
                    for (int i = 0; i < point.Length; i++)
                    {
                        var p = (double[])point.Clone();
                        p[i] = point[i] + 1e-6; double plus = f(p);
                        p[i] = point[i] - 1e-6; double minus = f(p);
                        double numeric = (plus - minus) / 2e-6;
                        worst = Math.Max(worst, Math.Abs(numeric - analytic[i]) / Math.Max(1, Math.Abs(numeric)));
                    }
                    return worst;
                }
            }
            """).GetType("Probe")!;
        return (double)type.GetMethod("Check")!.Invoke(null, null)!;
    }

    [Fact]
    public void RulesForUserCode_ForTheBcl_AndForSpanInputs_MatchFiniteDifferences()
    {
        double worst = WorstError("""
            public static class Special
            {
                /// <summary>An unmarked function whose body the generator never sees through: the rule gives its derivative.</summary>
                public static double Erf(double x)
                {
                    double t = 1 / (1 + 0.5 * Math.Abs(x));
                    double y = 1 - t * Math.Exp(-x * x - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806
                        + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
                    return x >= 0 ? y : -y;
                }

                public static double SumSquares(ReadOnlySpan<double> v)
                {
                    double s = 0;
                    foreach (double e in v) s += e * e;
                    return s;
                }
            }

            public static class Rules
            {
                [DerivativeOf(typeof(Special), nameof(Special.Erf))]
                public static void ErfReverse(double x, double result, double dResult, ref double dX) =>
                    dX += dResult * 2 / Math.Sqrt(Math.PI) * Math.Exp(-x * x);

                [DerivativeOf(typeof(double), nameof(double.Hypot))]
                public static void HypotReverse(double x, double y, double result, double dResult, ref double dX, ref double dY)
                {
                    dX += dResult * x / result;
                    dY += dResult * y / result;
                }

                [DerivativeOf(typeof(Special), nameof(Special.SumSquares))]
                public static void SumSquaresReverse(ReadOnlySpan<double> v, double result, double dResult, Span<double> dV)
                {
                    if (dV.IsEmpty) return;
                    for (int i = 0; i < v.Length; i++) dV[i] += 2 * v[i] * dResult;
                }
            }

            public static partial class Model
            {
                [Differentiable]
                public static double Price(double s, double k, double sigma)
                {
                    double d = (Math.Log(s / k) + 0.5 * sigma * sigma) / sigma;
                    double total = 0;
                    for (int i = 0; i < 3; i++) total += Special.Erf(d * (i + 1) / 4) * double.Hypot(s, sigma * i);
                    return total;
                }

                [Differentiable]
                public static double Energy(double a, double b)
                {
                    Span<double> v = stackalloc double[3];
                    v[0] = a; v[1] = a * b; v[2] = Math.Sin(b);
                    return Special.SumSquares(v) * a + Special.SumSquares(v.Slice(1, 2));
                }
            }

            public static class Probe
            {
                public static double Check()
                {
                    double[] p = { 1.3, 1.1, 0.4 };
                    double price = Model.PriceGradient(p[0], p[1], p[2], out double dS, out double dK, out double dSigma);
                    if (price != Model.Price(p[0], p[1], p[2])) return double.PositiveInfinity;
                    double worst = Fd.Worst(q => Model.Price(q[0], q[1], q[2]), p, new[] { dS, dK, dSigma });
                    double[] e = { 0.7, -0.3 };
                    Model.EnergyGradient(e[0], e[1], out double dA, out double dB);
                    return Math.Max(worst, Fd.Worst(q => Model.Energy(q[0], q[1]), e, new[] { dA, dB }));
                }
            }
            """);
        Assert.True(worst < 1e-6, "worst relative error " + worst);
    }

    [Fact]
    public void StopGradient_CutsTheDerivativeHere_AndOnlyHere()
    {
        var type = GeneratorHarness.CompileAndLoad("""
            using System;
            using Backprop;

            public static partial class Model
            {
                [Differentiable]
                public static double F(double x, double y) => x * Ad.StopGradient(x * y) + y;
            }
            """).GetType("Model")!;
        var arguments = new object[] { 3.0, 5.0, 0.0, 0.0 };
        double value = (double)type.GetMethod("FGradient")!.Invoke(null, arguments)!;
        Assert.Equal(3.0 * 15 + 5, value);
        Assert.Equal(15.0, (double)arguments[2]);
        Assert.Equal(1.0, (double)arguments[3]);
    }

    /// <summary>What BPG030 advises (and its code fix writes): a differentiated argument of a [NoDerivative] parameter, cut on purpose.</summary>
    [Fact]
    public void StopGradient_OnTheArgumentOfANoDerivativeParameter_IsAccepted()
    {
        var type = GeneratorHarness.CompileAndLoad("""
            using Backprop;

            public static partial class Model
            {
                [Differentiable]
                public static double Scale([NoDerivative] double k, double x) => k * x;

                [Differentiable]
                public static double F(double a) => Scale(Ad.StopGradient(a * 2), a);
            }
            """).GetType("Model")!;
        var arguments = new object[] { 3.0, 0.0 };
        double value = (double)type.GetMethod("FGradient")!.Invoke(null, arguments)!;
        Assert.Equal(18.0, value);
        Assert.Equal(6.0, (double)arguments[1]);
    }

    [Fact]
    public void LayerRules_ReceiveTheOutputsAsComputed_AndTheirAdjoints()
    {
        double worst = WorstError("""
            public static class Ops
            {
                /// <summary>y = tanh(a * x): a "hand-tuned kernel" whose rule reads its outputs.</summary>
                public static void ScaledTanh(ReadOnlySpan<double> x, double a, Span<double> y)
                {
                    for (int i = 0; i < x.Length; i++) y[i] = Math.Tanh(a * x[i]);
                }
            }

            public static class OpsRules
            {
                [DerivativeOf(typeof(Ops), nameof(Ops.ScaledTanh))]
                public static void ScaledTanhReverse(ReadOnlySpan<double> x, double a, Span<double> y, Span<double> dY, Span<double> dX, ref double dA)
                {
                    for (int i = 0; i < x.Length; i++)
                    {
                        double d = dY[i] * (1 - y[i] * y[i]);
                        dY[i] = 0;
                        if (!dX.IsEmpty) dX[i] += d * a;
                        dA += d * x[i];
                    }
                }
            }

            public static partial class Model
            {
                [Differentiable]
                public static double Loss(double a, double b)
                {
                    Span<double> x = stackalloc double[3];
                    Span<double> y = stackalloc double[3];
                    x[0] = b; x[1] = a * b; x[2] = 0.5;
                    double s = 0;
                    for (int pass = 0; pass < 2; pass++)
                    {
                        Ops.ScaledTanh(x, a + pass, y);
                        s += y[0] * y[1] + y[2];
                        y[1] = s;
                    }
                    return s * y[1];
                }
            }

            public static class Probe
            {
                public static double Check()
                {
                    double[] p = { 0.7, -0.4 };
                    double value = Model.LossGradient(p[0], p[1], out double dA, out double dB);
                    if (value != Model.Loss(p[0], p[1])) return double.PositiveInfinity;
                    return Fd.Worst(q => Model.Loss(q[0], q[1]), p, new[] { dA, dB });
                }
            }
            """);
        Assert.True(worst < 1e-6, "worst relative error " + worst);
    }

    [Fact]
    public void OpsMatMul_IsDifferentiableThroughItsRuntimeRule_InDoubleAndFloat()
    {
        double worst = WorstError("""
            public static partial class Model
            {
                [Differentiable]
                public static double Loss(double a, double b)
                {
                    Span<double> x = stackalloc double[6];
                    Span<double> w = stackalloc double[6];
                    Span<double> y = stackalloc double[4];
                    for (int i = 0; i < 6; i++) { x[i] = Math.Sin(a * (i + 1)); w[i] = b * i - a; }
                    Ops.MatMul(x, w, y, 2, 3, 2);
                    double s = 0;
                    for (int i = 0; i < 4; i++) s += Math.Tanh(y[i]) * (i + 1);
                    return s;
                }

                [Differentiable]
                public static float LossF(float a, ReadOnlySpan<float> w)
                {
                    Span<float> x = stackalloc float[2];
                    Span<float> y = stackalloc float[2];
                    x[0] = a; x[1] = a * a;
                    Ops.MatMul(x, w, y, 1, 2, 2);
                    return y[0] * y[1];
                }
            }

            public static class Probe
            {
                public static double Check()
                {
                    double[] p = { 0.7, -0.4 };
                    double value = Model.LossGradient(p[0], p[1], out double dA, out double dB);
                    if (value != Model.Loss(p[0], p[1])) return double.PositiveInfinity;
                    double worst = Fd.Worst(q => Model.Loss(q[0], q[1]), p, new[] { dA, dB });
                    float[] w = { 0.5f, -1f, 2f, 0.25f };
                    float[] dW = new float[4];
                    Model.LossFGradient(0.8f, w, out float dAf, dW);
                    // y0 = a w0 + a² w2, y1 = a w1 + a² w3: d(y0 y1)/da and d/dw0 by hand.
                    double a = 0.8, y0 = a * 0.5 + a * a * 2, y1 = a * -1 + a * a * 0.25;
                    double expectedA = (0.5 + 2 * a * 2) * y1 + y0 * (-1 + 2 * a * 0.25);
                    worst = Math.Max(worst, Math.Abs(dAf - expectedA) / Math.Abs(expectedA) > 1e-5 ? 1 : 0);
                    worst = Math.Max(worst, Math.Abs(dW[0] - a * y1) > 1e-5 ? 1 : 0);
                    return worst;
                }
            }
            """);
        Assert.True(worst < 1e-6, "worst relative error " + worst);
    }
}
