using System;
using System.Linq;
using Backprop.Training;
using Xunit;

namespace Backprop.Consumer.Tests;

/// <summary>
/// <see cref="GradientCheck"/> over a model class's registered members, with the gradient and the registration the
/// generator emitted for <see cref="Regressor"/> (a sub-module with sub-modules, an array and a scalar field).
/// </summary>
public sealed class ModelGradientCheckTests
{
    private static readonly double[] Xs = { 0.5, -1.0, 1.5, 0.25, 0.75, -0.5, -1.25, 0.0, 2.0 }, Ys = { 0.3, -0.2, 0.6 };

    /// <summary>A model, a gradient object of its shape, and their parameters with the gradient of the loss in them.</summary>
    private static (Regressor Model, Regressor Gradient, ParameterSet<double> Parameters) Case()
    {
        var model = new Regressor(new Random(1));
        var gradient = new Regressor(new Random(2));
        var parameters = new ParameterSet<double>();
        model.AddParameters(parameters.AddGroup(learningRate: 0), gradient);
        parameters.ZeroGrad();
        Assert.Equal(model.Loss(Xs, Ys), model.LossGradient(Xs, Ys, gradient));
        return (model, gradient, parameters);
    }

    [Fact]
    public void GeneratedGradient_PassesTheCheck_OfEveryRegisteredMember()
    {
        var (model, _, parameters) = Case();

        var result = GradientCheck.Check(() => model.Loss(Xs, Ys), parameters);

        Assert.True(result.Passed, result.ToString());
        Assert.Equal(
            new[] { "Encoder.Fc1.Weight", "Encoder.Fc1.Bias", "Encoder.Fc2.Weight", "Encoder.Fc2.Bias", "Head", "Offset" },
            parameters.Parameters.Select(p => p.Name));
        Assert.Equal(12 + 4 + 8 + 2 + 2 + 1, result.NumericGradient.Count);
    }

    [Fact]
    public void LocalsBoundToMembers_AreViews_DifferentiatedAsTheMembers()
    {
        var model = new MemberViews();
        var gradient = new MemberViews { Weight = new double[3], Bias = new double[1] };
        var parameters = new ParameterSet<double>();
        model.AddParameters(parameters.AddGroup(learningRate: 0), gradient);
        parameters.ZeroGrad();
        Assert.Equal(model.Loss(0.7), model.LossGradient(0.7, gradient));

        var result = GradientCheck.Check(() => model.Loss(0.7), parameters);

        Assert.True(result.Passed, result.ToString());
        Assert.NotEqual(0, gradient.Weight[1]);
    }

    [Fact]
    public void GradientObject_ThatIsTheModel_OrSharesItsParts_IsAnArgumentException()
    {
        var model = new Regressor(new Random(1));
        double before = model.Loss(Xs, Ys);
        var itself = Assert.Throws<ArgumentException>(() => model.LossGradient(Xs, Ys, model));
        Assert.Equal("dThis", itself.ParamName);

        var gradient = new Regressor(new Random(2));
        gradient.Encoder.Fc2.Weight = model.Encoder.Fc2.Weight;
        Assert.Contains("'Encoder.Fc2.Weight' is the model's own array", Assert.Throws<ArgumentException>(() => model.LossGradient(Xs, Ys, gradient)).Message);

        gradient = new Regressor(new Random(2)) { Encoder = model.Encoder };
        Assert.Contains("'Encoder' is the model's own sub-module", Assert.Throws<ArgumentException>(() => model.LossGradient(Xs, Ys, gradient)).Message);
        // Thrown before anything was added into the model's own weights.
        Assert.Equal(before, model.Loss(Xs, Ys));
    }

    [Fact]
    public void GeneratedGradient_WithOneEntryChanged_IsReportedByItsDottedName()
    {
        var (model, gradient, _) = Case();
        gradient.Encoder.Fc2.Weight[3] += 0.05;

        var result = GradientCheck.Check(() => model.Loss(Xs, Ys), group => model.AddParameters(group, gradient));

        var mismatch = Assert.Single(result.Mismatches);
        Assert.Equal(("Encoder.Fc2.Weight", 3), (mismatch.Parameter, mismatch.Index));
        Assert.Contains("Encoder.Fc2.Weight[3]: analytic", Assert.Throws<InvalidOperationException>(result.ThrowIfFailed).Message);
    }

    [Fact]
    public void GeneratedGradient_OfAScalarField_IsCheckedThroughItsRegistration()
    {
        var (model, gradient, _) = Case();
        double offset = model.Offset;
        gradient.Offset = -gradient.Offset + 0.1;

        var result = GradientCheck.Check(() => model.Loss(Xs, Ys), group => model.AddParameters(group, gradient, "regressor."));

        Assert.Equal(("regressor.Offset", 0), (Assert.Single(result.Mismatches).Parameter, result.Mismatches[0].Index));
        Assert.Equal(offset, model.Offset);
    }

