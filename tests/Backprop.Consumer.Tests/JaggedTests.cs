using System;
using System.Linq;
using Backprop.Training;
using Xunit;

namespace Backprop.Consumer.Tests;

/// <summary>
/// Jagged array members (<see cref="JaggedMlp"/>, <see cref="RaggedModel"/>, <see cref="JaggedStack"/>): gradients of the
/// same shape in <c>dThis</c>, incremented, against central differences over the registered rows; the checks of
/// <c>dThis</c>'s rows.
/// </summary>
public sealed class JaggedTests
{
    private static double[][] Zeros(double[][] like) => like.Select(r => new double[r.Length]).ToArray();

    [Fact]
    public void JaggedMlp_RowsReadEveryWay_MatchCentralDifferences_AndRegisterEachRow()
    {
        var model = new JaggedMlp(4, 3, 2, new Random(11));
        var gradient = new JaggedMlp(4, 3, 2, new Random(12));
        var parameters = new ParameterSet<double>();
        model.AddParameters(parameters.AddGroup(learningRate: 0), gradient);
        Assert.Equal(new[] { "W1.0", "W1.1", "W1.2", "B1", "W2.0", "W2.1" }, parameters.Parameters.Select(p => p.Name));
        double[] x = { 0.5, -1.0, 0.25, 0.8 };
        for (int label = 0; label < 2; label++)
        {
            parameters.ZeroGrad();
            Assert.Equal(model.Loss(x, label), model.LossGradient(x, label, gradient));
            var result = GradientCheck.Check(() => model.Loss(x, label), parameters);
            Assert.True(result.Passed, result.ToString());
            Assert.Equal(12 + 3 + 6, result.NumericGradient.Count);
        }
    }

    [Fact]
    public void JaggedGradient_IsIncremented()
    {
        var model = new JaggedMlp(2, 2, 2, new Random(3));
        var gradient = new JaggedMlp(2, 2, 2, new Random(3)) { W1 = Zeros(model.W1), B1 = new double[2], W2 = Zeros(model.W2) };
        double[] x = { 0.3, -0.6 };
        model.LossGradient(x, 1, gradient);
        var once = gradient.W1.SelectMany(r => r).Concat(gradient.W2.SelectMany(r => r)).ToArray();
        Assert.Contains(once, g => g != 0);
        model.LossGradient(x, 1, gradient);
        // (An entry that two statements add into is incremented twice per call: equal up to rounding.)
        var twice = gradient.W1.SelectMany(r => r).Concat(gradient.W2.SelectMany(r => r)).ToArray();
        for (int k = 0; k < once.Length; k++) Assert.Equal(2 * once[k], twice[k], 1e-15);
    }

    [Fact]
    public void RaggedFloatRows_CountedFromTheEnd_MatchCentralDifferences()
    {
        var model = new RaggedModel();
        var gradient = new RaggedModel { Coefficients = model.Coefficients.Select(r => new float[r.Length]).ToArray() };
        var parameters = new ParameterSet<float>();
        model.AddParameters(parameters.AddGroup(learningRate: 0), gradient);
        Assert.Equal(new[] { "Coefficients.0", "Coefficients.1", "Coefficients.2" }, parameters.Parameters.Select(p => p.Name));
        foreach (float t in new[] { -0.7f, 0.4f, 1.3f })
        {
            parameters.ZeroGrad();
            Assert.Equal(model.Evaluate(t), model.EvaluateGradient(t, gradient));
            var result = GradientCheck.Check(() => model.Evaluate(t), parameters);
            Assert.True(result.Passed, result.ToString());
        }
    }

    [Fact]
    public void JaggedDataBesideAJaggedWeight_IsReadAsWritten_AndOnlyTheWeightGetsAGradient()
    {
        var model = new JaggedDataModel();
        var gradient = new JaggedDataModel { W = Zeros(model.W), Inputs = null! };
        var parameters = new ParameterSet<double>();
        model.AddParameters(parameters.AddGroup(learningRate: 0), gradient);
        Assert.Equal(new[] { "W.0", "W.1" }, parameters.Parameters.Select(p => p.Name));
        Assert.Equal(model.Loss(0.5), model.LossGradient(0.5, gradient));
        var result = GradientCheck.Check(() => model.Loss(0.5), parameters);
        Assert.True(result.Passed, result.ToString());
    }

