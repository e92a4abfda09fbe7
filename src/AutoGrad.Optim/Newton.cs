using TP = System.Numerics.Tensors.TensorPrimitives;

namespace AutoGrad.Optim;

/// <summary>The settings of <see cref="Newton"/>; every default is declared here.</summary>
public sealed record NewtonOptions
{
    /// <summary>The documented defaults.</summary>
    public static NewtonOptions Default { get; } = new();

    /// <summary>
    /// The first step length α₀ the backtracking search tries along the Newton direction; positive and finite. Default 1,
    /// the full Newton step, which is what gives one-step convergence on a quadratic and quadratic convergence near a
    /// minimum; other values give a damped Newton method.
    /// </summary>
    public double LearningRate { get; init; } = 1;

    /// <summary>c₁ of the Armijo condition f(x + αp) ≤ f(x) + c₁α·gᵀp; 0 &lt; c₁ &lt; ½ (so the unit step is accepted near a minimum). Default 1e-4.</summary>
    public double SufficientDecrease { get; init; } = 1e-4;

    /// <summary>The factor by which the backtracking search shrinks α after a rejected trial; 0 &lt; ρ &lt; 1. Default ½.</summary>
    public double Backtracking { get; init; } = 0.5;

    /// <summary>At most this many shrinkings of α per step (so at most one more trial evaluation); ≥ 0. Default 50 (α down to about 1e-15·α₀).</summary>
    public int MaxBacktracks { get; init; } = 50;

    internal NewtonOptions Validated()
    {
        const string n = nameof(Newton);
        Hyper.Positive(n, "learning rate", LearningRate);
        if (!(SufficientDecrease > 0 && SufficientDecrease < 0.5))
            throw new ArgumentOutOfRangeException(nameof(SufficientDecrease), FormattableString.Invariant($"{n}: the sufficient-decrease constant c1 must be in (0, 0.5), got {SufficientDecrease}."));
        if (!(Backtracking > 0 && Backtracking < 1))
            throw new ArgumentOutOfRangeException(nameof(Backtracking), FormattableString.Invariant($"{n}: the backtracking factor must be in (0, 1), got {Backtracking}."));
        if (MaxBacktracks < 0)
            throw new ArgumentOutOfRangeException(nameof(MaxBacktracks), FormattableString.Invariant($"{n}: MaxBacktracks must be ≥ 0, got {MaxBacktracks}."));
        return this;
    }
}

/// <summary>
/// Newton's method with the exact Hessian: each <see cref="Step(Func{Tensor})"/> solves H·p = −g by Cholesky
/// factorisation, making H positive definite by adding τI when it is not, and moves along p with a backtracking Armijo
/// line search from the unit step. For small problems (at most <see cref="MaxParameters"/> numbers in all); use
/// <see cref="NewtonCg"/> beyond.
/// </summary>
/// <remarks>
/// <para>One step: evaluate f and its gradient g with the backward pass recorded; form the dense Hessian H of the
/// flattened parameters one row per reverse pass over g (∇(∂f/∂xₖ), n passes), and make it exactly symmetric by averaging
/// with its transpose; factor H + τI = LLᵀ, with τ = 0 when every diagonal entry is positive and −min hᵢᵢ + β otherwise,
/// doubled (at least β) after every failed factorisation, β = 10⁻³·max|hᵢᵢ| (Nocedal and Wright, Numerical
/// Optimization, 2nd ed., 2006, §3.4, Algorithm 3.3: Cholesky with added multiple of the identity); a pivot at most
/// n·ε·(max|hᵢᵢ| + τ) counts as a failure, so numerically singular matrices are damped too. Then p = −(H + τI)⁻¹g, a
/// descent direction, and α = <see cref="NewtonOptions.LearningRate"/>, α ← ½α until f(x + αp) ≤ f(x) + c₁α·gᵀp + δ
/// (Algorithm 3.1), where δ, 100 units of roundoff of |f(x)|, lets the unit step through near a minimum, where the decrease
/// is below the rounding of f.</para>
/// <para>On a strictly convex quadratic ½xᵀAx − bᵀx, H = A, τ = 0 and p is the exact minimiser's offset, and since
/// f(x + p) = f(x) + ½gᵀp ≤ f(x) + c₁gᵀp for c₁ &lt; ½ the unit step is accepted: the minimum is reached in one step (to
/// rounding, about κ(A)·ε relative). Near a minimum with a positive definite Hessian the convergence is quadratic
/// (Theorem 3.5).</para>
/// <para>When no trial is accepted within <see cref="NewtonOptions.MaxBacktracks"/> shrinkings (f is flat to rounding
/// along p, or not finite there), the parameters are left where they were and <see cref="StepSize"/> is 0; a step at a
/// point whose loss or gradient is not finite, or where the gradient is zero, does not move either.</para>
/// <para>Cost per step: one evaluation of f with a recorded gradient, n reverse passes over the gradient's graph for H,
/// n³/6 multiply-adds per factorisation attempt and one evaluation of f (not recorded) per line-search trial. Memory: the
/// recorded graph and two n×n matrices, allocated on the first step.</para>
/// <para>The closure recomputes the loss from the current parameter values and returns it without calling
/// <see cref="Tensor.Backward(Tensor?, bool, bool)"/>; <see cref="Tensor.Grad"/> is not touched.</para>
/// </remarks>
public sealed class Newton : Optimizer
{
    /// <summary>
    /// The largest number of parameter elements accepted: 4096, for which the Hessian and its factor take 256 MiB and a step
    /// 4096 reverse passes. Larger problems need a method that uses Hessian-vector products only, such as <see cref="NewtonCg"/>.
    /// </summary>
    public const int MaxParameters = 4096;

