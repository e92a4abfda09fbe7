using System.Numerics;
using TP = System.Numerics.Tensors.TensorPrimitives;

namespace AutoGrad.Kernels;

/// <summary>
/// Copies driven by integer indices along one axis, and their adjoints (which add, so that repeated indices
/// accumulate). A tensor is seen as [outer, n, inner] around the indexed axis, so the inner rows are contiguous.
/// Indices arrive normalised and in range; nothing is allocated.
/// </summary>
internal static class Indexed
{
    /// <summary>dst[o, j, :] = src[o, index[j], :] with src [outer, n, inner] and dst [outer, index.Length, inner].</summary>
    public static void Take<T>(ReadOnlySpan<T> src, int n, int inner, ReadOnlySpan<int> index, Span<T> dst) where T : unmanaged
    {
        int m = index.Length, block = m * inner;
        if (block == 0) return;
        int outer = dst.Length / block;
        for (int o = 0; o < outer; o++)
            for (int j = 0; j < m; j++)
                src.Slice((o * n + index[j]) * inner, inner).CopyTo(dst.Slice((o * m + j) * inner, inner));
    }

    /// <summary>dst[o, index[j], :] += src[o, j, :]: the adjoint of <see cref="Take"/>.</summary>
    public static void TakeAdd<T>(ReadOnlySpan<T> src, int n, int inner, ReadOnlySpan<int> index, Span<T> dst)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int m = index.Length, block = m * inner;
        if (block == 0) return;
        int outer = src.Length / block;
        for (int o = 0; o < outer; o++)
            for (int j = 0; j < m; j++)
            {
                var d = dst.Slice((o * n + index[j]) * inner, inner);
                TP.Add(d, src.Slice((o * m + j) * inner, inner), d);
            }
    }

    /// <summary>
    /// dst[i] = src[i with its <paramref name="axis"/> coordinate replaced by index[i]], for i over the contiguous
    /// <paramref name="shape"/> of dst and index; src is read through <paramref name="srcStrides"/> (torch.gather).
    /// </summary>
    public static void Gather<T>(ReadOnlySpan<T> src, ReadOnlySpan<int> srcStrides, int axis, ReadOnlySpan<int> index,
        Span<T> dst, ReadOnlySpan<int> shape) where T : unmanaged
    {
        int r = shape.Length, sa = srcStrides[axis];
        Span<int> idx = stackalloc int[r];
        idx.Clear();
        // The offset of i in src without the axis coordinate, kept up to date by the odometer.
        int off = 0;
        for (int i = 0; i < dst.Length; i++)
        {
            dst[i] = src[off + index[i] * sa];
            Step(idx, shape, srcStrides, axis, ref off);
        }
    }

    /// <summary>dst[i with its axis coordinate replaced by index[i]] += src[i]: the adjoint of <see cref="Gather"/>.</summary>
    public static void ScatterAdd<T>(ReadOnlySpan<T> src, ReadOnlySpan<int> index, Span<T> dst, ReadOnlySpan<int> dstStrides,
        int axis, ReadOnlySpan<int> shape) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int r = shape.Length, sa = dstStrides[axis];
        Span<int> idx = stackalloc int[r];
        idx.Clear();
        int off = 0;
        for (int i = 0; i < src.Length; i++)
        {
            dst[off + index[i] * sa] += src[i];
            Step(idx, shape, dstStrides, axis, ref off);
        }
    }

    private static void Step(Span<int> idx, ReadOnlySpan<int> shape, ReadOnlySpan<int> strides, int axis, ref int off)
    {
        for (int d = shape.Length - 1; d >= 0; d--)
        {
            int s = d == axis ? 0 : strides[d];
            idx[d]++; off += s;
            if (idx[d] < shape[d]) return;
            off -= s * shape[d]; idx[d] = 0;
        }
    }

    /// <summary>
    /// Writes contiguous src, seen as [outer, block], into dst at rows of length <paramref name="block"/> placed
    /// <paramref name="offset"/> + o·<paramref name="stride"/> (one input of a concatenation).
    /// </summary>
    public static void Place<T>(ReadOnlySpan<T> src, Span<T> dst, int block, int stride, int offset) where T : unmanaged
    {
        if (block == 0) return;
        int outer = src.Length / block;
        for (int o = 0; o < outer; o++)
            src.Slice(o * block, block).CopyTo(dst.Slice(offset + o * stride, block));
    }
}
