using System.Threading.Tasks;
using Backprop.Generator.CodeFixes;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Testing;
using Xunit;

namespace Backprop.CodeFixes.Tests;

/// <summary>BPG030: the light bulb wraps the argument in <c>Ad.StopGradient</c>, cutting its derivative on purpose.</summary>
public sealed class StopGradientTests
{
    private const string Callee = """
        public static partial class Layers
        {
            [Backprop.Differentiable]
            public static double Scale(double a, [Backprop.NoDerivative] double s) => a * s;
        }
        """;

    [Fact]
    public async Task DifferentiatedArgument_IsWrappedInStopGradient()
    {
        var test = new CodeFixTest<StopGradientCodeFixProvider>("""
            using Backprop;

            public static partial class Model
            {
                [Differentiable]
                public static double Loss(double w, [NoDerivative] double x) => Layers.Scale(w, {|#0:w * x|});
            }
            """, """
            using Backprop;

            public static partial class Model
            {
                [Differentiable]
                public static double Loss(double w, [NoDerivative] double x) => Layers.Scale(w, Ad.StopGradient(w * x));
            }
            """);
        test.TestState.Sources.Add(Callee);
        test.FixedState.Sources.Add(Callee);
        test.ExpectedDiagnostics.Add(CodeFixTest<StopGradientCodeFixProvider>.Diagnostic("BPG030"));
        test.CodeActionEquivalenceKey = "Backprop.StopGradient";
        test.CodeActionVerifier = (action, verifier) => verifier.Equal("Cut the derivative through 'w * x' on purpose with Ad.StopGradient", action.Title);
        await test.RunAsync();
    }

    [Fact]
    public async Task WithoutUsingBackprop_QualifiesTheName()
    {
        var test = new CodeFixTest<StopGradientCodeFixProvider>("""
            public static partial class Model
            {
                [Backprop.Differentiable]
                public static double Loss(double w) => Layers.Scale(w, {|#0:w|});
            }
            """, """
            public static partial class Model
            {
                [Backprop.Differentiable]
                public static double Loss(double w) => Layers.Scale(w, Backprop.Ad.StopGradient(w));
            }
            """);
        test.TestState.Sources.Add(Callee);
        test.FixedState.Sources.Add(Callee);
        test.ExpectedDiagnostics.Add(CodeFixTest<StopGradientCodeFixProvider>.Diagnostic("BPG030"));
        await test.RunAsync();
    }

    [Fact]
    public async Task SpanArgument_HasNoFix()
    {
        // Ad.StopGradient takes a double or a float: for a span the user decides (copy the values, or drop [NoDerivative]).
        const string source = """
            using System;
            using Backprop;

            public static partial class Model
            {
                [Differentiable]
                public static double Dot([NoDerivative] ReadOnlySpan<double> u, ReadOnlySpan<double> v) => u[0] * v[0];

                [Differentiable]
                public static double F(ReadOnlySpan<double> a)
                {
                    Span<double> sq = stackalloc double[1];
                    sq[0] = a[0] * a[0];
                    return Dot({|#0:sq|}, a);
                }
            }
            """;
        var test = new CodeFixTest<StopGradientCodeFixProvider>(source, source);
        test.ExpectedDiagnostics.Add(CodeFixTest<StopGradientCodeFixProvider>.Diagnostic("BPG030"));
        await test.RunAsync();
    }
}
