using System;
using System.Numerics;

namespace Backprop.Training;

/// <summary>
/// Adam, as <c>torch.optim.Adam</c>: <c>g ← ±∇ + λθ</c>, <c>m ← β₁m + (1−β₁)g</c>, <c>v ← β₂v + (1−β₂)g²</c>,
/// with AMSGrad <c>v̂ ← max(v̂, v)</c>, then <c>θ ← θ − (γ/(1−β₁ᵗ)) · m / (√v / √(1−β₂ᵗ) + ε)</c>.
/// </summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
public class Adam<T> : Optimizer<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly AdamOptions _options;
    private readonly bool _decoupledWeightDecay;

    /// <summary>Creates the optimizer and its moment buffers.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="parameters"/> is null.</exception>
    public Adam(ParameterSet<T> parameters, AdamOptions? options = null)
        : this(parameters, options, decoupledWeightDecay: false)
    {
    }

    private protected Adam(ParameterSet<T> parameters, AdamOptions? options, bool decoupledWeightDecay)
        : base(parameters, true, true, (options ?? new AdamOptions()).AmsGrad, T.Zero)
    {
        _options = options ?? new AdamOptions();
        _decoupledWeightDecay = decoupledWeightDecay;
    }

    private protected sealed override void Update(
        Span<T> values, ReadOnlySpan<T> gradients, Span<T> state0, Span<T> state1, Span<T> state2, ParameterGroup group, long step)
    {
        double lr = group.LearningRate, decay = group.WeightDecay;
        double biasCorrection1 = 1 - Math.Pow(_options.Beta1, step);
        double biasCorrection2 = 1 - Math.Pow(_options.Beta2, step);
        var kernel = new Kernel
        {
            Beta1 = new Vector<T>(Convert(_options.Beta1)),
            OneMinusBeta1 = new Vector<T>(Convert(1 - _options.Beta1)),
            Beta2 = new Vector<T>(Convert(_options.Beta2)),
            OneMinusBeta2 = new Vector<T>(Convert(1 - _options.Beta2)),
            Eps = new Vector<T>(Convert(_options.Eps)),
            StepSize = new Vector<T>(Convert(lr / biasCorrection1)),
            BiasCorrection2Sqrt = new Vector<T>(Convert(Math.Sqrt(biasCorrection2))),
            WeightDecay = new Vector<T>(Convert(decay)),
            DecoupledShrink = new Vector<T>(Convert(1 - lr * decay)),
            CoupledDecay = decay != 0 && !_decoupledWeightDecay,
            DecoupledDecay = decay != 0 && _decoupledWeightDecay,
            AmsGrad = _options.AmsGrad,
            Maximize = _options.Maximize,
        };
        Elementwise.Run<T, Kernel>(ref kernel, values, gradients, state0, state1, state2);
    }

    private struct Kernel : IElementwiseKernel<T>
    {
        public Vector<T> Beta1, OneMinusBeta1, Beta2, OneMinusBeta2, Eps, StepSize, BiasCorrection2Sqrt, WeightDecay, DecoupledShrink;
        public bool CoupledDecay, DecoupledDecay, AmsGrad, Maximize;

        public readonly void Apply(ref Vector<T> value, Vector<T> gradient, ref Vector<T> mean, ref Vector<T> meanSquare, ref Vector<T> maxMeanSquare)
        {
            var g = Maximize ? -gradient : gradient;
            if (CoupledDecay) g += WeightDecay * value;
            if (DecoupledDecay) value *= DecoupledShrink;
            mean = Beta1 * mean + OneMinusBeta1 * g;
            meanSquare = Beta2 * meanSquare + OneMinusBeta2 * g * g;
            var second = meanSquare;
            if (AmsGrad)
            {
                maxMeanSquare = Vector.Max(maxMeanSquare, meanSquare);
                second = maxMeanSquare;
            }
            var denominator = Vector.SquareRoot(second) / BiasCorrection2Sqrt + Eps;
            value -= StepSize * (mean / denominator);
        }
    }
}
