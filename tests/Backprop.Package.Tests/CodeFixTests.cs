using System.IO;
using Xunit;

namespace Backprop.Package.Tests;

/// <summary>
/// The package's code fixes, loaded from its <c>analyzers/dotnet/cs</c> by the SDK's own Roslyn. <c>dotnet format</c>
/// hosts analyzers and code fixes the way the IDE does; the code fixes are built against Roslyn 4.14 and must load in the
/// SDK's newer one. It applies fixes of analyzer diagnostics only, so BPG016's is the one it can show (the generator's
/// diagnostics get their light bulbs in the IDE, which the code-fix tests stand in for).
/// </summary>
public sealed class CodeFixTests
{
    [Fact]
    public void DotnetFormat_LoadsTheCodeFixes_AndMarksAZeroDerivativeParameterNoDerivative()
    {
        using var work = Dotnet.TempFolder("code-fix");
        PackedPackage.WriteNuGetConfig(work.Path);
        string project = Path.Combine(work.Path, "MyModel");
        Directory.CreateDirectory(project);
        File.WriteAllText(Path.Combine(project, "MyModel.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="Backprop.Gen" Version="{PackedPackage.Version}" />
              </ItemGroup>
            </Project>
            """);
        string model = Path.Combine(project, "Model.cs");
        File.WriteAllText(model, """
            using Backprop;

            public static partial class Model
            {
                [Differentiable]
                public static double Relu(double w, double threshold, [NoDerivative] double x)
                {
                    double z = w * x;
                    return z > threshold ? z : 0.0;
                }
            }
            """);

        Dotnet.Run(project, "restore");
        Dotnet.Run(project, "format", "analyzers", "--no-restore", "--diagnostics", "BPG016", "--severity", "warn");

        Assert.Equal("""
            using Backprop;

            public static partial class Model
            {
                [Differentiable]
                public static double Relu(double w, [NoDerivative] double threshold, [NoDerivative] double x)
                {
                    double z = w * x;
                    return z > threshold ? z : 0.0;
                }
            }
            """, File.ReadAllText(model));
    }
}
