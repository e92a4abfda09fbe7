using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace AutoGrad.Kernels;

/// <summary>
/// Matrix-vector products (and their dual forms for forward-over-reverse) split across the cores through the
/// allocation-free <see cref="ElementwiseParallel.For"/>: they are memory-bound on one core, and a large one (W3's
/// 10000×100 design matrix) reads megabytes. Rows of A·b are independent and columns of aᵀB are too, so each part runs
/// the serial kernel on its range and the result is bit-identical to one thread's.
/// </summary>
internal static unsafe class ThinParallel
{
    /// <summary>Products reading at least this many elements of the matrix are split (smaller ones do not pay for the wake-up).</summary>
    public const long MinElements = 1 << 17;

    private static readonly int Parts = Math.Clamp(Environment.ProcessorCount, 1, 4);

    private struct Args
    {
        public nint A, B, C, D, E;
        public int M, K, N;
        public bool Dual;
    }

    /// <summary>C = A·Bᵀ by row dots, split by rows; false when too small to split.</summary>
    public static bool RowDots<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> c, int m, int k, int n) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (Parts < 2 || (long)m * k < MinElements || m < 2 * Parts) return false;
        fixed (T* pa = a, pb = b, pc = c)
        {
            var args = new Args { A = (nint)pa, B = (nint)pb, C = (nint)pc, M = m, K = k, N = n };
            ElementwiseParallel.For(Parts, &RowDotsPart<T>, (nint)(&args));
        }
        return true;
    }

    private static void RowDotsPart<T>(nint context, int t) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ref readonly Args p = ref *(Args*)context;
        Gemm.RowDots(new ReadOnlySpan<T>((T*)p.A, p.M * p.K), new ReadOnlySpan<T>((T*)p.B, p.N * p.K), new Span<T>((T*)p.C, p.M * p.N),
            p.K, p.N, RowStart(p.M, t), RowStart(p.M, t + 1));
    }

    /// <summary>y = A·b, dy = A·ḃ, split by rows; false when too small to split.</summary>
    public static bool DualMatVec<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, ReadOnlySpan<T> db, Span<T> y, Span<T> dy, int m, int k)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (Parts < 2 || (long)m * k < MinElements || m < 2 * Parts) return false;
        fixed (T* pa = a, pb = b, pdb = db, py = y, pdy = dy)
        {
            var args = new Args { A = (nint)pa, B = (nint)pb, C = (nint)pdb, D = (nint)py, E = (nint)pdy, M = m, K = k };
            ElementwiseParallel.For(Parts, &DualMatVecPart<T>, (nint)(&args));
        }
        return true;
    }

    private static void DualMatVecPart<T>(nint context, int t) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ref readonly Args p = ref *(Args*)context;
        Gemm.DualMatVecRows(new ReadOnlySpan<T>((T*)p.A, p.M * p.K), new ReadOnlySpan<T>((T*)p.B, p.K), new ReadOnlySpan<T>((T*)p.C, p.K),
            new Span<T>((T*)p.D, p.M), new Span<T>((T*)p.E, p.M), p.K, RowStart(p.M, t), RowStart(p.M, t + 1));
    }

    /// <summary>c = aᵀB (and dc = ȧᵀB), split by column ranges that start on block boundaries; false when too small.</summary>
    public static bool VecMat<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> da, ReadOnlySpan<T> b, Span<T> c, Span<T> dc, int k, int n, bool dual)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int block = Block<T>();
        if (Parts < 2 || (long)k * n < MinElements || n < 2 * block) return false;
        fixed (T* pa = a, pda = da, pb = b, pc = c, pdc = dc)
        {
            var args = new Args { A = (nint)pa, B = (nint)pda, C = (nint)pb, D = (nint)pc, E = (nint)pdc, K = k, N = n, Dual = dual };
            ElementwiseParallel.For(Parts, &VecMatPart<T>, (nint)(&args));
        }
        return true;
    }

    private static void VecMatPart<T>(nint context, int t) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ref readonly Args p = ref *(Args*)context;
        int block = Block<T>();
        int j0 = ColumnStart(p.N, block, t), j1 = ColumnStart(p.N, block, t + 1);
        if (j1 <= j0) return;
        Gemm.VecMatColumns(new ReadOnlySpan<T>((T*)p.A, p.K), p.Dual ? new ReadOnlySpan<T>((T*)p.B, p.K) : default,
            new ReadOnlySpan<T>((T*)p.C, p.K * p.N), new Span<T>((T*)p.D, p.N), p.Dual ? new Span<T>((T*)p.E, p.N) : default,
            p.K, p.N, j0, j1, p.Dual);
    }

    private static int RowStart(int m, int t) => (int)((long)m * t / Parts);

    /// <summary>Part t's first column: a multiple of the widest block from 0 (the last part ends at n).</summary>
    private static int ColumnStart(int n, int block, int t) =>
        t >= Parts ? n : Math.Min(n, (int)Math.Round((double)n * t / Parts / block) * block);

    /// <summary>The widest column block <see cref="Gemm.VecMatColumns{T}"/> uses: ranges starting on its multiples are split-invariant.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Block<T>() where T : unmanaged =>
        Vector512.IsHardwareAccelerated && Vector512<T>.IsSupported ? 4 * Vector512<T>.Count
        : Vector256.IsHardwareAccelerated && Vector256<T>.IsSupported ? Vector256<T>.Count : 1;
}
