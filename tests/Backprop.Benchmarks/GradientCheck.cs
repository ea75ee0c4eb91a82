using System;
using Backprop.Consumer.Tests;
using MathNet.Numerics.Differentiation;

namespace Backprop.Benchmarks;

/// <summary>
/// <c>--check</c>: the generated and the hand-written gradients of every workload agree with each other and with
/// central finite differences, so the benchmarks compare like with like.
/// </summary>
internal static class GradientCheck
{
    private static int _failures;

    public static int Run()
    {
        var fd = new NumericalJacobian();
        foreach (var (x, y) in new[] { (-1.2, 1.0), (0.3, -0.4) })
        {
            double v1 = Workloads.RosenbrockGradient(x, y, out double gx, out double gy);
            double v2 = Workloads.RosenbrockHandWritten(x, y, out double hx, out double hy);
            double[] f = fd.Evaluate(p => Workloads.Rosenbrock(p[0], p[1]), new[] { x, y });
            Compare($"Rosenbrock({x}, {y})", new[] { v1, gx, gy }, new[] { v2, hx, hy }, new[] { v1, f[0], f[1] });
        }
        foreach (var p in new[] { new[] { 0.7, -0.3, 1.1, 0.4 }, new[] { -0.5, 1.3, -0.8, 1.7 } })
        {
            double v1 = Workloads.TranscendentalGradient(p[0], p[1], p[2], p[3], out double ga, out double gb, out double gc, out double gd);
            double v2 = Workloads.TranscendentalHandWritten(p[0], p[1], p[2], p[3], out double ha, out double hb, out double hc, out double hd);
            double[] f = fd.Evaluate(q => Workloads.Transcendental(q[0], q[1], q[2], q[3]), p);
            Compare($"Transcendental({string.Join(", ", p)})", new[] { v1, ga, gb, gc, gd }, new[] { v2, ha, hb, hc, hd },
                new[] { v1, f[0], f[1], f[2], f[3] });
        }
        double[] xs = { -2.0, 0.5, 1.5, -1.5, -0.3, 2.0, -3.0, 0.8, 1.2, 0.1 };
        double[] ys = { -1.0, 3.0, -3.0, 0.5, 1.0, 1.0, 2.0, -0.7, -2.5, 2.5 };
        for (int k = 0; k < xs.Length; k++)
        {
            double v1 = Workloads.PiecewiseGradient(xs[k], ys[k], out double gx, out double gy);
            double v2 = Workloads.PiecewiseHandWritten(xs[k], ys[k], out double hx, out double hy);
            double[] f = fd.Evaluate(p => Workloads.Piecewise(p[0], p[1]), new[] { xs[k], ys[k] });
            Compare($"Piecewise({xs[k]}, {ys[k]})", new[] { v1, gx, gy }, new[] { v2, hx, hy }, new[] { v1, f[0], f[1] });
        }
        {
            var random = new Random(1);
            var x = new double[50];
            for (int i = 0; i < x.Length; i++) x[i] = 6 * random.NextDouble() - 3;
            var g = new double[x.Length];
            var h = new double[x.Length];
            double v1 = Workloads.LogSumExpGradient(x, g);
            double v2 = Workloads.LogSumExpHandWritten(x, h);
            double[] f = fd.Evaluate(p => Workloads.LogSumExp(p), x);
            Compare("LogSumExp(n = 50)", [v1, .. g], [v2, .. h], [v1, .. f]);
        }
        CheckModels(fd);
        CheckDigits(fd);
        CheckAdBench();
        Console.WriteLine(_failures == 0 ? "All gradients agree." : $"{_failures} mismatches.");
        return _failures == 0 ? 0 : 1;
    }

