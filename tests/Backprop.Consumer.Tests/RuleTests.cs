using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using Xunit;

namespace Backprop.Consumer.Tests;

/// <summary>Every derivative rule against central finite differences at many points of its domain.</summary>
public sealed class RuleTests
{
    private static readonly Dictionary<string, (double Low, double High)[]> Domains = new()
    {
        ["Add"] = new (double, double)[] { (-2, 2), (-2, 2) },
        ["Subtract"] = new (double, double)[] { (-2, 2), (-2, 2) },
        ["Multiply"] = new (double, double)[] { (-2, 2), (-2, 2) },
        ["Divide"] = new (double, double)[] { (-2, 2), (0.5, 2) },
        ["Remainder"] = new (double, double)[] { (0.1, 0.9), (1.1, 1.9) },
        ["Negate"] = new (double, double)[] { (-2, 2) },
        ["Sin"] = new (double, double)[] { (-3, 3) },
        ["Cos"] = new (double, double)[] { (-3, 3) },
        ["Tan"] = new (double, double)[] { (-1.2, 1.2) },
        ["Asin"] = new (double, double)[] { (-0.9, 0.9) },
        ["Acos"] = new (double, double)[] { (-0.9, 0.9) },
        ["Atan"] = new (double, double)[] { (-3, 3) },
        ["Atan2"] = new (double, double)[] { (-2, 2), (0.2, 2) },
        ["Atan2LeftHalf"] = new (double, double)[] { (0.2, 2), (-2, 2) },
        ["Sinh"] = new (double, double)[] { (-2, 2) },
        ["Cosh"] = new (double, double)[] { (-2, 2) },
        ["Tanh"] = new (double, double)[] { (-2, 2) },
        ["Asinh"] = new (double, double)[] { (-2, 2) },
        ["Acosh"] = new (double, double)[] { (1.1, 3) },
        ["Atanh"] = new (double, double)[] { (-0.9, 0.9) },
        ["Exp"] = new (double, double)[] { (-2, 2) },
        ["Log"] = new (double, double)[] { (0.1, 3) },
        ["LogBase"] = new (double, double)[] { (0.1, 3), (1.5, 4) },
        ["Log10"] = new (double, double)[] { (0.1, 3) },
        ["Log2"] = new (double, double)[] { (0.1, 3) },
        ["Sqrt"] = new (double, double)[] { (0.1, 3) },
        ["Cbrt"] = new (double, double)[] { (0.2, 3) },
        ["CbrtNegative"] = new (double, double)[] { (-3, -0.2) },
        ["Pow"] = new (double, double)[] { (0.2, 2), (-2, 2) },
        ["PowIntegerExponentNegativeBase"] = new (double, double)[] { (-2, -0.2) },
        ["Abs"] = new (double, double)[] { (-2, 2) },
        ["Min"] = new (double, double)[] { (-2, 2), (-2, 2) },
        ["Max"] = new (double, double)[] { (-2, 2), (-2, 2) },
        ["Clamp"] = new (double, double)[] { (-2, 2), (-1.5, -0.5), (0.5, 1.5) },
        ["FusedMultiplyAdd"] = new (double, double)[] { (-2, 2), (-2, 2), (-2, 2) },
        ["CopySign"] = new (double, double)[] { (-2, 2), (-2, 2) },
        ["Floor"] = new (double, double)[] { (-2, 2) },
        ["Ceiling"] = new (double, double)[] { (-2, 2) },
        ["Round"] = new (double, double)[] { (-2, 2) },
        ["RoundDigits"] = new (double, double)[] { (-2, 2) },
        ["Truncate"] = new (double, double)[] { (-2, 2) },
        ["Sign"] = new (double, double)[] { (-2, 2) },
        ["ConstantsAndLiterals"] = new (double, double)[] { (-2, 2) },
        ["SinF"] = new (double, double)[] { (-3, 3) },
        ["ExpF"] = new (double, double)[] { (-2, 2) },
        ["TanhF"] = new (double, double)[] { (-2, 2) },
        ["SqrtF"] = new (double, double)[] { (0.1, 3) },
        ["LogF"] = new (double, double)[] { (0.1, 3) },
        ["PowF"] = new (double, double)[] { (0.2, 2) },
        ["AtanF"] = new (double, double)[] { (-3, 3) },
        ["MaxF"] = new (double, double)[] { (-2, 2) },
        ["FloorF"] = new (double, double)[] { (-2, 2) },
        ["RoundDigitsF"] = new (double, double)[] { (-1, 1) },
    };

    /// <summary>
    /// Where a piecewise-constant function jumps (in x): at <c>Offset + k·Spacing</c>. Points closer than a quarter
    /// spacing to a jump are not sampled: a finite difference across a jump is huge, while the true derivative is zero
    /// on both sides, and it is the zero that the test must see (a rule returning a nonzero constant fails by c·x).
    /// Sign needs no entry: Sign(x)·x² is continuous where Sign jumps.
    /// </summary>
    private static readonly Dictionary<string, (double Spacing, double Offset)> Jumps = new()
    {
        ["Floor"] = (1, 0),
        ["Ceiling"] = (1, 0),
        ["Round"] = (1, 0.5),
        ["RoundDigits"] = (0.1, 0.05),
        ["Truncate"] = (1, 0),
        ["FloorF"] = (1, 0),
        ["RoundDigitsF"] = (0.1, 0.05),
    };

