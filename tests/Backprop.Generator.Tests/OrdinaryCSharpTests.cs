using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Backprop.Generator.Analysis;
using Backprop.Generator.Discovery;
using Backprop.Generator.Differentiation;
using Backprop.Generator.Ir;
using Microsoft.CodeAnalysis;
using Xunit;

namespace Backprop.Generator.Tests;

/// <summary>
/// Ordinary C# in [Differentiable] methods (issue 16): statements kept as written (<see cref="IrKept"/>) as lowering makes
/// them, how each mode treats them, and what stays a located error.
/// </summary>
public sealed class OrdinaryCSharpTests
{
    private const string Usings = "using System;\nusing System.Collections.Generic;\nusing Backprop;\n\n";

    private static IrMethod Lowered(string source, string name = "F")
    {
        var result = GeneratorHarness.Driver().RunGenerators(GeneratorHarness.Compilation(Usings + source)).GetRunResult().Results.Single();
        Assert.Null(result.Exception);
        var model = result.TrackedSteps[TrackingNames.Models].SelectMany(run => run.Outputs).Select(output => (MethodModel)output.Value).Single(m => m.DisplayName.EndsWith(name, StringComparison.Ordinal));
        Assert.True(model.Method is not null, string.Join(", ", model.Diagnostics.Select(d => d.Id)));
        return model.Method!;
    }

    private static List<IrKept> Kept(IrMethod method)
    {
        var kept = new List<IrKept>();
        foreach (var statement in method.Body) IrWalker.VisitStatements(statement, s => { if (s is IrKept k) kept.Add(k); });
        return kept;
    }

    private static (string Id, string Located, string Message) Single(string source)
    {
        var outcome = GeneratorHarness.Run(Usings + source);
        var diagnostic = Assert.Single(outcome.GeneratorDiagnostics);
        string full = Usings + source;
        return (diagnostic.Id, full.Substring(diagnostic.Location.SourceSpan.Start, diagnostic.Location.SourceSpan.Length), diagnostic.GetMessage(CultureInfo.InvariantCulture));
    }

    [Fact]
    public void CallsOnParametersAndStatics_AreEffects_AndCallsThatChangeALocalOfAnotherType_AreData()
    {
        var method = Lowered("""
            public static partial class Model
            {
                [Differentiable]
                public static double F(double x, [NoDerivative] List<double> log)
                {
                    var seen = new List<double>();
                    seen.Add(x);
                    log.Add(x * 2);
                    Console.WriteLine(seen.Count);
                    return x * x;
                }
            }
            """);
        var kept = Kept(method);
        Assert.Equal(new[] { "var seen = new List<double>()", "seen.Add(x)", "log.Add(x * 2)", "Console.WriteLine(seen.Count)" }, kept.Select(k => k.Text));
        Assert.Equal(new[] { KeptKind.Data, KeptKind.Data, KeptKind.Effect, KeptKind.Effect }, kept.Select(k => k.Kind));
        string Name(int id) => method.Variables[id].Name;
        Assert.Equal(new[] { "seen" }, kept[1].Writes.Select(Name));
        Assert.Equal(new[] { "log" }, kept[2].Writes.Select(Name));
        Assert.Equal(VariableKind.Data, method.Variables[kept[0].Writes[0]].Kind);
        Assert.True(IrWalker.RunsEffects(method.Body));
    }

    [Fact]
    public void SecondDerivatives_SkipEffects_AndDropTheConstantLocalsOnlyTheyRead()
    {
        var method = Lowered("""
            public static partial class Model
            {
                [Differentiable(Hessian = true)]
                public static double F(double x)
                {
                    const string Unit = "m";
                    string label = "x in " + Unit;
                    Console.WriteLine(label);
                    return x * x * x;
                }
            }
            """);
        Assert.Equal(3, Kept(method).Count);
        var directional = TangentLowering.Build(method, ActivityAnalysis.Run(method), "FDirectional");
        // The effect goes, then 'label' (a constant no one reads would be CS0219), then 'Unit', which only 'label' read.
        Assert.Empty(Kept(directional));
    }

    [Fact]
    public void UnreadConstantLocals_AreDroppedWithTheirDeclarations_ButNotWhenAnotherWriteKeepsThem()
    {
        var method = Lowered("""
            public static partial class Model
            {
                [Differentiable(Hessian = true)]
                public static double F(double x, [NoDerivative] string name)
                {
                    string tag = "a";
                    string other;
                    other = name + "!";
                    Console.WriteLine(tag + other);
                    return x * x * x;
                }
            }
            """);
        var directional = TangentLowering.Build(method, ActivityAnalysis.Run(method), "FDirectional");
        Assert.Equal(new[] { "string other", "other = name + \"!\"" }, Kept(directional).Select(k => k.Text));
    }

