using System.IO;
using System.Linq;
using Microsoft.CodeAnalysis;
using Xunit;

namespace Backprop.Generator.Tests;

/// <summary>The emitted source for each sample model (<c>samples/*/Model.cs</c>, read from the repository).</summary>
public sealed class SampleSnapshotTests
{
    private static void VerifySample(string sample)
    {
        string source = File.ReadAllText(Repository.PathOf("samples", sample, "Model.cs"));
        var outcome = GeneratorHarness.Run(source);
        Assert.Empty(outcome.GeneratorDiagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning));
        Assert.Empty(outcome.CompilationDiagnostics);
        Snapshot.Verify(string.Join("\n", outcome.Sources.OrderBy(s => s.HintName).Select(s => "// " + s.HintName + "\n" + s.Text)), nameof(SampleSnapshotTests), sample);
    }

    [Fact]
    public void SimpleNN() => VerifySample(nameof(SimpleNN));

    [Fact]
    public void SpiralClassifier() => VerifySample(nameof(SpiralClassifier));

    [Fact]
    public void SineRnn() => VerifySample(nameof(SineRnn));

    [Fact]
    public void BarsCnn() => VerifySample(nameof(BarsCnn));

    [Fact]
    public void Rosenbrock() => VerifySample(nameof(Rosenbrock));

    [Fact]
    public void Digits() => VerifySample(nameof(Digits));

    [Fact]
    public void CurveFit() => VerifySample(nameof(CurveFit));

    [Fact]
    public void NewtonCG() => VerifySample(nameof(NewtonCG));
}
