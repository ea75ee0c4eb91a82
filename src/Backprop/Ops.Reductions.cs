using System;
using System.Numerics;
using System.Runtime.InteropServices;
using Backprop.Numerics;

namespace Backprop;

// Reductions of a span to a scalar: value-returning operations, whose rules take the result and its adjoint.
public static partial class Ops
{
    /// <summary>Σ x[i], vectorized. 0 for an empty span.</summary>
    public static double Sum(ReadOnlySpan<double> x) => Lanes.Sum(x);

    /// <inheritdoc cref="Sum(ReadOnlySpan{double})"/>
    public static float Sum(ReadOnlySpan<float> x) => Lanes.Sum(x);

    /// <summary>The reverse rule of <see cref="Sum(ReadOnlySpan{double})"/>: <c>dX[i] += dResult</c>.</summary>
    /// <exception cref="ArgumentException"><paramref name="dX"/> is neither empty nor as long as <paramref name="x"/>.</exception>
    [DerivativeOf(typeof(Ops), nameof(Sum))]
    public static void SumReverse(ReadOnlySpan<double> x, double result, double dResult, Span<double> dX) => SumReverseCore(x, dResult, dX);

    /// <inheritdoc cref="SumReverse(ReadOnlySpan{double}, double, double, Span{double})"/>
    [DerivativeOf(typeof(Ops), nameof(Sum))]
    public static void SumReverse(ReadOnlySpan<float> x, float result, float dResult, Span<float> dX) => SumReverseCore(x, dResult, dX);

    /// <summary>Σ x[i] y[i], vectorized.</summary>
    /// <exception cref="ArgumentException"><paramref name="y"/> is not as long as <paramref name="x"/>.</exception>
    public static double Dot(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        RequireLength(y.Length, x.Length, nameof(y), "x.Length");
        return Lanes.Dot(x, y);
    }

    /// <inheritdoc cref="Dot(ReadOnlySpan{double}, ReadOnlySpan{double})"/>
    public static float Dot(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        RequireLength(y.Length, x.Length, nameof(y), "x.Length");
        return Lanes.Dot(x, y);
    }

    /// <summary>The reverse rule of <see cref="Dot(ReadOnlySpan{double}, ReadOnlySpan{double})"/>: <c>dX += dResult · y</c>, <c>dY += dResult · x</c>.</summary>
    /// <exception cref="ArgumentException">A buffer has the wrong length.</exception>
    [DerivativeOf(typeof(Ops), nameof(Dot))]
    public static void DotReverse(ReadOnlySpan<double> x, ReadOnlySpan<double> y, double result, double dResult, Span<double> dX, Span<double> dY) =>
        DotReverseCore(x, y, dResult, dX, dY);

    /// <inheritdoc cref="DotReverse(ReadOnlySpan{double}, ReadOnlySpan{double}, double, double, Span{double}, Span{double})"/>
    [DerivativeOf(typeof(Ops), nameof(Dot))]
    public static void DotReverse(ReadOnlySpan<float> x, ReadOnlySpan<float> y, float result, float dResult, Span<float> dX, Span<float> dY) =>
        DotReverseCore(x, y, dResult, dX, dY);

    /// <summary>
    /// log Σ e^x[i], computed as m + log Σ e^(x[i] − m) with m the largest entry, so that it neither overflows nor
    /// underflows; the exponentials are vectorized (see docs/ops.md for their accuracy). Like PyTorch's
    /// <c>torch.logsumexp</c>: −∞ for an empty span or one of −∞ only, +∞ if an entry is +∞, NaN if one is NaN.
    /// </summary>
    public static double LogSumExp(ReadOnlySpan<double> x) => LogSumExpCore(x);

    /// <inheritdoc cref="LogSumExp(ReadOnlySpan{double})"/>
    public static float LogSumExp(ReadOnlySpan<float> x) => LogSumExpCore(x);

