using AutoGrad;

namespace AutoGrad.Tests;

/// <summary>
/// The losses against hand-computed values and closed forms: values under every reduction, gradients and
/// Hessian-vector products where they are simple, stability for huge logits, and every bad-input exception.
/// (The op table checks the same losses against finite differences.)
/// </summary>
public class LossTests
{
    // ---- helpers ----------------------------------------------------------------------------------------------

    private static Tensor V(params double[] v) => Tensor.FromArray(v);

    private static double Sigma(double x) => x >= 0 ? 1 / (1 + Math.Exp(-x)) : Math.Exp(x) / (1 + Math.Exp(x));

    private static void Close(double expected, double actual, double tol = 1e-12)
    {
        bool ok = expected == actual || Math.Abs(expected - actual) <= tol * Math.Max(1, Math.Abs(expected));
        Assert.True(ok, $"expected {expected:R}, got {actual:R}");
    }

    private static void Close(double[] expected, Tensor actual, double tol = 1e-12)
    {
        var a = actual.ToArray();
        Assert.Equal(expected.Length, a.Length);
        for (int i = 0; i < a.Length; i++)
        {
            bool ok = expected[i] == a[i] || Math.Abs(expected[i] - a[i]) <= tol * Math.Max(1, Math.Abs(expected[i]));
            Assert.True(ok, $"element {i}: expected {expected[i]:R}, got {a[i]:R}");
        }
    }

    /// <summary>Relative closeness, for values far below 1 where an absolute tolerance would accept anything.</summary>
    private static void CloseRelative(double expected, double actual, double tol = 1e-13) =>
        Assert.True(expected == actual || Math.Abs(expected - actual) <= tol * Math.Abs(expected), $"expected {expected:R}, got {actual:R}");

    private static void AllFinite(Tensor t) => Assert.All(t.ToArray(), v => Assert.True(double.IsFinite(v), $"{v} is not finite in {t}"));

    /// <summary>H·v through a nested Diff.Grad (the tape differentiating its own backward pass).</summary>
    private static Tensor Hvp(Func<Tensor, Tensor> f, Tensor x, Tensor v) => Diff.Grad(a => (Diff.Grad(f, a) * v).Sum(), x);

    private static double[] Random(int n, int seed, double scale = 1)
    {
        var r = new Rng(seed);
        return Enumerable.Range(0, n).Select(_ => scale * r.NextGaussian()).ToArray();
    }

    // ---- mean squared error -----------------------------------------------------------------------------------

    [Fact]
    public void MeanSquaredError_is_the_mean_of_squared_residuals_under_every_reduction()
    {
        double[] p = [1, -2, 0.5, 3, 0, 4], t = [0.5, -2, 2, 1, -1, 4];
        var sq = p.Zip(t, (a, b) => (a - b) * (a - b)).ToArray();  // 0.25, 0, 2.25, 4, 1, 0
        var pt = Tensor.FromArray(p, 2, 3);
        var tt = Tensor.FromArray(t, 2, 3);
        Close(7.5 / 6, Loss.MeanSquaredError(pt, tt).Item());
        Close(7.5, Loss.MeanSquaredError(pt, tt, Reduction.Sum).Item());
        var none = Loss.MeanSquaredError(pt, tt, Reduction.None);
        Assert.Equal([2, 3], none.Shape);
        Close(sq, none);
        Assert.Empty(Loss.MeanSquaredError(pt, tt).Shape);
    }

    [Fact]
    public void MeanSquaredError_gradient_is_2_residual_over_n_and_its_Hessian_2_over_n()
    {
        var p = Tensor.FromArray(Random(12, 1), 4, 3);
        var t = Tensor.FromArray(Random(12, 2), 4, 3);
        var g = Diff.Grad(xs => Loss.MeanSquaredError(xs[0], xs[1]), p, t);
        var expected = p.ToArray().Zip(t.ToArray(), (a, b) => 2 * (a - b) / 12).ToArray();
        Close(expected, g[0]);
        Close(expected.Select(e => -e).ToArray(), g[1]);
        var v = Tensor.FromArray(Random(12, 3), 4, 3);
        Close(v.ToArray().Select(e => 2 * e / 12).ToArray(), Hvp(x => Loss.MeanSquaredError(x, t), p, v));
    }

    [Fact]
    public void MeanSquaredError_gradient_stays_finite_when_the_square_overflows()
    {
        var p = V(1e200, 0);
        var t = V(-1e200, 0);
        Assert.Equal(double.PositiveInfinity, Loss.MeanSquaredError(p, t).Item());
        Close([2e200, 0], Diff.Grad(x => Loss.MeanSquaredError(x, t), p));
    }

    // ---- Huber ------------------------------------------------------------------------------------------------

    private static double HuberOf(double r, double d) => Math.Abs(r) < d ? 0.5 * r * r : d * (Math.Abs(r) - 0.5 * d);

