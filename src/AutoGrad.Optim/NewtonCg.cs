using TP = System.Numerics.Tensors.TensorPrimitives;

namespace AutoGrad.Optim;

/// <summary>The settings of <see cref="NewtonCg"/>; every default is declared here (the trust-region ones are SciPy's <c>trust-ncg</c>'s).</summary>
public sealed record NewtonCgOptions
{
    /// <summary>The documented defaults.</summary>
    public static NewtonCgOptions Default { get; } = new();

    /// <summary>Δ₀, the trust radius of the first step (and after <see cref="Optimizer.Reset"/>); positive and finite, at most <see cref="MaxRadius"/>. Default 1.</summary>
    public double InitialRadius { get; init; } = 1;

    /// <summary>Δ̂, the largest trust radius; positive and finite. Default 1000.</summary>
    public double MaxRadius { get; init; } = 1000;

    /// <summary>
    /// η, the acceptance threshold: a step is taken when the ratio ρ of actual to predicted reduction exceeds η;
    /// 0 ≤ η &lt; ¼. Default 0.15.
    /// </summary>
    public double AcceptanceRatio { get; init; } = 0.15;

    /// <summary>At most this many conjugate-gradient iterations (Hessian-vector products) per subproblem; null (the default) means n, the number of parameter elements.</summary>
    public int? MaxCgIterations { get; init; }

    /// <summary>At most this many rejected trial steps (each shrinking the radius) within one step before giving up; ≥ 1. Default 40.</summary>
    public int MaxTrials { get; init; } = 40;

    internal NewtonCgOptions Validated()
    {
        const string n = nameof(NewtonCg);
        Hyper.Positive(n, "initial radius", InitialRadius);
        Hyper.Positive(n, "maximum radius", MaxRadius);
        if (InitialRadius > MaxRadius)
            throw new ArgumentOutOfRangeException(nameof(InitialRadius), FormattableString.Invariant($"{n}: the initial radius {InitialRadius} exceeds the maximum radius {MaxRadius}."));
        if (!(AcceptanceRatio >= 0 && AcceptanceRatio < 0.25))
            throw new ArgumentOutOfRangeException(nameof(AcceptanceRatio), FormattableString.Invariant($"{n}: the acceptance ratio η must be in [0, 0.25), got {AcceptanceRatio}."));
        if (MaxCgIterations is < 1)
            throw new ArgumentOutOfRangeException(nameof(MaxCgIterations), FormattableString.Invariant($"{n}: MaxCgIterations must be ≥ 1 (or null for the number of parameters), got {MaxCgIterations}."));
        if (MaxTrials < 1)
            throw new ArgumentOutOfRangeException(nameof(MaxTrials), FormattableString.Invariant($"{n}: MaxTrials must be ≥ 1, got {MaxTrials}."));
        return this;
    }
}

/// <summary>
/// Truncated Newton in a trust region: each <see cref="Step(Func{Tensor})"/> minimises the quadratic model
/// m(p) = f + gᵀp + ½pᵀHp over ‖p‖ ≤ Δ approximately by the Steihaug–Toint conjugate-gradient method, using only
/// Hessian-vector products (never a dense Hessian), and adapts the radius Δ from how well the model predicted f.
/// </summary>
/// <remarks>
/// <para>The subproblem (Nocedal and Wright, Numerical Optimization, 2nd ed., 2006, Algorithm 7.2; T. Steihaug, SIAM J.
/// Numer. Anal. 20, 1983): conjugate gradients on Hp = −g from p = 0, stopped when the residual ‖Hp + g‖ falls below
/// min(½, √‖g‖)·‖g‖ (the forcing sequence that gives superlinear convergence, Theorem 7.2), when an iterate would leave
/// the region (the step is then cut at the boundary), or when a direction d of non-positive curvature dᵀHd ≤ 0 appears
/// (the step then goes along d to the boundary, to whichever of the two crossings has the lower model value). So
/// indefinite Hessians are handled, and the first CG step is the Cauchy point's direction.</para>
/// <para>The radius (Algorithm 4.1): ρ = (f(x) − f(x + p))/(m(0) − m(p)); ρ &lt; ¼ shrinks Δ to ¼‖p‖ (N&amp;W's ¼Δ when
/// p reached the boundary; for an interior step it avoids proposing the same step again), ρ &gt; ¾ with p on the
/// boundary doubles it up to <see cref="NewtonCgOptions.MaxRadius"/>; the step is taken when ρ &gt; η. Both reductions
/// are shifted by δ = 100 units of roundoff of |f| (2⁻⁵² for a float64 loss, 2⁻²³ for float32) before dividing, so that
/// steps whose effect is below the rounding of f are judged by the model rather than by noise (Conn, Gould and Toint,
/// Trust-Region Methods, SIAM 2000, §17.4.2, with a larger δ because cancellation inside f makes its rounding several
/// units of |f|). A rejected step is
/// retried from the same point with the same gradient and graph, so every <see cref="Step(Func{Tensor})"/> that can move
/// does; after <see cref="NewtonCgOptions.MaxTrials"/> rejections the parameters stay where they were.</para>
/// <para>Hessian-vector products are exact, reverse over reverse: the gradient is computed with its backward pass
/// recorded, and H·v = ∇⟨g, v⟩ is one more reverse pass over that graph (Pearlmutter 1994), about the cost of one or two
/// gradients. Cost per step: one evaluation of f with a recorded gradient, one product per CG iteration (at most
/// <see cref="NewtonCgOptions.MaxCgIterations"/>) and one evaluation of f (not recorded) per trial. Memory: the graph and
/// seven vectors of n numbers.</para>
/// <para>The <see cref="Optimizer.LearningRate"/> is Δ₀, the radius the method starts from after construction or
/// <see cref="Optimizer.Reset"/>; <see cref="TrustRadius"/> is the radius of the next step. The closure recomputes the loss
/// from the current parameter values and returns it without calling <see cref="Tensor.Backward(Tensor?, bool, bool)"/>;
/// <see cref="Tensor.Grad"/> is not touched.</para>
/// </remarks>
public sealed class NewtonCg : Optimizer
{
    private readonly FlatParameters _flat;
    private readonly double[] _g, _x, _p, _bp, _r, _d, _bd;

