using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using Xunit;
using Xunit.Abstractions;

namespace Backprop.Package.Tests;

/// <summary>A sample published as a NativeAOT (and so trimmed) executable, as the README tells a user to do it, and run.</summary>
public sealed class NativeAotTests
{
    private readonly ITestOutputHelper _output;

    public NativeAotTests(ITestOutputHelper output) => _output = output;

    [NativeAotFact]
    public void SimpleNN_PublishesWithNativeAotWithoutWarnings_AndRuns()
    {
        using var work = Dotnet.TempFolder("nativeaot");
        string output = Path.Combine(work.Path, "out");
        // The sample's project file says <PublishAot>true</PublishAot>; its build goes to the temp folder, so the
        // test does not touch the repository's bin and obj folders, which other test projects' builds use.
        string log = Dotnet.Run(Dotnet.Root, TimeSpan.FromMinutes(10), "publish", "samples/SimpleNN/SimpleNN.csproj", "-c", "Release",
            "--artifacts-path", Path.Combine(work.Path, "artifacts"), "-o", output);
        Assert.DoesNotContain("warning", log, StringComparison.OrdinalIgnoreCase);

        string executable = Path.Combine(output, "SimpleNN");
        Assert.True(File.Exists(executable), "No native executable in " + output + ": " + string.Join(", ", Directory.GetFiles(output).Select(Path.GetFileName)));
        Assert.False(File.Exists(Path.Combine(output, "SimpleNN.dll")), "The publish output holds IL, not only native code.");

        var watch = Stopwatch.StartNew();
        string printed = Dotnet.Execute(new ProcessStartInfo(executable) { WorkingDirectory = work.Path }, TimeSpan.FromMinutes(1), "SimpleNN (NativeAOT)");
        watch.Stop();
        Assert.Contains("Reached mean loss", printed);
        Assert.True(File.Exists(Path.Combine(output, "SimpleNN-loss.png")), "The loss curve was not written beside the executable:\n" + printed);
        _output.WriteLine($"SimpleNN (NativeAOT): {new FileInfo(executable).Length / 1024.0 / 1024.0:F1} MiB executable, ran in {watch.ElapsedMilliseconds} ms (training included)");
    }
}

/// <summary>A fact that is skipped, saying why, where NativeAOT's native toolchain (clang or gcc, and objcopy) is missing.</summary>
public sealed class NativeAotFactAttribute : FactAttribute
{
    public NativeAotFactAttribute()
    {
        if (!RuntimeInformation.IsOSPlatform(OSPlatform.Linux))
            Skip = "The NativeAOT test runs on Linux (it publishes for the machine's own runtime identifier).";
        else if (!OnPath("clang") && !OnPath("gcc"))
            Skip = "NativeAOT needs clang (or gcc) on PATH: apt-get install clang (.ci/run installs it).";
        else if (!OnPath("objcopy") && !OnPath("llvm-objcopy"))
            Skip = "NativeAOT needs objcopy on PATH: apt-get install binutils (.ci/run installs it).";
    }

    private static bool OnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator).Any(d => d.Length > 0 && File.Exists(Path.Combine(d, program)));
}
