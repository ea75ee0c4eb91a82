using System;
using System.Linq;
using Backprop.Training;
using Xunit;

namespace Backprop.Consumer.Tests;

/// <summary>
/// A model class with an array of sub-modules (<see cref="LayerStack"/>): its gradient against central differences
/// through the model gradient check, the registration by index, and a mismatch named by its element.
/// </summary>
public sealed class ModuleArrayTests
{
    private static readonly double[] Xs = { 0.5, -1.0, 1.5, 0.25, 0.75, -0.5, -1.25, 0.0, 2.0 }, Ys = { 0.3, -0.2, 0.6 };

    private static (LayerStack Model, LayerStack Gradient, ParameterSet<double> Parameters) Case()
    {
        var model = new LayerStack(new Random(3), 3, 4, 4, 2);
        var gradient = new LayerStack(new Random(4), 3, 4, 4, 2);
        var parameters = new ParameterSet<double>();
        model.AddParameters(parameters.AddGroup(learningRate: 0), gradient);
        parameters.ZeroGrad();
        Assert.Equal(model.Loss(Xs, Ys), model.LossGradient(Xs, Ys, gradient));
        return (model, gradient, parameters);
    }

    [Fact]
    public void ArrayOfSubModules_MatchesCentralDifferences_ForEveryRegisteredElement()
    {
        var (model, _, parameters) = Case();

        var result = GradientCheck.Check(() => model.Loss(Xs, Ys), parameters);

        Assert.True(result.Passed, result.ToString());
        Assert.Equal(
            new[] { "Layers.0.Weight", "Layers.0.Bias", "Layers.1.Weight", "Layers.1.Bias", "Layers.2.Weight", "Layers.2.Bias", "Head" },
            parameters.Parameters.Select(p => p.Name));
        Assert.Equal(12 + 4 + 16 + 4 + 8 + 2 + 2, result.NumericGradient.Count);
    }

    [Fact]
    public void ArrayOfSubModules_AMismatchInOneElement_IsNamedByItsIndex()
    {
        var (model, gradient, _) = Case();
        gradient.Layers[2].Weight[3] += 0.05;

        var result = GradientCheck.Check(() => model.Loss(Xs, Ys), group => model.AddParameters(group, gradient));

        var mismatch = Assert.Single(result.Mismatches);
        Assert.Equal(("Layers.2.Weight", 3), (mismatch.Parameter, mismatch.Index));
    }

    [Fact]
    public void ArrayOfSubModules_DThisWithANullElement_IsRejectedBeforeAnythingIsWritten()
    {
        var (model, gradient, parameters) = Case();
        parameters.ZeroGrad();
        gradient.Layers[1] = null!;

        var error = Assert.Throws<ArgumentException>(() => model.LossGradient(Xs, Ys, gradient));

        Assert.Equal("dThis", error.ParamName);
        Assert.StartsWith("The gradient of 'Layers.1' is null", error.Message);
        Assert.All(gradient.Head.Concat(gradient.Layers[0].Weight), v => Assert.Equal(0, v));
    }

    [Fact]
    public void ArrayOfSubModules_DThisSharingTheCollectionOrAnElement_IsRejected()
    {
        var (model, gradient, _) = Case();
        gradient.Layers[2] = model.Layers[2];
        Assert.StartsWith("The gradient of 'Layers.2' is the model's own sub-module", Assert.Throws<ArgumentException>(() => model.LossGradient(Xs, Ys, gradient)).Message);

        gradient.Layers = model.Layers;
        Assert.StartsWith("The gradient of 'Layers' is the model's own collection", Assert.Throws<ArgumentException>(() => model.LossGradient(Xs, Ys, gradient)).Message);
    }
}
