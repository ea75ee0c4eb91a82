using System;
using System.Linq;
using Xunit;

namespace Backprop.Generator.Tests;

/// <summary>
/// Found by an adversarial review of model classes and custom rules: each silent constant, wrong dispatch or
/// uncompilable output is now a located error or compiles cleanly.
/// </summary>
public sealed class ReviewRegressionTests
{
    private const string Usings = "using System;\nusing Backprop;\n\n";

    private static string[] Ids(string source)
    {
        var outcome = GeneratorHarness.Run(Usings + source);
        Assert.Empty(outcome.CompilationDiagnostics.Where(d => d.Location.SourceTree?.FilePath.Contains("Backprop.Generator") == true));
        return outcome.GeneratorDiagnostics.Select(d => d.Id).OrderBy(id => id, StringComparer.Ordinal).ToArray();
    }

    [Fact]
    public void MembersOfTypesNotDifferentiatedYet_AreLocatedErrors_NeverConstants() => Assert.Equal(new[] { "BPG014" }, Ids("""
        public struct Pt { public double X; }

        public partial class Net
        {
            public Pt[] Ps = { new() { X = 1 } };
            public (double, double) T = (5, 6);
            public System.Numerics.Vector2 V = new(7, 8);
            public Pt P = new() { X = 9 };
            [NoDerivative] public Pt Data = new() { X = 1 };

            [Differentiable] public double L2(double x) => Ps[0].X * x;
            [Differentiable] public double L4(double x) => T.Item1 * x;
            [Differentiable] public double L5(double x) => V.X * x;
            [Differentiable] public double L7(double x) => P.X * x + Data.X;
        }
        """));

    private const string FrozenLin = """
        public partial class Lin
        {
            public double W = 0.5;
            [Differentiable] public double Apply(double x) => W * x;
        }

        """;

    /// <summary>Issue 11: a call on a [NoDerivative] sub-module runs its frozen variant (it was BPG014); the output compiles.</summary>
    [Fact]
    public void CallOnANoDerivativeSubModule_ThatDifferentiatesItsMembers_RunsItsFrozenVariant() => Assert.Empty(Ids(FrozenLin + """
        public partial class Net
        {
            [NoDerivative] public Lin Frozen = new();
            [NoDerivative] public Lin[] FrozenList = { new() };
            public Lin Trained = new();
            [Differentiable] public double Loss(double x) => Trained.Apply(Frozen.Apply(x)) + FrozenList[0].Apply(x) + Frozen.W * x;

            [Differentiable]
            public double Chain(double x)
            {
                foreach (var lin in FrozenList) x = lin.Apply(x);
                return Trained.Apply(x);
            }

            [Differentiable] public double OnData([NoDerivative] double x) => Trained.Apply(Frozen.Apply(x));
        }
        """));

