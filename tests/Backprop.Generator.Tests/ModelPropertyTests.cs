using System;
using System.Linq;
using System.Reflection;
using System.Threading;
using CsCheck;
using Xunit;
using Xunit.Abstractions;

namespace Backprop.Generator.Tests;

/// <summary>
/// Random programs as instance methods of a model class (issue 11) that read its members: a field, an auto-property, an
/// array, a two-dimensional array, a jagged array, a sub-module's and an array of sub-modules' methods. Their gradients, with respect to
/// the parameters and to every member value through <c>dThis</c>, against central finite differences.
/// </summary>
public sealed class ModelPropertyTests
{
    private const int ProgramsPerCompilation = 40;

    private const int Compilations = 3;

    private readonly ITestOutputHelper _output;

    public ModelPropertyTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public void RandomModelMethods_GradientsOfParametersAndMembers_MatchFiniteDifferences()
    {
        int checkedPoints = 0, readingMembers = 0, unrepeated = 0, overflowed = 0;
        RandomPrograms.WithMembers = true;
        try
        {
            RandomPrograms.Program.Array[ProgramsPerCompilation].Sample(programs =>
            {
                var type = GeneratorHarness.CompileAndLoad(RandomPrograms.ModelClass(programs)).GetType("Programs")!;
                var random = new Random(programs.Length * 104729 + programs[0].Body.Length);
                for (int k = 0; k < programs.Length; k++)
                {
                    var function = type.GetMethod("F" + k)!;
                    var gradient = type.GetMethod("F" + k + "Gradient")!;
                    // A program that reads no member gets no dThis.
                    if (gradient.GetParameters().Length == 7) Interlocked.Increment(ref readingMembers);
                    var point = Enumerable.Range(0, 3).Select(_ => random.NextDouble() * 3 - 1.5).ToArray();
                    string? failure = Check(type, function, gradient, point);
                    if (failure is null)
                    {
                        Interlocked.Increment(ref checkedPoints);
                        continue;
                    }
                    if (failure.Length == 0) continue;
                    // As in PropertyTests: a mismatch a point nearby does not repeat is a degenerate point.
                    var nearby = point.Select(x => x + 1e-3 * (random.NextDouble() - 0.5)).ToArray();
                    var again = Check(type, function, gradient, nearby);
                    // As in PropertyTests: a NaN or infinite gradient where a helper overflowed is IEEE's 0 · ∞.
                    if (again is { Length: > 0 } && failure.StartsWith(NonFinite, StringComparison.Ordinal)
                        && PropertyTests.Overflows(RandomPrograms.Watched(RandomPrograms.ModelClass(new[] { programs[k] })), point, instance: true))
                    {
                        Interlocked.Increment(ref overflowed);
                        continue;
                    }
                    if (again is { Length: > 0 })
                        throw new Exception("Gradient mismatch for F" + k + " at (" + string.Join(", ", point) + "): " + failure + "\nnearby: " + again + "\n\n" + programs[k].Method("F" + k, instance: true));
                    Interlocked.Increment(ref unrepeated);
                }
            }, iter: Compilations, threads: 1);
        }
        finally
        {
            RandomPrograms.WithMembers = false;
        }
        _output.WriteLine($"{checkedPoints} points checked, {readingMembers} programs reading members, {unrepeated} mismatches not repeated nearby, {overflowed} non-finite gradients where a helper overflowed");
        Assert.True(readingMembers > ProgramsPerCompilation * Compilations / 2, "Too few programs read members: " + readingMembers);
        Assert.True(checkedPoints > ProgramsPerCompilation * Compilations / 2, "Too few points were checked: " + checkedPoints);
        Assert.True(unrepeated <= 2, unrepeated + " mismatches that a point nearby did not repeat");
    }

    /// <summary>What a mismatch of a NaN or infinite gradient entry starts with.</summary>
    private const string NonFinite = "non-finite: ";

    /// <summary>Null when the gradient matches at <paramref name="point"/>; "" when the point is unusable; else the mismatch.</summary>
    private static string? Check(Type type, MethodInfo function, MethodInfo gradient, double[] point)
    {
        var zero = type.GetMethod("Zero")!;
        var get = type.GetMethod("Get")!;
        var set = type.GetMethod("Set")!;
        var model = Activator.CreateInstance(type)!;
        bool members = gradient.GetParameters().Length == 7;
        var dThis = zero.Invoke(null, null)!;
        var arguments = members ? new object[] { point[0], point[1], point[2], dThis, 0.0, 0.0, 0.0 } : new object[] { point[0], point[1], point[2], 0.0, 0.0, 0.0 };
        double value = (double)gradient.Invoke(model, arguments)!;
        double forward = (double)function.Invoke(model, new object[] { point[0], point[1], point[2] })!;
        if (!double.IsFinite(forward) || Math.Abs(forward) > 1e6) return "";
        if (value != forward) return $"the gradient method returned {value}, the method {forward}";

        // Coordinates 0-2 are the parameters, then the model's member values.
        int count = 3 + RandomPrograms.MemberCount;
        var at = point.Concat(Enumerable.Range(0, RandomPrograms.MemberCount).Select(m => (double)get.Invoke(null, new[] { model, m })!)).ToArray();
        double Evaluate(double[] x)
        {
            var probe = Activator.CreateInstance(type)!;
            for (int m = 0; m < RandomPrograms.MemberCount; m++) set.Invoke(null, new object[] { probe, m, x[3 + m] });
            return (double)function.Invoke(probe, new object[] { x[0], x[1], x[2] })!;
        }
        int offset = members ? 4 : 3;
        for (int i = 0; i < count; i++)
        {
            double analytic = i < 3 ? (double)arguments[offset + i] : members ? (double)get.Invoke(null, new[] { dThis, i - 3 })! : 0;
            var (coarse, coarseGap) = PropertyTests.Central(Evaluate, at, forward, i, 1e-5);
            var (fine, fineGap) = PropertyTests.Central(Evaluate, at, forward, i, 1e-6);
            double tolerance = 1e-6 * Math.Max(1, Math.Abs(forward)) + 1e-4 * Math.Abs(fine);
            double jump = 1e-6 * Math.Max(1, Math.Abs(forward));
            if (!double.IsFinite(coarse) || !double.IsFinite(fine) || Math.Abs(coarse - fine) > tolerance || Math.Abs(coarseGap) > jump || Math.Abs(fineGap) > jump) return "";
            if (!(Math.Abs(analytic - fine) <= tolerance)) return (double.IsFinite(analytic) ? "" : NonFinite) + $"d/d{(i < 3 ? "p" + i : "member " + (i - 3))}: analytic {analytic}, numeric {fine}";
        }
        return null;
    }
}