    [Theory]
    [InlineData(1.0)]
    [InlineData(0.5)]
    [InlineData(3.0)]
    public void Huber_is_half_square_inside_and_linear_outside(double delta)
    {
        double[] p = [0, 0.3, -0.7, 1.9, -4, 6.5, 0.1, 2.2], t = [0, 0, 0.4, -0.2, 1, 0, -0.1, 2.2];
        var r = p.Zip(t, (a, b) => a - b).ToArray();
        var expected = r.Select(x => HuberOf(x, delta)).ToArray();
        // Both branches are exercised for every delta.
        Assert.Contains(r, x => Math.Abs(x) < delta);
        Assert.Contains(r, x => Math.Abs(x) > delta);
        var pt = Tensor.FromArray(p, 2, 4);
        var tt = Tensor.FromArray(t, 2, 4);
        var none = Loss.Huber(pt, tt, delta, Reduction.None);
        Assert.Equal([2, 4], none.Shape);
        Close(expected, none);
        Close(expected.Sum(), Loss.Huber(pt, tt, delta, Reduction.Sum).Item());
        Close(expected.Average(), Loss.Huber(pt, tt, delta).Item());
    }

    [Fact]
    public void Huber_defaults_are_delta_1_and_the_mean()
    {
        var p = V(0.2, -3, 1.5);
        var t = V(0, 0, 0);
        Close((0.02 + 2.5 + 1.0) / 3, Loss.Huber(p, t).Item());
        Assert.Equal(Loss.Huber(p, t, 1.0, Reduction.Mean).Item(), Loss.Huber(p, t).Item());
    }

    [Fact]
    public void Huber_gradient_is_the_residual_clipped_to_delta()
    {
        double delta = 1.5;
        double[] r = [0.25, -1.2, 2, -7, 0];
        var t = Tensor.FromArray(Random(5, 4));
        var p = t + V(r);
        var g = Diff.Grad(xs => Loss.Huber(xs[0], xs[1], delta), p, t);
        var expected = r.Select(x => Math.Clamp(x, -delta, delta) / 5).ToArray();
        Close(expected, g[0], 1e-9);
        Close(expected.Select(e => -e).ToArray(), g[1], 1e-9);
    }

    [Fact]
    public void Huber_at_the_seam_takes_the_linear_branch_with_matching_value_and_gradient()
    {
        // |r| = δ exactly: both formulas give ½δ², the gradient is δ·sign(r) from either side, and the second
        // derivative is that of the linear branch (0), as PyTorch's |r| < δ test. At r = 0 it is 1.
        double delta = 1.5;
        var p = V(1.5, -1.5, 0);
        var t = V(0, 0, 0);
        Close([1.125, 1.125, 0], Loss.Huber(p, t, delta, Reduction.None));
        Close([1.5, -1.5, 0], Diff.Grad(x => Loss.Huber(x, t, delta, Reduction.Sum), p));
        Close([0, 0, 1], Hvp(x => Loss.Huber(x, t, delta, Reduction.Sum), p, V(1, 1, 1)));
    }

    [Fact]
    public void Huber_of_an_infinite_residual_is_infinite_with_the_finite_gradient_delta()
    {
        var p = V(double.PositiveInfinity, double.NegativeInfinity, 0.5);
        var t = V(0, 0, 0);
        Close([double.PositiveInfinity, double.PositiveInfinity, 0.125], Loss.Huber(p, t, 2.0, Reduction.None));
        Close([2, -2, 0.5], Diff.Grad(x => Loss.Huber(x, t, 2.0, Reduction.Sum), p));
    }

    [Fact]
    public void Huber_with_a_large_delta_is_half_the_mean_squared_error()
    {
        var p = Tensor.FromArray(Random(10, 5));
        var t = Tensor.FromArray(Random(10, 6));
        Close(0.5 * Loss.MeanSquaredError(p, t).Item(), Loss.Huber(p, t, delta: 1e6).Item());
    }

    // ---- hinge and logistic -----------------------------------------------------------------------------------

    private static readonly double[] Scores = [2.5, -0.3, 0.8, -1.7, 0.05, 3];
    private static readonly double[] Labels = [1, 1, -1, -1, 1, -1];
    private static readonly double[] Weights = [0.5, -1.5, 2];

    [Fact]
    public void Hinge_matches_an_explicit_loop_under_every_reduction()
    {
        var per = new double[Scores.Length];
        for (int i = 0; i < per.Length; i++) per[i] = Math.Max(0, 1 - Labels[i] * Scores[i]);
        double penalty = 0.5 * 0.2 * Weights.Sum(w => w * w);
        var s = V(Scores); var y = V(Labels); var w = V(Weights);
        Close(per.Average(), Loss.Hinge(s, y).Item());
        Close(per.Average() + penalty, Loss.Hinge(s, y, w, 0.2).Item());
        Close(per.Sum() + penalty, Loss.Hinge(s, y, w, 0.2, Reduction.Sum).Item());
        Close(per, Loss.Hinge(s, y, reduction: Reduction.None));
        Close(per.Average(), Loss.Hinge(s, y, w).Item()); // l2 = 0: weights are not penalised
    }

    [Fact]
    public void Hinge_gradient_is_minus_label_over_n_inside_the_margin_and_l2_w_for_the_weights()
    {
        var s = V(Scores); var y = V(Labels); var w = V(Weights);
        var g = Diff.Grad(xs => Loss.Hinge(xs[0], y, xs[1], 0.2), s, w);
        var expected = Scores.Select((sc, i) => Labels[i] * sc < 1 ? -Labels[i] / Scores.Length : 0).ToArray();
        Close(expected, g[0]);
        Close(Weights.Select(x => 0.2 * x).ToArray(), g[1]);
    }

