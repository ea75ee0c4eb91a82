using System.IO;
using Xunit;

namespace Backprop.Package.Tests;

/// <summary>
/// The README's recipes for a user's own tests, followed in a new xunit project that holds the first example's model
/// and the model-class example's <c>Mlp</c>: a gradient check with <c>GradientCheck</c> of each (a flat point; a model's
/// registered members), and snapshots of the generated code written into the project.
/// </summary>
public sealed class UserTestRecipeTests
{
    [Fact]
    public void GradientCheckTest_Passes_AndTheGeneratedCodeIsWrittenWhereTheSnapshotRecipeSays()
    {
        using var work = Dotnet.TempFolder("user-tests");
        PackedPackage.WriteNuGetConfig(work.Path);
        string project = Path.Combine(work.Path, "MyModel.Tests");
        Directory.CreateDirectory(project);
        string firstExample = Readme.Block("first-example");
        File.WriteAllText(Path.Combine(project, "Model.cs"), "using Backprop;\n\n" + firstExample[firstExample.IndexOf("public static partial class Model", System.StringComparison.Ordinal)..]);
        File.WriteAllText(Path.Combine(project, "ModelGradientTests.cs"), Readme.Block("gradient-check-test"));
        string modelClassExample = Readme.Block("model-class-example");
        File.WriteAllText(Path.Combine(project, "Mlp.cs"), "using Backprop;\n\n" + modelClassExample[modelClassExample.IndexOf("public partial class Linear", System.StringComparison.Ordinal)..]);
        File.WriteAllText(Path.Combine(project, "MlpGradientTests.cs"), Readme.Block("model-gradient-check-test"));
        // What 'dotnet new xunit' makes, with the package and the README's snapshot settings added.
        File.WriteAllText(Path.Combine(project, "MyModel.Tests.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <TargetFramework>net10.0</TargetFramework>
                <ImplicitUsings>enable</ImplicitUsings>
                <Nullable>enable</Nullable>
                <IsPackable>false</IsPackable>
                <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="Microsoft.NET.Test.Sdk" Version="18.0.1" />
                <PackageReference Include="xunit" Version="2.9.3" />
                <PackageReference Include="xunit.runner.visualstudio" Version="3.1.5" />
                <PackageReference Include="Backprop.Gen" Version="{PackedPackage.Version}" />
              </ItemGroup>
            {Readme.Block("snapshot-settings")}</Project>
            """);

        string output = Dotnet.Run(project, "test", "-c", "Release");
        Assert.Contains("Passed!", output);
        Assert.Contains("Passed:     2", output);

        string snapshot = Path.Combine(project, Readme.Block("snapshot-file").Trim());
        Assert.True(File.Exists(snapshot), snapshot + " was not written:\n" + string.Join("\n", Directory.GetFiles(project, "*.g.cs", SearchOption.AllDirectories)));
        Assert.Contains("public static double LossGradient(", File.ReadAllText(snapshot));

        // A second build (the generated files are now in the project folder) compiles them once, not twice.
        Dotnet.Run(project, "build", "-c", "Release");
    }
}
