using System;
using Backprop;

namespace Backprop.Consumer.Tests;

/// <summary>A linear score with a tanh and a gain, and an unmarked method (differentiated without a mark).</summary>
public partial class Scorer
{
    public double[] W;
    public double Gain;

    public Scorer(Random random)
    {
        W = new[] { random.NextDouble() - 0.5, random.NextDouble() - 0.5 };
        Gain = random.NextDouble() + 0.5;
    }

    [Differentiable]
    public double Score(ReadOnlySpan<double> x)
    {
        double s = 0;
        for (int i = 0; i < W.Length; i++) s += W[i] * x[i];
        return Gain * Math.Tanh(s);
    }

    public double Penalty(double v) => Gain * v * v + W[0] * v;
}

/// <summary>
/// Fine-tuning on frozen modules (issue 11): a pretrained encoder with sub-modules of its own, an array of adapters and a
/// critic, all <c>[NoDerivative]</c>, and a head and a scorer that are trained. The input is active, so the gradient
/// must flow through every frozen call to it.
/// </summary>
public partial class FineTuned
{
    [NoDerivative] public Encoder Encoder;
    [NoDerivative] public Dense[] Adapters;
    [NoDerivative] public Scorer Critic;
    public Dense Head;
    public Scorer Trained;

    public FineTuned(Random random)
    {
        Encoder = new Encoder(random);
        Adapters = new[] { new Dense(2, 2, random), new Dense(2, 2, random) };
        Critic = new Scorer(random);
        Head = new Dense(2, 1, random);
        Trained = new Scorer(random);
    }

    [Differentiable]
    public double Loss(ReadOnlySpan<double> x, [NoDerivative] double target)
    {
        Span<double> code = stackalloc double[2];
        Span<double> a = stackalloc double[2];
        Span<double> y = stackalloc double[1];
        Encoder.Forward(x, code);
        for (int l = 0; l < Adapters.Length; l++)
        {
            Adapters[l].Forward(code, a);
            a.CopyTo(code);
        }
        Head.Forward(code, y);
        double critic = Critic.Score(code) + Critic.Penalty(y[0]);
        double d = y[0] - target;
        return d * d + critic + Trained.Score(code);
    }
}

/// <summary>
/// A frozen encoder as a fixed feature map: the methods differentiate no member (they take no <c>dThis</c>), so they can
/// have Jacobians, which go through the frozen calls.
/// </summary>
public partial class FrozenFeatures
{
    [NoDerivative] public Encoder Encoder = new(new Random(7));

    [Differentiable(Jacobian = true)]
    public void Features(ReadOnlySpan<double> x, Span<double> features)
    {
        Span<double> code = stackalloc double[2];
        Encoder.Forward(x, code);
        features[0] = code[0] * code[1];
        features[1] = Math.Tanh(code[1]);
    }

    [Differentiable(Jacobian = true)]
    public double Energy(ReadOnlySpan<double> x)
    {
        Span<double> code = stackalloc double[2];
        Encoder.Forward(x, code);
        return code[0] * code[0] + Math.Sin(code[1]);
    }
}

/// <summary>
/// Distillation: a student whose frozen teacher is a model of its own type, so that the loss calls itself on the teacher
/// (its frozen variant, whose own teacher is null) beside its own trained members.
/// </summary>
public partial class Student
{
    public double[] W;
    public double B;
    [NoDerivative] public Student? Teacher;

    public Student(Random random, Student? teacher = null)
    {
        W = new[] { random.NextDouble() - 0.5, random.NextDouble() - 0.5 };
        B = random.NextDouble() - 0.5;
        Teacher = teacher;
    }

    [Differentiable]
    public double Predict(ReadOnlySpan<double> x) => Math.Tanh(W[0] * x[0] + W[1] * x[1] + B) + (Teacher is null ? 0 : 0.5 * Teacher.Predict(x));
}