    [Fact]
    public void Hinge_gradient_is_zero_for_a_sample_exactly_on_the_margin()
    {
        // Convention at the kink y·s = 1: relu′(0) = 0.
        var g = Diff.Grad(x => Loss.Hinge(x, V(1, -1, 1), reduction: Reduction.Sum), V(1, -1, 0.5));
        Close([0, 0, -1], g);
    }

    [Fact]
    public void Logistic_matches_an_explicit_loop_under_every_reduction()
    {
        var per = Scores.Select((sc, i) => Math.Log(1 + Math.Exp(-Labels[i] * sc))).ToArray();
        double penalty = 0.5 * 0.7 * Weights.Sum(w => w * w);
        var s = V(Scores); var y = V(Labels); var w = V(Weights);
        Close(per.Average(), Loss.Logistic(s, y).Item());
        Close(per.Average() + penalty, Loss.Logistic(s, y, w, 0.7).Item());
        Close(per.Sum() + penalty, Loss.Logistic(s, y, w, 0.7, Reduction.Sum).Item());
        Close(per, Loss.Logistic(s, y, reduction: Reduction.None));
    }

    [Fact]
    public void Logistic_gradient_is_minus_label_times_sigmoid_over_n_and_l2_w_for_the_weights()
    {
        var s = V(Scores); var y = V(Labels); var w = V(Weights);
        var g = Diff.Grad(xs => Loss.Logistic(xs[0], y, xs[1], 0.7), s, w);
        int n = Scores.Length;
        Close(Scores.Select((sc, i) => -Labels[i] * Sigma(-Labels[i] * sc) / n).ToArray(), g[0]);
        Close(Weights.Select(x => 0.7 * x).ToArray(), g[1]);
        // The Hessian of the data term is diagonal: σ(s)(1 − σ(s))/n.
        Close(Scores.Select(sc => Sigma(sc) * (1 - Sigma(sc)) / n).ToArray(), Hvp(x => Loss.Logistic(x, y), s, V(1, 1, 1, 1, 1, 1)));
    }

    [Fact]
    public void Logistic_with_pm1_labels_equals_binary_cross_entropy_with_01_targets()
    {
        var s = V(Scores); var y = V(Labels);
        var t = (y + 1.0) * 0.5;
        Close(Loss.BinaryCrossEntropyWithLogits(s, t).Item(), Loss.Logistic(s, y).Item());
        Close(Diff.Grad(x => Loss.BinaryCrossEntropyWithLogits(x, t), s).ToArray(), Diff.Grad(x => Loss.Logistic(x, y), s));
    }

    [Fact]
    public void Labels_are_constants_and_get_no_gradient()
    {
        var g = Diff.Grad(xs => Loss.Hinge(xs[0], xs[1]) + Loss.Logistic(xs[0], xs[1]), V(Scores), V(Labels));
        Close(new double[Scores.Length], g[1]);
    }

    [Theory]
    [InlineData(40.0)]
    [InlineData(1e4)]
    [InlineData(1e300)]
    public void Logistic_stays_finite_and_accurate_for_huge_scores(double a)
    {
        var s = V(a, -a, a, -a);
        var y = V(1, 1, -1, -1);
        double tiny = Math.Exp(-a); // log(1 + e^−a) to full relative accuracy at these sizes
        var none = Loss.Logistic(s, y, reduction: Reduction.None);
        Close([tiny, a, a, tiny], none);
        CloseRelative(tiny, none.At(0));
        Close(a / 2, Loss.Logistic(s, y).Item());
        var g = Diff.Grad(x => Loss.Logistic(x, y), s);
        Close([-Sigma(-a) / 4, -0.25, 0.25, Sigma(-a) / 4], g);
        var h = Hvp(x => Loss.Logistic(x, y), s, V(1, 1, 1, 1));
        AllFinite(h);
        Close(Enumerable.Repeat(Sigma(a) * Sigma(-a) / 4, 4).ToArray(), h);
    }

    [Fact]
    public void Logistic_keeps_relative_accuracy_where_the_naive_formula_rounds_to_zero()
    {
        // log(1 + e^−40) rounds 1 + 4e−18 to 1; softplus keeps it.
        CloseRelative(4.248354255291589e-18, Loss.Logistic(V(40), V(1)).Item());
        CloseRelative(-4.248354255291589e-18, Diff.Grad(x => Loss.Logistic(x, V(1)), V(40)).Item());
        Assert.Equal(0.0, Math.Log(1 + Math.Exp(-40.0)));
    }

    // ---- softmax cross-entropy --------------------------------------------------------------------------------

    private static double[] SoftmaxRow(double[] x)
    {
        double m = x.Max();
        var e = x.Select(v => Math.Exp(v - m)).ToArray();
        double s = e.Sum();
        return e.Select(v => v / s).ToArray();
    }

    private static double LogSumExp(double[] x)
    {
        double m = x.Max();
        return m + Math.Log(x.Sum(v => Math.Exp(v - m)));
    }

