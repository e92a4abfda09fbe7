using System.Numerics.Tensors;

namespace AutoGrad;

/// <summary>
/// Curvature of a scalar function f at a point x: the extreme eigenvalues and eigenvectors of its Hessian H = ∇²f(x), its
/// condition number and the largest stable gradient-descent step, computed from Hessian-vector products alone
/// (<see cref="Diff.Hvp(Func{Tensor, Tensor}, Tensor, Tensor, HvpMode)"/>, Pearlmutter 1994), never from a dense Hessian.
/// </summary>
/// <remarks>
/// <para>x may have any shape; it is treated as a flat vector of n = x.Count elements and eigenvectors come back shaped
/// like it. Each product costs about as much as two or three gradients, and the methods keep only vectors of n numbers,
/// so they work where the n×n Hessian (<see cref="Diff.Hessian(Func{Tensor, Tensor}, Tensor)"/>, n products and n²
/// memory) would not. The cost of
/// every call is reported as <see cref="EigenResult.HvpCount"/>.</para>
/// <para>Two solvers: <see cref="PowerIteration"/>, the textbook method, and <see cref="Lanczos"/>, which extracts far
/// more from the same products and is the default of the helpers (<see cref="LargestEigenvalue"/>,
/// <see cref="SmallestEigenvalue"/>, <see cref="ConditionNumber"/>, <see cref="MaxStableStep"/>). Settings and their
/// defaults are in <see cref="EigenOptions"/>; the random start vector is seeded, so results are reproducible.</para>
/// <para>The results are plain numbers: they are not differentiable, even when called inside another transformation.
/// When f is not twice differentiable at x and a product has a non-finite element, the methods stop there and return
/// NaN with <see cref="EigenResult.Converged"/> false.</para>
/// <para>References: G. H. Golub and C. F. Van Loan, Matrix Computations, 4th ed. (2013), §8.2 (power iteration), §8.3
/// (tridiagonal QL/QR), §10.1 (Lanczos); B. N. Parlett, The Symmetric Eigenvalue Problem (SIAM, 1998); B. A. Pearlmutter,
/// Fast exact multiplication by the Hessian, Neural Computation 6 (1994).</para>
/// </remarks>
public static class Curvature
{
    /// <summary>
    /// The eigenvalue of H = ∇²f(x) of largest magnitude and its unit eigenvector, by power iteration with Rayleigh
    /// quotients: from a seeded random unit v, repeat w = Hv, λ = vᵀw, v ← w/‖w‖ until the eigen-residual
    /// ‖Hv − λv‖ ≤ <see cref="EigenOptions.Tolerance"/>·|λ| or <see cref="EigenOptions.MaxIterations"/> products are spent.
    /// </summary>
    /// <remarks>
    /// <para>Cost: one Hessian-vector product per iteration, which yields λ and the residual of the current v and the next
    /// v; nothing else. Memory: a few vectors of x's size.</para>
    /// <para>Convergence is linear: with eigenvalues ordered |λ₁| &gt; |λ₂| ≥ …, v's error shrinks by |λ₂/λ₁| per
    /// iteration and λ's by |λ₂/λ₁|², so a small relative gap needs many iterations (a ratio of 0.99 takes about 2 000 for a
    /// residual of 10⁻¹⁰). When λ₁ = −λ₂ it does not converge, and the result says so; a start vector orthogonal to the top
    /// eigenvector (probability zero) would converge to another eigenpair. The value is negative when the dominant
    /// eigenvalue is. This is the method of LeCun, Simard and Pearlmutter, Automatic learning rate maximization by on-line
    /// estimation of the Hessian's eigenvectors (NIPS 1992), and Golub and Van Loan §8.2.1; prefer <see cref="Lanczos"/>,
    /// which needs far fewer products.</para>
    /// </remarks>
    /// <param name="f">A scalar function (a single-element result) twice differentiable at x.</param>
    /// <param name="x">The point, of any shape and at least one element.</param>
    /// <param name="options">Iterations, tolerance, seed and Hessian-vector product mode; <see cref="EigenOptions.Default"/> when null.</param>
    /// <returns>The eigenvalue, its unit eigenvector shaped like x, and the iterations, products, convergence and residual.</returns>
    /// <exception cref="ArgumentNullException">f or x is null.</exception>
    /// <exception cref="ArgumentException">x is empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    /// <exception cref="InvalidOperationException">f returns more than one element.</exception>
    public static EigenResult PowerIteration(Func<Tensor, Tensor> f, Tensor x, EigenOptions? options = null)
    {
        var (h, o) = Prepare(nameof(PowerIteration), f, x, options);
        return Power(h, o, shift: 0, scale: 0);
    }

