using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using ScottPlot;

namespace NewtonCG;

/// <summary>
/// f − f* (f* the best value found) against the evaluations spent (gradients, and Hessian–vector products for Newton–CG),
/// both on log scales, as a PNG.
/// </summary>
internal static class ConvergencePlot
{
    public static void Write(string path, double minimum, params (string Name, List<(double Work, double Value)> Curve)[] runs)
    {
        var plot = new Plot();
        foreach (var (name, curve) in runs)
        {
            var points = curve.Select(p => (p.Work, Value: p.Value - minimum)).Where(p => p.Value > 0 && double.IsFinite(p.Value)).ToArray();
            var line = plot.Add.Scatter(points.Select(p => Math.Log10(p.Work)).ToArray(), points.Select(p => Math.Log10(p.Value)).ToArray());
            line.LegendText = name;
            line.LineWidth = 2;
            line.MarkerSize = points.Length > 60 ? 0 : 4;
        }
        plot.Axes.Left.TickGenerator = PowersOfTen();
        plot.Axes.Bottom.TickGenerator = PowersOfTen();
        plot.Axes.Left.Label.Text = "f − f* (log scale)";
        plot.Axes.Bottom.Label.Text = "gradient or Hessian–vector evaluations (log scale)";
        plot.Title("Logistic regression, 100 weights");
        plot.ShowLegend(Alignment.UpperRight);
        plot.SavePng(path, 800, 450);
    }

    private static ScottPlot.TickGenerators.NumericAutomatic PowersOfTen() => new()
    {
        MinorTickGenerator = new ScottPlot.TickGenerators.LogMinorTickGenerator(),
        IntegerTicksOnly = true,
        LabelFormatter = v => Math.Round(v) == 0 ? "1" : "1e" + Math.Round(v).ToString("0", CultureInfo.InvariantCulture),
    };
}
