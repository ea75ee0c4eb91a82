using System;
using System.Numerics;
using Backprop.Numerics;

namespace Backprop;

// Convolution and max-pooling over NCHW batches (batch, channels, height, width; row-major, width fastest), as torch.nn.Conv2d
// and torch.nn.MaxPool2d lay them out.
public static partial class Ops
{
    /// <summary>
    /// A 2D convolution (cross-correlation, as <c>torch.nn.Conv2d</c>) of an NCHW <paramref name="input"/>
    /// (<paramref name="batch"/> × <paramref name="inChannels"/> × <paramref name="height"/> × <paramref name="width"/>) with
    /// <paramref name="weight"/> (<paramref name="outChannels"/> × <paramref name="inChannels"/> × <paramref name="kernelHeight"/>
    /// × <paramref name="kernelWidth"/>) and <paramref name="bias"/> (<paramref name="outChannels"/> entries, or empty for none):
    /// <c>output[n, o, i, j] = bias[o] + Σ_c,p,q weight[o, c, p, q] · input[n, c, i·stride + p − padding, j·stride + q − padding]</c>,
    /// zero outside the input. <paramref name="output"/> is <paramref name="batch"/> × <paramref name="outChannels"/> ×
    /// <c>oh</c> × <c>ow</c> with <c>oh = (height + 2·padding − kernelHeight) / stride + 1</c> and likewise <c>ow</c>
    /// (see <see cref="ConvOutputSize"/>). Rows are vectorized when <paramref name="stride"/> is 1.
    /// </summary>
    /// <exception cref="ArgumentException">A buffer has the wrong length.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A size is negative or zero where it must be positive, or the kernel does not fit the padded input.</exception>
    public static void Conv2d(ReadOnlySpan<double> input, ReadOnlySpan<double> weight, ReadOnlySpan<double> bias, Span<double> output,
        int batch, int inChannels, int height, int width, int outChannels, int kernelHeight, int kernelWidth, int stride, int padding) =>
        Conv2dCore(input, weight, bias, output, new ConvShape(batch, inChannels, height, width, outChannels, kernelHeight, kernelWidth, stride, padding));

    /// <inheritdoc cref="Conv2d(ReadOnlySpan{double}, ReadOnlySpan{double}, ReadOnlySpan{double}, Span{double}, int, int, int, int, int, int, int, int, int)"/>
    public static void Conv2d(ReadOnlySpan<float> input, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, Span<float> output,
        int batch, int inChannels, int height, int width, int outChannels, int kernelHeight, int kernelWidth, int stride, int padding) =>
        Conv2dCore(input, weight, bias, output, new ConvShape(batch, inChannels, height, width, outChannels, kernelHeight, kernelWidth, stride, padding));

    /// <summary>
    /// The reverse rule of <see cref="Conv2d(ReadOnlySpan{double}, ReadOnlySpan{double}, ReadOnlySpan{double}, Span{double}, int, int, int, int, int, int, int, int, int)"/>:
    /// <c>dInput[n, c, y, x] += Σ weight[o, c, p, q] · dOutput[n, o, i, j]</c> over the outputs that read it,
    /// <c>dWeight[o, c, p, q] += Σ_n,i,j dOutput[n, o, i, j] · input[n, c, i·stride + p − padding, j·stride + q − padding]</c>,
    /// <c>dBias[o] += Σ_n,i,j dOutput[n, o, i, j]</c>. Each gradient is skipped when empty.
    /// </summary>
    /// <exception cref="ArgumentException">A buffer has the wrong length.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A size is out of range.</exception>
    [DerivativeOf(typeof(Ops), nameof(Conv2d))]
    public static void Conv2dReverse(ReadOnlySpan<double> input, ReadOnlySpan<double> weight, ReadOnlySpan<double> bias, Span<double> output,
        int batch, int inChannels, int height, int width, int outChannels, int kernelHeight, int kernelWidth, int stride, int padding,
        ReadOnlySpan<double> dOutput, Span<double> dInput, Span<double> dWeight, Span<double> dBias) =>
        Conv2dReverseCore(input, weight, bias, output, new ConvShape(batch, inChannels, height, width, outChannels, kernelHeight, kernelWidth, stride, padding), dOutput, dInput, dWeight, dBias);

