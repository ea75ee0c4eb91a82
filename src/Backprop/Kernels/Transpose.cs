using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Backprop.Kernels;

/// <summary>
/// The transposing half of GEMM packing: <c>destination[p · stride + j] = source[j · ldSource + p]</c> for <c>j &lt; rows</c>,
/// <c>p &lt; count</c>. It packs <c>A</c> as stored (row-major, read along k, written down a panel's column) and a
/// transposed <c>B</c> (nn.Linear's weight). With AVX it moves 8 × 8 floats or 4 × 4 doubles at a time through
/// registers (unpack, shuffle, lane permute: about a third of an instruction per value, where the scalar loop needs a
/// load and a store per value); the rest goes one value at a time.
/// </summary>
internal static class Transpose
{
    public static void Pack<T>(ref T source, nint ldSource, int rows, int count, ref T destination, int stride)
        where T : unmanaged
    {
        int j = 0;
        if (typeof(T) == typeof(float) && Avx.IsSupported)
        {
            for (; j + 8 <= rows; j += 8)
            {
                ref float s = ref Unsafe.As<T, float>(ref Unsafe.Add(ref source, j * ldSource));
                ref float d = ref Unsafe.As<T, float>(ref Unsafe.Add(ref destination, j));
                int p = 0;
                for (; p + 8 <= count; p += 8) Block8x8(ref Unsafe.Add(ref s, p), ldSource, ref Unsafe.Add(ref d, (nint)p * stride), stride);
                Scalar(ref Unsafe.Add(ref source, j * ldSource + p), ldSource, 8, count - p, ref Unsafe.Add(ref destination, (nint)p * stride + j), stride);
            }
        }
        else if (typeof(T) == typeof(double) && Avx.IsSupported)
        {
            for (; j + 4 <= rows; j += 4)
            {
                ref double s = ref Unsafe.As<T, double>(ref Unsafe.Add(ref source, j * ldSource));
                ref double d = ref Unsafe.As<T, double>(ref Unsafe.Add(ref destination, j));
                int p = 0;
                for (; p + 4 <= count; p += 4) Block4x4(ref Unsafe.Add(ref s, p), ldSource, ref Unsafe.Add(ref d, (nint)p * stride), stride);
                Scalar(ref Unsafe.Add(ref source, j * ldSource + p), ldSource, 4, count - p, ref Unsafe.Add(ref destination, (nint)p * stride + j), stride);
            }
        }
        Scalar(ref Unsafe.Add(ref source, j * ldSource), ldSource, rows - j, count, ref Unsafe.Add(ref destination, j), stride);
    }

    private static void Scalar<T>(ref T source, nint ldSource, int rows, int count, ref T destination, int stride)
    {
        for (int j = 0; j < rows; j++)
        {
            ref T row = ref Unsafe.Add(ref source, j * ldSource);
            ref T column = ref Unsafe.Add(ref destination, j);
            for (int p = 0; p < count; p++) Unsafe.Add(ref column, (nint)p * stride) = Unsafe.Add(ref row, p);
        }
    }

    /// <summary>Rows r0…r7 (8 floats each, stride <paramref name="ld"/>) become columns: output row i holds r0[i] … r7[i].</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Block8x8(ref float s, nint ld, ref float d, nint stride)
    {
        var r0 = Vector256.LoadUnsafe(ref s);
        var r1 = Vector256.LoadUnsafe(ref Unsafe.Add(ref s, ld));
        var r2 = Vector256.LoadUnsafe(ref Unsafe.Add(ref s, 2 * ld));
        var r3 = Vector256.LoadUnsafe(ref Unsafe.Add(ref s, 3 * ld));
        var r4 = Vector256.LoadUnsafe(ref Unsafe.Add(ref s, 4 * ld));
        var r5 = Vector256.LoadUnsafe(ref Unsafe.Add(ref s, 5 * ld));
        var r6 = Vector256.LoadUnsafe(ref Unsafe.Add(ref s, 6 * ld));
        var r7 = Vector256.LoadUnsafe(ref Unsafe.Add(ref s, 7 * ld));
        // Interleave pairs of rows, then pairs of pairs (within each 128-bit half), then swap the halves.
        var t0 = Avx.UnpackLow(r0, r1); var t1 = Avx.UnpackHigh(r0, r1);
        var t2 = Avx.UnpackLow(r2, r3); var t3 = Avx.UnpackHigh(r2, r3);
        var t4 = Avx.UnpackLow(r4, r5); var t5 = Avx.UnpackHigh(r4, r5);
        var t6 = Avx.UnpackLow(r6, r7); var t7 = Avx.UnpackHigh(r6, r7);
        var u0 = Avx.Shuffle(t0, t2, 0x44); var u1 = Avx.Shuffle(t0, t2, 0xEE);
        var u2 = Avx.Shuffle(t1, t3, 0x44); var u3 = Avx.Shuffle(t1, t3, 0xEE);
        var u4 = Avx.Shuffle(t4, t6, 0x44); var u5 = Avx.Shuffle(t4, t6, 0xEE);
        var u6 = Avx.Shuffle(t5, t7, 0x44); var u7 = Avx.Shuffle(t5, t7, 0xEE);
        Avx.Permute2x128(u0, u4, 0x20).StoreUnsafe(ref d);
        Avx.Permute2x128(u1, u5, 0x20).StoreUnsafe(ref Unsafe.Add(ref d, stride));
        Avx.Permute2x128(u2, u6, 0x20).StoreUnsafe(ref Unsafe.Add(ref d, 2 * stride));
        Avx.Permute2x128(u3, u7, 0x20).StoreUnsafe(ref Unsafe.Add(ref d, 3 * stride));
        Avx.Permute2x128(u0, u4, 0x31).StoreUnsafe(ref Unsafe.Add(ref d, 4 * stride));
        Avx.Permute2x128(u1, u5, 0x31).StoreUnsafe(ref Unsafe.Add(ref d, 5 * stride));
        Avx.Permute2x128(u2, u6, 0x31).StoreUnsafe(ref Unsafe.Add(ref d, 6 * stride));
        Avx.Permute2x128(u3, u7, 0x31).StoreUnsafe(ref Unsafe.Add(ref d, 7 * stride));
    }

    /// <summary>Rows r0…r3 (4 doubles each) become columns.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Block4x4(ref double s, nint ld, ref double d, nint stride)
    {
        var r0 = Vector256.LoadUnsafe(ref s);
        var r1 = Vector256.LoadUnsafe(ref Unsafe.Add(ref s, ld));
        var r2 = Vector256.LoadUnsafe(ref Unsafe.Add(ref s, 2 * ld));
        var r3 = Vector256.LoadUnsafe(ref Unsafe.Add(ref s, 3 * ld));
        var t0 = Avx.UnpackLow(r0, r1); var t1 = Avx.UnpackHigh(r0, r1);
        var t2 = Avx.UnpackLow(r2, r3); var t3 = Avx.UnpackHigh(r2, r3);
        Avx.Permute2x128(t0, t2, 0x20).StoreUnsafe(ref d);
        Avx.Permute2x128(t1, t3, 0x20).StoreUnsafe(ref Unsafe.Add(ref d, stride));
        Avx.Permute2x128(t0, t2, 0x31).StoreUnsafe(ref Unsafe.Add(ref d, 2 * stride));
        Avx.Permute2x128(t1, t3, 0x31).StoreUnsafe(ref Unsafe.Add(ref d, 3 * stride));
    }
}
