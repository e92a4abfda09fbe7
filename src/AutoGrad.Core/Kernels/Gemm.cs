using System.Numerics;
using TP = System.Numerics.Tensors.TensorPrimitives;

namespace AutoGrad.Kernels;

/// <summary>
/// Dense matrix products on contiguous row-major operands. This is the straightforward SIMD form
/// (each row of C accumulates scaled rows of B with fused multiply-add); a blocked, packed kernel
/// replaces it behind the same signature when speed is the issue.
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
}
