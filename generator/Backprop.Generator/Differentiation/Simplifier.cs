using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;
using Backprop.Generator.Helpers;

namespace Backprop.Generator.Differentiation;

/// <summary>
/// Peephole clean-up of the reverse sweep. When a statement reads the variable it assigns (<c>s = s + t</c>),
/// the adjoint is captured and zeroed before the rules run; a pass-through derivative then adds it straight back
/// (<c>d = 0; d += dOut;</c>). That pair cancels, and a capture nobody reads afterwards goes too.
/// </summary>
internal static class Simplifier
{
    private static readonly Regex Capture = new(@"^\w+ (?<out>\w+) = (?<adj>\w+);$");

    public static List<Code> Simplify(List<Code> code)
    {
        var output = new List<Code>();
        for (int i = 0; i < code.Count; i++)
        {
            switch (code[i])
            {
                case CodeBlock block:
                    output.Add(new CodeBlock(block.Header, Simplify(block.Body), block.ElseBody is null ? null : Simplify(block.ElseBody)));
                    continue;
                case CodeLine line when i + 2 < code.Count && Capture.Match(line.Text) is { Success: true } match
                    && code[i + 1] is CodeLine { Text: var zero } && zero == match.Groups["adj"].Value + " = 0;"
                    && IndexOfPassThrough(code, i + 2, match.Groups["adj"].Value, match.Groups["out"].Value) is int passThrough and >= 0:
                    // d = d: the capture is still the adjoint's value, unless a later line adds to the adjoint.
                    string captured = match.Groups["out"].Value;
                    string adjoint = match.Groups["adj"].Value;
                    var rest = code.Skip(i + 2).Where((_, k) => k + i + 2 != passThrough).ToList();
                    if (!Writes(rest, adjoint)) rest = Rename(rest, captured, adjoint);
                    else if (Mentions(rest, captured)) output.Add(line);
                    output.AddRange(Simplify(rest));
                    return output;
                default:
                    output.Add(code[i]);
                    continue;
            }
        }
        return output;
    }

    private static int IndexOfPassThrough(List<Code> code, int start, string adjoint, string captured)
    {
        string text = adjoint + " += " + captured + ";";
        for (int i = start; i < code.Count; i++)
        {
            if (code[i] is CodeLine line && line.Text == text) return i;
            if (code[i] is not CodeLine other || other.Text.StartsWith(adjoint + " ", System.StringComparison.Ordinal)) return -1;
        }
        return -1;
    }

    /// <summary>Whether any line may change <paramref name="adjoint"/>: an assignment to it or a <c>ref</c> argument.</summary>
    private static bool Writes(List<Code> code, string adjoint) => code.Any(item => item switch
    {
        CodeLine line => Identifiers.Written(line.Text, adjoint),
        CodeBlock block => Writes(block.Body, adjoint) || (block.ElseBody is not null && Writes(block.ElseBody, adjoint)),
        _ => false,
    });

    private static List<Code> Rename(List<Code> code, string from, string to) => code.Select(item => item switch
    {
        CodeLine line => new CodeLine(Identifiers.Rename(line.Text, from, to)),
        CodeBlock block => new CodeBlock(Identifiers.Rename(block.Header, from, to), Rename(block.Body, from, to), block.ElseBody is null ? null : Rename(block.ElseBody, from, to)),
        _ => item,
    }).ToList();

    private static bool Mentions(List<Code> code, string name) => code.Any(item => item switch
    {
        CodeLine line => Identifiers.Mention(line.Text, name),
        CodeBlock block => Identifiers.Mention(block.Header, name) || Mentions(block.Body, name) || (block.ElseBody is not null && Mentions(block.ElseBody, name)),
        _ => false,
    });
}