    [Theory]
    [InlineData(2)]
    [InlineData(5)]
    [InlineData(1000)]
    public void SoftmaxCrossEntropy_of_equal_logits_is_log_C(int c)
    {
        Close(Math.Log(c), Loss.SoftmaxCrossEntropy(Tensor.Full([3, c], 7.25), [0, c - 1, c / 2]).Item());
        Close(Math.Log(c), Loss.SoftmaxCrossEntropy(Tensor.Zeros(c), [c - 1]).Item());
    }

    [Fact]
    public void SoftmaxCrossEntropy_matches_an_explicit_logsumexp_loop_under_every_reduction()
    {
        int n = 4, c = 3;
        var x = Random(n * c, 7, 2);
        int[] labels = [2, 0, 1, 2];
        var per = Enumerable.Range(0, n).Select(i =>
        {
            var row = x.Skip(i * c).Take(c).ToArray();
            return LogSumExp(row) - row[labels[i]];
        }).ToArray();
        var logits = Tensor.FromArray(x, n, c);
        Close(per.Average(), Loss.SoftmaxCrossEntropy(logits, labels).Item());
        Close(per.Sum(), Loss.SoftmaxCrossEntropy(logits, labels, Reduction.Sum).Item());
        var none = Loss.SoftmaxCrossEntropy(logits, labels, Reduction.None);
        Assert.Equal([n], none.Shape);
        Close(per, none);

        var one = Loss.SoftmaxCrossEntropy(logits.Reshape(n * c), [5], Reduction.None);
        Assert.Empty(one.Shape);
        Close(LogSumExp(x) - x[5], one.Item());
    }

    [Fact]
    public void SoftmaxCrossEntropy_gradient_is_softmax_minus_onehot_over_N_and_its_Hessian_diag_p_minus_ppT()
    {
        int n = 3, c = 4;
        var x = Random(n * c, 8, 1.5);
        int[] labels = [3, 1, 0];
        var logits = Tensor.FromArray(x, n, c);
        var v = Random(n * c, 9);
        var grad = new double[n * c];
        var hv = new double[n * c];
        for (int i = 0; i < n; i++)
        {
            var p = SoftmaxRow(x.Skip(i * c).Take(c).ToArray());
            double pv = Enumerable.Range(0, c).Sum(j => p[j] * v[i * c + j]);
            for (int j = 0; j < c; j++)
            {
                grad[i * c + j] = (p[j] - (j == labels[i] ? 1 : 0)) / n;
                hv[i * c + j] = (p[j] * v[i * c + j] - p[j] * pv) / n;
            }
        }
        Close(grad, Diff.Grad(z => Loss.SoftmaxCrossEntropy(z, labels), logits));
        Close(hv, Hvp(z => Loss.SoftmaxCrossEntropy(z, labels), logits, Tensor.FromArray(v, n, c)));
    }

    [Fact]
    public void SoftmaxCrossEntropy_is_invariant_to_a_constant_added_to_each_row()
    {
        var logits = Tensor.FromArray(Random(8, 10), 2, 4);
        var shifted = logits + Tensor.FromArray([100.0, -3.5], 2, 1);
        int[] labels = [1, 3];
        Close(Loss.SoftmaxCrossEntropy(logits, labels).Item(), Loss.SoftmaxCrossEntropy(shifted, labels).Item(), 1e-10);
    }

    [Theory]
    [InlineData(1e4)]
    [InlineData(1e300)]
    public void SoftmaxCrossEntropy_stays_finite_for_huge_logits(double a)
    {
        var logits = Tensor.FromArray([a, -a, 0, 0, a, -a], 2, 3);
        int[] labels = [1, 1];
        Close([2 * a, 0], Loss.SoftmaxCrossEntropy(logits, labels, Reduction.None));
        var g = Diff.Grad(z => Loss.SoftmaxCrossEntropy(z, labels), logits);
        Close([0.5, -0.5, 0, 0, 0, 0], g);
        var h = Hvp(z => Loss.SoftmaxCrossEntropy(z, labels), logits, Tensor.Ones(2, 3));
        AllFinite(h);
        Close(new double[6], h);
        // The same through target probabilities.
        var onehot = Tensor.FromArray([0.0, 1, 0, 0, 1, 0], 2, 3);
        Close([2 * a, 0], Loss.SoftmaxCrossEntropy(logits, onehot, Reduction.None));
        Close(g.ToArray(), Diff.Grad(z => Loss.SoftmaxCrossEntropy(z, onehot), logits));
    }

    [Fact]
    public void SoftmaxCrossEntropy_accepts_minus_infinity_logits_as_masks()
    {
        var logits = V(0, double.NegativeInfinity, 1);
        Close(Math.Log(1 + Math.E), Loss.SoftmaxCrossEntropy(logits, [0]).Item());
        Close([Sigma(0 - 1) - 1, 0, Sigma(1 - 0)], Diff.Grad(z => Loss.SoftmaxCrossEntropy(z, [0]), logits));
        Assert.Equal(double.PositiveInfinity, Loss.SoftmaxCrossEntropy(logits, [1]).Item());
        // Probability targets: 0·log 0 = 0 with gradient 0 at the masked class.
        var t = V(0.5, 0, 0.5);
        Close(Math.Log(1 + Math.E) - 0.5, Loss.SoftmaxCrossEntropy(logits, t).Item());
        var p = SoftmaxRow([0, 1]);
        Close([p[0] - 0.5, 0, p[1] - 0.5], Diff.Grad(z => Loss.SoftmaxCrossEntropy(z, t), logits));
    }

