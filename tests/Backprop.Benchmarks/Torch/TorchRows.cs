using System;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace Backprop.Benchmarks.Torch;

/// <summary>
/// The libtorch rows of <c>--ops</c>: checks that libtorch and the generated gradients agree (losses and every gradient
/// entry, before anything is timed), then adds torch.matmul and the torch MLP to the rows.
/// </summary>
public static class TorchRows
{
    public static void Register()
    {
        torch.set_num_threads(1);
        Console.WriteLine($"libtorch threads: {torch.get_num_threads()}");
        foreach (var (m, k, n) in new[] { (32, 784, 128), (256, 256, 256) })
        {
            double flops = 2.0 * m * k * n;
            var md = new TorchMatMul(m, k, n, ScalarType.Float64);
            var mf = new TorchMatMul(m, k, n, ScalarType.Float32);
            OpsQuick.Extra.Add(($"GEMM {m}x{k}x{n}", "torch.matmul double", flops, md.Run));
            OpsQuick.Extra.Add(($"GEMM {m}x{k}x{n}", "torch.matmul float", flops, mf.Run));
        }

        var data = new MlpOpsData();
        var td = new TorchMlp(data.D, ScalarType.Float64);
        var tf = new TorchMlp(data.D, ScalarType.Float32);
        CheckAgreement(data, td, tf);
        const string group = "MLP 784-128-10, batch 32, value+gradient";
        OpsQuick.Extra.Add((group, "libtorch (double)", 0, () => td.ValueAndGradient()));
        OpsQuick.Extra.Add((group, "libtorch (float)", 0, () => tf.ValueAndGradient()));
        RegisterSamples();
    }

    /// <summary>The samples' models and log-sum-exp (issue 12's other rows): checked equal, then timed beside libtorch.</summary>
    private static void RegisterSamples()
    {
        var simple = ModelData.SimpleNN(1);
        Sample("SimpleNN (one sample), value+gradient", simple, new TorchSimpleNN(simple),
            () => global::SimpleNN.Model.LossGradient(simple.P[0], simple.P[1], simple.P[2], simple.P[3], simple.X, simple.Y, simple.G[0], simple.G[1], simple.G[2], simple.G[3]));
        foreach (int steps in new[] { 20, 200 })
        {
            var rnn = ModelData.Rnn(steps);
            Sample($"Rnn (T = {steps}), value+gradient", rnn, new TorchRnn(rnn),
                () => global::SineRnn.Model.LossGradient(rnn.P[0], rnn.P[1], rnn.P[2], rnn.P[3], rnn.P[4], rnn.X, rnn.G[0], rnn.G[1], rnn.G[2], rnn.G[3], rnn.G[4]));
        }
        foreach (int batch in new[] { 1, 32 })
        {
            var cnn = ModelData.Cnn(batch);
            Sample($"Cnn (batch = {batch}), value+gradient", cnn, new TorchCnn(cnn),
                () => global::BarsCnn.Model.LossGradient(cnn.P[0], cnn.P[1], cnn.P[2], cnn.P[3], cnn.X, cnn.Y, cnn.G[0], cnn.G[1], cnn.G[2], cnn.G[3]));
        }

        foreach (string instance in new[] { "gmm_d2_K5.txt", "gmm_d10_K25.txt", "gmm_d20_K50.txt" })
        {
            var g = GaussianMixtureData.Load(instance);
            double[] dAlphas = new double[g.Alphas.Length], dMeans = new double[g.Means.Length], dIcf = new double[g.Icf.Length];
            var torchGmm = new TorchGmm(g);
            string gmm = $"GMM {instance.Replace(".txt", "")} (n = {g.N}), value+gradient";
            torchGmm.ZeroGradients();
            double value = g.Gradient(dAlphas, dMeans, dIcf), expected = torchGmm.ValueAndGradient();
            Compare(gmm + ": value", new[] { value }, new[] { expected }, 1e-12);
            var tg = torchGmm.Gradients();
            Compare(gmm + ": alphas", dAlphas, tg[0], 1e-12);
            Compare(gmm + ": means", dMeans, tg[1], 1e-12);
            Compare(gmm + ": icf", dIcf, tg[2], 1e-12);
            torchGmm.ZeroGradients();
            OpsQuick.Extra.Add((gmm, "objective alone (double)", 0, () => g.Objective()));
            OpsQuick.Extra.Add((gmm, "generated (double)", 0, () => g.Gradient(dAlphas, dMeans, dIcf)));
            OpsQuick.Extra.Add((gmm, "libtorch eager (double)", 0, () => torchGmm.ValueAndGradient()));
        }

        const int n = 100_000;
        var random = new Random(11);
        double[] x = Enumerable.Range(0, n).Select(_ => 6 * random.NextDouble() - 3).ToArray(), dX = new double[n];
        var lse = new TorchLogSumExp(x);
        const string group = "LogSumExp (n = 100000), value+gradient";
        Array.Clear(dX);
        lse.ZeroGradients();
        double ours = Workloads.LogSumExpGradient(x, dX), theirs = lse.ValueAndGradient();
        Compare("LogSumExp value", new[] { ours }, new[] { theirs }, 1e-12);
        // libtorch's vectorized exp differs from Math.Exp by up to about 1e-9 relative: the softmax entries agree to that.
        Compare("LogSumExp gradient (scalar loop, generated)", dX, lse.Gradients()[0], 1e-8);
        Array.Clear(dX);
        OpsWorkloads.LogSumExpGradient(x, dX);
        Compare("LogSumExp gradient (Ops.LogSumExp, generated)", dX, lse.Gradients()[0], 1e-8);
        OpsQuick.Extra.Add((group, "scalar loop, generated (double)", 0, () => Workloads.LogSumExpGradient(x, dX)));
        OpsQuick.Extra.Add((group, "Ops.LogSumExp, generated (double)", 0, () => OpsWorkloads.LogSumExpGradient(x, dX)));
        OpsQuick.Extra.Add((group, "libtorch (double)", 0, () => lse.ValueAndGradient()));
    }

