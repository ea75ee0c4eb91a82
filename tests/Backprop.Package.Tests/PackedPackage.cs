using System;
using System.IO;
using System.Linq;

namespace Backprop.Package.Tests;

/// <summary>
/// Backprop.Gen packed once per test run (as <c>dotnet pack src/Backprop -c Release -o feed</c>, with the version the
/// repository gives it), and the <c>nuget.config</c> that makes that feed a package source.
/// </summary>
internal static class PackedPackage
{
    private static readonly Lazy<(string Feed, string Version, string Path)> s_package = new(() =>
    {
        string feed = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "backprop-feed-" + Guid.NewGuid().ToString("N")[..8]);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => { try { Directory.Delete(feed, recursive: true); } catch (IOException) { } };
        // Earlier runs' packs of Backprop.Gen are not needed again: each pack has a version of its own.
        string earlier = System.IO.Path.Combine(Dotnet.Packages, "backprop.gen");
        if (Directory.Exists(earlier)) Directory.Delete(earlier, recursive: true);
        Dotnet.Run(Dotnet.Root, "pack", "src/Backprop/Backprop.csproj", "-c", "Release", "--no-build", "-o", feed);
        string package = Directory.GetFiles(feed, "Backprop.Gen.*.nupkg").Single();
        string version = System.IO.Path.GetFileNameWithoutExtension(package)["Backprop.Gen.".Length..];
        return (feed, version, package);
    });

    /// <summary>The folder the package was packed into.</summary>
    public static string Feed => s_package.Value.Feed;

    /// <summary>The version the repository gave it.</summary>
    public static string Version => s_package.Value.Version;

    /// <summary>The .nupkg file.</summary>
    public static string Path => s_package.Value.Path;

    /// <summary>The <c>nuget.config</c> the README tells a user to put beside a project: the feed added to the machine's sources.</summary>
    public static void WriteNuGetConfig(string folder) => File.WriteAllText(System.IO.Path.Combine(folder, "nuget.config"), $"""
        <?xml version="1.0" encoding="utf-8"?>
        <configuration>
          <packageSources>
            <add key="backprop-local" value="{Feed}" />
          </packageSources>
        </configuration>
        """);
}