    [Fact]
    public void SoftmaxCrossEntropy_with_onehot_targets_equals_the_class_index_form()
    {
        var logits = Tensor.FromArray(Random(12, 11), 3, 4);
        int[] labels = [2, 0, 3];
        var oh = new double[12];
        for (int i = 0; i < 3; i++) oh[i * 4 + labels[i]] = 1;
        var onehot = Tensor.FromArray(oh, 3, 4);
        foreach (var red in new[] { Reduction.Mean, Reduction.Sum, Reduction.None })
            Close(Loss.SoftmaxCrossEntropy(logits, labels, red).ToArray(), Loss.SoftmaxCrossEntropy(logits, onehot, red));
        Close(Diff.Grad(z => Loss.SoftmaxCrossEntropy(z, labels), logits).ToArray(), Diff.Grad(z => Loss.SoftmaxCrossEntropy(z, onehot), logits));
    }

    [Fact]
    public void SoftmaxCrossEntropy_with_soft_targets_matches_the_loop_and_its_gradients()
    {
        int n = 2, c = 3;
        var x = Random(n * c, 12);
        double[] t = [0.8, 0.1, 0.1, 0.2, 0.3, 0.4]; // the second row sums to 0.9: accepted
        var logits = Tensor.FromArray(x, n, c);
        var targets = Tensor.FromArray(t, n, c);
        var logp = new double[n * c];
        var per = new double[n];
        for (int i = 0; i < n; i++)
        {
            var row = x.Skip(i * c).Take(c).ToArray();
            double lse = LogSumExp(row);
            for (int j = 0; j < c; j++) { logp[i * c + j] = row[j] - lse; per[i] -= t[i * c + j] * logp[i * c + j]; }
        }
        Close(per.Average(), Loss.SoftmaxCrossEntropy(logits, targets).Item());
        Close(per, Loss.SoftmaxCrossEntropy(logits, targets, Reduction.None));
        var g = Diff.Grad(xs => Loss.SoftmaxCrossEntropy(xs[0], xs[1], Reduction.Sum), logits, targets);
        var expected = new double[n * c];
        for (int i = 0; i < n; i++)
        {
            double rowSum = t.Skip(i * c).Take(c).Sum();
            for (int j = 0; j < c; j++) expected[i * c + j] = rowSum * Math.Exp(logp[i * c + j]) - t[i * c + j];
        }
        Close(expected, g[0]);
        Close(logp.Select(l => -l).ToArray(), g[1]);
    }

    // ---- binary cross-entropy with logits ---------------------------------------------------------------------

    [Fact]
    public void BinaryCrossEntropyWithLogits_equals_the_naive_formula_for_moderate_logits()
    {
        var x = Random(10, 13, 2.5);
        var r = new Rng(14);
        var t = Enumerable.Range(0, 10).Select(i => i < 3 ? i % 2 : r.NextDouble()).ToArray();
        var naive = x.Select((v, i) => -(t[i] * Math.Log(Sigma(v)) + (1 - t[i]) * Math.Log(1 - Sigma(v)))).ToArray();
        var lt = Tensor.FromArray(x, 2, 5);
        var tt = Tensor.FromArray(t, 2, 5);
        Close(naive, Loss.BinaryCrossEntropyWithLogits(lt, tt, Reduction.None), 1e-10);
        Close(naive.Average(), Loss.BinaryCrossEntropyWithLogits(lt, tt).Item(), 1e-10);
        Close(naive.Sum(), Loss.BinaryCrossEntropyWithLogits(lt, tt, Reduction.Sum).Item(), 1e-10);
        var g = Diff.Grad(xs => Loss.BinaryCrossEntropyWithLogits(xs[0], xs[1]), lt, tt);
        Close(x.Select((v, i) => (Sigma(v) - t[i]) / 10).ToArray(), g[0]);
        Close(x.Select(v => -v / 10).ToArray(), g[1]);
    }

    [Theory]
    [InlineData(40.0)]
    [InlineData(1e4)]
    [InlineData(1e300)]
    public void BinaryCrossEntropyWithLogits_stays_finite_and_accurate_for_huge_logits(double a)
    {
        var x = V(a, -a, a, -a, -a);
        var t = V(1, 0, 0.25, 0.25, 1);
        double tiny = Math.Exp(-a);
        var none = Loss.BinaryCrossEntropyWithLogits(x, t, Reduction.None);
        Close([tiny, tiny, 0.75 * a, 0.25 * a, a], none, 1e-13);
        // A confident, correct prediction keeps its tiny loss and gradient to full relative accuracy.
        CloseRelative(tiny, none.At(0));
        CloseRelative(tiny, none.At(1));
        var g = Diff.Grad(z => Loss.BinaryCrossEntropyWithLogits(z, t, Reduction.Sum), x);
        Close([-Sigma(-a), Sigma(-a), 0.75, -0.25, -1], g, 1e-13);
        CloseRelative(-Sigma(-a), g.At(0));
        CloseRelative(Sigma(-a), g.At(1));
        var h = Hvp(z => Loss.BinaryCrossEntropyWithLogits(z, t, Reduction.Sum), x, V(1, 1, 1, 1, 1));
        AllFinite(h);
        Close(Enumerable.Repeat(Sigma(a) * Sigma(-a), 5).ToArray(), h);
    }

