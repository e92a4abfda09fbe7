using TP = System.Numerics.Tensors.TensorPrimitives;

namespace AutoGrad.Optim;

/// <summary>The step-length rule of <see cref="Lbfgs"/> (torch's <c>line_search_fn</c>).</summary>
public enum LbfgsLineSearch
{
    /// <summary>
    /// No line search: a fixed step of <see cref="Optimizer.LearningRate"/> along the L-BFGS direction (the first step of
    /// a run is scaled down to min(1, 1/‖g‖₁)·lr). Cheap, one evaluation per iteration, but it can diverge.
    /// </summary>
    None,
    /// <summary>
    /// A line search for the strong Wolfe conditions f(x + td) ≤ f(x) + c₁t·gᵀd and |∇f(x + td)ᵀd| ≤ c₂|gᵀd|, bracketing
    /// and then zooming with safeguarded cubic interpolation (Nocedal and Wright, Algorithms 3.5 and 3.6).
    /// </summary>
    StrongWolfe,
}

/// <summary>The settings of <see cref="Lbfgs"/>; the defaults are torch.optim.LBFGS's and are declared here only.</summary>
public sealed record LbfgsOptions
{
    /// <summary>The documented defaults.</summary>
    public static LbfgsOptions Default { get; } = new();

    /// <summary>The step length tried first (torch's <c>lr</c>); positive and finite. Default 1.</summary>
    public double LearningRate { get; init; } = 1;

    /// <summary>At most this many L-BFGS iterations per <see cref="Lbfgs.Step(Func{Tensor})"/> (torch's <c>max_iter</c>); ≥ 1. Default 20.</summary>
    public int MaxIterations { get; init; } = 20;

    /// <summary>
    /// At most this many evaluations of f per step, checked after each iteration (torch's <c>max_eval</c>); ≥ 1.
    /// Null (the default) means ⌊<see cref="MaxIterations"/>·5/4⌋, that is 25.
    /// </summary>
    public int? MaxEvaluations { get; init; }

    /// <summary>
    /// A step ends when max|∂f/∂xᵢ| (the ∞-norm of the gradient) is at most this (torch's <c>tolerance_grad</c>); positive.
    /// Default 1e-7. Set it below the gradient tolerance of <see cref="Minimizer.Minimize"/> (a 2-norm) when driving it from there.
    /// </summary>
    public double GradientTolerance { get; init; } = 1e-7;

    /// <summary>
    /// A step ends when the directional derivative gᵀd is above −this, when the move max|t·dᵢ| or the change of f in one
    /// iteration is below it, and the strong-Wolfe zoom ends when its bracket is shorter than it (in x) (torch's
    /// <c>tolerance_change</c>); positive. Default 1e-9. Lower it (to 1e-20, say) for gradients far below 1e-5, where gᵀd
    /// itself is below 1e-9.
    /// </summary>
    public double ChangeTolerance { get; init; } = 1e-9;

    /// <summary>The number m of correction pairs (s, y) kept (torch's <c>history_size</c>); ≥ 1. Default 100.</summary>
    public int HistorySize { get; init; } = 100;

    /// <summary>The step-length rule. Default <see cref="LbfgsLineSearch.None"/>, as in torch.</summary>
    public LbfgsLineSearch LineSearch { get; init; } = LbfgsLineSearch.None;

    /// <summary>c₁ of the sufficient-decrease (Armijo) condition of the strong-Wolfe search; 0 &lt; c₁ &lt; c₂. Default 1e-4.</summary>
    public double SufficientDecrease { get; init; } = 1e-4;

    /// <summary>c₂ of the strong curvature condition of the strong-Wolfe search; c₁ &lt; c₂ &lt; 1. Default 0.9.</summary>
    public double CurvatureCondition { get; init; } = 0.9;

    /// <summary>
    /// At most this many line-search iterations after the first trial (torch's <c>max_ls</c>), so at most one more
    /// evaluation than this per search; ≥ 1. Default 25.
    /// </summary>
    public int MaxLineSearchIterations { get; init; } = 25;

