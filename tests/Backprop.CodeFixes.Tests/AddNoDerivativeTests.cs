using System.Threading.Tasks;
using Backprop.Generator.CodeFixes;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Testing;
using Xunit;

namespace Backprop.CodeFixes.Tests;

/// <summary>BPG016 and BPG034: the light bulb marks the parameter <c>[NoDerivative]</c>.</summary>
public sealed class AddNoDerivativeTests
{
    private static DiagnosticResult ZeroDerivative(int location = 0) =>
        CodeFixTest<AddNoDerivativeCodeFixProvider>.Diagnostic("BPG016", location, DiagnosticSeverity.Warning);

    [Fact]
    public async Task ZeroDerivative_WithUsingBackprop_AddsTheShortName()
    {
        var test = new CodeFixTest<AddNoDerivativeCodeFixProvider>("""
            using Backprop;

            public static partial class Model
            {
                [Differentiable]
                public static double Relu(double w, double {|#0:threshold|}, [NoDerivative] double x)
                {
                    double z = w * x;
                    return z > threshold ? z : 0.0;
                }
            }
            """, """
            using Backprop;

            public static partial class Model
            {
                [Differentiable]
                public static double Relu(double w, [NoDerivative] double threshold, [NoDerivative] double x)
                {
                    double z = w * x;
                    return z > threshold ? z : 0.0;
                }
            }
            """);
        test.ExpectedDiagnostics.Add(ZeroDerivative());
        test.CodeActionEquivalenceKey = "Backprop.AddNoDerivative";
        test.CodeActionVerifier = (action, verifier) => verifier.Equal("Mark 'threshold' [NoDerivative]: an input that is not trained", action.Title);
        await test.RunAsync();
    }

    [Fact]
    public async Task ZeroDerivative_WithoutUsingBackprop_QualifiesTheName()
    {
        var test = new CodeFixTest<AddNoDerivativeCodeFixProvider>("""
            public static partial class Model
            {
                [Backprop.Differentiable]
                public static double Scale(double w, double {|#0:unused|}) => 2 * w;
            }
            """, """
            public static partial class Model
            {
                [Backprop.Differentiable]
                public static double Scale(double w, [Backprop.NoDerivative] double unused) => 2 * w;
            }
            """);
        test.ExpectedDiagnostics.Add(ZeroDerivative());
        await test.RunAsync();
    }

    [Fact]
    public async Task ZeroDerivative_InsideNamespaceBackprop_AddsTheShortName()
    {
        var test = new CodeFixTest<AddNoDerivativeCodeFixProvider>("""
            namespace Backprop.Models
            {
                public static partial class Model
                {
                    [Differentiable]
                    public static double Scale(double w, double {|#0:unused|}) => 2 * w;
                }
            }
            """, """
            namespace Backprop.Models
            {
                public static partial class Model
                {
                    [Differentiable]
                    public static double Scale(double w, [NoDerivative] double unused) => 2 * w;
                }
            }
            """);
        test.ExpectedDiagnostics.Add(ZeroDerivative());
        await test.RunAsync();
    }

    [Fact]
    public async Task ParametersOneALine_KeepTheirLayout()
    {
        var test = new CodeFixTest<AddNoDerivativeCodeFixProvider>("""
            using Backprop;

            public static partial class Model
            {
                [Differentiable]
                public static double Loss(
                    double w,
                    double {|#0:bias|},
                    [NoDerivative] double x) => w * x;
            }
            """, """
            using Backprop;

            public static partial class Model
            {
                [Differentiable]
                public static double Loss(
                    double w,
                    [NoDerivative] double bias,
                    [NoDerivative] double x) => w * x;
            }
            """);
        test.ExpectedDiagnostics.Add(ZeroDerivative());
        await test.RunAsync();
    }

    [Fact]
    public async Task FixAll_MarksEveryZeroDerivativeParameter()
    {
        var test = new CodeFixTest<AddNoDerivativeCodeFixProvider>("""
            using Backprop;

            public static partial class Model
            {
                [Differentiable]
                public static double Loss(double w, double {|#0:a|}, double {|#1:b|}, [NoDerivative] double x) => w * x;

                [Differentiable]
                public static double Step(double {|#2:lr|}, double g) => System.Math.Floor(lr) * g;
            }
            """, """
            using Backprop;

            public static partial class Model
            {
                [Differentiable]
                public static double Loss(double w, [NoDerivative] double a, [NoDerivative] double b, [NoDerivative] double x) => w * x;

                [Differentiable]
                public static double Step([NoDerivative] double lr, double g) => System.Math.Floor(lr) * g;
            }
            """);
        test.ExpectedDiagnostics.Add(ZeroDerivative(0));
        test.ExpectedDiagnostics.Add(ZeroDerivative(1));
        test.ExpectedDiagnostics.Add(ZeroDerivative(2));
        test.NumberOfFixAllIterations = 1;
        await test.RunAsync();
    }

    [Fact]
    public async Task UndifferentiableParameterType_BecomesData()
    {
        var test = new CodeFixTest<AddNoDerivativeCodeFixProvider>("""
            using Backprop;

            public static partial class Model
            {
                [Differentiable]
                public static double Weighted(double w, double[][] {|#0:grid|}) => w * grid[0][0];
            }
            """, """
            using Backprop;

            public static partial class Model
            {
                [Differentiable]
                public static double Weighted(double w, [NoDerivative] double[][] grid) => w * grid[0][0];
            }
            """);
        test.ExpectedDiagnostics.Add(CodeFixTest<AddNoDerivativeCodeFixProvider>.Diagnostic("BPG034"));
        test.CodeActionVerifier = (action, verifier) => verifier.Equal("Mark 'grid' [NoDerivative] to use it as data", action.Title);
        await test.RunAsync();
    }
}
