using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Backprop.Generator.Tests;

/// <summary>
/// The diagnostic IDs that tests assert are reported, read from the test sources with Roslyn, so that a descriptor
/// whose every test was deleted, commented out or skipped is noticed. An ID counts where its literal (<c>"BPG028"</c>)
/// sits in a call to <c>Verify</c> or <c>At</c> (the helpers of <see cref="DiagnosticTests"/>), or in
/// <c>Assert.Contains</c>, <c>Assert.Single</c> or <c>Assert.Equal</c>, that call being the nearest one around the
/// literal, inside a [Fact] or [Theory] method that is not skipped. Comments, helper methods, <c>[InlineData]</c>
/// and <c>Assert.DoesNotContain</c> do not count.
/// </summary>
internal static class AssertedDiagnosticIds
{
    private static readonly Regex s_id = new("^BPG[0-9]{3}$", RegexOptions.CultureInvariant);

    private static readonly string[] s_helpers = { "Verify", "At" };

    private static readonly string[] s_assertions = { "Contains", "Single", "Equal" };

    private static readonly string[] s_notTestSources = { "bin", "obj", "Snapshots" };

    /// <summary>Each asserted ID with the tests (<c>Class.Method</c>) that assert it.</summary>
    public static IReadOnlyDictionary<string, List<string>> In(IEnumerable<string> sources)
    {
        var asserted = new SortedDictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var source in sources)
        {
            var root = CSharpSyntaxTree.ParseText(source, GeneratorHarness.ParseOptions).GetRoot();
            foreach (var method in root.DescendantNodes().OfType<MethodDeclarationSyntax>().Where(RunsAsTest))
            {
                string test = (method.Parent as TypeDeclarationSyntax)?.Identifier.Text + "." + method.Identifier.Text;
                foreach (var literal in method.DescendantNodes().OfType<LiteralExpressionSyntax>())
                {
                    if (!literal.IsKind(SyntaxKind.StringLiteralExpression) || !s_id.IsMatch(literal.Token.ValueText)) continue;
                    var call = literal.Ancestors().TakeWhile(a => a != method).OfType<InvocationExpressionSyntax>().FirstOrDefault();
                    if (call is null || !Asserts(call)) continue;
                    if (!asserted.TryGetValue(literal.Token.ValueText, out var tests)) asserted[literal.Token.ValueText] = tests = new List<string>();
                    if (!tests.Contains(test)) tests.Add(test);
                }
            }
        }
        return asserted;
    }

    /// <summary>Each ID that the tests in <paramref name="projectDirectory"/> assert, with the tests that assert it.</summary>
    public static IReadOnlyDictionary<string, List<string>> InProject(string projectDirectory) =>
        In(SourceFiles(projectDirectory).Select(file => File.ReadAllText(Path.Combine(projectDirectory, file))));

    /// <summary>The C# source files of a test project, relative to it, without build output and snapshots.</summary>
    public static IEnumerable<string> SourceFiles(string projectDirectory) =>
        Directory.EnumerateFiles(projectDirectory, "*.cs", SearchOption.AllDirectories)
            .Select(file => Path.GetRelativePath(projectDirectory, file))
            .Where(file => !file.Split(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar).Any(s_notTestSources.Contains));

    private static bool RunsAsTest(MethodDeclarationSyntax method)
    {
        var attributes = method.AttributeLists.SelectMany(list => list.Attributes)
            .Where(a => Name(a.Name) is "Fact" or "FactAttribute" or "Theory" or "TheoryAttribute")
            .ToList();
        return attributes.Count > 0
            && !attributes.Any(a => a.ArgumentList?.Arguments.Any(argument => argument.NameEquals?.Name.Identifier.Text == "Skip") == true);
    }

    private static bool Asserts(InvocationExpressionSyntax call) => call.Expression switch
    {
        SimpleNameSyntax helper => s_helpers.Contains(helper.Identifier.Text),
        MemberAccessExpressionSyntax { Expression: IdentifierNameSyntax { Identifier.Text: "Assert" } } member => s_assertions.Contains(member.Name.Identifier.Text),
        _ => false,
    };

    private static string Name(NameSyntax name) => name switch
    {
        QualifiedNameSyntax qualified => qualified.Right.Identifier.Text,
        SimpleNameSyntax simple => simple.Identifier.Text,
        _ => name.ToString(),
    };
}
