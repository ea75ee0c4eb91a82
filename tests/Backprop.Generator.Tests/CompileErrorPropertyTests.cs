using System;
using System.Linq;
using CsCheck;
using Microsoft.CodeAnalysis;
using Xunit;

namespace Backprop.Generator.Tests;

/// <summary>
/// Issue 16's contract on random programs: a method with a compile error of its own (a misspelt name, a method that does
/// not exist, a value of the wrong type, an unassigned local) gets the compiler's errors only — no diagnostic of the
/// generator, no error in generated code — while its correct neighbours are differentiated as usual. It also checks
/// the cheap screen of <c>Lowering/CompileErrors</c>, which asks the compiler only about suspected methods.
/// </summary>
public sealed class CompileErrorPropertyTests
{
    private static readonly string[] Errors =
    {
        "double probe = p0 * wieght;",            // CS0103, a typo
        "double probe = Math.Sine(p1);",          // CS0117
        "double probe = \"p2\";",                  // CS0029
        "double probe; p0 = probe * p0;",         // CS0165, seen by flow analysis alone
    };

    [Fact]
    public void RandomProgramsWithACompileError_GetTheCompilersErrorsOnly()
    {
        int broken = 0;
        RandomPrograms.Program.Array[12].Sample(programs =>
        {
            // Every third program gets one of the errors at the top of its body.
            var methods = programs.Select((p, k) => k % 3 == 0
                ? p.Method("F" + k).Replace("    {\n        ", "    {\n        " + Errors[k / 3 % Errors.Length] + "\n        ", StringComparison.Ordinal)
                : p.Method("F" + k)).ToList();
            string source = RandomPrograms.Class(programs);
            int start = source.IndexOf("public static partial class Programs", StringComparison.Ordinal);
            source = source.Substring(0, start) + "public static partial class Programs\n{\n" + string.Join("\n", methods) + "}\n";
            var outcome = GeneratorHarness.Run(source);
            Assert.Empty(outcome.GeneratorDiagnostics.Where(d => d.Severity == DiagnosticSeverity.Error));
            var errors = outcome.CompilationDiagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
            Assert.All(errors, e => Assert.DoesNotContain(".g.cs", e.Location.SourceTree?.FilePath ?? "", StringComparison.Ordinal));
            for (int k = 0; k < programs.Length; k++)
            {
                bool hasError = k % 3 == 0;
                bool generated = outcome.Sources.Any(s => s.HintName == "Programs.F" + k + ".g.cs");
                // The flow-analysis error is not screened: its derivative is generated and compiles (no error above).
                if (hasError && Errors[k / 3 % Errors.Length].Contains("probe;", StringComparison.Ordinal)) continue;
                if (hasError)
                {
                    Assert.False(generated, "F" + k + " has a compile error, yet its derivative was generated");
                    broken++;
                }
            }
        }, iter: 3, threads: 1, seed: Environment.GetEnvironmentVariable("CsCheck_Seed"));
        Assert.True(broken >= 9, "too few broken programs checked: " + broken);
    }
}
