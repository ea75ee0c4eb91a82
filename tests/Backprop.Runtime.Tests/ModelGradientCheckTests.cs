using System;
using System.Linq;
using System.Numerics;
using Backprop.CompilerServices;
using Backprop.Training;
using Xunit;

namespace Backprop.Runtime.Tests;

/// <summary>
/// <see cref="GradientCheck"/> over a model's registered parameters: the model below registers its members the way a
/// generated <c>AddParameters</c> does (arrays, a scalar field through <see cref="MemberMemory{TOwner, T}"/>, sub-modules
/// under dotted names), and its gradient is written by hand, so that a wrong entry can be made on purpose.
/// </summary>
public class ModelGradientCheckTests
{
    /// <summary>y = W x + b, W row-major (outputs × inputs).</summary>
    private sealed class Linear<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        public T[] Weight, Bias;

        public Linear(int inputs, int outputs, int seed)
        {
            var random = new Random(seed);
            Weight = Enumerable.Range(0, inputs * outputs).Select(_ => T.CreateChecked(random.NextDouble() - 0.5)).ToArray();
            Bias = Enumerable.Range(0, outputs).Select(_ => T.CreateChecked(random.NextDouble() - 0.5)).ToArray();
        }

        public void Forward(ReadOnlySpan<T> x, Span<T> y)
        {
            for (int o = 0; o < y.Length; o++)
            {
                T s = Bias[o];
                for (int i = 0; i < x.Length; i++) s += Weight[o * x.Length + i] * x[i];
                y[o] = s;
            }
        }

        /// <summary>Adds Wᵀ dY to dX and dY xᵀ, dY to the gradient's members.</summary>
        public void Backward(ReadOnlySpan<T> x, ReadOnlySpan<T> dY, Linear<T> gradient, Span<T> dX)
        {
            for (int o = 0; o < dY.Length; o++)
            {
                gradient.Bias[o] += dY[o];
                for (int i = 0; i < x.Length; i++)
                {
                    gradient.Weight[o * x.Length + i] += dY[o] * x[i];
                    dX[i] += Weight[o * x.Length + i] * dY[o];
                }
            }
        }