    [Fact]
    public void ACalleesEffect_IsDroppedForSecondDerivatives_AndALimitForForwardMode()
    {
        const string source = """
            public static partial class Model
            {
                public static double H(double v)
                {
                    Console.WriteLine(v);
                    return v * v;
                }

                [Differentiable(Hessian = true)]
                public static double F(double x) => H(x) * x;

                [Differentiable(Forward = true)]
                public static double G(double x) => H(x) * x;
            }
            """;
        var outcome = GeneratorHarness.Run(Usings + source);
        var diagnostic = Assert.Single(outcome.GeneratorDiagnostics);
        Assert.Equal("BPG035", diagnostic.Id);
        Assert.Equal("'G' cannot get Forward = true: it calls 'H', which runs 'Console.WriteLine(v)' as written, and forward mode cannot move code kept as written into 'G'; "
            + "mark 'H' [Differentiable(Forward = true)], so that its own tangent runs it, or move the statement into 'G'; or remove Forward = true", diagnostic.GetMessage(CultureInfo.InvariantCulture));
        Assert.Contains(outcome.Sources, s => s.HintName == "Model.F.g.cs");
        Assert.Empty(outcome.CompilationDiagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning));
    }

    [Fact]
    public void AReadBackOfDifferentiatedValuesFromAListParameter_IsBPG010_WithTheReason()
    {
        var (id, located, message) = Single("""
            public static partial class Model
            {
                [Differentiable]
                public static double F(double x, [NoDerivative] List<double> log)
                {
                    log.Add(x * x);
                    return log[log.Count - 1] + x;
                }
            }
            """);
        Assert.Equal(("BPG010", "log[log.Count - 1]"), (id, located));
        Assert.Equal("Cannot differentiate the call to 'log[log.Count - 1]': its derivative is unknown; it reads 'log', which the method fills with differentiated values, and a "
            + "'System.Collections.Generic.List<double>' cannot carry their derivatives; keep the values in a double[] or Span<double> (new double[n], stackalloc double[n])", message);
    }

    [Fact]
    public void ADifferentiatedMemberOfThisInAListLocalReadBack_IsBPG018()
    {
        var (id, located, _) = Single("""
            public sealed partial class Model
            {
                public double B = 0.5;

                [Differentiable]
                public double F(double x)
                {
                    var seen = new List<double> { B * x };
                    Console.WriteLine(B);
                    return seen[0];
                }
            }
            """);
        Assert.Equal(("BPG018", "seen = new List<double> { B * x }"), (id, located));
    }

    /// <summary>Not yet: data of another type passed on to a differentiated call. The advice says so instead of "mark it".</summary>
    [Fact]
    public void DataOfAnotherTypePassedToADifferentiatedCall_IsBPG010_SayingWhy()
    {
        var (id, located, message) = Single("""
            public static partial class Model
            {
                [Differentiable]
                public static double Helper(double x, [NoDerivative] List<double> log)
                {
                    log.Add(x);
                    return x * x;
                }

                [Differentiable]
                public static double F(double x, [NoDerivative] List<double> log) => Helper(x, log) * 3;
            }
            """);
        Assert.Equal(("BPG010", "Helper(x, log)"), (id, located));
        Assert.Equal("Cannot differentiate the call to 'Model.Helper': its derivative is unknown; it is given 'log' of type 'System.Collections.Generic.List<double>', which a differentiated call "
            + "cannot pass on yet; pass 'Helper' numbers or buffers (the values it needs from 'log' as a [NoDerivative] double[] or ReadOnlySpan<double>), or keep the code that uses it in the caller", message);
    }

    /// <summary>A LINQ lambda may read a local of the method; where that local carries a derivative, BPG010 says so.</summary>
    [Fact]
    public void LinqLambdaReadingADifferentiatedLocal_IsBPG010()
    {
        var (id, located, message) = Single("""
            public static partial class Model
            {
                [Differentiable]
                public static double F(double[] w, [NoDerivative] double[] data)
                {
                    double m = w[0];
                    return System.Linq.Enumerable.Sum(System.Linq.Enumerable.Select(data, d => d * m));
                }
            }
            """);
        Assert.Equal(("BPG010", "System.Linq.Enumerable.Sum(System.Linq.Enumerable.Select(data, d => d * m))"), (id, located));
        Assert.StartsWith("Cannot differentiate the call to 'Enumerable.Sum'", message, StringComparison.Ordinal);
    }

    /// <summary>The same for a layer: the data stops it (BPG010), not its write into the output (it was BPG015).</summary>
    [Fact]
    public void DataOfAnotherTypePassedToALayer_IsBPG010_SayingWhy()
    {
        var (id, located, message) = Single("""
            public static partial class Model
            {
                [Differentiable]
                public static void Layer(ReadOnlySpan<double> x, Span<double> y, [NoDerivative] List<double> log)
                {
                    log.Add(x[0]);
                    for (int i = 0; i < y.Length; i++) y[i] = 2 * x[i];
                }

                [Differentiable]
                public static double F(double[] x, [NoDerivative] List<double> log)
                {
                    Span<double> y = stackalloc double[x.Length];
                    Layer(x, y, log);
                    return y[0];
                }
            }
            """);
        Assert.Equal(("BPG010", "Layer(x, y, log)"), (id, located));
        Assert.StartsWith("Cannot differentiate the call to 'Model.Layer': its derivative is unknown; it is given 'log' of type 'System.Collections.Generic.List<double>'", message, StringComparison.Ordinal);
    }

    [Fact]
    public void AFieldAKeptCallChangesThroughRef_IsAnErrorOnlyWhenTheMethodReadsIt()
    {
        const string counter = """
            public static partial class Model
            {
                public static int Calls;

                [Differentiable]
                public static double F(double x)
                {
                    System.Threading.Interlocked.Increment(ref Calls);
                    return x * x;
                }
            }
            """;
        var outcome = GeneratorHarness.Run(Usings + counter);
        Assert.Empty(outcome.GeneratorDiagnostics);
        Assert.Empty(outcome.CompilationDiagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning));

        var (id, located, message) = Single("""
            public static partial class Model
            {
                public static double Scale = 2;

                [Differentiable]
                public static double F(double x)
                {
                    double y = x * Scale;
                    System.Threading.Interlocked.Exchange(ref Scale, 3.0);
                    return y * y;
                }
            }
            """);
        Assert.Equal(("BPG015", "ref Scale"), (id, located));
        Assert.Equal("Cannot differentiate the statement 'System.Threading.Interlocked.Exchange(ref Scale, 3.0)' (a call that changes 'Scale' through its ref argument, which the method also reads, "
            + "and the gradient may read it again after the change); change 'Scale' outside the [Differentiable] method", message);
    }

    [Fact]
    public void ALambdaCapturingANumberOfTheMethod_InAKeptCall_IsBPG006()
    {
        var (id, located, _) = Single("""
            public static partial class Model
            {
                [Differentiable]
                public static double F(double x, [NoDerivative] List<Func<double>> later)
                {
                    later.Add(() => x);
                    return x * x;
                }
            }
            """);
        Assert.Equal(("BPG006", "() => x"), (id, located));
    }

    [Fact]
    public void ALocalOfAnotherTypeUsedAsANumber_IsLocated_WithAConversionAsTheFix()
    {
        var (id, located, message) = Single("""
            public static partial class Model
            {
                [Differentiable]
                public static double F(double x, [NoDerivative] object tag)
                {
                    object boxed = tag;
                    return boxed is double n ? n * x : x;
                }
            }
            """);
        Assert.Equal(("BPG014", "boxed is double n"), (id, located));
        Assert.Equal("Cannot differentiate the expression 'boxed is double n' (a pattern test on 'boxed' that declares 'n', which is read outside the test); test the type alone, then convert: 'boxed is double ? (double)boxed : …'", message);
    }

    /// <summary>
    /// Regressions: a local constant read by code kept as written was a variable never assigned (0), and an expression kept
    /// as written longer than 100 characters was cut ("...") in the generated code.
    /// </summary>
    [Fact]
    public void LocalConstantsAndLongExpressions_KeptAsWritten_KeepTheirValues()
    {
        var type = GeneratorHarness.CompileAndLoad(Usings + """
            public static partial class Model
            {
                [Differentiable]
                public static double F(double x, [NoDerivative] List<double> data)
                {
                    const int Skip = 1;
                    double s = 0;
                    for (int k = Skip; k < data.Count; k++)
                        s += x * data[data.Count - Skip - k] + data.IndexOf(data[0] + data[1] + data[2] + data[3] + data[0] + data[1] + data[2] + data[3] + data[0] + 100.0);
                    return s * x;
                }
            }

            public static class Probe
            {
                public static double[] Run()
                {
                    var data = new List<double> { 1, 2, 3, 4 };
                    double value = Model.FGradient(0.5, data, out double dX);
                    return new[] { value, Model.F(0.5, data), dX, (Model.F(0.5 + 1e-6, data) - Model.F(0.5 - 1e-6, data)) / 2e-6 };
                }
            }
            """).GetType("Probe")!;
        var results = (double[])type.GetMethod("Run")!.Invoke(null, null)!;
        // s = x (data[2] + data[1] + data[0]) - 3 (IndexOf finds nothing) = 6x - 3, F = 6x² - 3x: F(0.5) = 0, F'(0.5) = 3.
        Assert.Equal(results[1], results[0]);
        Assert.Equal(0, results[0], 12);
        Assert.Equal(3, results[2], 12);
        Assert.Equal(results[3], results[2], 6);
    }

    [Fact]
    public void ForEachOverASliceOrAView_IsTheIndexedLoop()
    {
        var method = Lowered("""
            public static partial class Model
            {
                [Differentiable]
                public static double F(double[] w)
                {
                    double s = 0;
                    foreach (var v in w.AsSpan(1)) s += v * v;
                    ReadOnlySpan<double> head = w[..2];
                    foreach (var v in head) s += v;
                    return s;
                }
            }
            """);
        Assert.Empty(Kept(method));
        var outcome = GeneratorHarness.Run(Usings + """
            public static partial class Model
            {
                [Differentiable]
                public static double F(double[] w)
                {
                    double s = 0;
                    foreach (var v in w.AsSpan(1)) s += v * v;
                    ReadOnlySpan<double> head = w[..2];
                    foreach (var v in head) s += v;
                    return s;
                }
            }
            """);
        Assert.Empty(outcome.GeneratorDiagnostics);
        Assert.Empty(outcome.CompilationDiagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning));
    }
}
