using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using TP = System.Numerics.Tensors.TensorPrimitives;

namespace AutoGrad.Kernels;

/// <summary>
/// Dense matrix products on contiguous row-major operands. Products large enough go to the blocked, packed
/// kernel <see cref="PackedGemm"/>; small or thin ones keep the straightforward SIMD forms here (each row of C
/// accumulates scaled rows of B with fused multiply-add, or dots of contiguous rows).
/// The transposed variants read an operand stored transposed, so no rule ever materialises a transpose.
/// </summary>
internal static class Gemm
{
    /// <summary>C[m×n] = A[m×k] · B[k×n] (C is overwritten).</summary>
    public static void Multiply<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> c, int m, int k, int n)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (m == 1 && n > 0)
        {
            // A row vector times a matrix: column blocks in registers.
            VecMat(a[..k], default, b, c[..n], default, k, n, dual: false);
            return;
        }
        if (UsePacked<T>(m, k, n)) { PackedGemm.Multiply(a, false, b, false, c, m, k, n, Threads(m, k, n)); return; }
        c[..(m * n)].Clear();
        for (int i = 0; i < m; i++)
        {
            var ci = c.Slice(i * n, n);
            var ai = a.Slice(i * k, k);
            for (int p = 0; p < k; p++)
            {
                T aip = ai[p];
                TP.MultiplyAdd(b.Slice(p * n, n), aip, ci, ci);
            }
        }
    }

    /// <summary>C[m×n] = Aᵀ · B with A stored k×m and B stored k×n (C is overwritten).</summary>
    public static void MultiplyTN<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> c, int m, int k, int n)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (UsePacked<T>(m, k, n)) { PackedGemm.Multiply(a, true, b, false, c, m, k, n, Threads(m, k, n)); return; }
        c[..(m * n)].Clear();
        if (m == 0) return;
        if (m == 1)
        {
            // A vector-matrix product (the gradient of a matrix-vector product): column blocks in registers.
            VecMat(a[..k], default, b, c, default, k, n, dual: false);
            return;
        }
        if (m <= 4)
        {
            // Few rows of C (a vector-Jacobian product, or one with its tangent beside it): each row of B is read
            // once and added, scaled, into every row of C.
            for (int p = 0; p < k; p++) AxpyRows(a.Slice(p * m, m), b.Slice(p * n, n), c, n);
            return;
        }
        // p outermost so that both the row of B and every row of C are read contiguously.
        for (int p = 0; p < k; p++)
        {
            var ap = a.Slice(p * m, m);
            var bp = b.Slice(p * n, n);
            for (int i = 0; i < m; i++)
            {
                var ci = c.Slice(i * n, n);
                TP.MultiplyAdd(bp, ap[i], ci, ci);
            }
        }
    }

    /// <summary>Whether C[m×n] = op(A)·op(B) goes to the packed kernel: float or double, at least 8×8, enough work to pay for packing.</summary>
    private static bool UsePacked<T>(int m, int k, int n) where T : unmanaged
        => PackedGemm.Supports<T>() && m >= 8 && n >= 8 && k > 0 && (long)m * n * k >= PackedGemm.MinWork;

    /// <summary>Every core for a product of at least <see cref="PackedGemm.ParallelFlops"/> FLOPs, else one.</summary>
    private static int Threads(int m, int k, int n)
        => 2L * m * n * k >= PackedGemm.ParallelFlops ? Environment.ProcessorCount : 1;

    /// <summary>c[i, :] += s[i]·row for the m ≤ 4 rows of c, reading <paramref name="row"/> once.</summary>
    private static void AxpyRows<T>(ReadOnlySpan<T> s, ReadOnlySpan<T> row, Span<T> c, int n) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int m = s.Length, j = 0;
        ref T r = ref MemoryMarshal.GetReference(row);
        ref T c0 = ref MemoryMarshal.GetReference(c);
        if (Vector512.IsHardwareAccelerated && Vector512<T>.IsSupported)
        {
            int w = Vector512<T>.Count;
            var s0 = Vector512.Create(s[0]);
            var s1 = Vector512.Create(m > 1 ? s[1] : T.Zero);
            var s2 = Vector512.Create(m > 2 ? s[2] : T.Zero);
            var s3 = Vector512.Create(m > 3 ? s[3] : T.Zero);
            for (; j <= n - w; j += w)
            {
                var x = Vector512.LoadUnsafe(ref r, (nuint)j);
                (Vector512.LoadUnsafe(ref c0, (nuint)j) + s0 * x).StoreUnsafe(ref c0, (nuint)j);
                if (m > 1) (Vector512.LoadUnsafe(ref c0, (nuint)(n + j)) + s1 * x).StoreUnsafe(ref c0, (nuint)(n + j));
                if (m > 2) (Vector512.LoadUnsafe(ref c0, (nuint)(2 * n + j)) + s2 * x).StoreUnsafe(ref c0, (nuint)(2 * n + j));
                if (m > 3) (Vector512.LoadUnsafe(ref c0, (nuint)(3 * n + j)) + s3 * x).StoreUnsafe(ref c0, (nuint)(3 * n + j));
            }
        }
        else if (Vector256.IsHardwareAccelerated && Vector256<T>.IsSupported)
        {
            int w = Vector256<T>.Count;
            var s0 = Vector256.Create(s[0]);
            var s1 = Vector256.Create(m > 1 ? s[1] : T.Zero);
            var s2 = Vector256.Create(m > 2 ? s[2] : T.Zero);
            var s3 = Vector256.Create(m > 3 ? s[3] : T.Zero);
            for (; j <= n - w; j += w)
            {
                var x = Vector256.LoadUnsafe(ref r, (nuint)j);
                (Vector256.LoadUnsafe(ref c0, (nuint)j) + s0 * x).StoreUnsafe(ref c0, (nuint)j);
                if (m > 1) (Vector256.LoadUnsafe(ref c0, (nuint)(n + j)) + s1 * x).StoreUnsafe(ref c0, (nuint)(n + j));
                if (m > 2) (Vector256.LoadUnsafe(ref c0, (nuint)(2 * n + j)) + s2 * x).StoreUnsafe(ref c0, (nuint)(2 * n + j));
                if (m > 3) (Vector256.LoadUnsafe(ref c0, (nuint)(3 * n + j)) + s3 * x).StoreUnsafe(ref c0, (nuint)(3 * n + j));
            }
        }
        for (; j < n; j++)
            for (int i = 0; i < m; i++) c[i * n + j] = T.FusedMultiplyAdd(s[i], row[j], c[i * n + j]);
    }

    /// <summary>C[m×n] = A · Bᵀ with A stored m×k and B stored n×k (C is overwritten): every entry is a dot of two contiguous rows.</summary>
    public static void MultiplyNT<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> c, int m, int k, int n)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (n <= 4 && n > 1)
        {
            // Few columns of C (a matrix-vector product, or one with its tangent beside it): each row of A is read
            // once for all n dots.
            for (int i = 0; i < m; i++) Dots(a.Slice(i * k, k), b, c.Slice(i * n, n), k);
            return;
        }
        if (UsePacked<T>(m, k, n)) { PackedGemm.Multiply(a, false, b, true, c, m, k, n, Threads(m, k, n)); return; }
        if (!ThinParallel.RowDots(a, b, c, m, k, n)) RowDots(a, b, c, k, n, 0, m);
    }

    /// <summary>Rows [i0, i1) of C = A·Bᵀ, each entry one dot of contiguous rows (rows are independent: splitting them changes no bit).</summary>
    internal static void RowDots<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> c, int k, int n, int i0, int i1)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = i0; i < i1; i++)
        {
            var ai = a.Slice(i * k, k);
            var ci = c.Slice(i * n, n);
            for (int j = 0; j < n; j++) ci[j] = TP.Dot(ai, b.Slice(j * k, k));
        }
    }

    /// <summary>c[j] = ⟨x, b[j, :]⟩ for the 2 ≤ n ≤ 4 rows of b, reading <paramref name="x"/> once.</summary>
    private static void Dots<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> b, Span<T> c, int k) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int n = c.Length, p = 0;
        ref T xr = ref MemoryMarshal.GetReference(x);
        ref T br = ref MemoryMarshal.GetReference(b);
        T s0 = T.Zero, s1 = T.Zero, s2 = T.Zero, s3 = T.Zero;
        if (Vector512.IsHardwareAccelerated && Vector512<T>.IsSupported && k >= Vector512<T>.Count)
        {
            int w = Vector512<T>.Count;
            Vector512<T> a0 = Vector512<T>.Zero, a1 = Vector512<T>.Zero, a2 = Vector512<T>.Zero, a3 = Vector512<T>.Zero;
            if (n == 2)
                for (; p <= k - w; p += w)
                {
                    var v = Vector512.LoadUnsafe(ref xr, (nuint)p);
                    a0 += v * Vector512.LoadUnsafe(ref br, (nuint)p);
                    a1 += v * Vector512.LoadUnsafe(ref br, (nuint)(k + p));
                }
            else
                for (; p <= k - w; p += w)
                {
                    var v = Vector512.LoadUnsafe(ref xr, (nuint)p);
                    a0 += v * Vector512.LoadUnsafe(ref br, (nuint)p);
                    a1 += v * Vector512.LoadUnsafe(ref br, (nuint)(k + p));
                    a2 += v * Vector512.LoadUnsafe(ref br, (nuint)(2 * k + p));
                    if (n > 3) a3 += v * Vector512.LoadUnsafe(ref br, (nuint)(3 * k + p));
                }
            s0 = Vector512.Sum(a0); s1 = Vector512.Sum(a1); s2 = Vector512.Sum(a2); s3 = Vector512.Sum(a3);
        }
        else if (Vector256.IsHardwareAccelerated && Vector256<T>.IsSupported && k >= Vector256<T>.Count)
        {
            int w = Vector256<T>.Count;
            Vector256<T> a0 = Vector256<T>.Zero, a1 = Vector256<T>.Zero, a2 = Vector256<T>.Zero, a3 = Vector256<T>.Zero;
            for (; p <= k - w; p += w)
            {
                var v = Vector256.LoadUnsafe(ref xr, (nuint)p);
                a0 += v * Vector256.LoadUnsafe(ref br, (nuint)p);
                a1 += v * Vector256.LoadUnsafe(ref br, (nuint)(k + p));
                if (n > 2) a2 += v * Vector256.LoadUnsafe(ref br, (nuint)(2 * k + p));
                if (n > 3) a3 += v * Vector256.LoadUnsafe(ref br, (nuint)(3 * k + p));
            }
            s0 = Vector256.Sum(a0); s1 = Vector256.Sum(a1); s2 = Vector256.Sum(a2); s3 = Vector256.Sum(a3);
        }
        for (; p < k; p++)
        {
            T xp = x[p];
            s0 = T.FusedMultiplyAdd(xp, b[p], s0);
            s1 = T.FusedMultiplyAdd(xp, b[k + p], s1);
            if (n > 2) s2 = T.FusedMultiplyAdd(xp, b[2 * k + p], s2);
            if (n > 3) s3 = T.FusedMultiplyAdd(xp, b[3 * k + p], s3);
        }
        c[0] = s0; c[1] = s1;
        if (n > 2) c[2] = s2;
        if (n > 3) c[3] = s3;
    }

    /// <summary>y = A·b and dy = A·ḃ (A m×k, b and ḃ of length k): each row of A is read once for both dots.</summary>
    public static void DualMatVec<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, ReadOnlySpan<T> db, Span<T> y, Span<T> dy, int m, int k)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!ThinParallel.DualMatVec(a, b, db, y, dy, m, k)) DualMatVecRows(a, b, db, y, dy, k, 0, m);
    }

    /// <summary>Rows [i0, i1) of <see cref="DualMatVec{T}"/> (independent rows: splitting them changes no bit).</summary>
    internal static void DualMatVecRows<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, ReadOnlySpan<T> db, Span<T> y, Span<T> dy, int k, int i0, int i1)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Span<T> pair = stackalloc T[2];
        Span<T> joined = k <= 512 ? stackalloc T[2 * k] : new T[2 * k];
        b[..k].CopyTo(joined);
        db[..k].CopyTo(joined[k..]);
        for (int i = i0; i < i1; i++)
        {
            Dots(a.Slice(i * k, k), joined, pair, k);
            y[i] = pair[0];
            dy[i] = pair[1];
        }
    }

    /// <summary>y = aᵀB and dy = ȧᵀB (B k×n, a and ȧ of length k): each row of B is read once for both.</summary>
    public static void DualVecMat<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> da, ReadOnlySpan<T> b, Span<T> y, Span<T> dy, int k, int n)
        where T : unmanaged, IFloatingPointIeee754<T> => VecMat(a, da, b, y, dy, k, n, dual: true);

    /// <summary>
    /// c = aᵀB (and, when <paramref name="dual"/>, dc = ȧᵀB) for B k×n, a column block at a time: the block's sums
    /// stay in registers while every row of B goes by, instead of being loaded and stored once per row.
    /// </summary>
    private static void VecMat<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> da, ReadOnlySpan<T> b, Span<T> c, Span<T> dc, int k, int n, bool dual)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!ThinParallel.VecMat(a, da, b, c, dc, k, n, dual)) VecMatColumns(a, da, b, c, dc, k, n, 0, n, dual);
    }

    /// <summary>
    /// <see cref="VecMat{T}"/> over columns [<paramref name="j0"/>, <paramref name="j1"/>) of B (row stride
    /// <paramref name="n"/>). Blocks start at j0, so a range starting at a multiple of the widest block takes every column
    /// through the same instructions as the whole product does: splitting columns changes no bit.
    /// </summary>
    internal static void VecMatColumns<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> da, ReadOnlySpan<T> b, Span<T> c, Span<T> dc, int k, int n,
        int j0, int j1, bool dual) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int j = j0;
        ref T br = ref MemoryMarshal.GetReference(b);
        if (Vector512.IsHardwareAccelerated && Vector512<T>.IsSupported)
        {
            int w = Vector512<T>.Count;
            for (; j <= j1 - 4 * w; j += 4 * w)
            {
                Vector512<T> c0 = default, c1 = default, c2 = default, c3 = default, d0 = default, d1 = default, d2 = default, d3 = default;
                for (int p = 0; p < k; p++)
                {
                    nuint o = (nuint)(p * n + j);
                    var x0 = Vector512.LoadUnsafe(ref br, o); var x1 = Vector512.LoadUnsafe(ref br, o + (nuint)w);
                    var x2 = Vector512.LoadUnsafe(ref br, o + (nuint)(2 * w)); var x3 = Vector512.LoadUnsafe(ref br, o + (nuint)(3 * w));
                    var s = Vector512.Create(a[p]);
                    c0 += s * x0; c1 += s * x1; c2 += s * x2; c3 += s * x3;
                    if (dual)
                    {
                        var t = Vector512.Create(da[p]);
                        d0 += t * x0; d1 += t * x1; d2 += t * x2; d3 += t * x3;
                    }
                }
                ref T cr = ref MemoryMarshal.GetReference(c);
                c0.StoreUnsafe(ref cr, (nuint)j); c1.StoreUnsafe(ref cr, (nuint)(j + w));
                c2.StoreUnsafe(ref cr, (nuint)(j + 2 * w)); c3.StoreUnsafe(ref cr, (nuint)(j + 3 * w));
                if (dual)
                {
                    ref T dr = ref MemoryMarshal.GetReference(dc);
                    d0.StoreUnsafe(ref dr, (nuint)j); d1.StoreUnsafe(ref dr, (nuint)(j + w));
                    d2.StoreUnsafe(ref dr, (nuint)(j + 2 * w)); d3.StoreUnsafe(ref dr, (nuint)(j + 3 * w));
                }
            }
            for (; j <= j1 - w; j += w)
            {
                Vector512<T> c0 = default, d0 = default;
                for (int p = 0; p < k; p++)
                {
                    var x0 = Vector512.LoadUnsafe(ref br, (nuint)(p * n + j));
                    c0 += Vector512.Create(a[p]) * x0;
                    if (dual) d0 += Vector512.Create(da[p]) * x0;
                }
                c0.StoreUnsafe(ref MemoryMarshal.GetReference(c), (nuint)j);
                if (dual) d0.StoreUnsafe(ref MemoryMarshal.GetReference(dc), (nuint)j);
            }
        }
        if (Vector256.IsHardwareAccelerated && Vector256<T>.IsSupported)
        {
            int w = Vector256<T>.Count;
            for (; j <= j1 - w; j += w)
            {
                Vector256<T> c0 = default, d0 = default;
                for (int p = 0; p < k; p++)
                {
                    var x0 = Vector256.LoadUnsafe(ref br, (nuint)(p * n + j));
                    c0 += Vector256.Create(a[p]) * x0;
                    if (dual) d0 += Vector256.Create(da[p]) * x0;
                }
                c0.StoreUnsafe(ref MemoryMarshal.GetReference(c), (nuint)j);
                if (dual) d0.StoreUnsafe(ref MemoryMarshal.GetReference(dc), (nuint)j);
            }
        }
        for (; j < j1; j++)
        {
            T s0 = T.Zero, s1 = T.Zero;
            for (int p = 0; p < k; p++)
            {
                s0 = T.FusedMultiplyAdd(a[p], b[p * n + j], s0);
                if (dual) s1 = T.FusedMultiplyAdd(da[p], b[p * n + j], s1);
            }
            c[j] = s0;
            if (dual) dc[j] = s1;
        }
    }

    /// <summary>C[m×n] = Aᵀ · Bᵀ with A stored k×m and B stored n×k (C is overwritten).</summary>
    /// <remarks>Only the second derivative of a product of two transposes reaches this; it stays scalar.</remarks>
    public static void MultiplyTT<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> c, int m, int k, int n)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                T s = T.Zero;
                var bj = b.Slice(j * k, k);
                for (int p = 0; p < k; p++) s = T.FusedMultiplyAdd(a[p * m + i], bj[p], s);
                c[i * n + j] = s;
            }
    }

    /// <summary>One product C = op(A) · op(B) of m×k by k×n, each operand optionally stored transposed.</summary>
    public static void Multiply<T>(ReadOnlySpan<T> a, bool transA, ReadOnlySpan<T> b, bool transB, Span<T> c, int m, int k, int n)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!transA && !transB) Multiply(a, b, c, m, k, n);
        else if (transA && !transB) MultiplyTN(a, b, c, m, k, n);
        else if (!transA) MultiplyNT(a, b, c, m, k, n);
        else MultiplyTT(a, b, c, m, k, n);
    }

    /// <summary>
    /// A stack of products C[β] = op(A[β]) · op(B[β]) over the batch index β of shape <paramref name="batch"/>.
    /// The batch strides count elements and are 0 along dimensions that an operand broadcasts; C is contiguous,
    /// each of its matrices m×n.
    /// </summary>
    public static void Batched<T>(ReadOnlySpan<T> a, ReadOnlySpan<int> aStrides, bool transA,
        ReadOnlySpan<T> b, ReadOnlySpan<int> bStrides, bool transB,
        Span<T> c, ReadOnlySpan<int> batch, int m, int k, int n)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int r = batch.Length, count = 1;
        foreach (int d in batch) count *= d;
        if (count == 0 || m == 0 || n == 0) return;
        Span<int> idx = stackalloc int[Math.Max(r, 1)];
        idx.Clear();
        int oa = 0, ob = 0, mk = m * k, kn = k * n, mn = m * n;
        for (int t = 0; t < count; t++)
        {
            Multiply(a.Slice(oa, mk), transA, b.Slice(ob, kn), transB, c.Slice(t * mn, mn), m, k, n);
            for (int d = r - 1; d >= 0; d--)
            {
                idx[d]++; oa += aStrides[d]; ob += bStrides[d];
                if (idx[d] < batch[d]) break;
                oa -= aStrides[d] * batch[d]; ob -= bStrides[d] * batch[d]; idx[d] = 0;
            }
        }
    }
}
