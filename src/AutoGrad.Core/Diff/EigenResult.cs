namespace AutoGrad;

/// <summary>One eigenpair of a Hessian found by a <see cref="Curvature"/> method, with what it cost and how far to trust it.</summary>
/// <param name="Value">The eigenvalue estimate: the Rayleigh quotient vᵀHv of <paramref name="Vector"/> (for Lanczos, a Ritz
/// value). NaN when a Hessian-vector product had a non-finite element.</param>
/// <param name="Vector">The unit-norm eigenvector estimate, shaped and typed like x, with the sign that makes its element of
/// largest magnitude positive (an eigenvector is defined up to sign). All NaN when <paramref name="Value"/> is.</param>
/// <param name="Iterations">The iterations run: power-iteration steps (both runs, for the shifted helpers), or Lanczos steps,
/// the dimension of the Krylov subspace.</param>
/// <param name="HvpCount">The Hessian-vector products used, the cost: each about two to three gradients.</param>
/// <param name="Converged">True when <paramref name="Residual"/> ≤ <see cref="EigenOptions.Tolerance"/>·‖H‖, or Lanczos
/// found an invariant subspace or exhausted the space; the value is then an eigenvalue to that accuracy (see
/// <see cref="EigenOptions.Tolerance"/>). False when <see cref="EigenOptions.MaxIterations"/> ran out first (the value is
/// then the best estimate so far and lies inside [λmin, λmax], as every Rayleigh quotient does) or a product was not finite.</param>
/// <param name="Residual">The eigen-residual ‖Hv − λv‖ of the unit vector: computed, for power iteration; for Lanczos the
/// estimate βₖ·|sₖ| (βₖ the last off-diagonal of the Lanczos matrix, sₖ the last element of the Ritz value's
/// eigenvector), which equals it in exact arithmetic and costs no product. It bounds the eigenvalue's error.</param>
public sealed record EigenResult(double Value, Tensor Vector, int Iterations, int HvpCount, bool Converged, double Residual);

/// <summary>The outcome of <see cref="Curvature.Lanczos(Func{Tensor, Tensor}, Tensor, EigenOptions?)"/>: both extreme eigenpairs of the Hessian from one Krylov subspace.</summary>
/// <param name="Largest">The largest Ritz pair, an estimate of λmax from below.</param>
/// <param name="Smallest">The smallest Ritz pair, an estimate of λmin from above.</param>
/// <param name="RitzValues">All k eigenvalues of the k×k Lanczos matrix, ascending, all inside [λmin, λmax]. When the Krylov
/// subspace is all of ℝⁿ (k = n) they are H's eigenvalues; otherwise the inner ones are rough. Empty when a product was not finite.</param>
/// <param name="Iterations">The Lanczos steps k, the dimension of the Krylov subspace.</param>
/// <param name="HvpCount">The Hessian-vector products used: one per step, so equal to <paramref name="Iterations"/>.</param>
public sealed record LanczosResult(EigenResult Largest, EigenResult Smallest, IReadOnlyList<double> RitzValues, int Iterations, int HvpCount)
{
    /// <summary>True when both extremes converged.</summary>
    public bool Converged => Largest.Converged && Smallest.Converged;
}
