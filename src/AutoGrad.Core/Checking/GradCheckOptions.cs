namespace AutoGrad;

/// <summary>
/// Settings of <see cref="GradCheck"/>. The defaults suit float64: central differences with a step of
/// 10⁻⁶ (scaled by max(1, |x|)) have truncation error about 10⁻¹² and rounding error about 10⁻¹⁰ for
/// values of order one, so the check can be ten times stricter than PyTorch's gradcheck
/// (step 10⁻⁶, atol 10⁻⁵, rtol 10⁻³): here atol 10⁻⁵ and rtol 10⁻⁴.
/// </summary>
public sealed record GradCheckOptions
{
    /// <summary>The documented defaults.</summary>
    public static GradCheckOptions Default { get; } = new();

    /// <summary>The finite-difference step, relative: the step for a value x is Step·max(1, |x|). Default 10⁻⁶.</summary>
    public double Step { get; init; } = 1e-6;

    /// <summary>Absolute tolerance: a derivative passes when |analytical − numerical| ≤ AbsTolerance + RelTolerance·|numerical|. Default 10⁻⁵.</summary>
    public double AbsTolerance { get; init; } = 1e-5;

    /// <summary>Relative tolerance (see <see cref="AbsTolerance"/>). Default 10⁻⁴.</summary>
    public double RelTolerance { get; init; } = 1e-4;

    /// <summary>
    /// Inputs with at most this many elements in all are checked element by element; larger ones in
    /// <see cref="Directions"/> seeded random directions. Default 256.
    /// </summary>
    public int MaxElementwise { get; init; } = 256;

    /// <summary>The number of random directions for large inputs. Default 8.</summary>
    public int Directions { get; init; } = 8;

    /// <summary>Seed of the random directions and output weights, so a check is reproducible. Default 0.</summary>
    public long Seed { get; init; }

    /// <summary>
    /// Convert float32 inputs to float64 before checking. Off by default: float32 inputs are refused, since
    /// differences in float32 (about 7 digits) cannot check a gradient.
    /// </summary>
    public bool ConvertFloat32 { get; init; }

    /// <summary>How <see cref="GradCheck.CheckHvp(Func{Tensor[], Tensor}, Tensor[], GradCheckOptions?)"/> computes the exact product. Default <see cref="HvpMode.Auto"/>.</summary>
    public HvpMode HvpMode { get; init; } = HvpMode.Auto;

    /// <summary>On failure, check each recorded operation on its own and name the first whose backward disagrees. Default true.</summary>
    public bool LocateFailure { get; init; } = true;

    internal void Validate()
    {
        if (!(Step > 0) || !double.IsFinite(Step))
            throw new ArgumentOutOfRangeException(nameof(Step), FormattableString.Invariant($"GradCheck: the step must be positive and finite, got {Step}."));
        if (!(AbsTolerance >= 0) || !(RelTolerance >= 0) || double.IsPositiveInfinity(AbsTolerance) || double.IsPositiveInfinity(RelTolerance))
            throw new ArgumentOutOfRangeException(nameof(AbsTolerance), FormattableString.Invariant($"GradCheck: tolerances must be finite and ≥ 0, got atol {AbsTolerance}, rtol {RelTolerance}."));
        if (Directions < 1)
            throw new ArgumentOutOfRangeException(nameof(Directions), FormattableString.Invariant($"GradCheck: at least one direction is needed, got {Directions}."));
        if (MaxElementwise < 0)
            throw new ArgumentOutOfRangeException(nameof(MaxElementwise), FormattableString.Invariant($"GradCheck: MaxElementwise must be ≥ 0, got {MaxElementwise}."));
    }
}
