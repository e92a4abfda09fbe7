using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace AutoGrad.Kernels;

/// <summary>
/// The blocked, packed product C = op(A)·op(B) in the manner of Goto and van de Geijn ("Anatomy of high-performance
/// matrix multiplication", TOMS 2008) and BLIS: a KC×NC panel of op(B) and an MC×KC block of op(A) are copied into
/// contiguous micro-panels (a transposed operand is read transposed while packing), and a register-blocked
/// micro-kernel accumulates an MR×NR tile of C with fused multiply-adds over the KC depth.
/// </summary>
/// <remarks>
/// Each entry of C is the same chain of FMAs over p = 0..k-1 in KC blocks, whatever the tile position, edge or
/// thread split, so a threaded run is bit-identical to a single-threaded one. Threads take disjoint row ranges
/// of C and each packs its own panels.
/// </remarks>
internal static class PackedGemm
{
    private const int MR = 8;
    private const int KC = 512;

    /// <summary>Products of at least this many multiply-adds go through the packed kernel.</summary>
    public const long MinWork = 8192;

    /// <summary>Products of at least this many FLOPs are split across threads.</summary>
    public const long ParallelFlops = 2_000_000;

    /// <summary>Whether the packed kernel serves T (float or double).</summary>
    public static bool Supports<T>() => typeof(T) == typeof(float) || typeof(T) == typeof(double);

    /// <summary>The width NR of a micro-tile: two vectors of the widest accelerated size, else 8 scalars.</summary>
    private static int Nr<T>() where T : unmanaged
    {
        if (Vector512.IsHardwareAccelerated && Vector512<T>.IsSupported) return 2 * Vector512<T>.Count;
        if (Vector256.IsHardwareAccelerated && Vector256<T>.IsSupported) return 2 * Vector256<T>.Count;
        return 8;
    }

