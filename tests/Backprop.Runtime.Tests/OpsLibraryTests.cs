using System;
using System.Collections.Generic;
using System.Linq;
using Backprop;
using Xunit;

namespace Backprop.Runtime.Tests;

/// <summary>
/// Every operation of <see cref="Ops"/> outside the matrix products, with its reverse rule: the forward against a naive
/// reference, the rule against central finite differences of the forward (through <c>L = Σ dY · y</c>, a random
/// linear functional of the outputs), accumulation into gradients that are not zero, empty gradients, and the float
/// overloads against the double ones. Lengths 1, 3, 7, 13 and 37 leave tails shorter than a vector of either type.
/// </summary>
public sealed class OpsLibraryTests
{
    /// <summary>One operation: its inputs (all differentiable), its outputs (a value-returning op has one), in both types.</summary>
    public sealed record Case(
        string Name,
        double[][] Inputs,
        Func<double[][], double[]> Forward,
        Action<double[][], double[], double[], double[][]> Reverse,
        Func<float[][], float[]> ForwardF,
        Action<float[][], float[], float[], float[][]> ReverseF,
        Func<double[][], double[]> Reference);

    private static readonly int[] Sizes = { 1, 3, 7, 13, 37 };

    private static double[] Fill(Random random, int length, double low = -2, double high = 2) =>
        Enumerable.Range(0, length).Select(_ => low + (high - low) * random.NextDouble()).ToArray();

    /// <summary>Values at least <paramref name="gap"/> away from zero, so that a finite difference does not straddle a kink.</summary>
    private static double[] AwayFromZero(Random random, int length, double gap = 0.05) =>
        Fill(random, length).Select(v => v + Math.CopySign(gap, v)).ToArray();

    private static float[] F(double[] v) => v.Select(x => (float)x).ToArray();

    private static Case Elementwise(string name, double[] x, Action<double[], double[]> f, Action<double[], double[], double[], double[]> r,
        Action<float[], float[]> ff, Action<float[], float[], float[], float[]> rf, Func<double, double> reference) =>
        new(name, new[] { x },
            i => { var y = new double[i[0].Length]; f(i[0], y); return y; },
            (i, y, dY, d) => r(i[0], y, dY, d[0]),
            i => { var y = new float[i[0].Length]; ff(i[0], y); return y; },
            (i, y, dY, d) => rf(i[0], y, dY, d[0]),
            i => i[0].Select(reference).ToArray());

