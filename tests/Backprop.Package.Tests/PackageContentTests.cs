using System.IO.Compression;
using System.Linq;
using System.Text.RegularExpressions;
using Xunit;
using Xunit.Abstractions;

namespace Backprop.Package.Tests;

/// <summary>What <c>dotnet pack src/Backprop</c> produces.</summary>
public sealed class PackageContentTests
{
    private readonly ITestOutputHelper _output;

    public PackageContentTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public void Package_HoldsRuntimeGeneratorCodeFixesAndReadme()
    {
        using var zip = ZipFile.OpenRead(PackedPackage.Path);
        var entries = zip.Entries.Select(e => e.FullName).ToList();
        Assert.Contains("lib/net8.0/Backprop.dll", entries);
        Assert.Contains("lib/net8.0/Backprop.xml", entries);
        Assert.Contains("analyzers/dotnet/cs/Backprop.Generator.dll", entries);
        Assert.Contains("analyzers/dotnet/cs/Backprop.Generator.CodeFixes.dll", entries);
        Assert.Contains("README.md", entries);
        _output.WriteLine($"{System.IO.Path.GetFileName(PackedPackage.Path)}: {new System.IO.FileInfo(PackedPackage.Path).Length / 1024.0:F0} KiB");
    }

    /// <summary>0.1.{commits}, with -dev.{UTC time} when the work tree has changes: a new version for every pack of a change.</summary>
    [Fact]
    public void Version_ComesFromTheRepository()
    {
        Assert.Matches(new Regex(@"^0\.1\.[1-9][0-9]*(-dev\.[0-9]{14})?$"), PackedPackage.Version);
    }
}
