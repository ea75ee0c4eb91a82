using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace Backprop.Generator.Tests;

/// <summary>
/// The pipeline caches per method: edits elsewhere reuse the cached model and source, edits that do not
/// change the method's meaning stop at the model, and real edits flow through.
/// </summary>
public sealed class IncrementalTests
{
    private const string ModelFile = """
        using System;
        using Backprop;

        namespace Demo;

        public static partial class Model
        {
            [Differentiable]
            public static double Loss(double w, [NoDerivative] double x, [NoDerivative] double y)
            {
                double e = w * x - y;
                return 0.5 * e * e; // squared error
            }
        }
        """;

    private const string OtherFile = """
        namespace Demo;

        public static class Other
        {
            public static int Count() => 1;
        }
        """;

    /// <summary>Runs the generator on the two files, then again after <paramref name="edited"/> replaces file number <paramref name="file"/>.</summary>
    private static GeneratorRunResult RunTwice(int file, string edited)
    {
        var compilation = GeneratorHarness.Compilation(ModelFile, OtherFile);
        var driver = GeneratorHarness.Driver().RunGenerators(compilation);
        var first = driver.GetRunResult().Results.Single();
        Assert.Null(first.Exception);
        Assert.Single(first.GeneratedSources);

        var old = compilation.SyntaxTrees.ElementAt(file);
        var changed = compilation.ReplaceSyntaxTree(old, CSharpSyntaxTree.ParseText(edited, GeneratorHarness.ParseOptions, path: old.FilePath));
        var second = driver.RunGenerators(changed).GetRunResult().Results.Single();
        Assert.Null(second.Exception);
        Assert.Single(second.GeneratedSources);
        return second;
    }

    private static IncrementalStepRunReason[] Reasons(GeneratorRunResult result, string step) =>
        result.TrackedSteps[step].SelectMany(run => run.Outputs).Select(output => output.Reason).ToArray();

    [Fact]
    public void UnrelatedEdit_DoesNotRegenerate()
    {
        var result = RunTwice(1, OtherFile.Replace("=> 1;", "=> 2;"));

        // ForAttributeWithMetadataName re-runs its transform for every match whenever the compilation changes
        // (the semantic model belongs to the new compilation), so the best the Models step can report is
        // Unchanged: the model compared equal. What must not run again is everything after it.
        Assert.Equal(new[] { IncrementalStepRunReason.Unchanged }, Reasons(result, TrackingNames.Models));
        Assert.Equal(new[] { IncrementalStepRunReason.Cached }, Reasons(result, TrackingNames.Sources));
        Assert.All(result.TrackedOutputSteps.SelectMany(step => step.Value).SelectMany(run => run.Outputs),
            output => Assert.Equal(IncrementalStepRunReason.Cached, output.Reason));
    }

    [Fact]
    public void CommentEdit_IsUnchanged()
    {
        // Same lines, same statements: only the text of the trailing comment on the method's last statement differs.
        string edited = ModelFile.Replace("// squared error", "// half the squared residual");
        Assert.Equal(ModelFile.Split('\n').Length, edited.Split('\n').Length);

        var result = RunTwice(0, edited);

        Assert.Equal(new[] { IncrementalStepRunReason.Unchanged }, Reasons(result, TrackingNames.Models));
        Assert.Equal(new[] { IncrementalStepRunReason.Cached }, Reasons(result, TrackingNames.Sources));
        Assert.All(result.TrackedOutputSteps.SelectMany(step => step.Value).SelectMany(run => run.Outputs),
            output => Assert.Equal(IncrementalStepRunReason.Cached, output.Reason));
    }

    [Fact]
    public void LineAddedAboveTheMethod_LeavesTheOutputCached()
    {
        string edited = ModelFile.Replace("    [Differentiable]", "    // A comment line added above the method.\n    [Differentiable]");
        Assert.Equal(ModelFile.Split('\n').Length + 1, edited.Split('\n').Length);

        var result = RunTwice(0, edited);

        Assert.Equal(new[] { IncrementalStepRunReason.Unchanged }, Reasons(result, TrackingNames.Models));
        Assert.All(result.TrackedOutputSteps.SelectMany(step => step.Value).SelectMany(run => run.Outputs),
            output => Assert.Equal(IncrementalStepRunReason.Cached, output.Reason));
    }

    [Fact]
    public void BodyEdit_IsModified()
    {
        var result = RunTwice(0, ModelFile.Replace("0.5 * e * e", "0.25 * e * e"));

        Assert.Equal(new[] { IncrementalStepRunReason.Modified }, Reasons(result, TrackingNames.Models));
        Assert.Equal(new[] { IncrementalStepRunReason.Modified }, Reasons(result, TrackingNames.Sources));
        Assert.Contains("0.25", result.GeneratedSources.Single().SourceText.ToString(), System.StringComparison.Ordinal);
    }
}
