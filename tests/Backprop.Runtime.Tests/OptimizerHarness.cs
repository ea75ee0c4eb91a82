using System;
using Backprop.Training;
using Xunit;

namespace Backprop.Runtime.Tests;

/// <summary>
/// Drives an optimizer and an independent scalar reference side by side over several steps. Gradients are a
/// deterministic function of the current values and the step (shrinking every third step, so that running
/// maxima and averages go down as well as up), and the parameter length 11 leaves a tail after full vectors.
/// </summary>
internal static class OptimizerHarness
{
    public const int Length = 11;

    public static double[] InitialValues(int length = Length)
    {
        var values = new double[length];
        for (int i = 0; i < length; i++) values[i] = 0.5 + 0.13 * i;
        return values;
    }

    public static void FillGradients(ReadOnlySpan<double> values, Span<double> gradients, int step)
    {
        double scale = step % 3 == 0 ? 0.1 : 1.0;
        for (int i = 0; i < values.Length; i++)
            gradients[i] = scale * (Math.Sin(1.3 * values[i] + 0.7 * i + step) + 0.05 * i);
    }

    /// <summary>Asserts that <paramref name="create"/>'s optimizer follows <paramref name="referenceStep"/> to 1e-12 relative.</summary>
    public static void AssertMatchesReference(
        Func<ParameterSet<double>, Optimizer<double>> create,
        double learningRate,
        double weightDecay,
        Action<double[], double[], int> referenceStep,
        int steps = 8,
        int length = Length)
    {
        var values = InitialValues(length);
        var gradients = new double[length];
        var set = new ParameterSet<double>();
        set.AddGroup(learningRate, weightDecay).Add("w", values, gradients);
        var optimizer = create(set);

        var expected = InitialValues(length);
        var expectedGradients = new double[length];
        for (int step = 1; step <= steps; step++)
        {
            FillGradients(values, gradients, step);
            FillGradients(expected, expectedGradients, step);
            optimizer.Step();
            referenceStep(expected, expectedGradients, step);
            AssertClose(expected, values, 1e-12, $"step {step}");
        }
    }

    public static void AssertClose(ReadOnlySpan<double> expected, ReadOnlySpan<double> actual, double relative, string context)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            double error = Math.Abs(expected[i] - actual[i]);
            double scale = Math.Max(Math.Abs(expected[i]), Math.Abs(actual[i]));
            Assert.True(error <= relative * scale, $"{context}, index {i}: expected {expected[i]:R}, got {actual[i]:R}.");
        }
    }
}
