using System.Text.RegularExpressions;
using Backprop.Generator.Helpers;
using CsCheck;
using Xunit;

namespace Backprop.Generator.Tests;

/// <summary>
/// The emitter's whole-word scans against the regular expressions they replaced, on random lines of emitted-looking C#
/// (identifiers that are prefixes and suffixes of each other, <c>ref</c>, <c>.Length</c>, <c>=</c>, <c>==</c>, <c>+=</c>).
/// </summary>
public class IdentifiersTests
{
    private static readonly string[] Names = ["x", "x1", "dx", "dLoss_dx", "ref", "s", "sum", "Length"];

    private static readonly Gen<string> Line = Gen.OneOf(
            "x", "x1", "dx", "dLoss_dx", "s", "sum", "ref", "ref ", ".Length", ".Length2", "Length", " ", "=", "==", "+=", "-=", "*=",
            "/=", "%=", "\t", "[i]", "(", ")", ", ", ";", "1", "_", "é")
        .Array[0, 12].Select(parts => string.Concat(parts));

    private static string Word(string name) => @"\b" + Regex.Escape(name) + @"\b";

    [Fact]
    public void Scans_agree_with_the_regular_expressions()
    {
        Line.Sample(line =>
        {
            foreach (var name in Names)
            {
                Assert.Equal(Regex.IsMatch(line, Word(name)), Identifiers.Mention(line, name));
                Assert.Equal(Regex.IsMatch(line, Word(name) + @"(?!\s*=(?!=))"), Identifiers.Read(line, name));
                Assert.Equal(Regex.IsMatch(line, "^" + Regex.Escape(name) + @"\s*[-+*/]?=[^=]") || Regex.IsMatch(line, @"\bref\s+" + Regex.Escape(name) + @"\b"),
                    Identifiers.Written(line, name));
                Assert.Equal(Regex.IsMatch(line, Word(name) + @"(?!\.Length\b)"), Identifiers.MentionBeyondLength(line, name));
                Assert.Equal(Regex.Replace(line, Word(name), "renamed"), Identifiers.Rename(line, name, "renamed"));
            }
        }, iter: 20_000);
    }
}
