using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using Xunit;

namespace Backprop.Package.Tests;

/// <summary>
/// Runs the dotnet CLI as a user would, in a folder of its own. NuGet writes only inside the repository and temp folders:
/// packages go to <c>artifacts/package-tests/packages</c> (kept between runs, so a second run downloads nothing), with the
/// user's own NuGet cache as a read-only fallback folder, and downloads are cached in <c>artifacts/package-tests/http-cache</c>.
/// </summary>
internal static class Dotnet
{
    /// <summary>The folder that holds <c>Backprop.Gen.sln</c>.</summary>
    public static readonly string Root = FindRoot();

    /// <summary>Where child builds restore packages (inside the repository, ignored by git).</summary>
    public static readonly string Packages = Path.Combine(Root, "artifacts", "package-tests", "packages");

    private static readonly string HttpCache = Path.Combine(Root, "artifacts", "package-tests", "http-cache");

    /// <summary>The user's NuGet cache, read before <see cref="Packages"/> replaces it for child processes.</summary>
    public static readonly Lazy<string> UserPackages = new(() =>
    {
        string listed = Run(Root, "nuget", "locals", "global-packages", "--list").Trim();
        return listed.Substring(listed.IndexOf(':') + 1).Trim();
    });

    /// <summary>Runs <c>dotnet arguments</c> in <paramref name="directory"/> and returns its standard output; fails the test on a non-zero exit.</summary>
    public static string Run(string directory, params string[] arguments) => Run(directory, TimeSpan.FromMinutes(5), arguments);

    public static string Run(string directory, TimeSpan timeout, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        // The test host's MSBuild settings must not leak into the child build.
        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase) || k.StartsWith("VSTEST", StringComparison.OrdinalIgnoreCase)).ToList())
            start.Environment.Remove(key);
        if (arguments[0] is "restore" or "build" or "run" or "publish" or "test")
        {
            start.Environment["NUGET_PACKAGES"] = Packages;
            start.Environment["NUGET_HTTP_CACHE_PATH"] = HttpCache;
            // Packages the user already has are read from their cache, not downloaded again.
            start.ArgumentList.Add("--property:RestoreAdditionalProjectFallbackFolders=" + UserPackages.Value);
        }
        return Execute(start, timeout, "dotnet " + string.Join(" ", arguments));
    }

    /// <summary>Runs a program and returns its standard output; fails the test on a non-zero exit.</summary>
    public static string Execute(ProcessStartInfo start, TimeSpan timeout, string description)
    {
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail(description + " did not finish within " + timeout + ":\n" + stdout.Result + stderr.Result);
        }
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, description + " exited with " + process.ExitCode + ":\n" + stdout.Result + stderr.Result);
        return stdout.Result;
    }

    /// <summary>A new empty folder under the temp folder, deleted by <see cref="IDisposable.Dispose"/>.</summary>
    public static TempFolder TempFolder(string name) => new(Path.Combine(Path.GetTempPath(), "backprop-" + name + "-" + Guid.NewGuid().ToString("N")[..8]));

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
            if (File.Exists(Path.Combine(directory.FullName, "Backprop.Gen.sln"))) return directory.FullName;
        throw new InvalidOperationException("Backprop.Gen.sln not found above " + AppContext.BaseDirectory);
    }
}

internal sealed class TempFolder : IDisposable
{
    public TempFolder(string path)
    {
        Path = path;
        Directory.CreateDirectory(path);
    }

    public string Path { get; }

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
