using System.Collections.Generic;

namespace Backprop.Generator.Differentiation;

/// <summary>The differentiated method as structured C#: lines, comments and braced blocks, ready to print.</summary>
internal abstract class Code
{
}

internal sealed class CodeLine : Code
{
    public CodeLine(string text) => Text = text;

    public string Text { get; }
}

internal sealed class CodeComment : Code
{
    public CodeComment(string text) => Text = text;

    public string Text { get; }
}

/// <summary><c>header { body }</c>, optionally followed by <c>else { elseBody }</c>.</summary>
internal sealed class CodeBlock : Code
{
    public CodeBlock(string header, List<Code> body, List<Code>? elseBody = null)
    {
        Header = header;
        Body = body;
        ElseBody = elseBody;
    }

    public string Header { get; }

    public List<Code> Body { get; }

    public List<Code>? ElseBody { get; }
}

/// <summary>Everything the emitter needs to print the gradient and pullback methods.</summary>
internal sealed class GradientProgram
{
    public List<string> Declarations { get; } = new();

    /// <summary>
    /// Flat views of arrays and spans of structs (<c>ptsFlat</c>), declared first in every body: of the parameter, and,
    /// where the method takes gradients (<paramref name="Gradient"/>), of its <c>Span&lt;S&gt;</c> gradient.
    /// </summary>
    public List<(string Line, bool Gradient)> Views { get; } = new();

    public List<Code> Forward { get; } = new();

    public List<Code> Reverse { get; } = new();

    /// <summary>
    /// Statements that prepare the reverse sweep (gradient buffers of local buffers and of inactive buffers passed to
    /// callees): after the forward sweep in the joint methods, at the start of the split reverse method.
    /// </summary>
    public List<Code> ReverseSetup { get; } = new();

    /// <summary>The name of the one tape (<c>global::Backprop.CompilerServices.Tape</c>) the method pushes on and pops from.</summary>
    public string TapeName { get; set; } = "tape";

    /// <summary>Whether the joint methods need a tape of their own.</summary>
    public bool UsesTape { get; set; }

    /// <summary>
    /// What the forward sweep declares at its top level (hoisted declarations aside) and what it may change beyond its
    /// locals: the split forward method hands those its reverse method reads over on the tape.
    /// </summary>
    public List<ForwardLocal> ForwardLocals { get; } = new();

    /// <summary>For each differentiated parameter: its variable, gradient parameter name and local adjoint (scalars).</summary>
    public List<(int Variable, string GradientName, string? Adjoint)> Gradients { get; } = new();

    /// <summary>For a layer: each output span parameter and the name of its adjoint span parameter.</summary>
    public List<(int Variable, string AdjointName)> Outputs { get; } = new();

    /// <summary>
    /// For a layer: the outputs whose contents the reverse sweep may rewind to what they held before the layer ran (it
    /// restores overwritten elements it reads, or calls a layer's reverse, which may), each with the name of the pooled
    /// array in which the backward keeps the layer's results across the reverse sweep.
    /// </summary>
    public List<(int Variable, string KeptName)> RewoundOutputs { get; } = new();

    /// <summary>Statements for the <c>finally</c> block: returning rented gradient buffers.</summary>
    public List<string> Cleanup { get; } = new();

    public string ResultAdjoint { get; set; } = "";

    /// <summary>The name of the instance's gradient parameter (<c>dThis</c>), or empty when the method takes none.</summary>
    public string ThisName { get; set; } = "";

    public string SeedName { get; set; } = "";
}

internal enum ForwardLocalKind
{
    /// <summary>A scalar local declared at the top level of the forward sweep.</summary>
    Scalar,
    /// <summary>A scalar parameter the method assigns.</summary>
    Parameter,
    /// <summary>A local buffer; <see cref="ForwardLocal.OnStack"/> says how it was allocated.</summary>
    Buffer,
    /// <summary>A span parameter the method writes (a layer output).</summary>
    Output,
}

/// <summary>A variable the split forward method may have to hand over to the split reverse method.</summary>
internal sealed record ForwardLocal(string Name, string TypeKeyword, string ElementKeyword, ForwardLocalKind Kind, bool OnStack = false);