    [Fact]
    public void JaggedSubModules_GradientsReachEachLayer()
    {
        var random = new Random(8);
        var model = new JaggedStack { A = { W = JaggedMlp.Rows(3, 2, random) }, B = { W = JaggedMlp.Rows(1, 3, random) } };
        var gradient = new JaggedStack { A = { W = JaggedMlp.Rows(3, 2, random) }, B = { W = JaggedMlp.Rows(1, 3, random) } };
        var parameters = new ParameterSet<double>();
        model.AddParameters(parameters.AddGroup(learningRate: 0), gradient);
        parameters.ZeroGrad();
        Assert.Equal(new[] { "A.W.0", "A.W.1", "A.W.2", "B.W.0" }, parameters.Parameters.Select(p => p.Name));
        double[] x = { 0.9, -0.4 };
        Assert.Equal(model.Loss(x), model.LossGradient(x, gradient));
        var result = GradientCheck.Check(() => model.Loss(x), parameters);
        Assert.True(result.Passed, result.ToString());
    }

    [Fact]
    public void ArrayOfJaggedLayers_RegistersAndChecksEachElementsRows()
    {
        var random = new Random(9);
        JaggedLayerArray Make() => new() { Layers = new JaggedLayer[] { new() { W = JaggedMlp.Rows(3, 2, random) }, new() { W = JaggedMlp.Rows(1, 3, random) } } };
        var model = Make();
        var gradient = Make();
        var parameters = new ParameterSet<double>();
        model.AddParameters(parameters.AddGroup(learningRate: 0), gradient);
        parameters.ZeroGrad();
        Assert.Equal(new[] { "Layers.0.W.0", "Layers.0.W.1", "Layers.0.W.2", "Layers.1.W.0" }, parameters.Parameters.Select(p => p.Name));
        double[] x = { -0.3, 0.8 };
        Assert.Equal(model.Loss(x), model.LossGradient(x, gradient));
        var result = GradientCheck.Check(() => model.Loss(x), parameters);
        Assert.True(result.Passed, result.ToString());

        gradient.Layers[1].W![0] = new double[2];
        Assert.Contains("'Layers.1.W.0' must have 3 entries", Assert.Throws<ArgumentException>(() => model.LossGradient(x, gradient)).Message);
    }

    [Fact]
    public void FrozenJaggedLayer_PassesTheGradientThrough_AndOnlyTheTrainedRowsAreRegistered()
    {
        var random = new Random(21);
        var model = new FrozenJaggedStack { A = { W = JaggedMlp.Rows(3, 2, random) }, B = { W = JaggedMlp.Rows(1, 3, random) } };
        var gradient = new FrozenJaggedStack { A = null!, B = { W = JaggedMlp.Rows(1, 3, random) } };
        var parameters = new ParameterSet<double>();
        model.AddParameters(parameters.AddGroup(learningRate: 0), gradient);
        parameters.ZeroGrad();
        Assert.Equal(new[] { "B.W.0" }, parameters.Parameters.Select(p => p.Name));
        double[] x = { 0.4, -0.7 }, dX = new double[2];
        Assert.Equal(model.Loss(x), model.LossGradient(x, gradient, dX));
        var trained = GradientCheck.Check(() => model.Loss(x), parameters);
        Assert.True(trained.Passed, trained.ToString());
        var check = GradientCheck.Check(p => model.Loss(p), x, dX);
        Assert.True(check.Passed, check.ToString());
    }

    [Fact]
    public void DThisWithRowsOfOtherLengths_NullOrShared_IsAnArgumentException_BeforeAnythingIsWritten()
    {
        var model = new JaggedMlp(3, 2, 2, new Random(5));
        double[] x = { 0.1, 0.2, 0.3 };
        var gradient = new JaggedMlp(3, 2, 2, new Random(5)) { W1 = Zeros(model.W1), B1 = new double[2], W2 = Zeros(model.W2) };

        gradient.W1[1] = new double[2];
        var exception = Assert.Throws<ArgumentException>(() => model.LossGradient(x, 0, gradient));
        Assert.Equal("dThis", exception.ParamName);
        Assert.Contains("'W1.1' must have 3 entries, like 'W1.1', but has 2", exception.Message);

        gradient.W1[1] = null!;
        Assert.Contains("'W1.1' must have 3 entries", Assert.Throws<ArgumentException>(() => model.LossGradient(x, 0, gradient)).Message);

        gradient.W1[1] = model.W1[1];
        Assert.Contains("'W1.1' is the model's own row", Assert.Throws<ArgumentException>(() => model.LossGradient(x, 0, gradient)).Message);

        gradient.W1 = new double[1][];
        Assert.Contains("'W1' must have 2 rows, like 'W1', but has 1", Assert.Throws<ArgumentException>(() => model.LossGradient(x, 0, gradient)).Message);

        Assert.All(gradient.B1, g => Assert.Equal(0, g));
        Assert.All(gradient.W2.SelectMany(r => r), g => Assert.Equal(0, g));
    }
}
