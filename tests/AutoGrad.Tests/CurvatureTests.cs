using AutoGrad;
using AutoGrad.Tests.Properties;
using FsCheck;
using FsCheck.Fluent;

namespace AutoGrad.Tests;

/// <summary>Curvature from Hessian-vector products, against matrices with prescribed spectra and hand-derived Hessians.</summary>
public class CurvatureTests
{
    // ---- Test problems ----

    private static (double[,] A, double[,] Q) WithSpectrum(double[] lambda, int seed) => TestMatrices.WithSpectrum(lambda, seed);

    /// <summary>f(w) = ½wᵀAw + bᵀw, whose Hessian is A everywhere.</summary>
    private static Func<Tensor, Tensor> Quadratic(double[,] a, int seed)
    {
        var at = Tensor.FromArray(a);
        var b = Tensor.Randn([a.GetLength(0)], seed);
        return w => 0.5 * w.Dot(at.MatMul(w)) + b.Dot(w);
    }

    private static Tensor Point(int n, int seed = 99) => Tensor.Randn([n], seed);

    private static double[] Column(double[,] q, int j) => Enumerable.Range(0, q.GetLength(0)).Select(i => q[i, j]).ToArray();

    /// <summary>‖Av − λv‖ in float64.</summary>
    private static double Residual(double[,] a, Tensor v, double lambda)
    {
        var x = v.ToArray();
        double s = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double r = -lambda * x[i];
            for (int j = 0; j < x.Length; j++) r += a[i, j] * x[j];
            s += r * r;
        }
        return Math.Sqrt(s);
    }

    /// <summary>min(‖v − u‖, ‖v + u‖): the distance between two unit vectors up to sign.</summary>
    private static double DistanceUpToSign(Tensor v, double[] u)
    {
        var x = v.ToArray();
        double minus = 0, plus = 0;
        for (int i = 0; i < x.Length; i++)
        {
            minus += (x[i] - u[i]) * (x[i] - u[i]);
            plus += (x[i] + u[i]) * (x[i] + u[i]);
        }
        return Math.Sqrt(Math.Min(minus, plus));
    }

    /// <summary>|actual − expected| ≤ relTol·max(1, |expected|).</summary>
    private static void Near(double expected, double actual, double relTol, string what) =>
        Assert.True(Math.Abs(actual - expected) <= relTol * Math.Max(1, Math.Abs(expected)),
            $"{what}: expected {expected:R}, got {actual:R} (error {Math.Abs(actual - expected):E2})");

    private static void Within(double expected, double actual, double absTol, string what) =>
        Assert.True(Math.Abs(actual - expected) <= absTol,
            $"{what}: expected {expected:R}, got {actual:R} (error {Math.Abs(actual - expected):E2}, allowed {absTol:E2})");

    private static void UnitAndShapedLike(Tensor x, EigenResult r)
    {
        Assert.Equal(x.Shape, r.Vector.Shape);
        Assert.Equal(x.DType, r.Vector.DType);
        Near(1, Math.Sqrt(r.Vector.ToArray().Sum(e => e * e)), 1e-12, "‖v‖");
    }

    private static readonly double[] Spd = [50, 20, 10, 7, 5, 3, 2, 1, 0.5, 0.1];
    private static readonly double[] Indefinite = [-12, 8, 3, 1, -1, 0.5, -4, 2];
    private static readonly double[] SmallGap = [10, 9.9, 5, 4, 3, 2, 1, 0.5];

    // ---- Options ----

    [Fact]
    public void The_documented_defaults()
    {
        var o = EigenOptions.Default;
        Assert.Equal(100, o.MaxIterations);
        Assert.Equal(1e-6, o.Tolerance);
        Assert.Equal(0L, o.Seed);
        Assert.Equal(HvpMode.Auto, o.HvpMode);
        Assert.Equal(o, new EigenOptions());
    }

    // ---- Power iteration ----

    [Fact]
    public void Power_iteration_finds_the_dominant_eigenpair()
    {
        var (a, q) = WithSpectrum(Spd, 1);
        var x = Point(Spd.Length);
        var r = Curvature.PowerIteration(Quadratic(a, 2), x, new EigenOptions { Tolerance = 1e-10, MaxIterations = 500 });
        Assert.True(r.Converged);
        Near(50, r.Value, 1e-8, "λ");
        Assert.True(DistanceUpToSign(r.Vector, Column(q, 0)) < 1e-8);
        Assert.True(Residual(a, r.Vector, r.Value) <= 1e-10 * 50 * 1.01);
        Assert.Equal(r.Iterations, r.HvpCount);
        Assert.True(r.Residual <= 1e-10 * 50);
        UnitAndShapedLike(x, r);
    }

    [Fact]
    public void Power_iteration_returns_a_negative_dominant_eigenvalue()
    {
        var (a, q) = WithSpectrum(Indefinite, 3);
        var r = Curvature.PowerIteration(Quadratic(a, 4), Point(Indefinite.Length), new EigenOptions { Tolerance = 1e-10, MaxIterations = 500 });
        Assert.True(r.Converged);
        Near(-12, r.Value, 1e-8, "λ");
        Assert.True(DistanceUpToSign(r.Vector, Column(q, 0)) < 1e-8);
    }

    [Fact]
    public void Power_iteration_with_a_small_gap_is_slow_but_gets_there_and_Lanczos_is_not_slow()
    {
        var (a, q) = WithSpectrum(SmallGap, 5);
        var f = Quadratic(a, 6);
        var x = Point(SmallGap.Length);
        var options = new EigenOptions { Tolerance = 1e-10, MaxIterations = 5000 };
        var p = Curvature.PowerIteration(f, x, options);
        Assert.True(p.Converged);
        Near(10, p.Value, 1e-8, "λ");
        // The vector's error is about residual/gap = 1e-9/0.1.
        Assert.True(DistanceUpToSign(p.Vector, Column(q, 0)) < 1e-7);
        Assert.True(p.HvpCount > 1000, $"power iteration used {p.HvpCount} products");

        var l = Curvature.Lanczos(f, x, options);
        Near(10, l.Largest.Value, 1e-10, "Lanczos λmax");
        Assert.True(l.HvpCount <= SmallGap.Length);
    }

    [Fact]
    public void Power_iteration_reports_failure_when_the_dominant_eigenvalue_is_not_unique_in_magnitude()
    {
        var (a, _) = WithSpectrum([5, -5, 1, 2], 7);
        var r = Curvature.PowerIteration(Quadratic(a, 8), Point(4), new EigenOptions { MaxIterations = 50 });
        Assert.False(r.Converged);
        Assert.Equal(50, r.HvpCount);
        Assert.InRange(r.Value, -5 - 1e-9, 5 + 1e-9);
    }

    // ---- Lanczos ----

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public void Lanczos_finds_both_extremes_with_at_most_n_products(int which)
    {
        double[] lambda = which switch { 0 => Spd, 1 => Indefinite, _ => SmallGap };
        var (a, q) = WithSpectrum(lambda, 10 + which);
        var x = Point(lambda.Length);
        var r = Curvature.Lanczos(Quadratic(a, 20 + which), x, new EigenOptions { Tolerance = 1e-10 });
        double max = lambda.Max(), min = lambda.Min(), scale = lambda.Max(Math.Abs);
        Assert.True(r.Converged);
        Within(max, r.Largest.Value, 1e-10 * scale, "λmax");
        Within(min, r.Smallest.Value, 1e-10 * scale, "λmin");
        Assert.True(r.HvpCount <= lambda.Length, $"{r.HvpCount} products for n = {lambda.Length}");
        Assert.Equal(r.Iterations, r.HvpCount);
        Assert.Equal(r.HvpCount, r.Largest.HvpCount);
        foreach (var e in new[] { r.Largest, r.Smallest })
        {
            UnitAndShapedLike(x, e);
            Assert.True(Residual(a, e.Vector, e.Value) <= 1e-8 * scale, $"‖Av − λv‖ = {Residual(a, e.Vector, e.Value):E2}");
        }
        Assert.True(DistanceUpToSign(r.Largest.Vector, Column(q, Array.IndexOf(lambda, max))) < 1e-6);
        Assert.True(DistanceUpToSign(r.Smallest.Vector, Column(q, Array.IndexOf(lambda, min))) < 1e-6);
    }

    [Fact]
    public void Lanczos_stops_early_on_a_large_problem_with_outlying_extremes()
    {
        // 200 variables; a bulk in [1, 2] and outliers at 100 and 0.01, as in many loss landscapes.
        int n = 200;
        var lambda = new double[n];
        var rng = new Rng(30);
        for (int i = 0; i < n; i++) lambda[i] = 1 + rng.NextDouble();
        lambda[0] = 100;
        lambda[1] = 0.01;
        var (a, _) = WithSpectrum(lambda, 31);
        var r = Curvature.Lanczos(Quadratic(a, 32), Point(n), new EigenOptions { Tolerance = 1e-8, MaxIterations = 200 });
        Assert.True(r.Converged);
        Within(100, r.Largest.Value, 1e-10 * 100, "λmax");
        Within(0.01, r.Smallest.Value, 1e-10 * 100, "λmin");
        Assert.True(r.HvpCount < 60, $"{r.HvpCount} products");
        Assert.True(Residual(a, r.Largest.Vector, r.Largest.Value) <= 1e-7 * 100);
        Assert.True(Residual(a, r.Smallest.Vector, r.Smallest.Value) <= 1e-7 * 100);

        // Run on long after convergence: with full reorthogonalisation the outlier 100 appears once, with no ghost copies.
        var longRun = Curvature.Lanczos(Quadratic(a, 32), Point(n), new EigenOptions { Tolerance = 1e-300, MaxIterations = 120 });
        Assert.Equal(120, longRun.HvpCount);
        Assert.Single(longRun.RitzValues, t => t > 50);
        Assert.Single(longRun.RitzValues, t => t < 0.5);
    }

    [Fact]
    public void Lanczos_with_k_equal_to_n_uses_exactly_n_products_and_finds_the_whole_spectrum()
    {
        var (a, _) = WithSpectrum(Indefinite, 40);
        // A tolerance no residual estimate meets, so only exhausting the space stops the run.
        var r = Curvature.Lanczos(Quadratic(a, 41), Point(Indefinite.Length), new EigenOptions { Tolerance = 1e-300, MaxIterations = 1000 });
        Assert.Equal(Indefinite.Length, r.HvpCount);
        Assert.Equal(Indefinite.Length, r.Iterations);
        Assert.True(r.Converged);
        var expected = Indefinite.Order().ToArray();
        Assert.Equal(expected.Length, r.RitzValues.Count);
        for (int i = 0; i < expected.Length; i++) Within(expected[i], r.RitzValues[i], 1e-12 * 12, $"Ritz value {i}");
    }

    [Fact]
    public void Lanczos_stopped_by_MaxIterations_gives_inner_estimates_and_says_it_did_not_converge()
    {
        var (a, _) = WithSpectrum(SmallGap, 42);
        var r = Curvature.Lanczos(Quadratic(a, 43), Point(SmallGap.Length), new EigenOptions { MaxIterations = 3 });
        Assert.Equal(3, r.HvpCount);
        Assert.False(r.Converged);
        Assert.Equal(3, r.RitzValues.Count);
        // Ritz values interlace: every one lies inside [λmin, λmax], the extremes approached from inside.
        Assert.All(r.RitzValues, t => Assert.InRange(t, 0.5 - 1e-12, 10 + 1e-12));
        Assert.True(r.Largest.Residual > 0);
    }

    [Fact]
    public void LargestEigenvalue_alone_costs_no_more_than_both_extremes()
    {
        var (a, _) = WithSpectrum(Spd, 44);
        var f = Quadratic(a, 45);
        var x = Point(Spd.Length);
        var both = Curvature.Lanczos(f, x);
        var max = Curvature.LargestEigenvalue(f, x);
        var min = Curvature.SmallestEigenvalue(f, x);
        Assert.True(max.HvpCount <= both.HvpCount && min.HvpCount <= both.HvpCount);
        Near(50, max.Value, 1e-10, "λmax");
        Near(0.1, min.Value, 1e-10, "λmin");
        Assert.True(max.Converged && min.Converged);
    }

    // ---- Helpers: condition number and step size ----

    [Theory]
    [InlineData(EigenMethod.Lanczos)]
    [InlineData(EigenMethod.PowerIteration)]
    public void Condition_number_and_max_step_of_a_positive_definite_quadratic(EigenMethod method)
    {
        var (a, _) = WithSpectrum(Spd, 50);
        var f = Quadratic(a, 51);
        var x = Point(Spd.Length);
        var o = new EigenOptions { Tolerance = 1e-10, MaxIterations = 2000 };
        Near(500, Curvature.ConditionNumber(f, x, o, method), 1e-8, "κ");
        Near(2.0 / 50, Curvature.MaxStableStep(f, x, o, method), 1e-10, "2/λmax");
        Near(50, Curvature.LargestEigenvalue(f, x, o, method).Value, 1e-9, "λmax");
        Near(0.1, Curvature.SmallestEigenvalue(f, x, o, method).Value, 1e-9, "λmin");
    }

    [Fact]
    public void Power_iteration_helpers_shift_by_the_dominant_eigenvalue_for_the_other_extreme()
    {
        var (a, q) = WithSpectrum(Indefinite, 52);
        var f = Quadratic(a, 53);
        var x = Point(Indefinite.Length);
        var o = new EigenOptions { Tolerance = 1e-10, MaxIterations = 2000 };
        var max = Curvature.LargestEigenvalue(f, x, o, EigenMethod.PowerIteration);
        var min = Curvature.SmallestEigenvalue(f, x, o, EigenMethod.PowerIteration);
        Near(8, max.Value, 1e-9, "λmax");
        Near(-12, min.Value, 1e-9, "λmin");
        Assert.True(max.Converged && min.Converged);
        Assert.True(DistanceUpToSign(max.Vector, Column(q, 1)) < 1e-7);
        // λmax needed two runs, λmin (the dominant one) one.
        Assert.True(max.HvpCount > min.HvpCount);
        Assert.Equal(max.HvpCount, max.Iterations);
        Assert.True(Residual(a, max.Vector, max.Value) <= 1e-8 * 12);
    }

    [Fact]
    public void Condition_number_is_NaN_with_a_negative_eigenvalue_and_the_step_bound_needs_positive_curvature()
    {
        var (a, _) = WithSpectrum(Indefinite, 54);
        var f = Quadratic(a, 55);
        var x = Point(Indefinite.Length);
        Assert.True(double.IsNaN(Curvature.ConditionNumber(f, x)));
        Near(2.0 / 8, Curvature.MaxStableStep(f, x), 1e-10, "2/λmax");

        var (neg, _) = WithSpectrum([-1, -2, -3, -4], 56);
        Assert.True(double.IsNaN(Curvature.ConditionNumber(Quadratic(neg, 57), Point(4))));
        Assert.Equal(double.PositiveInfinity, Curvature.MaxStableStep(Quadratic(neg, 57), Point(4)));
        Assert.Equal(double.PositiveInfinity, Curvature.MaxStableStep(Quadratic(neg, 57), Point(4), method: EigenMethod.PowerIteration));
    }

    [Fact]
    public void Condition_number_of_a_singular_positive_semidefinite_Hessian_is_infinite()
    {
        // λmin = 0 comes out as a rounding-level ±value; it must read as +∞, never NaN or a huge finite number.
        foreach (var lambda in new[] { new double[] { 4, 2, 1, 0, 0 }, [100, 3, 2, 1, 0, 0, 0, 0, 0, 0, 0, 0], [1e3, 1, 0] })
            for (int seed = 0; seed < 20; seed++)
            {
                var (a, _) = WithSpectrum(lambda, seed);
                var f = Quadratic(a, seed);
                var x = Point(lambda.Length, seed);
                Assert.Equal(double.PositiveInfinity, Curvature.ConditionNumber(f, x));
                Near(2 / lambda[0], Curvature.MaxStableStep(f, x), 1e-12, "2/λmax");
            }
    }

    // ---- Non-quadratic functions against hand-derived Hessians ----

    private static Tensor Rosenbrock(Tensor w)
    {
        var (x, y) = (w[0], w[1]);
        return (1.0 - x).Square() + 100.0 * (y - x * x).Square();
    }

    private static Tensor Himmelblau(Tensor w)
    {
        var (x, y) = (w[0], w[1]);
        return (x * x + y - 11.0).Square() + (x + y * y - 7.0).Square();
    }

    [Fact]
    public void Rosenbrock_at_its_minimum()
    {
        // H = [[802, −400], [−400, 200]]: trace 1002, determinant 400.
        double disc = Math.Sqrt(1002.0 * 1002 - 4 * 400);
        double max = (1002 + disc) / 2, min = (1002 - disc) / 2;
        var x = Tensor.FromArray([1.0, 1.0]);
        var r = Curvature.Lanczos(Rosenbrock, x);
        Near(max, r.Largest.Value, 1e-12, "λmax");
        Near(min, r.Smallest.Value, 1e-12, "λmin");
        Assert.Equal(2, r.HvpCount);
        var h = new double[,] { { 802, -400 }, { -400, 200 } };
        Assert.True(Residual(h, r.Largest.Vector, max) < 1e-10 * max);
        Assert.True(Residual(h, r.Smallest.Vector, min) < 1e-10 * max);

        var p = Curvature.PowerIteration(Rosenbrock, x, new EigenOptions { Tolerance = 1e-12 });
        Near(max, p.Value, 1e-12, "power λmax");
        Near(max / min, Curvature.ConditionNumber(Rosenbrock, x), 1e-10, "κ");
        Near(2 / max, Curvature.MaxStableStep(Rosenbrock, x), 1e-12, "2/λmax");
    }

    [Fact]
    public void Himmelblau_at_its_minimum_at_3_2()
    {
        // With a = x² + y − 11 = 0 and b = x + y² − 7 = 0 there: H = [[8x² + 2, 4x + 4y], [4x + 4y, 8y² + 2]] = [[74, 20], [20, 34]],
        // eigenvalues 54 ± 20√2.
        var x = Tensor.FromArray([3.0, 2.0]);
        Assert.Equal(0.0, Himmelblau(x).Item());
        var r = Curvature.Lanczos(Himmelblau, x);
        Near(54 + 20 * Math.Sqrt(2), r.Largest.Value, 1e-12, "λmax");
        Near(54 - 20 * Math.Sqrt(2), r.Smallest.Value, 1e-12, "λmin");
        var h = new double[,] { { 74, 20 }, { 20, 34 } };
        Assert.True(Residual(h, r.Largest.Vector, r.Largest.Value) < 1e-10 * 100);
        Near((54 + 20 * Math.Sqrt(2)) / (54 - 20 * Math.Sqrt(2)), Curvature.ConditionNumber(Himmelblau, x), 1e-10, "κ");
    }

    [Fact]
    public void Any_shape_of_x_is_a_flat_vector_and_vectors_come_back_in_its_shape()
    {
        // f(W) = Σ W² ⊙ D for a 2×3 matrix W: the Hessian is diag(2D), flattened row-major.
        var d = Tensor.FromArray(new double[,] { { 1, 2, 3 }, { 4, 5, 6 } });
        var w = Tensor.FromArray(new double[,] { { 0.1, 0.2, 0.3 }, { 0.4, 0.5, 0.6 } });
        var r = Curvature.Lanczos(m => (m * m * d).Sum(), w);
        Near(12, r.Largest.Value, 1e-12, "λmax");
        Near(2, r.Smallest.Value, 1e-12, "λmin");
        Assert.Equal([2, 3], r.Largest.Vector.Shape);
        Near(1, r.Largest.Vector.At(1, 2), 1e-10, "eigenvector of λmax");
        Near(1, r.Smallest.Vector.At(0, 0), 1e-10, "eigenvector of λmin");

        // A 0-d x: f = x⁴ at 1.5 has f″ = 12x² = 27.
        var s = Curvature.LargestEigenvalue(t => t.Pow(4), Tensor.Scalar(1.5));
        Near(27, s.Value, 1e-12, "f″");
        Assert.Empty(s.Vector.Shape);
        Assert.Equal(1.0, s.Vector.Item());
        Assert.Equal(1, s.HvpCount);
    }

    [Fact]
    public void A_linear_function_has_a_zero_Hessian_and_nothing_is_NaN()
    {
        var c = Tensor.FromArray([1.0, -2, 3, 0.5]);
        Tensor F(Tensor w) => (w * c).Sum() + 7.0;
        var x = Point(4);
        foreach (var r in new[]
        {
            Curvature.PowerIteration(F, x), Curvature.LargestEigenvalue(F, x), Curvature.SmallestEigenvalue(F, x),
            Curvature.LargestEigenvalue(F, x, method: EigenMethod.PowerIteration), Curvature.SmallestEigenvalue(F, x, method: EigenMethod.PowerIteration),
        })
        {
            Assert.Equal(0.0, r.Value);
            Assert.Equal(0.0, r.Residual);
            Assert.True(r.Converged);
            Assert.DoesNotContain(r.Vector.ToArray(), double.IsNaN);
            UnitAndShapedLike(x, r);
        }
        var l = Curvature.Lanczos(F, x);
        Assert.Equal(1, l.HvpCount); // the Krylov subspace is invariant after one product
        Assert.Equal([0.0], l.RitzValues);
        Assert.Equal(double.PositiveInfinity, Curvature.ConditionNumber(F, x));
        Assert.Equal(double.PositiveInfinity, Curvature.MaxStableStep(F, x));
        Assert.Equal(double.PositiveInfinity, Curvature.ConditionNumber(F, x, method: EigenMethod.PowerIteration));
        Assert.Equal(double.PositiveInfinity, Curvature.MaxStableStep(F, x, method: EigenMethod.PowerIteration));
    }

    [Fact]
    public void A_non_finite_Hessian_gives_NaN_and_no_convergence()
    {
        // √x at 0 has an infinite second derivative.
        static Tensor F(Tensor w) => w.Sqrt().Sum();
        var x = Tensor.FromArray([0.0, 1.0]);
        var l = Curvature.Lanczos(F, x);
        Assert.True(double.IsNaN(l.Largest.Value) && double.IsNaN(l.Smallest.Value));
        Assert.False(l.Converged);
        Assert.Empty(l.RitzValues);
        Assert.Equal(1, l.HvpCount);
        var p = Curvature.PowerIteration(F, x);
        Assert.True(double.IsNaN(p.Value));
        Assert.False(p.Converged);
        Assert.True(double.IsNaN(Curvature.ConditionNumber(F, x)));
        Assert.True(double.IsNaN(Curvature.MaxStableStep(F, x)));
        Assert.True(double.IsNaN(Curvature.LargestEigenvalue(F, x, method: EigenMethod.PowerIteration).Value));
    }

    // ---- Modes, precision, reproducibility ----

    [Fact]
    public void Both_Hvp_modes_agree_and_a_seed_fixes_the_result()
    {
        var (a, _) = WithSpectrum(Spd, 60);
        var f = Quadratic(a, 61);
        var x = Point(Spd.Length);
        var fwd = Curvature.Lanczos(f, x, new EigenOptions { HvpMode = HvpMode.ForwardOverReverse, Seed = 3 });
        var rev = Curvature.Lanczos(f, x, new EigenOptions { HvpMode = HvpMode.ReverseOverReverse, Seed = 3 });
        Near(fwd.Largest.Value, rev.Largest.Value, 1e-12, "λmax");
        Near(fwd.Smallest.Value, rev.Smallest.Value, 1e-12, "λmin");
        var again = Curvature.Lanczos(f, x, new EigenOptions { HvpMode = HvpMode.ForwardOverReverse, Seed = 3 });
        Assert.Equal(fwd.Largest.Value, again.Largest.Value);
        Assert.Equal(fwd.Largest.Vector.ToArray(), again.Largest.Vector.ToArray());
        Assert.Equal(fwd.RitzValues, again.RitzValues);
        var other = Curvature.Lanczos(f, x, new EigenOptions { Seed = 4 });
        Near(fwd.Largest.Value, other.Largest.Value, 1e-10, "λmax from another start");
    }

    [Fact]
    public void Float32_inputs_give_float32_vectors_and_float32_accuracy()
    {
        var (a, _) = WithSpectrum(Spd, 62);
        var af = Tensor.FromArray(a).To(DType.Float32);
        var x = Point(Spd.Length).To(DType.Float32);
        var r = Curvature.Lanczos(w => 0.5f * w.Dot(af.MatMul(w)), x, new EigenOptions { Tolerance = 1e-5 });
        Assert.Equal(DType.Float32, r.Largest.Vector.DType);
        Near(50, r.Largest.Value, 1e-5, "λmax");
        Assert.InRange(r.Smallest.Value, 0.1 - 1e-4, 0.1 + 1e-4);
    }

    [Fact]
    public void Curvature_inside_another_transformation_is_a_constant()
    {
        // d/dw [λmax · Σw] = λmax for each element; the eigenvalue itself is not differentiated.
        var g = Diff.Grad(w => w.Sum() * Curvature.LargestEigenvalue(Rosenbrock, Tensor.FromArray([1.0, 1.0])).Value, Tensor.FromArray([0.0, 0.0]));
        double max = (1002 + Math.Sqrt(1002.0 * 1002 - 1600)) / 2;
        Near(max, g.ToArray()[0], 1e-12, "gradient");
        Near(max, g.ToArray()[1], 1e-12, "gradient");
    }

    // ---- Bad inputs ----

    [Fact]
    public void Bad_inputs_are_refused_naming_the_method()
    {
        var x = Tensor.FromArray([1.0, 2.0]);
        static Tensor F(Tensor w) => (w * w).Sum();

        var e1 = Assert.Throws<InvalidOperationException>(() => Curvature.Lanczos(w => w * w, x));
        Assert.Contains("Lanczos", e1.Message);
        Assert.Contains("[2]", e1.Message);
        Assert.Contains("PowerIteration", Assert.Throws<InvalidOperationException>(() => Curvature.PowerIteration(w => w * w, x)).Message);
        Assert.Contains("ConditionNumber", Assert.Throws<InvalidOperationException>(() => Curvature.ConditionNumber(w => w * w, x)).Message);

        foreach (double tol in new[] { 0.0, -1e-6, double.NaN, double.PositiveInfinity })
        {
            var e = Assert.Throws<ArgumentOutOfRangeException>(() => Curvature.PowerIteration(F, x, new EigenOptions { Tolerance = tol }));
            Assert.Contains("PowerIteration", e.Message);
            Assert.Contains("Tolerance", e.Message);
        }
        foreach (int max in new[] { 0, -3 })
        {
            var e = Assert.Throws<ArgumentOutOfRangeException>(() => Curvature.Lanczos(F, x, new EigenOptions { MaxIterations = max }));
            Assert.Contains("Lanczos", e.Message);
            Assert.Contains("MaxIterations", e.Message);
        }
        var empty = Assert.Throws<ArgumentException>(() => Curvature.LargestEigenvalue(F, Tensor.Zeros(0)));
        Assert.Contains("LargestEigenvalue", empty.Message);
        Assert.Contains("[0]", empty.Message);
        Assert.Contains("MaxStableStep", Assert.Throws<ArgumentException>(() => Curvature.MaxStableStep(F, Tensor.Zeros(2, 0))).Message);
        Assert.Contains("SmallestEigenvalue",
            Assert.Throws<ArgumentOutOfRangeException>(() => Curvature.SmallestEigenvalue(F, x, method: (EigenMethod)7)).Message);
        Assert.Contains("HvpMode",
            Assert.Throws<ArgumentOutOfRangeException>(() => Curvature.Lanczos(F, x, new EigenOptions { HvpMode = (HvpMode)9 })).Message);
        Assert.Throws<ArgumentNullException>(() => Curvature.Lanczos(null!, x));
        Assert.Throws<ArgumentNullException>(() => Curvature.Lanczos(F, null!));
    }

    // ---- The dense symmetric eigen-solvers ----

    [Fact]
    public void The_tridiagonal_QL_solver_knows_the_second_difference_matrix()
    {
        // tridiag(−1, 2, −1) of order n has eigenvalues 2 − 2cos(jπ/(n + 1)), eigenvectors sin(ijπ/(n + 1)).
        int n = 9;
        var d = Enumerable.Repeat(2.0, n).ToArray();
        var e = Enumerable.Repeat(-1.0, n - 1).ToArray();
        var z = new double[n * n];
        for (int i = 0; i < n; i++) z[i * n + i] = 1;
        var values = SymmetricEigen.Tridiagonal(d, e, z, n);
        for (int j = 0; j < n; j++)
        {
            Near(2 - 2 * Math.Cos((j + 1) * Math.PI / (n + 1)), values[j], 1e-14, $"eigenvalue {j}");
            var u = Enumerable.Range(0, n).Select(i => Math.Sin((i + 1) * (j + 1) * Math.PI / (n + 1))).ToArray();
            double norm = Math.Sqrt(u.Sum(t => t * t));
            double dot = Enumerable.Range(0, n).Sum(i => z[i * n + j] * u[i]) / norm;
            Near(1, Math.Abs(dot), 1e-13, $"eigenvector {j}");
        }
        // The last row alone gives the eigenvectors' last components.
        var last = new double[n];
        last[n - 1] = 1;
        SymmetricEigen.Tridiagonal(d, e, last, 1);
        for (int j = 0; j < n; j++) Near(Math.Abs(z[(n - 1) * n + j]), Math.Abs(last[j]), 1e-14, $"last component {j}");
        Assert.Equal([3.5], SymmetricEigen.Tridiagonal([3.5], []));
    }

    [Fact]
    public void The_Jacobi_solver_recovers_a_prescribed_spectrum()
    {
        var (a, q) = WithSpectrum(Indefinite, 70);
        var (values, vectors) = SymmetricEigen.Jacobi(a);
        var expected = Indefinite.Order().ToArray();
        for (int i = 0; i < expected.Length; i++) Near(expected[i], values[i], 1e-13, $"eigenvalue {i}");
        int top = Array.IndexOf(Indefinite, 8.0);
        double dot = Enumerable.Range(0, expected.Length).Sum(i => vectors[i, expected.Length - 1] * q[i, top]);
        Near(1, Math.Abs(dot), 1e-12, "eigenvector of 8");
        Assert.Throws<ArgumentException>(() => SymmetricEigen.Jacobi(new double[2, 3]));
    }

    // ---- Properties ----

    [Fact]
    public void Lanczos_extremes_match_the_dense_Hessian_and_bound_every_Rayleigh_quotient()
    {
        var cases = Arb.From(Gen.Zip(Gen.Choose(0, int.MaxValue), Gen.Choose(2, 12)));
        Prop.ForAll(cases, c =>
        {
            var (seed, n) = c;
            var rng = new Rng(seed);
            // A random SPD matrix BᵀB + δI, its spectrum anywhere in (δ, ~4n].
            var b = new double[n, n];
            for (int i = 0; i < n; i++)
                for (int j = 0; j < n; j++) b[i, j] = rng.NextGaussian();
            var a = new double[n, n];
            for (int i = 0; i < n; i++)
                for (int j = 0; j < n; j++)
                    a[i, j] = Enumerable.Range(0, n).Sum(k => b[k, i] * b[k, j]) + (i == j ? 0.05 : 0);
            var f = Quadratic(a, seed);
            var x = Tensor.Randn([n], rng);
            string Case() => $"seed {seed}, n {n}";

            var r = Curvature.Lanczos(f, x, new EigenOptions { Tolerance = 1e-10, Seed = seed });
            var (dense, _) = SymmetricEigen.Jacobi(Diff.Hessian(f, x).ToArray2D());
            double max = dense[^1], min = dense[0], scale = Math.Max(Math.Abs(max), Math.Abs(min));
            Props.Ensure(r.Converged && r.HvpCount <= n, () => $"{Case()}: converged {r.Converged} after {r.HvpCount} products");
            Props.Ensure(Math.Abs(r.Largest.Value - max) <= 1e-9 * scale, () => $"{Case()}: λmax {r.Largest.Value:R} vs dense {max:R}");
            Props.Ensure(Math.Abs(r.Smallest.Value - min) <= 1e-9 * scale, () => $"{Case()}: λmin {r.Smallest.Value:R} vs dense {min:R}");
            Props.Ensure(Residual(a, r.Largest.Vector, r.Largest.Value) <= 1e-8 * scale, () => $"{Case()}: λmax residual");
            Props.Ensure(Residual(a, r.Smallest.Vector, r.Smallest.Value) <= 1e-8 * scale, () => $"{Case()}: λmin residual");
            double slack = 1e-9 * scale;
            Props.Ensure(r.RitzValues.All(t => t >= min - slack && t <= max + slack), () => $"{Case()}: a Ritz value outside [λmin, λmax]");
            for (int trial = 0; trial < 3; trial++)
            {
                var u = Tensor.Randn([n], rng);
                double rq = Props.Dot(u, Diff.Hvp(f, x, u)) / Props.Dot(u, u);
                Props.Ensure(rq >= r.Smallest.Value - slack && rq <= r.Largest.Value + slack,
                    () => $"{Case()}: Rayleigh quotient {rq:R} outside [{r.Smallest.Value:R}, {r.Largest.Value:R}]");
            }
        }).Check(Props.Config(100));
    }
}
