using System;
using System.Numerics;
using Backprop.Numerics;

namespace Backprop;

// Element-wise layers x → y over spans of equal length. y may be x itself when the call is not differentiated.
public static partial class Ops
{
    /// <summary><c>y[i] = max(x[i], 0)</c> (NaN stays NaN).</summary>
    /// <exception cref="ArgumentException"><paramref name="y"/> is not as long as <paramref name="x"/>.</exception>
    public static void Relu(ReadOnlySpan<double> x, Span<double> y) => Unary<double, ReluKernel<double>>(x, y);

    /// <inheritdoc cref="Relu(ReadOnlySpan{double}, Span{double})"/>
    public static void Relu(ReadOnlySpan<float> x, Span<float> y) => Unary<float, ReluKernel<float>>(x, y);

    /// <summary>The reverse rule of <see cref="Relu(ReadOnlySpan{double}, Span{double})"/>: <c>dX[i] += x[i] &gt; 0 ? dY[i] : 0</c> (the derivative at 0 is taken to be 0, as PyTorch does).</summary>
    /// <exception cref="ArgumentException">A buffer has the wrong length.</exception>
    [DerivativeOf(typeof(Ops), nameof(Relu))]
    public static void ReluReverse(ReadOnlySpan<double> x, Span<double> y, ReadOnlySpan<double> dY, Span<double> dX) =>
        UnaryReverse<double, ReluKernel<double>>(x, y, dY, dX);

    /// <inheritdoc cref="ReluReverse(ReadOnlySpan{double}, Span{double}, ReadOnlySpan{double}, Span{double})"/>
    [DerivativeOf(typeof(Ops), nameof(Relu))]
    public static void ReluReverse(ReadOnlySpan<float> x, Span<float> y, ReadOnlySpan<float> dY, Span<float> dX) =>
        UnaryReverse<float, ReluKernel<float>>(x, y, dY, dX);

    /// <summary><c>y[i] = tanh x[i]</c>, vectorized (within 4 ulp of <see cref="Math.Tanh"/>).</summary>
    /// <exception cref="ArgumentException"><paramref name="y"/> is not as long as <paramref name="x"/>.</exception>
    public static void Tanh(ReadOnlySpan<double> x, Span<double> y) => Unary<double, TanhKernel<double>>(x, y);

    /// <inheritdoc cref="Tanh(ReadOnlySpan{double}, Span{double})"/>
    public static void Tanh(ReadOnlySpan<float> x, Span<float> y) => Unary<float, TanhKernel<float>>(x, y);

    /// <summary>The reverse rule of <see cref="Tanh(ReadOnlySpan{double}, Span{double})"/>: <c>dX[i] += dY[i] · (1 − y[i]²)</c>.</summary>
    /// <exception cref="ArgumentException">A buffer has the wrong length.</exception>
    [DerivativeOf(typeof(Ops), nameof(Tanh))]
    public static void TanhReverse(ReadOnlySpan<double> x, Span<double> y, ReadOnlySpan<double> dY, Span<double> dX) =>
        UnaryReverse<double, TanhKernel<double>>(x, y, dY, dX);

    /// <inheritdoc cref="TanhReverse(ReadOnlySpan{double}, Span{double}, ReadOnlySpan{double}, Span{double})"/>
    [DerivativeOf(typeof(Ops), nameof(Tanh))]
    public static void TanhReverse(ReadOnlySpan<float> x, Span<float> y, ReadOnlySpan<float> dY, Span<float> dX) =>
        UnaryReverse<float, TanhKernel<float>>(x, y, dY, dX);

    /// <summary><c>y[i] = 1 / (1 + e^−x[i])</c>, vectorized.</summary>
    /// <exception cref="ArgumentException"><paramref name="y"/> is not as long as <paramref name="x"/>.</exception>
    public static void Sigmoid(ReadOnlySpan<double> x, Span<double> y) => Unary<double, SigmoidKernel<double>>(x, y);

    /// <inheritdoc cref="Sigmoid(ReadOnlySpan{double}, Span{double})"/>
    public static void Sigmoid(ReadOnlySpan<float> x, Span<float> y) => Unary<float, SigmoidKernel<float>>(x, y);

    /// <summary>The reverse rule of <see cref="Sigmoid(ReadOnlySpan{double}, Span{double})"/>: <c>dX[i] += dY[i] · y[i] · (1 − y[i])</c>.</summary>
    /// <exception cref="ArgumentException">A buffer has the wrong length.</exception>
    [DerivativeOf(typeof(Ops), nameof(Sigmoid))]
    public static void SigmoidReverse(ReadOnlySpan<double> x, Span<double> y, ReadOnlySpan<double> dY, Span<double> dX) =>
        UnaryReverse<double, SigmoidKernel<double>>(x, y, dY, dX);

    /// <inheritdoc cref="SigmoidReverse(ReadOnlySpan{double}, Span{double}, ReadOnlySpan{double}, Span{double})"/>
    [DerivativeOf(typeof(Ops), nameof(Sigmoid))]
    public static void SigmoidReverse(ReadOnlySpan<float> x, Span<float> y, ReadOnlySpan<float> dY, Span<float> dX) =>
        UnaryReverse<float, SigmoidKernel<float>>(x, y, dY, dX);

    /// <summary><c>y[i] = e^x[i]</c>, vectorized (within 1 ulp of <see cref="Math.Exp"/>).</summary>
    /// <exception cref="ArgumentException"><paramref name="y"/> is not as long as <paramref name="x"/>.</exception>
    public static void Exp(ReadOnlySpan<double> x, Span<double> y) => Unary<double, ExpKernel<double>>(x, y);

