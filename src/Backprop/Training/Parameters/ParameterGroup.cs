namespace Backprop.Training;

/// <summary>
/// The options a group of parameters shares, as in a PyTorch <c>param_group</c>: its learning rate (<c>lr</c>)
/// and weight decay (<c>weight_decay</c>). Learning-rate schedules see groups through this non-generic face.
/// </summary>
public abstract class ParameterGroup
{
    private double _learningRate;
    private double _weightDecay;

    /// <summary>Takes rates that <see cref="ParameterSet{T}.AddGroup"/> has checked against its own parameter names.</summary>
    private protected ParameterGroup(double learningRate, double weightDecay)
    {
        _learningRate = learningRate;
        _weightDecay = weightDecay;
    }

    /// <summary>The learning rate (<c>lr</c>) optimizers use for this group; schedules rewrite it.</summary>
    /// <exception cref="System.ArgumentOutOfRangeException">The value is negative, NaN or infinite; the exception names the property, as the caller wrote it.</exception>
    public double LearningRate
    {
        get => _learningRate;
        set => _learningRate = Guard.NonNegative(value, nameof(LearningRate));
    }

    /// <summary>The weight decay (<c>weight_decay</c>): an L2 term for SGD, Adam, RMSprop and Adagrad, decoupled decay for AdamW.</summary>
    /// <exception cref="System.ArgumentOutOfRangeException">The value is negative, NaN or infinite; the exception names the property, as the caller wrote it.</exception>
    public double WeightDecay
    {
        get => _weightDecay;
        set => _weightDecay = Guard.NonNegative(value, nameof(WeightDecay));
    }
}
