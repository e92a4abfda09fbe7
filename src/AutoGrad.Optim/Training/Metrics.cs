namespace AutoGrad.Optim.Training;

/// <summary>
/// Classification metrics: the zero-one loss (misclassification rate) and accuracy, for binary classifiers with
/// ±1 labels and real scores, and for multi-class classifiers with class indices and logits. They are not
/// differentiable (the zero-one loss has zero gradient almost everywhere, which is why one trains on a surrogate
/// such as <see cref="Loss.Logistic"/> or <see cref="Loss.Hinge"/>) and return plain numbers.
/// </summary>
/// <remarks>
/// Conventions: a binary prediction is correct when y·s &gt; 0, so a score of exactly 0 counts as a mistake
/// (the zero-one loss is 1{y·s ≤ 0}); a NaN score or a row of logits containing NaN is a mistake; ties between the
/// largest logits go to the lowest class index (as NumPy's and torch's <c>argmax</c>).
/// </remarks>
public static class Metrics
{
    /// <summary>
    /// The fraction of examples misclassified by scores s with labels y ∈ {−1, +1}: mean(1{y·s ≤ 0}).
    /// </summary>
    /// <param name="scores">Scores of any shape (usually [N]).</param>
    /// <param name="labels">Labels of the same shape and element type, each exactly −1 or +1.</param>
    /// <exception cref="ArgumentException">Shapes or element types differ, the inputs are empty, or a label is not ±1.</exception>
    public static double ZeroOneLoss(Tensor scores, Tensor labels)
    {
        const string name = nameof(ZeroOneLoss);
        ArgumentNullException.ThrowIfNull(scores);
        ArgumentNullException.ThrowIfNull(labels);
        LossChecks.Pair(name, "scores", scores, "labels", labels);
        LossChecks.PlusMinusOne(name, labels);
        var s = scores.ToArray();
        var y = labels.ToArray();
        int wrong = 0;
        for (int i = 0; i < s.Length; i++)
            if (!(y[i] * s[i] > 0)) wrong++;
        return (double)wrong / s.Length;
    }

    /// <summary>The fraction of examples whose largest logit is not at their class index.</summary>
    /// <param name="logits">Scores [N, C].</param>
    /// <param name="labels">One class index in 0 … C − 1 per row.</param>
    /// <exception cref="ArgumentException">The logits are not [N, C] with N, C ≥ 1, or the number of labels differs from N.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A label is outside 0 … C − 1.</exception>
    public static double ZeroOneLoss(Tensor logits, int[] labels)
    {
        const string name = nameof(ZeroOneLoss);
        ArgumentNullException.ThrowIfNull(labels);
        var predicted = Predict(name, logits);
        int c = logits.Dims[1];
        if (labels.Length != predicted.Length)
            throw new ArgumentException(FormattableString.Invariant($"{name}: {labels.Length} labels for logits of shape {Shape.Format(logits.Dims)}; there must be one per row ({predicted.Length})."), nameof(labels));
        int wrong = 0;
        for (int i = 0; i < labels.Length; i++)
        {
            if (labels[i] < 0 || labels[i] >= c)
                throw new ArgumentOutOfRangeException(nameof(labels), FormattableString.Invariant($"{name}: labels[{i}] = {labels[i]} is out of range for {c} classes; labels must be in 0 … {c - 1}."));
            if (predicted[i] != labels[i]) wrong++;
        }
        return (double)wrong / labels.Length;
    }

    /// <summary>The fraction of examples classified correctly by scores with ±1 labels: 1 − <see cref="ZeroOneLoss(Tensor, Tensor)"/>.</summary>
    /// <exception cref="ArgumentException">As <see cref="ZeroOneLoss(Tensor, Tensor)"/>.</exception>
    public static double Accuracy(Tensor scores, Tensor labels) => 1 - ZeroOneLoss(scores, labels);

    /// <summary>The fraction of examples whose largest logit is at their class index: 1 − <see cref="ZeroOneLoss(Tensor, int[])"/>.</summary>
    /// <exception cref="ArgumentException">As <see cref="ZeroOneLoss(Tensor, int[])"/>.</exception>
    public static double Accuracy(Tensor logits, int[] labels) => 1 - ZeroOneLoss(logits, labels);

    /// <summary>
    /// The predicted class of each row of logits [N, C]: the index of its largest entry (the lowest index at ties), or
    /// −1 for a row containing NaN.
    /// </summary>
    /// <exception cref="ArgumentException">The logits are not [N, C] with N, C ≥ 1.</exception>
    public static int[] PredictClasses(Tensor logits) => Predict(nameof(PredictClasses), logits);

    /// <summary>
    /// Class indices stored in a tensor (as a <see cref="DataSet"/> holds them) as an int array for
    /// <see cref="Loss.SoftmaxCrossEntropy(Tensor, int[], Reduction)"/> and the metrics: every element, row-major.
    /// </summary>
    /// <exception cref="ArgumentException">An element is not a non-negative whole number.</exception>
    public static int[] ClassIndices(Tensor labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        var v = labels.ToArray();
        var r = new int[v.Length];
        for (int i = 0; i < v.Length; i++)
        {
            if (!(v[i] >= 0 && v[i] <= int.MaxValue && Math.Floor(v[i]) == v[i]))
                throw new ArgumentException(
                    FormattableString.Invariant($"ClassIndices: element {LossChecks.Index(i, labels.Dims)} is {LossChecks.Fmt(v[i])}; class indices must be whole numbers ≥ 0 (labels shape {Shape.Format(labels.Dims)})."), nameof(labels));
            r[i] = (int)v[i];
        }
        return r;
    }

    private static int[] Predict(string name, Tensor logits)
    {
        ArgumentNullException.ThrowIfNull(logits);
        if (logits.Rank != 2 || logits.Dims[0] == 0 || logits.Dims[1] == 0)
            throw new ArgumentException(FormattableString.Invariant($"{name}: logits must be [N, C] with N, C ≥ 1, got shape {Shape.Format(logits.Dims)}."), nameof(logits));
        int n = logits.Dims[0], c = logits.Dims[1];
        var v = logits.ToArray();
        var r = new int[n];
        for (int i = 0; i < n; i++)
        {
            int best = 0;
            for (int j = 0; j < c; j++)
            {
                double x = v[i * c + j];
                if (double.IsNaN(x)) { best = -1; break; }
                if (x > v[i * c + best]) best = j;
            }
            r[i] = best;
        }
        return r;
    }
}
