using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;

namespace Backprop.Samples;

/// <summary>
/// What a sample prints while it trains, and the loss curve it draws: a one-line progress bar (epoch, loss, accuracy,
/// speed) on a terminal, a line every tenth of the run when the output is redirected (a log, a test), and at the end
/// <c>{Name}-loss.png</c> beside the executable. Command-line options: <c>--no-plot</c>, <c>--plot PATH</c>.
/// </summary>
public sealed class TrainingProgress
{
    private const int BarWidth = 24;
    private readonly string _name, _unit;
    private readonly int _total;
    private readonly string? _plotPath;
    private readonly bool _live = !Console.IsOutputRedirected;
    private readonly Stopwatch _watch = Stopwatch.StartNew();
    private readonly List<(int Step, double Loss, double? Accuracy)> _history = new();
    private long _lastDraw = long.MinValue;
    private int _lastPrinted = -1;

    /// <param name="name">The sample's name, used for the plot's title and file.</param>
    /// <param name="total">The most steps the run can take.</param>
    /// <param name="unit">What a step is: "epoch", "step", "iteration".</param>
    /// <param name="arguments">The program's command line.</param>
    public TrainingProgress(string name, int total, string unit, string[] arguments)
    {
        _name = name;
        _total = total;
        _unit = unit;
        int plot = Array.IndexOf(arguments, "--plot");
        _plotPath = arguments.Contains("--no-plot") ? null
            : plot >= 0 && plot + 1 < arguments.Length ? Path.GetFullPath(arguments[plot + 1])
            : Path.Combine(AppContext.BaseDirectory, name + "-loss.png");
    }

    /// <summary>Records the loss (and accuracy, in [0, 1]) after <paramref name="step"/> steps, and shows it.</summary>
    public void Report(int step, double loss, double? accuracy = null)
    {
        _history.Add((step, loss, accuracy));
        bool last = step >= _total;
        if (_live)
        {
            long now = _watch.ElapsedMilliseconds;
            if (now - _lastDraw < 100 && !last) return;
            _lastDraw = now;
            int filled = (int)Math.Round(BarWidth * Math.Min(1.0, (double)step / _total));
            Console.Write("\r[" + new string('#', filled) + new string('.', BarWidth - filled) + "] " + Line(step, loss, accuracy) + "   ");
        }
        else if (step == 0 || last || step % Math.Max(1, _total / 10) == 0)
        {
            Console.WriteLine(Line(step, loss, accuracy));
            _lastPrinted = step;
        }
    }

    /// <summary>Ends the progress line, prints <paramref name="summary"/> and writes the plot.</summary>
    public void Finish(string summary)
    {
        var (step, loss, accuracy) = _history[^1];
        if (_live)
        {
            int filled = (int)Math.Round(BarWidth * Math.Min(1.0, (double)step / _total));
            Console.WriteLine("\r[" + new string('#', filled) + new string('.', BarWidth - filled) + "] " + Line(step, loss, accuracy) + "   ");
        }
        else if (_lastPrinted != step)
        {
            Console.WriteLine(Line(step, loss, accuracy));
        }
        Console.WriteLine(summary);
        if (_plotPath is null || _history.Count < 2) return;
        LossPlot.Write(_plotPath, _name, _unit, _history);
        Console.WriteLine("Loss curve: " + _plotPath);
    }

    private string Line(int step, double loss, double? accuracy)
    {
        double seconds = _watch.Elapsed.TotalSeconds;
        string speed = step > 0 && seconds > 0 ? (step / seconds).ToString("N0", CultureInfo.InvariantCulture) + " " + _unit + (_unit.EndsWith("tch", StringComparison.Ordinal) ? "es" : "s") + "/s" : "";
        string text = FormattableString.Invariant($"{_unit} {step.ToString().PadLeft(_total.ToString().Length)}/{_total}  loss {Format(loss)}");
        if (accuracy is double a) text += FormattableString.Invariant($"  accuracy {a:P1}");
        return text + (speed.Length > 0 ? "  " + speed : "");
    }

    /// <summary>A loss as people write it: 0.1235, 0.004975, 1.23e-07.</summary>
    public static string Format(double value) =>
        value != 0 && Math.Abs(value) < 1e-4 ? value.ToString("0.00e+00", CultureInfo.InvariantCulture) : value.ToString("0.######", CultureInfo.InvariantCulture);
}
