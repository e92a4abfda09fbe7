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
            throw new ArgumentException($"SumTo: shape {AutoGrad.Shape.Format(shape)} does not broadcast to {AutoGrad.Shape.Format(Dims)}.");
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
}
