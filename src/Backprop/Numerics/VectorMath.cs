using System;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace Backprop.Numerics;

/// <summary>
/// Elementary functions over <see cref="Vector{T}"/> lanes, so that <see cref="Ops"/> does not pay a scalar
/// <see cref="Math.Exp"/> (about 6 ns) per element. The double kernels follow fdlibm (Sun's freely distributable libm,
/// which .NET's own <c>Math.Exp</c> and <c>Math.Log</c> agree with to within an ulp); the float kernels widen to double
/// and round the result once, so they are as accurate as a float result can be, up to a rare double rounding.
/// </summary>
/// <remarks>
/// Measured against <see cref="Math.Exp"/>, <see cref="Math.Log(double)"/> and <see cref="Math.Tanh"/> by
/// <c>tests/Backprop.Runtime.Tests/VectorMathTests.cs</c>: Exp and Log within 1 ulp over the whole range (subnormal
/// results included), Tanh within 4 ulp. Special values follow IEEE 754: NaN in, NaN out; Exp(+∞) = +∞, Exp(−∞) = 0,
/// overflow to +∞ above 709.78, gradual underflow to subnormals and 0 below −708.4; Log(0) = −∞, Log(x &lt; 0) = NaN.
/// </remarks>
internal static class VectorMath
{
    // Every function is inlined into its loop: a Vector<T> argument or result goes through memory in a call (x64 Unix),
    // and the constants are loaded once per loop rather than once per vector.

    // Rounds to an integer in the low bits: x + 1.5·2^52 has its units in the last place of the mantissa.
    private const double Shift = 6755399441055744.0;
    private const double InvLn2 = 1.44269504088896338700e+00;
    private const double Ln2Hi = 6.93147180369123816490e-01;   // 32 significant bits: n · Ln2Hi is exact
    private const double Ln2Lo = 1.90821492927058770002e-10;

    // fdlibm e_exp.c: a Remez fit of r·(e^r + 1)/(e^r − 1) on |r| ≤ ln2/2, error below 2^-59.
    private const double P1 = 1.66666666666666019037e-01;
    private const double P2 = -2.77777777770155933842e-03;
    private const double P3 = 6.61375632143793436117e-05;
    private const double P4 = -1.65339022054652515390e-06;
    private const double P5 = 4.13813679705723846039e-08;

    // fdlibm e_log.c: a Remez fit of (log(1 + f) − 2s)/s with s = f/(2 + f), error below 2^-58.
    private const double Lg1 = 6.666666666666735130e-01;
    private const double Lg2 = 3.999999999940941908e-01;
    private const double Lg3 = 2.857142874366239149e-01;
    private const double Lg4 = 2.222219843214978396e-01;
    private const double Lg5 = 1.818357216161805012e-01;
    private const double Lg6 = 1.531383769920937332e-01;
    private const double Lg7 = 1.479819860511658591e-01;

    /// <summary>e^x per lane, for <c>double</c> or <c>float</c> lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<T> Exp<T>(Vector<T> x) where T : unmanaged
    {
        if (typeof(T) == typeof(double)) return Vector.As<double, T>(Exp(Vector.As<T, double>(x)));
        Vector.Widen(Vector.As<T, float>(x), out var low, out var high);
        return Vector.As<float, T>(Vector.Narrow(Exp(low), Exp(high)));
    }

    /// <summary>The natural logarithm per lane, for <c>double</c> or <c>float</c> lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<T> Log<T>(Vector<T> x) where T : unmanaged
    {
        if (typeof(T) == typeof(double)) return Vector.As<double, T>(Log(Vector.As<T, double>(x)));
        Vector.Widen(Vector.As<T, float>(x), out var low, out var high);
        return Vector.As<float, T>(Vector.Narrow(Log(low), Log(high)));
    }

    /// <summary>tanh x per lane, for <c>double</c> or <c>float</c> lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<T> Tanh<T>(Vector<T> x) where T : unmanaged
    {
        if (typeof(T) == typeof(double)) return Vector.As<double, T>(Tanh(Vector.As<T, double>(x)));
        Vector.Widen(Vector.As<T, float>(x), out var low, out var high);
        return Vector.As<float, T>(Vector.Narrow(Tanh(low), Tanh(high)));
    }

