using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Xunit;
using Xunit.Abstractions;

namespace Backprop.Generator.Tests;

/// <summary>
/// Clad's reverse-mode test suite ported to C# (tests/Backprop.Consumer.Tests/CladPort.*.cs, issue 16). The functions
/// the generator differentiates are checked against finite differences by the consumer tests; the ones it rejects sit
/// in <c>#if CLAD_PORT_REJECTED</c> blocks, each with a <c>// Rejected: BPGnnn at 'text'</c> line per diagnostic. Here
/// all of them are compiled together: the generator reports exactly the listed diagnostics, on that text, inside that
/// function, and nothing else (no internal error, no warning in generated code).
/// </summary>
public sealed class CladPortDiagnosticTests
{
    private static readonly Regex Rejected = new(@"^\s*// Rejected: (BPG\d{3}) at '(.*)'\s*$");

    private readonly ITestOutputHelper _output;

    public CladPortDiagnosticTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public void RejectedFunctions_GetExactlyTheListedDiagnostics_OnTheirConstructs()
    {
        var files = Directory.GetFiles(Repository.PathOf("tests", "Backprop.Consumer.Tests"), "CladPort.*.cs").OrderBy(f => f, StringComparer.Ordinal).ToArray();
        Assert.NotEmpty(files);
        var sources = files.Select(f => File.ReadAllText(f).Replace("#if CLAD_PORT_REJECTED", "#if true", StringComparison.Ordinal)).ToArray();
        var outcome = GeneratorHarness.Run(sources);

        // Expected: the annotations, each attached to the member declared after it.
        var expected = new List<string>();
        var rejectedMethods = new HashSet<string>();
        var trees = sources.Select((s, i) => CSharpSyntaxTree.ParseText(s, GeneratorHarness.ParseOptions, path: "Source" + i + ".cs")).ToArray();
        for (int i = 0; i < sources.Length; i++)
        {
            var lines = sources[i].Split('\n');
            var pending = new List<(string Id, string Text)>();
            int offset = 0;
            foreach (var line in lines)
            {
                if (Rejected.Match(line) is { Success: true } match) pending.Add((match.Groups[1].Value, match.Groups[2].Value));
                else if (pending.Count > 0 && !line.TrimStart().StartsWith("//", StringComparison.Ordinal) && line.Trim().Length > 0
                    && MemberAt(trees[i], offset + line.Length - line.TrimStart().Length) is { } member)
                {
                    string name = Path.GetFileName(files[i]) + ":" + member;
                    rejectedMethods.Add(name);
                    expected.AddRange(pending.Select(p => name + " " + p.Id + " at '" + p.Text + "'"));
                    pending.Clear();
                }
                offset += line.Length + 1;
            }
            Assert.Empty(pending);
        }

        var errors = outcome.GeneratorDiagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        Assert.DoesNotContain(errors, d => d.Id == "BPG017");
        var actual = errors.Select(d =>
        {
            int file = int.Parse(Path.GetFileNameWithoutExtension(d.Location.GetLineSpan().Path).Substring("Source".Length), CultureInfo.InvariantCulture);
            string text = sources[file].Substring(d.Location.SourceSpan.Start, d.Location.SourceSpan.Length).ReplaceLineEndings(" ");
            return Path.GetFileName(files[file]) + ":" + MemberAt(trees[file], d.Location.SourceSpan.Start) + " " + d.Id + " at '" + text + "'";
        }).Distinct().ToList();
        Assert.Equal(string.Join("\n", expected.Distinct().OrderBy(s => s, StringComparer.Ordinal)), string.Join("\n", actual.OrderBy(s => s, StringComparer.Ordinal)));

        // The generated code of the functions that are differentiated compiles cleanly beside the rejected ones.
        Assert.Empty(outcome.CompilationDiagnostics.Where(d => d.Severity == DiagnosticSeverity.Error || d.Location.SourceTree?.FilePath.Contains("Backprop.Generator", StringComparison.Ordinal) == true));

        // The measurement: differentiated and rejected functions per Clad file, rejections by diagnostic.
        foreach (var (file, (tree, source)) in files.Zip(trees.Zip(sources)))
        {
            var marked = tree.GetRoot().DescendantNodes().OfType<MethodDeclarationSyntax>()
                .Where(m => m.AttributeLists.SelectMany(a => a.Attributes).Any(a => a.Name.ToString() == "Differentiable"))
                .Select(m => Path.GetFileName(file) + ":" + Describe(m)).ToList();
            // Every function in a rejected block has a diagnostic of its own, and every rejected function is in one.
            Assert.Equal(marked.Where(rejectedMethods.Contains).OrderBy(m => m, StringComparer.Ordinal), InRejectedBlocks(file, tree, source).OrderBy(m => m, StringComparer.Ordinal));
            var byId = actual.Where(a => a.StartsWith(Path.GetFileName(file) + ":", StringComparison.Ordinal))
                .GroupBy(a => a.Split(' ')[1]).Select(g => g.Key + " " + g.Select(a => a.Split(' ')[0]).Distinct().Count());
            _output.WriteLine($"{Path.GetFileName(file)}: {marked.Count} functions, {marked.Count(m => !rejectedMethods.Contains(m))} differentiated, {marked.Count(rejectedMethods.Contains)} rejected ({string.Join(", ", byId)})");
        }
    }

    /// <summary>The [Differentiable] functions between '#if CLAD_PORT_REJECTED' (here '#if true') and '#endif'.</summary>
    private static IEnumerable<string> InRejectedBlocks(string file, SyntaxTree tree, string text)
    {
        for (int start = text.IndexOf("#if true", StringComparison.Ordinal); start >= 0; start = text.IndexOf("#if true", start + 1, StringComparison.Ordinal))
        {
            int end = text.IndexOf("#endif", start, StringComparison.Ordinal);
            foreach (var method in tree.GetRoot().DescendantNodes().OfType<MethodDeclarationSyntax>())
                if (method.SpanStart > start && method.SpanStart < end && method.AttributeLists.SelectMany(a => a.Attributes).Any(a => a.Name.ToString() == "Differentiable"))
                    yield return Path.GetFileName(file) + ":" + Describe(method);
        }
    }

    private static string? MemberAt(SyntaxTree tree, int position)
    {
        var node = tree.GetRoot().FindToken(position).Parent;
        var member = node?.AncestorsAndSelf().FirstOrDefault(n => n is BaseMethodDeclarationSyntax or BaseTypeDeclarationSyntax);
        return member switch
        {
            MethodDeclarationSyntax method => Describe(method),
            BaseTypeDeclarationSyntax type => type.Identifier.Text,
            BaseMethodDeclarationSyntax other => other.Ancestors().OfType<BaseTypeDeclarationSyntax>().First().Identifier.Text + "." + other.Kind(),
            _ => null,
        };
    }

    private static string Describe(MethodDeclarationSyntax method) =>
        method.Ancestors().OfType<BaseTypeDeclarationSyntax>().First().Identifier.Text + "." + method.Identifier.Text;
}