    /// <summary>
    /// The algebraically largest and smallest eigenvalues of H = ∇²f(x) and their unit eigenvectors, by the Lanczos method
    /// with full reorthogonalisation: k = min(n, <see cref="EigenOptions.MaxIterations"/>) steps, each one Hessian-vector
    /// product, build an orthonormal basis Q of the Krylov subspace span{q₁, Hq₁, …, Hᵏ⁻¹q₁} from a seeded random q₁ and the
    /// k×k tridiagonal T = QᵀHQ; the extreme eigenvalues of T (Ritz values, found by the implicit QL method) and Q times
    /// their eigenvectors (Ritz vectors) approximate H's.
    /// </summary>
    /// <remarks>
    /// <para>Each step orthogonalises the new vector against the whole basis, twice (Kahan's "twice is enough": Giraud,
    /// Langou and Rozložník, Comput. Math. Appl. 50, 2005), so the basis stays orthonormal to rounding and no spurious copies
    /// of converged eigenvalues appear; this costs O(k·n) flops and k·n memory per step, which the products usually dwarf.</para>
    /// <para>It stops early once both extreme Ritz pairs have residual estimates βⱼ·|sⱼ| (see
    /// <see cref="EigenResult.Residual"/>) ≤ <see cref="EigenOptions.Tolerance"/>·max|θ|, or when βⱼ vanishes (the subspace
    /// is invariant and its Ritz values are eigenvalues), or after n steps (T is then similar to H: every Ritz value is an
    /// eigenvalue). A product and a QL solve of T (O(j²)) per step; the Ritz vectors are formed once, at the end.</para>
    /// <para>Convergence: the Ritz values approach the extremes from inside, monotonically, and far faster than power
    /// iteration: the error in λmax falls roughly like T_{j}(1 + 2γ)⁻², with T_j the Chebyshev polynomial and
    /// γ = (λ₁ − λ₂)/(λ₂ − λₙ) the relative gap (Kaniel 1966, Paige 1971, Saad 1980), that is like e^(−4j√γ) instead of
    /// power iteration's (λ₂/λ₁)^(2j). Eigenvalues of H that q₁ misses are found only through rounding; a random q₁ misses
    /// one with probability zero, but a repeated eigenvalue is found once. C. Lanczos, J. Res. Nat. Bur. Standards 45
    /// (1950); Golub and Van Loan §10.1; Parlett ch. 13.</para>
    /// </remarks>
    /// <param name="f">A scalar function (a single-element result) twice differentiable at x.</param>
    /// <param name="x">The point, of any shape and at least one element.</param>
    /// <param name="options">Iterations, tolerance, seed and Hessian-vector product mode; <see cref="EigenOptions.Default"/> when null.</param>
    /// <returns>Both extreme Ritz pairs, all Ritz values, the steps and products used.</returns>
    /// <exception cref="ArgumentNullException">f or x is null.</exception>
    /// <exception cref="ArgumentException">x is empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    /// <exception cref="InvalidOperationException">f returns more than one element.</exception>
    public static LanczosResult Lanczos(Func<Tensor, Tensor> f, Tensor x, EigenOptions? options = null)
    {
        var (h, o) = Prepare(nameof(Lanczos), f, x, options);
        return RunLanczos(h, o, Want.Both);
    }

    /// <summary>
    /// λmax, the algebraically largest eigenvalue of H = ∇²f(x), and its unit eigenvector: the sharpest upward curvature
    /// (the "sharpness" of a minimum). Lanczos stops as soon as this one extreme converges.
    /// </summary>
    /// <param name="f">A scalar function (a single-element result) twice differentiable at x.</param>
    /// <param name="x">The point, of any shape and at least one element.</param>
    /// <param name="options">Iterations, tolerance, seed and Hessian-vector product mode; <see cref="EigenOptions.Default"/> when null.</param>
    /// <param name="method">The solver; <see cref="EigenMethod.Lanczos"/> by default.</param>
    /// <returns>λmax, its unit eigenvector shaped like x, and the iterations, products, convergence and residual.</returns>
    /// <exception cref="ArgumentNullException">f or x is null.</exception>
    /// <exception cref="ArgumentException">x is empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option or the method is out of range.</exception>
    /// <exception cref="InvalidOperationException">f returns more than one element.</exception>
    public static EigenResult LargestEigenvalue(Func<Tensor, Tensor> f, Tensor x, EigenOptions? options = null, EigenMethod method = EigenMethod.Lanczos)
    {
        var (h, o) = Prepare(nameof(LargestEigenvalue), f, x, options, method);
        return Extremes(h, o, method, Want.Largest).Largest!;
    }