    /// <inheritdoc cref="Conv2dReverse(ReadOnlySpan{double}, ReadOnlySpan{double}, ReadOnlySpan{double}, Span{double}, int, int, int, int, int, int, int, int, int, ReadOnlySpan{double}, Span{double}, Span{double}, Span{double})"/>
    [DerivativeOf(typeof(Ops), nameof(Conv2d))]
    public static void Conv2dReverse(ReadOnlySpan<float> input, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, Span<float> output,
        int batch, int inChannels, int height, int width, int outChannels, int kernelHeight, int kernelWidth, int stride, int padding,
        ReadOnlySpan<float> dOutput, Span<float> dInput, Span<float> dWeight, Span<float> dBias) =>
        Conv2dReverseCore(input, weight, bias, output, new ConvShape(batch, inChannels, height, width, outChannels, kernelHeight, kernelWidth, stride, padding), dOutput, dInput, dWeight, dBias);

    /// <summary>The output size of a convolution or pooling along one axis: <c>(size + 2·padding − kernel) / stride + 1</c>, or 0 when the kernel does not fit.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A size is negative, or <paramref name="kernel"/> or <paramref name="stride"/> is below 1.</exception>
    public static int ConvOutputSize(int size, int kernel, int stride, int padding)
    {
        RequireNonNegative(size, nameof(size));
        RequirePositive(kernel, nameof(kernel));
        RequirePositive(stride, nameof(stride));
        RequireNonNegative(padding, nameof(padding));
        long span = (long)size + 2L * padding - kernel;
        return span < 0 ? 0 : (int)(span / stride + 1);
    }

    /// <summary>
    /// Max-pooling of an NCHW <paramref name="input"/> (<paramref name="batch"/> × <paramref name="channels"/> ×
    /// <paramref name="height"/> × <paramref name="width"/>) with a square window of <paramref name="kernelSize"/> moved by
    /// <paramref name="stride"/>, no padding: <paramref name="output"/> is <paramref name="batch"/> × <paramref name="channels"/> ×
    /// <c>oh</c> × <c>ow</c>, <c>oh = (height − kernelSize) / stride + 1</c> (rows and columns that do not fill a window are
    /// dropped, as <c>torch.nn.MaxPool2d</c> does). A NaN in a window is its maximum.
    /// </summary>
    /// <exception cref="ArgumentException">A buffer has the wrong length.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A size is negative, <paramref name="kernelSize"/> or <paramref name="stride"/> below 1, or the window larger than the input.</exception>
    public static void MaxPool2d(ReadOnlySpan<double> input, Span<double> output, int batch, int channels, int height, int width, int kernelSize, int stride) =>
        MaxPool2dCore(input, output, new PoolShape(batch, channels, height, width, kernelSize, stride));

    /// <inheritdoc cref="MaxPool2d(ReadOnlySpan{double}, Span{double}, int, int, int, int, int, int)"/>
    public static void MaxPool2d(ReadOnlySpan<float> input, Span<float> output, int batch, int channels, int height, int width, int kernelSize, int stride) =>
        MaxPool2dCore(input, output, new PoolShape(batch, channels, height, width, kernelSize, stride));

    /// <summary>
    /// The reverse rule of <see cref="MaxPool2d(ReadOnlySpan{double}, Span{double}, int, int, int, int, int, int)"/>: each output's
    /// adjoint goes to the entry of its window that was the maximum, <c>dInput[argmax] += dOutput[n, c, i, j]</c>. The argmax is
    /// found again from <paramref name="input"/>: on a tie, the first of the tied entries in row-major order within the window
    /// (PyTorch's CPU kernel picks the same); a NaN, the first NaN. Overlapping windows (stride below the kernel size) add up.
    /// </summary>
    /// <exception cref="ArgumentException">A buffer has the wrong length.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A size is out of range.</exception>
    [DerivativeOf(typeof(Ops), nameof(MaxPool2d))]
    public static void MaxPool2dReverse(ReadOnlySpan<double> input, Span<double> output, int batch, int channels, int height, int width, int kernelSize, int stride,
        ReadOnlySpan<double> dOutput, Span<double> dInput) =>
        MaxPool2dReverseCore(input, output, new PoolShape(batch, channels, height, width, kernelSize, stride), dOutput, dInput);

