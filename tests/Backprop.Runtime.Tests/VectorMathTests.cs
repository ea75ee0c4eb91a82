using System;
using System.Linq;
using Backprop;
using Xunit;
using Xunit.Abstractions;

namespace Backprop.Runtime.Tests;

/// <summary>
/// The vectorized exponential, logarithm and tanh behind <see cref="Ops"/> (reached through <see cref="Ops.Exp(ReadOnlySpan{double}, Span{double})"/>
/// and its siblings, whose odd lengths put every value through both the vector loop and the padded tail) against
/// <see cref="Math"/>, in ulps, over wide ranges and at the special values.
/// </summary>
public sealed class VectorMathTests
{
    private readonly ITestOutputHelper _output;

    public VectorMathTests(ITestOutputHelper output) => _output = output;

    private static long Ulps(double a, double b)
    {
        if (a.Equals(b)) return 0;
        if (double.IsNaN(a) || double.IsNaN(b) || double.IsInfinity(a) || double.IsInfinity(b) || Math.Sign(a) * Math.Sign(b) < 0) return long.MaxValue;
        return Math.Abs(BitConverter.DoubleToInt64Bits(Math.Abs(a)) - BitConverter.DoubleToInt64Bits(Math.Abs(b)));
    }

    private static long Ulps(float a, float b)
    {
        if (a.Equals(b)) return 0;
        if (float.IsNaN(a) || float.IsNaN(b) || float.IsInfinity(a) || float.IsInfinity(b) || Math.Sign(a) * Math.Sign(b) < 0) return long.MaxValue;
        return Math.Abs(BitConverter.SingleToInt32Bits(Math.Abs(a)) - BitConverter.SingleToInt32Bits(Math.Abs(b)));
    }

    private static double[] Uniform(Random random, int count, double low, double high) =>
        Enumerable.Range(0, count).Select(_ => low + (high - low) * random.NextDouble()).ToArray();

    private long MaxUlps(string name, double[] x, Action<double[], double[]> op, Func<double, double> reference)
    {
        var y = new double[x.Length];
        op(x, y);
        long worst = 0;
        double at = 0;
        for (int i = 0; i < x.Length; i++)
        {
            long u = Ulps(y[i], reference(x[i]));
            if (u > worst) (worst, at) = (u, x[i]);
        }
        _output.WriteLine($"{name}: max {worst} ulp over {x.Length} points (worst at {at:R})");
        return worst;
    }

    [Theory]
    [InlineData(-1.0, 1.0)]
    [InlineData(-50.0, 50.0)]
    [InlineData(-708.0, 709.78)]
    [InlineData(700.0, 709.78)]
    [InlineData(-745.1, -708.4)]
    public void Exp_IsWithinOneUlpOfMathExp(double low, double high)
    {
        var x = Uniform(new Random(1), 100_001, low, high);
        Assert.True(MaxUlps($"Exp [{low}, {high}]", x, (a, b) => Ops.Exp(a, b), Math.Exp) <= 1);
    }

    [Fact]
    public void Exp_SpecialValues_FollowIeee754()
    {
        double[] x = { double.NaN, double.PositiveInfinity, double.NegativeInfinity, 0.0, -0.0, 709.78, 709.79, 1000, -745.2, -745.1, -1000, 1e-300, -1e-300 };
        var y = new double[x.Length];
        Ops.Exp(x, y);
        Assert.True(double.IsNaN(y[0]));
        Assert.Equal(double.PositiveInfinity, y[1]);
        Assert.Equal(0.0, y[2]);
        Assert.Equal(1.0, y[3]);
        Assert.Equal(1.0, y[4]);
        Assert.Equal(Math.Exp(709.78), y[5]);
        Assert.Equal(double.PositiveInfinity, y[6]);
        Assert.Equal(double.PositiveInfinity, y[7]);
        Assert.Equal(0.0, y[8]);
        Assert.Equal(double.Epsilon, y[9]);
        Assert.Equal(0.0, y[10]);
        Assert.Equal(1.0, y[11]);
        Assert.Equal(1.0, y[12]);
    }