    public static IEnumerable<Case> Cases(int n)
    {
        var random = new Random(n * 31 + 7);
        const int Batch = 3;

        yield return new Case("Sum", new[] { Fill(random, n) },
            i => new[] { Ops.Sum(i[0]) }, (i, y, dY, d) => Ops.SumReverse(i[0], y[0], dY[0], d[0]),
            i => new[] { Ops.Sum(i[0]) }, (i, y, dY, d) => Ops.SumReverse(i[0], y[0], dY[0], d[0]),
            i => new[] { i[0].Sum() });
        yield return new Case("Dot", new[] { Fill(random, n), Fill(random, n) },
            i => new[] { Ops.Dot(i[0], i[1]) }, (i, y, dY, d) => Ops.DotReverse(i[0], i[1], y[0], dY[0], d[0], d[1]),
            i => new[] { Ops.Dot(i[0], i[1]) }, (i, y, dY, d) => Ops.DotReverse(i[0], i[1], y[0], dY[0], d[0], d[1]),
            i => new[] { i[0].Zip(i[1], (a, b) => a * b).Sum() });
        yield return new Case("LogSumExp", new[] { Fill(random, n, -5, 5) },
            i => new[] { Ops.LogSumExp(i[0]) }, (i, y, dY, d) => Ops.LogSumExpReverse(i[0], y[0], dY[0], d[0]),
            i => new[] { Ops.LogSumExp(i[0]) }, (i, y, dY, d) => Ops.LogSumExpReverse(i[0], y[0], dY[0], d[0]),
            i => new[] { Math.Log(i[0].Sum(Math.Exp)) });

        yield return Elementwise("Relu", AwayFromZero(random, n), (a, b) => Ops.Relu(a, b), (a, b, c, d) => Ops.ReluReverse(a, b, c, d), (a, b) => Ops.Relu(a, b), (a, b, c, d) => Ops.ReluReverse(a, b, c, d), v => Math.Max(v, 0));
        yield return Elementwise("Tanh", Fill(random, n, -3, 3), (a, b) => Ops.Tanh(a, b), (a, b, c, d) => Ops.TanhReverse(a, b, c, d), (a, b) => Ops.Tanh(a, b), (a, b, c, d) => Ops.TanhReverse(a, b, c, d), Math.Tanh);
        yield return Elementwise("Sigmoid", Fill(random, n, -6, 6), (a, b) => Ops.Sigmoid(a, b), (a, b, c, d) => Ops.SigmoidReverse(a, b, c, d), (a, b) => Ops.Sigmoid(a, b), (a, b, c, d) => Ops.SigmoidReverse(a, b, c, d), v => 1 / (1 + Math.Exp(-v)));
        yield return Elementwise("Exp", Fill(random, n, -3, 3), (a, b) => Ops.Exp(a, b), (a, b, c, d) => Ops.ExpReverse(a, b, c, d), (a, b) => Ops.Exp(a, b), (a, b, c, d) => Ops.ExpReverse(a, b, c, d), Math.Exp);
        yield return Elementwise("Log", Fill(random, n, 0.2, 5), (a, b) => Ops.Log(a, b), (a, b, c, d) => Ops.LogReverse(a, b, c, d), (a, b) => Ops.Log(a, b), (a, b, c, d) => Ops.LogReverse(a, b, c, d), Math.Log);

        double[] SoftmaxRows(double[] x, bool log)
        {
            var y = new double[x.Length];
            for (int b = 0; b < Batch; b++)
            {
                var row = x.Skip(b * n).Take(n).ToArray();
                double lse = Math.Log(row.Sum(Math.Exp));
                for (int j = 0; j < n; j++) y[b * n + j] = log ? row[j] - lse : Math.Exp(row[j] - lse);
            }
            return y;
        }
        yield return new Case("Softmax", new[] { Fill(random, Batch * n, -4, 4) },
            i => { var y = new double[i[0].Length]; Ops.Softmax(i[0], y, Batch, n); return y; },
            (i, y, dY, d) => Ops.SoftmaxReverse(i[0], y, Batch, n, dY, d[0]),
            i => { var y = new float[i[0].Length]; Ops.Softmax(i[0], y, Batch, n); return y; },
            (i, y, dY, d) => Ops.SoftmaxReverse(i[0], y, Batch, n, dY, d[0]),
            i => SoftmaxRows(i[0], log: false));
        yield return new Case("LogSoftmax", new[] { Fill(random, Batch * n, -4, 4) },
            i => { var y = new double[i[0].Length]; Ops.LogSoftmax(i[0], y, Batch, n); return y; },
            (i, y, dY, d) => Ops.LogSoftmaxReverse(i[0], y, Batch, n, dY, d[0]),
            i => { var y = new float[i[0].Length]; Ops.LogSoftmax(i[0], y, Batch, n); return y; },
            (i, y, dY, d) => Ops.LogSoftmaxReverse(i[0], y, Batch, n, dY, d[0]),
            i => SoftmaxRows(i[0], log: true));

        var labels = Enumerable.Range(0, Batch).Select(_ => random.Next(n)).ToArray();
        yield return new Case("CrossEntropy", new[] { Fill(random, Batch * n, -4, 4) },
            i => new[] { Ops.CrossEntropy(i[0], labels, Batch, n) }, (i, y, dY, d) => Ops.CrossEntropyReverse(i[0], labels, Batch, n, y[0], dY[0], d[0]),
            i => new[] { Ops.CrossEntropy(i[0], labels, Batch, n) }, (i, y, dY, d) => Ops.CrossEntropyReverse(i[0], labels, Batch, n, y[0], dY[0], d[0]),
            i => new[] { Enumerable.Range(0, Batch).Average(b => -SoftmaxRows(i[0], log: true)[b * n + labels[b]]) });
        yield return new Case("Mse", new[] { Fill(random, n), Fill(random, n) },
            i => new[] { Ops.Mse(i[0], i[1]) }, (i, y, dY, d) => Ops.MseReverse(i[0], i[1], y[0], dY[0], d[0], d[1]),
            i => new[] { Ops.Mse(i[0], i[1]) }, (i, y, dY, d) => Ops.MseReverse(i[0], i[1], y[0], dY[0], d[0], d[1]),
            i => new[] { i[0].Zip(i[1], (a, b) => (a - b) * (a - b)).Average() });

        foreach (var (label, inC, outC, kh, kw, stride, padding, bias) in new[]
        {
            ("valid", 2, 3, 3, 2, 1, 0, true),
            ("padded", 1, 2, 3, 3, 1, 1, true),
            ("strided", 2, 2, 2, 3, 2, 1, false),
        })
        {
            int batch = 2, h = 5, w = n + 3;
            int oh = Ops.ConvOutputSize(h, kh, stride, padding), ow = Ops.ConvOutputSize(w, kw, stride, padding);
            var inputs = new[] { Fill(random, batch * inC * h * w), Fill(random, outC * inC * kh * kw), bias ? Fill(random, outC) : Array.Empty<double>() };
            yield return new Case("Conv2d " + label, inputs,
                i => { var y = new double[batch * outC * oh * ow]; Ops.Conv2d(i[0], i[1], i[2], y, batch, inC, h, w, outC, kh, kw, stride, padding); return y; },
                (i, y, dY, d) => Ops.Conv2dReverse(i[0], i[1], i[2], y, batch, inC, h, w, outC, kh, kw, stride, padding, dY, d[0], d[1], d[2]),
                i => { var y = new float[batch * outC * oh * ow]; Ops.Conv2d(i[0], i[1], i[2], y, batch, inC, h, w, outC, kh, kw, stride, padding); return y; },
                (i, y, dY, d) => Ops.Conv2dReverse(i[0], i[1], i[2], y, batch, inC, h, w, outC, kh, kw, stride, padding, dY, d[0], d[1], d[2]),
                i =>
                {
                    var y = new double[batch * outC * oh * ow];
                    for (int b = 0; b < batch; b++)
                        for (int o = 0; o < outC; o++)
                            for (int r = 0; r < oh; r++)
                                for (int c = 0; c < ow; c++)
                                {
                                    double s = bias ? i[2][o] : 0;
                                    for (int ci = 0; ci < inC; ci++)
                                        for (int p = 0; p < kh; p++)
                                            for (int q = 0; q < kw; q++)
                                            {
                                                int row = r * stride + p - padding, col = c * stride + q - padding;
                                                if (row >= 0 && row < h && col >= 0 && col < w)
                                                    s += i[1][((o * inC + ci) * kh + p) * kw + q] * i[0][((b * inC + ci) * h + row) * w + col];
                                            }
                                    y[((b * outC + o) * oh + r) * ow + c] = s;
                                }
                    return y;
                });
        }

        foreach (var (label, kernel, stride) in new[] { ("2x2", 2, 2), ("3x3 stride 1", 3, 1) })
        {
            int batch = 2, channels = 2, h = 5, w = n + 3;
            int oh = (h - kernel) / stride + 1, ow = (w - kernel) / stride + 1;
            // Distinct values (a shuffled grid 0.01 apart): no ties, and a finite difference never changes the argmax.
            var x = Enumerable.Range(0, batch * channels * h * w).Select(v => v * 0.01).OrderBy(_ => random.Next()).ToArray();
            yield return new Case("MaxPool2d " + label, new[] { x },
                i => { var y = new double[batch * channels * oh * ow]; Ops.MaxPool2d(i[0], y, batch, channels, h, w, kernel, stride); return y; },
                (i, y, dY, d) => Ops.MaxPool2dReverse(i[0], y, batch, channels, h, w, kernel, stride, dY, d[0]),
                i => { var y = new float[batch * channels * oh * ow]; Ops.MaxPool2d(i[0], y, batch, channels, h, w, kernel, stride); return y; },
                (i, y, dY, d) => Ops.MaxPool2dReverse(i[0], y, batch, channels, h, w, kernel, stride, dY, d[0]),
                i =>
                {
                    var y = new double[batch * channels * oh * ow];
                    for (int plane = 0; plane < batch * channels; plane++)
                        for (int r = 0; r < oh; r++)
                            for (int c = 0; c < ow; c++)
                            {
                                double m = double.NegativeInfinity;
                                for (int p = 0; p < kernel; p++)
                                    for (int q = 0; q < kernel; q++) m = Math.Max(m, i[0][(plane * h + r * stride + p) * w + c * stride + q]);
                                y[(plane * oh + r) * ow + c] = m;
                            }
                    return y;
                });
        }
    }

