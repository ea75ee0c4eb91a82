using System;
using System.Numerics;
using System.Runtime.InteropServices;
using Backprop.Numerics;

namespace Backprop;

// Softmax and log-softmax over the rows of a batch: x and y hold `batch` rows of `classes` entries, row-major.
public static partial class Ops
{
    /// <summary>
    /// <c>y[b, i] = e^x[b, i] / Σ_j e^x[b, j]</c> for each of the <paramref name="batch"/> rows of <paramref name="classes"/>
    /// entries (row-major), with the row's maximum subtracted first (PyTorch's <c>softmax(x, dim=1)</c>).
    /// </summary>
    /// <exception cref="ArgumentException">A buffer does not hold <paramref name="batch"/> × <paramref name="classes"/> entries.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A size is negative.</exception>
    public static void Softmax(ReadOnlySpan<double> x, Span<double> y, int batch, int classes) => SoftmaxCore(x, y, batch, classes, log: false);

    /// <inheritdoc cref="Softmax(ReadOnlySpan{double}, Span{double}, int, int)"/>
    public static void Softmax(ReadOnlySpan<float> x, Span<float> y, int batch, int classes) => SoftmaxCore(x, y, batch, classes, log: false);

    /// <summary>The reverse rule of <see cref="Softmax(ReadOnlySpan{double}, Span{double}, int, int)"/>: <c>dX[b, i] += y[b, i] · (dY[b, i] − Σ_j dY[b, j] y[b, j])</c>.</summary>
    /// <exception cref="ArgumentException">A buffer has the wrong length.</exception>
    [DerivativeOf(typeof(Ops), nameof(Softmax))]
    public static void SoftmaxReverse(ReadOnlySpan<double> x, Span<double> y, int batch, int classes, ReadOnlySpan<double> dY, Span<double> dX) =>
        SoftmaxReverseCore(x, y, batch, classes, dY, dX, log: false);

    /// <inheritdoc cref="SoftmaxReverse(ReadOnlySpan{double}, Span{double}, int, int, ReadOnlySpan{double}, Span{double})"/>
    [DerivativeOf(typeof(Ops), nameof(Softmax))]
    public static void SoftmaxReverse(ReadOnlySpan<float> x, Span<float> y, int batch, int classes, ReadOnlySpan<float> dY, Span<float> dX) =>
        SoftmaxReverseCore(x, y, batch, classes, dY, dX, log: false);

    /// <summary>
    /// <c>y[b, i] = x[b, i] − log Σ_j e^x[b, j]</c> for each of the <paramref name="batch"/> rows of <paramref name="classes"/>
    /// entries (PyTorch's <c>log_softmax(x, dim=1)</c>), computed with <see cref="LogSumExp(ReadOnlySpan{double})"/> per row.
    /// </summary>
    /// <exception cref="ArgumentException">A buffer does not hold <paramref name="batch"/> × <paramref name="classes"/> entries.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A size is negative.</exception>
    public static void LogSoftmax(ReadOnlySpan<double> x, Span<double> y, int batch, int classes) => SoftmaxCore(x, y, batch, classes, log: true);

    /// <inheritdoc cref="LogSoftmax(ReadOnlySpan{double}, Span{double}, int, int)"/>
    public static void LogSoftmax(ReadOnlySpan<float> x, Span<float> y, int batch, int classes) => SoftmaxCore(x, y, batch, classes, log: true);

    /// <summary>The reverse rule of <see cref="LogSoftmax(ReadOnlySpan{double}, Span{double}, int, int)"/>: <c>dX[b, i] += dY[b, i] − e^y[b, i] · Σ_j dY[b, j]</c>.</summary>
    /// <exception cref="ArgumentException">A buffer has the wrong length.</exception>
    [DerivativeOf(typeof(Ops), nameof(LogSoftmax))]
    public static void LogSoftmaxReverse(ReadOnlySpan<double> x, Span<double> y, int batch, int classes, ReadOnlySpan<double> dY, Span<double> dX) =>
        SoftmaxReverseCore(x, y, batch, classes, dY, dX, log: true);