    [Fact]
    public void Exp_Float_IsWithinOneUlpOfTheRoundedDoubleExp_AndOverflowsAsFloat()
    {
        var random = new Random(2);
        var x = Enumerable.Range(0, 100_001).Select(_ => (float)(-104 + 193 * random.NextDouble())).ToArray();
        var y = new float[x.Length];
        Ops.Exp(x, y);
        long worst = 0;
        for (int i = 0; i < x.Length; i++) worst = Math.Max(worst, Ulps(y[i], (float)Math.Exp(x[i])));
        _output.WriteLine($"Exp float: max {worst} ulp from the rounded double exponential");
        Assert.True(worst <= 1);
        float[] special = { float.NaN, float.PositiveInfinity, float.NegativeInfinity, 89f, -104f, 0f };
        var ys = new float[special.Length];
        Ops.Exp(special, ys);
        Assert.True(float.IsNaN(ys[0]));
        Assert.Equal(new[] { float.PositiveInfinity, 0f, float.PositiveInfinity, 0f, 1f }, ys.Skip(1));
    }

    [Theory]
    [InlineData(0.5, 2.0)]
    [InlineData(1e-300, 1e300)]
    [InlineData(4.9e-324, 2.2e-308)]
    public void Log_IsWithinOneUlpOfMathLog(double low, double high)
    {
        var random = new Random(3);
        // Log-uniform, so that every binade is sampled.
        var x = Enumerable.Range(0, 100_001).Select(_ => Math.Exp(Math.Log(low) + (Math.Log(high) - Math.Log(low)) * random.NextDouble())).ToArray();
        Assert.True(MaxUlps($"Log [{low}, {high}]", x, (a, b) => Ops.Log(a, b), Math.Log) <= 1);
    }

    [Fact]
    public void Log_SpecialValues_FollowIeee754()
    {
        double[] x = { double.NaN, double.PositiveInfinity, double.NegativeInfinity, 0.0, -0.0, -1.0, 1.0, double.Epsilon, double.MaxValue };
        var y = new double[x.Length];
        Ops.Log(x, y);
        Assert.True(double.IsNaN(y[0]));
        Assert.Equal(double.PositiveInfinity, y[1]);
        Assert.True(double.IsNaN(y[2]));
        Assert.Equal(double.NegativeInfinity, y[3]);
        Assert.Equal(double.NegativeInfinity, y[4]);
        Assert.True(double.IsNaN(y[5]));
        Assert.Equal(0.0, y[6]);
        Assert.Equal(Math.Log(double.Epsilon), y[7]);
        Assert.Equal(Math.Log(double.MaxValue), y[8]);
    }

    [Theory]
    [InlineData(-0.3, 0.3)]
    [InlineData(-3.0, 3.0)]
    [InlineData(-25.0, 25.0)]
    public void Tanh_IsWithinFourUlpOfMathTanh(double low, double high)
    {
        var x = Uniform(new Random(4), 100_001, low, high);
        Assert.True(MaxUlps($"Tanh [{low}, {high}]", x, (a, b) => Ops.Tanh(a, b), Math.Tanh) <= 4);
    }

    [Fact]
    public void Tanh_SpecialValues()
    {
        double[] x = { double.NaN, double.PositiveInfinity, double.NegativeInfinity, 0.0, -0.0, 1e-300, -1e-300, 30, -30 };
        var y = new double[x.Length];
        Ops.Tanh(x, y);
        Assert.True(double.IsNaN(y[0]));
        Assert.Equal(new[] { 1.0, -1.0, 0.0, -0.0, 1e-300, -1e-300, 1.0, -1.0 }, y.Skip(1));
        Assert.True(double.IsNegative(y[4]));
    }
}
