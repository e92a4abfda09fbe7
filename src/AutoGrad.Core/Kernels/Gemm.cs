using System.Numerics;
using TP = System.Numerics.Tensors.TensorPrimitives;

namespace AutoGrad.Kernels;

/// <summary>
/// Dense matrix products on contiguous row-major operands. This is the straightforward SIMD form
/// (each row of C accumulates scaled rows of B with fused multiply-add, or dots of contiguous rows);
/// a blocked, packed kernel replaces it behind the same signatures when speed is the issue.
/// The transposed variants read an operand stored transposed, so no rule ever materialises a transpose.
/// </summary>
internal static class Gemm
{
    /// <summary>C[m×n] = A[m×k] · B[k×n] (C is overwritten).</summary>
    public static void Multiply<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> c, int m, int k, int n)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
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
        c[..(m * n)].Clear();
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

    /// <summary>C[m×n] = A · Bᵀ with A stored m×k and B stored n×k (C is overwritten): every entry is a dot of two contiguous rows.</summary>
    public static void MultiplyNT<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> c, int m, int k, int n)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < m; i++)
        {
            var ai = a.Slice(i * k, k);
            var ci = c.Slice(i * n, n);
            for (int j = 0; j < n; j++) ci[j] = TP.Dot(ai, b.Slice(j * k, k));
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
