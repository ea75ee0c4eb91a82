using System;
using System.Linq;
using System.Reflection;
using System.Threading;
using CsCheck;
using Xunit;
using Xunit.Abstractions;

namespace Backprop.Generator.Tests;

/// <summary>Random programs, compiled with the generator and checked against central finite differences.</summary>
public sealed class PropertyTests
{
    private const int ProgramsPerCompilation = 100;

    /// <summary>
    /// 16 (1,600 programs, a new seed each run; the test command stays under 5 minutes since the programs grew a zero-skip
    /// block), or BACKPROP_PROPERTY_COMPILATIONS for a longer run by hand (CI runs the default).
    /// </summary>
    private static readonly int Compilations =
        int.TryParse(Environment.GetEnvironmentVariable("BACKPROP_PROPERTY_COMPILATIONS"), out int compilations) && compilations > 0 ? compilations : 16;

    private readonly ITestOutputHelper _output;

    public PropertyTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public void RandomPrograms_GradientsMatchFiniteDifferences()
    {
        int checkedPrograms = 0, checkedPoints = 0, skippedPoints = 0, unrepeated = 0, overflowed = 0;
        RandomPrograms.Program.Array[ProgramsPerCompilation].Sample(programs =>
        {
            var assembly = GeneratorHarness.CompileAndLoad(RandomPrograms.Class(programs));
            var type = assembly.GetType("Programs")!;
            var random = new Random(programs.Length * 7919 + programs[0].Body.Length);
            for (int k = 0; k < programs.Length; k++)
            {
                var function = type.GetMethod("F" + k)!;
                var gradient = type.GetMethod("F" + k + "Gradient")!;
                for (int trial = 0; trial < 2; trial++)
                {
                    var point = new[] { random.NextDouble() * 3 - 1.5, random.NextDouble() * 3 - 1.5, random.NextDouble() * 3 - 1.5 };
                    switch (CheckPoint(function, gradient, point, out string? failure, out bool nonFinite))
                    {
                        case true:
                            Interlocked.Increment(ref checkedPoints);
                            break;
                        case null:
                            Interlocked.Increment(ref skippedPoints);
                            break;
                        default:
                            // A wrong derivative is wrong at every point of the branch; a mismatch that a point 1e-3 away
                            // does not repeat is a degenerate point (a tie only rounding decides, a kink exactly hit).
                            var nearby = point.Select(x => x + 1e-3 * (random.NextDouble() - 0.5)).ToArray();
                            bool repeated = CheckPoint(function, gradient, nearby, out string? again) == false;
                            // A NaN or infinite gradient where a helper overflowed is IEEE's 0 · ∞, not a wrong derivative.
                            if (repeated && nonFinite && Overflows(programs[k], point))
                            {
                                Interlocked.Increment(ref overflowed);
                                break;
                            }
                            if (repeated)
                                throw new Exception("Gradient mismatch for program F" + k + " at (" + string.Join(", ", point) + "): " + failure
                                    + "\nand nearby at (" + string.Join(", ", nearby) + "): " + again + "\n\n" + programs[k].Method("F" + k));
                            Interlocked.Increment(ref unrepeated);
                            break;
                    }
                }
                Interlocked.Increment(ref checkedPrograms);
            }
        }, iter: Compilations); // one compilation per core at a time
        _output.WriteLine($"{checkedPrograms} programs, {checkedPoints} points checked, {skippedPoints} skipped (non-finite or discontinuous within the step), {unrepeated} mismatches not repeated nearby, {overflowed} non-finite gradients where a helper overflowed");
        // At most 4 per 2000 programs.
        Assert.True(unrepeated <= 4 * Math.Max(1, Compilations / 20), unrepeated + " mismatches that a point nearby did not repeat: too many to be degenerate points");
        Assert.Equal(ProgramsPerCompilation * Compilations, checkedPrograms);
        Assert.True(checkedPoints > checkedPrograms, "Too few points were checked: " + checkedPoints);
    }

    /// <summary>
    /// The oracle that excuses a NaN gradient tells an overflow from none: <c>Math.Atan</c> of a value squared to ∞ is
    /// flat, and reverse mode's 0 · ∞ is NaN there (as in PyTorch); the same program with a bounded loop is not excused.
    /// </summary>
    [Fact]
    public void Overflows_SeesAHelperOverflow_AndOnlyThat()
    {
        static RandomProgram Program(int passes) => new("double p0, double p1, double p2",
            "Span<double> b = stackalloc double[3];\n        for (int i = 0; i < " + passes + "; i++) b[0] = Helpers.Square(b[0] + p0 + 2);\n        return Math.Atan(b[0]) + p1 * p2;");
        double[] point = { 0.4, -0.3, 0.8 };
        Assert.True(Overflows(Program(12), point));
        Assert.False(Overflows(Program(2), point));
        var type = GeneratorHarness.CompileAndLoad(RandomPrograms.Class(new[] { Program(12) })).GetType("Programs")!;
        Assert.False(CheckPoint(type.GetMethod("F0")!, type.GetMethod("F0Gradient")!, point, out string? failure, out bool nonFinite));
        Assert.True(nonFinite, failure);
    }

    /// <summary>True when the gradient matches; null when the point is unusable (non-finite, or a jump within the step).</summary>
    internal static bool? CheckPoint(MethodInfo function, MethodInfo gradient, double[] point, out string? failure) =>
        CheckPoint(function, gradient, point, out failure, out _);

