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

    private static CodeIf Wanted(string span, string line) => CodeIf.Wanted(span, new List<Code> { Line(line) });

    /// <summary>A statement (its text without the semicolon, which printing adds).</summary>
    private static Code Line(string line) => new CodeStatement(Fragment.Literal(line.TrimEnd(';')));

    /// <summary><c>for (i = n - 1; i &gt;= 0; i--)</c>.</summary>
    private static CodeLoop Loop(params Code[] body) => CodeLoop.Down("i", Fragment.Literal("n - 1"), Fragment.Of("i") + " >= 0", body.ToList(), declares: false);

    /// <summary>The program on one line: <c>header { … } else { … }</c>, comments as <c>//text;</c>.</summary>
    private static string Text(IEnumerable<Code> code) => string.Join(" ", code.Select(item => item switch
    {
        CodeComment comment => "//" + comment.Text + ";",
        CodeIf block => $"if ({block.Condition}) {{ {Text(block.Then)} }}" + (block.Else is { } otherwise ? " else { " + Text(otherwise) + " }" : ""),
        CodeLoop loop => loop.Header + " { " + Text(loop.Body) + " }",
        _ => item.ToString()!,
    }));

    private static string Versioned(IReadOnlyCollection<string> guarded, params Code[] code) => Text(LoopVersioning.Apply(code.ToList(), guarded));

    [Fact]
    public void CopyWithoutTheOnlySpan_LeftWithOnlyComments_IsDropped()
    {
        var loop = Loop(new CodeComment("line 13"), Wanted("dW", "dW[i] += g * x[i];"));

        Assert.Equal(
            "//line 12; //One copy of this loop per combination of wanted gradient spans, without emptiness checks inside.; "
            + "if (!dW.IsEmpty) { " + Reverse + " { //line 13; dW[i] += g * x[i]; } }",
            Versioned(new[] { "dW" }, new CodeComment("line 12"), loop));
    }

    [Fact]
    public void CopiesOfTwoSpans_WithoutAny_IsDropped_AndTheOthersKeepTheirExactConditions()
    {
        var loop = Loop(Wanted("dA", "dA[i] += g * b[i];"), Wanted("dB", "dB[i] += g * a[i];"));

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
        var loop = Loop(Wanted("dW", "dW[i] += g * x[i];"), Line("dB[i] += g;"));

        Assert.Equal(
            "//One copy of this loop per combination of wanted gradient spans, without emptiness checks inside.; "
            + "if (!dW.IsEmpty) { " + Reverse + " { dW[i] += g * x[i]; dB[i] += g; } } else { " + Reverse + " { dB[i] += g; } }",
            Versioned(new[] { "dW" }, loop));
    }

    [Fact]
    public void CopyThatOnlyUndoesACounter_IsKept()
    {
        // A loop without a counted form steps its index back by itself; code after the loop may read it.
        var loop = CodeLoop.Down("trip", Fragment.Of("trips"), Fragment.Of("trip") + " > 0", new List<Code> { Line("i = i - 1;"), Wanted("dW", "dW[i] += g;") }, declares: true);

        Assert.Equal(
            "//One copy of this loop per combination of wanted gradient spans, without emptiness checks inside.; "
            + "if (!dW.IsEmpty) { for (int trip = trips; trip > 0; trip--) { i = i - 1; dW[i] += g; } } "
            + "else { for (int trip = trips; trip > 0; trip--) { i = i - 1; } }",
            Versioned(new[] { "dW" }, loop));
    }

    [Fact]
    public void LoopWithNothingToDoInAnyCopy_IsDropped_WithItsSourceComment()
    {
        var loop = Loop(new CodeComment("line 13"), CodeIf.Wanted("dW", new List<Code> { new CodeComment("nothing") }));

        Assert.Equal("dZ = 0;", Versioned(new[] { "dW" }, new CodeComment("line 12"), loop, Line("dZ = 0;")));
    }
}
