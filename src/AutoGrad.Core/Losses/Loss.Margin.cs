namespace AutoGrad;

// Binary linear classification with labels y ∈ {−1, +1} and scores s (for a linear model, s = Xw + b).
public static partial class Loss
{
    /// <summary>
    /// The hinge loss of a binary classifier, mean(max(0, 1 − y·s)) + (l2/2)·‖w‖², with labels y ∈ {−1, +1}: the
    /// soft-margin support vector machine's objective. PyTorch has no module for it; it equals
    /// <c>torch.clamp(1 - y * s, min=0).mean() + l2 / 2 * w.square().sum()</c> and scikit-learn's <c>hinge_loss</c>
    /// plus the penalty.
    /// </summary>
    /// <remarks>
    /// <para>The gradient with respect to sᵢ is −yᵢ/n where yᵢsᵢ &lt; 1 and 0 elsewhere (for the mean), plus l2·w with
    /// respect to the weights. Convention at the kink: a sample exactly on the margin (y·s = 1) has gradient 0,
    /// from relu′(0) = 0. The second derivative of the data term is 0 almost everywhere.</para>
    /// <para>Any finite score is fine; ±∞ gives an infinite loss or 0. NaN propagates. The labels are constants.</para>
    /// </remarks>
    /// <param name="scores">Classifier scores of any shape (usually [N]).</param>
    /// <param name="labels">Labels of the same shape and element type, each exactly −1 or +1.</param>
    /// <param name="weights">The model weights penalised by the L2 term; required when <paramref name="l2"/> &gt; 0.</param>
    /// <param name="l2">The L2 (weight decay) coefficient λ of the penalty (λ/2)·‖w‖²; finite and ≥ 0.</param>
    /// <param name="reduction">Mean or sum of the per-sample losses (the penalty is added once), or None for the
    /// per-sample losses (only without a penalty).</param>
    /// <exception cref="ArgumentException">Shapes or element types differ, the batch is empty, a label is not ±1,
    /// or <paramref name="l2"/> &gt; 0 without weights or with <see cref="Reduction.None"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="l2"/> is negative or not finite.</exception>
    public static Tensor Hinge(Tensor scores, Tensor labels, Tensor? weights = null, double l2 = 0, Reduction reduction = Reduction.Mean)
    {
        const string name = nameof(Hinge);
        CheckMargin(name, scores, labels, weights, l2, reduction);
        var margin = labels.Detach() * scores;
        return WithPenalty(LossChecks.Reduce((1.0 - margin).Relu(), reduction), weights, l2);
    }

    /// <summary>
    /// The logistic loss of a binary classifier, mean(log(1 + e^(−y·s))) + (l2/2)·‖w‖², with labels y ∈ {−1, +1}:
    /// the negative log-likelihood of logistic regression, computed as mean(softplus(−y·s)) so that it never overflows.
    /// PyTorch: <c>nn.SoftMarginLoss</c> plus the penalty (or <c>BCEWithLogitsLoss</c> with targets (y + 1)/2).
    /// </summary>
    /// <remarks>
    /// <para>The gradient with respect to sᵢ is −yᵢ·σ(−yᵢsᵢ)/n (for the mean), plus l2·w with respect to the weights;
    /// the second derivative is σ(s)(1 − σ(s))/n. Loss, gradient and second derivative stay finite and accurate for
    /// any finite score (|s| up to 1.7e308 in float64); a confident wrong score costs |s|, a confident right one e^(−|s|).</para>
    /// <para>±∞ scores give an infinite loss or 0 with finite gradients. NaN propagates. The labels are constants.</para>
    /// </remarks>
    /// <param name="scores">Classifier scores (logits) of any shape (usually [N]).</param>
    /// <param name="labels">Labels of the same shape and element type, each exactly −1 or +1.</param>
    /// <param name="weights">The model weights penalised by the L2 term; required when <paramref name="l2"/> &gt; 0.</param>
    /// <param name="l2">The L2 (weight decay) coefficient λ of the penalty (λ/2)·‖w‖²; finite and ≥ 0.</param>
    /// <param name="reduction">Mean or sum of the per-sample losses (the penalty is added once), or None for the
    /// per-sample losses (only without a penalty).</param>
    /// <exception cref="ArgumentException">Shapes or element types differ, the batch is empty, a label is not ±1,
    /// or <paramref name="l2"/> &gt; 0 without weights or with <see cref="Reduction.None"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="l2"/> is negative or not finite.</exception>
    public static Tensor Logistic(Tensor scores, Tensor labels, Tensor? weights = null, double l2 = 0, Reduction reduction = Reduction.Mean)
    {
        const string name = nameof(Logistic);
        CheckMargin(name, scores, labels, weights, l2, reduction);
        var margin = labels.Detach() * scores;
        return WithPenalty(LossChecks.Reduce((-margin).Softplus(), reduction), weights, l2);
    }

    private static void CheckMargin(string name, Tensor scores, Tensor labels, Tensor? weights, double l2, Reduction reduction)
    {
        LossChecks.KnownReduction(name, reduction);
        LossChecks.Pair(name, "scores", scores, "labels", labels);
        LossChecks.PlusMinusOne(name, labels);
        LossChecks.Penalty(name, scores, weights, l2, reduction);
    }

    private static Tensor WithPenalty(Tensor data, Tensor? weights, double l2) =>
        weights is null || l2 == 0 ? data : data + 0.5 * l2 * weights.Square().Sum();
}
