using System;
using NewtonCG;
using Xunit;

namespace Backprop.Samples.Tests;

/// <summary>
/// The NewtonCG sample: its generated loss gradient against central differences, a Newton–CG step allocating nothing,
/// and the sample reaching its target. The Hessian–vector product and Hessian of its loss are checked against the
/// gradient in tests/Backprop.Consumer.Tests (HessianTests).
/// </summary>
[Collection("Console")] // tests that redirect Console.Out run one at a time
public sealed class NewtonCGTests
{
    private const double Lambda = 1e-2;
    private static readonly (double[] X, double[] Y) Data = Model.Data(40, 6);

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void LossGradient_MatchesFiniteDifferences(int seed)
    {
        var random = new Random(seed);
        var w = new double[6];
        for (int j = 0; j < w.Length; j++) w[j] = 3 * (2 * random.NextDouble() - 1);
        var gradient = new double[6];
        double value = Model.LossGradient(w, Data.X, Data.Y, Lambda, gradient);
        Assert.Equal(Model.Loss(w, Data.X, Data.Y, Lambda), value, 12);
        GradientCheck.Check(p => Model.Loss(p, Data.X, Data.Y, Lambda), w, gradient, new GradientCheckOptions { Layout = [("w", 6)] }).ThrowIfFailed();
    }

    [Fact]
    public void NewtonCgSteps_AllocateNothing()
    {
        double[] scratch = new double[6], start = new double[6];
        var solver = new NewtonCg(6,
            w => Model.Loss(w, Data.X, Data.Y, Lambda),
            (w, g) =>
            {
                g.Clear();
                return Model.LossGradient(w, Data.X, Data.Y, Lambda, g);
            },
            (w, v, product) =>
            {
                product.Clear();
                Array.Clear(scratch);
                Model.LossHessianVectorProduct(w, Data.X, Data.Y, Lambda, v, scratch, product);
            });
        for (int i = 0; i < 20; i++)
        {
            solver.Start(start);
            while (solver.Step() == NewtonStatus.Running) { }
        }
        Assert.Equal(NewtonStatus.Converged, solver.Step());
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 20; i++)
        {
            solver.Start(start);
            while (solver.Step() == NewtonStatus.Running) { }
        }
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void Sample_ConvergesToItsTolerance()
    {
        var output = new System.IO.StringWriter();
        var console = Console.Out;
        Console.SetOut(output);
        int exitCode;
        try
        {
            exitCode = (int)typeof(Model).Assembly.EntryPoint!.Invoke(null, new object[] { new[] { "--no-plot" } })!;
        }
        finally
        {
            Console.SetOut(console);
        }
        Assert.True(exitCode == 0, output.ToString());
        Assert.Contains("Converged in", output.ToString());
    }
}
