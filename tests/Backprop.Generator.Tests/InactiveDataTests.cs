using System;
using Xunit;

namespace Backprop.Generator.Tests;

/// <summary>
/// Calls, properties, LINQ and comparisons on data of any type run as written when no derivative flows through them
/// (issue 16): lists, enums, strings, two-dimensional arrays, other objects. Where a derivative would flow through one,
/// BPG010.
/// </summary>
public sealed class InactiveDataTests
{
    [Fact]
    public void CallsAndPropertiesOnDataOfAnyType_RunAsWritten()
    {
        var type = GeneratorHarness.CompileAndLoad("""
            using System;
            using System.Collections.Generic;
            using System.Linq;
            using Backprop;

            namespace Demo
            {
                public enum Mode { Plain, Scaled }

                public sealed class Settings
                {
                    public double Gain { get; set; } = 2;
                    public bool Cond(double y) => y > 0.5;
                }

                public static partial class Model
                {
                    [Differentiable]
                    public static double Loss(double w, [NoDerivative] List<double> ys, [NoDerivative] double[,] grid, Mode mode, string name, Settings settings)
                    {
                        double mean = ys.Average();
                        double s = 0;
                        for (int i = 0; i < ys.Count; i++)
                            s += (w * ys[i] - mean) * (w * ys[i] - mean);
                        for (int r = 0; r < grid.GetLength(0); r++)
                            s += w * grid[r, 0];
                        if (mode == Mode.Scaled && name.Length > 2 && settings.Cond(ys[0])) s *= settings.Gain;
                        return s / ys.Count + w * ys.Where(y => y > 0).Sum();
                    }
                }

                public static class Probe
                {
                    public static double Check()
                    {
                        var ys = new List<double> { 0.7, -0.2, 1.3 };
                        var grid = new double[,] { { 1, 2 }, { 3, 4 } };
                        var settings = new Settings();
                        double w = 0.9;
                        double value = Model.LossGradient(w, ys, grid, Mode.Scaled, "abc", settings, out double dW);
                        if (value != Model.Loss(w, ys, grid, Mode.Scaled, "abc", settings)) return double.PositiveInfinity;
                        double numeric = (Model.Loss(w + 1e-6, ys, grid, Mode.Scaled, "abc", settings) - Model.Loss(w - 1e-6, ys, grid, Mode.Scaled, "abc", settings)) / 2e-6;
                        return Math.Abs(numeric - dW) / Math.Max(1, Math.Abs(numeric));
                    }
                }
            }
            """).GetType("Demo.Probe")!;
        double error = (double)type.GetMethod("Check")!.Invoke(null, null)!;
        Assert.True(error < 1e-6, "relative error " + error);
    }

    [Fact]
    public void DataExpressionThatWouldCarryADerivative_IsBPG010()
    {
        const string source = """
            using System;
            using System.Linq;
            using Backprop;

            public static partial class Model
            {
                [Differentiable]
                public static double Loss(double[] w) => w.Sum() * 2;
            }
            """;
        var outcome = GeneratorHarness.Run(source);
        var diagnostic = Assert.Single(outcome.GeneratorDiagnostics);
        Assert.Equal("BPG010", diagnostic.Id);
        Assert.Equal("w.Sum()", source.Substring(diagnostic.Location.SourceSpan.Start, diagnostic.Location.SourceSpan.Length));
        Assert.Equal("Cannot differentiate the call to 'Enumerable.Sum': its derivative is unknown; LINQ is not differentiated: write it as a loop over the buffer (LINQ on [NoDerivative] data is fine), or use Backprop.Ops (Ops.Sum, Ops.Dot, Ops.LogSumExp)",
            diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void RowOfJaggedData_UsedAsABuffer_IsALocatedError_WhoseAdviceBuilds()
    {
        const string head = "using System;\nusing Backprop;\n\npublic partial class Fit\n{\n    public double[,] W = new double[1, 2];\n"
            + "    private double Dot(double[] x) => W[0, 0] * x[0] + W[0, 1] * x[1];\n"
            + "    private double Dot(double[][] xs, int n) => W[0, 0] * xs[n][0] + W[0, 1] * xs[n][1];\n";
        var wrong = GeneratorHarness.Run(head + "    [Differentiable] public double Loss([NoDerivative] double[][] xs) { double s = 0; for (int n = 0; n < xs.Length; n++) s += Dot(xs[n]); return s; }\n}\n");
        var diagnostic = Assert.Single(wrong.GeneratorDiagnostics);
        Assert.Equal("BPG014", diagnostic.Id);
        Assert.Contains("the row 'xs[n]' of data of another type ('double[][]') used as a buffer", diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
        var advised = GeneratorHarness.Run(head + "    [Differentiable] public double Loss([NoDerivative] double[][] xs) { double s = 0; for (int n = 0; n < xs.Length; n++) s += Dot(xs, n); return s; }\n}\n");
        Assert.Empty(advised.GeneratorDiagnostics);
        Assert.Empty(advised.CompilationDiagnostics);
    }
}
