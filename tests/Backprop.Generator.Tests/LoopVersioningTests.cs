using System.Collections.Generic;
using System.Linq;
using Backprop.Generator.Differentiation;
using Xunit;

namespace Backprop.Generator.Tests;

/// <summary>
/// <see cref="LoopVersioning"/> on reverse sweeps, program in, program out: one copy of an outermost reverse loop per
/// combination of wanted gradient spans, and no copy (no loop) left with nothing to do.
/// </summary>
public class LoopVersioningTests
{
    private const string Reverse = "for (i = n - 1; i >= 0; i--)";

    private static CodeBlock Wanted(string span, string line) => new("if (!" + span + ".IsEmpty)", new List<Code> { new CodeLine(line) });

    private static CodeBlock Loop(string header, params Code[] body) => new(header, body.ToList());

    /// <summary>The program on one line: <c>header { … } else { … }</c>, comments as <c>//text;</c>.</summary>
    private static string Text(IEnumerable<Code> code) => string.Join(" ", code.Select(item => item switch
    {
        CodeLine line => line.Text,
        CodeComment comment => "//" + comment.Text + ";",
        CodeBlock block => block.Header + " { " + Text(block.Body) + " }" + (block.ElseBody is { } otherwise ? " else { " + Text(otherwise) + " }" : ""),
        _ => "?",
    }));

    private static string Versioned(IReadOnlyCollection<string> guarded, params Code[] code) => Text(LoopVersioning.Apply(code.ToList(), guarded));

    [Fact]
    public void CopyWithoutTheOnlySpan_LeftWithOnlyComments_IsDropped()
    {
        var loop = Loop(Reverse, new CodeComment("line 13"), Wanted("dW", "dW[i] += g * x[i];"));

        Assert.Equal(
            "//line 12; //One copy of this loop per combination of wanted gradient spans, without emptiness checks inside.; "
            + "if (!dW.IsEmpty) { " + Reverse + " { //line 13; dW[i] += g * x[i]; } }",
            Versioned(new[] { "dW" }, new CodeComment("line 12"), loop));
    }

    [Fact]
    public void CopiesOfTwoSpans_WithoutAny_IsDropped_AndTheOthersKeepTheirExactConditions()
    {
        var loop = Loop(Reverse, Wanted("dA", "dA[i] += g * b[i];"), Wanted("dB", "dB[i] += g * a[i];"));

        Assert.Equal(
            "//One copy of this loop per combination of wanted gradient spans, without emptiness checks inside.; "
            + "if (!dA.IsEmpty && !dB.IsEmpty) { " + Reverse + " { dA[i] += g * b[i]; dB[i] += g * a[i]; } } "
            + "else { if (!dB.IsEmpty && dA.IsEmpty) { " + Reverse + " { dB[i] += g * a[i]; } } "
            + "else { if (!dA.IsEmpty && dB.IsEmpty) { " + Reverse + " { dA[i] += g * b[i]; } } } }",
            Versioned(new[] { "dA", "dB" }, loop));
    }

    [Fact]
    public void CopyWithOtherWork_IsKept_AsTheFinalElse()
    {
        var loop = Loop(Reverse, Wanted("dW", "dW[i] += g * x[i];"), new CodeLine("dB[i] += g;"));

        Assert.Equal(
            "//One copy of this loop per combination of wanted gradient spans, without emptiness checks inside.; "
            + "if (!dW.IsEmpty) { " + Reverse + " { dW[i] += g * x[i]; dB[i] += g; } } else { " + Reverse + " { dB[i] += g; } }",
            Versioned(new[] { "dW" }, loop));
    }

    [Fact]
    public void CopyThatOnlyUndoesACounter_IsKept()
    {
        // A loop without a counted form steps its index back by itself; code after the loop may read it.
        var loop = Loop("for (int trip = trips; trip > 0; trip--)", new CodeLine("i = i - 1;"), Wanted("dW", "dW[i] += g;"));

        Assert.Equal(
            "//One copy of this loop per combination of wanted gradient spans, without emptiness checks inside.; "
            + "if (!dW.IsEmpty) { for (int trip = trips; trip > 0; trip--) { i = i - 1; dW[i] += g; } } "
            + "else { for (int trip = trips; trip > 0; trip--) { i = i - 1; } }",
            Versioned(new[] { "dW" }, loop));
    }

    [Fact]
    public void LoopWithNothingToDoInAnyCopy_IsDropped_WithItsSourceComment()
    {
        var loop = Loop(Reverse, new CodeComment("line 13"), new CodeBlock("if (!dW.IsEmpty)", new List<Code> { new CodeComment("nothing") }));

        Assert.Equal("dZ = 0;", Versioned(new[] { "dW" }, new CodeComment("line 12"), loop, new CodeLine("dZ = 0;")));
    }
}