    // The model workloads: generated and hand-written agree to 1e-10 (relative to max(1, |value|)); finite differences
    // (1e-5) where they are cheap: SimpleNN, the RNN at T = 20 and the CNN on one image.
    private static void CheckModels(NumericalJacobian fd)
    {
        foreach (int n in new[] { 1, 16 })
        {
            var d = ModelData.SimpleNN(n);
            var h = ModelData.SimpleNN(n);
            double v1 = global::SimpleNN.Model.LossGradient(d.P[0], d.P[1], d.P[2], d.P[3], d.X, d.Y, d.G[0], d.G[1], d.G[2], d.G[3]);
            double v2 = SimpleNNModel.LossHandWritten(h.P[0], h.P[1], h.P[2], h.P[3], h.X, h.Y, h.G[0], h.G[1], h.G[2], h.G[3]);
            double[] f = fd.Evaluate(p => global::SimpleNN.Model.Loss(p.AsSpan(0, 50), p.AsSpan(50, 5), p.AsSpan(55, 5), p.AsSpan(60, 1), d.X, d.Y),
                [.. d.P[0], .. d.P[1], .. d.P[2], .. d.P[3]]);
            CompareModel($"SimpleNN (samples = {n})", v1, d, v2, h, global::SimpleNN.Model.Loss(d.P[0], d.P[1], d.P[2], d.P[3], d.X, d.Y), f);
        }
        {
            var d = ModelData.Mlp(32);
            var h = ModelData.Mlp(32);
            double v1 = MlpModel.LossGradient(d.P[0], d.P[1], d.P[2], d.P[3], d.X, d.Y, d.G[0], d.G[1], d.G[2], d.G[3]);
            double v2 = MlpModel.LossHandWritten(h.P[0], h.P[1], h.P[2], h.P[3], h.X, h.Y, h.G[0], h.G[1], h.G[2], h.G[3]);
            CompareModel("Mlp (batch = 32)", v1, d, v2, h, MlpModel.Loss(d.P[0], d.P[1], d.P[2], d.P[3], d.X, d.Y), null);
        }
        foreach (int t in new[] { 20, 200 })
        {
            var d = ModelData.Rnn(t);
            var h = ModelData.Rnn(t);
            double v1 = global::SineRnn.Model.LossGradient(d.P[0], d.P[1], d.P[2], d.P[3], d.P[4], d.X, d.G[0], d.G[1], d.G[2], d.G[3], d.G[4]);
            double v2 = RnnModel.LossHandWritten(h.P[0], h.P[1], h.P[2], h.P[3], h.P[4], h.X, h.G[0], h.G[1], h.G[2], h.G[3], h.G[4]);
            double[]? f = t > 20 ? null : fd.Evaluate(
                p => global::SineRnn.Model.Loss(p.AsSpan(0, 8), p.AsSpan(8, 64), p.AsSpan(72, 8), p.AsSpan(80, 8), p.AsSpan(88, 1), d.X),
                [.. d.P[0], .. d.P[1], .. d.P[2], .. d.P[3], .. d.P[4]]);
            CompareModel($"Rnn (T = {t})", v1, d, v2, h, global::SineRnn.Model.Loss(d.P[0], d.P[1], d.P[2], d.P[3], d.P[4], d.X), f);
        }
        foreach (int n in new[] { 1, 32 })
        {
            var d = ModelData.Cnn(n);
            var h = ModelData.Cnn(n);
            double v1 = global::BarsCnn.Model.LossGradient(d.P[0], d.P[1], d.P[2], d.P[3], d.X, d.Y, d.G[0], d.G[1], d.G[2], d.G[3]);
            double v2 = CnnModel.LossHandWritten(h.P[0], h.P[1], h.P[2], h.P[3], h.X, h.Y, h.G[0], h.G[1], h.G[2], h.G[3]);
            double[]? f = n > 1 ? null : fd.Evaluate(
                p => global::BarsCnn.Model.Loss(p.AsSpan(0, 36), p.AsSpan(36, 4), p.AsSpan(40, 72), p.AsSpan(112, 2), d.X, d.Y),
                [.. d.P[0], .. d.P[1], .. d.P[2], .. d.P[3]]);
            CompareModel($"Cnn (batch = {n})", v1, d, v2, h, global::BarsCnn.Model.Loss(d.P[0], d.P[1], d.P[2], d.P[3], d.X, d.Y), f);
        }
    }

