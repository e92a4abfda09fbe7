using AutoGrad.Ops;

namespace AutoGrad;

// The public reduction API. Rules live in Ops/Reductions.cs; Mean, Var and Std are compositions.
public sealed partial class Tensor
{
    /// <summary>The sum of all elements, as a 0-d tensor (0 for an empty tensor).</summary>
    public Tensor Sum() => SumOp.I.Apply(this, null, false);

    /// <summary>The sum along <paramref name="axis"/> (negative counts from the end).</summary>
    public Tensor Sum(int axis, bool keepDims = false) => SumOp.I.Apply(this, [axis], keepDims);

    /// <summary>The sum along several axes (all when null or empty).</summary>
    public Tensor Sum(int[]? axes, bool keepDims = false) => SumOp.I.Apply(this, axes, keepDims);

    /// <summary>The mean of all elements (NaN for an empty tensor).</summary>
    public Tensor Mean() => Mean(null);

    /// <summary>The mean along <paramref name="axis"/>.</summary>
    public Tensor Mean(int axis, bool keepDims = false) => Mean([axis], keepDims);

    /// <summary>The mean along several axes (all when null or empty).</summary>
    public Tensor Mean(int[]? axes, bool keepDims = false)
    {
        double n = ReducedCount(axes, "Mean");
        return Sum(axes, keepDims) / n;
    }

    /// <summary>The product of all elements.</summary>
    /// <remarks>The gradient is exact when inputs contain zeros; second derivatives there are not supported.</remarks>
    public Tensor Prod() => ProdOp.I.Apply(this, null, false);

    /// <summary>The product along <paramref name="axis"/>.</summary>
    public Tensor Prod(int axis, bool keepDims = false) => ProdOp.I.Apply(this, [axis], keepDims);

    /// <summary>The product along several axes (all when null or empty).</summary>
    public Tensor Prod(int[]? axes, bool keepDims = false) => ProdOp.I.Apply(this, axes, keepDims);

    /// <summary>The largest element. NaN propagates. At ties the gradient is split equally among the maxima.</summary>
    /// <exception cref="ArgumentException">The tensor is empty.</exception>
    public Tensor Max() => ExtremumOp.Max.Apply(this, null, false);

    /// <summary>The largest element along <paramref name="axis"/>; ties split the gradient equally.</summary>
    public Tensor Max(int axis, bool keepDims = false) => ExtremumOp.Max.Apply(this, [axis], keepDims);

    /// <summary>The largest element along several axes; ties split the gradient equally.</summary>
    public Tensor Max(int[]? axes, bool keepDims = false) => ExtremumOp.Max.Apply(this, axes, keepDims);

    /// <summary>The smallest element. NaN propagates. At ties the gradient is split equally among the minima.</summary>
    public Tensor Min() => ExtremumOp.Min.Apply(this, null, false);

    /// <summary>The smallest element along <paramref name="axis"/>; ties split the gradient equally.</summary>
    public Tensor Min(int axis, bool keepDims = false) => ExtremumOp.Min.Apply(this, [axis], keepDims);

    /// <summary>The smallest element along several axes; ties split the gradient equally.</summary>
    public Tensor Min(int[]? axes, bool keepDims = false) => ExtremumOp.Min.Apply(this, axes, keepDims);

    /// <summary>
    /// The variance over the given axes (all when null): Σ(x − mean)² / (n − <paramref name="correction"/>).
    /// The default correction 1 is the unbiased estimator, as PyTorch's <c>var</c>; pass 0 for the population variance.
    /// </summary>
    public Tensor Var(int[]? axes = null, bool keepDims = false, int correction = 1) => Var(axes, keepDims, correction, "Var");

    private Tensor Var(int[]? axes, bool keepDims, int correction, string op)
    {
        // Counting first checks the axes, so that a bad axis is reported as this operation's, not as Sum's.
        double n = ReducedCount(axes, op);
        var d = this - Mean(axes, keepDims: true);
        return (d * d).Sum(axes, keepDims) / (n - correction);
    }

    /// <summary>The variance along one axis (see <see cref="Var(int[], bool, int)"/>).</summary>
    public Tensor Var(int axis, bool keepDims = false, int correction = 1) => Var([axis], keepDims, correction);

    /// <summary>The standard deviation √Var (its gradient is infinite where every value is equal).</summary>
    public Tensor Std(int[]? axes = null, bool keepDims = false, int correction = 1) => Var(axes, keepDims, correction, "Std").Sqrt();

    /// <summary>The standard deviation along one axis.</summary>
    public Tensor Std(int axis, bool keepDims = false, int correction = 1) => Std([axis], keepDims, correction);

    /// <summary>
    /// log Σ exp(x) over the given axes (all when null), shifted by the maximum so that it neither overflows nor
    /// underflows. A slice of all −∞ gives −∞ with a uniform (finite) gradient.
    /// </summary>
    public Tensor LogSumExp(int[]? axes = null, bool keepDims = false) => LogSumExpOp.I.Apply(this, axes, keepDims);

    /// <summary>log Σ exp(x) along one axis.</summary>
    public Tensor LogSumExp(int axis, bool keepDims = false) => LogSumExpOp.I.Apply(this, [axis], keepDims);

    /// <summary>
    /// exp(x) / Σ exp(x) along <paramref name="axis"/>, shifted by the maximum. A slice of all −∞ gives the
    /// uniform distribution.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="axis"/> is out of range.</exception>
    /// <exception cref="ArgumentException">The axis has length 0: there is no distribution over nothing.</exception>
    public Tensor Softmax(int axis = -1) => SoftmaxOp.I.Apply(this, [DistributionAxis("Softmax", axis)]);

    /// <summary>x − log Σ exp(x) along <paramref name="axis"/>, computed stably (never log of an underflowed softmax).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="axis"/> is out of range.</exception>
    /// <exception cref="ArgumentException">The axis has length 0: there is no distribution over nothing.</exception>
    public Tensor LogSoftmax(int axis = -1) => LogSoftmaxOp.I.Apply(this, [DistributionAxis("LogSoftmax", axis)]);

    private int DistributionAxis(string op, int axis)
    {
        int a = AutoGrad.Shape.Axis(op, axis, Dims);
        // Each slice along the axis must sum to 1; over an empty axis it would sum to 0, so the "result" (an empty
        // tensor) would silently break the one property callers rely on. An empty batch (another axis) is fine.
        if (Dims[a] == 0)
            throw new ArgumentException(FormattableString.Invariant(
                $"{op}: axis {axis} is empty in shape {AutoGrad.Shape.Format(Dims)}; a distribution over no classes is undefined."));
        return a;
    }

    private double ReducedCount(int[]? axes, string op)
    {
        var ax = AutoGrad.Shape.Axes(op, axes, Dims);
        long n = 1;
        foreach (int a in ax) n *= Dims[a];
        return n;
    }
}
