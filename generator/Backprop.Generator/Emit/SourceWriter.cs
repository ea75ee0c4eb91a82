using System;
using System.Text;

namespace Backprop.Generator.Emit;

/// <summary>Writes indented C#; <see cref="Block"/> opens a braced scope that closes when disposed.</summary>
internal sealed class SourceWriter
{
    private readonly StringBuilder _text = new();
    private int _indent;

    public void Line(string line = "")
    {
        if (line.Length > 0) _text.Append(' ', _indent * 4).Append(line);
        _text.Append('\n');
    }

    public IDisposable Block(string header)
    {
        Line(header);
        Line("{");
        _indent++;
        return new Closer(this);
    }

    /// <summary>A braced scope under <paramref name="header"/>, or, without one, nothing: the lines stay at this level.</summary>
    public IDisposable BlockIf(string? header) => header is null ? new Closer(null) : Block(header);

    public override string ToString() => _text.ToString();

    private sealed class Closer : IDisposable
    {
        private readonly SourceWriter? _writer;

        public Closer(SourceWriter? writer) => _writer = writer;

        public void Dispose()
        {
            if (_writer is null) return;
            _writer._indent--;
            _writer.Line("}");
        }
    }
}