    /// <inheritdoc cref="MaxPool2dReverse(ReadOnlySpan{double}, Span{double}, int, int, int, int, int, int, ReadOnlySpan{double}, Span{double})"/>
    [DerivativeOf(typeof(Ops), nameof(MaxPool2d))]
    public static void MaxPool2dReverse(ReadOnlySpan<float> input, Span<float> output, int batch, int channels, int height, int width, int kernelSize, int stride,
        ReadOnlySpan<float> dOutput, Span<float> dInput) =>
        MaxPool2dReverseCore(input, output, new PoolShape(batch, channels, height, width, kernelSize, stride), dOutput, dInput);

    /// <summary>The sizes of a convolution, checked once; <c>Oh</c> × <c>Ow</c> is the output plane.</summary>
    private readonly struct ConvShape
    {
        public readonly int Batch, In, H, W, Out, Kh, Kw, Stride, Padding, Oh, Ow;

        public ConvShape(int batch, int inChannels, int height, int width, int outChannels, int kernelHeight, int kernelWidth, int stride, int padding)
        {
            RequireNonNegative(batch, nameof(batch));
            RequirePositive(inChannels, nameof(inChannels));
            RequirePositive(outChannels, nameof(outChannels));
            RequirePositive(height, nameof(height));
            RequirePositive(width, nameof(width));
            RequirePositive(kernelHeight, nameof(kernelHeight));
            RequirePositive(kernelWidth, nameof(kernelWidth));
            (Batch, In, H, W, Out, Kh, Kw, Stride, Padding) = (batch, inChannels, height, width, outChannels, kernelHeight, kernelWidth, stride, padding);
            Oh = ConvOutputSize(height, kernelHeight, stride, padding);
            Ow = ConvOutputSize(width, kernelWidth, stride, padding);
            if (Oh == 0) throw new ArgumentOutOfRangeException(nameof(kernelHeight), kernelHeight, $"The kernel is higher than the padded input ({height} + 2 * {padding}).");
            if (Ow == 0) throw new ArgumentOutOfRangeException(nameof(kernelWidth), kernelWidth, $"The kernel is wider than the padded input ({width} + 2 * {padding}).");
        }

        public void Check(int input, int weight, int bias, int output)
        {
            RequireLength(input, Product(Product(Batch, In, "inChannels"), H * W, "height"), "input", "batch * inChannels * height * width");
            RequireLength(weight, Product(Out * In, Kh * Kw, "kernelWidth"), "weight", "outChannels * inChannels * kernelHeight * kernelWidth");
            if (bias != 0) RequireLength(bias, Out, "bias", "outChannels (or 0, for no bias)");
            RequireLength(output, Product(Product(Batch, Out, "outChannels"), Oh * Ow, "height"), "output", "batch * outChannels * oh * ow");
        }

        /// <summary>The output columns <c>j</c> whose input column <c>j·stride + q − padding</c> is inside the image, and the first such input column.</summary>
        public (int First, int Count, int Column) Columns(int q)
        {
            int low = Padding - q, high = W - 1 + Padding - q;
            if (high < 0) return (0, 0, 0);
            int first = low <= 0 ? 0 : (low + Stride - 1) / Stride;
            int last = Math.Min(Ow - 1, high / Stride);
            return (first, Math.Max(0, last - first + 1), first * Stride + q - Padding);
        }
    }

