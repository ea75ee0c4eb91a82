using System.Diagnostics;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Backprop.Benchmarks;

/// <summary>
/// This core's measured peak: 12 independent chains of 512-bit (or 256-bit without AVX-512) fused multiply-adds, enough
/// to cover the FMA latency on both pipes, and nothing else. Under a hypervisor, with an unknown boost clock, this is
/// the honest denominator for "fraction of peak": the nominal formula is cores × clock × lanes × 2 FMA pipes × 2.
/// </summary>
public static class PeakFlops
{
    public static double Float()
    {
        const int iterations = 2_000_000;
        if (Avx512F.IsSupported)
        {
            var best = double.MaxValue;
            for (int r = 0; r < 7; r++)
            {
                var watch = Stopwatch.StartNew();
                Kernel512(iterations);
                best = System.Math.Min(best, watch.Elapsed.TotalSeconds);
            }
            return 12.0 * 16 * 2 * iterations / best;
        }
        if (Fma.IsSupported)
        {
            var best = double.MaxValue;
            for (int r = 0; r < 7; r++)
            {
                var watch = Stopwatch.StartNew();
                Kernel256(iterations);
                best = System.Math.Min(best, watch.Elapsed.TotalSeconds);
            }
            return 12.0 * 8 * 2 * iterations / best;
        }
        return 0;
    }

    private static float Kernel512(int iterations)
    {
        var x = Vector512.Create(1.0000001f);
        var y = Vector512.Create(0.9999999f);
        Vector512<float> a0 = x, a1 = x, a2 = x, a3 = x, a4 = x, a5 = x, a6 = x, a7 = x, a8 = x, a9 = x, a10 = x, a11 = x;
        for (int i = 0; i < iterations; i++)
        {
            a0 = Avx512F.FusedMultiplyAdd(a0, y, x); a1 = Avx512F.FusedMultiplyAdd(a1, y, x);
            a2 = Avx512F.FusedMultiplyAdd(a2, y, x); a3 = Avx512F.FusedMultiplyAdd(a3, y, x);
            a4 = Avx512F.FusedMultiplyAdd(a4, y, x); a5 = Avx512F.FusedMultiplyAdd(a5, y, x);
            a6 = Avx512F.FusedMultiplyAdd(a6, y, x); a7 = Avx512F.FusedMultiplyAdd(a7, y, x);
            a8 = Avx512F.FusedMultiplyAdd(a8, y, x); a9 = Avx512F.FusedMultiplyAdd(a9, y, x);
            a10 = Avx512F.FusedMultiplyAdd(a10, y, x); a11 = Avx512F.FusedMultiplyAdd(a11, y, x);
        }
        return (a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11).ToScalar();
    }

    private static float Kernel256(int iterations)
    {
        var x = Vector256.Create(1.0000001f);
        var y = Vector256.Create(0.9999999f);
        Vector256<float> a0 = x, a1 = x, a2 = x, a3 = x, a4 = x, a5 = x, a6 = x, a7 = x, a8 = x, a9 = x, a10 = x, a11 = x;
        for (int i = 0; i < iterations; i++)
        {
            a0 = Fma.MultiplyAdd(a0, y, x); a1 = Fma.MultiplyAdd(a1, y, x);
            a2 = Fma.MultiplyAdd(a2, y, x); a3 = Fma.MultiplyAdd(a3, y, x);
            a4 = Fma.MultiplyAdd(a4, y, x); a5 = Fma.MultiplyAdd(a5, y, x);
            a6 = Fma.MultiplyAdd(a6, y, x); a7 = Fma.MultiplyAdd(a7, y, x);
            a8 = Fma.MultiplyAdd(a8, y, x); a9 = Fma.MultiplyAdd(a9, y, x);
            a10 = Fma.MultiplyAdd(a10, y, x); a11 = Fma.MultiplyAdd(a11, y, x);
        }
        return (a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11).ToScalar();
    }
}