    public static TheoryData<string, int> All()
    {
        var data = new TheoryData<string, int>();
        foreach (int n in Sizes)
            foreach (var c in Cases(n)) data.Add(c.Name, n);
        return data;
    }

    private static Case Find(string name, int n) => Cases(n).Single(c => c.Name == name);

    [Theory]
    [MemberData(nameof(All))]
    public void Forward_MatchesNaiveReference(string name, int n)
    {
        var c = Find(name, n);
        var y = c.Forward(c.Inputs);
        var expected = c.Reference(c.Inputs);
        Assert.Equal(expected.Length, y.Length);
        for (int i = 0; i < y.Length; i++)
            Assert.True(Math.Abs(y[i] - expected[i]) <= 1e-13 * (1 + Math.Abs(expected[i])), $"{name}[{i}]: {y[i]:R} vs {expected[i]:R}");
    }

    [Theory]
    [MemberData(nameof(All))]
    public void Reverse_MatchesFiniteDifferences_AndAccumulates(string name, int n)
    {
        var c = Find(name, n);
        var random = new Random(n + name.Length);
        var y = c.Forward(c.Inputs);
        var dY = Fill(random, y.Length);
        var start = c.Inputs.Select(x => Fill(random, x.Length)).ToArray();
        var gradients = start.Select(g => (double[])g.Clone()).ToArray();
        c.Reverse(c.Inputs, y, dY, gradients);

        var point = c.Inputs.SelectMany(x => x).ToArray();
        var analytic = gradients.Zip(start, (g, s) => g.Zip(s, (a, b) => a - b)).SelectMany(g => g).ToArray();
        double Functional(double[] flat)
        {
            var inputs = Split(flat, c.Inputs);
            return c.Forward(inputs).Zip(dY, (a, b) => a * b).Sum();
        }
        var result = GradientCheck.Check(Functional, point, analytic);
        Assert.True(result.Passed, name + ": " + result);
    }

