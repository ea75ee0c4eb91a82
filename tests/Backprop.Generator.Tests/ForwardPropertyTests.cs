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

    /// <summary>
    /// Vector mode on random programs: a tall layer per program (rows F(x, y, z), F(y, z, x), F(z, x, y) and x·y·z, so
    /// 4 outputs against 3 columns) takes its Jacobian's forward sweeps in vector mode over the program inlined; each row
    /// must equal the gradient of its call, permuted back.
    /// </summary>
    [Fact]
    public void RandomPrograms_VectorModeJacobianRowsEqualGradients()
    {
        int checkedPrograms = 0, vectorMode = 0;
        RandomPrograms.Program.Array[30].Sample(programs =>
        {
            var layers = new System.Text.StringBuilder("\npublic static partial class Layers\n{\n");
            for (int k = 0; k < programs.Length; k++)
                layers.Append("    [Differentiable(Jacobian = true)]\n    public static void L" + k + "(double x, double y, double z, Span<double> o)\n    {\n" +
                    "        o[0] = Programs.F" + k + "(x, y, z);\n        o[1] = Programs.F" + k + "(y, z, x);\n        o[2] = Programs.F" + k + "(z, x, y);\n        o[3] = x * y * z;\n    }\n\n");
            var assembly = GeneratorHarness.CompileAndLoad(RandomPrograms.Class(programs) + layers.Append("}\n"));
            Type type = assembly.GetType("Programs")!, layer = assembly.GetType("Layers")!;
            var random = new Random(programs.Length * 104729 + programs[0].Body.Length);
            for (int k = 0; k < programs.Length; k++)
            {
                var p = new[] { random.NextDouble() * 3 - 1.5, random.NextDouble() * 3 - 1.5, random.NextDouble() * 3 - 1.5 };
                double[] outputs = new double[4], jacobian = new double[12];
                var jacobianMethod = layer.GetMethod("L" + k + "Jacobian")!;
                // Spans cannot be boxed: call through a delegate of the generated signature.
                var call = jacobianMethod.CreateDelegate<JacobianOfThree>();
                call(p[0], p[1], p[2], outputs, jacobian);
                if (outputs.Any(v => !double.IsFinite(v) || Math.Abs(v) > 1e6)) continue;
                bool lanes = layer.GetMethod("L" + k + "JacobianLanes", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static) is not null;
                for (int row = 0; row < 3; row++)
                {
                    // Row r calls F at p rotated by r: argument a is p[(a + r) % 3].
                    var arguments = new object[] { p[row % 3], p[(1 + row) % 3], p[(2 + row) % 3], 0.0, 0.0, 0.0 };
                    double value = (double)type.GetMethod("F" + k + "Gradient")!.Invoke(null, arguments)!;
                    Assert.Equal(value, outputs[row]);
                    for (int a = 0; a < 3; a++)
                    {
                        double expected = (double)arguments[3 + a], actual = jacobian[row * 3 + (a + row) % 3];
                        Assert.True(PropertyTests.Agree(expected, actual, 1e-9 * Math.Max(1, Math.Abs(expected))),
                            $"L{k} (vector mode: {lanes}) at ({string.Join(", ", p)}), row {row}, column {(a + row) % 3}: Jacobian {actual}, gradient {expected}\n\n{programs[k].Method("F" + k)}");
                    }
                }
                checkedPrograms++;
                if (lanes) vectorMode++;
            }
        }, iter: 3, threads: 1, seed: Environment.GetEnvironmentVariable("CsCheck_Seed"));
        _output.WriteLine(checkedPrograms + " programs checked, " + vectorMode + " in vector mode");
        Assert.True(vectorMode > 40, "too few programs in vector mode: " + vectorMode + " of " + checkedPrograms);
    }

    private delegate void JacobianOfThree(double x, double y, double z, Span<double> o, Span<double> jacobian);

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
                Assert.True(PropertyTests.Agree(expected, tangent, 1e-9 * Math.Max(1, Math.Abs(expected))),
                    $"F{k} at ({string.Join(", ", point)}) along ({string.Join(", ", direction)}): tangent {tangent}, gradient . direction {expected}\n\n{programs[k].Method("F" + k)}");
                checkedPrograms++;
            }
        // A random seed per run (CsCheck prints it on failure; -e CsCheck_Seed=<seed> reproduces).
        }, iter: 5, threads: 1, seed: Environment.GetEnvironmentVariable("CsCheck_Seed"));
        _output.WriteLine(checkedPrograms + " programs checked");
        Assert.True(checkedPrograms > (marks == HelperMarks.Forward ? 250 : 150), "too few programs checked: " + checkedPrograms);
    }
}
