using Microsoft.CodeAnalysis.CSharp;

namespace Backprop.Generator.Helpers;

/// <summary>
/// Names in generated code: escaping source names, deriving fresh ones. (The adjoint program refers to names by typed
/// pieces, <see cref="Differentiation.Fragment"/>; nothing searches generated text for them.)
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
}
