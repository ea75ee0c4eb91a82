using System;
using System.IO;
using System.Linq;

namespace Backprop.Generator.Tests;

/// <summary>Files of the repository that tests read: samples, docs, release tracking, other test projects' sources.</summary>
internal static class Repository
{
    private static readonly Lazy<string> s_root = new(() =>
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Backprop.Gen.sln"))) return directory.FullName;
        }
        throw new InvalidOperationException("No folder above " + AppContext.BaseDirectory + " contains Backprop.Gen.sln.");
    });

    /// <summary>The folder that holds <c>Backprop.Gen.sln</c>.</summary>
    public static string Root => s_root.Value;

    /// <summary>A path below the root, e.g. <c>PathOf("samples", "SimpleNN", "Model.cs")</c>.</summary>
    public static string PathOf(params string[] parts) => Path.Combine(parts.Prepend(Root).ToArray());
}
