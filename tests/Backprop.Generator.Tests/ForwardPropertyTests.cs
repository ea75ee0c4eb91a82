using System;
using System.Linq;
using CsCheck;
using Xunit;
using Xunit.Abstractions;

namespace Backprop.Generator.Tests;

/// <summary>
/// Forward mode on random programs (issue 13): the tangent along a random direction equals the gradient dotted with
/// that direction, through branches, loops, buffers and calls of scalar, span and layer helpers.
/// </summary>
public sealed class ForwardPropertyTests
{
    private readonly ITestOutputHelper _output;

    public ForwardPropertyTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public void RandomPrograms_TangentEqualsGradientDotDirection()
    {
        int checkedPrograms = 0;
        RandomPrograms.Program.Array[60].Sample(programs =>
        {
            // Every method, the helpers included, gets forward mode: the programs' calls go through the helpers' tangents.
            string source = RandomPrograms.Class(programs).Replace("    [Differentiable]\n", "    [Differentiable(Forward = true)]\n", StringComparison.Ordinal);
            var type = GeneratorHarness.CompileAndLoad(source).GetType("Programs")!;
            var random = new Random(programs.Length * 7919 + programs[0].Body.Length);
            for (int k = 0; k < programs.Length; k++)
            {
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
        Assert.True(checkedPrograms > 250, "too few programs checked: " + checkedPrograms);
    }
}
