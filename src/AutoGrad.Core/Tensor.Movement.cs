using AutoGrad.Ops;

namespace AutoGrad;

// The public shape and movement API. Rules live in Ops/Movement.cs.
public sealed partial class Tensor
{
    /// <summary>
    /// The same elements with a new shape (one dimension may be −1 and is inferred). The result shares this
    /// tensor's storage.
    /// </summary>
    /// <exception cref="ArgumentException">The new shape holds a different number of elements.</exception>
    public Tensor Reshape(params int[] shape) => ReshapeOp.I.Apply(this, shape);

    /// <summary>The same as <see cref="Reshape(int[])"/> (storage is always contiguous, so every view is a reshape).</summary>
    public Tensor View(params int[] shape) => ReshapeOp.I.Apply(this, shape);

    /// <summary>A 1-d tensor of all elements.</summary>
    public Tensor Flatten() => Reshape(-1);

    /// <summary>This tensor broadcast (copied) to a larger shape, following NumPy's rules.</summary>
    /// <exception cref="ArgumentException">The shapes are not broadcast-compatible.</exception>
    public Tensor BroadcastTo(params int[] shape) => BroadcastToOp.I.Apply(this, shape);

    /// <summary>
    /// Sums this tensor down to <paramref name="shape"/>, which must broadcast to this tensor's shape: the adjoint
    /// of <see cref="BroadcastTo(int[])"/>, used to undo broadcasting in backward.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="shape"/> does not broadcast to this shape.</exception>
    public Tensor SumTo(params int[] shape)
    {
        if (AutoGrad.Shape.Equal(shape, Dims)) return this;
        if (!AutoGrad.Shape.BroadcastsTo(shape, Dims))
            throw new ArgumentException(FormattableString.Invariant($"SumTo: shape {AutoGrad.Shape.Format(shape)} does not broadcast to {AutoGrad.Shape.Format(Dims)}."));
        int lead = Rank - shape.Length;
        var axes = new List<int>();
        for (int i = 0; i < Rank; i++)
            if (i < lead || (shape[i - lead] == 1 && Dims[i] != 1)) axes.Add(i);
        return Sum(axes.ToArray(), keepDims: true).Reshape(shape);
    }

    /// <summary>This tensor converted to another element type (itself when it already has it). Differentiable.</summary>
    public Tensor To(DType dtype) => CastOp.I.Apply(this, dtype);

    /// <summary>A copy with its own storage. Differentiable (the gradient passes through).</summary>
    public Tensor Clone() => CloneOp.I.Apply(this);

    /// <summary>
    /// The axes reordered: axis i of the result is axis <paramref name="axes"/>[i] of this tensor (negative counts from
    /// the end), as NumPy's <c>transpose(axes)</c>. The result is a copy.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="axes"/> is not a permutation of this tensor's axes.</exception>
    public Tensor Permute(params int[] axes) => PermuteOp.I.Apply(this, axes);

    /// <summary>This tensor with two axes swapped (negative counts from the end). The result is a copy.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An axis is out of range.</exception>
    public Tensor Transpose(int axis0, int axis1)
    {
        int a = AutoGrad.Shape.Axis("Transpose", axis0, Dims), b = AutoGrad.Shape.Axis("Transpose", axis1, Dims);
        var perm = new int[Rank];
        for (int i = 0; i < perm.Length; i++) perm[i] = i;
        (perm[a], perm[b]) = (b, a);
        return Permute(perm);
    }

    /// <summary>
    /// The matrix transpose: the last two axes swapped, so a stack of matrices [..., m, n] becomes [..., n, m]
    /// (NumPy's <c>mT</c>). The result is a copy.
    /// </summary>
    /// <exception cref="InvalidOperationException">This tensor has fewer than two dimensions.</exception>
    public Tensor Transpose()
    {
        if (Rank < 2)
            throw new InvalidOperationException(
                FormattableString.Invariant($"Transpose: the tensor has shape {AutoGrad.Shape.Format(Dims)}; the matrix transpose needs at least 2 dimensions (use Transpose(axis0, axis1) or Reshape)."));
        return Transpose(-2, -1);
    }

    /// <summary>
    /// This tensor with a new axis of size 1 inserted at <paramref name="axis"/>, which ranges over the result's
    /// axes (−1 appends). Shares storage, as <see cref="Reshape(int[])"/>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="axis"/> is outside [−rank − 1, rank].</exception>
    public Tensor Unsqueeze(int axis)
    {
        int a = AutoGrad.Shape.Axis("Unsqueeze", axis, Dims, allowEnd: true);
        return Reshape([.. Dims[..a], 1, .. Dims[a..]]);
    }

