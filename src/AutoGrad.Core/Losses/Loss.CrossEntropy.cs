namespace AutoGrad;

// Cross-entropies computed from logits through the stable primitives, never from probabilities.
public static partial class Loss
{
    /// <summary>
    /// The cross-entropy of a softmax classifier with class indices: −log softmax(x)[y] per sample, averaged over
    /// the batch by default. Logits are [N, C] with one label per row, or [C] with a single label. PyTorch:
    /// <c>nn.CrossEntropyLoss(reduction=...)</c> with class-index targets, <c>F.cross_entropy</c>.
    /// </summary>
    /// <remarks>
    /// <para>Computed as −Σ_c mask ⊙ log_softmax(x), with <see cref="Tensor.LogSoftmax(int)"/> (never the log of a
    /// softmax that may have underflowed) and a constant one-hot mask selecting the labelled entries through
    /// <see cref="Tensor.Where(Tensor, Tensor, double)"/>. The gradient with respect to the logits is
    /// (softmax(x) − onehot(y))/N for the mean.</para>
    /// <para>Any finite logits are fine, however large (±1e300 in float64): the loss is then the gap to the largest
    /// logit, and the gradient stays in [−1, 1]/N. A logit of −∞ is allowed on an unlabelled class (masking; it gets
    /// probability 0 and gradient 0) and gives +∞ on the labelled one. NaN propagates to its row.</para>
    /// </remarks>
    /// <param name="logits">Unnormalised scores, [N, C] (a batch) or [C] (one sample).</param>
    /// <param name="labels">Class indices in 0 … C − 1, one per row of <paramref name="logits"/> (one for [C] logits). Constants.</param>
    /// <param name="reduction">Mean or sum over the batch, or None for the per-sample losses ([N], or a 0-d tensor for [C] logits).</param>
    /// <exception cref="ArgumentException">The logits are not 1-d or 2-d, there are no samples or no classes, or the
    /// number of labels differs from the number of rows.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A label is outside 0 … C − 1.</exception>
    public static Tensor SoftmaxCrossEntropy(Tensor logits, int[] labels, Reduction reduction = Reduction.Mean)
    {
        const string name = nameof(SoftmaxCrossEntropy);
        ArgumentNullException.ThrowIfNull(logits);
        ArgumentNullException.ThrowIfNull(labels);
        LossChecks.KnownReduction(name, reduction);
        CheckLogits(name, logits);
        int c = logits.Dims[^1], n = logits.Rank == 2 ? logits.Dims[0] : 1;
        if (labels.Length != n)
            throw new ArgumentException(logits.Rank == 2
                ? FormattableString.Invariant($"{name}: {labels.Length} labels for logits of shape {Shape.Format(logits.Dims)}; there must be one per row ({n}).")
                : FormattableString.Invariant($"{name}: {labels.Length} labels for logits of shape {Shape.Format(logits.Dims)}; a single sample [C] takes exactly one label."));
        for (int i = 0; i < n; i++)
            if (labels[i] < 0 || labels[i] >= c)
                throw new ArgumentOutOfRangeException(nameof(labels),
                    FormattableString.Invariant($"{name}: labels[{i}] = {labels[i]} is out of range for {c} classes (logits shape {Shape.Format(logits.Dims)}); labels must be in 0 … {c - 1}."));
        var mask = Tensor.Zeros(logits.Dims, logits.DType);
        for (int i = 0; i < n; i++) mask.Set(i * c + labels[i], 1.0);
        var picked = Tensor.Where(mask, logits.LogSoftmax(-1), 0.0).Sum(-1);
        return LossChecks.Reduce(-picked, reduction);
    }

