using System;
using System.Numerics;
using System.Runtime.InteropServices;
using Backprop.Numerics;

namespace Backprop;

// Losses: value-returning, mean over the batch, as PyTorch's default reduction.
public static partial class Ops
{
    /// <summary>
    /// The mean softmax cross-entropy of <paramref name="batch"/> rows of <paramref name="classes"/> logits (row-major) against
    /// integer labels: <c>(1/batch) Σ_b (log Σ_j e^logits[b, j] − logits[b, labels[b]])</c>, PyTorch's
    /// <c>cross_entropy(logits, labels)</c>. Each row's log-sum-exp is max-shifted and vectorized. NaN for an empty batch.
    /// </summary>
    /// <exception cref="ArgumentException">A buffer has the wrong length.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A size is negative or a label is not in [0, <paramref name="classes"/>).</exception>
    public static double CrossEntropy(ReadOnlySpan<double> logits, ReadOnlySpan<int> labels, int batch, int classes) => CrossEntropyCore(logits, labels, batch, classes);

    /// <inheritdoc cref="CrossEntropy(ReadOnlySpan{double}, ReadOnlySpan{int}, int, int)"/>
    public static float CrossEntropy(ReadOnlySpan<float> logits, ReadOnlySpan<int> labels, int batch, int classes) => CrossEntropyCore(logits, labels, batch, classes);

    /// <summary>
    /// The reverse rule of <see cref="CrossEntropy(ReadOnlySpan{double}, ReadOnlySpan{int}, int, int)"/>:
    /// <c>dLogits[b, j] += dResult / batch · (softmax(logits[b])[j] − [j = labels[b]])</c>.
    /// </summary>
    /// <exception cref="ArgumentException">A buffer has the wrong length.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A size is negative or a label is out of range.</exception>
    [DerivativeOf(typeof(Ops), nameof(CrossEntropy))]
    public static void CrossEntropyReverse(ReadOnlySpan<double> logits, ReadOnlySpan<int> labels, int batch, int classes, double result, double dResult, Span<double> dLogits) =>
        CrossEntropyReverseCore(logits, labels, batch, classes, dResult, dLogits);

    /// <inheritdoc cref="CrossEntropyReverse(ReadOnlySpan{double}, ReadOnlySpan{int}, int, int, double, double, Span{double})"/>
    [DerivativeOf(typeof(Ops), nameof(CrossEntropy))]
    public static void CrossEntropyReverse(ReadOnlySpan<float> logits, ReadOnlySpan<int> labels, int batch, int classes, float result, float dResult, Span<float> dLogits) =>
        CrossEntropyReverseCore(logits, labels, batch, classes, dResult, dLogits);

    /// <summary>The mean squared error <c>(1/n) Σ (prediction[i] − target[i])²</c>, PyTorch's <c>mse_loss</c>; NaN when both are empty.</summary>
    /// <exception cref="ArgumentException"><paramref name="target"/> is not as long as <paramref name="prediction"/>.</exception>
    public static double Mse(ReadOnlySpan<double> prediction, ReadOnlySpan<double> target) => MseCore(prediction, target);

    /// <inheritdoc cref="Mse(ReadOnlySpan{double}, ReadOnlySpan{double})"/>
    public static float Mse(ReadOnlySpan<float> prediction, ReadOnlySpan<float> target) => MseCore(prediction, target);

    /// <summary>
    /// The reverse rule of <see cref="Mse(ReadOnlySpan{double}, ReadOnlySpan{double})"/>: <c>dPrediction[i] += 2 dResult (prediction[i] − target[i]) / n</c>
    /// and the opposite into <paramref name="dTarget"/> (empty when the target is <see cref="NoDerivativeAttribute"/> data).
    /// </summary>
    /// <exception cref="ArgumentException">A buffer has the wrong length.</exception>
    [DerivativeOf(typeof(Ops), nameof(Mse))]
    public static void MseReverse(ReadOnlySpan<double> prediction, ReadOnlySpan<double> target, double result, double dResult, Span<double> dPrediction, Span<double> dTarget) =>
        MseReverseCore(prediction, target, dResult, dPrediction, dTarget);