    /// <summary>This tensor with the size-1 axis <paramref name="axis"/> removed. Shares storage, as <see cref="Reshape(int[])"/>.</summary>
    /// <exception cref="ArgumentException">The axis does not have size 1 (NumPy's rule; PyTorch would silently do nothing).</exception>
    public Tensor Squeeze(int axis)
    {
        int a = AutoGrad.Shape.Axis("Squeeze", axis, Dims);
        if (Dims[a] != 1)
            throw new ArgumentException(FormattableString.Invariant($"Squeeze: axis {axis} has size {Dims[a]} in shape {AutoGrad.Shape.Format(Dims)}; only an axis of size 1 can be removed."));
        return Reshape([.. Dims[..a], .. Dims[(a + 1)..]]);
    }

    /// <summary>This tensor with every size-1 axis removed (a one-element tensor becomes 0-d). Shares storage.</summary>
    public Tensor Squeeze() => Reshape(Dims.Where(d => d != 1).ToArray());

    /// <summary>
    /// The entries start, start + step, … before <paramref name="stop"/> along <paramref name="axis"/>, with Python's
    /// slice rules: a negative start or stop counts from the end, bounds beyond the axis are clamped (so
    /// <c>int.MaxValue</c> means "to the end"), and an empty range gives a size-0 axis. The result is a copy;
    /// its gradient is scattered back into zeros of this shape.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="step"/> ≤ 0 (reversed slices are not supported).</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="axis"/> is out of range.</exception>
    public Tensor Slice(int axis, int start, int stop, int step = 1)
    {
        int a = AutoGrad.Shape.Axis("Slice", axis, Dims);
        if (step <= 0)
            throw new ArgumentException(
                FormattableString.Invariant($"Slice: step must be positive, got {step} (axis {axis} of shape {AutoGrad.Shape.Format(Dims)}); reverse with IndexSelect instead."), nameof(step));
        int len = Dims[a];
        int lo = Clamp(start), hi = Clamp(stop);
        int count = hi <= lo ? 0 : (int)(((long)hi - lo + step - 1) / step);
        return SliceOp.I.Apply(this, SliceInfo.Range(Dims, a, lo, count, step));

        int Clamp(int i) => i < 0 ? Math.Max(i + len, 0) : Math.Min(i, len);
    }

    /// <summary>
    /// The sub-tensor at <paramref name="index"/> along axis 0, which is dropped: a row of a matrix, an element of a
    /// vector (as a 0-d tensor). A negative index counts from the end. The result is a copy.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">This tensor is 0-d.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The index is out of range.</exception>
    // Item() already names the scalar read-out, so the indexers take another metadata name.
    [System.Runtime.CompilerServices.IndexerName("Index")]
    public Tensor this[int index] => Select(0, index);

    /// <summary>
    /// The sub-tensor at fixed coordinates of the leading axes, which are dropped: <c>x[i, j]</c> of a 3-d tensor is a
    /// vector, and a full index gives a 0-d tensor. Negative indices count from the end. The result is a copy.
    /// </summary>
    /// <exception cref="ArgumentException">There are more indices than dimensions.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An index is out of range.</exception>
    [System.Runtime.CompilerServices.IndexerName("Index")]
    public Tensor this[params int[] index]
    {
        get
        {
            if (index.Length > Rank)
                throw new ArgumentException(FormattableString.Invariant($"Index: {index.Length} indices for a tensor of shape {AutoGrad.Shape.Format(Dims)} (rank {Rank})."));
            var idx = new int[index.Length];
            for (int i = 0; i < idx.Length; i++) idx[i] = Indexing.One("Index", index[i], i, Dims);
            return SliceOp.I.Apply(this, SliceInfo.Leading(Dims, idx));
        }
    }

    /// <summary>
    /// The sub-tensor at <paramref name="index"/> along <paramref name="axis"/>, which is dropped (negative values count
    /// from the end), as PyTorch's <c>select</c>. The result is a copy.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="axis"/> is out of range.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is out of range.</exception>
    public Tensor Select(int axis, int index)
    {
        int a = AutoGrad.Shape.Axis("Select", axis, Dims);
        return SliceOp.I.Apply(this, SliceInfo.Select(Dims, a, Indexing.One("Select", index, a, Dims)));
    }