    private static void Conv2dCore<T>(ReadOnlySpan<T> input, ReadOnlySpan<T> weight, ReadOnlySpan<T> bias, Span<T> output, ConvShape s)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        s.Check(input.Length, weight.Length, bias.Length, output.Length);
        int plane = s.Oh * s.Ow;
        for (int n = 0; n < s.Batch; n++)
            for (int o = 0; o < s.Out; o++)
            {
                var outPlane = output.Slice((n * s.Out + o) * plane, plane);
                outPlane.Fill(bias.IsEmpty ? T.Zero : bias[o]);
                for (int c = 0; c < s.In; c++)
                {
                    var inPlane = input.Slice((n * s.In + c) * s.H * s.W, s.H * s.W);
                    for (int p = 0; p < s.Kh; p++)
                        for (int q = 0; q < s.Kw; q++)
                        {
                            T w = weight[((o * s.In + c) * s.Kh + p) * s.Kw + q];
                            var (first, count, column) = s.Columns(q);
                            if (count == 0) continue;
                            for (int i = 0; i < s.Oh; i++)
                            {
                                int row = i * s.Stride + p - s.Padding;
                                if ((uint)row >= (uint)s.H) continue;
                                var outRow = outPlane.Slice(i * s.Ow + first, count);
                                var inRow = inPlane.Slice(row * s.W + column);
                                if (s.Stride == 1) Lanes.AddScaled(outRow, w, inRow.Slice(0, count));
                                else for (int j = 0; j < count; j++) outRow[j] += w * inRow[j * s.Stride];
                            }
                        }
                }
            }
    }

    private static void Conv2dReverseCore<T>(ReadOnlySpan<T> input, ReadOnlySpan<T> weight, ReadOnlySpan<T> bias, ReadOnlySpan<T> output, ConvShape s,
        ReadOnlySpan<T> dOutput, Span<T> dInput, Span<T> dWeight, Span<T> dBias)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        s.Check(input.Length, weight.Length, bias.Length, output.Length);
        RequireLength(dOutput.Length, output.Length, nameof(dOutput), "output.Length");
        RequireGradient(dInput.Length, input.Length, nameof(dInput));
        RequireGradient(dWeight.Length, weight.Length, nameof(dWeight));
        RequireGradient(dBias.Length, bias.Length, nameof(dBias));
        int plane = s.Oh * s.Ow;
        for (int n = 0; n < s.Batch; n++)
            for (int o = 0; o < s.Out; o++)
            {
                var dOutPlane = dOutput.Slice((n * s.Out + o) * plane, plane);
                if (!dBias.IsEmpty) dBias[o] += Lanes.Sum(dOutPlane);
                if (dInput.IsEmpty && dWeight.IsEmpty) continue;
                for (int c = 0; c < s.In; c++)
                {
                    int inOffset = (n * s.In + c) * s.H * s.W;
                    for (int p = 0; p < s.Kh; p++)
                        for (int q = 0; q < s.Kw; q++)
                        {
                            int wi = ((o * s.In + c) * s.Kh + p) * s.Kw + q;
                            T w = weight[wi];
                            var (first, count, column) = s.Columns(q);
                            if (count == 0) continue;
                            T dw = T.Zero;
                            for (int i = 0; i < s.Oh; i++)
                            {
                                int row = i * s.Stride + p - s.Padding;
                                if ((uint)row >= (uint)s.H) continue;
                                var dOutRow = dOutPlane.Slice(i * s.Ow + first, count);
                                int at = inOffset + row * s.W + column;
                                if (s.Stride == 1)
                                {
                                    if (!dWeight.IsEmpty) dw += Lanes.Dot(dOutRow, input.Slice(at, count));
                                    if (!dInput.IsEmpty) Lanes.AddScaled(dInput.Slice(at, count), w, dOutRow);
                                }
                                else
                                {
                                    for (int j = 0; j < count; j++)
                                    {
                                        if (!dWeight.IsEmpty) dw += dOutRow[j] * input[at + j * s.Stride];
                                        if (!dInput.IsEmpty) dInput[at + j * s.Stride] += w * dOutRow[j];
                                    }
                                }
                            }
                            if (!dWeight.IsEmpty) dWeight[wi] += dw;
                        }
                }
            }
    }

    /// <summary>The sizes of a max-pooling, checked once.</summary>
    private readonly struct PoolShape
    {
        public readonly int Batch, Channels, H, W, Kernel, Stride, Oh, Ow;

        public PoolShape(int batch, int channels, int height, int width, int kernelSize, int stride)
        {
            RequireNonNegative(batch, nameof(batch));
            RequirePositive(channels, nameof(channels));
            RequirePositive(height, nameof(height));
            RequirePositive(width, nameof(width));
            RequirePositive(kernelSize, nameof(kernelSize));
            (Batch, Channels, H, W, Kernel, Stride) = (batch, channels, height, width, kernelSize, stride);
            Oh = ConvOutputSize(height, kernelSize, stride, 0);
            Ow = ConvOutputSize(width, kernelSize, stride, 0);
            if (Oh == 0 || Ow == 0)
                throw new ArgumentOutOfRangeException(nameof(kernelSize), kernelSize, $"The window is larger than the input ({height} × {width}).");
        }

        public void Check(int input, int output)
        {
            RequireLength(input, Product(Product(Batch, Channels, "channels"), H * W, "height"), "input", "batch * channels * height * width");
            RequireLength(output, Product(Product(Batch, Channels, "channels"), Oh * Ow, "height"), "output", "batch * channels * oh * ow");
        }

        /// <summary>The index in <paramref name="plane"/> of the window's maximum: the first of equal entries, or the first NaN.</summary>
        public int ArgMax<T>(ReadOnlySpan<T> plane, int i, int j) where T : unmanaged, IFloatingPointIeee754<T>
        {
            int best = i * Stride * W + j * Stride;
            T max = plane[best];
            if (T.IsNaN(max)) return best;
            for (int p = 0; p < Kernel; p++)
            {
                int at = (i * Stride + p) * W + j * Stride;
                for (int q = 0; q < Kernel; q++, at++)
                {
                    T v = plane[at];
                    if (v > max) (best, max) = (at, v);
                    else if (T.IsNaN(v)) return at;
                }
            }
            return best;
        }
    }

    private static void MaxPool2dCore<T>(ReadOnlySpan<T> input, Span<T> output, PoolShape s) where T : unmanaged, IFloatingPointIeee754<T>
    {
        s.Check(input.Length, output.Length);
        int inPlane = s.H * s.W, outPlane = s.Oh * s.Ow;
        for (int plane = 0; plane < s.Batch * s.Channels; plane++)
        {
            var x = input.Slice(plane * inPlane, inPlane);
            var y = output.Slice(plane * outPlane, outPlane);
            for (int i = 0; i < s.Oh; i++)
                for (int j = 0; j < s.Ow; j++) y[i * s.Ow + j] = x[s.ArgMax(x, i, j)];
        }
    }

    private static void MaxPool2dReverseCore<T>(ReadOnlySpan<T> input, ReadOnlySpan<T> output, PoolShape s, ReadOnlySpan<T> dOutput, Span<T> dInput)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        s.Check(input.Length, output.Length);
        RequireLength(dOutput.Length, output.Length, nameof(dOutput), "output.Length");
        RequireGradient(dInput.Length, input.Length, nameof(dInput));
        if (dInput.IsEmpty) return;
        int inPlane = s.H * s.W, outPlane = s.Oh * s.Ow;
        for (int plane = 0; plane < s.Batch * s.Channels; plane++)
        {
            var x = input.Slice(plane * inPlane, inPlane);
            var dx = dInput.Slice(plane * inPlane, inPlane);
            var dy = dOutput.Slice(plane * outPlane, outPlane);
            for (int i = 0; i < s.Oh; i++)
                for (int j = 0; j < s.Ow; j++) dx[s.ArgMax(x, i, j)] += dy[i * s.Ow + j];
        }
    }
}