    /// <summary>
    /// λmin, the algebraically smallest eigenvalue of H = ∇²f(x), and its unit eigenvector: negative at a saddle point, where
    /// the vector is a direction of descent. Lanczos stops as soon as this one extreme converges.
    /// </summary>
    /// <param name="f">A scalar function (a single-element result) twice differentiable at x.</param>
    /// <param name="x">The point, of any shape and at least one element.</param>
    /// <param name="options">Iterations, tolerance, seed and Hessian-vector product mode; <see cref="EigenOptions.Default"/> when null.</param>
    /// <param name="method">The solver; <see cref="EigenMethod.Lanczos"/> by default.</param>
    /// <returns>λmin, its unit eigenvector shaped like x, and the iterations, products, convergence and residual.</returns>
    /// <exception cref="ArgumentNullException">f or x is null.</exception>
    /// <exception cref="ArgumentException">x is empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option or the method is out of range.</exception>
    /// <exception cref="InvalidOperationException">f returns more than one element.</exception>
    public static EigenResult SmallestEigenvalue(Func<Tensor, Tensor> f, Tensor x, EigenOptions? options = null, EigenMethod method = EigenMethod.Lanczos)
    {
        var (h, o) = Prepare(nameof(SmallestEigenvalue), f, x, options, method);
        return Extremes(h, o, method, Want.Smallest).Smallest!;
    }

    /// <summary>
    /// The spectral condition number κ = λmax/λmin of H = ∇²f(x) when H is positive definite: how elongated the local
    /// quadratic model's level sets are, and roughly how many gradient-descent steps it takes per digit of accuracy.
    /// </summary>
    /// <remarks>
    /// <para>An eigenvalue estimate θ with residual r is within r of an eigenvalue of H, and rounding adds a few units of
    /// roundoff u·‖H‖ (u = 2⁻⁵³ for float64, 2⁻²⁴ for float32; the Ritz values of exactly singular Hessians come out within
    /// 5u·‖H‖ of 0 in the tests). So λmin is judged against the error band b = max(r, 64u·‖H‖), ‖H‖ = max(|λmax|, |λmin|):</para>
    /// <list type="bullet">
    /// <item>λmin &gt; b: positive definite; returns λmax/λmin ≥ 1.</item>
    /// <item>|λmin| ≤ b: positive semidefinite and singular as far as can be told, including the zero Hessian of a
    /// linear function; returns +∞.</item>
    /// <item>λmin &lt; −b: H has a negative eigenvalue (indefinite, or negative definite at a maximum); returns NaN, since
    /// the local model has no minimum. For a maximum, ask for the condition number of −f.</item>
    /// <item>NaN too when a Hessian-vector product is not finite.</item>
    /// </list>
    /// <para>So with the default tolerance 10⁻⁶, condition numbers beyond about 10⁶ come back as +∞ unless the run resolved
    /// λmin better than that (as it does when Lanczos runs n steps); tighten <see cref="EigenOptions.Tolerance"/> to resolve
    /// them. If the run did not converge, its residual widens the band; a finite result then underestimates κ, since Ritz
    /// values lie inside [λmin, λmax]. For the eigenpairs and their convergence flags, call <see cref="Lanczos"/>
    /// directly.</para>
    /// </remarks>
    /// <param name="f">A scalar function (a single-element result) twice differentiable at x.</param>
    /// <param name="x">The point, of any shape and at least one element.</param>
    /// <param name="options">Iterations, tolerance, seed and Hessian-vector product mode; <see cref="EigenOptions.Default"/> when null.</param>
    /// <param name="method">The solver; <see cref="EigenMethod.Lanczos"/> by default.</param>
    /// <returns>λmax/λmin, +∞ or NaN as listed above.</returns>
    /// <exception cref="ArgumentNullException">f or x is null.</exception>
    /// <exception cref="ArgumentException">x is empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option or the method is out of range.</exception>
    /// <exception cref="InvalidOperationException">f returns more than one element.</exception>
    public static double ConditionNumber(Func<Tensor, Tensor> f, Tensor x, EigenOptions? options = null, EigenMethod method = EigenMethod.Lanczos)
    {
        var (h, o) = Prepare(nameof(ConditionNumber), f, x, options, method);
        var (max, min) = Extremes(h, o, method, Want.Both);
        if (double.IsNaN(max!.Value) || double.IsNaN(min!.Value)) return double.NaN;
        double band = Math.Max(min.Residual, h.RoundingBand(Math.Max(Math.Abs(max.Value), Math.Abs(min.Value))));
        if (min.Value > band) return max.Value / min.Value;
        return min.Value >= -band ? double.PositiveInfinity : double.NaN;
    }

