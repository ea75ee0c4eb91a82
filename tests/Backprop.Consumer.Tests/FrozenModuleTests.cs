using System;
using System.Linq;
using Backprop.Training;
using Xunit;

namespace Backprop.Consumer.Tests;

/// <summary>
/// Frozen (<c>[NoDerivative]</c>) sub-modules (<see cref="FineTuned"/>): the gradient flows through their calls to the
/// input, their members get none, <c>dThis</c>'s frozen members are never read (they may be null), and registration
/// skips them.
/// </summary>
public sealed class FrozenModuleTests
{
    private static readonly double[] X = { 0.5, -1.0, 1.5 };
    private const double Target = 0.3;

    private static (FineTuned Model, FineTuned Gradient, ParameterSet<double> Parameters) Case()
    {
        var model = new FineTuned(new Random(5));
        var gradient = new FineTuned(new Random(6));
        var parameters = new ParameterSet<double>();
        model.AddParameters(parameters.AddGroup(learningRate: 0), gradient);
        parameters.ZeroGrad();
        return (model, gradient, parameters);
    }

    [Fact]
    public void FrozenSubModules_TrainedMembers_MatchCentralDifferences_AndOnlyThemAreRegistered()
    {
        var (model, gradient, parameters) = Case();
        Assert.Equal(model.Loss(X, Target), model.LossGradient(X, Target, gradient, new double[3]));

        var result = GradientCheck.Check(() => model.Loss(X, Target), parameters);

        Assert.True(result.Passed, result.ToString());
        Assert.Equal(new[] { "Head.Weight", "Head.Bias", "Trained.W", "Trained.Gain" }, parameters.Parameters.Select(p => p.Name));
    }

    [Fact]
    public void FrozenSubModules_PassTheGradientThroughToTheInput()
    {
        var (model, gradient, _) = Case();
        var dX = new double[3];
        model.LossGradient(X, Target, gradient, dX);

        const double h = 1e-6;
        var x = (double[])X.Clone();
        for (int i = 0; i < x.Length; i++)
        {
            x[i] = X[i] + h;
            double plus = model.Loss(x, Target);
            x[i] = X[i] - h;
            double minus = model.Loss(x, Target);
            x[i] = X[i];
            double numeric = (plus - minus) / (2 * h);
            Assert.True(Math.Abs(dX[i] - numeric) <= 1e-7 * (1 + Math.Abs(numeric)), $"dX[{i}]: analytic {dX[i]}, numeric {numeric}");
        }
        Assert.Contains(dX, v => Math.Abs(v) > 1e-3);
    }

    [Fact]
    public void FrozenSubModules_GetNoGradient_AndTheirMembersInDThisAreNeverRead()
    {
        var (model, gradient, _) = Case();
        var frozen = Snapshot(gradient);
        var dX = new double[3];
        double value = model.LossGradient(X, Target, gradient, dX);
        Assert.Equal(frozen, Snapshot(gradient));

        var (_, withoutFrozen, _) = Case();
        withoutFrozen.Encoder = null!;
        withoutFrozen.Adapters = null!;
        withoutFrozen.Critic = null!;
        var dX2 = new double[3];
        Assert.Equal(value, model.LossGradient(X, Target, withoutFrozen, dX2));
        Assert.Equal(dX, dX2);
        Assert.Equal(gradient.Head.Weight, withoutFrozen.Head.Weight);
        Assert.Equal(gradient.Trained.Gain, withoutFrozen.Trained.Gain);
    }

    [Fact]
    public void FrozenFeatureMap_JacobiansAndGradient_MatchCentralDifferences()
    {
        var model = new FrozenFeatures();
        var features = new double[2];
        var jacobian = new double[2 * 3];
        model.FeaturesJacobian(X, features, jacobian);
        var energyJacobian = new double[3];
        double energy = model.EnergyJacobian(X, energyJacobian);
        var dX = new double[3];
        Assert.Equal(energy, model.EnergyGradient(X, dX));
        Assert.Equal(model.Energy(X), energy);

        const double h = 1e-6;
        var x = (double[])X.Clone();
        Span<double> plus = stackalloc double[2], minus = stackalloc double[2];
        for (int i = 0; i < x.Length; i++)
        {
            x[i] = X[i] + h;
            model.Features(x, plus);
            double energyPlus = model.Energy(x);
            x[i] = X[i] - h;
            model.Features(x, minus);
            double energyMinus = model.Energy(x);
            x[i] = X[i];
            for (int o = 0; o < 2; o++) Close((plus[o] - minus[o]) / (2 * h), jacobian[o * 3 + i], $"d features[{o}] / dx[{i}]");
            Close((energyPlus - energyMinus) / (2 * h), energyJacobian[i], $"d energy / dx[{i}] (Jacobian)");
            Close((energyPlus - energyMinus) / (2 * h), dX[i], $"d energy / dx[{i}] (gradient)");
        }
    }

    [Fact]
    public void FrozenTeacherOfTheSameType_MatchesCentralDifferences_AndIsNotRegistered()
    {
        var student = new Student(new Random(8), new Student(new Random(9)));
        var gradient = new Student(new Random(10));
        var parameters = new ParameterSet<double>();
        student.AddParameters(parameters.AddGroup(learningRate: 0), gradient);
        parameters.ZeroGrad();
        double[] x = { 0.4, -0.7 }, dX = new double[2];
        var teacher = student.Teacher!.W.Append(student.Teacher.B).ToArray();

        Assert.Equal(student.Predict(x), student.PredictGradient(x, gradient, dX));

        var result = GradientCheck.Check(() => student.Predict(x), parameters);
        Assert.True(result.Passed, result.ToString());
        Assert.Equal(new[] { "W", "B" }, parameters.Parameters.Select(p => p.Name));
        Assert.Equal(teacher, student.Teacher.W.Append(student.Teacher.B));
        const double h = 1e-6;
        for (int i = 0; i < 2; i++)
        {
            var shifted = (double[])x.Clone();
            shifted[i] = x[i] + h;
            double plus = student.Predict(shifted);
            shifted[i] = x[i] - h;
            Close((plus - student.Predict(shifted)) / (2 * h), dX[i], $"dX[{i}]");
        }
    }

    private static void Close(double numeric, double analytic, string what) =>
        Assert.True(Math.Abs(analytic - numeric) <= 1e-7 * (1 + Math.Abs(numeric)), $"{what}: analytic {analytic}, numeric {numeric}");

    private static double[] Snapshot(FineTuned m) =>
        m.Encoder.Fc1.Weight.Concat(m.Encoder.Fc1.Bias).Concat(m.Encoder.Fc2.Weight).Concat(m.Encoder.Fc2.Bias)
            .Concat(m.Adapters.SelectMany(a => a.Weight.Concat(a.Bias))).Concat(m.Critic.W).Append(m.Critic.Gain).ToArray();
}