    [Theory]
    [MemberData(nameof(All))]
    public void Reverse_WithEmptyGradients_WritesNothing(string name, int n)
    {
        var c = Find(name, n);
        var y = c.Forward(c.Inputs);
        var inputs = c.Inputs.Select(x => (double[])x.Clone()).ToArray();
        c.Reverse(inputs, y, new double[y.Length], inputs.Select(_ => Array.Empty<double>()).ToArray());
        Assert.Equal(c.Inputs, inputs);
    }

    [Theory]
    [MemberData(nameof(All))]
    public void Float_MatchesDouble(string name, int n)
    {
        var c = Find(name, n);
        var random = new Random(n * 3 + name.Length);
        // Inputs that are exactly floats, so that the two types see the same problem.
        var inputs = c.Inputs.Select(x => F(x).Select(v => (double)v).ToArray()).ToArray();
        var y = c.Forward(inputs);
        var yf = c.ForwardF(inputs.Select(F).ToArray());
        for (int i = 0; i < y.Length; i++)
            Assert.True(Math.Abs(yf[i] - y[i]) <= 1e-5 * (1 + Math.Abs(y[i])), $"{name} y[{i}]: {yf[i]} vs {y[i]}");

        var dY = F(Fill(random, y.Length)).Select(v => (double)v).ToArray();
        var gradients = inputs.Select(x => F(Fill(random, x.Length)).Select(v => (double)v).ToArray()).ToArray();
        var gradientsF = gradients.Select(F).ToArray();
        c.Reverse(inputs, y, dY, gradients);
        c.ReverseF(inputs.Select(F).ToArray(), F(y), F(dY), gradientsF);
        for (int k = 0; k < gradients.Length; k++)
            for (int i = 0; i < gradients[k].Length; i++)
                Assert.True(Math.Abs(gradientsF[k][i] - gradients[k][i]) <= 1e-4 * (1 + Math.Abs(gradients[k][i])), $"{name} d{k}[{i}]: {gradientsF[k][i]} vs {gradients[k][i]}");
    }

    private static double[][] Split(double[] flat, double[][] like)
    {
        var parts = new double[like.Length][];
        int at = 0;
        for (int k = 0; k < like.Length; k++)
        {
            parts[k] = flat.AsSpan(at, like[k].Length).ToArray();
            at += like[k].Length;
        }
        return parts;
    }