    /// <summary>Newton-CG on <paramref name="parameters"/> with <paramref name="options"/> (<see cref="NewtonCgOptions.Default"/> when null).</summary>
    /// <exception cref="ArgumentException">No parameters, one that does not require gradients, or a repeated one.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public NewtonCg(IEnumerable<Tensor> parameters, NewtonCgOptions? options = null)
        : base(parameters, (options ?? NewtonCgOptions.Default).Validated().InitialRadius)
    {
        Options = options ?? NewtonCgOptions.Default;
        _flat = new FlatParameters(Name, Parameters);
        int n = _flat.Count;
        _g = new double[n]; _x = new double[n]; _p = new double[n]; _bp = new double[n];
        _r = new double[n]; _d = new double[n]; _bd = new double[n];
        TrustRadius = InitialLearningRate;
    }

    /// <inheritdoc/>
    public override string Name => "Newton-CG";

    /// <summary>The settings.</summary>
    public NewtonCgOptions Options { get; }

    /// <summary>True: Newton-CG evaluates the loss itself.</summary>
    public override bool NeedsClosure => true;

    /// <summary>Δ, the trust radius of the next step.</summary>
    public double TrustRadius { get; private set; }

    /// <summary>Hessian-vector products since construction or <see cref="Optimizer.Reset"/>.</summary>
    public int HessianVectorProducts { get; private set; }

    /// <summary>Trial steps rejected (ρ ≤ η) since construction or <see cref="Optimizer.Reset"/>.</summary>
    public int RejectedSteps { get; private set; }

    /// <summary>
    /// One accepted trust-region step from the current parameters (or none after <see cref="NewtonCgOptions.MaxTrials"/>
    /// rejections), evaluating <paramref name="closure"/> (which returns the loss at the current parameters, without
    /// calling Backward) once with a recorded gradient and once per trial.
    /// </summary>
    /// <returns>The loss at the starting point, detached (the optimizer has differentiated it).</returns>
    /// <exception cref="InvalidOperationException">The closure does not return a single-element loss, or a
    /// Hessian-vector product is not finite where f and its gradient are.</exception>
    public override Tensor Step(Func<Tensor> closure)
    {
        try { return StepCore(closure); }
        finally { _flat.MarkChanged(); }
    }

    private Tensor StepCore(Func<Tensor> closure)
    {
        ArgumentNullException.ThrowIfNull(closure);
        StepCount++;
        var (loss, curvature) = _flat.ValueGradAndCurvature(closure, _g);
        double f = loss.Item();
        double gnorm = TP.Norm(_g);
        if (!double.IsFinite(f) || !double.IsFinite(gnorm) || gnorm == 0) return loss;

        double tolerance = Math.Min(0.5, Math.Sqrt(gnorm)) * gnorm;
        double slack = _flat.Noise(f);
        _flat.Read(_x);
        for (int trial = 0; trial < Options.MaxTrials; trial++)
        {
            var (predicted, onBoundary) = Steihaug(curvature, TrustRadius, tolerance);
            double pnorm = TP.Norm(_p);
            _flat.Write(_x, 1, _p);
            double fNew = _flat.Value(closure);
            double rho = !double.IsFinite(fNew) ? double.NegativeInfinity
                // The model predicts nothing at all (p below rounding): judge by whether f went up.
                : predicted + slack <= 0 ? (fNew <= f ? 1 : double.NegativeInfinity)
                : (f - fNew + slack) / (predicted + slack);
            if (rho < 0.25) TrustRadius = 0.25 * pnorm;
            else if (rho > 0.75 && onBoundary) TrustRadius = Math.Min(2 * TrustRadius, Options.MaxRadius);
            if (rho > Options.AcceptanceRatio) return loss;
            RejectedSteps++;
            // Back to x exactly: the recorded graph shares the parameters' storage and is used again.
            _flat.Write(_x);
            if (!(TrustRadius > 0)) break;
        }
        return loss;
    }

