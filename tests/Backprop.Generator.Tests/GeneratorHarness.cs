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
using Microsoft.CodeAnalysis.CSharp.Syntax;
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
        // One pass binds everything once and yields the compiler's diagnostics and the analyzer's.
        var analyzer = new ZeroDerivativeAnalyzer();
        var analyzerIds = analyzer.SupportedDiagnostics.Select(d => d.Id).Append("AD0001").ToHashSet();
        var all = output.WithAnalyzers(ImmutableArray.Create<DiagnosticAnalyzer>(analyzer))
            .GetAllDiagnosticsAsync().GetAwaiter().GetResult();
        // Placeholders (the signatures of a method with errors, Pipeline/Placeholders) are not generated derivatives.
        var generated = result.GeneratedTrees.Select(t => (HintName: Path.GetFileName(t.FilePath), Text: t.ToString())).ToArray();
        bool IsPlaceholder((string HintName, string Text) file) => file.Text.Contains(Pipeline.Placeholders.Marker, StringComparison.Ordinal);
        return new GeneratorOutcome(
            generatorDiagnostics.AddRange(all.Where(d => analyzerIds.Contains(d.Id))),
            generated.Where(f => !IsPlaceholder(f)).ToArray(),
            all.Where(d => !analyzerIds.Contains(d.Id) && d.Severity >= DiagnosticSeverity.Warning).ToImmutableArray(),
            output)
        {
            Placeholders = generated.Where(IsPlaceholder).ToArray(),
        };
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
        // Errors anywhere fail; so do warnings in generated code, unless the method the code was generated from has the
        // same warning (the forward sweep mirrors the user's statements, e.g. CS1718 for 'x < x'). Per method: the
        // property test compiles 100 programs at once, and one program's 'x < x' must not excuse another's generated code.
        var compilationDiagnostics = emit.Diagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList();
        var userWarnings = compilationDiagnostics.Where(d => !IsGenerated(d)).Select(d => (MethodOf(d), d.Id)).ToHashSet();
        var problems = generatorDiagnostics.Where(d => d.Severity == DiagnosticSeverity.Error)
            .Concat(compilationDiagnostics.Where(d => d.Severity == DiagnosticSeverity.Error || (IsGenerated(d) && !userWarnings.Contains((MethodOf(d), d.Id)))))
            .ToList();
        if (problems.Count > 0 || !emit.Success)
            throw new InvalidOperationException("Compilation failed:\n" + string.Join("\n", problems) + "\n\n" + string.Join("\n\n", result.GeneratedTrees.Select(t => t.ToString())));
        stream.Position = 0;
        var context = new AssemblyLoadContext("generated" + Guid.NewGuid().ToString("N"), isCollectible: true);
        return context.LoadFromStream(stream);
    }

    private static bool IsGenerated(Diagnostic diagnostic) => diagnostic.Location.SourceTree?.FilePath.Contains("Backprop.Generator") == true;

    /// <summary>
    /// 'Type.Method' of a diagnostic's location: from the hint name of a generated file ('Programs.F3.g.cs',
    /// 'Demo.Model.Sum(double,double).g.cs'), or from the declarations around it in the user's code.
    /// </summary>
    private static string? MethodOf(Diagnostic diagnostic)
    {
        var tree = diagnostic.Location.SourceTree;
        if (tree is null) return null;
        if (IsGenerated(diagnostic))
        {
            string hint = Path.GetFileName(tree.FilePath);
            hint = hint.Substring(0, hint.IndexOf('(') is >= 0 and int open ? open : hint.Length - ".g.cs".Length);
            var parts = hint.Split('.');
            return parts.Length >= 2 ? parts[^2] + "." + parts[^1] : hint;
        }
        var node = tree.GetRoot().FindNode(diagnostic.Location.SourceSpan);
        var method = node.AncestorsAndSelf().OfType<MethodDeclarationSyntax>().FirstOrDefault();
        var type = node.AncestorsAndSelf().OfType<TypeDeclarationSyntax>().FirstOrDefault();
        return method is null || type is null ? null : type.Identifier.Text + "." + method.Identifier.Text;
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
    Compilation Output)
{
    /// <summary>The placeholder files of methods with errors (their gradient's and pullback's signatures only).</summary>
    public IReadOnlyList<(string HintName, string Text)> Placeholders { get; init; } = Array.Empty<(string, string)>();
}