    /// <summary>
    /// The cross-entropy of a softmax classifier with target probabilities: −Σ_c t_c·log softmax(x)_c per sample,
    /// averaged over the batch by default. Logits and targets are both [N, C], or both [C]. PyTorch:
    /// <c>nn.CrossEntropyLoss(reduction=...)</c> with probability targets.
    /// </summary>
    /// <remarks>
    /// <para>Computed from <see cref="Tensor.LogSoftmax(int)"/>. The targets are differentiable (gradient −log softmax(x));
    /// the gradient with respect to the logits is (Σ_c t_c)·softmax(x) − t, that is softmax(x) − t when each row of
    /// targets sums to 1 (not required: label smoothing and partial targets are accepted).</para>
    /// <para>Convention: 0·log 0 = 0. A target of exactly 0 on a class whose log-probability is −∞ (a −∞ logit, used
    /// for masking) contributes 0 and sends gradient 0 to the logits, where PyTorch gives NaN; a positive target there
    /// gives +∞. Finite logits of any size are accurate. NaN propagates.</para>
    /// </remarks>
    /// <param name="logits">Unnormalised scores, [N, C] (a batch) or [C] (one sample).</param>
    /// <param name="targets">Target probabilities of the same shape and element type, each in [0, 1].</param>
    /// <param name="reduction">Mean or sum over the batch, or None for the per-sample losses ([N], or a 0-d tensor for [C] logits).</param>
    /// <exception cref="ArgumentException">The logits are not 1-d or 2-d, there are no samples or no classes, the
    /// shapes or element types differ, or a target is outside [0, 1] (or NaN).</exception>
    public static Tensor SoftmaxCrossEntropy(Tensor logits, Tensor targets, Reduction reduction = Reduction.Mean)
    {
        const string name = nameof(SoftmaxCrossEntropy);
        ArgumentNullException.ThrowIfNull(logits);
        ArgumentNullException.ThrowIfNull(targets);
        LossChecks.KnownReduction(name, reduction);
        CheckLogits(name, logits);
        LossChecks.Pair(name, "logits", logits, "targets", targets);
        LossChecks.UnitInterval(name, "targets", targets);
        var logp = logits.LogSoftmax(-1);
        // 0·(−∞) would be NaN in value and gradient; such entries are replaced by 0 before the product (0·log 0 = 0).
        var undefined = targets.Detach().Eq(0.0) * logp.Detach().Eq(double.NegativeInfinity);
        var safe = Tensor.Where(undefined, 0.0, logp);
        return LossChecks.Reduce(-(targets * safe).Sum(-1), reduction);
    }

    /// <summary>
    /// The binary cross-entropy of a sigmoid classifier given its logits: −[t·log σ(x) + (1 − t)·log(1 − σ(x))]
    /// elementwise, averaged over every element by default: softplus(x) − t·x, computed stably as
    /// (1 − t)·softplus(x) + t·softplus(−x). PyTorch:
    /// <c>nn.BCEWithLogitsLoss(reduction=...)</c> (without weight or pos_weight), <c>F.binary_cross_entropy_with_logits</c>.
    /// </summary>
    /// <remarks>
    /// <para>The gradient with respect to the logits is (σ(x) − t)/n and with respect to the targets −x/n (for the mean);
    /// the second derivative in x is σ(x)(1 − σ(x))/n. The naive formula takes the log of a sigmoid that rounds to 0
    /// or 1 beyond |x| ≈ 37; this form stays accurate for every finite logit (±1e300 in float64). Written as a
    /// weighted sum of two non-negative softplus terms it has no cancellation, so even a tiny loss (a confident,
    /// correct prediction: e^(−|x|) for x = 40) keeps its relative accuracy, where softplus(x) − t·x would give 0.
    /// Soft targets in [0, 1] are accepted.</para>
    /// <para>An infinite logit gives +∞ with a finite gradient when it points away from the target, and NaN (0·∞)
    /// when the target is exactly 0 or 1 and the logit points towards it. NaN propagates.</para>
    /// </remarks>
    /// <param name="logits">Logits of any shape.</param>
    /// <param name="targets">Targets of the same shape and element type, each in [0, 1].</param>
    /// <param name="reduction">Mean or sum over all elements, or None for the elementwise losses (the input's shape).</param>
    /// <exception cref="ArgumentException">The shapes or element types differ, the inputs are empty, or a target is
    /// outside [0, 1] (or NaN).</exception>
    public static Tensor BinaryCrossEntropyWithLogits(Tensor logits, Tensor targets, Reduction reduction = Reduction.Mean)
    {
        const string name = nameof(BinaryCrossEntropyWithLogits);
        LossChecks.KnownReduction(name, reduction);
        LossChecks.Pair(name, "logits", logits, "targets", targets);
        LossChecks.UnitInterval(name, "targets", targets);
        return LossChecks.Reduce((1.0 - targets) * logits.Softplus() + targets * (-logits).Softplus(), reduction);
    }

    private static void CheckLogits(string name, Tensor logits)
    {
        if (logits.Rank is not (1 or 2))
            throw new ArgumentException(FormattableString.Invariant($"{name}: logits must be [N, C] or [C], got shape {Shape.Format(logits.Dims)}."));
        if (logits.Dims[^1] == 0)
            throw new ArgumentException(FormattableString.Invariant($"{name}: logits of shape {Shape.Format(logits.Dims)} have no classes (C = 0)."));
        if (logits.Rank == 2 && logits.Dims[0] == 0)
            throw new ArgumentException(FormattableString.Invariant($"{name}: logits of shape {Shape.Format(logits.Dims)} hold an empty batch (N = 0); a loss needs at least one sample."));
    }
}
