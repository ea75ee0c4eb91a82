using System.Globalization;
using System.Text;
using Microsoft.CodeAnalysis.CSharp;

namespace Backprop.Generator.Helpers;

/// <summary>
/// Whole-word searches for identifiers in emitted C# (the peephole passes work on text). Hand-written scans with the
/// semantics of the regular expression <c>\bname\b</c>: a pattern per identifier thrashed the regex cache and was a
/// third of the emit step's time.
/// </summary>
internal static class Identifiers
{
    /// <summary>
    /// The C# spelling of an identifier: a reserved keyword (<c>params</c>, <c>event</c>) gets <c>@</c>. Every name the
    /// generator takes from the source or derives from it is printed through this.
    /// </summary>
    public static string Escape(string name) =>
        SyntaxFacts.GetKeywordKind(name) != SyntaxKind.None ? "@" + name : name;

    /// <summary>The identifier without its verbatim <c>@</c>, to derive other names from (<c>@params</c> → <c>dParams</c>).</summary>
    public static string Bare(string name) => name.Length > 0 && name[0] == '@' ? name.Substring(1) : name;

    /// <summary>
    /// A fresh local name derived from <paramref name="name"/>, added to <paramref name="taken"/>: source names lose their
    /// verbatim <c>@</c> (<c>@event</c> → <c>eventOld</c>), and a clash or a keyword (<c>fixed</c> from a method <c>Fixed</c>)
    /// gets a number.
    /// </summary>
    public static string Reserve(System.Collections.Generic.HashSet<string> taken, string name)
    {
        name = name.Replace("@", "");
        string unique = name;
        for (int i = 2; IsKeyword(unique) || !taken.Add(unique); i++) unique = name + i;
        return unique;
    }

    /// <summary><c>w</c> → <c>W</c>, <c>@params</c> → <c>Params</c>: for derived names such as <c>dW</c>, <c>tW</c>.</summary>
    public static string Capitalized(string name)
    {
        name = Bare(name);
        return char.ToUpperInvariant(name[0]) + name.Substring(1);
    }

    /// <summary>Whether <paramref name="name"/> is a reserved keyword, which can only be used as a name with <c>@</c>.</summary>
    public static bool IsKeyword(string name) => SyntaxFacts.GetKeywordKind(name) != SyntaxKind.None;

    /// <summary>Whether <paramref name="text"/> mentions the identifier <paramref name="name"/>.</summary>
    public static bool Mention(string text, string name) => Next(text, name, 0) >= 0;

    /// <summary>Whether <paramref name="text"/> reads <paramref name="name"/>: any mention but the target of a plain <c>=</c>.</summary>
    public static bool Read(string text, string name)
    {
        for (int at = Next(text, name, 0); at >= 0; at = Next(text, name, at + name.Length))
        {
            int after = SkipSpaces(text, at + name.Length);
            bool assigned = after < text.Length && text[after] == '=' && (after + 1 >= text.Length || text[after + 1] != '=');
            if (!assigned) return true;
        }
        return false;
    }

    /// <summary>Whether the line assigns <paramref name="name"/> (<c>=</c>, <c>+=</c>, …) or passes it by <c>ref</c>.</summary>
    public static bool Written(string line, string name)
    {
        if (line.StartsWith(name, System.StringComparison.Ordinal))
        {
            int at = SkipSpaces(line, name.Length);
            if (at < line.Length && line[at] is '-' or '+' or '*' or '/') at++;
            if (at + 1 < line.Length && line[at] == '=' && line[at + 1] != '=') return true;
        }
        for (int at = Next(line, "ref", 0); at >= 0; at = Next(line, "ref", at + 3))
        {
            int start = SkipSpaces(line, at + 3);
            if (start > at + 3 && Next(line, name, start) == start) return true;
        }
        return false;
    }

    /// <summary>Whether <paramref name="text"/> mentions <paramref name="name"/> other than as <c>name.Length</c>.</summary>
    public static bool MentionBeyondLength(string text, string name)
    {
        const string length = ".Length";
        for (int at = Next(text, name, 0); at >= 0; at = Next(text, name, at + name.Length))
        {
            int after = at + name.Length;
            bool isLength = string.CompareOrdinal(text, after, length, 0, length.Length) == 0 && Boundary(text, after + length.Length);
            if (!isLength) return true;
        }
        return false;
    }

    /// <summary>Replaces every mention of <paramref name="from"/> by <paramref name="to"/>.</summary>
    public static string Rename(string text, string from, string to)
    {
        int at = Next(text, from, 0);
        if (at < 0) return text;
        var result = new StringBuilder(text.Length + 16);
        int copied = 0;
        for (; at >= 0; at = Next(text, from, at + from.Length))
        {
            result.Append(text, copied, at - copied).Append(to);
            copied = at + from.Length;
        }
        return result.Append(text, copied, text.Length - copied).ToString();
    }

    /// <summary>The index of the next mention of <paramref name="name"/> at or after <paramref name="start"/>, or -1.</summary>
    private static int Next(string text, string name, int start)
    {
        if (name.Length == 0) return -1;
        for (int at = text.IndexOf(name, start, System.StringComparison.Ordinal); at >= 0; at = text.IndexOf(name, at + 1, System.StringComparison.Ordinal))
        {
            // A verbatim name (@event) starts with a non-word character: only a word character before it joins it to another word.
            bool begins = name[0] == '@' ? at == 0 || !IsWord(text[at - 1]) : Boundary(text, at);
            if (begins && Boundary(text, at + name.Length)) return at;
        }
        return -1;
    }

    /// <summary>Regex <c>\b</c>: a word character on exactly one side of <paramref name="at"/>.</summary>
    private static bool Boundary(string text, int at) =>
        (at > 0 && IsWord(text[at - 1])) != (at < text.Length && IsWord(text[at]));

    /// <summary>Regex <c>\w</c>: letters, digits, connector punctuation and non-spacing marks.</summary>
    private static bool IsWord(char c) => char.IsLetterOrDigit(c) || char.GetUnicodeCategory(c) is
        UnicodeCategory.ConnectorPunctuation or UnicodeCategory.NonSpacingMark;

    private static int SkipSpaces(string text, int at)
    {
        while (at < text.Length && char.IsWhiteSpace(text[at])) at++;
        return at;
    }
}
