using System.Reflection;

namespace Backprop.Generator.Helpers;

/// <summary>The generator's version (the package's), for <c>[GeneratedCode]</c>: generated code says what made it.</summary>
internal static class GeneratorVersion
{
    public static readonly string Value =
        typeof(GeneratorVersion).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? typeof(GeneratorVersion).Assembly.GetName().Version?.ToString(3)
        ?? "0.0.0";
}
