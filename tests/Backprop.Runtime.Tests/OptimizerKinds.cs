using System;
using System.Numerics;
using Backprop.Training;
using Xunit;

namespace Backprop.Runtime.Tests;

/// <summary>Every optimizer, configured so that all of its state buffers are in use, for tests that apply to each.</summary>
internal static class OptimizerKinds
{
    public static TheoryData<string> All => new() { "Sgd", "SgdNesterov", "Adam", "AdamW", "RmsProp", "Adagrad" };

    public static Optimizer<T> Create<T>(string kind, ParameterSet<T> set)
        where T : unmanaged, IFloatingPointIeee754<T> => kind switch
        {
            "Sgd" => new Sgd<T>(set, new SgdOptions { Momentum = 0.9, Dampening = 0.1 }),
            "SgdNesterov" => new Sgd<T>(set, new SgdOptions { Momentum = 0.9, Nesterov = true }),
            "Adam" => new Adam<T>(set, new AdamOptions { AmsGrad = true }),
            "AdamW" => new AdamW<T>(set, new AdamOptions { AmsGrad = true }),
            "RmsProp" => new RmsProp<T>(set, new RmsPropOptions { Centered = true, Momentum = 0.5 }),
            "Adagrad" => new Adagrad<T>(set, new AdagradOptions { LrDecay = 0.01, InitialAccumulatorValue = 0.1 }),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
        };

    /// <summary>A two-group model: "w" (length 11, leaves a vector tail) and "b" (length 3, shorter than a vector).</summary>
    public sealed class Model
    {
        public readonly double[] W = OptimizerHarness.InitialValues();
        public readonly double[] DW = new double[OptimizerHarness.Length];
        public readonly double[] B = { 0.3, -0.2, 0.1 };
        public readonly double[] DB = new double[3];
        public readonly ParameterSet<double> Set = new();

        public Model()
        {
            Set.AddGroup(0.01, 0.01).Add("w", W, DW);
            Set.AddGroup(0.02).Add("b", B, DB);
        }

        public void FillGradients(int step)
        {
            OptimizerHarness.FillGradients(W, DW, step);
            OptimizerHarness.FillGradients(B, DB, step + 7);
        }

        public void CopyValuesFrom(Model other)
        {
            other.W.CopyTo(W, 0);
            other.B.CopyTo(B, 0);
        }
    }
}
