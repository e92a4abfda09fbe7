using System.Globalization;

namespace AutoGrad;

/// <summary>
/// Input checks shared by the losses. Each runs before anything is recorded and throws an exception whose
/// message starts with the loss's name and gives the offending shapes or values.
/// </summary>
internal static class LossChecks
{
    public static string Fmt(double v) => v.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>The row-major index of flat position <paramref name="flat"/> in <paramref name="dims"/>, as "[i, j]".</summary>
    public static string Index(int flat, int[] dims)
    {
        var ix = new int[dims.Length];
        for (int k = dims.Length - 1; k >= 0; k--) { ix[k] = flat % dims[k]; flat /= dims[k]; }
        return Shape.Format(ix);
    }

    public static void KnownReduction(string loss, Reduction reduction)
    {
        if (reduction is not (Reduction.Mean or Reduction.Sum or Reduction.None))
            throw new ArgumentOutOfRangeException(nameof(reduction), FormattableString.Invariant($"{loss}: unknown reduction {(int)reduction}; use Reduction.Mean, Sum or None."));
    }

    /// <summary>Both tensors have the same shape and element type, and are not empty.</summary>
    public static void Pair(string loss, string aName, Tensor a, string bName, Tensor b)
    {
        if (!Shape.Equal(a.Dims, b.Dims))
            throw new ArgumentException(
                FormattableString.Invariant($"{loss}: {aName} has shape {Shape.Format(a.Dims)} but {bName} has shape {Shape.Format(b.Dims)}; they must be equal (no broadcasting)."));
        SameType(loss, aName, a, bName, b);
        NotEmpty(loss, aName, a);
    }

    public static void SameType(string loss, string aName, Tensor a, string bName, Tensor b)
    {
        if (a.DType != b.DType)
            throw new ArgumentException(
                FormattableString.Invariant($"{loss}: {aName} is {a.DType.Name()} {Shape.Format(a.Dims)} but {bName} is {b.DType.Name()} {Shape.Format(b.Dims)}; convert one with To(DType)."));
    }

    public static void NotEmpty(string loss, string name, Tensor t)
    {
        if (t.Count == 0)
            throw new ArgumentException(FormattableString.Invariant($"{loss}: {name} is empty (shape {Shape.Format(t.Dims)}); a loss needs at least one sample."));
    }

    /// <summary>Every label is exactly −1 or +1.</summary>
    public static void PlusMinusOne(string loss, Tensor labels)
    {
        var v = labels.ToArray();
        for (int i = 0; i < v.Length; i++)
            if (v[i] is not (1.0 or -1.0))
                throw new ArgumentException(
                    FormattableString.Invariant($"{loss}: labels must be -1 or +1, but labels{Index(i, labels.Dims)} = {Fmt(v[i])} (labels shape {Shape.Format(labels.Dims)})."));
    }

    /// <summary>Every entry lies in [0, 1] (NaN does not).</summary>
    public static void UnitInterval(string loss, string name, Tensor t)
    {
        var v = t.ToArray();
        for (int i = 0; i < v.Length; i++)
            if (!(v[i] >= 0 && v[i] <= 1))
                throw new ArgumentException(
                    FormattableString.Invariant($"{loss}: {name} must lie in [0, 1], but {name}{Index(i, t.Dims)} = {Fmt(v[i])} ({name} shape {Shape.Format(t.Dims)})."));
    }

    /// <summary>Checks the L2 coefficient and its weights for the margin losses.</summary>
    public static void Penalty(string loss, Tensor scores, Tensor? weights, double l2, Reduction reduction)
    {
        if (!double.IsFinite(l2) || l2 < 0)
            throw new ArgumentOutOfRangeException(nameof(l2), FormattableString.Invariant($"{loss}: l2 must be finite and ≥ 0, got {Fmt(l2)}."));
        if (l2 > 0 && weights is null)
            throw new ArgumentException(FormattableString.Invariant($"{loss}: l2 = {Fmt(l2)} was given without weights; pass the weight tensor to penalise (or l2 = 0)."));
        if (weights is not null) SameType(loss, "scores", scores, "weights", weights);
        if (l2 > 0 && reduction == Reduction.None)
            throw new ArgumentException(
                FormattableString.Invariant($"{loss}: Reduction.None returns one loss per sample (scores shape {Shape.Format(scores.Dims)}), and the L2 penalty l2 = {Fmt(l2)} has no per-sample share; use Mean or Sum."));
    }

    /// <summary>Applies a reduction to per-sample losses (already checked to be non-empty).</summary>
    public static Tensor Reduce(Tensor losses, Reduction reduction) => reduction switch
    {
        Reduction.Mean => losses.Mean(),
        Reduction.Sum => losses.Sum(),
        _ => losses,
    };
}
