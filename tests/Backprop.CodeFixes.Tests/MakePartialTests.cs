using System.Threading.Tasks;
using Backprop.Generator.CodeFixes;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Testing;
using Xunit;

namespace Backprop.CodeFixes.Tests;

/// <summary>BPG001: the light bulb declares the enclosing types <c>partial</c>, and the generator then emits the gradient.</summary>
public sealed class MakePartialTests
{
    [Fact]
    public async Task StaticClass_BecomesPartial()
    {
        var test = new CodeFixTest<MakePartialCodeFixProvider>("""
            using Backprop;

            public static class Model
            {
                [Differentiable]
                public static double {|#0:Square|}(double x) => x * x;
            }
            """, """
            using Backprop;

            public static partial class Model
            {
                [Differentiable]
                public static double Square(double x) => x * x;
            }
            """);
        test.ExpectedDiagnostics.Add(CodeFixTest<MakePartialCodeFixProvider>.Diagnostic("BPG001"));
        test.CodeActionEquivalenceKey = "Backprop.MakePartial";
        test.CodeActionVerifier = (action, verifier) => verifier.Equal("Make 'Model' partial", action.Title);
        await test.RunAsync();
    }

    [Fact]
    public async Task TypeWithoutModifiers_KeepsItsDocumentationComment()
    {
        var test = new CodeFixTest<MakePartialCodeFixProvider>("""
            using Backprop;

            namespace Demo
            {
                /// <summary>A model.</summary>
                class Model
                {
                    [Differentiable]
                    public static double {|#0:Square|}(double x) => x * x;
                }
            }
            """, """
            using Backprop;

            namespace Demo
            {
                /// <summary>A model.</summary>
                partial class Model
                {
                    [Differentiable]
                    public static double Square(double x) => x * x;
                }
            }
            """);
        test.ExpectedDiagnostics.Add(CodeFixTest<MakePartialCodeFixProvider>.Diagnostic("BPG001"));
        await test.RunAsync();
    }

    [Fact]
    public async Task NestedTypes_AllBecomePartialInOneFix()
    {
        // Each type that is not partial has its own BPG001 on the method; one action fixes both.
        var test = new CodeFixTest<MakePartialCodeFixProvider>("""
            using Backprop;

            public class Outer
            {
                internal sealed class Inner
                {
                    [Differentiable]
                    public static double {|#0:Square|}(double x) => x * x;
                }
            }
            """, """
            using Backprop;

            public partial class Outer
            {
                internal sealed partial class Inner
                {
                    [Differentiable]
                    public static double Square(double x) => x * x;
                }
            }
            """);
        test.ExpectedDiagnostics.Add(CodeFixTest<MakePartialCodeFixProvider>.Diagnostic("BPG001"));
        test.ExpectedDiagnostics.Add(CodeFixTest<MakePartialCodeFixProvider>.Diagnostic("BPG001"));
        test.CodeActionVerifier = (action, verifier) => verifier.Equal("Make 'Inner' and 'Outer' partial", action.Title);
        await test.RunAsync();
    }

    [Fact]
    public async Task PartialOuter_OnlyTheInnerTypeChanges()
    {
        var test = new CodeFixTest<MakePartialCodeFixProvider>("""
            using Backprop;

            public partial class Outer
            {
                private record struct Inner
                {
                    [Differentiable]
                    public static double {|#0:Square|}(double x) => x * x;
                }
            }
            """, """
            using Backprop;

            public partial class Outer
            {
                private partial record struct Inner
                {
                    [Differentiable]
                    public static double Square(double x) => x * x;
                }
            }
            """);
        test.ExpectedDiagnostics.Add(CodeFixTest<MakePartialCodeFixProvider>.Diagnostic("BPG001"));
        await test.RunAsync();
    }

    [Fact]
    public async Task FixAll_MakesEveryTypePartialOnce()
    {
        var test = new CodeFixTest<MakePartialCodeFixProvider>("""
            using Backprop;

            public static class Model
            {
                [Differentiable]
                public static double {|#0:Square|}(double x) => x * x;

                [Differentiable]
                public static double {|#1:Cube|}(double x) => x * x * x;
            }

            public static class Other
            {
                [Differentiable]
                public static double {|#2:Twice|}(double x) => 2 * x;
            }
            """, """
            using Backprop;

            public static partial class Model
            {
                [Differentiable]
                public static double Square(double x) => x * x;

                [Differentiable]
                public static double Cube(double x) => x * x * x;
            }

            public static partial class Other
            {
                [Differentiable]
                public static double Twice(double x) => 2 * x;
            }
            """);
        test.ExpectedDiagnostics.Add(CodeFixTest<MakePartialCodeFixProvider>.Diagnostic("BPG001", 0));
        test.ExpectedDiagnostics.Add(CodeFixTest<MakePartialCodeFixProvider>.Diagnostic("BPG001", 1));
        test.ExpectedDiagnostics.Add(CodeFixTest<MakePartialCodeFixProvider>.Diagnostic("BPG001", 2));
        // One at a time, fixing Square's BPG001 also fixes Cube's: two fixes, not three.
        test.NumberOfIncrementalIterations = 2;
        test.NumberOfFixAllIterations = 1;
        await test.RunAsync();
    }
}
