using System.Linq;
using Microsoft.CodeAnalysis;
using Xunit;

namespace Backprop.Generator.Tests;

/// <summary>
/// A method's analysis is cached per compilation and reused when it is called. An analysis made as a callee inside a
/// call cycle (the method up the chain lowered for its shape only) must not stand in for the method's own: whichever
/// method the generator reaches first, a caller of a method that cannot be differentiated gets BPG026, never generated
/// code that calls a pullback that does not exist.
/// </summary>
public class CallCycleTests
{
    private const string A = """
        [Differentiable]
        public static double A(double x, int n) { if (n <= 0) return x; object o = x; return B(x, n - 1) + (double)o; }
        """;

    private const string B = """
        [Differentiable]
        public static double B(double x, int n) => n <= 0 ? x : A(x * 0.5, n - 1);
        """;

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void MutualRecursion_WithAnErrorInOne_ReportsTheCallerInEitherOrder(bool aFirst)
    {
        var source = "using Backprop;\nnamespace N;\npublic static partial class M\n{\n" + (aFirst ? A + B : B + A) + "\n}\n";
        var outcome = GeneratorHarness.Run(source);
        // Once, on the declaration of 'o' (not again where it is read).
        Assert.Single(outcome.GeneratorDiagnostics, d => d.Id == "BPG018");
        Assert.Contains(outcome.GeneratorDiagnostics, d => d.Id == "BPG026" && d.GetMessage().Contains("'A'"));
        Assert.Empty(outcome.CompilationDiagnostics.Where(d => d.Severity == DiagnosticSeverity.Error));
        Assert.Empty(outcome.Sources);
    }
}