    [Fact]
    public void GeneratedFloatGradient_IsCheckedInSinglePrecision_ThroughTheFloatRegistration()
    {
        var model = new FloatNeuron();
        var gradient = new FloatNeuron { Weight = new float[3], Bias = 0 };
        float[] x = { 1.0f, -0.5f, 0.25f };
        model.LossGradient(x, 0.3f, gradient);

        var passed = GradientCheck.Check(() => model.Loss(x, 0.3f), group => model.AddParameters(group, gradient));
        gradient.Weight[2] += 0.1f;
        var failed = GradientCheck.Check(() => model.Loss(x, 0.3f), group => model.AddParameters(group, gradient));

        Assert.True(passed.Passed, passed.ToString());
        Assert.Equal(4, passed.NumericGradient.Count);
        Assert.Equal(("Weight", 2), (Assert.Single(failed.Mismatches).Parameter, failed.Mismatches[0].Index));
    }

    [Fact]
    public void InheritedWeights_AreRegisteredAndChecked()
    {
        var model = new DerivedRegressor();
        var gradient = new DerivedRegressor { W = new double[2] };
        var parameters = new ParameterSet<double>();
        model.AddParameters(parameters.AddGroup(learningRate: 0), gradient);
        Assert.Equal(new[] { "W", "B", "Gain" }, parameters.Parameters.Select(p => p.Name));
        parameters.ZeroGrad();
        Assert.Equal(model.Loss(0.7, 0.2), model.LossGradient(0.7, 0.2, gradient));
        var result = GradientCheck.Check(() => model.Loss(0.7, 0.2), parameters);
        Assert.True(result.Passed, result.ToString());
        Assert.Equal(4, result.NumericGradient.Count);
    }

    [Theory]
    [InlineData(1, 7, ShardReduction.Mean)]
    [InlineData(2, 9, ShardReduction.Mean)]
    [InlineData(3, 2, ShardReduction.Sum)]
    public void DataParallelOfAModelClass_EqualsTheSingleThreadGradient(int workers, int batch, ShardReduction reduction)
    {
        var random = new Random(workers * 10 + batch);
        var xs = Enumerable.Range(0, batch).Select(_ => random.NextDouble() * 2 - 1).ToArray();
        var ys = Enumerable.Range(0, batch).Select(_ => random.NextDouble()).ToArray();
        var model = new DerivedRegressor();
        bool mean = reduction == ShardReduction.Mean;
        // One shard: its loss (mean or sum over its samples), its gradient into g through the generated pullback.
        double Shard(DerivedRegressor g, int start, int count)
        {
            double loss = 0, scale = mean ? 1.0 / count : 1.0;
            for (int s = start; s < start + count; s++) loss += scale * model.LossPullback(xs[s], ys[s], scale, g);
            return loss;
        }
        DerivedRegressor Zero() => new() { W = new double[2], Gain = 0 };
        var expected = Zero();
        double expectedLoss = Shard(expected, 0, batch);

        var gradient = Zero();
        var parameters = new ParameterSet<double>();
        model.AddParameters(parameters.AddGroup(learningRate: 0), gradient);
        using var parallel = new DataParallel<double, DerivedRegressor>(parameters, Zero, (group, g) => model.AddParameters(group, g), workers, reduction);
        double loss = parallel.Run(batch, Shard);

        Assert.Equal(expectedLoss, loss, 12);
        Assert.Equal(expected.Gain, gradient.Gain, 12);
        for (int i = 0; i < 2; i++) Assert.Equal(expected.W[i], gradient.W[i], 12);
        Assert.NotEqual(0, gradient.Gain);

        // A step allocates nothing once warm (the shard delegate made once); as in DataParallelTests, the barrier may
        // allocate one wait event under load, while any per-step allocation (>= 24 B) would make 480 B over 20 steps.
        // Under heavy load a blocked caller can also run unrelated work inline (7.5 kB once, in a full run beside two
        // builds): the least of three rounds is what the steps themselves allocate, since a per-step allocation is in each.
        Func<DerivedRegressor, int, int, double> shard = Shard;
        parallel.Run(batch, shard);
        long least = long.MaxValue;
        for (int round = 0; round < 3 && least >= 200; round++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int step = 0; step < 20; step++) parallel.Run(batch, shard);
            least = Math.Min(least, GC.GetAllocatedBytesForCurrentThread() - before);
        }
        Assert.True(least < 200, "allocated per 20 steps: " + least);
    }

    [Fact]
    public void DataParallelOfAModelClass_RejectsAWorkerRegistrationOfAnotherShape()
    {
        var model = new DerivedRegressor();
        var parameters = new ParameterSet<double>();
        model.AddParameters(parameters.AddGroup(learningRate: 0), new DerivedRegressor());
        var exception = Assert.Throws<ArgumentException>(() => new DataParallel<double, DerivedRegressor>(parameters, () => new DerivedRegressor { W = new double[3] }, (group, g) => model.AddParameters(group, g), 2));
        Assert.Contains("Parameter 'W' has 2 values but its gradient", exception.Message);
        // A registration that is not the model's (here: none) is refused by the parallel runner itself.
        exception = Assert.Throws<ArgumentException>(() => new DataParallel<double, DerivedRegressor>(parameters, () => new DerivedRegressor(), (group, g) => { }, 2));
        Assert.Contains("registers 0 parameters, the model 3", exception.Message);
    }
}