    [Fact]
    public void LogSumExp_OfLargeValues_DoesNotOverflow_AndFollowsPyTorchAtTheEdges()
    {
        double[] x = { 1000, 1000 + Math.Log(3) };
        Assert.Equal(1000 + Math.Log(4), Ops.LogSumExp(x), 12);
        Assert.Equal(1000 + MathF.Log(4), Ops.LogSumExp(new[] { 1000f, 1000f + MathF.Log(3) }), 3);
        Assert.Equal(double.NegativeInfinity, Ops.LogSumExp(ReadOnlySpan<double>.Empty));
        Assert.Equal(double.NegativeInfinity, Ops.LogSumExp(new[] { double.NegativeInfinity, double.NegativeInfinity }));
        Assert.Equal(double.PositiveInfinity, Ops.LogSumExp(new[] { 1.0, double.PositiveInfinity, 2.0 }));
        Assert.True(double.IsNaN(Ops.LogSumExp(new[] { 1.0, 2, 3, 4, 5, double.NaN, double.PositiveInfinity })));
        Assert.Equal(-745.0 + Math.Log(5), Ops.LogSumExp(new[] { -745.0, -745, -745, -745, -745 }), 12);
    }

    [Fact]
    public void MaxPool2d_Ties_RouteToTheFirstEntryInRowMajorOrder_AndNaNWins()
    {
        // A 2x4 image, two 2x2 windows side by side: the left one holds three 3s, the right one a NaN.
        double[] x = { 1, 3, 3, 3, 3, 0, double.NaN, 0 };
        var y = new double[2];
        Ops.MaxPool2d(x, y, 1, 1, 2, 4, 2, 2);
        Assert.Equal(3, y[0]);
        Assert.True(double.IsNaN(y[1]));
        var dX = new double[8];
        Ops.MaxPool2dReverse(x, y, 1, 1, 2, 4, 2, 2, new double[] { 10, 20 }, dX);
        Assert.Equal(new double[] { 0, 10, 0, 0, 0, 0, 20, 0 }, dX);
    }

    [Fact]
    public void WrongShapes_ThrowNamingTheArgument()
    {
        var a = new double[6];
        Assert.Equal("y", Assert.Throws<ArgumentException>(() => Ops.Dot(a, new double[5])).ParamName);
        Assert.Equal("y", Assert.Throws<ArgumentException>(() => Ops.Relu(a, new double[5])).ParamName);
        Assert.Equal("dX", Assert.Throws<ArgumentException>(() => Ops.ReluReverse(a, a, a, new double[5])).ParamName);
        Assert.Equal("dY", Assert.Throws<ArgumentException>(() => Ops.TanhReverse(a, a, new double[2], a)).ParamName);
        Assert.Equal("dX", Assert.Throws<ArgumentException>(() => Ops.SumReverse(a, 0, 1, new double[2])).ParamName);
        Assert.Equal("x", Assert.Throws<ArgumentException>(() => Ops.Softmax(a, a, 4, 2)).ParamName);
        Assert.Equal("batch", Assert.Throws<ArgumentOutOfRangeException>(() => Ops.Softmax(a, a, -1, 2)).ParamName);
        Assert.Equal("labels", Assert.Throws<ArgumentException>(() => Ops.CrossEntropy(a, new int[2], 3, 2)).ParamName);
        Assert.Equal("labels", Assert.Throws<ArgumentOutOfRangeException>(() => Ops.CrossEntropy(a, new[] { 0, 2, 1 }, 3, 2)).ParamName);
        Assert.Equal("target", Assert.Throws<ArgumentException>(() => Ops.Mse(a, new double[2])).ParamName);
        Assert.Equal("weight", Assert.Throws<ArgumentException>(() => Ops.Conv2d(new double[16], new double[8], new double[1], new double[4], 1, 1, 4, 4, 1, 3, 3, 1, 0)).ParamName);
        Assert.Equal("bias", Assert.Throws<ArgumentException>(() => Ops.Conv2d(new double[16], new double[9], new double[2], new double[4], 1, 1, 4, 4, 1, 3, 3, 1, 0)).ParamName);
        Assert.Equal("output", Assert.Throws<ArgumentException>(() => Ops.Conv2d(new double[16], new double[9], new double[1], new double[9], 1, 1, 4, 4, 1, 3, 3, 1, 0)).ParamName);
        Assert.Equal("kernelHeight", Assert.Throws<ArgumentOutOfRangeException>(() => Ops.Conv2d(new double[4], new double[9], new double[1], new double[1], 1, 1, 2, 2, 1, 3, 3, 1, 0)).ParamName);
        Assert.Equal("stride", Assert.Throws<ArgumentOutOfRangeException>(() => Ops.Conv2d(new double[16], new double[9], new double[1], new double[4], 1, 1, 4, 4, 1, 3, 3, 0, 0)).ParamName);
        Assert.Equal("kernelSize", Assert.Throws<ArgumentOutOfRangeException>(() => Ops.MaxPool2d(new double[4], new double[1], 1, 1, 2, 2, 3, 1)).ParamName);
        Assert.Equal("kernelSize", Assert.Throws<ArgumentOutOfRangeException>(() => Ops.MaxPool2d(new double[49], new double[9], 1, 1, 7, 7, 0, 2)).ParamName);
        Assert.Equal("kernelSize", Assert.Throws<ArgumentOutOfRangeException>(() => Ops.MaxPool2d(new float[49], new float[9], 1, 1, 7, 7, 0, 2)).ParamName);
        Assert.Equal("dInput", Assert.Throws<ArgumentException>(() => Ops.MaxPool2dReverse(new double[16], new double[4], 1, 1, 4, 4, 2, 2, new double[4], new double[3])).ParamName);
    }

