using System;
using System.Linq;
using Xunit;

namespace Backprop.Samples.Tests;

/// <summary>
/// Each sample model's generated gradient against central differences (on small random parameters), and the
/// generated gradient allocating nothing once warm.
/// </summary>
[Collection("Console")] // tests that redirect Console.Out run one at a time
public sealed class SampleModelTests
{
    private static double[] Random(Random random, int length, double scale = 0.5) =>
        Enumerable.Range(0, length).Select(_ => (2 * random.NextDouble() - 1) * scale).ToArray();

    private static long AllocatedBy(Action call)
    {
        for (int i = 0; i < 100; i++) call(); // warm-up: JIT tiers, pool buckets
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++) call();
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }

    /// <summary>Concatenates parameter arrays into one flat point and splits a flat point back.</summary>
    private sealed class Flat
    {
        private readonly (string Name, int Length)[] _layout;
        public Flat(params (string Name, int Length)[] layout) => _layout = layout;
        public GradientCheckOptions Options(double atol = 1e-5, double rtol = 1e-3) =>
            new() { Layout = _layout, AbsoluteTolerance = atol, RelativeTolerance = rtol };
        public double[] Join(params double[][] parts) => parts.SelectMany(p => p).ToArray();
        public double[][] Split(double[] point)
        {
            var parts = new double[_layout.Length][];
            int offset = 0;
            for (int i = 0; i < _layout.Length; i++)
            {
                parts[i] = point.AsSpan(offset, _layout[i].Length).ToArray();
                offset += _layout[i].Length;
            }
            return parts;
        }
    }

    // ---- SimpleNN ----

    private static (double[][] Parameters, double[] Xs, double[] Ys) SimpleNNCase(int seed)
    {
        var random = new Random(seed);
        const int n = 6;
        var parameters = new[]
        {
            Random(random, SimpleNN.Model.Hidden * SimpleNN.Model.Inputs), Random(random, SimpleNN.Model.Hidden),
            Random(random, SimpleNN.Model.Hidden), Random(random, 1),
        };
        return (parameters, Random(random, n * SimpleNN.Model.Inputs, 1.0), Random(random, n, 1.0));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void SimpleNN_GradientMatchesFiniteDifferences(int seed)
    {
        var (p, xs, ys) = SimpleNNCase(seed);
        var flat = new Flat(("fc1.weight", p[0].Length), ("fc1.bias", p[1].Length), ("fc2.weight", p[2].Length), ("fc2.bias", p[3].Length));
        var g = p.Select(a => new double[a.Length]).ToArray();
        double value = SimpleNN.Model.LossGradient(p[0], p[1], p[2], p[3], xs, ys, g[0], g[1], g[2], g[3]);
        Assert.Equal(SimpleNN.Model.Loss(p[0], p[1], p[2], p[3], xs, ys), value, 12);
        GradientCheck.Check(q => { var s = flat.Split(q); return SimpleNN.Model.Loss(s[0], s[1], s[2], s[3], xs, ys); },
            flat.Join(p), flat.Join(g), flat.Options()).ThrowIfFailed();
    }

    [Fact]
    public void SimpleNN_GradientAllocatesNothing()
    {
        var (p, xs, ys) = SimpleNNCase(1);
        var g = p.Select(a => new double[a.Length]).ToArray();
        Assert.Equal(0, AllocatedBy(() => SimpleNN.Model.LossGradient(p[0], p[1], p[2], p[3], xs, ys, g[0], g[1], g[2], g[3])));
    }

    // ---- SpiralClassifier ----

    private static (double[][] Parameters, double[] Xs, double[] Labels) SpiralCase(int seed)
    {
        var random = new Random(seed);
        const int n = 6;
        var parameters = new[]
        {
            Random(random, SpiralClassifier.Model.Hidden * SpiralClassifier.Model.Inputs), Random(random, SpiralClassifier.Model.Hidden),
            Random(random, SpiralClassifier.Model.Classes * SpiralClassifier.Model.Hidden), Random(random, SpiralClassifier.Model.Classes),
        };
        var labels = Enumerable.Range(0, n).Select(i => (double)(i % SpiralClassifier.Model.Classes)).ToArray();
        return (parameters, Random(random, n * SpiralClassifier.Model.Inputs, 1.0), labels);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void SpiralClassifier_GradientMatchesFiniteDifferences(int seed)
    {
        var (p, xs, labels) = SpiralCase(seed);
        var flat = new Flat(("fc1.weight", p[0].Length), ("fc1.bias", p[1].Length), ("fc2.weight", p[2].Length), ("fc2.bias", p[3].Length));
        var g = p.Select(a => new double[a.Length]).ToArray();
        double value = SpiralClassifier.Model.LossGradient(p[0], p[1], p[2], p[3], xs, labels, g[0], g[1], g[2], g[3]);
        Assert.Equal(SpiralClassifier.Model.Loss(p[0], p[1], p[2], p[3], xs, labels), value, 12);
        GradientCheck.Check(q => { var s = flat.Split(q); return SpiralClassifier.Model.Loss(s[0], s[1], s[2], s[3], xs, labels); },
            flat.Join(p), flat.Join(g), flat.Options()).ThrowIfFailed();
    }

    [Fact]
    public void SpiralClassifier_GradientAllocatesNothing()
    {
        var (p, xs, labels) = SpiralCase(1);
        var g = p.Select(a => new double[a.Length]).ToArray();
        Assert.Equal(0, AllocatedBy(() => SpiralClassifier.Model.LossGradient(p[0], p[1], p[2], p[3], xs, labels, g[0], g[1], g[2], g[3])));
    }

    // ---- SineRnn ----

    private static (double[][] Parameters, double[] Window) SineRnnCase(int seed, int steps = 20)
    {
        var random = new Random(seed);
        const int h = SineRnn.Model.Hidden;
        var parameters = new[] { Random(random, h), Random(random, h * h), Random(random, h), Random(random, h), Random(random, 1) };
        var window = Enumerable.Range(0, steps + 1).Select(t => Math.Sin(0.25 * t) + 0.05 * (2 * random.NextDouble() - 1)).ToArray();
        return (parameters, window);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void SineRnn_GradientMatchesFiniteDifferences(int seed)
    {
        var (p, window) = SineRnnCase(seed);
        var flat = new Flat(("rnn.weight_ih", p[0].Length), ("rnn.weight_hh", p[1].Length), ("rnn.bias", p[2].Length),
            ("out.weight", p[3].Length), ("out.bias", p[4].Length));
        var g = p.Select(a => new double[a.Length]).ToArray();
        double value = SineRnn.Model.LossGradient(p[0], p[1], p[2], p[3], p[4], window, g[0], g[1], g[2], g[3], g[4]);
        Assert.Equal(SineRnn.Model.Loss(p[0], p[1], p[2], p[3], p[4], window), value, 12);
        GradientCheck.Check(q => { var s = flat.Split(q); return SineRnn.Model.Loss(s[0], s[1], s[2], s[3], s[4], window); },
            flat.Join(p), flat.Join(g), flat.Options()).ThrowIfFailed();
    }

    [Fact]
    public void SineRnn_GradientAllocatesNothing()
    {
        var (p, window) = SineRnnCase(1, steps: 24);
        var g = p.Select(a => new double[a.Length]).ToArray();
        Assert.Equal(0, AllocatedBy(() => SineRnn.Model.LossGradient(p[0], p[1], p[2], p[3], p[4], window, g[0], g[1], g[2], g[3], g[4])));
    }

    // ---- BarsCnn ----

    private static (double[][] Parameters, double[] Images, double[] Labels) BarsCase(int seed)
    {
        var random = new Random(seed);
        const int n = 4, pixels = BarsCnn.Model.Size * BarsCnn.Model.Size;
        var parameters = new[]
        {
            Random(random, BarsCnn.Model.Filters * BarsCnn.Model.Kernel * BarsCnn.Model.Kernel), Random(random, BarsCnn.Model.Filters),
            Random(random, BarsCnn.Model.Classes * BarsCnn.Model.Features), Random(random, BarsCnn.Model.Classes),
        };
        var labels = Enumerable.Range(0, n).Select(i => (double)(i % 2)).ToArray();
        return (parameters, Random(random, n * pixels, 1.0), labels);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void BarsCnn_GradientMatchesFiniteDifferences(int seed)
    {
        var (p, images, labels) = BarsCase(seed);
        var flat = new Flat(("conv.weight", p[0].Length), ("conv.bias", p[1].Length), ("fc.weight", p[2].Length), ("fc.bias", p[3].Length));
        var g = p.Select(a => new double[a.Length]).ToArray();
        double value = BarsCnn.Model.LossGradient(p[0], p[1], p[2], p[3], images, labels, g[0], g[1], g[2], g[3]);
        Assert.Equal(BarsCnn.Model.Loss(p[0], p[1], p[2], p[3], images, labels), value, 12);
        GradientCheck.Check(q => { var s = flat.Split(q); return BarsCnn.Model.Loss(s[0], s[1], s[2], s[3], images, labels); },
            flat.Join(p), flat.Join(g), flat.Options()).ThrowIfFailed();
    }

    [Fact]
    public void BarsCnn_GradientAllocatesNothing()
    {
        var (p, images, labels) = BarsCase(1);
        var g = p.Select(a => new double[a.Length]).ToArray();
        Assert.Equal(0, AllocatedBy(() => BarsCnn.Model.LossGradient(p[0], p[1], p[2], p[3], images, labels, g[0], g[1], g[2], g[3])));
    }

    // ---- Digits (a model class: the check walks its registered members) ----

    private static (Digits.Mlp Model, double[] Images, int[] Labels) DigitsCase(int seed)
    {
        var random = new Random(seed);
        const int n = 3;
        var model = new Digits.Mlp(random);
        var labels = Enumerable.Range(0, n).Select(i => (3 * i + seed) % Digits.Mlp.Classes).ToArray();
        return (model, Random(random, n * Digits.Mlp.Inputs, 1.0), labels);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Digits_GradientMatchesFiniteDifferences(int seed)
    {
        var (model, images, labels) = DigitsCase(seed);
        var gradient = new Digits.Mlp(new Random(0));
        var parameters = new Backprop.Training.ParameterSet<double>();
        model.AddParameters(parameters.AddGroup(learningRate: 0), gradient);
        parameters.ZeroGrad();
        double value = model.LossGradient(images, labels, gradient);
        Assert.Equal(model.Loss(images, labels), value, 12);
        var result = GradientCheck.Check(() => model.Loss(images, labels), parameters);
        Assert.Equal(64 * 32 + 32 + 32 * 10 + 10, result.NumericGradient.Count);
        result.ThrowIfFailed();
    }

    [Fact]
    public void Digits_GradientAllocatesNothing()
    {
        var (model, images, labels) = DigitsCase(1);
        var gradient = new Digits.Mlp(new Random(0));
        Assert.Equal(0, AllocatedBy(() => model.LossGradient(images, labels, gradient)));
    }

    [Fact]
    public void Digits_ReachesItsTargetAccuracy()
    {
        var output = new System.IO.StringWriter();
        var console = Console.Out;
        Console.SetOut(output);
        int exitCode;
        try
        {
            exitCode = (int)typeof(Digits.Mlp).Assembly.EntryPoint!.Invoke(null, new object[] { new[] { "--no-plot" } })!;
        }
        finally
        {
            Console.SetOut(console);
        }
        Assert.True(exitCode == 0, output.ToString());
        Assert.Contains("Reached test accuracy", output.ToString());
    }

    // ---- Rosenbrock ----

    [Theory]
    [InlineData(-1.5, 2.0)]
    [InlineData(0.3, -0.7)]
    [InlineData(1.0, 1.0)]
    public void Rosenbrock_GradientMatchesFiniteDifferences(double x, double y)
    {
        double value = Rosenbrock.Model.RosenbrockGradient(x, y, out double dX, out double dY);
        Assert.Equal(Rosenbrock.Model.Rosenbrock(x, y), value, 12);
        GradientCheck.Check(p => Rosenbrock.Model.Rosenbrock(p[0], p[1]), new[] { x, y }, new[] { dX, dY },
            new GradientCheckOptions { Layout = new[] { ("x", 1), ("y", 1) } }).ThrowIfFailed();
    }

    [Fact]
    public void Rosenbrock_GradientAllocatesNothing()
    {
        Assert.Equal(0, AllocatedBy(() => Rosenbrock.Model.RosenbrockGradient(-1.5, 2.0, out _, out _)));
    }
}
