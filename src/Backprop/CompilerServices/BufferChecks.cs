using System;
using System.ComponentModel;
using System.Diagnostics.CodeAnalysis;

namespace Backprop.CompilerServices;

/// <summary>
/// Checks the generated entry points make of their buffer arguments before anything is written: one line each in the
/// generated code instead of a block with its message.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class BufferChecks
{
    /// <summary>
    /// Throws <see cref="ArgumentException"/> (for <paramref name="otherName"/>) when <paramref name="written"/>, a buffer
    /// <paramref name="method"/> writes into, shares memory with <paramref name="other"/>: its generated methods read the
    /// other buffer after the write (or write a copy), so they are exact only for buffers that do not overlap.
    /// </summary>
    public static void ThrowIfOverlapping(ReadOnlySpan<double> written, ReadOnlySpan<double> other, string method, string writtenName, string otherName)
    {
        if (written.Overlaps(other)) ThrowOverlap(method, writtenName, otherName);
    }

    /// <inheritdoc cref="ThrowIfOverlapping(ReadOnlySpan{double}, ReadOnlySpan{double}, string, string, string)"/>
    public static void ThrowIfOverlapping(ReadOnlySpan<float> written, ReadOnlySpan<float> other, string method, string writtenName, string otherName)
    {
        if (written.Overlaps(other)) ThrowOverlap(method, writtenName, otherName);
    }

    [DoesNotReturn]
    private static void ThrowOverlap(string method, string writtenName, string otherName) =>
        throw new ArgumentException("The buffers '" + writtenName + "' and '" + otherName + "' overlap: '" + method + "' writes into '" + writtenName
            + "', and its generated methods are exact only for buffers that do not overlap; pass separate buffers (copy one of them first).", otherName);
}
