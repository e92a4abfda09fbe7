using AutoGrad.Ops;

namespace AutoGrad;

// The public linear-algebra API. The one primitive, the batched product, lives in Ops/LinearAlgebra.cs; the
// vector cases are reshapes around it, and Dot and Outer are compositions.
public sealed partial class Tensor
{
    /// <summary>
    /// The matrix product with NumPy's <c>matmul</c> rules: two vectors give their dot product (0-d); a matrix and a
    /// vector give a vector (the vector is a column on the right, a row on the left); tensors of rank &gt; 2 are stacks
    /// of matrices in their last two axes, with the batch dimensions broadcast (a [2, 1, m, k] times a [3, k, n] is a
    /// [2, 3, m, n]). Gradients of broadcast operands are summed back over the batch.
    /// </summary>
    /// <exception cref="ArgumentException">An operand is 0-d, the contracted dimensions differ, the batch dimensions
    /// do not broadcast, or the element types differ.</exception>
    public Tensor MatMul(Tensor other) => MatMul(this, other);

    /// <summary>The matrix product a · b (see <see cref="MatMul(Tensor)"/>).</summary>
    /// <exception cref="ArgumentException">An operand is 0-d, the contracted dimensions differ, the batch dimensions
    /// do not broadcast, or the element types differ.</exception>
    public static Tensor MatMul(Tensor a, Tensor b)
    {
        Compute.SameType("MatMul", a, b);
        if (a.Rank == 0 || b.Rank == 0)
            throw new ArgumentException(
                FormattableString.Invariant($"MatMul: shapes {AutoGrad.Shape.Format(a.Dims)} and {AutoGrad.Shape.Format(b.Dims)}: an operand is 0-d; scale by a scalar with * instead."));
        int ka = a.Dims[^1], kb = b.Rank == 1 ? b.Dims[0] : b.Dims[^2];
        if (ka != kb)
            throw new ArgumentException(
                FormattableString.Invariant($"MatMul: shapes {AutoGrad.Shape.Format(a.Dims)} and {AutoGrad.Shape.Format(b.Dims)} are not aligned: the last dimension of the first is {ka} but the {(b.Rank == 1 ? "length" : "second-to-last dimension")} of the second is {kb}."));
        if (a.Rank > 1 && b.Rank > 1)
            return MatMulOp.I.Apply(a, b);
        // A vector on the right becomes a 1×k row read transposed (so each output entry is one dot of contiguous rows);
        // a vector on the left becomes a 1×k row. The added axis is then dropped again.
        var a2 = a.Rank == 1 ? a.Reshape(1, ka) : a;
        var b2 = b.Rank == 1 ? b.Reshape(1, kb) : b;
        var c = MatMulOp.I.Apply(a2, b2, transB: b.Rank == 1);
        var dims = c.Dims;
        if (a.Rank == 1 && b.Rank == 1) return c.Reshape();
        if (b.Rank == 1) return c.Reshape(dims[..^1]);
        return c.Reshape([.. dims[..^2], dims[^1]]);
    }

    /// <summary>The dot product Σ aᵢbᵢ of two vectors of the same length, as a 0-d tensor.</summary>
    /// <exception cref="ArgumentException">An operand is not 1-d, the lengths differ, or the element types differ.</exception>
    public Tensor Dot(Tensor other) => Dot(this, other);

    /// <summary>The dot product Σ aᵢbᵢ of two vectors of the same length, as a 0-d tensor.</summary>
    /// <exception cref="ArgumentException">An operand is not 1-d, the lengths differ, or the element types differ.</exception>
    public static Tensor Dot(Tensor a, Tensor b)
    {
        if (a.Rank != 1 || b.Rank != 1 || a.Dims[0] != b.Dims[0])
            throw new ArgumentException(
                FormattableString.Invariant($"Dot: needs two vectors of the same length, got shapes {AutoGrad.Shape.Format(a.Dims)} and {AutoGrad.Shape.Format(b.Dims)}."));
        return MatMul(a, b);
    }

    /// <summary>The outer product of two vectors: the m×n matrix with entries aᵢbⱼ.</summary>
    /// <exception cref="ArgumentException">An operand is not 1-d, or the element types differ.</exception>
    public Tensor Outer(Tensor other) => Outer(this, other);

    /// <summary>The outer product of two vectors: the m×n matrix with entries aᵢbⱼ.</summary>
    /// <exception cref="ArgumentException">An operand is not 1-d, or the element types differ.</exception>
    public static Tensor Outer(Tensor a, Tensor b)
    {
        if (a.Rank != 1 || b.Rank != 1)
            throw new ArgumentException(FormattableString.Invariant($"Outer: needs two vectors, got shapes {AutoGrad.Shape.Format(a.Dims)} and {AutoGrad.Shape.Format(b.Dims)}."));
        Compute.SameType("Outer", a, b);
        // A broadcast product: exact (no sums), and its gradients are the engine's broadcast adjoint.
        return a.Reshape(a.Dims[0], 1) * b.Reshape(1, b.Dims[0]);
    }
}