    /// <summary>The evaluation budget per step in force: <see cref="MaxEvaluations"/>, or ⌊MaxIterations·5/4⌋ when that is null.</summary>
    public int EvaluationBudget => MaxEvaluations ?? MaxIterations * 5 / 4;

    internal LbfgsOptions Validated()
    {
        const string n = nameof(Lbfgs);
        Hyper.Positive(n, "learning rate", LearningRate);
        if (MaxIterations < 1) throw new ArgumentOutOfRangeException(nameof(MaxIterations), FormattableString.Invariant($"{n}: MaxIterations must be ≥ 1, got {MaxIterations}."));
        if (MaxEvaluations is < 1) throw new ArgumentOutOfRangeException(nameof(MaxEvaluations), FormattableString.Invariant($"{n}: MaxEvaluations must be ≥ 1 (or null for MaxIterations·5/4), got {MaxEvaluations}."));
        Hyper.Positive(n, "gradient tolerance", GradientTolerance);
        Hyper.Positive(n, "change tolerance", ChangeTolerance);
        if (HistorySize < 1) throw new ArgumentOutOfRangeException(nameof(HistorySize), FormattableString.Invariant($"{n}: HistorySize must be ≥ 1 (the number of correction pairs kept), got {HistorySize}."));
        if (!Enum.IsDefined(LineSearch)) throw new ArgumentOutOfRangeException(nameof(LineSearch), FormattableString.Invariant($"{n}: {(int)LineSearch} is not an LbfgsLineSearch."));
        if (!(SufficientDecrease > 0 && SufficientDecrease < CurvatureCondition && CurvatureCondition < 1))
            throw new ArgumentOutOfRangeException(nameof(SufficientDecrease),
                FormattableString.Invariant($"{n}: the Wolfe constants must satisfy 0 < c1 < c2 < 1, got c1 = {SufficientDecrease}, c2 = {CurvatureCondition}."));
        if (MaxLineSearchIterations < 1) throw new ArgumentOutOfRangeException(nameof(MaxLineSearchIterations), FormattableString.Invariant($"{n}: MaxLineSearchIterations must be ≥ 1, got {MaxLineSearchIterations}."));
        return this;
    }
}