    /// <summary>The logistic function 1 / (1 + e^−x) per lane, for <c>double</c> or <c>float</c> lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<T> Sigmoid<T>(Vector<T> x) where T : unmanaged
    {
        if (typeof(T) == typeof(double)) return Vector.As<double, T>(Sigmoid(Vector.As<T, double>(x)));
        Vector.Widen(Vector.As<T, float>(x), out var low, out var high);
        return Vector.As<float, T>(Vector.Narrow(Sigmoid(low), Sigmoid(high)));
    }

    /// <summary>
    /// e^x as fdlibm computes it: x = n·ln2 + r with |r| ≤ ln2/2 (ln2 in two parts, so r is exact), e^r from a rational
    /// approximation, then a scaling by 2^n. When every lane is below 708 in magnitude (the usual case), 2^n is one
    /// normal number; otherwise the scaling takes two steps, 2^⌊n/2⌉ · 2^(n − ⌊n/2⌉), so that results that overflow become
    /// +∞ and results below the normal range round once, to a subnormal or 0.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<double> Exp(Vector<double> x)
    {
        var shift = new Vector<double>(Shift);
        if (Vector.LessThanAll(Vector.Abs(x), new Vector<double>(708.0)))
        {
            var shifted = x * new Vector<double>(InvLn2) + shift;
            var y = ExpReduced(x, shifted - shift);
            // The low bits of shifted hold n; n + 1023 shifted into the exponent field is 2^n.
            var scale = Vector.ShiftLeft(Vector.AsVectorInt64(shifted) + new Vector<long>(1023 - BitConverter.DoubleToInt64Bits(Shift)), 52);
            return y * Vector.AsVectorDouble(scale);
        }
        return ExpWide(x);
    }

    /// <summary><see cref="Exp(Vector{double})"/> for lanes that may overflow, underflow or be NaN.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<double> ExpWide(Vector<double> x)
    {
        var clamped = Vector.Min(Vector.Max(x, new Vector<double>(-746.0)), new Vector<double>(710.0));
        var shift = new Vector<double>(Shift);
        var shifted = clamped * new Vector<double>(InvLn2) + shift;
        var n = shifted - shift;
        var y = ExpReduced(clamped, n);
        var shiftBits = Vector.AsVectorInt64(shift);
        var whole = Vector.AsVectorInt64(shifted) - shiftBits;
        var half = Vector.AsVectorInt64(n * new Vector<double>(0.5) + shift) - shiftBits;
        var bias = new Vector<long>(1023);
        var scale1 = Vector.AsVectorDouble(Vector.ShiftLeft(half + bias, 52));
        var scale2 = Vector.AsVectorDouble(Vector.ShiftLeft(whole - half + bias, 52));
        var result = y * scale1 * scale2;
        return Vector.ConditionalSelect(Vector.Equals(x, x), result, x + x);
    }

    /// <summary>e^(x − n·ln2) for an integer-valued <paramref name="n"/>, fdlibm's rational approximation (error below 1 ulp).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<double> ExpReduced(Vector<double> x, Vector<double> n)
    {
        var hi = x - n * new Vector<double>(Ln2Hi);
        var lo = n * new Vector<double>(Ln2Lo);
        var r = hi - lo;
        var t = r * r;
        var c = r - t * (new Vector<double>(P1) + t * (new Vector<double>(P2) + t * (new Vector<double>(P3) + t * (new Vector<double>(P4) + t * new Vector<double>(P5)))));
        return Vector<double>.One - ((lo - r * c / (new Vector<double>(2.0) - c)) - hi);
    }