    /// <summary>
    /// 2/λmax: the largest learning rate η for which gradient descent x ← x − η∇f on the local quadratic model
    /// f(x) + gᵀd + ½dᵀHd does not diverge. Each eigencomponent of the error is multiplied by 1 − ηλ per step, so it
    /// shrinks for 0 &lt; η &lt; 2/λ and grows beyond; at η = 2/λmax the top component oscillates without decaying.
    /// </summary>
    /// <remarks>
    /// <para>When λmax ≤ 0 (judged as in <see cref="ConditionNumber"/>: λmax within max(r, 64u·|λmax|) of zero counts as
    /// zero, r its residual), the local model has no upward curvature, so it gives no bound and the result is +∞; in directions of negative
    /// curvature the model is unbounded below and every step moves further, which is descent rather than instability.
    /// +∞ for a linear function. NaN when a Hessian-vector product is not finite.</para>
    /// <para>Only as good as the quadratic model: training near 2/λmax is the "edge of stability" of J. Cohen et al.,
    /// Gradient descent on neural networks typically occurs at the edge of stability (ICLR 2021); LeCun, Simard and
    /// Pearlmutter (NIPS 1992) set the learning rate from λmax in the same way. If the run did not converge, λmax is
    /// underestimated and the step overestimated: check with <see cref="LargestEigenvalue"/>.</para>
    /// </remarks>
    /// <param name="f">A scalar function (a single-element result) twice differentiable at x.</param>
    /// <param name="x">The point, of any shape and at least one element.</param>
    /// <param name="options">Iterations, tolerance, seed and Hessian-vector product mode; <see cref="EigenOptions.Default"/> when null.</param>
    /// <param name="method">The solver; <see cref="EigenMethod.Lanczos"/> by default.</param>
    /// <returns>2/λmax, or +∞ when λmax ≤ 0, or NaN.</returns>
    /// <exception cref="ArgumentNullException">f or x is null.</exception>
    /// <exception cref="ArgumentException">x is empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option or the method is out of range.</exception>
    /// <exception cref="InvalidOperationException">f returns more than one element.</exception>
    public static double MaxStableStep(Func<Tensor, Tensor> f, Tensor x, EigenOptions? options = null, EigenMethod method = EigenMethod.Lanczos)
    {
        var (h, o) = Prepare(nameof(MaxStableStep), f, x, options, method);
        var max = Extremes(h, o, method, Want.Largest).Largest!;
        if (double.IsNaN(max.Value)) return double.NaN;
        double band = Math.Max(max.Residual, h.RoundingBand(Math.Abs(max.Value)));
        return max.Value > band ? 2 / max.Value : double.PositiveInfinity;
    }

    [Flags]
    private enum Want { Largest = 1, Smallest = 2, Both = Largest | Smallest }

    private static (HessianOperator, EigenOptions) Prepare(string method, Func<Tensor, Tensor> f, Tensor x, EigenOptions? options, EigenMethod eigenMethod = EigenMethod.Lanczos)
    {
        ArgumentNullException.ThrowIfNull(f);
        ArgumentNullException.ThrowIfNull(x);
        var o = options ?? EigenOptions.Default;
        o.Validate(method);
        if (!Enum.IsDefined(eigenMethod))
            throw new ArgumentOutOfRangeException(nameof(eigenMethod), FormattableString.Invariant($"{method}: {(int)eigenMethod} is not an EigenMethod."));
        if (x.Count == 0)
            throw new ArgumentException(FormattableString.Invariant($"{method}: x has shape {Shape.Format(x.Dims)} and no elements; a Hessian needs at least one variable."), nameof(x));
        return (new HessianOperator(method, f, x, o.HvpMode), o);
    }

