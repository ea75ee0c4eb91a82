using System.Collections.Generic;
using System.Linq;
using Backprop.Generator.Differentiation;
using Xunit;

namespace Backprop.Generator.Tests;

/// <summary>
/// The typed adjoint program and its passes, program in, program out: names are typed pieces of fragments (what a
/// statement reads, writes by reference or only measures), and <see cref="Simplifier"/> and <see cref="FirstWrites"/>
/// decide from statement kinds and those pieces, never from text.
/// </summary>
public class AdjointProgramTests
{
    private static Fragment N(string name) => Fragment.Of(name);

    private static Fragment L(string text) => Fragment.Literal(text);

    private static string Text(IEnumerable<Code> code) => string.Join(" ", code.Select(item => item switch
    {
        CodeComment comment => "//" + comment.Text + ";",
        CodeIf block => $"if ({block.Condition}) {{ {Text(block.Then)} }}" + (block.Else is { } otherwise ? " else { " + Text(otherwise) + " }" : ""),
        CodeLoop loop => loop.Header + " { " + Text(loop.Body) + " }",
        _ => item.ToString()!,
    }));

    [Fact]
    public void Fragments_KnowTheirNames_AndHowTheyAreUsed()
    {
        var call = new CodeStatement(L("F.Pullback(") + N("x") + L(", ") + Fragment.LengthOf("buffer") + L(", ") + Fragment.RefOf("dX") + L(")"));

        Assert.Equal("F.Pullback(x, buffer.Length, ref dX);", call.ToString());
        Assert.True(call.Mentions("x") && call.Mentions("buffer") && call.Mentions("dX"));
        // Literal text is never searched: 'F' and 'Pullback' are not names of the method.
        Assert.False(call.Mentions("F") || call.Mentions("Pullback"));
        Assert.True(call.Writes("dX"));
        Assert.False(call.Writes("x"));
        Assert.False(call.Text.NeedsContents("buffer"));
        Assert.True(call.Text.NeedsContents("x"));
        Assert.Equal("F.Pullback(y, buffer.Length, ref dX);", call.Rename("x", "y").ToString());
    }

    [Fact]
    public void Assignments_WriteTheirScalarTarget_NotTheBufferOfAnElementTarget()
    {
        var scalar = CodeAssign.Add(N("dS"), N("dOut"));
        var element = CodeAssign.Add(N("dB") + "[" + N("i") + "]", N("dOut"));

        Assert.True(scalar.Writes("dS"));
        Assert.Null(element.TargetName);
        Assert.False(element.Writes("dB"));
        Assert.True(element.Mentions("i"));
    }

    [Fact]
    public void Simplifier_CancelsACapturedAdjointAddedStraightBack()
    {
        // double dSOut = dS; dS = 0; dS += dSOut; dX += dSOut * 2;  →  dX += dS * 2;
        var code = new List<Code>
        {
            CodeAssign.Declare("double", "dSOut", N("dS")),
            CodeAssign.Reset(N("dS")),
            CodeAssign.Add(N("dS"), N("dSOut")),
            CodeAssign.Add(N("dX"), N("dSOut") + " * 2"),
        };

        Assert.Equal("dX += dS * 2;", Text(Simplifier.Simplify(code)));
    }

    [Fact]
    public void Simplifier_KeepsTheCapture_WhenTheAdjointChangesAfterwards()
    {
        // A later call that takes the adjoint by reference may change it: the capture keeps the old value.
        var code = new List<Code>
        {
            CodeAssign.Declare("double", "dSOut", N("dS")),
            CodeAssign.Reset(N("dS")),
            CodeAssign.Add(N("dS"), N("dSOut")),
            new CodeStatement(L("G(") + Fragment.RefOf("dS") + L(")")),
            CodeAssign.Add(N("dX"), N("dSOut")),
        };

        Assert.Equal("double dSOut = dS; G(ref dS); dX += dSOut;", Text(Simplifier.Simplify(code)));
    }

    [Fact]
    public void FirstWrites_AssignsTheFirstAccumulation_AndDropsResetsOfZeroAdjoints()
    {
        var code = new List<Code>
        {
            CodeAssign.Add(N("dA"), N("dOut")),
            CodeAssign.Reset(N("dB")),
            CodeAssign.Add(N("dA"), N("dOut")),
        };

        Assert.Equal("dA = dOut; dA += dOut;", Text(FirstWrites.Apply(code, new[] { "dA", "dB" })));
    }

    [Fact]
    public void FirstWrites_InALoop_ForgetsWhatTheBodyWrites_AndInABranch_KeepsWhatBothArmsLeaveZero()
    {
        var loop = CodeLoop.Down("i", L("n - 1"), N("i") + " >= 0", new List<Code> { CodeAssign.Add(N("dA"), N("dOut")) }, declares: false);
        var branch = new CodeIf(N("flag"), new List<Code> { CodeAssign.Add(N("dB"), N("dOut")) });
        var code = new List<Code> { loop, branch, CodeAssign.Add(N("dB"), N("dOut")), CodeAssign.Add(N("dC"), N("dOut")) };

        Assert.Equal(
            "for (i = n - 1; i >= 0; i--) { dA += dOut; } if (flag) { dB = dOut; } dB += dOut; dC = dOut;",
            Text(FirstWrites.Apply(code, new[] { "dA", "dB", "dC" })));
    }

    [Fact]
    public void FirstWrites_DoesNotAssign_WhenTheValueReadsTheAdjointItself()
    {
        var code = new List<Code> { CodeAssign.Add(N("dA"), N("dA") + " * 2") };

        Assert.Equal("dA += dA * 2;", Text(FirstWrites.Apply(code, new[] { "dA" })));
    }
}
