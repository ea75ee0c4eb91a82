using System.Globalization;
using System.Linq;
using Xunit;

namespace Backprop.Generator.Tests;

/// <summary>What struct values and inlined helpers cannot do yet is a located error in the user's words, reported once.</summary>
public sealed class StructDiagnosticTests
{
    private const string Prelude = """
        using System;
        using Backprop;

        public struct Vec2
        {
            public double X, Y;
            public Vec2(double x, double y) { X = x; Y = y; }
        }

        """;

    private static (string Id, string Located, string Message)[] Diagnostics(string source)
    {
        var text = Prelude + source;
        var outcome = GeneratorHarness.Run(text);
        Assert.Empty(outcome.CompilationDiagnostics.Where(d => d.Location.SourceTree?.FilePath.Contains("Backprop.Generator") == true));
        return outcome.GeneratorDiagnostics
            .Select(d => (d.Id, text.Substring(d.Location.SourceSpan.Start, d.Location.SourceSpan.Length), d.GetMessage(CultureInfo.InvariantCulture)))
            .ToArray();
    }

    [Fact]
    public void InlinedHelperWithStatements_InsideAConditionalArm_IsReportedAtTheCall_WithAFixThatWorks()
    {
        const string helper = """
            public static partial class Model
            {
                static Vec2 ClampLength(Vec2 v, double max)
                {
                    double length = Math.Sqrt(v.X * v.X + v.Y * v.Y);
                    if (length <= max) return v;
                    double s = max / length;
                    return new Vec2(v.X * s, v.Y * s);
                }

            """;
        var d = Assert.Single(Diagnostics(helper + """
                [Differentiable]
                public static double Loss(double x, double y) => x > 0 ? ClampLength(new Vec2(x, y), 1).X : y;
            }
            """));
        Assert.Equal(("BPG014", "ClampLength(new Vec2(x, y), 1)"), (d.Id, d.Located));
        Assert.Contains("inside ?:, && or ||", d.Message);

        // The advice applied: the call in a statement of its own, inside an if statement (early returns inlined too).
        Assert.Empty(Diagnostics(helper + """
                [Differentiable]
                public static double Loss(double x, double y)
                {
                    if (x > 0)
                    {
                        var clamped = ClampLength(new Vec2(x, y), 1);
                        return clamped.X;
                    }
                    return y;
                }
            }
            """));
    }

    [Fact]
    public void RefArgumentThatIsNotAVariable_IsReportedOnTheArgument()
    {
        var d = Assert.Single(Diagnostics("""
            public static partial class Model
            {
                static void Bump(ref double total, double v) => total += v * v;

                [Differentiable]
                public static double Loss(double x)
                {
                    double y = x;
                    Bump(ref Math.Abs(y) > 1 ? ref y : ref y, x);
                    return y;
                }
            }
            """));
        Assert.Equal("BPG014", d.Id);
        Assert.Contains("pass a local variable", d.Message);
    }

    [Fact]
    public void ArrayOfStructsUsedAsAWhole_IsLocated_AndAMemberOfAReportedLocal_IsNotReportedAgain()
    {
        var ids = Diagnostics("""
            public static partial class Model
            {
                [Differentiable]
                public static double Loss(Vec2[] points, double w)
                {
                    Vec2[] copy = points;
                    return w * copy.Length;
                }
            }
            """).Select(d => d.Id).OrderBy(id => id).ToArray();
        Assert.Equal(new[] { "BPG018" }, ids);

        var whole = Assert.Single(Diagnostics("""
            public static partial class Model
            {
                static double Sum(Vec2[] points) => points[0].X;

                [Differentiable]
                public static double Loss(Vec2[] points, double w) => w * Sum(points);
            }
            """));
        Assert.Equal(("BPG014", "points"), (whole.Id, whole.Located));
        Assert.Contains("used as a whole", whole.Message);
    }

    [Fact]
    public void StructParameterWithHessian_IsSupported()
    {
        Assert.Empty(Diagnostics("""
            public static partial class Model
            {
                [Differentiable(Hessian = true)]
                public static double Loss(Vec2 p, double w) => w * p.X * p.Y;
            }
            """));
    }

