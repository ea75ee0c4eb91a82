using System;
using System.Numerics;

namespace Backprop.Training;

/// <summary>
/// RMSprop, as <c>torch.optim.RMSprop</c>: <c>g ← ±∇ + λθ</c>, <c>v ← αv + (1−α)g²</c>; centered:
/// <c>ḡ ← αḡ + (1−α)g</c> and <c>d = √(v − ḡ²) + ε</c>, otherwise <c>d = √v + ε</c>; with momentum
/// <c>b ← μb + g/d</c>, <c>θ ← θ − γb</c>, otherwise <c>θ ← θ − γg/d</c>.
/// </summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
public sealed class RmsProp<T> : Optimizer<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly RmsPropOptions _options;

    /// <summary>Creates the optimizer; the momentum and centered buffers are allocated only when those options are on.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="parameters"/> is null.</exception>
    public RmsProp(ParameterSet<T> parameters, RmsPropOptions? options = null)
        : base(parameters, true, (options ?? new RmsPropOptions()).Momentum > 0, (options ?? new RmsPropOptions()).Centered, T.Zero)
    {
        _options = options ?? new RmsPropOptions();
    }

    private protected override void Update(
        Span<T> values, ReadOnlySpan<T> gradients, Span<T> state0, Span<T> state1, Span<T> state2, ParameterGroup group, long step)
    {
        var kernel = new Kernel
        {
            LearningRate = new Vector<T>(Convert(group.LearningRate)),
            WeightDecay = new Vector<T>(Convert(group.WeightDecay)),
            Alpha = new Vector<T>(Convert(_options.Alpha)),
            OneMinusAlpha = new Vector<T>(Convert(1 - _options.Alpha)),
            Eps = new Vector<T>(Convert(_options.Eps)),
            Momentum = new Vector<T>(Convert(_options.Momentum)),
            HasWeightDecay = group.WeightDecay != 0,
            HasMomentum = _options.Momentum > 0,
            Centered = _options.Centered,
            Maximize = _options.Maximize,
        };
        Elementwise.Run<T, Kernel>(ref kernel, values, gradients, state0, state1, state2);
    }

    private struct Kernel : IElementwiseKernel<T>
    {
        public Vector<T> LearningRate, WeightDecay, Alpha, OneMinusAlpha, Eps, Momentum;
        public bool HasWeightDecay, HasMomentum, Centered, Maximize;

        public readonly void Apply(ref Vector<T> value, Vector<T> gradient, ref Vector<T> squareAverage, ref Vector<T> buffer, ref Vector<T> gradientAverage)
        {
            var g = Maximize ? -gradient : gradient;
            if (HasWeightDecay) g += WeightDecay * value;
            squareAverage = Alpha * squareAverage + OneMinusAlpha * g * g;
            Vector<T> average;
            if (Centered)
            {
                gradientAverage = Alpha * gradientAverage + OneMinusAlpha * g;
                average = Vector.SquareRoot(squareAverage - gradientAverage * gradientAverage) + Eps;
            }
            else
            {
                average = Vector.SquareRoot(squareAverage) + Eps;
            }
            if (HasMomentum)
            {
                buffer = Momentum * buffer + g / average;
                value -= LearningRate * buffer;
            }
            else
            {
                value -= LearningRate * (g / average);
            }
        }
    }
}
