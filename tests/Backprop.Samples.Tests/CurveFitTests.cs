using System;
using CurveFit;
using Xunit;

namespace Backprop.Samples.Tests;

/// <summary>
/// The CurveFit sample: its generated residual Jacobian against central differences, row by row; the Jacobian and a
/// Levenberg–Marquardt step allocating nothing; and the fit reaching the sample's target.
/// </summary>
public sealed class CurveFitTests
{
    private static readonly (double[] T, double[] Y) Data = Model.Data();

    private static LevenbergMarquardt Solver() =>
        new(Model.Truth.Length, Model.Observations,
            (theta, r) => Model.Residuals(theta, Data.T, Data.Y, r),
            (theta, r, jacobian) => Model.ResidualsJacobian(theta, Data.T, Data.Y, r, jacobian));

    public static TheoryData<double[]> Points() => new() { Model.Initial, Model.Truth, new[] { -0.7, 0.05, 3.1, -1.2, 0.4 } };

    [Theory]
    [MemberData(nameof(Points))]
    public void ResidualsJacobian_MatchesFiniteDifferences(double[] theta)
    {
        int n = theta.Length;
        double[] r = new double[Model.Observations], expected = new double[Model.Observations], jacobian = new double[Model.Observations * n];
        Model.ResidualsJacobian(theta, Data.T, Data.Y, r, jacobian);
        Model.Residuals(theta, Data.T, Data.Y, expected);
        Assert.Equal(expected, r);
        var options = new GradientCheckOptions { Layout = [("A", 1), ("lambda", 1), ("omega", 1), ("phi", 1), ("c", 1)] };
        for (int i = 0; i < Model.Observations; i++)
        {
            double t = Data.T[i], y = Data.Y[i];
            GradientCheck.Check(p => Model.Oscillator(p, t) - y, theta, jacobian.AsSpan(i * n, n).ToArray(), options).ThrowIfFailed();
        }
    }

    [Fact]
    public void JacobianAndSolverStep_AllocateNothing()
    {
        double[] r = new double[Model.Observations], jacobian = new double[Model.Observations * Model.Truth.Length];
        var solver = Solver();
        for (int i = 0; i < 100; i++)
        {
            Model.ResidualsJacobian(Model.Initial, Data.T, Data.Y, r, jacobian);
            solver.Start(Model.Initial);
            solver.Step();
        }
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 20; i++)
        {
            Model.ResidualsJacobian(Model.Initial, Data.T, Data.Y, r, jacobian);
            solver.Start(Model.Initial);
            for (int k = 0; k < 5; k++) solver.Step();
        }
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void Fit_ConvergesToTheTruthWithinThreeStandardErrors()
    {
        var solver = Solver();
        solver.Start(Model.Initial);
        var status = FitStatus.Running;
        while (status == FitStatus.Running && solver.Iterations < 100) status = solver.Step();
        Assert.True(status is FitStatus.SmallGradient or FitStatus.SmallStep, status.ToString());

        // The cost at the optimum is about the noise's: ½·m·σ² = 1, and below the cost at the truth.
        double[] atTruth = new double[Model.Observations];
        Model.Residuals(Model.Truth, Data.T, Data.Y, atTruth);
        double truthCost = 0;
        foreach (double v in atTruth) truthCost += 0.5 * v * v;
        Assert.True(solver.Cost <= truthCost, $"cost {solver.Cost} above the truth's {truthCost}");
        Assert.InRange(solver.Cost, 0.7, 1.3);

        var errors = new double[Model.Truth.Length];
        solver.StandardErrors(errors);
        for (int k = 0; k < errors.Length; k++)
            Assert.True(Math.Abs(solver.Parameters[k] - Model.Truth[k]) < 3 * errors[k],
                $"{Model.ParameterNames[k]}: fitted {solver.Parameters[k]}, truth {Model.Truth[k]}, standard error {errors[k]}");
    }
}
