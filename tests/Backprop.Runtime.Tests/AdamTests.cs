using System;
using Backprop.Training;
using Xunit;

namespace Backprop.Runtime.Tests;

public class AdamTests
{
    /// <summary>torch.optim.Adam (and AdamW when <paramref name="decoupled"/>), one element at a time.</summary>
    internal static Action<double[], double[], int> Reference(
        double lr, double weightDecay, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8,
        bool amsgrad = false, bool maximize = false, bool decoupled = false)
    {
        double[]? m = null, v = null, vMax = null;
        return (p, g, step) =>
        {
            m ??= new double[p.Length];
            v ??= new double[p.Length];
            vMax ??= new double[p.Length];
            double bias1 = 1 - Math.Pow(beta1, step);
            double bias2 = 1 - Math.Pow(beta2, step);
            for (int i = 0; i < p.Length; i++)
            {
                double d = maximize ? -g[i] : g[i];
                if (decoupled) p[i] = p[i] * (1 - lr * weightDecay);
                else d = d + weightDecay * p[i];
                m[i] = beta1 * m[i] + (1 - beta1) * d;
                v[i] = beta2 * v[i] + (1 - beta2) * d * d;
                double second = v[i];
                if (amsgrad)
                {
                    vMax[i] = Math.Max(vMax[i], v[i]);
                    second = vMax[i];
                }
                double mHat = m[i] / bias1;
                double vHat = second / bias2;
                // sqrt(v̂) + ε with ε outside the bias correction: √v/√(1−β₂ᵗ) + ε, as PyTorch writes it.
                p[i] = p[i] - lr * mHat / (Math.Sqrt(vHat) + eps);
            }
        };
    }