    // samples/Digits' model class against the same model as static methods: both generated, so they agree to 1e-10.
    private static void CheckDigits(NumericalJacobian fd)
    {
        foreach (int n in new[] { 1, 32 })
        {
            var d = ModelData.Digits(n);
            var s = ModelData.Digits(n);
            var (model, gradient, labels) = ModelData.DigitsModule(d);
            double v1 = model.LossGradient(d.X, labels, gradient);
            double v2 = DigitsStaticModel.LossGradient(s.P[0], s.P[1], s.P[2], s.P[3], s.X, labels, s.G[0], s.G[1], s.G[2], s.G[3]);
            double[]? f = n > 1 ? null : fd.Evaluate(
                p => DigitsStaticModel.Loss(p.AsSpan(0, 2048), p.AsSpan(2048, 32), p.AsSpan(2080, 320), p.AsSpan(2400, 10), s.X, labels),
                [.. s.P[0], .. s.P[1], .. s.P[2], .. s.P[3]]);
            CompareModel($"Digits model class vs static (batch = {n})", v1, d, v2, s, model.Loss(d.X, labels), f);
        }
    }

    // ADBench's expected values (test/cpp/modules/common/BaTests.cpp and GmmTests.cpp): the BA layer's errors and its
    // Jacobian's first block, and the GMM objective with the tangent along each unit direction against its gradient.
    private static void CheckAdBench()
    {
        var ba = BundleAdjustmentData.Test();
        double[] errors = new double[3], jacobian = new double[3 * 15];
        BundleAdjustmentModel.ReprojectionJacobian(ba.Camera(0), ba.Point(0), ba.Weights[0], ba.Features.AsSpan(0, 2), errors, jacobian);
        double[] expectedJacobian =
        {
            228.87720220824676, 634.5748114955454, -782.2228662593405, 2.4289261560715967, -11.782807962801131, 2.5416931248774346,
            -1.0365708495851809, 0.417022, 0.0, -350.7395210960052, -912.1077736680086, -2.4289261560715967, 11.782807962801131,
            -2.5416931248774346, -0.6451670397129874,
            -120.54243599499688, -385.6732407664604, 97.54762914033265, -1.7837210852957657, 4.154667994331261, 2.040257180298989,
            0.3491763974331459, 0.0, 0.417022, 118.1491477044145, 307.25010896034325, 1.7837210852957657, -4.154667994331261,
            -2.040257180298989, 0.623335921553064,
            0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -2 * 0.417022,
        };
        double[] expected = [-0.2690488492351894, 0.2599447926779019, 0.826092651516, .. expectedJacobian];
        CompareExpected("ADBench BA test (errors, Jacobian)", [.. errors, .. jacobian], expected, 1e-9);
        double[] sketchErrors = new double[3], sketch = new double[3 * 15];
        BundleAdjustmentJacobianSketch.ReprojectionJacobian(ba.Camera(0), ba.Point(0), ba.Weights[0], ba.Features.AsSpan(0, 2), sketchErrors, sketch);
        CompareExpected("BA Jacobian, one forward and three reverse sweeps", [.. sketchErrors, .. sketch], [.. errors, .. jacobian], 1e-15);

        var gmm = GaussianMixtureData.Load("test.txt");
        double[] gradient =
        {
            0.10866285550865246, -0.7412700395238985, 0.6326071840152461, 1.1169257653278701, 0.16333301355145527,
            -0.021998982407119314, 0.2277782922542361, 1.2096302561283219, -0.060637592073395634, 2.5852999405116224,
            0.11263269452421379, 0.3857443098496118, 0.07351805731823055, 5.418363627155952, -0.32149440967744647,
            1.7189230977500494, 0.8600910907908669, -0.9946409304663228,
        };
        int a = gmm.Alphas.Length, mu = gmm.Means.Length;
        var tangents = new double[gradient.Length];
        double value = 0;
        for (int i = 0; i < gradient.Length; i++)
        {
            double[] direction = new double[gradient.Length];
            direction[i] = 1;
            value = gmm.Tangent(direction[..a], direction[a..(a + mu)], direction[(a + mu)..], out tangents[i]);
        }
        CompareExpected("ADBench GMM test (objective, tangents)", [value, .. tangents], [8.073804080049758, .. gradient], 1e-9);

        // The measured calls allocate nothing once warm.
        var gmmBenchmark = new GaussianMixtureTangentBenchmarks();
        gmmBenchmark.Setup();
        var baBenchmark = new BundleAdjustmentJacobianBenchmarks();
        foreach (var (name, call) in new (string, Func<double>)[] { ("GMM Tangent", gmmBenchmark.Tangent), ("BA Jacobian", baBenchmark.Jacobian) })
        {
            for (int i = 0; i < 20; i++) call();
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 20; i++) call();
            long bytes = GC.GetAllocatedBytesForCurrentThread() - before;
            if (bytes != 0) _failures++;
            Console.WriteLine($"{name}: {bytes} bytes allocated in 20 calls");
        }