/// <summary>
/// Limited-memory BFGS with torch.optim.LBFGS's semantics and defaults: each <see cref="Step(Func{Tensor})"/> runs up to
/// <see cref="LbfgsOptions.MaxIterations"/> quasi-Newton iterations, evaluating the closure as often as it needs, and
/// returns the loss at the starting point. The parameters are treated as one flat vector.
/// </summary>
/// <remarks>
/// <para>Algorithm (Nocedal and Wright, Numerical Optimization, 2nd ed., 2006, Algorithms 7.4 and 7.5; Liu and Nocedal,
/// Math. Programming 45, 1989): the direction is d = −H·g, with H the inverse-Hessian approximation built by the
/// two-loop recursion from the last m pairs sₖ = xₖ₊₁ − xₖ, yₖ = gₖ₊₁ − gₖ on the scaled identity γI,
/// γ = sᵀy/yᵀy of the newest pair. A pair is stored only when yᵀs &gt; 1e-10 (so H stays positive definite); the
/// oldest is dropped when m are kept. The first direction of a run is −g with step min(1, 1/‖g‖₁)·lr; later steps start
/// from lr. The step length is fixed or comes from the strong-Wolfe search (<see cref="LbfgsOptions.LineSearch"/>).</para>
/// <para>A step ends after <see cref="LbfgsOptions.MaxIterations"/> iterations, once ⌊MaxIterations·5/4⌋ evaluations
/// are spent (checked after each iteration), when max|gᵢ| ≤ <see cref="LbfgsOptions.GradientTolerance"/>, or when
/// gᵀd, max|t·dᵢ| or the change of f falls below <see cref="LbfgsOptions.ChangeTolerance"/>. The history, the last
/// direction and step carry over to the next step, as in torch; <see cref="Optimizer.Reset"/> forgets them.</para>
/// <para>Departures from torch's line search and loop, each of which shows only at the rounding level of f or where
/// values stop being finite: the line search's comparisons of f allow 100 units of roundoff of |f| (the sufficient-decrease
/// test f(x + td) ≤ f(x) + c₁t·gᵀd + δ, and a trial counts as higher than another only when it is by δ), so that near a
/// minimum, where f is flat to rounding, the slopes decide rather than noise (Hager and Zhang's approximate Wolfe
/// conditions rest on the same observation, SIAM J. Optim. 16, 2005); the zoom stops on
/// <see cref="LbfgsOptions.ChangeTolerance"/> (torch always uses 1e-9 there); a trial point where f or its slope is not
/// finite is treated as too long a step, and an interpolation that comes out non-finite is replaced by bisection; an
/// iteration that reaches a non-finite f or gradient ends the step (then <see cref="Minimizer.Minimize"/> reports
/// divergence). A line-by-line transcription of torch's code gives the same evaluation counts on Rosenbrock's function
/// (see the tests).</para>
/// <para>Cost per iteration: one evaluation of f and its gradient without a line search, usually one or two with it,
/// plus about 4mn flops for the two loops. Memory: 2(m + 1) + 7 vectors of n numbers, the history allocated as it fills.</para>
/// <para>The closure recomputes the loss from the current parameter values and returns it without calling
/// <see cref="Tensor.Backward(Tensor?, bool, bool)"/>: the optimizer differentiates it (with <see cref="Diff.Grad(Tensor, Tensor[], Tensor?, bool, bool)"/>,
/// so <see cref="Tensor.Grad"/> is not touched). It is evaluated with recording on even inside a no-grad scope.</para>
/// </remarks>
public sealed class Lbfgs : Optimizer
{
    private readonly FlatParameters _flat;
    private readonly double[] _g, _prevG, _d, _x0, _al;
    private readonly double[][] _ls = new double[3][];
    private readonly double[]?[] _s, _y;
    private readonly double[] _rho;
    private int _oldest, _pairs;
    private double _t, _hDiag = 1;

    /// <summary>L-BFGS on <paramref name="parameters"/> with <paramref name="options"/> (<see cref="LbfgsOptions.Default"/> when null).</summary>
    /// <exception cref="ArgumentException">No parameters, one that does not require gradients, or a repeated one.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public Lbfgs(IEnumerable<Tensor> parameters, LbfgsOptions? options = null)
        : base(parameters, (options ?? LbfgsOptions.Default).Validated().LearningRate)
    {
        Options = options ?? LbfgsOptions.Default;
        _flat = new FlatParameters(Name, Parameters);
        int n = _flat.Count;
        _g = new double[n]; _prevG = new double[n]; _d = new double[n]; _x0 = new double[n];
        int m = Options.HistorySize;
        _s = new double[m + 1][]; _y = new double[m + 1][]; _rho = new double[m + 1]; _al = new double[m];
    }

    /// <inheritdoc/>
    public override string Name => "L-BFGS";

    /// <summary>The settings (the learning rate of the next step is <see cref="Optimizer.LearningRate"/>).</summary>
    public LbfgsOptions Options { get; }

    /// <summary>True: L-BFGS evaluates the loss itself.</summary>
    public override bool NeedsClosure => true;

    /// <summary>L-BFGS iterations since construction or <see cref="Optimizer.Reset"/> (torch's <c>state["n_iter"]</c>).</summary>
    public int Iterations { get; private set; }

    /// <summary>Evaluations of the closure since construction or <see cref="Optimizer.Reset"/> (torch's <c>state["func_evals"]</c>).</summary>
    public int FunctionEvaluations { get; private set; }

