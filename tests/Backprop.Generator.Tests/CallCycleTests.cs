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
        public static double A(double x, int n) { if (n <= 0) return x; object o = x; if (o is string s) return s.Length; return B(x, n - 1); }
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
        // Once, on the pattern test that declares 's' (not again where 's' is read).
        Assert.Single(outcome.GeneratorDiagnostics, d => d.Id == "BPG014");
        Assert.Contains(outcome.GeneratorDiagnostics, d => d.Id == "BPG026" && d.GetMessage().Contains("'A'"));
        Assert.Empty(outcome.CompilationDiagnostics.Where(d => d.Severity == DiagnosticSeverity.Error));
        Assert.Empty(outcome.Sources);
    }

    /// <summary>
    /// Not a cycle: a caller, reached first, calls a layer twice, and the layer calls another. The second call must get
    /// the layer's own analysis (it was taken for a cycle, the layer lowered without its callee, so writing nothing: the
    /// caller's gradient was zero, with BPG016 as the only sign).
    /// </summary>
    [Fact]
    public void CalleeCalledTwice_AnalysedFirstAsACallee_IsNotTakenForACycle()
    {
        const string source = """
            using System;
            using Backprop;
            public static partial class M
            {
                [Differentiable]
                public static double Caller(double a, double b)
                {
                    Span<double> x = stackalloc double[2];
                    Span<double> z = stackalloc double[2];
                    Span<double> y = stackalloc double[2];
                    x[0] = a;
                    x[1] = b;
                    Outer(x, z);
                    Outer(z, y);
                    return y[0] + y[1];
                }

                [Differentiable]
                public static void Outer(ReadOnlySpan<double> x, Span<double> y) => Inner(x, y);

                [Differentiable]
                public static void Inner(ReadOnlySpan<double> x, Span<double> y)
                {
                    for (int j = 0; j < y.Length; j++) y[j] = Math.Tanh(x[j] * (j + 1));
                }
            }
            """;
        Assert.Empty(GeneratorHarness.Run(source).GeneratorDiagnostics);
        var type = GeneratorHarness.CompileAndLoad(source).GetType("M")!;
        double F(double a, double b) => (double)type.GetMethod("Caller")!.Invoke(null, new object[] { a, b })!;
        var arguments = new object[] { 0.3, -0.7, 0.0, 0.0 };
        type.GetMethod("CallerGradient")!.Invoke(null, arguments);
        const double h = 1e-6;
        Assert.Equal((F(0.3 + h, -0.7) - F(0.3 - h, -0.7)) / (2 * h), (double)arguments[2], 6);
        Assert.Equal((F(0.3, -0.7 + h) - F(0.3, -0.7 - h)) / (2 * h), (double)arguments[3], 6);
    }
}