    public static TheoryData<string> Rules() => new(Domains.Keys);

    [Fact]
    public void EveryRuleFunction_HasADomain()
    {
        var methods = typeof(RuleFunctions).GetMethods(BindingFlags.Public | BindingFlags.Static)
            .Where(m => m.GetCustomAttribute<DifferentiableAttribute>() is not null)
            .Select(m => m.Name);
        Assert.Equal(methods.OrderBy(n => n), Domains.Keys.OrderBy(n => n));
        Assert.Empty(Jumps.Keys.Except(Domains.Keys));
    }

    [Theory]
    [MemberData(nameof(Rules))]
    public void Rule_MatchesFiniteDifferences(string name)
    {
        var function = typeof(RuleFunctions).GetMethod(name)!;
        var gradient = typeof(RuleFunctions).GetMethod(name + "Gradient")!;
        var domain = Domains[name];
        var random = new Random(name.Length * 7919 + name[0]);
        bool isFloat = function.ReturnType == typeof(float);
        for (int trial = 0; trial < 40; trial++)
        {
            var point = Sample(name, domain, random);
            var (value, analytic) = Invoke(gradient, point, isFloat);
            Assert.Equal(Convert.ToDouble(function.Invoke(null, Arguments(point, isFloat))), value);
            var options = (isFloat ? GradientCheckOptions.SinglePrecision : GradientCheckOptions.Default) with
            {
                Layout = domain.Select((_, i) => ("xyz"[i].ToString(), 1)).ToArray(),
            };
            var result = GradientCheck.Check(p => Convert.ToDouble(function.Invoke(null, Arguments(p, isFloat))), point, analytic, options);
            Assert.True(result.Passed, name + " at (" + string.Join(", ", point) + "): " + result);
        }
    }

    private static double[] Sample(string name, (double Low, double High)[] domain, Random random)
    {
        while (true)
        {
            var point = domain.Select(d => d.Low + (d.High - d.Low) * random.NextDouble()).ToArray();
            if (!Jumps.TryGetValue(name, out var jump)) return point;
            // IEEERemainder: the signed distance from x to the nearest jump.
            if (Math.Abs(Math.IEEERemainder(point[0] - jump.Offset, jump.Spacing)) >= jump.Spacing / 4) return point;
        }
    }

    private static object[] Arguments(double[] point, bool isFloat) =>
        point.Select(p => isFloat ? (object)(float)p : p).ToArray();

    /// <summary>Calls a generated gradient; [NoDerivative] parameters get no out argument and read as zero.</summary>
    internal static (double Value, double[] Gradient) Invoke(MethodInfo gradient, double[] point, bool isFloat = false)
    {
        var parameters = gradient.GetParameters();
        var forward = gradient.DeclaringType!.GetMethod(gradient.Name.Substring(0, gradient.Name.Length - "Gradient".Length))!;
        var active = forward.GetParameters().Select(p => p.GetCustomAttribute<NoDerivativeAttribute>() is null).ToArray();
        var arguments = Arguments(point, isFloat).Concat(Enumerable.Range(0, parameters.Length - point.Length).Select(_ => isFloat ? (object)0f : 0.0)).ToArray();
        double value = Convert.ToDouble(gradient.Invoke(null, arguments));
        var outs = new Queue<double>(arguments.Skip(point.Length).Select(Convert.ToDouble));
        return (value, active.Select(a => a ? outs.Dequeue() : 0.0).ToArray());
    }

    // Conventions at non-differentiable points (documented in docs/derivative-rules.md; PyTorch's choices).

    [Fact]
    public void Abs_AtZero_HasZeroDerivative()
    {
        RuleFunctions.AbsGradient(0, out double dX);
        Assert.Equal(0, dX);
    }

    [Fact]
    public void MaxAndMin_AtTies_SplitTheGradientEvenly()
    {
        RuleFunctions.MaxGradient(1.5, 1.5, out double dX, out double dY);
        Assert.Equal((0.5, 0.5), (dX, dY));
        RuleFunctions.MinGradient(-2, -2, out dX, out dY);
        Assert.Equal((0.5, 0.5), (dX, dY));
    }

    [Fact]
    public void Sqrt_AtZero_IsPositiveInfinity()
    {
        RuleFunctions.SqrtGradient(0, out double dX);
        Assert.Equal(double.PositiveInfinity, dX);
    }

    [Fact]
    public void Pow_AtZeroBase_HasZeroExponentDerivative_AndNegativeBaseIsNaN()
    {
        RuleFunctions.PowGradient(0, 2, out double dX, out double dY);
        Assert.Equal((0.0, 0.0), (dX, dY));
        RuleFunctions.PowGradient(-2, 2, out dX, out dY);
        Assert.Equal(-4, dX);
        Assert.True(double.IsNaN(dY));
        RuleFunctions.PowGradient(3, 0, out dX, out _);
        Assert.Equal(0, dX);
    }

    [Fact]
    public void Clamp_AtBounds_PassesTheGradientToX()
    {
        RuleFunctions.ClampGradient(-1, -1, 1, out double dX, out double dLow, out double dHigh);
        Assert.Equal((1.0, 0.0, 0.0), (dX, dLow, dHigh));
        RuleFunctions.ClampGradient(2, -1, 1, out dX, out dLow, out dHigh);
        Assert.Equal((0.0, 0.0, 1.0), (dX, dLow, dHigh));
    }
}