    private const double Eps = 2.220446049250313e-16; // 2⁻⁵², the spacing of doubles at 1

    private readonly FlatParameters _flat;
    private readonly double[] _g, _p, _x;
    private double[]? _h, _l;

    /// <summary>Newton's method on <paramref name="parameters"/> with <paramref name="options"/> (<see cref="NewtonOptions.Default"/> when null).</summary>
    /// <exception cref="ArgumentException">No parameters, one that does not require gradients, a repeated one, or more
    /// than <see cref="MaxParameters"/> elements in all.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public Newton(IEnumerable<Tensor> parameters, NewtonOptions? options = null)
        : base(parameters, (options ?? NewtonOptions.Default).Validated().LearningRate)
    {
        Options = options ?? NewtonOptions.Default;
        _flat = new FlatParameters(Name, Parameters);
        int n = _flat.Count;
        if (n > MaxParameters)
            throw new ArgumentException(
                FormattableString.Invariant($"Newton: the parameters have {n} elements, more than MaxParameters = {MaxParameters}: the dense Hessian would need {(long)n * n} numbers and {n} reverse passes per step. Use NewtonCg, which needs only Hessian-vector products, or Lbfgs."),
                nameof(parameters));
        _g = new double[n]; _p = new double[n]; _x = new double[n];
    }

    /// <summary>The settings (the first trial step of the next step is <see cref="Optimizer.LearningRate"/>).</summary>
    public NewtonOptions Options { get; }

    /// <summary>True: Newton's method evaluates the loss itself.</summary>
    public override bool NeedsClosure => true;

    /// <summary>τ of the last step: 0 when H was positive definite, else the multiple of I that was added.</summary>
    public double Damping { get; private set; }

    /// <summary>The step length α accepted in the last step; 0 when it did not move.</summary>
    public double StepSize { get; private set; }

    /// <summary>
    /// One Newton step from the current parameters, evaluating <paramref name="closure"/> (which returns the loss at the
    /// current parameters, without calling Backward) once with a recorded gradient and once per line-search trial.
    /// </summary>
    /// <returns>The loss at the starting point, detached (the optimizer has differentiated it).</returns>
    /// <exception cref="InvalidOperationException">The closure does not return a single-element loss, or the Hessian has
    /// a non-finite entry where f and its gradient are finite.</exception>
    public override Tensor Step(Func<Tensor> closure)
    {
        try { return StepCore(closure); }
        finally { _flat.MarkChanged(); }
    }

