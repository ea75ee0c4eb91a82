using System;
using System.IO;
using System.Runtime.InteropServices;
using Xunit;

namespace Backprop.Package.Tests;

/// <summary>The README's first example, pasted into a new console project that uses the package from a local feed.</summary>
public sealed class FirstExampleTests
{
    /// <summary>
    /// The project <c>dotnet new console</c> makes, with the package added, built for each target framework the
    /// package supports. .NET 10 runs on the SDK's runtime; .NET 8 and 9 run self-contained (their runtime packs come
    /// from NuGet), so each runs on its own runtime.
    /// </summary>
    [Fact]
    public void FirstExample_AsPasted_BuildsAndRuns_OnNet8Net9AndNet10()
    {
        using var work = Dotnet.TempFolder("first-example");
        PackedPackage.WriteNuGetConfig(work.Path);
        string project = Path.Combine(work.Path, "MyModel");
        Directory.CreateDirectory(project);
        File.WriteAllText(Path.Combine(project, "MyModel.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFrameworks>net8.0;net9.0;net10.0</TargetFrameworks>
                <ImplicitUsings>enable</ImplicitUsings>
                <Nullable>enable</Nullable>
                <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
                <!-- Only the runtime pack of the framework used, not also ASP.NET Core's. -->
                <DisableTransitiveFrameworkReferenceDownloads>true</DisableTransitiveFrameworkReferenceDownloads>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="Backprop.Gen" Version="{PackedPackage.Version}" />
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(project, "Program.cs"), Readme.Block("first-example"));
        string expected = Readme.Block("first-example-output");

        Assert.Equal(expected, Dotnet.Run(project, "run", "-c", "Release", "-f", "net10.0").Replace("\r\n", "\n"));
        foreach (string framework in new[] { "net8.0", "net9.0" })
        {
            string output = Path.Combine(work.Path, "out-" + framework);
            Dotnet.Run(project, "publish", "-c", "Release", "-f", framework, "-r", RuntimeInformation.RuntimeIdentifier, "--self-contained", "-o", output);
            string printed = Dotnet.Execute(new System.Diagnostics.ProcessStartInfo(Path.Combine(output, "MyModel")), TimeSpan.FromMinutes(1), "MyModel (" + framework + ")");
            Assert.Equal(expected, printed.Replace("\r\n", "\n"));
            string runtimeConfig = File.ReadAllText(Path.Combine(output, "MyModel.runtimeconfig.json"));
            Assert.Contains("\"version\": \"" + framework[3] + ".0.", runtimeConfig);
        }
    }
}