    /// <summary>The number of correction pairs now stored (at most <see cref="LbfgsOptions.HistorySize"/>).</summary>
    public int HistoryCount => _pairs;

    /// <summary>
    /// Up to <see cref="LbfgsOptions.MaxIterations"/> L-BFGS iterations from the current parameters, evaluating
    /// <paramref name="closure"/> (which returns the loss at the current parameters, without calling Backward) as needed.
    /// </summary>
    /// <returns>The loss at the starting point, detached (the optimizer has differentiated it).</returns>
    /// <exception cref="InvalidOperationException">The closure does not return a single-element loss.</exception>
    public override Tensor Step(Func<Tensor> closure)
    {
        try { return StepCore(closure); }
        finally { _flat.MarkChanged(); }
    }

    private Tensor StepCore(Func<Tensor> closure)
    {
        ArgumentNullException.ThrowIfNull(closure);
        StepCount++;
        var o = Options;
        double lr = LearningRate, tolChange = o.ChangeTolerance;
        var origLoss = Evaluate(closure, _g);
        double loss = origLoss.Item();
        int currentEvals = 1;
        double gmax = MaxAbs(_g);
        if (!double.IsFinite(loss) || !double.IsFinite(gmax) || gmax <= o.GradientTolerance) return origLoss;

        for (int nIter = 1; nIter <= o.MaxIterations; nIter++)
        {
            Iterations++;
            if (Iterations == 1)
            {
                TP.Negate(_g, _d);
                _oldest = 0; _pairs = 0; _hDiag = 1;
            }
            else Direction();
            _g.CopyTo(_prevG, 0);
            double prevLoss = loss;

            double t = Iterations == 1 ? Math.Min(1.0, 1.0 / TP.SumOfMagnitudes(_g)) * lr : lr;
            _t = t;
            double gtd = TP.Dot(_g, _d);
            if (gtd > -tolChange) break;

            int lsEvals = 0;
            bool optimal = false;
            if (o.LineSearch == LbfgsLineSearch.StrongWolfe)
            {
                _flat.Read(_x0);
                (loss, t, lsEvals) = StrongWolfe(closure, t, loss, gtd);
                _flat.Write(_x0, t, _d);
                optimal = MaxAbs(_g) <= o.GradientTolerance;
            }
            else
            {
                _flat.Add(t, _d);
                if (nIter != o.MaxIterations)
                {
                    // As torch: no evaluation after the last iteration; the next step starts with one.
                    loss = Evaluate(closure, _g).Item();
                    optimal = MaxAbs(_g) <= o.GradientTolerance;
                    lsEvals = 1;
                }
            }
            _t = t;
            currentEvals += lsEvals;

            if (nIter == o.MaxIterations) break;
            if (currentEvals >= o.EvaluationBudget) break;
            if (optimal) break;
            if (MaxAbs(_d) * Math.Abs(t) <= tolChange) break;
            if (Math.Abs(loss - prevLoss) < tolChange) break;
            if (!double.IsFinite(loss) || !double.IsFinite(MaxAbs(_g))) break;
        }
        return origLoss;
    }

    /// <summary>Stores the pair from the last iteration (when yᵀs &gt; 1e-10) and sets d = −H·g by the two-loop recursion.</summary>
    private void Direction()
    {
        int m = Options.HistorySize, slots = m + 1, n = _g.Length;
        // The ring has one slot more than the history, so y = g − g_prev and s = t·d can be formed in a free slot and
        // kept only if the curvature condition holds, without disturbing the stored pairs.
        int slot = (_oldest + _pairs) % slots;
        var y = _y[slot] ??= new double[n];
        var s = _s[slot] ??= new double[n];
        TP.Subtract(_g, _prevG, y);
        TP.Multiply(_d, _t, s);
        double ys = TP.Dot(y, s);
        if (ys > 1e-10)
        {
            _rho[slot] = 1.0 / ys;
            if (_pairs == m) _oldest = (_oldest + 1) % slots;
            else _pairs++;
            _hDiag = ys / TP.Dot(y, y);
        }

        var q = _d;
        TP.Negate(_g, q);
        for (int k = _pairs - 1; k >= 0; k--)
        {
            int i = (_oldest + k) % slots;
            _al[k] = TP.Dot(_s[i]!, q) * _rho[i];
            TP.MultiplyAdd(_y[i]!, -_al[k], q, q);
        }
        TP.Multiply(q, _hDiag, q);
        for (int k = 0; k < _pairs; k++)
        {
            int i = (_oldest + k) % slots;
            double be = TP.Dot(_y[i]!, q) * _rho[i];
            TP.MultiplyAdd(_s[i]!, _al[k] - be, q, q);
        }
    }

