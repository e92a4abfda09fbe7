using AutoGrad.Kernels;

namespace AutoGrad;

// The bridge to the index-driven copies (Kernels/Indexed.cs) and to GEMM (Kernels/Gemm.cs).
internal static partial class Compute
{
    /// <summary>The sizes around <paramref name="axis"/>: the product of the dimensions before it and after it.</summary>
    public static (int Outer, int Inner) AroundAxis(int[] dims, int axis)
    {
        int outer = 1, inner = 1;
        for (int i = 0; i < axis; i++) outer *= dims[i];
        for (int i = axis + 1; i < dims.Length; i++) inner *= dims[i];
        return (outer, inner);
    }

    /// <summary>x with <paramref name="axis"/> replaced by the entries at <paramref name="index"/> (normalised, in range).</summary>
    public static Tensor Take(Tensor x, int axis, int[] index)
    {
        var dims = (int[])x.Dims.Clone();
        dims[axis] = index.Length;
        var y = Empty(dims, x.DType);
        var (_, inner) = AroundAxis(x.Dims, axis);
        if (x.DType == DType.Float64) Indexed.Take<double>(x.Span<double>(), x.Dims[axis], inner, index, y.Span<double>());
        else Indexed.Take<float>(x.Span<float>(), x.Dims[axis], inner, index, y.Span<float>());
        return y;
    }

    /// <summary>Adds the slices of <paramref name="src"/> into <paramref name="dst"/> at <paramref name="index"/> along <paramref name="axis"/>: the adjoint of <see cref="Take"/>.</summary>
    public static void TakeAdd(Tensor src, int axis, int[] index, Tensor dst)
    {
        var (_, inner) = AroundAxis(dst.Dims, axis);
        if (dst.DType == DType.Float64) Indexed.TakeAdd<double>(src.Span<double>(), dst.Dims[axis], inner, index, dst.Span<double>());
        else Indexed.TakeAdd<float>(src.Span<float>(), dst.Dims[axis], inner, index, dst.Span<float>());
    }

    /// <summary>torch.gather: a tensor of <paramref name="indexDims"/> read from x along <paramref name="axis"/> at <paramref name="index"/>.</summary>
    public static Tensor GatherAxis(Tensor x, int axis, int[] index, int[] indexDims)
    {
        var y = Empty(indexDims, x.DType);
        var strides = Shape.Strides(x.Dims);
        if (x.DType == DType.Float64) Indexed.Gather<double>(x.Span<double>(), strides, axis, index, y.Span<double>(), indexDims);
        else Indexed.Gather<float>(x.Span<float>(), strides, axis, index, y.Span<float>(), indexDims);
        return y;
    }

    /// <summary>Adds <paramref name="src"/> into <paramref name="dst"/> along <paramref name="axis"/> at <paramref name="index"/> (shaped like src): the adjoint of <see cref="GatherAxis"/>.</summary>
    public static void ScatterAxis(Tensor src, int axis, int[] index, Tensor dst)
    {
        var strides = Shape.Strides(dst.Dims);
        if (dst.DType == DType.Float64) Indexed.ScatterAdd<double>(src.Span<double>(), index, dst.Span<double>(), strides, axis, src.Dims);
        else Indexed.ScatterAdd<float>(src.Span<float>(), index, dst.Span<float>(), strides, axis, src.Dims);
    }

    /// <summary>The tensors joined along <paramref name="axis"/> into a result of <paramref name="dims"/> (already checked).</summary>
    public static Tensor Concat(Tensor[] xs, int axis, int[] dims)
    {
        var y = Empty(dims, xs[0].DType);
        var (_, inner) = AroundAxis(dims, axis);
        int stride = dims[axis] * inner, offset = 0;
        foreach (var x in xs)
        {
            int block = x.Dims[axis] * inner;
            if (y.DType == DType.Float64) Indexed.Place<double>(x.Span<double>(), y.Span<double>(), block, stride, offset);
            else Indexed.Place<float>(x.Span<float>(), y.Span<float>(), block, stride, offset);
            offset += block;
        }
        return y;
    }

    /// <summary>
    /// op(a) · op(b) over broadcast batch dimensions, where op transposes the last two axes when asked. Both operands
    /// have rank ≥ 2 and agree in the contracted dimension (already checked); the result is [batch…, m, n].
    /// </summary>
    public static Tensor MatMul(Tensor a, bool transA, Tensor b, bool transB, int[] batch, int m, int k, int n)
    {
        var dims = new int[batch.Length + 2];
        batch.CopyTo(dims, 0);
        dims[^2] = m; dims[^1] = n;
        var c = Empty(dims, a.DType);
        var aStrides = BatchStrides(a.Dims, batch);
        var bStrides = BatchStrides(b.Dims, batch);
        if (a.DType == DType.Float64)
            Gemm.Batched<double>(a.Span<double>(), aStrides, transA, b.Span<double>(), bStrides, transB, c.Span<double>(), batch, m, k, n);
        else
            Gemm.Batched<float>(a.Span<float>(), aStrides, transA, b.Span<float>(), bStrides, transB, c.Span<float>(), batch, m, k, n);
        return c;
    }

    /// <summary>y = A·b and dy = A·ḃ for A m×k and vectors b, ḃ of length k, in one sweep over A.</summary>
    public static void DualMatVec(Tensor a, Tensor b, Tensor db, Tensor y, Tensor dy, int m, int k)
    {
        if (a.DType == DType.Float64) Gemm.DualMatVec<double>(a.Span<double>(), b.Span<double>(), db.Span<double>(), y.Span<double>(), dy.Span<double>(), m, k);
        else Gemm.DualMatVec<float>(a.Span<float>(), b.Span<float>(), db.Span<float>(), y.Span<float>(), dy.Span<float>(), m, k);
    }

    /// <summary>y = aᵀB and dy = ȧᵀB for B k×n and vectors a, ȧ of length k, in one sweep over B.</summary>
    public static void DualVecMat(Tensor a, Tensor da, Tensor b, Tensor y, Tensor dy, int k, int n)
    {
        if (a.DType == DType.Float64) Gemm.DualVecMat<double>(a.Span<double>(), da.Span<double>(), b.Span<double>(), y.Span<double>(), dy.Span<double>(), k, n);
        else Gemm.DualVecMat<float>(a.Span<float>(), da.Span<float>(), b.Span<float>(), y.Span<float>(), dy.Span<float>(), k, n);
    }

    /// <summary>Element strides of an operand's matrices over the broadcast batch shape (0 where it broadcasts).</summary>
    private static int[] BatchStrides(int[] dims, int[] batch)
    {
        var own = dims[..^2];
        var s = Shape.BroadcastStrides(own, batch);
        int matrix = dims[^2] * dims[^1];
        for (int i = 0; i < s.Length; i++) s[i] *= matrix;
        return s;
    }
}