    [Fact]
    public void Adam_Defaults_MatchesReferenceSequence() =>
        OptimizerHarness.AssertMatchesReference(s => new Adam<double>(s), 0.05, 0, Reference(0.05, 0));

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(8)]
    [InlineData(9)]
    [InlineData(16)]
    [InlineData(17)]
    [InlineData(33)]
    public void Adam_LengthsAroundTheVectorWidth_MatchReferenceSequence(int length) =>
        OptimizerHarness.AssertMatchesReference(
            s => new Adam<double>(s, new AdamOptions { AmsGrad = true, Beta2 = 0.5 }), 0.05, 0.1,
            Reference(0.05, 0.1, beta2: 0.5, amsgrad: true), length: length);

    [Fact]
    public void Adam_WeightDecay_MatchesReferenceSequence() =>
        OptimizerHarness.AssertMatchesReference(s => new Adam<double>(s), 0.05, 0.3, Reference(0.05, 0.3));

    [Fact]
    public void Adam_AmsGrad_MatchesReferenceSequence() =>
        OptimizerHarness.AssertMatchesReference(
            s => new Adam<double>(s, new AdamOptions { AmsGrad = true, Beta2 = 0.5 }), 0.05, 0, Reference(0.05, 0, beta2: 0.5, amsgrad: true));

    [Fact]
    public void Adam_Maximize_MatchesReferenceSequence() =>
        OptimizerHarness.AssertMatchesReference(
            s => new Adam<double>(s, new AdamOptions { Maximize = true }), 0.05, 0, Reference(0.05, 0, maximize: true));

    [Fact]
    public void Adam_CustomBetasAndLargeEps_MatchesReferenceSequence() =>
        OptimizerHarness.AssertMatchesReference(
            s => new Adam<double>(s, new AdamOptions { Beta1 = 0.5, Beta2 = 0.8, Eps = 0.1 }), 0.05, 0, Reference(0.05, 0, beta1: 0.5, beta2: 0.8, eps: 0.1));

    [Fact]
    public void Adam_ZeroBetas_MatchesReferenceSequence() =>
        OptimizerHarness.AssertMatchesReference(
            s => new Adam<double>(s, new AdamOptions { Beta1 = 0, Beta2 = 0 }), 0.05, 0, Reference(0.05, 0, beta1: 0, beta2: 0));

    [Fact]
    public void Adam_AllOptionsTogether_MatchesReferenceSequence() =>
        OptimizerHarness.AssertMatchesReference(
            s => new Adam<double>(s, new AdamOptions { Beta1 = 0.8, Beta2 = 0.6, Eps = 1e-3, AmsGrad = true, Maximize = true }),
            0.02, 0.1, Reference(0.02, 0.1, beta1: 0.8, beta2: 0.6, eps: 1e-3, amsgrad: true, maximize: true));

    [Fact]
    public void AdamW_DecoupledWeightDecay_MatchesReferenceSequence() =>
        OptimizerHarness.AssertMatchesReference(s => new AdamW<double>(s), 0.05, 0.5, Reference(0.05, 0.5, decoupled: true));

    [Fact]
    public void AdamW_AmsGradAndMaximize_MatchesReferenceSequence() =>
        OptimizerHarness.AssertMatchesReference(
            s => new AdamW<double>(s, new AdamOptions { AmsGrad = true, Maximize = true, Beta2 = 0.5 }),
            0.05, 0.2, Reference(0.05, 0.2, beta2: 0.5, amsgrad: true, maximize: true, decoupled: true));

    [Fact]
    public void AdamW_DiffersFromAdamWithTheSameWeightDecay()
    {
        var a = Train(s => new Adam<double>(s));
        var b = Train(s => new AdamW<double>(s));
        Assert.NotEqual(a, b);

        static double[] Train(Func<ParameterSet<double>, Optimizer<double>> create)
        {
            var w = OptimizerHarness.InitialValues();
            var g = new double[w.Length];
            var set = new ParameterSet<double>();
            set.AddGroup(0.05, 0.5).Add("w", w, g);
            var optimizer = create(set);
            OptimizerHarness.FillGradients(w, g, 1);
            optimizer.Step();
            return w;
        }
    }

    [Fact]
    public void Adam_TwoGroups_UseTheirOwnLearningRateAndWeightDecay()
    {
        var w1 = OptimizerHarness.InitialValues();
        var g1 = new double[w1.Length];
        var w2 = OptimizerHarness.InitialValues();
        var g2 = new double[w2.Length];
        var set = new ParameterSet<double>();
        set.AddGroup(0.05).Add("a", w1, g1);
        set.AddGroup(0.01, 0.4).Add("b", w2, g2);
        var optimizer = new Adam<double>(set);
        var r1 = OptimizerHarness.InitialValues();
        var r2 = OptimizerHarness.InitialValues();
        var rg1 = new double[r1.Length];
        var rg2 = new double[r2.Length];
        var reference1 = Reference(0.05, 0);
        var reference2 = Reference(0.01, 0.4);
        for (int step = 1; step <= 5; step++)
        {
            OptimizerHarness.FillGradients(w1, g1, step);
            OptimizerHarness.FillGradients(w2, g2, step);
            OptimizerHarness.FillGradients(r1, rg1, step);
            OptimizerHarness.FillGradients(r2, rg2, step);
            optimizer.Step();
            reference1(r1, rg1, step);
            reference2(r2, rg2, step);
        }
        OptimizerHarness.AssertClose(r1, w1, 1e-12, "group a");
        OptimizerHarness.AssertClose(r2, w2, 1e-12, "group b");
    }

    [Fact]
    public void Adam_Float_TracksDoubleReferenceToSinglePrecision()
    {
        var w = new float[OptimizerHarness.Length];
        var g = new float[w.Length];
        var r = OptimizerHarness.InitialValues();
        var rg = new double[r.Length];
        for (int i = 0; i < w.Length; i++) w[i] = (float)r[i];
        var set = new ParameterSet<float>();
        set.AddGroup(0.05).Add("w", w, g);
        var optimizer = new Adam<float>(set, new AdamOptions { AmsGrad = true });
        var reference = Reference(0.05, 0, amsgrad: true);
        for (int step = 1; step <= 5; step++)
        {
            OptimizerHarness.FillGradients(r, rg, step);
            for (int i = 0; i < g.Length; i++) g[i] = (float)rg[i];
            optimizer.Step();
            reference(r, rg, step);
        }
        for (int i = 0; i < w.Length; i++)
            Assert.True(Math.Abs(w[i] - r[i]) < 1e-5, $"index {i}: {w[i]} vs {r[i]}");
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(-0.01)]
    [InlineData(double.NaN)]
    public void AdamOptions_Beta1OutOfRange_ThrowsNamingBeta1(double beta1)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new AdamOptions { Beta1 = beta1 });
        Assert.Equal("Beta1", error.ParamName);
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(-0.01)]
    [InlineData(double.NaN)]
    public void AdamOptions_Beta2OutOfRange_ThrowsNamingBeta2(double beta2)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new AdamOptions { Beta2 = beta2 });
        Assert.Equal("Beta2", error.ParamName);
    }

    [Theory]
    [InlineData(-1e-8)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void AdamOptions_InvalidEps_ThrowsNamingEps(double eps)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new AdamOptions { Eps = eps });
        Assert.Equal("Eps", error.ParamName);
    }
}