    [Fact]
    public void BinaryCrossEntropyWithLogits_at_infinite_logits_is_infinite_away_from_the_target()
    {
        var x = V(double.PositiveInfinity, double.NegativeInfinity);
        var t = V(0, 1);
        Close([double.PositiveInfinity, double.PositiveInfinity], Loss.BinaryCrossEntropyWithLogits(x, t, Reduction.None));
        Close([1, -1], Diff.Grad(z => Loss.BinaryCrossEntropyWithLogits(z, t, Reduction.Sum), x));
    }

    // ---- every loss: reductions, defaults, float32 ------------------------------------------------------------

    /// <summary>Each loss as a function of the reduction, on a batch of 6 samples (per-sample shape [6], or [2, 3]).</summary>
    private static readonly Dictionary<string, (Func<Reduction, Tensor> F, Func<Tensor> Default, int[] NoneShape)> AllLosses = new()
    {
        ["Mse"] = (r => Loss.MeanSquaredError(Tensor.FromArray(Scores, 2, 3), Tensor.FromArray(Labels, 2, 3), r),
                   () => Loss.MeanSquaredError(Tensor.FromArray(Scores, 2, 3), Tensor.FromArray(Labels, 2, 3)), [2, 3]),
        ["Huber"] = (r => Loss.Huber(V(Scores), V(Labels), reduction: r), () => Loss.Huber(V(Scores), V(Labels)), [6]),
        ["Hinge"] = (r => Loss.Hinge(V(Scores), V(Labels), reduction: r), () => Loss.Hinge(V(Scores), V(Labels)), [6]),
        ["Logistic"] = (r => Loss.Logistic(V(Scores), V(Labels), reduction: r), () => Loss.Logistic(V(Scores), V(Labels)), [6]),
        ["SoftmaxCrossEntropy"] = (r => Loss.SoftmaxCrossEntropy(Tensor.FromArray(Random(24, 15), 6, 4), [0, 1, 2, 3, 2, 1], r),
                   () => Loss.SoftmaxCrossEntropy(Tensor.FromArray(Random(24, 15), 6, 4), [0, 1, 2, 3, 2, 1]), [6]),
        ["SoftmaxCrossEntropy/probabilities"] = (r => Loss.SoftmaxCrossEntropy(Tensor.FromArray(Random(24, 15), 6, 4), Tensor.Full([6, 4], 0.25), r),
                   () => Loss.SoftmaxCrossEntropy(Tensor.FromArray(Random(24, 15), 6, 4), Tensor.Full([6, 4], 0.25)), [6]),
        ["BinaryCrossEntropyWithLogits"] = (r => Loss.BinaryCrossEntropyWithLogits(V(Scores), (V(Labels) + 1.0) * 0.3, r),
                   () => Loss.BinaryCrossEntropyWithLogits(V(Scores), (V(Labels) + 1.0) * 0.3), [6]),
    };

    public static IEnumerable<object[]> LossNames => AllLosses.Keys.Select(k => new object[] { k });

    [Theory]
    [MemberData(nameof(LossNames))]
    public void Sum_is_n_times_mean_and_None_keeps_the_per_sample_losses(string name)
    {
        var (f, byDefault, noneShape) = AllLosses[name];
        var none = f(Reduction.None);
        var sum = f(Reduction.Sum);
        var mean = f(Reduction.Mean);
        Assert.Equal(noneShape, none.Shape);
        Assert.Empty(sum.Shape);
        Assert.Empty(mean.Shape);
        Close(none.ToArray().Sum(), sum.Item());
        Close(sum.Item() / none.Count, mean.Item());
        Assert.Equal(mean.Item(), byDefault().Item());
        Assert.True(mean.Item() > 0);
    }

    [Fact]
    public void Mean_is_the_default_reduction()
    {
        Assert.Equal(Reduction.Mean, default(Reduction));
    }

    [Fact]
    public void Losses_work_in_float32()
    {
        var s64 = V(Scores); var y64 = V(Labels);
        var s32 = s64.To(DType.Float32); var y32 = y64.To(DType.Float32);
        var logits = Tensor.FromArray(Random(12, 16), 3, 4);
        var pairs = new (Tensor A, Tensor B)[]
        {
            (Loss.MeanSquaredError(s64, y64), Loss.MeanSquaredError(s32, y32)),
            (Loss.Huber(s64, y64, 0.5), Loss.Huber(s32, y32, 0.5)),
            (Loss.Hinge(s64, y64), Loss.Hinge(s32, y32)),
            (Loss.Logistic(s64, y64, s64, 0.1), Loss.Logistic(s32, y32, s32, 0.1)),
            (Loss.SoftmaxCrossEntropy(logits, [1, 2, 0]), Loss.SoftmaxCrossEntropy(logits.To(DType.Float32), [1, 2, 0])),
            (Loss.SoftmaxCrossEntropy(logits, logits.Softmax()), Loss.SoftmaxCrossEntropy(logits.To(DType.Float32), logits.Softmax().To(DType.Float32))),
            (Loss.BinaryCrossEntropyWithLogits(s64, (y64 + 1.0) * 0.5), Loss.BinaryCrossEntropyWithLogits(s32, ((y64 + 1.0) * 0.5).To(DType.Float32))),
        };
        foreach (var (a, b) in pairs)
        {
            Assert.Equal(DType.Float32, b.DType);
            Close(a.Item(), b.Item(), 1e-6);
        }
        var g = Diff.Grad(x => Loss.Logistic(x, y32), s32);
        Assert.Equal(DType.Float32, g.DType);
        Close(Diff.Grad(x => Loss.Logistic(x, y64), s64).ToArray(), g, 1e-6);
    }

