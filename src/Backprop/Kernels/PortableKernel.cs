using System;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace Backprop.Kernels;

/// <summary>
/// The fallback micro-kernel for machines without AVX2/FMA (Arm64, older x86): a 4 × 2-vector tile of
/// <see cref="Vector{T}"/> (which the JIT maps to the widest SIMD it has, or to scalar code) with separate multiply
/// and add.
/// </summary>
internal readonly struct PortableKernel<T> : IGemmKernel<T>
    where T : unmanaged, INumber<T>
{
    public static int Mr => 4;

    public static int Nr => 2 * Vector<T>.Count;

    public static void Run(int kc, ref T a, ref T b, ref T c, nint ldc, int mr, int nr)
    {
        nuint lanes = (nuint)Vector<T>.Count;
        Vector<T> c00 = default, c01 = default, c10 = default, c11 = default;
        Vector<T> c20 = default, c21 = default, c30 = default, c31 = default;
        ref T pa = ref a;
        ref T pb = ref b;
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector.LoadUnsafe(ref pb);
            var b1 = Vector.LoadUnsafe(ref pb, lanes);
            var s = new Vector<T>(pa);
            c00 += s * b0; c01 += s * b1;
            s = new Vector<T>(Unsafe.Add(ref pa, 1));
            c10 += s * b0; c11 += s * b1;
            s = new Vector<T>(Unsafe.Add(ref pa, 2));
            c20 += s * b0; c21 += s * b1;
            s = new Vector<T>(Unsafe.Add(ref pa, 3));
            c30 += s * b0; c31 += s * b1;
            pa = ref Unsafe.Add(ref pa, 4);
            pb = ref Unsafe.Add(ref pb, 2 * lanes);
        }
        Span<T> tile = stackalloc T[4 * Nr];
        ref T t = ref tile[0];
        nuint nr2 = (nuint)Nr;
        c00.StoreUnsafe(ref t); c01.StoreUnsafe(ref t, lanes);
        c10.StoreUnsafe(ref t, nr2); c11.StoreUnsafe(ref t, nr2 + lanes);
        c20.StoreUnsafe(ref t, 2 * nr2); c21.StoreUnsafe(ref t, 2 * nr2 + lanes);
        c30.StoreUnsafe(ref t, 3 * nr2); c31.StoreUnsafe(ref t, 3 * nr2 + lanes);
        Gemm.AddTile(tile, Nr, ref c, ldc, mr, nr);
    }
}