    /// <summary>
    /// The entries at <paramref name="indices"/> along <paramref name="axis"/>, in that order, as NumPy's
    /// <c>take(indices, axis)</c>: the axis gets length <c>indices.Length</c>. Indices may repeat (their gradients
    /// add up) and negative ones count from the end. The result is a copy.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="axis"/> is out of range.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An index is out of range.</exception>
    public Tensor IndexSelect(int axis, int[] indices) => IndexSelectOp.I.Apply(this, axis, indices);

    /// <summary>
    /// This tensor plus <paramref name="source"/>'s slices added at <paramref name="indices"/> along <paramref name="axis"/>
    /// (PyTorch's out-of-place <c>index_add</c>): slice j of source is added at index indices[j], and repeated indices
    /// accumulate. <paramref name="source"/> has this shape except that the axis has length <c>indices.Length</c>.
    /// The adjoint of <see cref="IndexSelect"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The source has the wrong shape or element type.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An index is out of range.</exception>
    public Tensor IndexAdd(int axis, int[] indices, Tensor source) => IndexAddOp.I.Apply(this, axis, indices, source);

    /// <summary>
    /// Picks along <paramref name="axis"/> by a tensor of indices, as <c>torch.gather</c>: with the index given row-major in
    /// <paramref name="index"/> and shaped <paramref name="indexShape"/> (of this tensor's rank, no larger along the other
    /// axes), the result has the index's shape and result[i] = this[i with its axis coordinate replaced by index[i]].
    /// For a matrix and axis 1, <c>result[r, c] = this[r, index[r, c]]</c>. Negative indices count from the end;
    /// repeated indices add their gradients.
    /// </summary>
    /// <exception cref="ArgumentException">The index shape does not fit this tensor, or does not hold <c>index.Length</c> entries.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An index is out of range.</exception>
    public Tensor Gather(int axis, int[] index, int[] indexShape) => GatherOp.I.Apply(this, axis, index, indexShape);

    /// <summary>
    /// This tensor plus <paramref name="source"/> scattered along <paramref name="axis"/>, as PyTorch's out-of-place
    /// <c>scatter_add</c>: <paramref name="index"/> (row-major, shaped like the source) says where each entry goes, and
    /// entries sent to the same place add up. The adjoint of <see cref="Gather"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The source does not fit this tensor, or the index does not have the source's size.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An index is out of range.</exception>
    public Tensor ScatterAdd(int axis, int[] index, Tensor source) => ScatterAddOp.I.Apply(this, axis, index, source);

    /// <summary>
    /// The tensors joined along an existing <paramref name="axis"/> (negative counts from the end). They must have the
    /// same element type and rank, and agree in every other dimension. The result is a copy; each input's gradient is
    /// its slice of the result's.
    /// </summary>
    /// <exception cref="ArgumentException">No tensors, a 0-d tensor, or mismatched shapes or element types.</exception>
    public static Tensor Concat(Tensor[] tensors, int axis = 0) => ConcatOp.I.Apply(tensors, axis);

    /// <summary>
    /// The tensors, all of the same shape, stacked along a new <paramref name="axis"/> of length <c>tensors.Length</c>
    /// (which ranges over the result's axes, −1 appending): stacking n vectors of length m along 0 gives an n×m matrix.
    /// </summary>
    /// <exception cref="ArgumentException">No tensors, or tensors of different shapes or element types.</exception>
    public static Tensor Stack(Tensor[] tensors, int axis = 0)
    {
        if (tensors.Length == 0) throw new ArgumentException("Stack: no tensors to stack; pass at least one.");
        var dims = tensors[0].Dims;
        int a = AutoGrad.Shape.Axis("Stack", axis, dims, allowEnd: true);
        var parts = new Tensor[tensors.Length];
        for (int i = 0; i < parts.Length; i++)
        {
            if (!AutoGrad.Shape.Equal(tensors[i].Dims, dims))
                throw new ArgumentException(
                    FormattableString.Invariant($"Stack: tensor {i} has shape {AutoGrad.Shape.Format(tensors[i].Dims)} but tensor 0 has shape {AutoGrad.Shape.Format(dims)}; stacked tensors must have the same shape."));
            Compute.SameType("Stack", tensors[0], tensors[i]);
            parts[i] = tensors[i].Unsqueeze(a);
        }
        return Concat(parts, a);
    }
}
