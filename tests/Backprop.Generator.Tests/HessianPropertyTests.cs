using System;
using CsCheck;
using Xunit;
using Xunit.Abstractions;

namespace Backprop.Generator.Tests;

/// <summary>
/// Second derivatives on random programs (issue 13): <c>MHessianVectorProduct</c>'s <c>H·v</c> equals the central
/// difference of <c>MGradient</c> along <c>v</c>, and its gradient equals <c>MGradient</c>'s, through branches, loops,
/// switches, local buffers, ref locals and constants, and through calls of helpers (scalar helpers, helpers over spans and
/// slices, layers writing into local buffers and slices of them), whose bodies the generator inlines. Points where the
/// gradient jumps within the stencil (a branch flips) are skipped, detected by a difference over twice the step that disagrees.
/// </summary>
public sealed class HessianPropertyTests
{
    private readonly ITestOutputHelper _output;

    public HessianPropertyTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public void RandomPrograms_HessianVectorProductEqualsTheDifferenceOfTheGradient() => Check(withCalls: false);

    [Fact]
    public void RandomProgramsWithCalls_HessianVectorProductEqualsTheDifferenceOfTheGradient() => Check(withCalls: true);

    /// <param name="withCalls">Programs may call the helpers of <see cref="RandomPrograms.Class"/>; only those that do are counted.</param>
    private void Check(bool withCalls)
    {
        int checkedPrograms = 0;
        RandomPrograms.WithoutCalls = !withCalls;
        try
        {
        RandomPrograms.Program.Array[40].Sample(batch =>
        {
            var source = new System.Text.StringBuilder(RandomPrograms.Class(Array.Empty<RandomProgram>()).TrimEnd().TrimEnd('}'));
            for (int k = 0; k < batch.Length; k++)
                source.Append(batch[k].Method("F" + k).Replace("[Differentiable]", "[Differentiable(Hessian = true)]", StringComparison.Ordinal)).Append('\n');
            var type = GeneratorHarness.CompileAndLoad(source.Append("}\n").ToString()).GetType("Programs")!;
            var random = new Random(batch.Length * 7919 + batch[0].Body.Length);
            for (int k = 0; k < batch.Length; k++)
            {
                if (withCalls && !batch[k].Body.Contains("Helpers.", StringComparison.Ordinal)) continue;
                var point = new[] { random.NextDouble() * 3 - 1.5, random.NextDouble() * 3 - 1.5, random.NextDouble() * 3 - 1.5 };
                var direction = new[] { random.NextDouble() - 0.5, random.NextDouble() - 0.5, random.NextDouble() - 0.5 };
                double[] Gradient(double step)
                {
                    var arguments = new object[] { point[0] + step * direction[0], point[1] + step * direction[1], point[2] + step * direction[2], 0.0, 0.0, 0.0 };
                    type.GetMethod("F" + k + "Gradient")!.Invoke(null, arguments);
                    return new[] { (double)arguments[3], (double)arguments[4], (double)arguments[5] };
                }
                var hvp = new object[] { point[0], point[1], point[2], direction[0], direction[1], direction[2], 0.0, 0.0, 0.0, 0.0, 0.0, 0.0 };
                double value = (double)type.GetMethod("F" + k + "HessianVectorProduct")!.Invoke(null, hvp)!;
                if (!double.IsFinite(value) || Math.Abs(value) > 1e6) continue;
                var gradient = Gradient(0);
                const double h = 1e-5;
                double[] up = Gradient(h), down = Gradient(-h), up2 = Gradient(2 * h), down2 = Gradient(-2 * h);
                bool smooth = true;
                for (int i = 0; i < 3; i++)
                {
                    // The gradient comes from the directional method's reverse sweep (∂g/∂v): equal up to rounding.
                    Assert.True(PropertyTests.Agree(gradient[i], (double)hvp[6 + i], 1e-9 * Math.Max(1, Math.Abs(gradient[i]))), $"F{k}: gradient {(double)hvp[6 + i]}, MGradient {gradient[i]}");
                    double numeric = (up[i] - down[i]) / (2 * h), wide = (up2[i] - down2[i]) / (4 * h);
                    if (!double.IsFinite(numeric) || Math.Abs(numeric - wide) > 1e-4 * Math.Max(1, Math.Abs(numeric))) smooth = false;
                }
                if (!smooth) continue;
                for (int i = 0; i < 3; i++)
                {
                    double numeric = (up[i] - down[i]) / (2 * h), actual = (double)hvp[9 + i];
                    Assert.True(Math.Abs(numeric - actual) <= 1e-5 * Math.Max(1, Math.Abs(numeric)),
                        $"F{k} at ({string.Join(", ", point)}) along ({string.Join(", ", direction)}): (H·v)[{i}] = {actual}, difference of the gradient {numeric}\n\n{batch[k].Method("F" + k)}");
                }
                checkedPrograms++;
            }
        }, iter: 4, threads: 1, seed: Environment.GetEnvironmentVariable("CsCheck_Seed"));
        }
        finally
        {
            RandomPrograms.WithoutCalls = false;
        }
        _output.WriteLine(checkedPrograms + " programs checked");
        Assert.True(checkedPrograms > (withCalls ? 50 : 80), "too few programs checked: " + checkedPrograms);
    }
}
