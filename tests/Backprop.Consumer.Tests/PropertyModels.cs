using Backprop;

namespace Backprop.Consumer.Tests;

/// <summary>A base class's auto-property: the derived model's weight too.</summary>
public class PropertyModelBase
{
    public double Bias { get; set; } = 0.2;
}

/// <summary>A model whose weights include auto-properties, registered through their backing fields.</summary>
public partial class PropertyModel : PropertyModelBase
{
    public double Gain { get; set; } = 0.8;

    public double[] W = { 0.5, -0.3 };

    [Differentiable]
    public double Loss(double x) => Gain * (W[0] * x + W[1]) + Bias * Bias;
}
