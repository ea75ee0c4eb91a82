using System;
using System.Linq;
using Backprop.Training;
using Xunit;

namespace Backprop.Runtime.Tests;

public class RegularizationTests
{
    [Fact]
    public void L2_ReturnsHalfStrengthTimesSumOfSquaresAndAccumulatesGradient()
    {
        var w = new[] { 1.0, -2.0, 3.0 };
        var g = new[] { 1.0, 1.0, 1.0 };
        double value = Penalty.L2<double>(w, g, 0.1);
        Assert.Equal(0.5 * 0.1 * 14, value, 15);
        OptimizerHarness.AssertClose(new[] { 1.1, 0.8, 1.3 }, g, 1e-15, "gradient");
    }

    [Fact]
    public void L1_ReturnsStrengthTimesSumOfAbsolutesAndAccumulatesSign()
    {
        var w = new[] { 1.5, -2.0, 0.0 };
        var g = new[] { 1.0, 1.0, 1.0 };
        double value = Penalty.L1<double>(w, g, 0.1);
        Assert.Equal(0.35, value, 15);
        OptimizerHarness.AssertClose(new[] { 1.1, 0.9, 1.0 }, g, 1e-15, "gradient");
    }

    [Fact]
    public void L2_OverParameterSet_SumsEveryParameter()
    {
        var set = new ParameterSet<double>();
        var gw = new double[2];
        var gb = new double[1];
        set.AddGroup(0.1).Add("w", new[] { 1.0, 2.0 }, gw);
        set.AddGroup(0.1).Add("b", new[] { -3.0 }, gb);
        Assert.Equal(0.5 * 2 * 14, Penalty.L2(set, 2.0), 15);
        Assert.Equal(new[] { 2.0, 4.0 }, gw);
        Assert.Equal(new[] { -6.0 }, gb);
    }

    [Fact]
    public void L1_Float_AccumulatesSign()
    {
        var g = new float[2];
        float value = Penalty.L1<float>(new[] { -1f, 4f }, g, 0.5f);
        Assert.Equal(2.5f, value);
        Assert.Equal(new[] { -0.5f, 0.5f }, g);
    }

    [Fact]
    public void Penalty_MismatchedLengths_ThrowsNamingGradientsBeforeWriting()
    {
        var g = new double[2];
        var error = Assert.Throws<ArgumentException>(() => Penalty.L2<double>(new double[] { 1, 2, 3 }, g, 0.1));
        Assert.Equal("gradients", error.ParamName);
        Assert.Equal(new double[2], g);
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(double.NaN)]
    public void Penalty_InvalidStrength_ThrowsNamingStrength(double strength)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => Penalty.L1<double>(new double[1], new double[1], strength));
        Assert.Equal("strength", error.ParamName);
    }

    [Fact]
    public void Dropout_SameSeed_GivesSameMaskOfZerosAndInverseKeepProbability()
    {
        var first = new double[1000];
        var second = new double[1000];
        Dropout.FillMask<double>(first, 0.2, new Random(42));
        Dropout.FillMask<double>(second, 0.2, new Random(42));
        Assert.Equal(first, second);
        Assert.All(first, m => Assert.True(m == 0 || m == 1 / 0.8, $"unexpected mask entry {m}"));
        Assert.Contains(0.0, first);
    }

    [Fact]
    public void Dropout_DropsAboutPOfTheUnits()
    {
        var mask = new float[20000];
        Dropout.FillMask<float>(mask, 0.3, new Random(7));
        double dropped = mask.Count(m => m == 0) / (double)mask.Length;
        Assert.InRange(dropped, 0.28, 0.32);
    }

    [Fact]
    public void Dropout_ExtremeProbabilities_GiveAllOnesOrAllZeros()
    {
        var mask = new double[16];
        Dropout.FillMask<double>(mask, 0, new Random(1));
        Assert.All(mask, m => Assert.Equal(1.0, m));
        Dropout.FillMask<double>(mask, 1, new Random(1));
        Assert.All(mask, m => Assert.Equal(0.0, m));
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(1.1)]
    [InlineData(double.NaN)]
    public void Dropout_ProbabilityOutsideUnitInterval_ThrowsNamingP(double p)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => Dropout.FillMask<double>(new double[4], p, new Random(1)));
        Assert.Equal("p", error.ParamName);
    }
}
