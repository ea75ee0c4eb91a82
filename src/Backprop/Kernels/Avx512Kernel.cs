using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Backprop.Kernels;

/// <summary>
/// The 512-bit micro-kernel (AVX-512F): an 8 × 2-vector tile (8 × 32 floats, 8 × 16 doubles) in 16 of the 32 zmm
/// registers. Each step of <c>p</c> loads 2 vectors and broadcasts 8 scalars for 16 fused multiply-adds. Eight rows
/// divide the usual batch sizes (32, 64, 128, 256) without a ragged edge.
/// </summary>
internal readonly struct Avx512Kernel<T> : IGemmKernel<T>
    where T : unmanaged, INumber<T>
{
    public static bool IsSupported => Avx512F.IsSupported && Vector512.IsHardwareAccelerated;

    public static int Mr => 8;

    public static int Nr => 2 * Vector512<T>.Count;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(int kc, ref T a, ref T b, ref T c, nint ldc, int mr, int nr)
    {
        nuint lanes = (nuint)Vector512<T>.Count;
        Vector512<T> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default, c30 = default, c31 = default;
        Vector512<T> c40 = default, c41 = default, c50 = default, c51 = default, c60 = default, c61 = default, c70 = default, c71 = default;
        ref T pa = ref a;
        ref T pb = ref b;
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector512.LoadUnsafe(ref pb);
            var b1 = Vector512.LoadUnsafe(ref pb, lanes);
            var s = Vector512.Create(pa);
            c00 = MultiplyAdd(s, b0, c00); c01 = MultiplyAdd(s, b1, c01);
            s = Vector512.Create(Unsafe.Add(ref pa, 1));
            c10 = MultiplyAdd(s, b0, c10); c11 = MultiplyAdd(s, b1, c11);
            s = Vector512.Create(Unsafe.Add(ref pa, 2));
            c20 = MultiplyAdd(s, b0, c20); c21 = MultiplyAdd(s, b1, c21);
            s = Vector512.Create(Unsafe.Add(ref pa, 3));
            c30 = MultiplyAdd(s, b0, c30); c31 = MultiplyAdd(s, b1, c31);
            s = Vector512.Create(Unsafe.Add(ref pa, 4));
            c40 = MultiplyAdd(s, b0, c40); c41 = MultiplyAdd(s, b1, c41);
            s = Vector512.Create(Unsafe.Add(ref pa, 5));
            c50 = MultiplyAdd(s, b0, c50); c51 = MultiplyAdd(s, b1, c51);
            s = Vector512.Create(Unsafe.Add(ref pa, 6));
            c60 = MultiplyAdd(s, b0, c60); c61 = MultiplyAdd(s, b1, c61);
            s = Vector512.Create(Unsafe.Add(ref pa, 7));
            c70 = MultiplyAdd(s, b0, c70); c71 = MultiplyAdd(s, b1, c71);
            pa = ref Unsafe.Add(ref pa, 8);
            pb = ref Unsafe.Add(ref pb, 2 * lanes);
        }
        if (mr == 8 && nr == Nr)
        {
            AddRow(ref c, lanes, c00, c01);
            AddRow(ref Unsafe.Add(ref c, ldc), lanes, c10, c11);
            AddRow(ref Unsafe.Add(ref c, 2 * ldc), lanes, c20, c21);
            AddRow(ref Unsafe.Add(ref c, 3 * ldc), lanes, c30, c31);
            AddRow(ref Unsafe.Add(ref c, 4 * ldc), lanes, c40, c41);
            AddRow(ref Unsafe.Add(ref c, 5 * ldc), lanes, c50, c51);
            AddRow(ref Unsafe.Add(ref c, 6 * ldc), lanes, c60, c61);
            AddRow(ref Unsafe.Add(ref c, 7 * ldc), lanes, c70, c71);
            return;
        }
        Span<T> tile = stackalloc T[8 * Nr];
        ref T t = ref tile[0];
        nuint nr2 = (nuint)Nr;
        c00.StoreUnsafe(ref t); c01.StoreUnsafe(ref t, lanes);
        c10.StoreUnsafe(ref t, nr2); c11.StoreUnsafe(ref t, nr2 + lanes);
        c20.StoreUnsafe(ref t, 2 * nr2); c21.StoreUnsafe(ref t, 2 * nr2 + lanes);
        c30.StoreUnsafe(ref t, 3 * nr2); c31.StoreUnsafe(ref t, 3 * nr2 + lanes);
        c40.StoreUnsafe(ref t, 4 * nr2); c41.StoreUnsafe(ref t, 4 * nr2 + lanes);
        c50.StoreUnsafe(ref t, 5 * nr2); c51.StoreUnsafe(ref t, 5 * nr2 + lanes);
        c60.StoreUnsafe(ref t, 6 * nr2); c61.StoreUnsafe(ref t, 6 * nr2 + lanes);
        c70.StoreUnsafe(ref t, 7 * nr2); c71.StoreUnsafe(ref t, 7 * nr2 + lanes);
        Gemm.AddTile(tile, Nr, ref c, ldc, mr, nr);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AddRow(ref T row, nuint lanes, Vector512<T> left, Vector512<T> right)
    {
        (Vector512.LoadUnsafe(ref row) + left).StoreUnsafe(ref row);
        (Vector512.LoadUnsafe(ref row, lanes) + right).StoreUnsafe(ref row, lanes);
    }

    /// <summary><c>x · y + addend</c> in one rounding (the generic operators would be a multiply and an add).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<T> MultiplyAdd(Vector512<T> x, Vector512<T> y, Vector512<T> addend)
    {
        if (typeof(T) == typeof(float)) return Avx512F.FusedMultiplyAdd(x.AsSingle(), y.AsSingle(), addend.AsSingle()).As<float, T>();
        if (typeof(T) == typeof(double)) return Avx512F.FusedMultiplyAdd(x.AsDouble(), y.AsDouble(), addend.AsDouble()).As<double, T>();
        return x * y + addend;
    }
}