    private static (EigenResult? Largest, EigenResult? Smallest) Extremes(HessianOperator h, EigenOptions o, EigenMethod method, Want want)
    {
        if (method == EigenMethod.Lanczos)
        {
            var l = RunLanczos(h, o, want);
            return (l.Largest, l.Smallest);
        }
        var d = Power(h, o, shift: 0, scale: 0);
        if (double.IsNaN(d.Value)) return (d, d);
        // The dominant eigenvalue λd is λmax when ≥ 0 and λmin when ≤ 0; H − λd·I has the other extreme minus λd as its
        // dominant eigenvalue, with the same eigenvector.
        bool dominantIsLargest = d.Value >= 0;
        EigenResult? other = null;
        if (want.HasFlag(dominantIsLargest ? Want.Smallest : Want.Largest))
        {
            var p = Power(h, o, shift: d.Value, scale: Math.Abs(d.Value));
            other = p with { Iterations = d.Iterations + p.Iterations, Converged = d.Converged && p.Converged };
        }
        return dominantIsLargest ? (d, other) : (other, d);
    }

    /// <summary>Power iteration on H − shift·I; convergence relative to max(|μ|, scale). Returns the value of H, μ + shift.</summary>
    private static EigenResult Power(HessianOperator h, EigenOptions o, double shift, double scale)
    {
        var v = h.RandomUnit(o.Seed);
        var r = new double[v.Length];
        for (int it = 1; ; it++)
        {
            var w = h.Apply(v);
            if (w is null) return h.Failed(it);
            if (shift != 0) TensorPrimitives.MultiplyAdd(v, -shift, w, w);
            double mu = TensorPrimitives.Dot(v, w);
            TensorPrimitives.MultiplyAdd(v, -mu, w, r);
            double residual = TensorPrimitives.Norm(r);
            // Hv = 0 gives μ = 0 and residual 0, which passes here: 0 is then an eigenvalue, and w is never divided by 0.
            bool converged = residual <= o.Tolerance * Math.Max(Math.Abs(mu), scale);
            if (converged || it >= o.MaxIterations) return h.Result(mu + shift, v, it, converged, residual);
            TensorPrimitives.Divide(w, TensorPrimitives.Norm(w), v);
        }
    }

    private static LanczosResult RunLanczos(HessianOperator h, EigenOptions o, Want want)
    {
        int n = h.N, k = Math.Min(n, o.MaxIterations);
        // Not presized to k: runs usually stop long before MaxIterations.
        var basis = new List<double[]>();
        var alpha = new List<double>();
        var beta = new List<double>();
        var q = h.RandomUnit(o.Seed);
        double normT = 0;
        bool invariant = false;
        for (int j = 0; ; j++)
        {
            basis.Add(q);
            var w = h.Apply(q);
            if (w is null)
            {
                var failed = h.Failed(j + 1);
                return new LanczosResult(failed, failed, [], j + 1, h.Products);
            }
            double a = TensorPrimitives.Dot(q, w);
            TensorPrimitives.MultiplyAdd(q, -a, w, w);
            if (j > 0) TensorPrimitives.MultiplyAdd(basis[j - 1], -beta[j - 1], w, w);
            // Full reorthogonalisation, two classical Gram–Schmidt passes: the three-term recurrence alone loses
            // orthogonality as Ritz values converge (Paige 1971) and would produce ghost copies of them.
            for (int pass = 0; pass < 2; pass++)
                foreach (var b in basis)
                    TensorPrimitives.MultiplyAdd(b, -TensorPrimitives.Dot(b, w), w, w);
            double bn = TensorPrimitives.Norm(w);
            alpha.Add(a);
            beta.Add(bn);
            normT = Math.Max(normT, Math.Abs(a) + bn + (j > 0 ? beta[j - 1] : 0));
            // βⱼ at rounding level: the subspace is invariant, and continuing would divide noise by noise.
            invariant = bn <= Math.ScaleB(normT, -52);
            bool last = j + 1 == k || invariant;
            if (!last)
            {
                // The last components of T's eigenvectors give the residual estimates of its extreme Ritz pairs.
                var z = new double[j + 1];
                z[j] = 1;
                var theta = SymmetricEigen.Tridiagonal(alpha.ToArray(), beta.ToArray(), z, 1);
                double tol = o.Tolerance * Math.Max(Math.Abs(theta[0]), Math.Abs(theta[j]));
                last = (!want.HasFlag(Want.Largest) || bn * Math.Abs(z[j]) <= tol)
                    && (!want.HasFlag(Want.Smallest) || bn * Math.Abs(z[0]) <= tol);
            }
            if (last) break;
            q = new double[n];
            TensorPrimitives.Divide(w, bn, q);
        }

        int m = alpha.Count;
        var s = new double[m * m];
        for (int i = 0; i < m; i++) s[i * m + i] = 1;
        var ritz = SymmetricEigen.Tridiagonal(alpha.ToArray(), beta.ToArray(), s, m);
        double betaLast = beta[m - 1];
        double tolerance = o.Tolerance * Math.Max(Math.Abs(ritz[0]), Math.Abs(ritz[m - 1]));
        bool exact = invariant || m == n;
        EigenResult Pair(int i)
        {
            var y = new double[n];
            for (int j = 0; j < m; j++) TensorPrimitives.MultiplyAdd(basis[j], s[j * m + i], y, y);
            TensorPrimitives.Divide(y, TensorPrimitives.Norm(y), y);
            double residual = betaLast * Math.Abs(s[(m - 1) * m + i]);
            return h.Result(ritz[i], y, m, exact || residual <= tolerance, residual);
        }
        return new LanczosResult(Pair(m - 1), Pair(0), ritz, m, h.Products);
    }