    private Tensor StepCore(Func<Tensor> closure)
    {
        ArgumentNullException.ThrowIfNull(closure);
        StepCount++;
        Damping = 0;
        StepSize = 0;
        int n = _flat.Count;
        var (loss, curvature) = _flat.ValueGradAndCurvature(closure, _g);
        double f = loss.Item();
        double gmax = Math.Abs(TP.MaxMagnitude(_g));
        if (!double.IsFinite(f) || !double.IsFinite(gmax) || gmax == 0) return loss;

        var h = _h ??= new double[n * n];
        var l = _l ??= new double[n * n];
        for (int k = 0; k < n; k++) curvature.Row(k, h.AsSpan(k * n, n));
        for (int i = 0; i < n; i++)
            for (int j = 0; j < i; j++)
                h[i * n + j] = h[j * n + i] = 0.5 * (h[i * n + j] + h[j * n + i]);
        if (!double.IsFinite(TP.Sum(h)))
            throw new InvalidOperationException("Newton: the Hessian has a non-finite entry where f and its gradient are finite; f is not twice differentiable there.");

        Damping = Factor(h, l, n);
        Solve(l, n, _g, _p);
        double gtp = TP.Dot(_g, _p);

        _flat.Read(_x);
        double alpha = LearningRate, c1 = Options.SufficientDecrease, armijo = f + _flat.Noise(f);
        for (int b = 0; b <= Options.MaxBacktracks; b++, alpha *= Options.Backtracking)
        {
            _flat.Write(_x, alpha, _p);
            if (_flat.Value(closure) <= armijo + c1 * alpha * gtp)
            {
                StepSize = alpha;
                return loss;
            }
        }
        _flat.Write(_x);
        return loss;
    }

    /// <summary>
    /// Factors H + τI = LLᵀ into the lower triangle of <paramref name="l"/> with the smallest τ of the sequence of Nocedal
    /// and Wright's Algorithm 3.3 that succeeds, and returns τ.
    /// </summary>
    private static double Factor(double[] h, double[] l, int n)
    {
        double scale = 0, minDiag = double.PositiveInfinity;
        for (int i = 0; i < n; i++)
        {
            scale = Math.Max(scale, Math.Abs(h[i * n + i]));
            minDiag = Math.Min(minDiag, h[i * n + i]);
        }
        double beta = 1e-3 * (scale > 0 ? scale : 1);
        double tau = minDiag > 0 ? 0 : beta - minDiag;
        while (!TryCholesky(h, l, n, tau, n * Eps * (scale + tau)))
            tau = Math.Max(2 * tau, beta);
        return tau;
    }

    /// <summary>Cholesky–Crout, column by column: false when a pivot of H + τI is at most <paramref name="minPivot"/>.</summary>
    private static bool TryCholesky(double[] h, double[] l, int n, double tau, double minPivot)
    {
        for (int j = 0; j < n; j++)
        {
            var lj = l.AsSpan(j * n, j);
            double d = h[j * n + j] + tau - TP.Dot(lj, lj);
            if (!(d > minPivot)) return false;
            double ljj = Math.Sqrt(d);
            l[j * n + j] = ljj;
            for (int i = j + 1; i < n; i++)
                l[i * n + j] = (h[i * n + j] - TP.Dot(l.AsSpan(i * n, j), lj)) / ljj;
        }
        return true;
    }

    /// <summary>p = −(LLᵀ)⁻¹g: forward substitution with L, then back substitution with Lᵀ by rows of L.</summary>
    private static void Solve(double[] l, int n, double[] g, double[] p)
    {
        for (int i = 0; i < n; i++)
            p[i] = (-g[i] - TP.Dot(l.AsSpan(i * n, i), p.AsSpan(0, i))) / l[i * n + i];
        for (int i = n - 1; i >= 0; i--)
        {
            p[i] /= l[i * n + i];
            TP.MultiplyAdd(l.AsSpan(i * n, i), -p[i], p.AsSpan(0, i), p.AsSpan(0, i));
        }
    }

    /// <summary>Clears the statistics of the last step (Newton's method keeps no state between steps).</summary>
    protected override void ResetState()
    {
        Damping = 0;
        StepSize = 0;
    }

    /// <summary>Not used: Newton's method steps through <see cref="Step(Func{Tensor})"/>.</summary>
    /// <exception cref="InvalidOperationException">Always.</exception>
    protected override void Update<T>(int index, Span<T> p, ReadOnlySpan<T> g) =>
        throw new InvalidOperationException(FormattableString.Invariant($"{Name}: this method evaluates the loss itself during a step; call Step(closure) instead."));
}