    private Tensor Evaluate(Func<Tensor> closure, double[] g)
    {
        FunctionEvaluations++;
        return _flat.ValueAndGrad(closure, g);
    }

    /// <summary>f and its slope along d at x0 + t·d, with the gradient into <paramref name="g"/>.</summary>
    private (double F, double Gtd) Trial(Func<Tensor> closure, double t, double[] g)
    {
        _flat.Write(_x0, t, _d);
        double f = Evaluate(closure, g).Item();
        return (f, TP.Dot(g, _d));
    }

    /// <summary>
    /// The strong-Wolfe line search from x0 along d (torch's <c>_strong_wolfe</c>, after Nocedal and Wright Algorithms 3.5
    /// and 3.6): returns f and t at the accepted point and the evaluations spent, with its gradient in _g.
    /// </summary>
    private (double F, double T, int Evals) StrongWolfe(Func<Tensor> closure, double t, double f, double gtd)
    {
        var o = Options;
        double c1 = o.SufficientDecrease, c2 = o.CurvatureCondition, tolChange = o.ChangeTolerance;
        int maxLs = o.MaxLineSearchIterations, n = _g.Length;
        for (int i = 0; i < 3; i++) _ls[i] ??= new double[n];
        double dNorm = MaxAbs(_d);
        // Comparisons of f allow for its rounding: near a minimum the changes of f along d fall below it, and then the
        // slopes (gradients are still accurate there) must decide, not noise in f (as Hager and Zhang's approximate Wolfe
        // conditions do). With no rounding to allow for, these are torch's tests.
        double noise = _flat.Noise(f), armijo = f + noise;

        // Three gradient buffers: the two ends of the bracket and the trial; 'free' is the one neither end holds.
        var gPrev = _ls[0];
        var gNew = _ls[1];
        var free = _ls[2];
        _g.CopyTo(gPrev, 0);
        var (fNew, gtdNew) = Trial(closure, t, gNew);
        int evals = 1;
        double tPrev = 0, fPrev = f, gtdPrev = gtd;
        bool done = false;
        int lsIter = 0;

        var bt = new double[2];
        var bf = new double[2];
        var bgtd = new double[2];
        var bg = new double[2][];
        int length = 0;
        while (lsIter < maxLs)
        {
            if (!Finite(fNew, gtdNew) || fNew > armijo + c1 * t * gtd || (lsIter > 1 && fNew >= fPrev + noise))
            {
                Bracket(tPrev, fPrev, gPrev, gtdPrev, t, fNew, gNew, gtdNew);
                break;
            }
            if (Math.Abs(gtdNew) <= -c2 * gtd)
            {
                bt[0] = t; bf[0] = fNew; bg[0] = gNew; length = 1;
                done = true;
                break;
            }
            if (gtdNew >= 0)
            {
                Bracket(tPrev, fPrev, gPrev, gtdPrev, t, fNew, gNew, gtdNew);
                break;
            }
            // Extrapolate: a cubic step between 1.01t − 0.01t_prev and 10t.
            double minStep = t + 0.01 * (t - tPrev), maxStep = t * 10, tmp = t;
            t = Cubic(tPrev, fPrev, gtdPrev, t, fNew, gtdNew, minStep, maxStep);
            tPrev = tmp; fPrev = fNew; gtdPrev = gtdNew;
            (gPrev, gNew) = (gNew, gPrev);
            (fNew, gtdNew) = Trial(closure, t, gNew);
            evals++;
            lsIter++;
        }
        if (lsIter == maxLs)
        {
            // Out of iterations while extrapolating: choose between x0 and the last trial.
            _g.CopyTo(gPrev, 0);
            bt[0] = 0; bf[0] = f; bg[0] = gPrev; bgtd[0] = gtd;
            bt[1] = t; bf[1] = fNew; bg[1] = gNew; bgtd[1] = gtdNew;
            length = 2;
        }

        int low = bf[0] <= bf[length - 1] ? 0 : 1, high = 1 - low;
        bool insufficientProgress = false;
        while (!done && lsIter < maxLs)
        {
            if (Math.Abs(bt[1] - bt[0]) * dNorm < tolChange) break;
            t = Cubic(bt[0], bf[0], bgtd[0], bt[1], bf[1], bgtd[1], Math.Min(bt[0], bt[1]), Math.Max(bt[0], bt[1]));
            double hi = Math.Max(bt[0], bt[1]), lo = Math.Min(bt[0], bt[1]);
            double eps = 0.1 * (hi - lo);
            if (Math.Min(hi - t, t - lo) < eps)
            {
                // Too close to an end: accept once, then move to 0.1 of the bracket away from the nearer end.
                if (insufficientProgress || t >= hi || t <= lo)
                {
                    t = Math.Abs(t - hi) < Math.Abs(t - lo) ? hi - eps : lo + eps;
                    insufficientProgress = false;
                }
                else insufficientProgress = true;
            }
            else insufficientProgress = false;

            var gTrial = free;
            (fNew, gtdNew) = Trial(closure, t, gTrial);
            evals++;
            lsIter++;
            if (!Finite(fNew, gtdNew) || fNew > armijo + c1 * t * gtd || fNew >= bf[low] + noise)
            {
                free = bg[high];
                bt[high] = t; bf[high] = fNew; bg[high] = gTrial; bgtd[high] = gtdNew;
                (low, high) = bf[0] <= bf[1] ? (0, 1) : (1, 0);
            }
            else
            {
                if (Math.Abs(gtdNew) <= -c2 * gtd) done = true;
                if (!done && gtdNew * (bt[high] - bt[low]) >= 0)
                {
                    // The old low becomes the high end; the old high's gradient buffer is released.
                    free = bg[high];
                    bt[high] = bt[low]; bf[high] = bf[low]; bg[high] = bg[low]; bgtd[high] = bgtd[low];
                }
                else free = bg[low];
                bt[low] = t; bf[low] = fNew; bg[low] = gTrial; bgtd[low] = gtdNew;
            }
        }
        bg[low].CopyTo(_g, 0);
        return (bf[low], bt[low], evals);

        void Bracket(double t0, double f0, double[] g0, double gtd0, double t1, double f1, double[] g1, double gtd1)
        {
            bt[0] = t0; bf[0] = f0; bg[0] = g0; bgtd[0] = gtd0;
            bt[1] = t1; bf[1] = f1; bg[1] = g1; bgtd[1] = gtd1;
            length = 2;
        }
    }

