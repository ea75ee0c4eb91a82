using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.Loader;
using Backprop.Generator;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Backprop.Generator.Tests;

/// <summary>Runs the generator over in-memory sources, as the compiler would, and compiles the result.</summary>
internal static class GeneratorHarness
{
    public static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest);

    private static readonly Lazy<MetadataReference[]> s_references = new(() =>
    {
        var paths = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator);
        return paths
            .Where(p => Path.GetFileName(p).StartsWith("System", StringComparison.Ordinal) || Path.GetFileName(p) is "mscorlib.dll" or "netstandard.dll")
            .Append(typeof(DifferentiableAttribute).Assembly.Location)
            .Distinct()
            .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))
            .ToArray();
    });

    public static CSharpCompilation Compilation(params string[] sources) => CSharpCompilation.Create(
        "UserCode" + Guid.NewGuid().ToString("N"),
        sources.Select((s, i) => CSharpSyntaxTree.ParseText(s, ParseOptions, path: "Source" + i + ".cs")),
        s_references.Value,
        new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable, optimizationLevel: OptimizationLevel.Release));

    public static GeneratorDriver Driver() => CSharpGeneratorDriver.Create(
        new[] { new DifferentiableGenerator().AsSourceGenerator() },
        parseOptions: ParseOptions,
        driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

    /// <summary>The generator's diagnostics, its sources, and the diagnostics of compiling everything.</summary>
    public static GeneratorOutcome Run(params string[] sources)
    {
        var (output, generatorDiagnostics, generated) = Generate(sources);
        // The analyzer that ships beside the generator (BPG016) reports through the compiler, as in a user's build.
        // One pass binds everything once and yields the compiler's diagnostics and the analyzer's.
        var analyzer = new ZeroDerivativeAnalyzer();
        var analyzerIds = analyzer.SupportedDiagnostics.Select(d => d.Id).Append("AD0001").ToHashSet();
        var all = output.WithAnalyzers(ImmutableArray.Create<DiagnosticAnalyzer>(analyzer))
            .GetAllDiagnosticsAsync().GetAwaiter().GetResult();
        return new GeneratorOutcome(
            generatorDiagnostics.AddRange(all.Where(d => analyzerIds.Contains(d.Id))),
            generated,
            all.Where(d => !analyzerIds.Contains(d.Id) && d.Severity >= DiagnosticSeverity.Warning).ToImmutableArray(),
            output);
    }

    /// <summary>Generates, compiles (failing on any error or warning) and loads the assembly.</summary>
    /// <remarks>Compiles once: the emit reports every compiler diagnostic. The analyzer is not run: its only diagnostic
    /// (BPG016) is a warning, which this method never fails on.</remarks>
    public static Assembly CompileAndLoad(params string[] sources)
    {
        var (output, generatorDiagnostics, generated) = Generate(sources);
        using var stream = new MemoryStream();
        var emit = output.Emit(stream);
        // Errors anywhere fail; so do warnings in generated code, unless the user's own code has the same warning
        // (the forward sweep mirrors the user's statements, e.g. CS1718 for 'x < x').
        bool Generated(Diagnostic d) => d.Location.SourceTree?.FilePath.Contains("Backprop.Generator") == true;
        var compilationDiagnostics = emit.Diagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList();
        var userWarnings = compilationDiagnostics.Where(d => !Generated(d)).Select(d => d.Id).ToHashSet();
        var problems = generatorDiagnostics.Where(d => d.Severity == DiagnosticSeverity.Error)
            .Concat(compilationDiagnostics.Where(d => d.Severity == DiagnosticSeverity.Error || (Generated(d) && !userWarnings.Contains(d.Id))))
            .ToList();
        if (problems.Count > 0 || !emit.Success)
            throw new InvalidOperationException("Compilation failed:\n" + string.Join("\n", problems) + "\n\n" + string.Join("\n\n", generated.Select(s => s.Text)));
        stream.Position = 0;
        var context = new AssemblyLoadContext("generated" + Guid.NewGuid().ToString("N"), isCollectible: true);
        return context.LoadFromStream(stream);
    }

    private static (Compilation Output, ImmutableArray<Diagnostic> Diagnostics, IReadOnlyList<(string HintName, string Text)> Sources) Generate(string[] sources)
    {
        var driver = Driver().RunGeneratorsAndUpdateCompilation(Compilation(sources), out var output, out var diagnostics);
        var result = driver.GetRunResult();
        var exceptions = result.Results.Select(r => r.Exception).Where(e => e is not null).ToList();
        if (exceptions.Count > 0) throw new InvalidOperationException("The generator threw.", exceptions[0]);
        return (output, diagnostics, result.GeneratedTrees.Select(t => (Path.GetFileName(t.FilePath), t.ToString())).ToArray());
    }
}

internal sealed record GeneratorOutcome(
    ImmutableArray<Diagnostic> GeneratorDiagnostics,
    IReadOnlyList<(string HintName, string Text)> Sources,
    ImmutableArray<Diagnostic> CompilationDiagnostics,
    Compilation Output);