    /// <summary>v ↦ H·v for f at x, on flat float64 vectors, counting the products.</summary>
    private sealed class HessianOperator
    {
        private readonly Func<Tensor, Tensor> _f;
        private readonly Tensor _x;
        private readonly HvpMode _mode;

        public HessianOperator(string method, Func<Tensor, Tensor> f, Tensor x, HvpMode mode)
        {
            _f = a =>
            {
                var y = f(a);
                if (y.Count != 1)
                    throw new InvalidOperationException(
                        FormattableString.Invariant($"{method}: f returned shape {Shape.Format(y.Dims)}; a Hessian needs a scalar function (a single-element result)."));
                return y;
            };
            // Detached, so that nothing is recorded on an outer tape when called inside another transformation.
            _x = x.Detach();
            _mode = mode;
        }

        public int N => _x.Count;

        public int Products { get; private set; }

        /// <summary>H·v, or null when an element is not finite.</summary>
        public double[]? Apply(double[] v)
        {
            Products++;
            var hv = Diff.Hvp(_f, _x, ToTensor(v), _mode).ToArray();
            foreach (double e in hv)
                if (!double.IsFinite(e)) return null;
            return hv;
        }

        /// <summary>64u·scale, u the unit roundoff of x's element type: a generous bound on the rounding error of an eigenvalue of that scale.</summary>
        public double RoundingBand(double scale) => Math.ScaleB(scale, _x.DType == DType.Float32 ? 6 - 24 : 6 - 53);

        public double[] RandomUnit(long seed)
        {
            var rng = new Rng(seed);
            var v = new double[N];
            for (int i = 0; i < v.Length; i++) v[i] = rng.NextGaussian();
            TensorPrimitives.Divide(v, TensorPrimitives.Norm(v), v);
            return v;
        }

        public EigenResult Result(double value, double[] v, int iterations, bool converged, double residual)
        {
            // An eigenvector is defined up to sign: fix it so that its largest-magnitude element is positive.
            if (v[TensorPrimitives.IndexOfMaxMagnitude<double>(v)] < 0) TensorPrimitives.Negate(v, v);
            return new EigenResult(value, ToTensor(v), iterations, Products, converged, residual);
        }

        public EigenResult Failed(int iterations) =>
            new(double.NaN, ToTensor(Enumerable.Repeat(double.NaN, N).ToArray()), iterations, Products, false, double.NaN);

        private Tensor ToTensor(double[] v)
        {
            var t = Compute.Empty(_x.Dims, _x.DType);
            for (int i = 0; i < v.Length; i++) t.Set(i, v[i]);
            return t;
        }
    }
}