    /// <inheritdoc cref="CheckPoint(MethodInfo, MethodInfo, double[], out string?)"/>
    /// <param name="nonFinite">The mismatch is a NaN or infinite gradient entry where the difference is finite.</param>
    internal static bool? CheckPoint(MethodInfo function, MethodInfo gradient, double[] point, out string? failure, out bool nonFinite)
    {
        failure = null;
        nonFinite = false;
        double Evaluate(double[] p) => (double)function.Invoke(null, new object[] { p[0], p[1], p[2] })!;
        // What the programs log for their side effect (issue 16): the gradient must log what the method logs, once.
        var log = (System.Collections.Generic.List<double>)function.DeclaringType!.Assembly.GetType("Helpers")!.GetProperty("Log")!.GetValue(null)!;
        log.Clear();
        var arguments = new object[] { point[0], point[1], point[2], 0.0, 0.0, 0.0 };
        double value = (double)gradient.Invoke(null, arguments)!;
        var logged = log.ToArray();
        log.Clear();
        double forward = Evaluate(point);
        var expected = log.ToArray();
        if (!double.IsFinite(forward) || Math.Abs(forward) > 1e6) return null;
        if (value != forward)
        {
            failure = $"the gradient method returned {value}, the method {forward}";
            return false;
        }
        if (!logged.SequenceEqual(expected))
        {
            failure = $"the gradient method logged [{string.Join(", ", logged)}], the method [{string.Join(", ", expected)}]";
            return false;
        }
        for (int i = 0; i < 3; i++)
        {
            double analytic = (double)arguments[3 + i];
            var (coarse, coarseGap) = Central(Evaluate, point, forward, i, 1e-5);
            var (fine, fineGap) = Central(Evaluate, point, forward, i, 1e-6);
            // Rounding error of a central difference is about 1e-16 |f| / h: 1e-6 |f| bounds it with room to spare.
            double tolerance = 1e-6 * Math.Max(1, Math.Abs(forward)) + 1e-4 * Math.Abs(fine);
            if (!double.IsFinite(coarse) || !double.IsFinite(fine) || Math.Abs(coarse - fine) > tolerance) return null;
            // A branch that only the point itself takes (a tie such as 'v0 < p0' where p0 equals v0 up to rounding)
            // leaves both differences smooth but the point off their chord: f(p+h) + f(p-h) - 2 f(p) is then a jump,
            // not the O(h^2 f'') of a smooth function.
            double jump = 1e-6 * Math.Max(1, Math.Abs(forward));
            if (Math.Abs(coarseGap) > jump || Math.Abs(fineGap) > jump) return null;
            if (!(Math.Abs(analytic - fine) <= tolerance))
            {
                failure = $"d/dp{i}: analytic {analytic}, numeric {fine}";
                nonFinite = !double.IsFinite(analytic);
                return false;
            }
        }
        return true;
    }

    /// <summary>
    /// Whether a helper saw a value beyond 1e100 (or not finite) while <paramref name="program"/> ran at
    /// <paramref name="point"/>: its plain C# compiled again with watching helpers (<see cref="RandomPrograms.Watched"/>).
    /// </summary>
    internal static bool Overflows(RandomProgram program, double[] point) => Overflows(RandomPrograms.Watched(program), point, instance: false);

    /// <summary>As <see cref="Overflows(RandomProgram, double[])"/> for watched source; <paramref name="instance"/>: F0 is a method of a new <c>Programs</c>.</summary>
    internal static bool Overflows(string watched, double[] point, bool instance)
    {
        var compilation = GeneratorHarness.Compilation(watched);
        using var stream = new System.IO.MemoryStream();
        var emit = compilation.Emit(stream);
        Assert.True(emit.Success, string.Join("\n", emit.Diagnostics));
        var context = new System.Runtime.Loader.AssemblyLoadContext("watched" + Guid.NewGuid().ToString("N"), isCollectible: true);
        stream.Position = 0;
        var assembly = context.LoadFromStream(stream);
        var helpers = assembly.GetType("Helpers")!;
        var flag = helpers.GetField("Overflowed")!;
        flag.SetValue(null, false);
        var programs = assembly.GetType("Programs")!;
        programs.GetMethod("F0")!.Invoke(instance ? Activator.CreateInstance(programs) : null, new object[] { point[0], point[1], point[2] });
        bool overflowed = (bool)flag.GetValue(null)!;
        context.Unload();
        return overflowed;
    }

    /// <summary>Equal up to <paramref name="tolerance"/>, or the same non-finite value (two modes agreeing on IEEE's NaN).</summary>
    internal static bool Agree(double expected, double actual, double tolerance) => expected.Equals(actual) || Math.Abs(expected - actual) <= tolerance;

    /// <summary>The central difference along coordinate <paramref name="i"/>, and how far the point's own value lies
    /// off the chord through its two neighbours (f(p+h) + f(p-h) - 2 f(p)).</summary>
    internal static (double Slope, double Gap) Central(Func<double[], double> f, double[] point, double value, int i, double step)
    {
        var p = (double[])point.Clone();
        double h = step * Math.Max(1, Math.Abs(p[i]));
        p[i] = point[i] + h;
        double plus = f(p);
        p[i] = point[i] - h;
        double minus = f(p);
        return ((plus - minus) / (2 * h), plus + minus - 2 * value);
    }
}
