using System.Collections.Generic;
using System.Linq;
using Backprop.Generator.Analysis;
using Backprop.Generator.Discovery;
using Backprop.Generator.Ir;
using Xunit;

namespace Backprop.Generator.Tests;

/// <summary>
/// <see cref="RecordingPlan"/>, IR in, decisions out (as dotnet/runtime's RegexTreeAnalyzerTests check their analysis):
/// the normalized IR of a small method, lowered by the generator, and what the plan says each overwrite needs.
/// </summary>
public class RecordingPlanTests
{
    private const string Usings = "using System;\nusing Backprop;\n\n";

    private static (IrMethod Method, RecordingPlan Plan) Plan(string body, string parameters = "ReadOnlySpan<double> w, int d")
    {
        string source = Usings + "public static partial class Model\n{\n    [Differentiable]\n    public static double F(" + parameters + ")\n    {\n" + body + "\n    }\n}\n";
        var result = GeneratorHarness.Driver().RunGenerators(GeneratorHarness.Compilation(source)).GetRunResult().Results.Single();
        Assert.Null(result.Exception);
        var model = result.TrackedSteps[TrackingNames.Models].SelectMany(run => run.Outputs).Select(output => (MethodModel)output.Value).Single();
        Assert.True(model.Method is not null, string.Join(", ", model.Diagnostics.Select(d => d.Id)));
        var method = model.Method!;
        return (method, RecordingPlan.Compute(method, ActivityAnalysis.Run(method)));
    }

    private static List<T> All<T>(IrMethod method) where T : IrStatement
    {
        var found = new List<T>();
        foreach (var statement in method.Body) IrWalker.VisitStatements(statement, s => { if (s is T t) found.Add(t); });
        return found;
    }

    private static int Id(IrMethod method, string name) => method.Variables.Single(v => v.Name == name).Id;

    [Fact]
    public void DotProduct_RecordsNothing_AndItsLoopIsCounted()
    {
        var (method, plan) = Plan("double s = 0;\n for (int i = 0; i < w.Length; i++) s += w[i] * w[i];\n return s;");

        Assert.All(All<IrAssign>(method).Where(a => a.Variable == Id(method, "s")), a => Assert.False(plan.NeedsRestore(a)));
        Assert.Single(plan.CountedLoops);
    }

    [Fact]
    public void Recurrence_RecordsTheOldValue_EveryStep()
    {
        var (method, plan) = Plan("double h = 0;\n for (int t = 0; t < w.Length; t++) h = Math.Tanh(h * 0.5 + w[t]);\n return h;");

        var step = All<IrAssign>(method).Single(a => a.Variable == Id(method, "h") && a.Value is IrMathCall);
        Assert.True(plan.NeedsRestore(step));
    }

    [Fact]
    public void AccumulatorReset_BeforeItsLoop_IsRecordedOncePerPass_NotPerTerm()
    {
        var (method, plan) = Plan(
            "double total = 0;\n for (int p = 0; p < 3; p++)\n {\n double e = 0;\n for (int c = 0; c < d; c++) e += Math.Exp(w[c] * p);\n total += Math.Log(e);\n }\n return total;");

        var writes = All<IrAssign>(method).Where(a => a.Variable == Id(method, "e")).ToList();
        Assert.True(plan.NeedsRestore(writes.Single(a => a.Value is IrConstant)));
        Assert.False(plan.NeedsRestore(writes.Single(a => a.Value is not IrConstant)));
    }

    private const string Gmm = @"
        Span<double> t = stackalloc double[d];
        double total = 0;
        for (int pass = 0; pass < 3; pass++)
        {
            for (int i = 0; i < d; i++) t[i] = Math.Exp(w[i] * pass);
            READ
            int l = d;
            for (int i = 0; i < d; i++)
                for (int j = i + 1; j < d; j++) { t[j] += w[l] * w[i]; l++; }
            double norm = 0;
            for (int i = 0; i < d; i++) norm += t[i] * t[i];
            total += norm * product;
        }
        return total;";

    [Fact]
    public void IncrementsAfterAWholeBufferSave_SaveNothingOfTheirOwn()
    {
        var (method, plan) = Plan(Gmm.Replace("READ", "double product = w[0];"));

        var stores = All<IrStore>(method);
        // The loop writing t[i] saves t[0..d) in one piece per pass; the increments after it are covered by that save.
        var saved = plan.SliceSavesOf(All<IrLoop>(method).Single(l => l.Body.OfType<IrStore>().Any(s => s.Value is IrMathCall)));
        Assert.Single(saved);
        var increments = stores.Where(s => !saved.Contains(s)).ToList();
        Assert.NotEmpty(increments);
        Assert.All(increments, s => Assert.True(plan.IsCoveredBySlice(s)));
        Assert.All(increments, s => Assert.False(plan.StoreNeedsRestore(s)));
    }

