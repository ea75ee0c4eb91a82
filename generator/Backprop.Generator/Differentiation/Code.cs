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

    public List<Code> Forward { get; } = new();

    public List<Code> Reverse { get; } = new();

    /// <summary>The tapes the method uses: element type (<c>double</c>, <c>int</c>, …) and local name, in first-use order.</summary>
    public List<(string Element, string Name)> Tapes { get; } = new();

    /// <summary>For each differentiated parameter: its variable, gradient parameter name and local adjoint (scalars).</summary>
    public List<(int Variable, string GradientName, string? Adjoint)> Gradients { get; } = new();

    /// <summary>For a layer: each output span parameter and the name of its adjoint span parameter.</summary>
    public List<(int Variable, string AdjointName)> Outputs { get; } = new();

    /// <summary>Statements for the <c>finally</c> block: returning rented gradient buffers.</summary>
    public List<string> Cleanup { get; } = new();

    public string ResultAdjoint { get; set; } = "";

    public string SeedName { get; set; } = "";
}