    /// <summary>max|vᵢ|, NaN if any element is NaN.</summary>
    private static double MaxAbs(ReadOnlySpan<double> v) => Math.Abs(TP.MaxMagnitude(v));

    private static bool Finite(double f, double gtd) => double.IsFinite(f) && double.IsFinite(gtd);

    /// <summary>
    /// The minimiser of the cubic through (x1, f1) and (x2, f2) with slopes g1 and g2, clamped to [lo, hi]; the middle of
    /// [lo, hi] when the cubic has no minimiser or the formula is not finite (torch's <c>_cubic_interpolate</c>).
    /// </summary>
    internal static double Cubic(double x1, double f1, double g1, double x2, double f2, double g2, double lo, double hi)
    {
        double d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2);
        double d2Square = d1 * d1 - g1 * g2;
        if (d2Square >= 0)
        {
            double d2 = Math.Sqrt(d2Square);
            double minPos = x1 <= x2
                ? x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
                : x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2));
            if (double.IsFinite(minPos)) return Math.Min(Math.Max(minPos, lo), hi);
        }
        return (lo + hi) / 2;
    }

    /// <summary>Forgets the history, the last direction and the counters.</summary>
    protected override void ResetState()
    {
        Iterations = 0;
        FunctionEvaluations = 0;
        _oldest = 0; _pairs = 0; _hDiag = 1; _t = 0;
        Array.Clear(_d); Array.Clear(_prevG);
    }

    /// <summary>
    /// The counters, the last direction, step and gradient (the next step forms its first correction pair from them) and
    /// the correction pairs oldest first: history_s and history_y of shape (pairs, n), history_rho = 1/yᵀs.
    /// </summary>
    private protected override void WriteState(StateWriter w)
    {
        int n = _flat.Count, slots = Options.HistorySize + 1;
        w.Scalar("iterations", Iterations);
        w.Scalar("function_evaluations", FunctionEvaluations);
        w.Scalar("t", _t);
        w.Scalar("h_diag", _hDiag);
        w.Vector("direction", _d);
        w.Vector("prev_grad", _prevG);
        var s = new double[_pairs * n];
        var y = new double[_pairs * n];
        var rho = new double[_pairs];
        for (int k = 0; k < _pairs; k++)
        {
            int i = (_oldest + k) % slots;
            _s[i].AsSpan().CopyTo(s.AsSpan(k * n, n));
            _y[i].AsSpan().CopyTo(y.AsSpan(k * n, n));
            rho[k] = _rho[i];
        }
        w.Matrix("history_s", s, [_pairs, n]);
        w.Matrix("history_y", y, [_pairs, n]);
        w.Vector("history_rho", rho);
    }

    /// <summary>Installs the pairs from slot 0 on: the two-loop recursion visits them in the same order, so steps are unchanged.</summary>
    private protected override Action ReadState(StateReader r)
    {
        int n = _flat.Count, m = Options.HistorySize;
        int iterations = r.Int("iterations"), evaluations = r.Int("function_evaluations");
        double t = r.Scalar("t"), hDiag = r.Scalar("h_diag");
        var d = r.Vector("direction", n);
        var prevG = r.Vector("prev_grad", n);
        var rho = r.Vector("history_rho", -1);
        int pairs = rho.Length;
        if (pairs > m)
            throw r.Fail($"the state holds {Inv(pairs)} correction pairs but this L-BFGS keeps at most {Inv(m)} (HistorySize).");
        var s = r.Matrix("history_s", pairs, n);
        var y = r.Matrix("history_y", pairs, n);
        return () =>
        {
            Iterations = iterations;
            FunctionEvaluations = evaluations;
            _t = t;
            _hDiag = hDiag;
            d.CopyTo(_d, 0);
            prevG.CopyTo(_prevG, 0);
            for (int k = 0; k < pairs; k++)
            {
                s.AsSpan(k * n, n).CopyTo(_s[k] ??= new double[n]);
                y.AsSpan(k * n, n).CopyTo(_y[k] ??= new double[n]);
                _rho[k] = rho[k];
            }
            _oldest = 0;
            _pairs = pairs;
        };
    }

    /// <summary>Not used: L-BFGS steps through <see cref="Step(Func{Tensor})"/>.</summary>
    /// <exception cref="InvalidOperationException">Always.</exception>
    protected override void Update<T>(int index, Span<T> p, ReadOnlySpan<T> g) =>
        throw new InvalidOperationException(FormattableString.Invariant($"{Name}: this method evaluates the loss itself during a step; call Step(closure) instead."));
}