    [Fact]
    public void IncrementsAfterARead_BetweenTheSaveAndThem_SaveTheirOldElements()
    {
        var (method, plan) = Plan(Gmm.Replace("READ", "double product = t[0] * t[d - 1];"));

        var increments = All<IrStore>(method).Where(s => s.Value is IrBinary { Operator: BinaryOperator.Add }).ToList();
        Assert.NotEmpty(increments);
        Assert.All(increments, s => Assert.True(plan.StoreNeedsRestore(s)));
    }

    [Fact]
    public void StoresToOtherConstantElements_DoNotRestore_TheSameElementDoes()
    {
        // e[0]'s reverse reads its own result (exp' = exp); e[1] cannot change it, a second write of e[0] can.
        var (method, plan) = Plan(
            "Span<double> e = stackalloc double[2];\n e[0] = Math.Exp(w[0]);\n e[1] = w[1] * 3;\n double s = e[0] * e[1];\n e[0] = w[0] * w[1];\n return s + e[0];");

        var stores = All<IrStore>(method);
        Assert.False(plan.StoreNeedsRestore(stores[1]));
        Assert.True(plan.StoreNeedsRestore(stores[2]));
    }

    [Fact]
    public void ActiveLocalBuffer_GetsAGradientBuffer_DataBufferDoesNot()
    {
        var (method, plan) = Plan(
            "Span<double> a = stackalloc double[d];\n Span<double> b = stackalloc double[d];\n double s = 0;\n for (int i = 0; i < d; i++) { a[i] = w[i] * 2; b[i] = i; }\n for (int i = 0; i < d; i++) s += a[i] * b[i];\n return s;");

        Assert.True(plan.NeedsGradientBuffer(Id(method, "a")));
        Assert.False(plan.NeedsGradientBuffer(Id(method, "b")));
    }
    private const string Convolution = @"
        double total = 0;
        for (int r = 0; r < d; r++)
        {
            double s = w[r];
            for (int i = 0; i < 3; i++)
                for (int j = 0; j < 3; j++)
                    s += TERM;
            total += s > 0 ? s : 0.0;
        }
        return total;";

    [Fact]
    public void NestedReduction_KeepingNothing_IsSkippedWhenItsAdjointIsZero()
    {
        var (method, plan) = Plan(Convolution.Replace("TERM", "w[i * 3 + j] * w[r + i + j]"));

        var outer = method.Body.OfType<IrLoop>().Single();
        var reduction = outer.Body.OfType<IrLoop>().Single();
        // The reduction's loops are skipped as a whole (its inner loop is not marked again); the loop around them is not.
        Assert.Equal(Id(method, "s"), plan.ZeroSkipAccumulator(reduction));
        Assert.Null(plan.ZeroSkipAccumulator(reduction.Body.OfType<IrLoop>().Single()));
        Assert.Null(plan.ZeroSkipAccumulator(outer));
    }

    [Fact]
    public void NestedReduction_KeepingAValue_IsNotSkipped()
    {
        // exp' = exp: each term's exponential goes on the tape, and a skipped reverse would leave it there.
        var (method, plan) = Plan(Convolution.Replace("TERM", "Math.Exp(w[i * 3 + j] * w[r + i + j])"));

        Assert.All(All<IrLoop>(method), l => Assert.Null(plan.ZeroSkipAccumulator(l)));
    }

    [Fact]
    public void NestedLoop_WritingABufferOrTwoAccumulators_IsNotSkipped()
    {
        var (method, plan) = Plan(@"
            Span<double> t = stackalloc double[d];
            double total = 0;
            for (int r = 0; r < d; r++)
            {
                double s = 0, u = 0;
                for (int i = 0; i < d; i++) t[i] = w[i] * r;
                for (int i = 0; i < d; i++) { s += w[i] * t[i]; u += w[i]; }
                total += s * u;
            }
            return total;");

        Assert.All(All<IrLoop>(method), l => Assert.Null(plan.ZeroSkipAccumulator(l)));
    }

    [Fact]
    public void TopLevelReduction_IsNotSkipped()
    {
        var (method, plan) = Plan("double s = 0;\n for (int i = 0; i < w.Length; i++) s += w[i] * w[i];\n return s;");

        Assert.Null(plan.ZeroSkipAccumulator(All<IrLoop>(method).Single()));
    }
}