        public void AddParameters(ParameterGroup<T> group, Linear<T> gradient, string prefix) =>
            group.Add(prefix + "Weight", Weight, gradient.Weight).Add(prefix + "Bias", Bias, gradient.Bias);
    }

    /// <summary>Loss = Scale · Σ (Fc2(tanh(Fc1 x)) − target)²: two sub-modules and a scalar field.</summary>
    private sealed class Mlp<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        public Linear<T> Fc1 = new(3, 4, seed: 1), Fc2 = new(4, 2, seed: 2);
        public T Scale = T.CreateChecked(0.75);

        public static Mlp<T> Zero()
        {
            var zero = new Mlp<T> { Scale = T.Zero };
            foreach (var a in new[] { zero.Fc1.Weight, zero.Fc1.Bias, zero.Fc2.Weight, zero.Fc2.Bias }) Array.Clear(a);
            return zero;
        }

        public T Loss(ReadOnlySpan<T> x, ReadOnlySpan<T> target)
        {
            Span<T> h = stackalloc T[4], y = stackalloc T[2];
            Fc1.Forward(x, h);
            for (int k = 0; k < h.Length; k++) h[k] = T.Tanh(h[k]);
            Fc2.Forward(h, y);
            T sum = T.Zero;
            for (int o = 0; o < y.Length; o++) sum += (y[o] - target[o]) * (y[o] - target[o]);
            return Scale * sum;
        }

        /// <summary>The loss, its gradient added into <paramref name="gradient"/> (as a generated <c>LossGradient</c> does).</summary>
        public T LossGradient(ReadOnlySpan<T> x, ReadOnlySpan<T> target, Mlp<T> gradient)
        {
            Span<T> z = stackalloc T[4], h = stackalloc T[4], y = stackalloc T[2], dY = stackalloc T[2], dH = stackalloc T[4], dX = stackalloc T[3];
            Fc1.Forward(x, z);
            for (int k = 0; k < h.Length; k++) h[k] = T.Tanh(z[k]);
            Fc2.Forward(h, y);
            T sum = T.Zero, two = T.CreateChecked(2);
            for (int o = 0; o < y.Length; o++)
            {
                sum += (y[o] - target[o]) * (y[o] - target[o]);
                dY[o] = two * Scale * (y[o] - target[o]);
            }
            gradient.Scale += sum;
            dH.Clear();
            Fc2.Backward(h, dY, gradient.Fc2, dH);
            for (int k = 0; k < h.Length; k++) dH[k] *= T.One - h[k] * h[k];
            dX.Clear();
            Fc1.Backward(x, dH, gradient.Fc1, dX);
            return Scale * sum;
        }

        /// <summary>What the generator emits for a model class: every member, recursively, under dotted names.</summary>
        public ParameterGroup<T> AddParameters(ParameterGroup<T> group, Mlp<T> gradient, string prefix = "")
        {
            Fc1.AddParameters(group, gradient.Fc1, prefix + "Fc1.");
            Fc2.AddParameters(group, gradient.Fc2, prefix + "Fc2.");
            return group.Add(prefix + "Scale",
                new MemberMemory<Mlp<T>, T>(this, static m => ref m.Scale).Memory,
                new MemberMemory<Mlp<T>, T>(gradient, static m => ref m.Scale).Memory);
        }
    }

    private static T[] Values<T>(params double[] values) where T : unmanaged, IFloatingPointIeee754<T> =>
        values.Select(T.CreateChecked).ToArray();

    private static (Mlp<T> Model, Mlp<T> Gradient, T[] X, T[] Target) Case<T>()
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var model = new Mlp<T>();
        var gradient = Mlp<T>.Zero();
        T[] x = Values<T>(0.5, -1.0, 2.0), target = Values<T>(0.25, -0.5);
        model.LossGradient(x, target, gradient);
        return (model, gradient, x, target);
    }

    [Fact]
    public void CorrectModelGradient_Passes_AndVisitsEveryEntryOfEveryMember()
    {
        var (model, gradient, x, target) = Case<double>();

        var result = GradientCheck.Check(() => model.Loss(x, target), group => model.AddParameters(group, gradient));

        Assert.True(result.Passed, result.ToString());
        Assert.Equal(12 + 4 + 8 + 2 + 1, result.NumericGradient.Count);
        Assert.Equal(gradient.Scale, result.NumericGradient[^1], 6);
    }

    [Fact]
    public void WrongGradientEntry_IsReportedByItsDottedName()
    {
        var (model, gradient, x, target) = Case<double>();
        gradient.Fc1.Weight[3] += 0.1;

        var result = GradientCheck.Check(() => model.Loss(x, target), group => model.AddParameters(group, gradient));

        var mismatch = Assert.Single(result.Mismatches);
        Assert.Equal(("Fc1.Weight", 3), (mismatch.Parameter, mismatch.Index));
        Assert.Equal(gradient.Fc1.Weight[3], mismatch.Analytic);
        Assert.Equal(0.1, mismatch.AbsoluteError, 6);
        Assert.StartsWith("Fc1.Weight[3]: analytic ", mismatch.ToString());
        var error = Assert.Throws<InvalidOperationException>(result.ThrowIfFailed);
        Assert.Contains("Fc1.Weight[3]", error.Message);
    }

    [Fact]
    public void WrongScalarMember_IsReportedByItsName_AndThePrefixNestsTheNames()
    {
        var (model, gradient, x, target) = Case<double>();
        gradient.Scale *= 2;

        var result = GradientCheck.Check(() => model.Loss(x, target), group => model.AddParameters(group, gradient, "net."));

        var mismatch = Assert.Single(result.Mismatches);
        Assert.Equal(("net.Scale", 0), (mismatch.Parameter, mismatch.Index));
    }

    [Fact]
    public void ParametersOfASet_AreCheckedAsRegisteredForTheOptimizer()
    {
        var (model, gradient, x, target) = Case<double>();
        var parameters = new ParameterSet<double>();
        model.AddParameters(parameters.AddGroup(learningRate: 0.1), gradient);
        _ = new Adam<double>(parameters, new AdamOptions());   // a frozen set is read, not changed
        gradient.Fc2.Bias[1] = -gradient.Fc2.Bias[1] + 1;

        var fromSet = GradientCheck.Check(() => model.Loss(x, target), parameters);
        var fromList = GradientCheck.Check(() => model.Loss(x, target), parameters.Groups[0].Parameters);

        Assert.Equal("Fc2.Bias", Assert.Single(fromSet.Mismatches).Parameter);
        Assert.Equal(fromSet.NumericGradient, fromList.NumericGradient);
    }

    [Fact]
    public void ModelValues_AreRestored_AfterTheCheck_AndWhenTheLossThrows()
    {
        var (model, gradient, x, target) = Case<double>();
        var weight = (double[])model.Fc1.Weight.Clone();
        double scale = model.Scale;

        GradientCheck.Check(() => model.Loss(x, target), group => model.AddParameters(group, gradient));
        Assert.Equal(weight, model.Fc1.Weight);
        Assert.Equal(scale, model.Scale);

        int calls = 0;
        Assert.Throws<DivideByZeroException>(() => GradientCheck.Check(
            () => ++calls == 2 ? throw new DivideByZeroException() : model.Loss(x, target),
            group => model.AddParameters(group, gradient)));
        Assert.Equal(weight, model.Fc1.Weight);
    }

    [Fact]
    public void FloatModel_IsCheckedInSinglePrecision_WithItsWiderDefaults()
    {
        var (model, gradient, x, target) = Case<float>();

        var passed = GradientCheck.Check(() => model.Loss(x, target), group => model.AddParameters(group, gradient));
        gradient.Fc2.Weight[5] += 0.5f;
        var failed = GradientCheck.Check(() => model.Loss(x, target), group => model.AddParameters(group, gradient));

        Assert.True(passed.Passed, passed.ToString());
        Assert.Equal(("Fc2.Weight", 5), (Assert.Single(failed.Mismatches).Parameter, failed.Mismatches[0].Index));
    }

    [Fact]
    public void BadArguments_AreRejectedNamingTheArgument()
    {
        var (model, gradient, x, target) = Case<double>();
        Func<double> loss = () => model.Loss(x, target);
        Action<ParameterGroup<double>> register = group => model.AddParameters(group, gradient);

        Assert.Equal("loss", Assert.Throws<ArgumentNullException>(() => GradientCheck.Check(null!, register)).ParamName);
        Assert.Equal("register", Assert.Throws<ArgumentNullException>(() => GradientCheck.Check(loss, (Action<ParameterGroup<double>>)null!)).ParamName);
        Assert.Equal("parameters", Assert.Throws<ArgumentNullException>(() => GradientCheck.Check(loss, (ParameterSet<double>)null!)).ParamName);
        Assert.Equal("options", Assert.Throws<ArgumentException>(() =>
            GradientCheck.Check(loss, register, new GradientCheckOptions { Layout = new[] { ("w", 1) } })).ParamName);
        Assert.Equal("options", Assert.Throws<ArgumentException>(() =>
            GradientCheck.Check(loss, register, new GradientCheckOptions { Epsilon = 1e-300 })).ParamName);
    }
}
