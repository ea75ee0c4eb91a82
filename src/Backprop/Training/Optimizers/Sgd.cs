using System;
using System.Numerics;

namespace Backprop.Training;

/// <summary>
/// Stochastic gradient descent with optional momentum, as <c>torch.optim.SGD</c>:
/// <c>g ← ±∇ + λθ</c>; with momentum <c>b ← g</c> on the first step, then <c>b ← μb + (1−τ)g</c>, and
/// <c>g ← g + μb</c> (Nesterov) or <c>g ← b</c>; finally <c>θ ← θ − γg</c>.
/// </summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
public sealed class Sgd<T> : Optimizer<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly SgdOptions _options;

    /// <summary>Creates the optimizer; the momentum buffers are allocated here when momentum is used.</summary>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">Nesterov momentum is asked for without positive momentum and zero dampening.</exception>
    public Sgd(ParameterSet<T> parameters, SgdOptions? options = null)
        : base(parameters, useSlot0: Validated(options).Momentum != 0, false, false, T.Zero)
    {
        _options = Validated(options);
    }

    private static SgdOptions Validated(SgdOptions? options)
    {
        options ??= new SgdOptions();
        if (options.Nesterov && (options.Momentum <= 0 || options.Dampening != 0))
            throw new ArgumentException("Nesterov momentum requires a momentum greater than 0 and zero dampening.", nameof(options));
        return options;
    }

    private protected override void Update(
        Span<T> values, ReadOnlySpan<T> gradients, Span<T> state0, Span<T> state1, Span<T> state2, ParameterGroup group, long step)
    {
        var kernel = new Kernel
        {
            LearningRate = new Vector<T>(Convert(group.LearningRate)),
            WeightDecay = new Vector<T>(Convert(group.WeightDecay)),
            Momentum = new Vector<T>(Convert(_options.Momentum)),
            OneMinusDampening = new Vector<T>(Convert(1 - _options.Dampening)),
            HasWeightDecay = group.WeightDecay != 0,
            HasMomentum = _options.Momentum != 0,
            FirstStep = step == 1,
            Nesterov = _options.Nesterov,
            Maximize = _options.Maximize,
        };
        Elementwise.Run<T, Kernel>(ref kernel, values, gradients, state0, state1, state2);
    }

    private struct Kernel : IElementwiseKernel<T>
    {
        public Vector<T> LearningRate, WeightDecay, Momentum, OneMinusDampening;
        public bool HasWeightDecay, HasMomentum, FirstStep, Nesterov, Maximize;

        public readonly void Apply(ref Vector<T> value, Vector<T> gradient, ref Vector<T> buffer, ref Vector<T> unused1, ref Vector<T> unused2)
        {
            var g = Maximize ? -gradient : gradient;
            if (HasWeightDecay) g += WeightDecay * value;
            if (HasMomentum)
            {
                buffer = FirstStep ? g : Momentum * buffer + OneMinusDampening * g;
                g = Nesterov ? g + Momentum * buffer : buffer;
            }
            value -= LearningRate * g;
        }
    }
}
