using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Backprop.Generator;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Testing;

namespace Backprop.CodeFixes.Tests;

/// <summary>
/// A code-fix test as the IDE runs it: the generator and the analyzer that ship in the package report their
/// diagnostics, the fix is applied (one at a time and Fix All), and the fixed code is compiled again with the
/// generator, which must then report exactly <c>FixedState.ExpectedDiagnostics</c> and no compiler error.
/// </summary>
internal sealed class CodeFixTest<TCodeFix> : CSharpCodeFixTest<ZeroDerivativeAnalyzer, TCodeFix, DefaultVerifier>
    where TCodeFix : CodeFixProvider, new()
{
    public CodeFixTest(string source, string fixedSource)
    {
        TestCode = source;
        FixedCode = fixedSource;
        // The running runtime's assemblies and Backprop.dll, as the generator tests compile with: nothing is downloaded.
        ReferenceAssemblies = new ReferenceAssemblies("net10.0");
        TestState.AdditionalReferences.AddRange(s_references.Value);
        // The gradients the generator emits are checked by the generator's own tests, not here.
        TestBehaviors |= TestBehaviors.SkipGeneratedSourcesCheck;
    }

    private static readonly Lazy<MetadataReference[]> s_references = new(() =>
        ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Where(p => Path.GetFileName(p).StartsWith("System", StringComparison.Ordinal) || Path.GetFileName(p) is "mscorlib.dll" or "netstandard.dll")
            .Append(typeof(DifferentiableAttribute).Assembly.Location)
            .Distinct()
            .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))
            .ToArray());

    protected override IEnumerable<Type> GetSourceGenerators() => new[] { typeof(DifferentiableGenerator) };

    /// <summary>
    /// The generator's diagnostics carry a file path and a span, not a syntax tree (its pipeline keeps no Roslyn
    /// objects). The IDE places such a diagnostic in the document with that path before it asks for code fixes
    /// (<c>IsReportedInDocument</c> in Roslyn's diagnostic service); the testing library only fixes diagnostics in a
    /// tree, so this does what the IDE does.
    /// </summary>
    protected override async Task<(Compilation compilation, ImmutableArray<Diagnostic> generatorDiagnostics)> GetProjectCompilationAsync(Project project, IVerifier verifier, CancellationToken cancellationToken)
    {
        var (compilation, generatorDiagnostics) = await base.GetProjectCompilationAsync(project, verifier, cancellationToken);
        return (compilation, generatorDiagnostics.Select(d => InSource(d, compilation)).ToImmutableArray());
    }

    private static Diagnostic InSource(Diagnostic diagnostic, Compilation compilation)
    {
        if (diagnostic.Location.Kind != LocationKind.ExternalFile) return diagnostic;
        var path = diagnostic.Location.GetLineSpan().Path;
        var tree = compilation.SyntaxTrees.FirstOrDefault(t => t.FilePath == path);
        if (tree is null) return diagnostic;
        // The message is already formatted: it becomes the format of a descriptor with the same ID, as the IDE's
        // DiagnosticData keeps only the formatted message too.
        var descriptor = diagnostic.Descriptor;
        var placed = new DiagnosticDescriptor(descriptor.Id, descriptor.Title, diagnostic.GetMessage(CultureInfo.InvariantCulture).Replace("{", "{{").Replace("}", "}}"),
            descriptor.Category, descriptor.DefaultSeverity, descriptor.IsEnabledByDefault, descriptor.Description, descriptor.HelpLinkUri, descriptor.CustomTags.ToArray());
        return Microsoft.CodeAnalysis.Diagnostic.Create(placed, Location.Create(tree, diagnostic.Location.SourceSpan), diagnostic.Severity, diagnostic.AdditionalLocations, diagnostic.Properties);
    }

    /// <summary>The diagnostic <paramref name="id"/> at the markup location <c>{|#n:…|}</c>.</summary>
    public static DiagnosticResult Diagnostic(string id, int location = 0, DiagnosticSeverity severity = DiagnosticSeverity.Error) =>
        new DiagnosticResult(id, severity).WithLocation(location);
}
