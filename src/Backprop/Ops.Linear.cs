using System;
using System.Numerics;
using Backprop.Kernels;
using Backprop.Numerics;

namespace Backprop;

public static partial class Ops
{
    /// <summary>
    /// A fully connected layer over a batch, PyTorch's <c>nn.Linear</c>: <c>y = x · wᵀ + b</c>, with <c>x</c> row-major
    /// <paramref name="batch"/> × <paramref name="inFeatures"/>, the weight <c>w</c> row-major
    /// <paramref name="outFeatures"/> × <paramref name="inFeatures"/> (PyTorch's layout: one row per output), the bias
    /// <c>b</c> of <paramref name="outFeatures"/> (or empty: no bias) and <c>y</c> <paramref name="batch"/> ×
    /// <paramref name="outFeatures"/>. Runs on the blocked GEMM of
    /// <see cref="MatMul(ReadOnlySpan{double}, ReadOnlySpan{double}, Span{double}, int, int, int, bool, bool)"/>, reading
    /// <c>w</c> transposed in place.
    /// </summary>
    /// <exception cref="ArgumentException">A buffer's length does not match the shapes.</exception>
    public static void Linear(ReadOnlySpan<double> x, ReadOnlySpan<double> w, ReadOnlySpan<double> b, Span<double> y, int batch, int inFeatures, int outFeatures) =>
        LinearCore(x, w, b, y, batch, inFeatures, outFeatures);

    /// <inheritdoc cref="Linear(ReadOnlySpan{double}, ReadOnlySpan{double}, ReadOnlySpan{double}, Span{double}, int, int, int)"/>
    public static void Linear(ReadOnlySpan<float> x, ReadOnlySpan<float> w, ReadOnlySpan<float> b, Span<float> y, int batch, int inFeatures, int outFeatures) =>
        LinearCore(x, w, b, y, batch, inFeatures, outFeatures);

    /// <summary>
    /// The reverse rule of <see cref="Linear(ReadOnlySpan{double}, ReadOnlySpan{double}, ReadOnlySpan{double}, Span{double}, int, int, int)"/>:
    /// <c>dX += dY · w</c>, <c>dW += dYᵀ · x</c>, <c>dB += Σ_rows dY</c>; an empty gradient is not wanted and costs nothing.
    /// </summary>
    [DerivativeOf(typeof(Ops), nameof(Linear))]
    public static void LinearReverse(ReadOnlySpan<double> x, ReadOnlySpan<double> w, ReadOnlySpan<double> b, Span<double> y, int batch, int inFeatures, int outFeatures,
        ReadOnlySpan<double> dY, Span<double> dX, Span<double> dW, Span<double> dB) =>
        LinearReverseCore(x, w, b, batch, inFeatures, outFeatures, dY, dX, dW, dB);

    /// <inheritdoc cref="LinearReverse(ReadOnlySpan{double}, ReadOnlySpan{double}, ReadOnlySpan{double}, Span{double}, int, int, int, ReadOnlySpan{double}, Span{double}, Span{double}, Span{double})"/>
    [DerivativeOf(typeof(Ops), nameof(Linear))]
    public static void LinearReverse(ReadOnlySpan<float> x, ReadOnlySpan<float> w, ReadOnlySpan<float> b, Span<float> y, int batch, int inFeatures, int outFeatures,
        ReadOnlySpan<float> dY, Span<float> dX, Span<float> dW, Span<float> dB) =>
        LinearReverseCore(x, w, b, batch, inFeatures, outFeatures, dY, dX, dW, dB);

    private static void LinearCore<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> w, ReadOnlySpan<T> b, Span<T> y, int batch, int inFeatures, int outFeatures)
        where T : unmanaged, INumber<T>
    {
        CheckLinearShapes(x.Length, w.Length, b.Length, batch, inFeatures, outFeatures);
        CheckLength(y.Length, batch, outFeatures, "y");
        if (!b.IsEmpty)
            for (int s = 0; s < batch; s++) b.CopyTo(y.Slice(s * outFeatures, outFeatures));
        Gemm.Multiply(false, true, batch, outFeatures, inFeatures, x, inFeatures, w, inFeatures, y, outFeatures, accumulate: !b.IsEmpty);
    }

    private static void LinearReverseCore<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> w, ReadOnlySpan<T> b, int batch, int inFeatures, int outFeatures,
        ReadOnlySpan<T> dY, Span<T> dX, Span<T> dW, Span<T> dB)
        where T : unmanaged, INumber<T>
    {
        CheckLinearShapes(x.Length, w.Length, b.Length, batch, inFeatures, outFeatures);
        CheckLength(dY.Length, batch, outFeatures, "dY");
        CheckGradient(dX.Length, x.Length, "dX");
        CheckGradient(dW.Length, w.Length, "dW");
        CheckGradient(dB.Length, b.Length, "dB");
        if (!dX.IsEmpty) Gemm.Multiply(false, false, batch, inFeatures, outFeatures, dY, outFeatures, w, inFeatures, dX, inFeatures, accumulate: true);
        if (!dW.IsEmpty) Gemm.Multiply(true, false, outFeatures, inFeatures, batch, dY, outFeatures, x, inFeatures, dW, inFeatures, accumulate: true);
        if (!dB.IsEmpty)
            for (int s = 0; s < batch; s++) Lanes.AddScaled(dB, T.One, dY.Slice(s * outFeatures, outFeatures));
    }

    private static void CheckLinearShapes(int xLength, int wLength, int bLength, int batch, int inFeatures, int outFeatures)
    {
        if (batch < 0 || inFeatures < 0 || outFeatures < 0) throw new ArgumentOutOfRangeException(nameof(batch), "Shapes must not be negative.");
        CheckLength(xLength, batch, inFeatures, "x");
        CheckLength(wLength, outFeatures, inFeatures, "w");
        if (bLength != 0 && bLength != outFeatures)
            throw new ArgumentException($"b must be empty (no bias) or have outFeatures = {outFeatures} entries, but has {bLength}.", "b");
    }
}
