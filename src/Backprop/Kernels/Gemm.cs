using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Backprop.Kernels;

/// <summary>
/// General matrix multiplication <c>C (+)= op(A) · op(B)</c> on row-major buffers, <c>op</c> the identity or the transpose,
/// for <see cref="float"/> and <see cref="double"/>: BLIS's loop structure (Van Zee and van de Geijn, "BLIS: A Framework
/// for Rapidly Instantiating BLAS Functionality", 2015). <c>B</c> is packed in <see cref="Kc"/> × <see cref="Nc"/>
/// blocks (kept in L2/L3), <c>A</c> in <see cref="Mc"/> × <see cref="Kc"/> blocks (kept in L2), both into the panel
/// layout the micro-kernel streams, and the micro-kernel (<see cref="IGemmKernel{T}"/>) keeps its tile of <c>C</c> in
/// registers. Transposes are absorbed by the packing, so no transposed copy is ever made. The packing buffers are
/// per-thread arrays grown once, so a call allocates nothing once the largest shape has run on its thread.
/// </summary>
internal static class Gemm
{
    /// <summary>The depth of a block: a <see cref="Kc"/> × Nr panel of <c>B</c> (32 KB for the 512-bit kernel) stays in L1.</summary>
    internal const int Kc = 256;

    /// <summary>Rows of <c>A</c> packed at once (a multiple of every kernel's Mr): 96 × 256 doubles is 192 KB of L2.</summary>
    internal const int Mc = 96;

    /// <summary>Columns of <c>B</c> packed at once (a multiple of every kernel's Nr).</summary>
    internal const int Nc = 4096;

    /// <summary>
    /// <c>c (m × n, row stride ldc) = op(a) · op(b)</c>, or <c>+=</c> when <paramref name="accumulate"/>. <c>op(a)</c> is
    /// m × k: <c>a</c> holds it row-major with row stride <paramref name="lda"/> (m rows of k), or, when
    /// <paramref name="transposeA"/>, its transpose (k rows of m). Likewise <c>op(b)</c>, k × n.
    /// </summary>
    public static void Multiply<T>(bool transposeA, bool transposeB, int m, int n, int k,
        ReadOnlySpan<T> a, int lda, ReadOnlySpan<T> b, int ldb, Span<T> c, int ldc, bool accumulate)
        where T : unmanaged, INumber<T>
    {
        if (Avx512Kernel<T>.IsSupported) Multiply<T, Avx512Kernel<T>>(transposeA, transposeB, m, n, k, a, lda, b, ldb, c, ldc, accumulate);
        else if (Avx2Kernel<T>.IsSupported) Multiply<T, Avx2Kernel<T>>(transposeA, transposeB, m, n, k, a, lda, b, ldb, c, ldc, accumulate);
        else Multiply<T, PortableKernel<T>>(transposeA, transposeB, m, n, k, a, lda, b, ldb, c, ldc, accumulate);
    }

    /// <summary><see cref="Multiply{T}"/> with a chosen micro-kernel (the tests run every kernel the machine supports).</summary>
    internal static void Multiply<T, TKernel>(bool transposeA, bool transposeB, int m, int n, int k,
        ReadOnlySpan<T> a, int lda, ReadOnlySpan<T> b, int ldb, Span<T> c, int ldc, bool accumulate)
        where T : unmanaged, INumber<T>
        where TKernel : IGemmKernel<T>
    {
        if (m < 0 || n < 0 || k < 0) throw new ArgumentOutOfRangeException(nameof(m), "Matrix dimensions must not be negative.");
        CheckExtent(a.Length, transposeA ? k : m, transposeA ? m : k, lda, nameof(a));
        CheckExtent(b.Length, transposeB ? n : k, transposeB ? k : n, ldb, nameof(b));
        CheckExtent(c.Length, m, n, ldc, nameof(c));
        if (m == 0 || n == 0) return;
        if (!accumulate)
        {
            if (ldc == n) c.Slice(0, m * n).Clear();
            else for (int i = 0; i < m; i++) c.Slice(i * ldc, n).Clear();
        }
        if (k == 0) return;

        int mr = TKernel.Mr, nr = TKernel.Nr;
        int mcBlock = Mc / mr * mr, ncBlock = Nc / nr * nr;
        int kcMax = Math.Min(k, Kc);
        var buffers = PackingBuffers<T>.ForThisThread(RoundUp(Math.Min(m, mcBlock), mr) * kcMax, RoundUp(Math.Min(n, ncBlock), nr) * kcMax);
        ref T packedA = ref buffers.A;
        ref T packedB = ref buffers.B;
        ref T c0 = ref MemoryMarshal.GetReference(c);
        for (int jc = 0; jc < n; jc += ncBlock)
        {
            int nc = Math.Min(ncBlock, n - jc);
            for (int pc = 0; pc < k; pc += Kc)
            {
                int kc = Math.Min(Kc, k - pc);
                PackB(transposeB, b, ldb, pc, jc, kc, nc, nr, ref packedB);
                for (int ic = 0; ic < m; ic += mcBlock)
                {
                    int mc = Math.Min(mcBlock, m - ic);
                    PackA(transposeA, a, lda, ic, pc, mc, kc, mr, ref packedA);
                    // BLIS's order: a kc × nr panel of B stays in L1 while the mc rows of A stream past it.
                    for (int jr = 0; jr < nc; jr += nr)
                    {
                        ref T panelB = ref Unsafe.Add(ref packedB, (nint)jr * kc);
                        for (int ir = 0; ir < mc; ir += mr)
                        {
                            TKernel.Run(kc, ref Unsafe.Add(ref packedA, (nint)ir * kc), ref panelB,
                                ref Unsafe.Add(ref c0, (nint)(ic + ir) * ldc + jc + jr), ldc, Math.Min(mr, mc - ir), Math.Min(nr, nc - jr));
                        }
                    }
                }
            }
        }
    }

