using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;
using Backprop.Generator.Helpers;

namespace Backprop.Generator.Differentiation;

/// <summary>
/// Turns the first accumulation into an adjoint that is known to be zero into an assignment (<c>d += e</c> becomes
/// <c>d = e</c>) and drops resets of adjoints that are already zero. <c>0.0 + e</c> is not <c>e</c> in IEEE arithmetic
/// (for <c>e = -0.0</c>), so the JIT cannot do this itself. Zero-ness is tracked through branches (intersection) and
/// loops (a name written in the body is not known zero anywhere in it).
/// </summary>
internal static class FirstWrites
{
    private static readonly Regex Declaration = new(@"^\w+ (?<name>\w+) = 0;$");
    private static readonly Regex Accumulation = new(@"^(?<name>\w+) \+= (?<value>.+);$");

    public static List<Code> Apply(List<Code> code, IEnumerable<string> zeroAtStart)
    {
        var zero = new HashSet<string>(zeroAtStart);
        return Walk(code, zero);
    }

    private static List<Code> Walk(List<Code> code, HashSet<string> zero)
    {
        var output = new List<Code>();
        foreach (var item in code)
        {
            switch (item)
            {
                case CodeLine line:
                    if (Declaration.Match(line.Text) is { Success: true } declared)
                    {
                        zero.Add(declared.Groups["name"].Value);
                        output.Add(line);
                    }
                    else if (line.Text.EndsWith(" = 0;", System.StringComparison.Ordinal) && zero.Contains(line.Text.Substring(0, line.Text.Length - 5)))
                    {
                        // Already zero.
                    }
                    else if (line.Text.EndsWith(" = 0;", System.StringComparison.Ordinal) && IsName(line.Text.Substring(0, line.Text.Length - 5)))
                    {
                        zero.Add(line.Text.Substring(0, line.Text.Length - 5));
                        output.Add(line);
                    }
                    else if (Accumulation.Match(line.Text) is { Success: true } accumulated && zero.Contains(accumulated.Groups["name"].Value)
                             && !Identifiers.Mention(accumulated.Groups["value"].Value, accumulated.Groups["name"].Value))
                    {
                        zero.Remove(accumulated.Groups["name"].Value);
                        output.Add(new CodeLine(accumulated.Groups["name"].Value + " = " + accumulated.Groups["value"].Value + ";"));
                    }
                    else
                    {
                        zero.RemoveWhere(name => Identifiers.Written(line.Text, name));
                        output.Add(line);
                    }
                    break;
                case CodeBlock block when block.Header.StartsWith("for (", System.StringComparison.Ordinal)
                                          || block.Header.StartsWith("while (", System.StringComparison.Ordinal):
                    zero.RemoveWhere(name => WritesAnywhere(block.Body, name));
                    output.Add(new CodeBlock(block.Header, Walk(block.Body, new HashSet<string>(zero))));
                    break;
                case CodeBlock block:
                    var whenTrue = new HashSet<string>(zero);
                    var whenFalse = new HashSet<string>(zero);
                    var body = Walk(block.Body, whenTrue);
                    var otherwise = block.ElseBody is null ? null : Walk(block.ElseBody, whenFalse);
                    zero.IntersectWith(whenTrue);
                    zero.IntersectWith(whenFalse);
                    output.Add(new CodeBlock(block.Header, body, otherwise));
                    break;
                default:
                    output.Add(item);
                    break;
            }
        }
        return output;
    }

    private static bool IsName(string text) => text.Length > 0 && text.All(c => char.IsLetterOrDigit(c) || c == '_');

    private static bool WritesAnywhere(List<Code> code, string name) => code.Any(item => item switch
    {
        CodeLine line => Identifiers.Written(line.Text, name),
        CodeBlock block => WritesAnywhere(block.Body, name) || (block.ElseBody is not null && WritesAnywhere(block.ElseBody, name)),
        _ => false,
    });
}
