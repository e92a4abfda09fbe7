namespace AutoGrad.Optim.Training;

/// <summary>
/// A supervised data set for empirical risk minimisation: features X, [n, …], and targets y, [n, …], whose first
/// axis indexes the n examples. Both are held outside the graph (detached, sharing the given storage).
/// </summary>
/// <remarks>Targets may be values for regression, ±1 labels, or class indices stored as whole numbers (see
/// <see cref="Metrics.ClassIndices"/>). Features and targets may have different element types.</remarks>
public sealed class DataSet
{
    /// <summary>A data set of the examples (<paramref name="features"/>[i], <paramref name="targets"/>[i]).</summary>
    /// <exception cref="ArgumentException">A tensor is 0-d, the numbers of examples differ, or there are none.</exception>
    public DataSet(Tensor features, Tensor targets)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(targets);
        if (features.Rank == 0 || targets.Rank == 0)
            throw new ArgumentException(
                FormattableString.Invariant($"DataSet: features {Shape.Format(features.Dims)} and targets {Shape.Format(targets.Dims)} must both have a first axis indexing the examples ([n, …])."));
        if (features.Dims[0] != targets.Dims[0])
            throw new ArgumentException(
                FormattableString.Invariant($"DataSet: features have shape {Shape.Format(features.Dims)} but targets {Shape.Format(targets.Dims)}; both need the same number of examples along the first axis."));
        if (features.Dims[0] == 0)
            throw new ArgumentException(FormattableString.Invariant($"DataSet: no examples (features shape {Shape.Format(features.Dims)}); a data set needs at least one."));
        Features = features.Detach();
        Targets = targets.Detach();
    }

    /// <summary>The features X, [n, …].</summary>
    public Tensor Features { get; }

    /// <summary>The targets y, [n, …].</summary>
    public Tensor Targets { get; }

    /// <summary>The number of examples n.</summary>
    public int Count => Features.Dims[0];

    /// <summary>The examples at <paramref name="indices"/>, in that order (repeats allowed), copied.</summary>
    /// <exception cref="ArgumentException">No indices.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An index is outside 0 … n − 1.</exception>
    public DataSet Subset(int[] indices)
    {
        ArgumentNullException.ThrowIfNull(indices);
        if (indices.Length == 0) throw new ArgumentException("DataSet.Subset: no indices; a data set needs at least one example.", nameof(indices));
        for (int i = 0; i < indices.Length; i++)
            if (indices[i] < 0 || indices[i] >= Count)
                throw new ArgumentOutOfRangeException(nameof(indices), FormattableString.Invariant($"DataSet.Subset: indices[{i}] = {indices[i]} is outside 0 … {Count - 1}."));
        return new DataSet(Features.IndexSelect(0, indices), Targets.IndexSelect(0, indices));
    }

    /// <summary>
    /// A random split into a training part and a validation part of round(<paramref name="validationFraction"/>·n)
    /// examples, from a permutation drawn with <paramref name="seed"/>. Both parts keep the original order of their examples.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The fraction is not in (0, 1), or it leaves a part empty.</exception>
    public (DataSet Train, DataSet Validation) Split(double validationFraction, long seed)
    {
        if (!(validationFraction > 0 && validationFraction < 1))
            throw new ArgumentOutOfRangeException(nameof(validationFraction), FormattableString.Invariant($"DataSet.Split: the validation fraction must be in (0, 1), got {validationFraction}."));
        int nValidation = (int)Math.Round(validationFraction * Count, MidpointRounding.AwayFromZero);
        if (nValidation == 0 || nValidation == Count)
            throw new ArgumentOutOfRangeException(nameof(validationFraction),
                FormattableString.Invariant($"DataSet.Split: a fraction of {validationFraction} of {Count} examples leaves {(nValidation == 0 ? "the validation" : "the training")} part empty."));
        var perm = new Rng(seed).Permutation(Count);
        var validation = perm[..nValidation];
        var train = perm[nValidation..];
        Array.Sort(validation);
        Array.Sort(train);
        return (Subset(train), Subset(validation));
    }
}