    // ---- bad inputs -------------------------------------------------------------------------------------------

    private static readonly Dictionary<string, (Func<Tensor> Call, Type Exception, string[] Message)> BadInputs = new()
    {
        ["Mse/shapes"] = (() => Loss.MeanSquaredError(Tensor.Zeros(4, 3), Tensor.Zeros(4, 2)), typeof(ArgumentException), ["MeanSquaredError", "[4, 3]", "[4, 2]"]),
        ["Mse/no-broadcast"] = (() => Loss.MeanSquaredError(Tensor.Zeros(4, 3), Tensor.Zeros(3)), typeof(ArgumentException), ["MeanSquaredError", "[4, 3]", "[3]"]),
        ["Mse/dtype"] = (() => Loss.MeanSquaredError(Tensor.Zeros(3), Tensor.Zeros([3], DType.Float32)), typeof(ArgumentException), ["MeanSquaredError", "float64", "float32"]),
        ["Mse/empty"] = (() => Loss.MeanSquaredError(Tensor.Zeros(0, 3), Tensor.Zeros(0, 3)), typeof(ArgumentException), ["MeanSquaredError", "empty", "[0, 3]"]),
        ["Mse/reduction"] = (() => Loss.MeanSquaredError(Tensor.Zeros(2), Tensor.Zeros(2), (Reduction)7), typeof(ArgumentOutOfRangeException), ["MeanSquaredError", "reduction 7"]),
        ["Huber/delta-0"] = (() => Loss.Huber(Tensor.Zeros(2), Tensor.Zeros(2), 0), typeof(ArgumentOutOfRangeException), ["Huber", "delta", "got 0"]),
        ["Huber/delta-negative"] = (() => Loss.Huber(Tensor.Zeros(2), Tensor.Zeros(2), -1.5), typeof(ArgumentOutOfRangeException), ["Huber", "delta", "-1.5"]),
        ["Huber/delta-NaN"] = (() => Loss.Huber(Tensor.Zeros(2), Tensor.Zeros(2), double.NaN), typeof(ArgumentOutOfRangeException), ["Huber", "delta", "NaN"]),
        ["Huber/delta-infinite"] = (() => Loss.Huber(Tensor.Zeros(2), Tensor.Zeros(2), double.PositiveInfinity), typeof(ArgumentOutOfRangeException), ["Huber", "delta", "Infinity"]),
        ["Huber/shapes"] = (() => Loss.Huber(Tensor.Zeros(2, 2), Tensor.Zeros(4)), typeof(ArgumentException), ["Huber", "[2, 2]", "[4]"]),
        ["Hinge/label-0"] = (() => Loss.Hinge(Tensor.Zeros(3), V(1, -1, 0)), typeof(ArgumentException), ["Hinge", "-1 or +1", "labels[2] = 0", "[3]"]),
        ["Hinge/label-2d"] = (() => Loss.Hinge(Tensor.Zeros(2, 2), Tensor.FromArray([1, 1, 1, 0.5], 2, 2)), typeof(ArgumentException), ["Hinge", "labels[1, 1] = 0.5", "[2, 2]"]),
        ["Hinge/shapes"] = (() => Loss.Hinge(Tensor.Zeros(4), Tensor.Ones(5)), typeof(ArgumentException), ["Hinge", "[4]", "[5]"]),
        ["Hinge/empty"] = (() => Loss.Hinge(Tensor.Zeros(0), Tensor.Zeros(0)), typeof(ArgumentException), ["Hinge", "empty", "[0]"]),
        ["Hinge/l2-negative"] = (() => Loss.Hinge(Tensor.Zeros(2), V(1, -1), Tensor.Ones(2), -0.1), typeof(ArgumentOutOfRangeException), ["Hinge", "l2", "-0.1"]),
        ["Hinge/l2-without-weights"] = (() => Loss.Hinge(Tensor.Zeros(2), V(1, -1), null, 0.5), typeof(ArgumentException), ["Hinge", "l2 = 0.5", "without weights"]),
        ["Logistic/label-01"] = (() => Loss.Logistic(Tensor.Zeros(2), V(0, 1)), typeof(ArgumentException), ["Logistic", "-1 or +1", "labels[0] = 0"]),
        ["Logistic/label-NaN"] = (() => Loss.Logistic(Tensor.Zeros(2), V(1, double.NaN)), typeof(ArgumentException), ["Logistic", "labels[1] = NaN"]),
        ["Logistic/l2-NaN"] = (() => Loss.Logistic(Tensor.Zeros(2), V(1, -1), Tensor.Ones(2), double.NaN), typeof(ArgumentOutOfRangeException), ["Logistic", "l2", "NaN"]),
        ["Logistic/l2-with-None"] = (() => Loss.Logistic(Tensor.Zeros(2), V(1, -1), Tensor.Ones(2), 0.5, Reduction.None), typeof(ArgumentException), ["Logistic", "Reduction.None", "[2]"]),
        ["Logistic/weights-dtype"] = (() => Loss.Logistic(Tensor.Zeros(2), V(1, -1), Tensor.Ones([2], DType.Float32), 0.5), typeof(ArgumentException), ["Logistic", "weights", "float32"]),
        ["SoftmaxCrossEntropy/label-too-large"] = (() => Loss.SoftmaxCrossEntropy(Tensor.Zeros(2, 3), [0, 3]), typeof(ArgumentOutOfRangeException),
            ["SoftmaxCrossEntropy", "labels[1] = 3", "3 classes", "[2, 3]"]),
        ["SoftmaxCrossEntropy/label-negative"] = (() => Loss.SoftmaxCrossEntropy(Tensor.Zeros(2, 3), [-1, 0]), typeof(ArgumentOutOfRangeException),
            ["SoftmaxCrossEntropy", "labels[0] = -1"]),
        ["SoftmaxCrossEntropy/label-count"] = (() => Loss.SoftmaxCrossEntropy(Tensor.Zeros(2, 3), [0]), typeof(ArgumentException), ["SoftmaxCrossEntropy", "1 labels", "[2, 3]"]),
        ["SoftmaxCrossEntropy/1-d-two-labels"] = (() => Loss.SoftmaxCrossEntropy(Tensor.Zeros(3), [0, 1]), typeof(ArgumentException), ["SoftmaxCrossEntropy", "2 labels", "[3]"]),
        ["SoftmaxCrossEntropy/rank-3"] = (() => Loss.SoftmaxCrossEntropy(Tensor.Zeros(2, 3, 4), [0, 1]), typeof(ArgumentException), ["SoftmaxCrossEntropy", "[2, 3, 4]"]),
        ["SoftmaxCrossEntropy/rank-0"] = (() => Loss.SoftmaxCrossEntropy(Tensor.Scalar(1), [0]), typeof(ArgumentException), ["SoftmaxCrossEntropy", "[]"]),
        ["SoftmaxCrossEntropy/no-classes"] = (() => Loss.SoftmaxCrossEntropy(Tensor.Zeros(2, 0), [0, 0]), typeof(ArgumentException), ["SoftmaxCrossEntropy", "C = 0", "[2, 0]"]),
        ["SoftmaxCrossEntropy/empty-batch"] = (() => Loss.SoftmaxCrossEntropy(Tensor.Zeros(0, 3), []), typeof(ArgumentException), ["SoftmaxCrossEntropy", "N = 0", "[0, 3]"]),
        ["SoftmaxCrossEntropy/null-labels"] = (() => Loss.SoftmaxCrossEntropy(Tensor.Zeros(2, 3), (int[])null!), typeof(ArgumentNullException), ["labels"]),
        ["SoftmaxCrossEntropy/targets-shape"] = (() => Loss.SoftmaxCrossEntropy(Tensor.Zeros(2, 3), Tensor.Zeros(2, 4)), typeof(ArgumentException), ["SoftmaxCrossEntropy", "[2, 3]", "[2, 4]"]),
        ["SoftmaxCrossEntropy/targets-above-1"] = (() => Loss.SoftmaxCrossEntropy(Tensor.Zeros(2, 2), Tensor.FromArray([0, 1.5, 0, 1], 2, 2)), typeof(ArgumentException),
            ["SoftmaxCrossEntropy", "[0, 1]", "targets[0, 1] = 1.5"]),
        ["SoftmaxCrossEntropy/targets-negative"] = (() => Loss.SoftmaxCrossEntropy(Tensor.Zeros(3), V(0.5, 0.75, -0.25)), typeof(ArgumentException),
            ["SoftmaxCrossEntropy", "targets[2] = -0.25"]),
        ["BinaryCrossEntropyWithLogits/targets-above-1"] = (() => Loss.BinaryCrossEntropyWithLogits(Tensor.Zeros(3), V(0, 1, 1.5)), typeof(ArgumentException),
            ["BinaryCrossEntropyWithLogits", "[0, 1]", "targets[2] = 1.5"]),
        ["BinaryCrossEntropyWithLogits/targets-NaN"] = (() => Loss.BinaryCrossEntropyWithLogits(Tensor.Zeros(2), V(double.NaN, 0)), typeof(ArgumentException),
            ["BinaryCrossEntropyWithLogits", "targets[0] = NaN"]),
        ["BinaryCrossEntropyWithLogits/shapes"] = (() => Loss.BinaryCrossEntropyWithLogits(Tensor.Zeros(3, 1), Tensor.Zeros(3)), typeof(ArgumentException),
            ["BinaryCrossEntropyWithLogits", "[3, 1]", "[3]"]),
    };

    public static IEnumerable<object[]> BadInputNames => BadInputs.Keys.Select(k => new object[] { k });

    [Theory]
    [MemberData(nameof(BadInputNames))]
    public void Bad_input_throws_naming_the_loss_and_the_offending_values(string name)
    {
        var (call, type, fragments) = BadInputs[name];
        var x = Record.Exception(() => call());
        Assert.NotNull(x);
        Assert.IsType(type, x);
        foreach (var f in fragments) Assert.Contains(f, x.Message);
    }
}