    /// <summary>
    /// The reverse rule of <see cref="LogSumExp(ReadOnlySpan{double})"/>: <c>dX[i] += dResult · e^(x[i] − result)</c>, the
    /// softmax of <paramref name="x"/>, recomputed from the result (no buffer is kept between the sweeps).
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="dX"/> is neither empty nor as long as <paramref name="x"/>.</exception>
    [DerivativeOf(typeof(Ops), nameof(LogSumExp))]
    public static void LogSumExpReverse(ReadOnlySpan<double> x, double result, double dResult, Span<double> dX) => LogSumExpReverseCore(x, result, dResult, dX);

    /// <inheritdoc cref="LogSumExpReverse(ReadOnlySpan{double}, double, double, Span{double})"/>
    [DerivativeOf(typeof(Ops), nameof(LogSumExp))]
    public static void LogSumExpReverse(ReadOnlySpan<float> x, float result, float dResult, Span<float> dX) => LogSumExpReverseCore(x, result, dResult, dX);

    private static void SumReverseCore<T>(ReadOnlySpan<T> x, T dResult, Span<T> dX) where T : unmanaged, IFloatingPointIeee754<T>
    {
        RequireGradient(dX.Length, x.Length, nameof(dX));
        var dv = MemoryMarshal.Cast<T, Vector<T>>(dX);
        var d = new Vector<T>(dResult);
        for (int v = 0; v < dv.Length; v++) dv[v] += d;
        for (int i = dv.Length * Vector<T>.Count; i < dX.Length; i++) dX[i] += dResult;
    }

    private static void DotReverseCore<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, T dResult, Span<T> dX, Span<T> dY) where T : unmanaged
    {
        RequireLength(y.Length, x.Length, nameof(y), "x.Length");
        RequireGradient(dX.Length, x.Length, nameof(dX));
        RequireGradient(dY.Length, y.Length, nameof(dY));
        if (!dX.IsEmpty) Lanes.AddScaled(dX, dResult, y);
        if (!dY.IsEmpty) Lanes.AddScaled(dY, dResult, x);
    }

    private static T LogSumExpCore<T>(ReadOnlySpan<T> x) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T max = Lanes.Max(x);
        if (!T.IsFinite(max)) return max;
        return max + T.Log(SumOfExp(x, max));
    }

    private static void LogSumExpReverseCore<T>(ReadOnlySpan<T> x, T result, T dResult, Span<T> dX) where T : unmanaged, IFloatingPointIeee754<T>
    {
        RequireGradient(dX.Length, x.Length, nameof(dX));
        if (!dX.IsEmpty) AddScaledExp(dX, dResult, x, result);
    }

    /// <summary>Σ e^(x[i] − shift); the padding of the tail is −∞, whose exponential is 0. (Tails first: see <see cref="Lanes"/>.)</summary>
    private static T SumOfExp<T>(ReadOnlySpan<T> x, T shift) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var xv = MemoryMarshal.Cast<T, Vector<T>>(x);
        int done = xv.Length * Vector<T>.Count;
        var sum = done < x.Length ? VectorMath.Exp(Lanes.LoadTail(x.Slice(done), T.NegativeInfinity) - new Vector<T>(shift)) : Vector<T>.Zero;
        var s = new Vector<T>(shift);
        for (int v = 0; v < xv.Length; v++) sum += VectorMath.Exp(xv[v] - s);
        return Vector.Sum(sum);
    }

    /// <summary><c>target[i] += scale · e^(x[i] − shift)</c>.</summary>
    private static void AddScaledExp<T>(Span<T> target, T scale, ReadOnlySpan<T> x, T shift) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var tv = MemoryMarshal.Cast<T, Vector<T>>(target);
        var xv = MemoryMarshal.Cast<T, Vector<T>>(x);
        int done = tv.Length * Vector<T>.Count;
        if (done < target.Length)
        {
            var tail = target.Slice(done);
            var e = VectorMath.Exp(Lanes.LoadTail(x.Slice(done), T.NegativeInfinity) - new Vector<T>(shift));
            Lanes.StoreTail(Lanes.LoadTail<T>(tail, default) + new Vector<T>(scale) * e, tail);
        }
        var s = new Vector<T>(shift);
        var c = new Vector<T>(scale);
        for (int v = 0; v < tv.Length; v++) tv[v] += c * VectorMath.Exp(xv[v] - s);
    }
}
