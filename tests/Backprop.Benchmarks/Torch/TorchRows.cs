using System;
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