        var curveFit = new CurveFitJacobianBenchmarks();
        curveFit.Jacobian();
        double[] byReverseSweeps = (double[])curveFit.LastJacobian.Clone();
        curveFit.JacobianByTangents();
        CompareExpected("CurveFit Jacobian (tangents vs reverse sweeps)", curveFit.LastJacobian, byReverseSweeps, 1e-12);
    }

    private static void CompareExpected(string what, double[] actual, double[] expected, double tolerance)
    {
        int bad = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            if (Math.Abs(actual[i] - expected[i]) <= tolerance * Math.Max(1, Math.Abs(expected[i]))) continue;
            _failures++;
            if (++bad <= 5) Console.WriteLine($"{what} [{i}]: {actual[i]:R}, expected {expected[i]:R}");
        }
        Console.WriteLine($"{what}: {expected.Length} values, {bad} mismatches");
    }

    private static void CompareModel(string what, double generatedValue, ModelData generated, double handValue, ModelData hand,
        double forwardValue, double[]? finiteDifferences)
    {
        double[] g = [generatedValue, .. generated.G[0], .. generated.G[1], .. generated.G[2], .. generated.G[3], .. (generated.G.Length > 4 ? generated.G[4] : [])];
        double[] h = [handValue, .. hand.G[0], .. hand.G[1], .. hand.G[2], .. hand.G[3], .. (hand.G.Length > 4 ? hand.G[4] : [])];
        int bad = 0;
        double worst = 0;
        for (int i = 0; i < g.Length; i++)
        {
            double scale = Math.Max(1, Math.Abs(g[i]));
            double diff = Math.Abs(g[i] - h[i]) / scale;
            worst = Math.Max(worst, diff);
            bool fdClose = finiteDifferences is null || i == 0 || Math.Abs(g[i] - finiteDifferences[i - 1]) <= 1e-5 * scale;
            if (diff > 1e-10 || !fdClose)
            {
                _failures++;
                if (++bad <= 5)
                    Console.WriteLine($"{what} [{i}]: generated {g[i]:R}, hand-written {h[i]:R}, FD {(finiteDifferences is null || i == 0 ? double.NaN : finiteDifferences[i - 1]):R}");
            }
        }
        if (Math.Abs(generatedValue - forwardValue) > 1e-12 * Math.Max(1, Math.Abs(forwardValue)))
        {
            _failures++;
            Console.WriteLine($"{what}: generated value {generatedValue:R} != forward {forwardValue:R}");
        }
        Console.WriteLine($"{what}: {g.Length - 1} gradients, max relative |generated - hand-written| = {worst:E1}{(finiteDifferences is null ? "" : ", checked against FD")}");
    }

    private static void Compare(string what, double[] generated, double[] handWritten, double[] finiteDifferences)
    {
        for (int i = 0; i < generated.Length; i++)
        {
            double scale = Math.Max(1, Math.Abs(generated[i]));
            bool same = Math.Abs(generated[i] - handWritten[i]) <= 1e-12 * scale;
            bool fdClose = Math.Abs(generated[i] - finiteDifferences[i]) <= 1e-5 * scale;
            if (!same || !fdClose)
            {
                _failures++;
                Console.WriteLine($"{what} [{i}]: generated {generated[i]:R}, hand-written {handWritten[i]:R}, FD {finiteDifferences[i]:R}");
            }
        }
    }
}
