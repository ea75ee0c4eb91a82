using System;
using System.Numerics;

namespace Backprop.Training;

/// <summary>
/// Adagrad, as <c>torch.optim.Adagrad</c>: <c>g ← ±∇ + λθ</c>, <c>γ̃ = γ / (1 + (t−1)η)</c>, <c>s ← s + g²</c>,
/// <c>θ ← θ − γ̃ · g / (√s + ε)</c>.
/// </summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
public sealed class Adagrad<T> : Optimizer<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly AdagradOptions _options;

    /// <summary>Creates the optimizer; the accumulators start at <see cref="AdagradOptions.InitialAccumulatorValue"/>.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="parameters"/> is null.</exception>
    public Adagrad(ParameterSet<T> parameters, AdagradOptions? options = null)
        : base(parameters, true, false, false, T.CreateTruncating((options ?? new AdagradOptions()).InitialAccumulatorValue))
    {
        _options = options ?? new AdagradOptions();
    }

    private protected override void Update(
        Span<T> values, ReadOnlySpan<T> gradients, Span<T> state0, Span<T> state1, Span<T> state2, ParameterGroup group, long step)
    {
        var kernel = new Kernel
        {
            ClippedLearningRate = new Vector<T>(Convert(group.LearningRate / (1 + (step - 1) * _options.LrDecay))),
            WeightDecay = new Vector<T>(Convert(group.WeightDecay)),
            Eps = new Vector<T>(Convert(_options.Eps)),
            HasWeightDecay = group.WeightDecay != 0,
            Maximize = _options.Maximize,
        };
        Elementwise.Run<T, Kernel>(ref kernel, values, gradients, state0, state1, state2);
    }

    private struct Kernel : IElementwiseKernel<T>
    {
        public Vector<T> ClippedLearningRate, WeightDecay, Eps;
        public bool HasWeightDecay, Maximize;

        public readonly void Apply(ref Vector<T> value, Vector<T> gradient, ref Vector<T> sum, ref Vector<T> unused1, ref Vector<T> unused2)
        {
            var g = Maximize ? -gradient : gradient;
            if (HasWeightDecay) g += WeightDecay * value;
            sum += g * g;
            value -= ClippedLearningRate * (g / (Vector.SquareRoot(sum) + Eps));
        }
    }
}