    /// <inheritdoc cref="LogSoftmaxReverse(ReadOnlySpan{double}, Span{double}, int, int, ReadOnlySpan{double}, Span{double})"/>
    [DerivativeOf(typeof(Ops), nameof(LogSoftmax))]
    public static void LogSoftmaxReverse(ReadOnlySpan<float> x, Span<float> y, int batch, int classes, ReadOnlySpan<float> dY, Span<float> dX) =>
        SoftmaxReverseCore(x, y, batch, classes, dY, dX, log: true);

    private static int CheckRows(int xLength, int yLength, int batch, int classes)
    {
        RequireNonNegative(batch, nameof(batch));
        RequireNonNegative(classes, nameof(classes));
        int size = Product(batch, classes, nameof(classes));
        RequireLength(xLength, size, "x", "batch * classes");
        RequireLength(yLength, size, "y", "batch * classes");
        return size;
    }

    private static void SoftmaxCore<T>(ReadOnlySpan<T> x, Span<T> y, int batch, int classes, bool log) where T : unmanaged, IFloatingPointIeee754<T>
    {
        CheckRows(x.Length, y.Length, batch, classes);
        for (int b = 0; b < batch; b++)
        {
            var row = x.Slice(b * classes, classes);
            var output = y.Slice(b * classes, classes);
            T lse = LogSumExpCore(row);
            if (log) AddConstant(row, -lse, output);
            else ExpShifted(row, lse, output);
        }
    }

    private static void SoftmaxReverseCore<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, int batch, int classes, ReadOnlySpan<T> dY, Span<T> dX, bool log)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int size = CheckRows(x.Length, y.Length, batch, classes);
        RequireLength(dY.Length, size, nameof(dY), "batch * classes");
        RequireGradient(dX.Length, size, nameof(dX));
        if (dX.IsEmpty) return;
        for (int b = 0; b < batch; b++)
        {
            var output = y.Slice(b * classes, classes);
            var dOutput = dY.Slice(b * classes, classes);
            var dInput = dX.Slice(b * classes, classes);
            if (log)
            {
                // dX += dY − softmax · Σ dY, softmax = e^y.
                Lanes.AddScaled(dInput, T.One, dOutput);
                AddScaledExp(dInput, -Lanes.Sum(dOutput), output, T.Zero);
            }
            else
            {
                // dX += y ⊙ dY − y · (dY · y).
                T dot = Lanes.Dot(dOutput, output);
                AddProductMinusScaled(dInput, output, dOutput, dot);
            }
        }
    }

    /// <summary><c>y[i] = x[i] + c</c>.</summary>
    private static void AddConstant<T>(ReadOnlySpan<T> x, T c, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var xv = MemoryMarshal.Cast<T, Vector<T>>(x);
        var yv = MemoryMarshal.Cast<T, Vector<T>>(y);
        var cv = new Vector<T>(c);
        for (int v = 0; v < xv.Length; v++) yv[v] = xv[v] + cv;
        for (int i = xv.Length * Vector<T>.Count; i < x.Length; i++) y[i] = x[i] + c;
    }

    /// <summary><c>y[i] = e^(x[i] − shift)</c>.</summary>
    private static void ExpShifted<T>(ReadOnlySpan<T> x, T shift, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var xv = MemoryMarshal.Cast<T, Vector<T>>(x);
        var yv = MemoryMarshal.Cast<T, Vector<T>>(y);
        int done = xv.Length * Vector<T>.Count;
        if (done < x.Length) Lanes.StoreTail(VectorMath.Exp(Lanes.LoadTail(x.Slice(done), T.NegativeInfinity) - new Vector<T>(shift)), y.Slice(done));
        var s = new Vector<T>(shift);
        for (int v = 0; v < xv.Length; v++) yv[v] = VectorMath.Exp(xv[v] - s);
    }

    /// <summary><c>target[i] += y[i] · (dY[i] − c)</c>.</summary>
    private static void AddProductMinusScaled<T>(Span<T> target, ReadOnlySpan<T> y, ReadOnlySpan<T> dY, T c) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var tv = MemoryMarshal.Cast<T, Vector<T>>(target);
        var yv = MemoryMarshal.Cast<T, Vector<T>>(y);
        var dv = MemoryMarshal.Cast<T, Vector<T>>(dY);
        var cv = new Vector<T>(c);
        for (int v = 0; v < tv.Length; v++) tv[v] += yv[v] * (dv[v] - cv);
        for (int i = tv.Length * Vector<T>.Count; i < target.Length; i++) target[i] += y[i] * (dY[i] - c);
    }
}
