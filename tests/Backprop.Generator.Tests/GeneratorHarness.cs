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
        var (result, output, generatorDiagnostics) = Generate(sources);
        // The analyzer that ships beside the generator (BPG016) reports through the compiler, as in a user's build.
        var analyzerDiagnostics = output
            .WithAnalyzers(ImmutableArray.Create<DiagnosticAnalyzer>(new ZeroDerivativeAnalyzer()))
            .GetAnalyzerDiagnosticsAsync().GetAwaiter().GetResult();
        return new GeneratorOutcome(
            generatorDiagnostics.AddRange(analyzerDiagnostics),
            result.GeneratedTrees.Select(t => (Path.GetFileName(t.FilePath), t.ToString())).ToArray(),
            output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning).ToImmutableArray(),
            output);
    }

    /// <summary>Generates, compiles (failing on any error or warning) and loads the assembly.</summary>
    /// <remarks>
    /// The compilation is bound once, by the emit, whose diagnostics are those of the whole compilation (binding it
    /// for GetDiagnostics first, then again to emit, doubled the work). The analyzer that ships beside the generator is
    /// not run: its diagnostics are warnings, which never failed here. The property test compiles thousands of methods
    /// this way.
    /// </remarks>
    public static Assembly CompileAndLoad(params string[] sources)
    {
        var (result, output, generatorDiagnostics) = Generate(sources);
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
            throw new InvalidOperationException("Compilation failed:\n" + string.Join("\n", problems) + "\n\n" + string.Join("\n\n", result.GeneratedTrees.Select(t => t.ToString())));
        stream.Position = 0;
        var context = new AssemblyLoadContext("generated" + Guid.NewGuid().ToString("N"), isCollectible: true);
        return context.LoadFromStream(stream);
    }

    /// <summary>Runs the generator (failing if it threw): its run result, the compilation with its sources, its diagnostics.</summary>
    private static (GeneratorDriverRunResult Result, Compilation Output, ImmutableArray<Diagnostic> Diagnostics) Generate(string[] sources)
    {
        var driver = Driver().RunGeneratorsAndUpdateCompilation(Compilation(sources), out var output, out var generatorDiagnostics);
        var result = driver.GetRunResult();
        var exceptions = result.Results.Select(r => r.Exception).Where(e => e is not null).ToList();
        if (exceptions.Count > 0) throw new InvalidOperationException("The generator threw.", exceptions[0]);
        return (result, output, generatorDiagnostics);
    }
}

internal sealed record GeneratorOutcome(
    ImmutableArray<Diagnostic> GeneratorDiagnostics,
    IReadOnlyList<(string HintName, string Text)> Sources,
    ImmutableArray<Diagnostic> CompilationDiagnostics,
    Compilation Output);