    /// <summary>
    /// The Steihaug–Toint CG solution of min gᵀp + ½pᵀHp, ‖p‖ ≤ Δ, into _p (with H·p in _bp); returns the predicted
    /// reduction −m(p) and whether p lies on the boundary.
    /// </summary>
    private (double Predicted, bool OnBoundary) Steihaug(FlatParameters.SecondOrder h, double radius, double tolerance)
    {
        var z = _p;
        var bz = _bp;
        Array.Clear(z);
        Array.Clear(bz);
        _g.CopyTo(_r, 0);
        TP.Negate(_r, _d);
        double rr = TP.Dot(_r, _r), zz = 0;
        int maxIter = Options.MaxCgIterations ?? _g.Length;
        for (int j = 0; j < maxIter; j++)
        {
            h.Hvp(_d, _bd);
            HessianVectorProducts++;
            double dbd = TP.Dot(_d, _bd);
            if (!double.IsFinite(dbd))
                throw new InvalidOperationException("Newton-CG: a Hessian-vector product is not finite where f and its gradient are; f is not twice differentiable there.");
            double dd = TP.Dot(_d, _d), zd = TP.Dot(z, _d);
            if (dbd <= 0)
            {
                // Negative (or zero) curvature: to the boundary along d, at the crossing with the lower model value.
                var (tPlus, tMinus) = BoundaryCrossings(zz, zd, dd, radius);
                double gd = TP.Dot(_g, _d), dbz = TP.Dot(_d, bz);
                double Change(double t) => t * (gd + dbz) + 0.5 * t * t * dbd;
                double tau = Change(tMinus) < Change(tPlus) ? tMinus : tPlus;
                Move(tau);
                return (Predicted(), true);
            }
            double alpha = rr / dbd;
            double zzNext = zz + 2 * alpha * zd + alpha * alpha * dd;
            if (Math.Sqrt(zzNext) >= radius)
            {
                Move(BoundaryCrossings(zz, zd, dd, radius).Plus);
                return (Predicted(), true);
            }
            Move(alpha);
            zz = TP.Dot(z, z);
            TP.MultiplyAdd(_bd, alpha, _r, _r);
            double rrNext = TP.Dot(_r, _r);
            if (Math.Sqrt(rrNext) < tolerance) break;
            double beta = rrNext / rr;
            rr = rrNext;
            // d ← −r + βd
            TP.Multiply(_d, beta, _d);
            TP.Subtract(_d, _r, _d);
        }
        return (Predicted(), false);

        void Move(double t)
        {
            TP.MultiplyAdd(_d, t, z, z);
            TP.MultiplyAdd(_bd, t, bz, bz);
        }

        // −m(p) = −gᵀp − ½pᵀHp
        double Predicted() => -TP.Dot(_g, z) - 0.5 * TP.Dot(z, bz);
    }

    /// <summary>The roots τ₊ ≥ 0 ≥ τ₋ of ‖z + τd‖ = Δ for ‖z‖ ≤ Δ, given zᵀz, zᵀd and dᵀd, in the cancellation-free form.</summary>
    private static (double Plus, double Minus) BoundaryCrossings(double zz, double zd, double dd, double radius)
    {
        double c = Math.Min(zz - radius * radius, 0);
        double root = Math.Sqrt(zd * zd - dd * c);
        double q = zd >= 0 ? -(zd + root) : -(zd - root);
        // τ₁ = q/dd and τ₂ = c/q are the two roots; c ≤ 0 gives them opposite signs.
        double t1 = q / dd, t2 = q != 0 ? c / q : 0;
        return (Math.Max(t1, t2), Math.Min(t1, t2));
    }

    private protected override void WriteState(StateWriter w)
    {
        w.Scalar("trust_radius", TrustRadius);
        w.Scalar("hessian_vector_products", HessianVectorProducts);
        w.Scalar("rejected_steps", RejectedSteps);
    }

    private protected override Action ReadState(StateReader r)
    {
        double radius = r.Scalar("trust_radius");
        if (!(radius > 0) || !double.IsFinite(radius)) throw r.Fail($"the trust radius {Inv(radius)} is not positive and finite.");
        int hvps = r.Int("hessian_vector_products"), rejected = r.Int("rejected_steps");
        return () =>
        {
            TrustRadius = radius;
            HessianVectorProducts = hvps;
            RejectedSteps = rejected;
        };
    }

    /// <summary>Sets the radius back to the learning rate (Δ₀, at most the maximum radius) and clears the counters.</summary>
    protected override void ResetState()
    {
        TrustRadius = Math.Min(LearningRate, Options.MaxRadius);
        HessianVectorProducts = 0;
        RejectedSteps = 0;
    }

    /// <summary>Not used: Newton-CG steps through <see cref="Step(Func{Tensor})"/>.</summary>
    /// <exception cref="InvalidOperationException">Always.</exception>
    protected override void Update<T>(int index, Span<T> p, ReadOnlySpan<T> g) =>
        throw new InvalidOperationException(FormattableString.Invariant($"{Name}: this method evaluates the loss itself during a step; call Step(closure) instead."));
}
