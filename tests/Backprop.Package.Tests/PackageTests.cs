using System;
using System.Collections;
using System.Diagnostics;
using System.IO;
using System.IO.Compression;
using System.Linq;
using Xunit;

namespace Backprop.Package.Tests;

/// <summary>Packs Backprop.Gen and uses it from a throwaway project through a local feed, as a user would.</summary>
public sealed class PackageTests
{
    private static readonly string Root = FindRoot();

    [Fact]
    public void Package_HoldsRuntimeAndGenerator_AndAConsumerBuildsAndRunsAGeneratedGradient()
    {
        string work = Path.Combine(Path.GetTempPath(), "backprop-package-" + Guid.NewGuid().ToString("N"));
        string feed = Path.Combine(work, "feed");
        string version = "0.1.0-test" + DateTime.UtcNow.ToString("yyyyMMddHHmmss");
        try
        {
            Run(Root, "pack", "src/Backprop/Backprop.csproj", "-c", "Release", "--no-build", "-o", feed, "-p:Version=" + version);
            string package = Directory.GetFiles(feed, "Backprop.Gen.*.nupkg").Single();
            using (var zip = ZipFile.OpenRead(package))
            {
                var entries = zip.Entries.Select(e => e.FullName).ToList();
                Assert.Contains("lib/net8.0/Backprop.dll", entries);
                Assert.Contains("analyzers/dotnet/cs/Backprop.Generator.dll", entries);
            }

            string consumer = Path.Combine(work, "Consumer");
            Directory.CreateDirectory(consumer);
            File.WriteAllText(Path.Combine(work, "nuget.config"), $"""
                <configuration>
                  <packageSources>
                    <clear />
                    <add key="local" value="{feed}" />
                  </packageSources>
                </configuration>
                """);
            File.WriteAllText(Path.Combine(consumer, "Consumer.csproj"), $"""
                <Project Sdk="Microsoft.NET.Sdk">
                  <PropertyGroup>
                    <OutputType>Exe</OutputType>
                    <TargetFramework>net10.0</TargetFramework>
                    <Nullable>enable</Nullable>
                    <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
                    <ImplicitUsings>enable</ImplicitUsings>
                  </PropertyGroup>
                  <ItemGroup>
                    <PackageReference Include="Backprop.Gen" Version="{version}" />
                  </ItemGroup>
                </Project>
                """);
            File.WriteAllText(Path.Combine(consumer, "Program.cs"), """
                using Backprop;

                double[] w = { 0.5, -0.25 };
                double[] x = { 2.0, 4.0 };
                double[] dW = new double[2];
                double loss = Model.LossGradient(w, x, 0.1, 1.0, dW, out double dB);
                Console.WriteLine(FormattableString.Invariant($"{loss:R} {dW[0]:R} {dW[1]:R} {dB:R}"));

                public static partial class Model
                {
                    [Differentiable]
                    public static double Loss(ReadOnlySpan<double> w, [NoDerivative] ReadOnlySpan<double> x, double b, [NoDerivative] double y)
                    {
                        double z = b;
                        for (int i = 0; i < w.Length; i++)
                            z += w[i] * x[i];
                        double a = Math.Tanh(z);
                        return 0.5 * (a - y) * (a - y);
                    }
                }
                """);

            string output = Run(consumer, "run", "-c", "Release", "--packages", Path.Combine(work, "packages"));
            var numbers = output.Trim().Split('\n').Last().Split(' ').Select(s => double.Parse(s, System.Globalization.CultureInfo.InvariantCulture)).ToArray();

            double z = 0.1 + 0.5 * 2.0 - 0.25 * 4.0, a = Math.Tanh(z), g = (a - 1.0) * (1 - a * a);
            Assert.Equal(0.5 * (a - 1.0) * (a - 1.0), numbers[0], 12);
            Assert.Equal(g * 2.0, numbers[1], 12);
            Assert.Equal(g * 4.0, numbers[2], 12);
            Assert.Equal(g, numbers[3], 12);
        }
        finally
        {
            try { Directory.Delete(work, recursive: true); } catch (IOException) { }
        }
    }

    private static string Run(string directory, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        // The test host's MSBuild settings must not leak into the child build.
        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase) || k.StartsWith("VSTEST", StringComparison.OrdinalIgnoreCase)).ToList())
            start.Environment.Remove(key);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(300_000)) process.Kill(entireProcessTree: true);
        string text = stdout.Result + stderr.Result;
        Assert.True(process.ExitCode == 0, "dotnet " + string.Join(" ", arguments) + " failed:\n" + text);
        return stdout.Result;
    }

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
            if (File.Exists(Path.Combine(directory.FullName, "Backprop.Gen.sln"))) return directory.FullName;
        throw new InvalidOperationException("Backprop.Gen.sln not found above " + AppContext.BaseDirectory);
    }
}
