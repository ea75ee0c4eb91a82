using System;
using System.Linq;
using CsCheck;
using Xunit;
using Xunit.Abstractions;

namespace Backprop.Generator.Tests;

/// <summary>
/// Forward mode on random programs (issue 13): the tangent along a random direction equals the gradient dotted with
/// that direction, through branches, loops, buffers and calls of scalar, span and layer helpers: helpers with forward mode
/// of their own (called through their tangents), and helpers without it, marked or not (inlined).
/// </summary>
public sealed class ForwardPropertyTests
{
    private readonly ITestOutputHelper _output;

    public ForwardPropertyTests(ITestOutputHelper output) => _output = output;

    /// <summary>How the helpers the random programs call are marked.</summary>
    public enum HelperMarks
    {
        /// <summary><c>[Differentiable(Forward = true)]</c>: the programs' calls go through the helpers' tangents.</summary>
        Forward,

        /// <summary><c>[Differentiable]</c>: the helpers have no forward mode; the programs' forward mode inlines them.</summary>
        ReverseOnly,

        /// <summary>Not marked: differentiated for their callers, inlined into the programs' forward mode.</summary>
        Unmarked,
    }

    [Fact]
    public void RandomPrograms_TangentEqualsGradientDotDirection() => Check(HelperMarks.Forward);

    [Fact]
    public void RandomProgramsCallingHelpersWithoutForwardMode_TangentEqualsGradientDotDirection() => Check(HelperMarks.ReverseOnly);

    [Fact]
    public void RandomProgramsCallingUnmarkedHelpers_TangentEqualsGradientDotDirection() => Check(HelperMarks.Unmarked);

    /// <param name="marks">How the helpers are marked; for any but <see cref="HelperMarks.Forward"/>, only the programs that call one are counted.</param>
    private void Check(HelperMarks marks)
    {
        int checkedPrograms = 0;
        RandomPrograms.Program.Array[60].Sample(programs =>
        {
            // The programs get forward mode; the helpers (the class before the struct P2) as asked.
            string source = RandomPrograms.Class(programs);
            int programsStart = source.IndexOf("public struct P2", StringComparison.Ordinal);
            string helpers = source.Substring(0, programsStart), rest = source.Substring(programsStart);
            helpers = marks switch
            {
                HelperMarks.Forward => helpers.Replace("    [Differentiable]\n", "    [Differentiable(Forward = true)]\n", StringComparison.Ordinal),
                HelperMarks.Unmarked => helpers.Replace("    [Differentiable]\n", "", StringComparison.Ordinal),
                _ => helpers,
            };
            source = helpers + rest.Replace("    [Differentiable]\n", "    [Differentiable(Forward = true)]\n", StringComparison.Ordinal);
            var type = GeneratorHarness.CompileAndLoad(source).GetType("Programs")!;
            var random = new Random(programs.Length * 7919 + programs[0].Body.Length);
            for (int k = 0; k < programs.Length; k++)
            {
                if (marks != HelperMarks.Forward && !programs[k].Body.Contains("Helpers.", StringComparison.Ordinal)) continue;
                var point = new[] { random.NextDouble() * 3 - 1.5, random.NextDouble() * 3 - 1.5, random.NextDouble() * 3 - 1.5 };
                var direction = new[] { random.NextDouble() - 0.5, random.NextDouble() - 0.5, random.NextDouble() - 0.5 };
                var gradientArguments = new object[] { point[0], point[1], point[2], 0.0, 0.0, 0.0 };
                double value = (double)type.GetMethod("F" + k + "Gradient")!.Invoke(null, gradientArguments)!;
                var tangentArguments = new object[] { point[0], point[1], point[2], direction[0], direction[1], direction[2], 0.0 };
                double tangentValue = (double)type.GetMethod("F" + k + "Tangent")!.Invoke(null, tangentArguments)!;
                if (!double.IsFinite(value) || Math.Abs(value) > 1e6) continue;
                Assert.Equal(value, tangentValue);
                double expected = 0;
                for (int i = 0; i < 3; i++) expected += (double)gradientArguments[3 + i] * direction[i];
                double tangent = (double)tangentArguments[6];
                Assert.True(Math.Abs(expected - tangent) <= 1e-9 * Math.Max(1, Math.Abs(expected)),
                    $"F{k} at ({string.Join(", ", point)}) along ({string.Join(", ", direction)}): tangent {tangent}, gradient . direction {expected}\n\n{programs[k].Method("F" + k)}");
                checkedPrograms++;
            }
        // A random seed per run (CsCheck prints it on failure; -e CsCheck_Seed=<seed> reproduces).
        }, iter: 5, threads: 1, seed: Environment.GetEnvironmentVariable("CsCheck_Seed"));
        _output.WriteLine(checkedPrograms + " programs checked");
        Assert.True(checkedPrograms > (marks == HelperMarks.Forward ? 250 : 150), "too few programs checked: " + checkedPrograms);
    }
}
