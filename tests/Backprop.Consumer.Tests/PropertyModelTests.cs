using System.Linq;
using Backprop.Training;
using Xunit;

namespace Backprop.Consumer.Tests;

public sealed class PropertyModelTests
{
    /// <summary>DESIGN.md: auto-properties are weights, and one call registers every weight (it threw NotSupportedException).</summary>
    [Fact]
    public void AutoProperties_OwnAndInherited_AreRegistered_CheckedAndTrained()
    {
        var model = new PropertyModel();
        var gradient = new PropertyModel { Gain = 0, Bias = 0, W = new double[2] };
        var parameters = new ParameterSet<double>();
        model.AddParameters(parameters.AddGroup(learningRate: 0.5), gradient, "net.");
        Assert.Equal(new[] { "net.Bias", "net.Gain", "net.W" }, parameters.Parameters.Select(p => p.Name));

        parameters.ZeroGrad();
        model.LossGradient(1.5, gradient, out _);
        var result = GradientCheck.Check(() => model.Loss(1.5), parameters);
        Assert.True(result.Passed, result.ToString());

        // A step moves the properties themselves: Gain -= 0.5 · dGain, Bias -= 0.5 · 2 Bias.
        double dGain = gradient.Gain, bias = model.Bias, gain = model.Gain;
        new Sgd<double>(parameters).Step();
        Assert.Equal(gain - 0.5 * dGain, model.Gain, 12);
        Assert.Equal(bias - 0.5 * 2 * bias, model.Bias, 12);
    }
}
