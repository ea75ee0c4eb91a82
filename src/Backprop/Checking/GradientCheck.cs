using System;
using System.Collections.Generic;

namespace Backprop;

/// <summary>
/// Compares an analytic gradient with central finite differences, as <c>torch.autograd.gradcheck</c> does:
/// entry <c>i</c> passes when <c>|analytic − numeric| ≤ AbsoluteTolerance + RelativeTolerance · |numeric|</c>.
/// </summary>
/// <remarks>Either the function is evaluated at a flat parameter vector, whose segments
/// <see cref="GradientCheckOptions.Layout"/> names, or a model's registered parameters are perturbed in place and
/// name themselves (<c>Fc1.Weight[3]</c>); either way a report says which parameter and index disagree. This is a
/// testing tool: it allocates.</remarks>
public static partial class GradientCheck
{
    /// <summary>Checks <paramref name="analyticGradient"/> against central differences of <paramref name="function"/> at <paramref name="point"/>.</summary>
    /// <exception cref="ArgumentNullException">A required argument is null.</exception>
    /// <exception cref="ArgumentException">Lengths disagree, or the layout of <paramref name="options"/> does not cover the point.</exception>
    public static GradientCheckResult Check(
        Func<double[], double> function,
        ReadOnlySpan<double> point,
        ReadOnlySpan<double> analyticGradient,
        GradientCheckOptions? options = null)
    {
        if (function is null) throw new ArgumentNullException(nameof(function));
        options ??= GradientCheckOptions.Default;
        if (analyticGradient.Length != point.Length)
            throw new ArgumentException($"The analytic gradient has {analyticGradient.Length} entries but the point has {point.Length}.", nameof(analyticGradient));
        var names = ExpandLayout(options.Layout, point.Length, nameof(options));

        var x = point.ToArray();
        var mismatches = new List<GradientMismatch>();
        var numeric = new double[x.Length];
        for (int i = 0; i < x.Length; i++)
        {
            double original = x[i];
            double h = options.Epsilon * Math.Max(1.0, Math.Abs(original));
            x[i] = original + h;
            double plus = function(x);
            x[i] = original - h;
            double minus = function(x);
            x[i] = original;
            numeric[i] = (plus - minus) / (2 * h);

            double analytic = analyticGradient[i];
            if (!Agrees(analytic, numeric[i], options))
                mismatches.Add(new GradientMismatch(names[i].Name, names[i].Index, analytic, numeric[i], Math.Abs(analytic - numeric[i])));
        }
        return new GradientCheckResult(mismatches, numeric);
    }

    /// <summary>Checks a <see cref="float"/> gradient; the function is evaluated in single precision, so the default tolerances are wider.</summary>
    public static GradientCheckResult Check(
        Func<float[], float> function,
        ReadOnlySpan<float> point,
        ReadOnlySpan<float> analyticGradient,
        GradientCheckOptions? options = null)
    {
        if (function is null) throw new ArgumentNullException(nameof(function));
        var buffer = new float[point.Length];
        var p = new double[point.Length];
        var g = new double[analyticGradient.Length];
        for (int i = 0; i < p.Length; i++) p[i] = point[i];
        for (int i = 0; i < g.Length; i++) g[i] = analyticGradient[i];
        return Check(
            v =>
            {
                for (int i = 0; i < v.Length; i++) buffer[i] = (float)v[i];
                return function(buffer);
            },
            p, g, options ?? GradientCheckOptions.SinglePrecision);
    }

    /// <summary><c>|analytic − numeric| ≤ atol + rtol · |numeric|</c>, or both NaN.</summary>
    private static bool Agrees(double analytic, double numeric, GradientCheckOptions options) =>
        Math.Abs(analytic - numeric) <= options.AbsoluteTolerance + options.RelativeTolerance * Math.Abs(numeric)
        || (double.IsNaN(analytic) && double.IsNaN(numeric));

    private static (string Name, int Index)[] ExpandLayout(IReadOnlyList<(string Name, int Length)>? layout, int length, string paramName)
    {
        var names = new (string, int)[length];
        if (layout is null)
        {
            for (int i = 0; i < length; i++) names[i] = ("x", i);
            return names;
        }
        int k = 0;
        foreach (var (name, count) in layout)
        {
            if (count < 0 || k + count > length)
                throw new ArgumentException($"The layout entry '{name}' ({count} entries) does not fit a point of {length} entries.", paramName);
            for (int j = 0; j < count; j++) names[k++] = (name, j);
        }
        if (k != length)
            throw new ArgumentException($"The layout covers {k} entries but the point has {length}.", paramName);
        return names;
    }
}

