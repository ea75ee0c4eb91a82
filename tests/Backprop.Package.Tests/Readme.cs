using System;
using System.IO;

namespace Backprop.Package.Tests;

/// <summary>Code blocks of the README that tests run as written: each follows a <c>&lt;!-- tested: name --&gt;</c> line.</summary>
internal static class Readme
{
    private static readonly Lazy<string> s_text = new(() => File.ReadAllText(Path.Combine(Dotnet.Root, "README.md")).Replace("\r\n", "\n"));

    /// <summary>The text of the fenced block after the marker <paramref name="name"/>, without its fences.</summary>
    public static string Block(string name)
    {
        string text = s_text.Value, marker = "<!-- tested: " + name + " -->";
        int at = text.IndexOf(marker, StringComparison.Ordinal);
        if (at < 0) throw new InvalidOperationException("README.md has no " + marker);
        int fence = text.IndexOf("```", at, StringComparison.Ordinal);
        int start = text.IndexOf('\n', fence) + 1;
        int end = text.IndexOf("\n```", start, StringComparison.Ordinal);
        return text[start..(end + 1)];
    }
}
