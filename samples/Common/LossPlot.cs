using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using ScottPlot;

namespace Backprop.Samples;

/// <summary>The loss curve (log scale) and, where the sample measures it, the accuracy curve of a training run, as a PNG.</summary>
internal static class LossPlot
{
    public static void Write(string path, string name, string unit, IReadOnlyList<(int Step, double Loss, double? Accuracy)> history)
    {
        var plot = new Plot();
        var points = history.Where(h => h.Loss > 0 && double.IsFinite(h.Loss)).ToArray();
        double[] steps = points.Select(h => (double)h.Step).ToArray();
        var loss = plot.Add.Scatter(steps, points.Select(h => Math.Log10(h.Loss)).ToArray());
        loss.MarkerSize = points.Length > 60 ? 0 : 4;
        loss.LineWidth = 2;

        // Loss on a log scale: over two decades or more, ticks at powers of ten (1e-3); over less, at round values.
        double[] logs = points.Select(h => Math.Log10(h.Loss)).ToArray();
        bool decades = logs.Max() - logs.Min() >= 2;
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic
        {
            MinorTickGenerator = new ScottPlot.TickGenerators.LogMinorTickGenerator(),
            IntegerTicksOnly = decades,
            LabelFormatter = y => decades
                ? (Math.Round(y) == 0 ? "1" : "1e" + Math.Round(y).ToString("0", CultureInfo.InvariantCulture))
                : Math.Pow(10, y).ToString("G2", CultureInfo.InvariantCulture),
        };
        plot.Axes.Left.Label.Text = "loss (log scale)";
        plot.Axes.Bottom.Label.Text = unit;
        plot.Title(name);

        var accuracy = history.Where(h => h.Accuracy is not null).ToArray();
        if (accuracy.Length > 1)
        {
            var curve = plot.Add.Scatter(accuracy.Select(h => (double)h.Step).ToArray(), accuracy.Select(h => 100 * h.Accuracy!.Value).ToArray());
            curve.Axes.YAxis = plot.Axes.Right;
            loss.LegendText = "loss";
            curve.LegendText = "accuracy";
            curve.MarkerSize = accuracy.Length > 60 ? 0 : 4;
            curve.LineWidth = 2;
            plot.Axes.Right.Label.Text = "accuracy (%)";
            plot.Axes.SetLimitsY(0, 100, plot.Axes.Right);
            plot.ShowLegend(Alignment.MiddleRight);
        }
        plot.SavePng(path, 800, 450);
    }
}
