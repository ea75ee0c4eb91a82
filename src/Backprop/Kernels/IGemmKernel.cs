namespace Backprop.Kernels;

/// <summary>
/// A register-tiled GEMM micro-kernel: an <see cref="Mr"/> × <see cref="Nr"/> block of <c>C</c> held in vector registers
/// while it accumulates <c>kc</c> rank-1 updates from packed panels of <c>A</c> and <c>B</c> (BLIS's micro-kernel).
/// </summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
internal interface IGemmKernel<T>
    where T : unmanaged
{
    /// <summary>Rows of the register tile; the packed panels of <c>A</c> are this tall.</summary>
    static abstract int Mr { get; }

    /// <summary>Columns of the register tile, a multiple of <c>Vector&lt;T&gt;.Count</c>; the packed panels of <c>B</c> are this wide.</summary>
    static abstract int Nr { get; }

    /// <summary>
    /// <c>c[r·ldc + j] += Σₚ a[p·Mr + r] · b[p·Nr + j]</c> for <c>r &lt; mr ≤ Mr</c>, <c>j &lt; nr ≤ Nr</c>, <c>p &lt; kc</c>.
    /// The panels are zero-padded to the full tile; only the <paramref name="mr"/> × <paramref name="nr"/> entries of
    /// <c>c</c> are read or written.
    /// </summary>
    static abstract void Run(int kc, ref T a, ref T b, ref T c, nint ldc, int mr, int nr);
}
