using System.Linq;
using Xunit;

namespace Backprop.Generator.Tests;

/// <summary>What <see cref="AssertedDiagnosticIds"/> counts as a test asserting a diagnostic, and what it does not.</summary>
public sealed class AssertedDiagnosticIdsTests
{
    private const string Source = """
        public sealed class Sample
        {
            [Fact]
            public void Tuple() => Verify("class C { }", ("BPG001", "message"));

            [Fact]
            public void Located() => Verify("class C { }", At(0, "BPG002", "message"));

            [Theory]
            [InlineData(1)]
            public void ContainsInALambda(int n)
            {
                var outcome = GeneratorHarness.Run("class C { }");
                Assert.Contains(outcome.GeneratorDiagnostics, d => d.Id == "BPG003" && d.GetMessage().Contains("'A'"));
            }

            [Xunit.Fact]
            public void Single() => Assert.Single(Run().GeneratorDiagnostics, d => d.Id == "BPG004");

            [Fact]
            public void Equal() => Assert.Equal("BPG005", Run().Id);

            // [Fact]
            // public void CommentedOut() => Verify("class C { }", ("BPG006", "message"));

            [Fact(Skip = "later")]
            public void Skipped() => Verify("class C { }", ("BPG007", "message"));

            [Fact]
            public void Absent() => Assert.DoesNotContain(Run().GeneratorDiagnostics, d => d.Id == "BPG008");

            [Fact]
            public void Counted() => Assert.Equal(0, Run().GeneratorDiagnostics.Count(d => d.Id == "BPG009"));

            private static void Verify(string source, (string Id, string Message) expected) => Assert.Equal("BPG010", expected.Id);

            [Fact]
            public void InSourceTextOnly() => Verify("class C { } // BPG011", ("BPG0012", "message"));

            [Theory]
            [InlineData("BPG013")]
            public void FromInlineData(string id) => Verify("class C { }", (id, "message"));
        }
        """;

    [Fact]
    public void CountsVerifyAtContainsSingleAndEqual_InTestsThatRun()
    {
        // The expected IDs are not spelled as literals here: this file is scanned too, and must not count as their tests.
        static string Id(int n) => "BPG" + n.ToString("000", System.Globalization.CultureInfo.InvariantCulture);
        var asserted = AssertedDiagnosticIds.In(new[] { Source });
        Assert.Equal(Enumerable.Range(1, 5).Select(Id), asserted.Keys);
        Assert.Equal(new[] { "Sample.ContainsInALambda" }, asserted[Id(3)]);
    }

    [Fact]
    public void SourceFiles_AreThisProjectsTests_WithoutBuildOutputOrSnapshots()
    {
        // The coverage check in DiagnosticTests would pass vacuously over no sources.
        var files = AssertedDiagnosticIds.SourceFiles(Repository.PathOf("tests", "Backprop.Generator.Tests")).ToList();
        Assert.Contains("DiagnosticTests.cs", files);
        Assert.Contains("CallCycleTests.cs", files);
        Assert.DoesNotContain(files, file => file.EndsWith(".verified.cs", System.StringComparison.Ordinal) || file.Contains("AssemblyInfo", System.StringComparison.Ordinal));
    }
}