    /// <inheritdoc cref="MseReverse(ReadOnlySpan{double}, ReadOnlySpan{double}, double, double, Span{double}, Span{double})"/>
    [DerivativeOf(typeof(Ops), nameof(Mse))]
    public static void MseReverse(ReadOnlySpan<float> prediction, ReadOnlySpan<float> target, float result, float dResult, Span<float> dPrediction, Span<float> dTarget) =>
        MseReverseCore(prediction, target, dResult, dPrediction, dTarget);

    private static void CheckLabels(int logitsLength, ReadOnlySpan<int> labels, int batch, int classes)
    {
        RequireNonNegative(batch, nameof(batch));
        RequirePositive(classes, nameof(classes));
        RequireLength(logitsLength, Product(batch, classes, nameof(classes)), "logits", "batch * classes");
        RequireLength(labels.Length, batch, nameof(labels), "batch");
        foreach (int label in labels)
            if ((uint)label >= (uint)classes)
                throw new ArgumentOutOfRangeException(nameof(labels), label, $"Labels must be in [0, {classes}).");
    }

    private static T CrossEntropyCore<T>(ReadOnlySpan<T> logits, ReadOnlySpan<int> labels, int batch, int classes) where T : unmanaged, IFloatingPointIeee754<T>
    {
        CheckLabels(logits.Length, labels, batch, classes);
        T sum = T.Zero;
        for (int b = 0; b < batch; b++)
        {
            var row = logits.Slice(b * classes, classes);
            sum += LogSumExpCore(row) - row[labels[b]];
        }
        return sum / T.CreateTruncating(batch);
    }

    private static void CrossEntropyReverseCore<T>(ReadOnlySpan<T> logits, ReadOnlySpan<int> labels, int batch, int classes, T dResult, Span<T> dLogits)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        CheckLabels(logits.Length, labels, batch, classes);
        RequireGradient(dLogits.Length, logits.Length, nameof(dLogits));
        if (dLogits.IsEmpty) return;
        T scale = dResult / T.CreateTruncating(batch);
        for (int b = 0; b < batch; b++)
        {
            var row = logits.Slice(b * classes, classes);
            var dRow = dLogits.Slice(b * classes, classes);
            AddScaledExp(dRow, scale, row, LogSumExpCore(row));
            dRow[labels[b]] -= scale;
        }
    }

    private static T MseCore<T>(ReadOnlySpan<T> prediction, ReadOnlySpan<T> target) where T : unmanaged, IFloatingPointIeee754<T>
    {
        RequireLength(target.Length, prediction.Length, nameof(target), "prediction.Length");
        var pv = MemoryMarshal.Cast<T, Vector<T>>(prediction);
        var tv = MemoryMarshal.Cast<T, Vector<T>>(target);
        int done = pv.Length * Vector<T>.Count;
        var sum = Vector<T>.Zero;
        if (done < prediction.Length)
        {
            var d = Lanes.LoadTail(prediction.Slice(done), T.Zero) - Lanes.LoadTail(target.Slice(done), T.Zero);
            sum = d * d;
        }
        for (int v = 0; v < pv.Length; v++)
        {
            var d = pv[v] - tv[v];
            sum += d * d;
        }
        return Vector.Sum(sum) / T.CreateTruncating(prediction.Length);
    }

    private static void MseReverseCore<T>(ReadOnlySpan<T> prediction, ReadOnlySpan<T> target, T dResult, Span<T> dPrediction, Span<T> dTarget)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        RequireLength(target.Length, prediction.Length, nameof(target), "prediction.Length");
        RequireGradient(dPrediction.Length, prediction.Length, nameof(dPrediction));
        RequireGradient(dTarget.Length, target.Length, nameof(dTarget));
        T scale = (dResult + dResult) / T.CreateTruncating(prediction.Length);
        if (!dPrediction.IsEmpty) Lanes.AddScaledDifference(dPrediction, scale, prediction, target);
        if (!dTarget.IsEmpty) Lanes.AddScaledDifference(dTarget, scale, target, prediction);
    }
}