    [Fact]
    public void InlinedHelperOfAnotherType_ReadingItsPrivateStatics_IsLocated_AndTheAdviceBuilds()
    {
        const string model = """
            public static partial class Model
            {
                [Differentiable]
                public static double Loss(double x, double w) => w * Geo.Weighted(new Vec2(x, w));
            }
            """;
        var diagnostics = Diagnostics("""
            public static class Geo
            {
                private static readonly double[] Weights = { 0.5, 2.0 };
                private static double Bias = 0.25;
                public static double Weighted(Vec2 v) => Weights[0] * v.X + Weights[1] * v.Y + Bias;
            }
            """ + model);
        Assert.Equal(new[] { ("BPG014", "Weights"), ("BPG014", "Weights"), ("BPG014", "Bias") }, diagnostics.Select(d => (d.Id, d.Located)));
        Assert.Contains("make 'Bias' internal", diagnostics[2].Message);
        Assert.Empty(Diagnostics("""
            public static class Geo
            {
                internal static readonly double[] Weights = { 0.5, 2.0 };
                internal static double Bias = 0.25;
                public static double Weighted(Vec2 v) => Weights[0] * v.X + Weights[1] * v.Y + Bias;
            }
            """ + model));
    }

    [Fact]
    public void ActiveStructPassedToAMethodOfAnotherAssembly_IsReported_NeverAConstant()
    {
        var d = Assert.Single(Diagnostics("""
            public static partial class Model
            {
                [Differentiable]
                public static double Loss(Vec2 p, double w) => w * p.X + System.HashCode.Combine(p).GetHashCode();
            }
            """));
        Assert.Contains(d.Id, new[] { "BPG010", "BPG014" });
        Assert.Contains("HashCode.Combine", d.Located + d.Message);
    }

    [Fact]
    public void TypoInAnInlinedHelper_GetsTheCompilersErrorOnly()
    {
        var outcome = GeneratorHarness.Run(Prelude + """
            public static partial class Model
            {
                static Vec2 Twice(Vec2 v) => new Vec2(2 * v.X, 2 * v.Yy);

                [Differentiable]
                public static double Loss(double x) => Twice(new Vec2(x, x)).X;
            }
            """);
        Assert.Empty(outcome.GeneratorDiagnostics);
        Assert.Contains(outcome.CompilationDiagnostics, d => d.Id == "CS1061");
    }

    [Fact]
    public void TypoInAnUnmarkedScalarHelper_GetsTheCompilersErrorOnly()
    {
        var outcome = GeneratorHarness.Run(Prelude + """
            public static partial class Model
            {
                static double Twice(double v) => 2 * vv;

                [Differentiable]
                public static double Loss(double x) => Twice(x) * x;
            }
            """);
        Assert.Empty(outcome.GeneratorDiagnostics);
        Assert.Contains(outcome.CompilationDiagnostics, d => d.Id == "CS0103");
    }

    [Fact]
    public void StructOutputsOfALayer_InForwardModeOrAJacobian_AreReportedAtTheOutput()
    {
        var reported = Diagnostics("""
            public static partial class Model
            {
                [Differentiable(Forward = true)]
                public static void Shift(ReadOnlySpan<Vec2> xs, double d, Span<Vec2> ys)
                {
                    for (int i = 0; i < xs.Length; i++) ys[i] = new Vec2(xs[i].X + d, xs[i].Y);
                }

                [Differentiable(Jacobian = true)]
                public static void Scale(ReadOnlySpan<double> xs, double k, Span<Vec2> ys)
                {
                    for (int i = 0; i < ys.Length; i++) { ys[i].X = k * xs[2 * i]; ys[i].Y = k * xs[2 * i + 1]; }
                }
            }
            """);
        Assert.Equal(new[] { ("BPG015", "ys"), ("BPG015", "ys") }, reported.Select(d => (d.Id, d.Located)).ToArray());
        Assert.Contains("forward mode of a layer that writes the span of structs 'ys'", reported[0].Message);
        Assert.Contains("the Jacobian of a layer that writes the span of structs 'ys'", reported[1].Message);
    }
}