    /// <summary>A member in the way of the frozen variant's names: a located error at the call, never member gradients.</summary>
    [Fact]
    public void FrozenVariantNameTaken_IsALocatedErrorAtTheCall()
    {
        string source = Usings + """
            public partial class Lin
            {
                public double W = 0.5;
                public double ApplyFrozenPullback;
                [Differentiable] public double Apply(double x) => W * x;
            }

            public partial class Net
            {
                [NoDerivative] public Lin Frozen = new();
                [Differentiable] public double Loss(double x) => Frozen.Apply(x);
            }
            """;
        var diagnostic = Assert.Single(GeneratorHarness.Run(source).GeneratorDiagnostics);
        Assert.Equal("BPG014", diagnostic.Id);
        Assert.Equal("Frozen.Apply(x)", source.Substring(diagnostic.Location.SourceSpan.Start, diagnostic.Location.SourceSpan.Length));
        Assert.Contains("on the frozen ([NoDerivative]) sub-module 'Frozen', whose frozen variant", diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Contains("'ApplyFrozenPullback'", diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>Forward mode and second derivatives do not follow a frozen call: a located error at the attribute, naming it.</summary>
    [Theory]
    [InlineData("Forward", "BPG035", "forward mode follows static calls only")]
    [InlineData("Hessian", "BPG032", "second derivatives follow static calls only")]
    public void ForwardModeOrHessian_ThroughAFrozenSubModule_IsALocatedError(string mode, string id, string why)
    {
        string source = Usings + FrozenLin + """
            public partial class Net
            {
                [NoDerivative] public Lin Frozen = new();
                [Differentiable(MODE = true)] public double Loss(double x) => Frozen.Apply(x);
            }
            """.Replace("MODE", mode);
        var diagnostic = Assert.Single(GeneratorHarness.Run(source).GeneratorDiagnostics);
        Assert.Equal(id, diagnostic.Id);
        Assert.Equal("Differentiable(" + mode + " = true)", source.Substring(diagnostic.Location.SourceSpan.Start, diagnostic.Location.SourceSpan.Length));
        string message = diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture);
        Assert.Contains("it calls 'Apply' on a frozen ([NoDerivative]) sub-module, and " + why, message);
    }

    [Fact]
    public void VirtualAndOverrideMethods_AreLocatedErrors() => Assert.Equal(new[] { "BPG015", "BPG015" }, Ids("""
        public partial class PBase { public double C = 2; [Differentiable] public virtual double V(double x) => C * x; }
        public partial class Derived : PBase { public double B = 1.5; [Differentiable] public override double V(double x) => B * x * x; }
        """));

    [Fact]
    public void WritesIntoMemberArrays_AreBPG023_ByElementAndByLayer() => Assert.Equal(new[] { "BPG023", "BPG023" }, Ids("""
        public partial class Net
        {
            public double[] W = { 0.5, 1.5 };

            [Differentiable] public static void Fill(double x, Span<double> y) { for (int i = 0; i < y.Length; i++) y[i] = x; }

            [Differentiable] public double L1(double x) { double a = W[0]; W[0] = x * W[1]; return a * W[0]; }
            [Differentiable] public double L2(double x) { Fill(x, W); return W[0]; }
        }
        """));

    [Fact]
    public void TwoRulesForOneMethod_AndAnInaccessibleRule_AreLocatedErrors() => Assert.Equal(new[] { "BPG014", "BPG014" }, Ids("""
        public static class Sp { public static double H(double x) => x; public static double G(double x) => x; }
        public static class R
        {
            [DerivativeOf(typeof(Sp), nameof(Sp.H))] public static void R1(double x, double result, double dResult, ref double dX) { dX += dResult; }
            [DerivativeOf(typeof(Sp), nameof(Sp.H))] public static void R2(double x, double result, double dResult, ref double dX) { dX += 2 * dResult; }
            [DerivativeOf(typeof(Sp), nameof(Sp.G))] private static void GR(double x, double result, double dResult, ref double dX) { dX += dResult; }
        }
        public static partial class M
        {
            [Differentiable] public static double L(double a) => Sp.H(a);
            [Differentiable] public static double L2(double a) => Sp.G(a);
        }
        """));

    [Fact]
    public void JacobianOfAMemberMethod_InitOnlyMembers_AreLocatedErrors() => Assert.Equal(new[] { "BPG014", "BPG015" }, Ids("""
        public partial class Net2 { public double W = 3; [Differentiable(Jacobian = true)] public double J(double x) => x * W; }
        public partial record R { public double Z { get; init; } = 1; [Differentiable] public double L(double x) => Z * x; }
        """));

    [Fact]
    public void NullableSubModules_CompileWithoutWarnings() => Assert.Empty(Ids("""
        public partial class Lin { public double[] W = { 1, 2 }; public double Gain = 2; [Differentiable] public double F(double x) => W[0] * x + W[1]; }
        public partial class Net
        {
            public Lin? A = new();
            [Differentiable] public double Loss(double x) => A!.F(x) + A.W[0] * A.Gain;
        }
        """));
}
