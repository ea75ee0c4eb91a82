using System.IO;
using Xunit;

namespace Backprop.Package.Tests;

/// <summary>The README's model-class example, pasted into a new console project that uses the package from a local feed.</summary>
public sealed class ModelClassExampleTests
{
    [Fact]
    public void ModelClassExample_AsPasted_BuildsAndPrintsWhatTheReadmeShows()
    {
        using var work = Dotnet.TempFolder("model-class-example");
        PackedPackage.WriteNuGetConfig(work.Path);
        string project = Path.Combine(work.Path, "MyModel");
        Directory.CreateDirectory(project);
        // What 'dotnet new console' makes, with the package added.
        File.WriteAllText(Path.Combine(project, "MyModel.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <ImplicitUsings>enable</ImplicitUsings>
                <Nullable>enable</Nullable>
                <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="Backprop.Gen" Version="{PackedPackage.Version}" />
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(project, "Program.cs"), Readme.Block("model-class-example"));

        Assert.Equal(Readme.Block("model-class-example-output"), Dotnet.Run(project, "run", "-c", "Release").Replace("\r\n", "\n"));
    }
}