    /// <summary>
    /// Packs rows <c>ic … ic+mc</c>, columns <c>pc … pc+kc</c> of <c>op(a)</c> into panels of <paramref name="mr"/> rows:
    /// panel <c>q</c> at <c>q·mr·kc</c>, entry <c>(r, p)</c> at <c>p·mr + r</c>, rows past <c>mc</c> zero.
    /// </summary>
    private static void PackA<T>(bool transposed, ReadOnlySpan<T> a, int lda, int ic, int pc, int mc, int kc, int mr, ref T packed)
        where T : unmanaged, INumber<T>
    {
        ref T a0 = ref MemoryMarshal.GetReference(a);
        for (int ir = 0; ir < mc; ir += mr)
        {
            int rows = Math.Min(mr, mc - ir);
            ref T panel = ref Unsafe.Add(ref packed, (nint)ir * kc);
            if (transposed)
            {
                // op(a)[i, p] = a[p, i]: each step p reads `rows` neighbours.
                ref T source = ref Unsafe.Add(ref a0, (nint)pc * lda + ic + ir);
                for (int p = 0; p < kc; p++)
                    CopyPadded(ref Unsafe.Add(ref source, (nint)p * lda), rows, ref Unsafe.Add(ref panel, (nint)p * mr), mr);
            }
            else
            {
                // op(a)[i, p] = a[i, p]: row r is read along p and written with stride mr.
                Transpose.Pack(ref Unsafe.Add(ref a0, (nint)(ic + ir) * lda + pc), lda, rows, kc, ref panel, mr);
                for (int r = rows; r < mr; r++)
                    for (int p = 0; p < kc; p++) Unsafe.Add(ref panel, (nint)p * mr + r) = T.Zero;
            }
        }
    }

    /// <summary>
    /// Packs rows <c>pc … pc+kc</c>, columns <c>jc … jc+nc</c> of <c>op(b)</c> into panels of <paramref name="nr"/> columns:
    /// panel <c>q</c> at <c>q·nr·kc</c>, entry <c>(p, j)</c> at <c>p·nr + j</c>, columns past <c>nc</c> zero.
    /// </summary>
    private static void PackB<T>(bool transposed, ReadOnlySpan<T> b, int ldb, int pc, int jc, int kc, int nc, int nr, ref T packed)
        where T : unmanaged, INumber<T>
    {
        ref T b0 = ref MemoryMarshal.GetReference(b);
        for (int jr = 0; jr < nc; jr += nr)
        {
            int columns = Math.Min(nr, nc - jr);
            ref T panel = ref Unsafe.Add(ref packed, (nint)jr * kc);
            if (transposed)
            {
                // op(b)[p, j] = b[j, p]: column j is read along p and written with stride nr.
                Transpose.Pack(ref Unsafe.Add(ref b0, (nint)(jc + jr) * ldb + pc), ldb, columns, kc, ref panel, nr);
                for (int j = columns; j < nr; j++)
                    for (int p = 0; p < kc; p++) Unsafe.Add(ref panel, (nint)p * nr + j) = T.Zero;
            }
            else
            {
                ref T source = ref Unsafe.Add(ref b0, (nint)pc * ldb + jc + jr);
                for (int p = 0; p < kc; p++)
                    CopyPadded(ref Unsafe.Add(ref source, (nint)p * ldb), columns, ref Unsafe.Add(ref panel, (nint)p * nr), nr);
            }
        }
    }

    /// <summary>Copies <paramref name="count"/> contiguous values and zeroes the rest of the <paramref name="width"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void CopyPadded<T>(ref T source, int count, ref T destination, int width)
        where T : unmanaged, INumber<T>
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
            for (; i <= count - Vector<T>.Count; i += Vector<T>.Count)
                Vector.LoadUnsafe(ref source, (nuint)i).StoreUnsafe(ref destination, (nuint)i);
        for (; i < count; i++) Unsafe.Add(ref destination, i) = Unsafe.Add(ref source, i);
        for (; i < width; i++) Unsafe.Add(ref destination, i) = T.Zero;
    }

    /// <summary>Adds the <paramref name="mr"/> × <paramref name="nr"/> corner of a spilled register tile to <c>c</c>: the ragged edges.</summary>
    internal static void AddTile<T>(ReadOnlySpan<T> tile, int stride, ref T c, nint ldc, int mr, int nr)
        where T : unmanaged, INumber<T>
    {
        for (int r = 0; r < mr; r++)
        {
            ref T row = ref Unsafe.Add(ref c, r * ldc);
            for (int j = 0; j < nr; j++) Unsafe.Add(ref row, j) += tile[r * stride + j];
        }
    }

    private static void CheckExtent(int length, int rows, int columns, int stride, string name)
    {
        if (stride < columns) throw new ArgumentOutOfRangeException(name, $"The row stride {stride} of {name} is less than its {columns} columns.");
        if (rows > 0 && columns > 0 && length < (long)(rows - 1) * stride + columns)
            throw new ArgumentException($"{name} holds {length} values, fewer than its {rows} × {columns} matrix with row stride {stride}.", name);
    }

    private static int RoundUp(int value, int multiple) => (value + multiple - 1) / multiple * multiple;
}
