using System;
using System.Collections.Generic;
using System.Text;
using Microsoft.CodeAnalysis.Text;

namespace Backprop.Generator.Tests;

/// <summary>
/// Source text with <c>[|</c> and <c>|]</c> markers around the spans where diagnostics are expected,
/// as in Roslyn's own analyzer tests. The markers are removed; their spans are kept in source order.
/// </summary>
internal sealed record MarkedSource(string Text, IReadOnlyList<TextSpan> Spans)
{
    private const string Open = "[|";
    private const string Close = "|]";

    public static MarkedSource Parse(string marked)
    {
        var text = new StringBuilder();
        var spans = new List<TextSpan>();
        int position = 0;
        while (true)
        {
            int open = marked.IndexOf(Open, position, StringComparison.Ordinal);
            if (open < 0)
            {
                if (marked.IndexOf(Close, position, StringComparison.Ordinal) >= 0)
                    throw new ArgumentException("A '|]' marker has no '[|' before it.", nameof(marked));
                text.Append(marked, position, marked.Length - position);
                return new MarkedSource(text.ToString(), spans);
            }
            int close = marked.IndexOf(Close, open + Open.Length, StringComparison.Ordinal);
            if (close < 0) throw new ArgumentException("A '[|' marker is not closed.", nameof(marked));
            if (marked.IndexOf(Open, open + Open.Length, close - open - Open.Length, StringComparison.Ordinal) >= 0)
                throw new ArgumentException("Markers cannot nest.", nameof(marked));

            text.Append(marked, position, open - position);
            int start = text.Length;
            text.Append(marked, open + Open.Length, close - open - Open.Length);
            spans.Add(TextSpan.FromBounds(start, text.Length));
            position = close + Close.Length;
        }
    }
}
