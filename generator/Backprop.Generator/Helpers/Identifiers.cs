using System.Text.RegularExpressions;

namespace Backprop.Generator.Helpers;

/// <summary>Whole-word searches for identifiers in emitted C# (the peephole passes work on text).</summary>
internal static class Identifiers
{
    /// <summary>Whether <paramref name="text"/> mentions the identifier <paramref name="name"/>.</summary>
    public static bool Mention(string text, string name) => Regex.IsMatch(text, Word(name));

    /// <summary>Whether <paramref name="text"/> reads <paramref name="name"/>: any mention but the target of a plain <c>=</c>.</summary>
    public static bool Read(string text, string name) => Regex.IsMatch(text, Word(name) + @"(?!\s*=(?!=))");

    /// <summary>Whether the line assigns <paramref name="name"/> (<c>=</c>, <c>+=</c>, …) or passes it by <c>ref</c>.</summary>
    public static bool Written(string line, string name) =>
        Regex.IsMatch(line, "^" + Regex.Escape(name) + @"\s*[-+*/]?=[^=]") || Regex.IsMatch(line, @"\bref\s+" + Regex.Escape(name) + @"\b");

    /// <summary>Whether <paramref name="text"/> mentions <paramref name="name"/> other than as <c>name.Length</c>.</summary>
    public static bool MentionBeyondLength(string text, string name) => Regex.IsMatch(text, Word(name) + @"(?!\.Length\b)");

    /// <summary>Replaces every mention of <paramref name="from"/> by <paramref name="to"/>.</summary>
    public static string Rename(string text, string from, string to) => Regex.Replace(text, Word(from), to);

    private static string Word(string name) => @"\b" + Regex.Escape(name) + @"\b";
}
