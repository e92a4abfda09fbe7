namespace AutoGrad;

/// <summary>
/// Loss functions for regression and classification, each a composition of differentiable tensor operations
/// (no derivative rule of its own), so gradients, Hessian-vector products and higher derivatives come from the
/// tape. Numerical stability comes from the stable primitives they are built on: <see cref="Tensor.Softplus"/>,
/// <see cref="Tensor.LogSoftmax(int)"/> and <see cref="Tensor.Relu"/>.
/// </summary>
/// <remarks>
/// <para>Every loss takes a <see cref="AutoGrad.Reduction"/> (default <see cref="Reduction.Mean"/>) and returns a
/// 0-d tensor, or the unreduced per-sample losses for <see cref="Reduction.None"/>.</para>
/// <para>Inputs are checked before anything is recorded: shapes must match exactly (no broadcasting), element
/// types must agree, batches must not be empty (PyTorch would return NaN for the mean of nothing), and labels or
/// targets must lie in their domain. A violation throws an <see cref="ArgumentException"/> (or a subclass) whose
/// message names the loss and the offending shapes or values.</para>
/// <para>Discrete labels (the ±1 labels of <see cref="Hinge"/> and <see cref="Logistic"/>, class indices) are
/// constants: no gradient flows to them. Continuous targets (regression targets, target probabilities) are
/// differentiable like any other input.</para>
/// </remarks>
public static partial class Loss
{
    /// <summary>
    /// The squared error (p − t)², averaged over every element by default: mean((p − t)²). PyTorch:
    /// <c>nn.MSELoss(reduction=...)</c>, <c>F.mse_loss</c>.
    /// </summary>
    /// <remarks>
    /// The gradient with respect to the prediction is 2(p − t)/n for the mean (−that for the target), and the
    /// Hessian is 2/n times the identity. NaN propagates. A residual beyond about 1.3e154 overflows the square to
    /// +∞ in float64 while the gradient stays finite.
    /// </remarks>
    /// <param name="prediction">Predictions of any shape.</param>
    /// <param name="target">Targets of the same shape and element type.</param>
    /// <param name="reduction">Mean or sum over all elements, or None for the elementwise squared errors (the input's shape).</param>
    /// <exception cref="ArgumentException">The shapes or element types differ, or the inputs are empty.</exception>
    public static Tensor MeanSquaredError(Tensor prediction, Tensor target, Reduction reduction = Reduction.Mean)
    {
        const string name = nameof(MeanSquaredError);
        LossChecks.KnownReduction(name, reduction);
        LossChecks.Pair(name, "prediction", prediction, "target", target);
        return LossChecks.Reduce((prediction - target).Square(), reduction);
    }

    /// <summary>
    /// The Huber loss of the residual r = p − t: ½r² where |r| &lt; δ and δ(|r| − ½δ) elsewhere, averaged over every
    /// element by default. Quadratic near zero, linear in the tails, so outliers pull with a force of at most δ.
    /// PyTorch: <c>nn.HuberLoss(reduction=..., delta=...)</c>, <c>F.huber_loss</c>.
    /// </summary>
    /// <remarks>
    /// <para>The loss is continuously differentiable: the gradient with respect to the prediction is r/n inside and
    /// δ·sign(r)/n outside (for the mean). Convention at the seam: |r| = δ takes the linear branch, as PyTorch; value and
    /// gradient agree from both sides there, and the second derivative is taken as 0 (it is 1 inside, 0 outside).
    /// At r = 0 the second derivative is 1.</para>
    /// <para>The quadratic branch is evaluated on a residual set to 0 outside |r| &lt; δ ("double where"), so an
    /// infinite residual gives an infinite loss with the finite gradient ±δ/n, not NaN. NaN propagates.</para>
    /// </remarks>
    /// <param name="prediction">Predictions of any shape.</param>
    /// <param name="target">Targets of the same shape and element type.</param>
    /// <param name="delta">The threshold δ between the quadratic and linear branches; finite and positive (default 1, as PyTorch).</param>
    /// <param name="reduction">Mean or sum over all elements, or None for the elementwise losses (the input's shape).</param>
    /// <exception cref="ArgumentException">The shapes or element types differ, or the inputs are empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="delta"/> is not finite or not positive.</exception>
    public static Tensor Huber(Tensor prediction, Tensor target, double delta = 1.0, Reduction reduction = Reduction.Mean)
    {
        const string name = nameof(Huber);
        LossChecks.KnownReduction(name, reduction);
        if (!double.IsFinite(delta) || delta <= 0)
            throw new ArgumentOutOfRangeException(nameof(delta), FormattableString.Invariant($"{name}: delta must be finite and > 0, got {LossChecks.Fmt(delta)}."));
        LossChecks.Pair(name, "prediction", prediction, "target", target);
        var r = prediction - target;
        var inside = r.Detach().Abs() < delta;
        var quadratic = 0.5 * Tensor.Where(inside, r, 0.0).Square();
        var linear = delta * (r.Abs() - 0.5 * delta);
        return LossChecks.Reduce(Tensor.Where(inside, quadratic, linear), reduction);
    }
}
