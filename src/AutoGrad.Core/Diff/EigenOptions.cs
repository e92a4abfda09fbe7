namespace AutoGrad;

/// <summary>Which iterative eigensolver a <see cref="Curvature"/> helper runs.</summary>
public enum EigenMethod
{
    /// <summary>
    /// Lanczos with full reorthogonalisation (<see cref="Curvature.Lanczos(Func{Tensor, Tensor}, Tensor, EigenOptions?)"/>):
    /// both extremes from one run, converging much faster than power iteration. The default.
    /// </summary>
    Lanczos,
    /// <summary>
    /// Power iteration (<see cref="Curvature.PowerIteration(Func{Tensor, Tensor}, Tensor, EigenOptions?)"/>) for the
    /// eigenvalue of largest magnitude λd; when the other extreme is wanted, a second power iteration on H − λd·I,
    /// whose dominant eigenvalue is that extreme minus λd. Slower, and it fails when λmax = −λmin.
    /// </summary>
    PowerIteration,
}

/// <summary>
/// Settings of the <see cref="Curvature"/> eigensolvers. Every default is declared here and nowhere else: at most 100
/// Hessian-vector products, a relative eigen-residual of 10⁻⁶, seed 0 and <see cref="HvpMode.Auto"/>.
/// </summary>
public sealed record EigenOptions
{
    /// <summary>The documented defaults.</summary>
    public static EigenOptions Default { get; } = new();

    /// <summary>
    /// The most iterations, each one Hessian-vector product. Power iteration stops after this many; Lanczos runs at most
    /// k = min(n, MaxIterations) steps (n = x.Count) and keeps its k basis vectors, k·n doubles. The helpers that run
    /// power iteration twice may use twice this many products. Must be ≥ 1. Default 100.
    /// </summary>
    public int MaxIterations { get; init; } = 100;

    /// <summary>
    /// An eigenpair (λ, v), v a unit vector, has converged when its eigen-residual ‖Hv − λv‖ is at most
    /// Tolerance·‖H‖, with ‖H‖ estimated by the largest |eigenvalue| found. Some eigenvalue of H then lies within
    /// Tolerance·‖H‖ of λ, and within (Tolerance·‖H‖)²/gap when the nearest other eigenvalue is gap away (Kato–Temple),
    /// while v's angle to the eigenvector is about Tolerance·‖H‖/gap (Davis–Kahan). Must be positive and finite. Float32
    /// Hessian-vector products are accurate to about 10⁻⁷·‖H‖ at best, so with float32 inputs ask for no less than about
    /// 10⁻⁵. Default 10⁻⁶.
    /// </summary>
    public double Tolerance { get; init; } = 1e-6;

    /// <summary>Seed of the random start vector (standard normal from <see cref="Rng"/>), so every result is reproducible. Default 0.</summary>
    public long Seed { get; init; }

    /// <summary>
    /// How each Hessian-vector product is computed (<see cref="Diff.Hvp(Func{Tensor, Tensor}, Tensor, Tensor, HvpMode)"/>).
    /// Default <see cref="HvpMode.Auto"/>: forward over reverse, the cheaper one.
    /// </summary>
    public HvpMode HvpMode { get; init; } = HvpMode.Auto;

    internal void Validate(string method)
    {
        if (MaxIterations < 1)
            throw new ArgumentOutOfRangeException(nameof(MaxIterations), FormattableString.Invariant($"{method}: MaxIterations must be at least 1, got {MaxIterations}."));
        if (!(Tolerance > 0) || !double.IsFinite(Tolerance))
            throw new ArgumentOutOfRangeException(nameof(Tolerance), FormattableString.Invariant($"{method}: Tolerance must be positive and finite, got {Tolerance}."));
        if (!Enum.IsDefined(HvpMode))
            throw new ArgumentOutOfRangeException(nameof(HvpMode), FormattableString.Invariant($"{method}: {(int)HvpMode} is not an HvpMode."));
    }
}