    /// <summary>C[m×n] = op(A)·op(B) (C overwritten), split over at most <paramref name="threads"/> row ranges.</summary>
    public static void Multiply<T>(ReadOnlySpan<T> a, bool transA, ReadOnlySpan<T> b, bool transB, Span<T> c, int m, int k, int n, int threads)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (m == 0 || n == 0) return;
        if (k == 0) { c[..(m * n)].Clear(); return; }
        // Element (i, p) of op(A) sits at i·rsA + p·csA, element (p, j) of op(B) at p·rsB + j·csB.
        int rsA = transA ? 1 : k, csA = transA ? m : 1;
        int rsB = transB ? 1 : n, csB = transB ? k : 1;
        _ = a[m * k - 1]; _ = b[k * n - 1]; _ = c[m * n - 1];
        int chunks = Math.Min(threads, (m + MR - 1) / MR);
        if (chunks <= 1)
        {
            Run(ref MemoryMarshal.GetReference(a), rsA, csA, ref MemoryMarshal.GetReference(b), rsB, csB,
                ref MemoryMarshal.GetReference(c), 0, m, k, n);
            return;
        }
        // Row ranges in whole micro-tiles, one per thread, through the allocation-free driver; the spans cannot
        // cross threads, so their pinned addresses do, in an argument block on this stack frame.
        unsafe
        {
            fixed (T* pa = a, pb = b, pc = c)
            {
                var args = new Part { A = (nint)pa, B = (nint)pb, C = (nint)pc, RsA = rsA, CsA = csA, RsB = rsB, CsB = csB,
                    M = m, K = k, N = n, Tiles = (m + MR - 1) / MR, Chunks = chunks };
                ElementwiseParallel.For(chunks, &RunPart<T>, (nint)(&args));
            }
        }
    }

    /// <summary>The arguments of a threaded product, read by each <see cref="RunPart{T}"/>.</summary>
    private struct Part
    {
        public nint A, B, C;
        public int RsA, CsA, RsB, CsB, M, K, N, Tiles, Chunks;
    }

    private static unsafe void RunPart<T>(nint context, int t) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ref readonly Part p = ref *(Part*)context;
        int i0 = Math.Min(p.M, (int)((long)p.Tiles * t / p.Chunks) * MR);
        int i1 = Math.Min(p.M, (int)((long)p.Tiles * (t + 1) / p.Chunks) * MR);
        if (i1 > i0)
            Run(ref Unsafe.AsRef<T>((void*)p.A), p.RsA, p.CsA, ref Unsafe.AsRef<T>((void*)p.B), p.RsB, p.CsB,
                ref Unsafe.AsRef<T>((void*)p.C), i0, i1, p.K, p.N);
    }

    /// <summary>Rows i0..i1-1 of C: the five loops around the micro-kernel.</summary>
    private static void Run<T>(ref T a, int rsA, int csA, ref T b, int rsB, int csB, ref T c, int i0, int i1, int k, int n)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int nr = Nr<T>();
        // MC·KC of A in L2 (512 KiB of the 1 MiB), one KC×NR micro-panel of B the size of L1 (64 KiB). A deep KC
        // halves the passes over C; measured at n = 1024 on Zen 4 it beat KC = 256 with MC = 384 / 192 by about 5%.
        int mc = typeof(T) == typeof(float) ? 256 : 128;
        int nc = 2048;
        int kcMax = Math.Min(KC, k);
        int mcMax = Math.Min(mc, (i1 - i0 + MR - 1) / MR * MR);
        int ncMax = Math.Min(nc, (n + nr - 1) / nr * nr);
        T[] bufA = ArrayPool<T>.Shared.Rent(mcMax * kcMax);
        T[] bufB = ArrayPool<T>.Shared.Rent(ncMax * kcMax);
        Span<T> edge = stackalloc T[MR * 32];
        try
        {
            ref T pA = ref MemoryMarshal.GetArrayDataReference(bufA);
            ref T pB = ref MemoryMarshal.GetArrayDataReference(bufB);
            for (int jc = 0; jc < n; jc += nc)
            {
                int ncCur = Math.Min(nc, n - jc);
                for (int pc = 0; pc < k; pc += KC)
                {
                    int kc = Math.Min(KC, k - pc);
                    PackB(ref Unsafe.Add(ref b, (nint)pc * rsB + (nint)jc * csB), rsB, csB, kc, ncCur, nr, ref pB);
                    bool accumulate = pc > 0;
                    for (int ic = i0; ic < i1; ic += mc)
                    {
                        int mcCur = Math.Min(mc, i1 - ic);
                        PackA(ref Unsafe.Add(ref a, (nint)ic * rsA + (nint)pc * csA), rsA, csA, mcCur, kc, ref pA);
                        for (int jr = 0; jr < ncCur; jr += nr)
                        {
                            int nrCur = Math.Min(nr, ncCur - jr);
                            ref T bPanel = ref Unsafe.Add(ref pB, (nint)jr * kc);
                            for (int ir = 0; ir < mcCur; ir += MR)
                            {
                                int mrCur = Math.Min(MR, mcCur - ir);
                                ref T aPanel = ref Unsafe.Add(ref pA, (nint)ir * kc);
                                ref T cTile = ref Unsafe.Add(ref c, (nint)(ic + ir) * n + jc + jr);
                                if (mrCur == MR && nrCur == nr)
                                    Kernel(ref aPanel, ref bPanel, kc, ref cTile, n, accumulate, nr);
                                else
                                {
                                    ref T e = ref MemoryMarshal.GetReference(edge);
                                    Kernel(ref aPanel, ref bPanel, kc, ref e, nr, false, nr);
                                    for (int r = 0; r < mrCur; r++)
                                        for (int q = 0; q < nrCur; q++)
                                        {
                                            ref T dst = ref Unsafe.Add(ref cTile, (nint)r * n + q);
                                            T v = Unsafe.Add(ref e, r * nr + q);
                                            dst = accumulate ? dst + v : v;
                                        }
                                }
                            }
                        }
                    }
                }
            }
        }
        finally
        {
            ArrayPool<T>.Shared.Return(bufA);
            ArrayPool<T>.Shared.Return(bufB);
        }
    }

    /// <summary>op(A)[mc×kc] into MR-row micro-panels, p-major within each, the last padded with zeros.</summary>
    private static void PackA<T>(ref T a, int rsA, int csA, int mc, int kc, ref T dst) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int ir = 0; ir < mc; ir += MR)
        {
            int rows = Math.Min(MR, mc - ir);
            ref T src = ref Unsafe.Add(ref a, (nint)ir * rsA);
            ref T d = ref Unsafe.Add(ref dst, (nint)ir * kc);
            if (rows == MR && rsA == 1)
            {
                // Aᵀ stored: each column of the micro-panel is MR contiguous values.
                for (int p = 0; p < kc; p++)
                    Unsafe.CopyBlockUnaligned(ref Unsafe.As<T, byte>(ref Unsafe.Add(ref d, p * MR)),
                        ref Unsafe.As<T, byte>(ref Unsafe.Add(ref src, (nint)p * csA)), (uint)(MR * Unsafe.SizeOf<T>()));
            }
            else if (rows == MR)
            {
                for (int r = 0; r < MR; r++)
                {
                    ref T row = ref Unsafe.Add(ref src, (nint)r * rsA);
                    for (int p = 0; p < kc; p++) Unsafe.Add(ref d, p * MR + r) = Unsafe.Add(ref row, (nint)p * csA);
                }
            }
            else
            {
                for (int p = 0; p < kc; p++)
                    for (int r = 0; r < MR; r++)
                        Unsafe.Add(ref d, p * MR + r) = r < rows ? Unsafe.Add(ref src, (nint)r * rsA + (nint)p * csA) : T.Zero;
            }
        }
    }

    /// <summary>op(B)[kc×nc] into NR-column micro-panels, p-major within each, the last padded with zeros.</summary>
    private static void PackB<T>(ref T b, int rsB, int csB, int kc, int nc, int nr, ref T dst) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int jr = 0; jr < nc; jr += nr)
        {
            int cols = Math.Min(nr, nc - jr);
            ref T src = ref Unsafe.Add(ref b, (nint)jr * csB);
            ref T d = ref Unsafe.Add(ref dst, (nint)jr * kc);
            if (cols == nr && csB == 1)
            {
                for (int p = 0; p < kc; p++)
                    Unsafe.CopyBlockUnaligned(ref Unsafe.As<T, byte>(ref Unsafe.Add(ref d, p * nr)),
                        ref Unsafe.As<T, byte>(ref Unsafe.Add(ref src, (nint)p * rsB)), (uint)(nr * Unsafe.SizeOf<T>()));
            }
            else if (cols == nr)
            {
                // Bᵀ stored: each column of op(B) is contiguous.
                for (int q = 0; q < nr; q++)
                {
                    ref T col = ref Unsafe.Add(ref src, (nint)q * csB);
                    for (int p = 0; p < kc; p++) Unsafe.Add(ref d, p * nr + q) = Unsafe.Add(ref col, (nint)p * rsB);
                }
            }
            else
            {
                for (int p = 0; p < kc; p++)
                    for (int q = 0; q < nr; q++)
                        Unsafe.Add(ref d, p * nr + q) = q < cols ? Unsafe.Add(ref src, (nint)p * rsB + (nint)q * csB) : T.Zero;
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Kernel<T>(ref T a, ref T b, int kc, ref T c, int ldc, bool accumulate, int nr) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (Vector512.IsHardwareAccelerated && Vector512<T>.IsSupported) Kernel512(ref a, ref b, kc, ref c, ldc, accumulate);
        else if (Vector256.IsHardwareAccelerated && Vector256<T>.IsSupported) Kernel256(ref a, ref b, kc, ref c, ldc, accumulate);
        else KernelScalar(ref a, ref b, kc, ref c, ldc, accumulate, nr);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<T> Fma<T>(Vector512<T> x, Vector512<T> y, Vector512<T> z)
    {
        if (typeof(T) == typeof(float)) return Vector512.FusedMultiplyAdd(x.AsSingle(), y.AsSingle(), z.AsSingle()).As<float, T>();
        if (typeof(T) == typeof(double)) return Vector512.FusedMultiplyAdd(x.AsDouble(), y.AsDouble(), z.AsDouble()).As<double, T>();
        throw new NotSupportedException();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<T> Fma<T>(Vector256<T> x, Vector256<T> y, Vector256<T> z)
    {
        if (typeof(T) == typeof(float)) return Vector256.FusedMultiplyAdd(x.AsSingle(), y.AsSingle(), z.AsSingle()).As<float, T>();
        if (typeof(T) == typeof(double)) return Vector256.FusedMultiplyAdd(x.AsDouble(), y.AsDouble(), z.AsDouble()).As<double, T>();
        throw new NotSupportedException();
    }

    /// <summary>C[8×2W] (+)= Σₚ a[p, :]ᵀ b[p, :] over packed micro-panels, 16 accumulators in registers.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Kernel512<T>(ref T a, ref T b, int kc, ref T c, int ldc, bool accumulate) where T : unmanaged, IFloatingPointIeee754<T>
    {
        nuint w = (nuint)Vector512<T>.Count;
        Vector512<T> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default, c30 = default, c31 = default;
        Vector512<T> c40 = default, c41 = default, c50 = default, c51 = default, c60 = default, c61 = default, c70 = default, c71 = default;
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector512.LoadUnsafe(ref b);
            var b1 = Vector512.LoadUnsafe(ref b, w);
            Vector512<T> x;
            x = Vector512.Create(a); c00 = Fma(x, b0, c00); c01 = Fma(x, b1, c01);
            x = Vector512.Create(Unsafe.Add(ref a, 1)); c10 = Fma(x, b0, c10); c11 = Fma(x, b1, c11);
            x = Vector512.Create(Unsafe.Add(ref a, 2)); c20 = Fma(x, b0, c20); c21 = Fma(x, b1, c21);
            x = Vector512.Create(Unsafe.Add(ref a, 3)); c30 = Fma(x, b0, c30); c31 = Fma(x, b1, c31);
            x = Vector512.Create(Unsafe.Add(ref a, 4)); c40 = Fma(x, b0, c40); c41 = Fma(x, b1, c41);
            x = Vector512.Create(Unsafe.Add(ref a, 5)); c50 = Fma(x, b0, c50); c51 = Fma(x, b1, c51);
            x = Vector512.Create(Unsafe.Add(ref a, 6)); c60 = Fma(x, b0, c60); c61 = Fma(x, b1, c61);
            x = Vector512.Create(Unsafe.Add(ref a, 7)); c70 = Fma(x, b0, c70); c71 = Fma(x, b1, c71);
            a = ref Unsafe.Add(ref a, MR);
            b = ref Unsafe.Add(ref b, 2 * (int)w);
        }
        Store512(ref c, 0, w, c00, c01, accumulate);
        Store512(ref c, (nuint)ldc, w, c10, c11, accumulate);
        Store512(ref c, (nuint)(2 * ldc), w, c20, c21, accumulate);
        Store512(ref c, (nuint)(3 * ldc), w, c30, c31, accumulate);
        Store512(ref c, (nuint)(4 * ldc), w, c40, c41, accumulate);
        Store512(ref c, (nuint)(5 * ldc), w, c50, c51, accumulate);
        Store512(ref c, (nuint)(6 * ldc), w, c60, c61, accumulate);
        Store512(ref c, (nuint)(7 * ldc), w, c70, c71, accumulate);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store512<T>(ref T c, nuint o, nuint w, Vector512<T> v0, Vector512<T> v1, bool accumulate)
    {
        if (accumulate)
        {
            v0 += Vector512.LoadUnsafe(ref c, o);
            v1 += Vector512.LoadUnsafe(ref c, o + w);
        }
        v0.StoreUnsafe(ref c, o);
        v1.StoreUnsafe(ref c, o + w);
    }

    /// <summary>C[8×2W] (+)= Σₚ a[p, :]ᵀ b[p, :] with 256-bit vectors.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Kernel256<T>(ref T a, ref T b, int kc, ref T c, int ldc, bool accumulate) where T : unmanaged, IFloatingPointIeee754<T>
    {
        nuint w = (nuint)Vector256<T>.Count;
        Vector256<T> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default, c30 = default, c31 = default;
        Vector256<T> c40 = default, c41 = default, c50 = default, c51 = default, c60 = default, c61 = default, c70 = default, c71 = default;
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector256.LoadUnsafe(ref b);
            var b1 = Vector256.LoadUnsafe(ref b, w);
            Vector256<T> x;
            x = Vector256.Create(a); c00 = Fma(x, b0, c00); c01 = Fma(x, b1, c01);
            x = Vector256.Create(Unsafe.Add(ref a, 1)); c10 = Fma(x, b0, c10); c11 = Fma(x, b1, c11);
            x = Vector256.Create(Unsafe.Add(ref a, 2)); c20 = Fma(x, b0, c20); c21 = Fma(x, b1, c21);
            x = Vector256.Create(Unsafe.Add(ref a, 3)); c30 = Fma(x, b0, c30); c31 = Fma(x, b1, c31);
            x = Vector256.Create(Unsafe.Add(ref a, 4)); c40 = Fma(x, b0, c40); c41 = Fma(x, b1, c41);
            x = Vector256.Create(Unsafe.Add(ref a, 5)); c50 = Fma(x, b0, c50); c51 = Fma(x, b1, c51);
            x = Vector256.Create(Unsafe.Add(ref a, 6)); c60 = Fma(x, b0, c60); c61 = Fma(x, b1, c61);
            x = Vector256.Create(Unsafe.Add(ref a, 7)); c70 = Fma(x, b0, c70); c71 = Fma(x, b1, c71);
            a = ref Unsafe.Add(ref a, MR);
            b = ref Unsafe.Add(ref b, 2 * (int)w);
        }
        Store256(ref c, 0, w, c00, c01, accumulate);
        Store256(ref c, (nuint)ldc, w, c10, c11, accumulate);
        Store256(ref c, (nuint)(2 * ldc), w, c20, c21, accumulate);
        Store256(ref c, (nuint)(3 * ldc), w, c30, c31, accumulate);
        Store256(ref c, (nuint)(4 * ldc), w, c40, c41, accumulate);
        Store256(ref c, (nuint)(5 * ldc), w, c50, c51, accumulate);
        Store256(ref c, (nuint)(6 * ldc), w, c60, c61, accumulate);
        Store256(ref c, (nuint)(7 * ldc), w, c70, c71, accumulate);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store256<T>(ref T c, nuint o, nuint w, Vector256<T> v0, Vector256<T> v1, bool accumulate)
    {
        if (accumulate)
        {
            v0 += Vector256.LoadUnsafe(ref c, o);
            v1 += Vector256.LoadUnsafe(ref c, o + w);
        }
        v0.StoreUnsafe(ref c, o);
        v1.StoreUnsafe(ref c, o + w);
    }

    /// <summary>C[8×nr] (+)= Σₚ a[p, :]ᵀ b[p, :] one scalar FMA at a time (no SIMD).</summary>
    private static void KernelScalar<T>(ref T a, ref T b, int kc, ref T c, int ldc, bool accumulate, int nr) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int r = 0; r < MR; r++)
            for (int q = 0; q < nr; q++)
            {
                T s = T.Zero;
                for (int p = 0; p < kc; p++) s = T.FusedMultiplyAdd(Unsafe.Add(ref a, p * MR + r), Unsafe.Add(ref b, p * nr + q), s);
                ref T dst = ref Unsafe.Add(ref c, r * ldc + q);
                dst = accumulate ? dst + s : s;
            }
    }
}