    /// <summary>
    /// log x as fdlibm computes it: x = 2^k · (1 + f) with 1 + f in [√2/2, √2), then log(1 + f) = f − f²/2 + s·(f²/2 + R(s²))
    /// with s = f/(2 + f). Subnormal inputs are scaled by 2^54 first.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<double> Log(Vector<double> x)
    {
        var subnormal = Vector.LessThan(x, new Vector<double>(2.2250738585072014e-308));
        var scaled = Vector.ConditionalSelect(subnormal, x * new Vector<double>(18014398509481984.0), x);
        var bits = Vector.AsVectorInt64(scaled);
        var exponentBits = Vector.ShiftRightLogical(bits, 52) & new Vector<long>(0x7FF);
        var mantissa = Vector.AsVectorDouble((bits & new Vector<long>(0x000FFFFFFFFFFFFF)) | new Vector<long>(0x3FF0000000000000));
        var large = Vector.GreaterThan(mantissa, new Vector<double>(1.4142135623730951));
        mantissa = Vector.ConditionalSelect(large, mantissa * new Vector<double>(0.5), mantissa);

        // k = exponent − 1023 (+1 when the mantissa was halved, −54 for a scaled subnormal), exactly, without a long → double conversion.
        var shift = new Vector<double>(Shift);
        var k = Vector.AsVectorDouble(Vector.AsVectorInt64(shift) + exponentBits) - shift
                - new Vector<double>(1023.0)
                + Vector.ConditionalSelect(large, Vector<double>.One, Vector<double>.Zero)
                - Vector.ConditionalSelect(subnormal, new Vector<double>(54.0), Vector<double>.Zero);

        var f = mantissa - Vector<double>.One;
        var s = f / (new Vector<double>(2.0) + f);
        var z = s * s;
        var w = z * z;
        var t1 = w * (new Vector<double>(Lg2) + w * (new Vector<double>(Lg4) + w * new Vector<double>(Lg6)));
        var t2 = z * (new Vector<double>(Lg1) + w * (new Vector<double>(Lg3) + w * (new Vector<double>(Lg5) + w * new Vector<double>(Lg7))));
        var hfsq = new Vector<double>(0.5) * f * f;
        var result = k * new Vector<double>(Ln2Hi) - ((hfsq - (s * (hfsq + t2 + t1) + k * new Vector<double>(Ln2Lo))) - f);

        // Zero gives −∞, +∞ gives +∞, negative numbers and NaN give NaN.
        var special = Vector.ConditionalSelect(Vector.Equals(x, Vector<double>.Zero), new Vector<double>(double.NegativeInfinity),
            Vector.ConditionalSelect(Vector.Equals(x, new Vector<double>(double.PositiveInfinity)), x, new Vector<double>(double.NaN)));
        var regular = Vector.GreaterThan(x, Vector<double>.Zero) & Vector.LessThan(x, new Vector<double>(double.PositiveInfinity));
        return Vector.ConditionalSelect(regular, result, special);
    }

    /// <summary>
    /// tanh x: (1 − e^−2|x|)/(1 + e^−2|x|) with the sign of x, and for |x| &lt; 1/4, where that difference cancels, the
    /// Taylor series to x^21 (truncation error below 3·10^-18, relative).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<double> Tanh(Vector<double> x)
    {
        var a = Vector.Abs(x);
        var e = Exp(new Vector<double>(-2.0) * a);
        var far = (Vector<double>.One - e) / (Vector<double>.One + e);
        var z = a * a;
        var series = new Vector<double>(0.000096915379569294503256);
        series = series * z + new Vector<double>(-0.00023912911424355248149);
        series = series * z + new Vector<double>(0.00059002744094558598138);
        series = series * z + new Vector<double>(-0.0014558343870513182682);
        series = series * z + new Vector<double>(0.0035921280365724810169);
        series = series * z + new Vector<double>(-0.0088632355299021965689);
        series = series * z + new Vector<double>(0.021869488536155202822);
        series = series * z + new Vector<double>(-0.053968253968253968254);
        series = series * z + new Vector<double>(0.13333333333333333333);
        series = series * z + new Vector<double>(-0.33333333333333333333);
        var near = a + a * z * series;
        var magnitude = Vector.ConditionalSelect(Vector.LessThan(a, new Vector<double>(0.25)), near, far);
        var sign = Vector.AsVectorInt64(x) & new Vector<long>(long.MinValue);
        return Vector.AsVectorDouble(Vector.AsVectorInt64(magnitude) | sign);
    }

    /// <summary>1 / (1 + e^−x): no cancellation on either side, 0 where e^−x overflows.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<double> Sigmoid(Vector<double> x) => Vector<double>.One / (Vector<double>.One + Exp(-x));
}