    /// <summary>One value and gradient on each side from zero gradients (they must agree), then both rows.</summary>
    private static void Sample(string group, ModelData d, TorchModel torchModel, Func<double> ours)
    {
        d.ClearGradients();
        torchModel.ZeroGradients();
        double value = ours(), theirs = torchModel.ValueAndGradient();
        Compare(group + ": loss", new[] { value }, new[] { theirs }, 1e-12);
        var gradients = torchModel.Gradients();
        for (int p = 0; p < d.G.Length; p++) Compare(group + ": parameter " + p, d.G[p], gradients[p], 1e-12);
        d.ClearGradients();
        torchModel.ZeroGradients();
        OpsQuick.Extra.Add((group, "generated (double)", 0, () => ours()));
        OpsQuick.Extra.Add((group, "libtorch (double)", 0, () => torchModel.ValueAndGradient()));
    }

    /// <summary>One value and gradient on each side from zero gradients; throws when they differ beyond rounding.</summary>
    public static void CheckAgreement(MlpOpsData data, TorchMlp td, TorchMlp tf)
    {
        data.ClearGradients();
        td.ZeroGradients();
        tf.ZeroGradients();
        double ours = data.Gradient(), oursF = data.GradientF();
        double theirs = td.ValueAndGradient(), theirsF = tf.ValueAndGradient();
        Compare("loss (double)", new[] { ours }, new[] { theirs }, 1e-12);
        Compare("loss (float)", new[] { (double)oursF }, new[] { theirsF }, 1e-5);
        var gd = td.Gradients();
        var gf = tf.Gradients();
        string[] names = { "w1", "b1", "w2", "b2" };
        for (int p = 0; p < 4; p++)
        {
            Compare(names[p] + " (double)", data.D.G[p], gd[p], 1e-12);
            Compare(names[p] + " (float)", Array.ConvertAll(data.G[p], v => (double)v), gf[p], 1e-5);
        }
        data.ClearGradients();
        td.ZeroGradients();
        tf.ZeroGradients();
        Console.WriteLine($"libtorch agrees: loss {ours:R} (double), {oursF:R} (float); every gradient entry within tolerance");
    }

    private static void Compare(string what, double[] ours, double[] theirs, double tolerance)
    {
        if (ours.Length != theirs.Length) throw new InvalidOperationException($"{what}: {ours.Length} entries here, {theirs.Length} in libtorch");
        // Relative to the buffer's largest entry: float sums over 32 samples cancel, so small entries carry absolute error.
        double scale = 0, worst = 0;
        foreach (double v in theirs) scale = Math.Max(scale, Math.Abs(v));
        for (int i = 0; i < ours.Length; i++)
        {
            double error = Math.Abs(ours[i] - theirs[i]) / scale;
            if (!(error <= tolerance)) throw new InvalidOperationException($"{what}[{i}]: {ours[i]:R} here, {theirs[i]:R} in libtorch");
            worst = Math.Max(worst, error);
        }
        Console.WriteLine($"  {what}: {ours.Length} entries, worst difference {worst:E1} of the largest entry");
    }
}