    /// <inheritdoc cref="Exp(ReadOnlySpan{double}, Span{double})"/>
    public static void Exp(ReadOnlySpan<float> x, Span<float> y) => Unary<float, ExpKernel<float>>(x, y);

    /// <summary>The reverse rule of <see cref="Exp(ReadOnlySpan{double}, Span{double})"/>: <c>dX[i] += dY[i] · y[i]</c>.</summary>
    /// <exception cref="ArgumentException">A buffer has the wrong length.</exception>
    [DerivativeOf(typeof(Ops), nameof(Exp))]
    public static void ExpReverse(ReadOnlySpan<double> x, Span<double> y, ReadOnlySpan<double> dY, Span<double> dX) =>
        UnaryReverse<double, ExpKernel<double>>(x, y, dY, dX);

    /// <inheritdoc cref="ExpReverse(ReadOnlySpan{double}, Span{double}, ReadOnlySpan{double}, Span{double})"/>
    [DerivativeOf(typeof(Ops), nameof(Exp))]
    public static void ExpReverse(ReadOnlySpan<float> x, Span<float> y, ReadOnlySpan<float> dY, Span<float> dX) =>
        UnaryReverse<float, ExpKernel<float>>(x, y, dY, dX);

    /// <summary><c>y[i] = log x[i]</c>, vectorized (within 1 ulp of <see cref="Math.Log(double)"/>; −∞ at 0, NaN below).</summary>
    /// <exception cref="ArgumentException"><paramref name="y"/> is not as long as <paramref name="x"/>.</exception>
    public static void Log(ReadOnlySpan<double> x, Span<double> y) => Unary<double, LogKernel<double>>(x, y);

    /// <inheritdoc cref="Log(ReadOnlySpan{double}, Span{double})"/>
    public static void Log(ReadOnlySpan<float> x, Span<float> y) => Unary<float, LogKernel<float>>(x, y);

    /// <summary>The reverse rule of <see cref="Log(ReadOnlySpan{double}, Span{double})"/>: <c>dX[i] += dY[i] / x[i]</c>.</summary>
    /// <exception cref="ArgumentException">A buffer has the wrong length.</exception>
    [DerivativeOf(typeof(Ops), nameof(Log))]
    public static void LogReverse(ReadOnlySpan<double> x, Span<double> y, ReadOnlySpan<double> dY, Span<double> dX) =>
        UnaryReverse<double, LogKernel<double>>(x, y, dY, dX);

    /// <inheritdoc cref="LogReverse(ReadOnlySpan{double}, Span{double}, ReadOnlySpan{double}, Span{double})"/>
    [DerivativeOf(typeof(Ops), nameof(Log))]
    public static void LogReverse(ReadOnlySpan<float> x, Span<float> y, ReadOnlySpan<float> dY, Span<float> dX) =>
        UnaryReverse<float, LogKernel<float>>(x, y, dY, dX);

    private static void Unary<T, TKernel>(ReadOnlySpan<T> x, Span<T> y)
        where T : unmanaged
        where TKernel : IUnaryKernel<T>
    {
        RequireLength(y.Length, x.Length, nameof(y), "x.Length");
        Lanes.Map<T, TKernel>(x, y);
    }

    private static void UnaryReverse<T, TKernel>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, ReadOnlySpan<T> dY, Span<T> dX)
        where T : unmanaged
        where TKernel : IUnaryKernel<T>
    {
        RequireLength(y.Length, x.Length, nameof(y), "x.Length");
        RequireLength(dY.Length, x.Length, nameof(dY), "x.Length");
        RequireGradient(dX.Length, x.Length, nameof(dX));
        if (!dX.IsEmpty) Lanes.MapReverse<T, TKernel>(x, y, dY, dX);
    }

    private readonly struct ReluKernel<T> : IUnaryKernel<T> where T : unmanaged
    {
        public static Vector<T> Forward(Vector<T> x) => Vector.ConditionalSelect(Vector.LessThanOrEqual(x, Vector<T>.Zero), Vector<T>.Zero, x);

        public static Vector<T> Reverse(Vector<T> x, Vector<T> y, Vector<T> dY) => Vector.ConditionalSelect(Vector.GreaterThan(x, Vector<T>.Zero), dY, Vector<T>.Zero);
    }

    private readonly struct TanhKernel<T> : IUnaryKernel<T> where T : unmanaged
    {
        public static Vector<T> Forward(Vector<T> x) => VectorMath.Tanh(x);

        public static Vector<T> Reverse(Vector<T> x, Vector<T> y, Vector<T> dY) => dY * (Vector<T>.One - y * y);
    }

    private readonly struct SigmoidKernel<T> : IUnaryKernel<T> where T : unmanaged
    {
        public static Vector<T> Forward(Vector<T> x) => VectorMath.Sigmoid(x);

        public static Vector<T> Reverse(Vector<T> x, Vector<T> y, Vector<T> dY) => dY * y * (Vector<T>.One - y);
    }

    private readonly struct ExpKernel<T> : IUnaryKernel<T> where T : unmanaged
    {
        public static Vector<T> Forward(Vector<T> x) => VectorMath.Exp(x);

        public static Vector<T> Reverse(Vector<T> x, Vector<T> y, Vector<T> dY) => dY * y;
    }

    private readonly struct LogKernel<T> : IUnaryKernel<T> where T : unmanaged
    {
        public static Vector<T> Forward(Vector<T> x) => VectorMath.Log(x);

        public static Vector<T> Reverse(Vector<T> x, Vector<T> y, Vector<T> dY) => dY / x;
    }
}