/// <summary>Step size and tolerances of a <see cref="GradientCheck"/>; each is checked where it is set.</summary>
public sealed record GradientCheckOptions
{
    private readonly double _epsilon = 1e-6;
    private readonly double _absoluteTolerance = 1e-5;
    private readonly double _relativeTolerance = 1e-3;

    /// <summary>Defaults for <see cref="double"/>: <c>eps = 1e-6</c>, <c>atol = 1e-5</c>, <c>rtol = 1e-3</c> (as <c>gradcheck</c>).</summary>
    public static GradientCheckOptions Default { get; } = new();

    /// <summary>Defaults for <see cref="float"/>: <c>eps = 1e-2</c>, <c>atol = 1e-2</c>, <c>rtol = 1e-2</c>.</summary>
    public static GradientCheckOptions SinglePrecision { get; } = new() { Epsilon = 1e-2, AbsoluteTolerance = 1e-2, RelativeTolerance = 1e-2 };

    /// <summary>Relative finite-difference step: entry <c>x</c> moves by <c>Epsilon · max(1, |x|)</c>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Not positive, NaN or infinite.</exception>
    public double Epsilon
    {
        get => _epsilon;
        init => _epsilon = value > 0 && !double.IsInfinity(value)
            ? value
            : throw new ArgumentOutOfRangeException(nameof(Epsilon), value, "The step must be positive and finite.");
    }

    /// <summary>Absolute tolerance.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Negative or NaN.</exception>
    public double AbsoluteTolerance { get => _absoluteTolerance; init => _absoluteTolerance = Tolerance(value, nameof(AbsoluteTolerance)); }

    /// <summary>Relative tolerance, scaled by the numeric derivative.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Negative or NaN.</exception>
    public double RelativeTolerance { get => _relativeTolerance; init => _relativeTolerance = Tolerance(value, nameof(RelativeTolerance)); }

    /// <summary>Names of consecutive segments of the flat point, e.g. <c>[("w", 10), ("b", 1)]</c>; null names every entry <c>x[i]</c>.</summary>
    public IReadOnlyList<(string Name, int Length)>? Layout { get; init; }

    private static double Tolerance(double value, string propertyName) =>
        value >= 0 ? value : throw new ArgumentOutOfRangeException(propertyName, value, "A tolerance must be a number greater than or equal to 0.");
}

/// <summary>One gradient entry that disagrees with its finite difference.</summary>
public sealed record GradientMismatch(string Parameter, int Index, double Analytic, double Numeric, double AbsoluteError)
{
    /// <inheritdoc />
    public override string ToString() =>
        FormattableString.Invariant($"{Parameter}[{Index}]: analytic {Analytic:R}, numeric {Numeric:R}, |error| {AbsoluteError:G3}");
}

/// <summary>The outcome of a <see cref="GradientCheck"/>.</summary>
public sealed class GradientCheckResult
{
    internal GradientCheckResult(IReadOnlyList<GradientMismatch> mismatches, IReadOnlyList<double> numeric)
    {
        Mismatches = mismatches;
        NumericGradient = numeric;
    }

    /// <summary>True when every entry is within tolerance.</summary>
    public bool Passed => Mismatches.Count == 0;

    /// <summary>Every entry out of tolerance, in parameter order.</summary>
    public IReadOnlyList<GradientMismatch> Mismatches { get; }

    /// <summary>The central-difference gradient.</summary>
    public IReadOnlyList<double> NumericGradient { get; }

    /// <summary>Throws an <see cref="InvalidOperationException"/> listing every mismatch when the check failed.</summary>
    public void ThrowIfFailed()
    {
        if (!Passed) throw new InvalidOperationException(ToString());
    }

    /// <inheritdoc />
    public override string ToString() => Passed
        ? "Gradient check passed."
        : $"Gradient check failed for {Mismatches.Count} entr{(Mismatches.Count == 1 ? "y" : "ies")}:{Environment.NewLine}  " +
          string.Join(Environment.NewLine + "  ", Mismatches);
}