    [Fact]
    public void EveryOperation_AfterWarmUp_AllocatesNothing()
    {
        const int N = 37, Batch = 3, Classes = 5;
        var x = Fill(new Random(5), N, 0.1, 2);
        var y = new double[N];
        var dX = new double[N];
        var xf = F(x);
        var yf = new float[N];
        var dXf = new float[N];
        var labels = new[] { 0, 4, 2 };
        var image = Fill(new Random(6), 2 * 2 * 6 * 7);
        var weight = Fill(new Random(7), 3 * 2 * 3 * 3);
        var bias = new double[3];
        var conv = new double[2 * 3 * 4 * 5];
        var dImage = new double[image.Length];
        var dWeight = new double[weight.Length];
        var dBias = new double[3];
        var pooled = new double[2 * 3 * 2 * 2];

        void Step()
        {
            double s = Ops.Sum(x) + Ops.Dot(x, x) + Ops.LogSumExp(x) + Ops.Mse(x, y);
            Ops.SumReverse(x, s, 1, dX);
            Ops.DotReverse(x, x, s, 1, dX, dX);
            Ops.LogSumExpReverse(x, s, 1, dX);
            Ops.MseReverse(x, y, s, 1, dX, dX);
            Ops.Relu(x, y); Ops.ReluReverse(x, y, y, dX);
            Ops.Tanh(x, y); Ops.TanhReverse(x, y, y, dX);
            Ops.Sigmoid(x, y); Ops.SigmoidReverse(x, y, y, dX);
            Ops.Exp(x, y); Ops.ExpReverse(x, y, y, dX);
            Ops.Log(x, y); Ops.LogReverse(x, y, y, dX);
            var rows = x.AsSpan(0, Batch * Classes);
            Ops.Softmax(rows, y.AsSpan(0, Batch * Classes), Batch, Classes);
            Ops.SoftmaxReverse(rows, y.AsSpan(0, Batch * Classes), Batch, Classes, rows, dX.AsSpan(0, Batch * Classes));
            Ops.LogSoftmax(rows, y.AsSpan(0, Batch * Classes), Batch, Classes);
            Ops.LogSoftmaxReverse(rows, y.AsSpan(0, Batch * Classes), Batch, Classes, rows, dX.AsSpan(0, Batch * Classes));
            s = Ops.CrossEntropy(rows, labels, Batch, Classes);
            Ops.CrossEntropyReverse(rows, labels, Batch, Classes, s, 1, dX.AsSpan(0, Batch * Classes));
            Ops.Conv2d(image, weight, bias, conv, 2, 2, 6, 7, 3, 3, 3, 1, 0);
            Ops.Conv2dReverse(image, weight, bias, conv, 2, 2, 6, 7, 3, 3, 3, 1, 0, conv, dImage, dWeight, dBias);
            Ops.MaxPool2d(conv, pooled, 2, 3, 4, 5, 2, 2);
            Ops.MaxPool2dReverse(conv, pooled, 2, 3, 4, 5, 2, 2, pooled, conv);
            float f = Ops.LogSumExp(xf) + Ops.Sum(xf);
            Ops.LogSumExpReverse(xf, f, 1f, dXf);
            Ops.Tanh(xf, yf); Ops.TanhReverse(xf, yf, yf, dXf);
            Ops.Exp(xf, yf); Ops.Log(xf, yf);
        }

        for (int i = 0; i < 3; i++) Step();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 20; i++) Step();
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
