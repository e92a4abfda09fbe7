using AutoGrad.Optim;
using AutoGrad.Optim.Models;

namespace AutoGrad.Tests.Optim;

/// <summary>
/// The model building blocks against hand computations: Linear and Mlp forward values, BatchNorm1d statistics and
/// running averages, gradient checks through <see cref="Module.FunctionalCall"/>, the initialisation schemes'
/// statistics, the symmetry lesson, the module tree (names, state, modes) and every bad-input exception.
/// </summary>
public class ModelTests
{
    // ---- helpers ----------------------------------------------------------------------------------------------

    private static Tensor M(double[,] v) => Tensor.FromArray(v);
    private static Tensor V(params double[] v) => Tensor.FromArray(v);

    private static void Close(double[] expected, Tensor actual, double tol = 1e-12)
    {
        var a = actual.ToArray();
        Assert.Equal(expected.Length, a.Length);
        for (int i = 0; i < a.Length; i++)
            Assert.True(Math.Abs(expected[i] - a[i]) <= tol * Math.Max(1, Math.Abs(expected[i])), $"element {i}: expected {expected[i]:R}, got {a[i]:R}");
    }

    /// <summary>Sets named parameters or buffers of a module to the given values (the rest unchanged).</summary>
    private static void Set(Module m, params (string Name, Tensor Value)[] values)
    {
        var state = m.StateDict().ToDictionary(kv => kv.Key, kv => kv.Value);
        foreach (var (name, value) in values) state[name] = value;
        m.LoadStateDict(state);
    }

    private static (double Mean, double Variance) Moments(double[] v)
    {
        double mean = v.Average();
        return (mean, v.Sum(x => (x - mean) * (x - mean)) / (v.Length - 1));
    }

    /// <summary>Asserts that the sample moments of n draws fit mean 0 and <paramref name="variance"/> within five standard errors.</summary>
    private static void FitsMoments(double[] draws, double variance, string what)
    {
        var (mean, v) = Moments(draws);
        int n = draws.Length;
        // Standard errors: √(σ²/n) for the mean; at most σ²·√(2/n) for the sample variance of a normal (a uniform's is smaller).
        Assert.True(Math.Abs(mean) <= 5 * Math.Sqrt(variance / n), $"{what}: mean {mean:G4}, expected 0 ± {5 * Math.Sqrt(variance / n):G3}");
        Assert.True(Math.Abs(v - variance) <= 5 * variance * Math.Sqrt(2.0 / n), $"{what}: variance {v:G6}, expected {variance:G6} ± {5 * variance * Math.Sqrt(2.0 / n):G3}");
    }

    private static GradCheckResult CheckParameters(Module model, Tensor x, Func<Tensor, Tensor> loss) =>
        GradCheck.Check(ps => loss(model.FunctionalCall(ps, x)), model.Parameters().Select(p => p.Detach().Copy()).ToArray());

    // ---- Linear ------------------------------------------------------------------------------------------------

    [Fact]
    public void Linear_computes_x_times_W_transposed_plus_b_on_the_last_axis()
    {
        var layer = Linear.FromWeights(M(new double[,] { { 1, 2, 3 }, { 4, 5, 6 } }), V(0.5, -1));
        var x = M(new double[,] { { 1, 0, -1 }, { 2, 1, 0 } });
        // Row 0: [1 − 3 + 0.5, 4 − 6 − 1]; row 1: [2 + 2 + 0.5, 8 + 5 − 1].
        Close([-1.5, -3, 4.5, 12], layer.Forward(x));
        Assert.Equal([2, 2], layer.Forward(x).Shape);

        var single = layer.Forward(V(1, 0, -1));
        Assert.Equal([2], single.Shape);
        Close([-1.5, -3], single);

        var stacked = layer.Forward(Tensor.Concat([x, x]).Reshape(2, 2, 3));
        Assert.Equal([2, 2, 2], stacked.Shape);
        Close([-1.5, -3, 4.5, 12, -1.5, -3, 4.5, 12], stacked);

        var noBias = Linear.FromWeights(M(new double[,] { { 1, 2, 3 }, { 4, 5, 6 } }));
        Assert.Null(noBias.Bias);
        Close([-2, -2, 4, 13], noBias.Forward(x));
        Assert.Equal(["weight"], noBias.Parameters().Names);
    }

    [Fact]
    public void Linear_gradients_are_g_transposed_times_x_and_the_row_sums_of_g()
    {
        var layer = new Linear(3, 2, seed: 4);
        var x = Tensor.Randn([5, 3], 1);
        var g = Tensor.Randn([5, 2], 2);
        (layer.Forward(x) * g).Sum().Backward();
        var expectedW = g.Transpose().MatMul(x);
        Close(expectedW.ToArray(), layer.Weight.Grad!);
        Close(g.Sum(0).ToArray(), layer.Bias!.Grad!);
    }

    [Fact]
    public void Linear_is_initialised_from_its_seed_and_by_torch_default_unless_told()
    {
        var a = new Linear(4, 3, seed: 11);
        var b = new Linear(4, 3, seed: 11);
        var c = new Linear(4, 3, seed: 12);
        Assert.Equal(a.Weight.ToArray(), b.Weight.ToArray());
        Assert.Equal(a.Bias!.ToArray(), b.Bias!.ToArray());
        Assert.NotEqual(a.Weight.ToArray(), c.Weight.ToArray());
        Assert.Equal("TorchDefault", a.Initialization!.ToString());
        Assert.All(a.Weight.ToArray().Concat(a.Bias.ToArray()), w => Assert.True(Math.Abs(w) <= 0.5));  // 1/√4
        Assert.True(a.Weight.RequiresGrad && a.Bias.RequiresGrad);

        // One generator shared by two layers continues its sequence: the second layer differs from the first.
        var rng = new Rng(5);
        var first = new Linear(4, 3, rng, init: Init.HeNormal());
        var second = new Linear(4, 3, rng, init: Init.HeNormal());
        Assert.NotEqual(first.Weight.ToArray(), second.Weight.ToArray());
        Assert.All(new Linear(4, 3, seed: 1, init: Init.HeNormal()).Bias!.ToArray(), v => Assert.Equal(0, v));
    }

    // ---- Mlp and Sequential ------------------------------------------------------------------------------------

    [Fact]
    public void Mlp_forward_matches_a_hand_computation()
    {
        var mlp = new Mlp([2, 2, 1], Activation.Relu);
        Assert.Equal(["0.weight", "0.bias", "2.weight", "2.bias"], mlp.Parameters().Names);
        Set(mlp, ("0.weight", M(new double[,] { { 1, -1 }, { 2, 1 } })), ("0.bias", V(0, -1)),
            ("2.weight", M(new double[,] { { 1, -2 } })), ("2.bias", V(0.5)));
        // Row [1, 2]: hidden relu([−1, 3]) = [0, 3], output 0 − 6 + 0.5. Row [3, −1]: hidden [4, 4], output 4 − 8 + 0.5.
        Close([-5.5, -3.5], mlp.Forward(M(new double[,] { { 1, 2 }, { 3, -1 } })));

        var tanh = new Mlp([2, 2, 1], Activation.Tanh);
        Set(tanh, ("0.weight", M(new double[,] { { 1, -1 }, { 2, 1 } })), ("0.bias", V(0, -1)),
            ("2.weight", M(new double[,] { { 1, -2 } })), ("2.bias", V(0.5)));
        Close([Math.Tanh(-1) - 2 * Math.Tanh(3) + 0.5], tanh.Forward(V(1, 2)));
    }

    [Fact]
    public void Mlp_has_an_activation_between_layers_and_none_at_the_output()
    {
        var mlp = new Mlp([3, 5, 4, 2], Activation.Sigmoid, Init.XavierUniform(), seed: 3);
        Assert.Equal(5, mlp.Count);
        Assert.IsType<Linear>(mlp[0]);
        Assert.IsType<Sigmoid>(mlp[1]);
        Assert.IsType<Linear>(mlp[4]);
        Assert.Equal(3, mlp.Linears.Count);
        Assert.Equal([3, 5, 4, 2], mlp.Sizes);
        Assert.Equal(3 * 5 + 5 + 5 * 4 + 4 + 4 * 2 + 2, mlp.Parameters().ElementCount);
        Assert.Equal([7, 2], mlp.Forward(Tensor.Randn([7, 3], 1)).Shape);
        Assert.Equal(mlp.Linears[2].Weight.ToArray(), new Mlp([3, 5, 4, 2], Activation.Sigmoid, Init.XavierUniform(), seed: 3).Linears[2].Weight.ToArray());
        Assert.Contains("(0): Linear(in 3, out 5, bias)", mlp.ToString());
        Assert.Contains("(1): Sigmoid()", mlp.ToString());
    }

    [Fact]
    public void Sequential_chains_modules_and_an_empty_one_is_the_identity()
    {
        var a = Linear.FromWeights(M(new double[,] { { 2 } }));
        var seq = new Sequential(a, new Identity(), new Tanh(), Linear.FromWeights(M(new double[,] { { 3 } }), V(1)));
        Close([3 * Math.Tanh(2 * 0.25) + 1], seq.Forward(M(new double[,] { { 0.25 } })));
        var x = V(1, 2);
        Assert.Same(x, new Sequential().Forward(x));

        // Nested sequences name their parameters by path and are checked across the nesting.
        var nested = new Sequential(new Sequential(new Linear(2, 3), new Relu()), new Linear(3, 1));
        Assert.Equal(["0.0.weight", "0.0.bias", "1.weight", "1.bias"], nested.Parameters().Names);
        var e = Assert.Throws<ArgumentException>(() => new Sequential(new Sequential(new Linear(2, 3), new Relu()), new Linear(4, 1)));
        Assert.Contains("takes 4 features", e.Message);
        Assert.Contains("produces 3", e.Message);
    }

    // ---- gradient checks ---------------------------------------------------------------------------------------

    [Fact]
    public void Mlp_loss_gradients_with_respect_to_the_parameters_pass_the_gradient_check()
    {
        var x = Tensor.Randn([6, 3], 1);
        int[] labels = [0, 1, 2, 1, 0, 2];
        var tanh = new Mlp([3, 4, 3], Activation.Tanh, Init.XavierNormal(), seed: 2);
        var r = CheckParameters(tanh, x, o => Loss.SoftmaxCrossEntropy(o, labels));
        Assert.True(r.Passed, r.ToString());
        Assert.Equal(4 * 3 + 4 + 3 * 4 + 3, r.Compared);

        var relu = new Mlp([3, 5, 5, 1], Activation.Relu, Init.HeNormal(), seed: 3);
        var y = Tensor.Randn([6, 1], 4);
        var rr = CheckParameters(relu, x, o => Loss.MeanSquaredError(o, y));
        Assert.True(rr.Passed, rr.ToString());

        // The tape's gradient through the module itself equals the functional one.
        var loss = Loss.MeanSquaredError(relu.Forward(x), y);
        loss.Backward();
        var functional = Diff.Grad(ps => Loss.MeanSquaredError(relu.FunctionalCall(ps, x), y), relu.Parameters().Select(p => p.Detach().Copy()).ToArray());
        for (int i = 0; i < functional.Length; i++) Close(functional[i].ToArray(), relu.Parameters()[i].Grad!, 1e-14);
    }

    [Fact]
    public void FunctionalCall_leaves_the_module_as_it_was()
    {
        var layer = new Linear(2, 2, seed: 1);
        var before = layer.Weight;
        var values = layer.Weight.ToArray();
        var y = layer.FunctionalCall([Tensor.Zeros(2, 2), Tensor.Ones(2)], V(3, 4));
        Close([1, 1], y);
        Assert.Same(before, layer.Weight);
        Assert.Equal(values, layer.Weight.ToArray());
        Assert.Null(layer.Weight.Grad);

        Assert.Throws<ArgumentException>(() => layer.FunctionalCall([Tensor.Zeros(2, 2), Tensor.Ones(2)], V(3, 4, 5)));
        Assert.Same(before, layer.Weight);
        var e = Assert.Throws<ArgumentException>(() => layer.FunctionalCall([Tensor.Zeros(2, 2)], V(3, 4)));
        Assert.Contains("1 tensors for the 2 parameters", e.Message);
        e = Assert.Throws<ArgumentException>(() => layer.FunctionalCall([Tensor.Zeros(2, 3), Tensor.Ones(2)], V(3, 4)));
        Assert.Contains("'weight'", e.Message);
    }

    // ---- BatchNorm1d -------------------------------------------------------------------------------------------

    [Fact]
    public void BatchNorm_in_training_normalises_with_the_biased_batch_variance_and_updates_the_running_averages()
    {
        var bn = new BatchNorm1d(2);
        Set(bn, ("weight", V(2, 1)), ("bias", V(0.5, 0)));
        var x = M(new double[,] { { 1, 2 }, { 3, 6 }, { 5, 4 } });
        // Columns: 1, 3, 5 (mean 3) and 2, 6, 4 (mean 4); both have biased variance 8/3 and unbiased variance 4.
        double s = Math.Sqrt(8.0 / 3 + 1e-5);
        Close([2 * -2 / s + 0.5, -2 / s, 0.5, 2 / s, 2 * 2 / s + 0.5, 0], bn.Forward(x));
        Close([0.3, 0.4], bn.RunningMean);           // 0.9·0 + 0.1·mean
        Close([1.3, 1.3], bn.RunningVar);            // 0.9·1 + 0.1·4
        Assert.Equal(1, bn.BatchesTracked);

        // After several batches the running averages follow the recursion, by hand.
        double[] rm = [0.3, 0.4], rv = [1.3, 1.3];
        var rng = new Rng(9);
        for (int k = 0; k < 4; k++)
        {
            var b = Tensor.Randn([5, 2], rng) * 3 + 1;
            bn.Forward(b);
            var cols = b.ToArray2D();
            for (int c = 0; c < 2; c++)
            {
                var col = Enumerable.Range(0, 5).Select(i => cols[i, c]).ToArray();
                var (mean, unbiased) = Moments(col);
                rm[c] = 0.9 * rm[c] + 0.1 * mean;
                rv[c] = 0.9 * rv[c] + 0.1 * unbiased;
            }
        }
        Close(rm, bn.RunningMean);
        Close(rv, bn.RunningVar);
        Assert.Equal(5, bn.BatchesTracked);

        // Evaluation uses the running averages and leaves them alone.
        bn.Eval();
        var e = bn.Forward(x).ToArray2D();
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(2 * (x.At(i, 0) - rm[0]) / Math.Sqrt(rv[0] + 1e-5) + 0.5, e[i, 0], 12);
            Assert.Equal((x.At(i, 1) - rm[1]) / Math.Sqrt(rv[1] + 1e-5), e[i, 1], 12);
        }
        Close(rm, bn.RunningMean);
        Assert.Equal(5, bn.BatchesTracked);
        // A single example is fine in evaluation.
        Assert.Equal([1, 2], bn.Forward(M(new double[,] { { 1, 2 } })).Shape);
    }

    [Fact]
    public void BatchNorm_on_N_C_L_takes_statistics_over_the_batch_and_length()
    {
        var bn = new BatchNorm1d(2, momentum: 0.5, eps: 1e-3);
        // Channel 0 holds 1, 2, 3, 4; channel 1 holds 10, 10, 20, 20.
        var x = Tensor.FromArray(new double[] { 1, 2, 10, 10, 3, 4, 20, 20 }, 2, 2, 2);
        var y = bn.Forward(x);
        double s0 = Math.Sqrt(1.25 + 1e-3), s1 = Math.Sqrt(25 + 1e-3);
        Close([-1.5 / s0, -0.5 / s0, -5 / s1, -5 / s1, 0.5 / s0, 1.5 / s0, 5 / s1, 5 / s1], y);
        Close([0.5 * 2.5, 0.5 * 15], bn.RunningMean);
        Close([0.5 + 0.5 * 5.0 / 3, 0.5 + 0.5 * 100.0 / 3], bn.RunningVar);
    }

    [Fact]
    public void BatchNorm_gradients_in_training_mode_pass_the_gradient_check()
    {
        var bn = new BatchNorm1d(3);
        var x = Tensor.Randn([5, 3], 2) * 2 + 1;
        var gamma = Tensor.Randn([3], 3);
        var beta = Tensor.Randn([3], 4);
        // Gradients with respect to the input flow through the batch mean and variance too.
        var r = GradCheck.Check(a => bn.FunctionalCall([a[1], a[2]], a[0]), [x, gamma, beta]);
        Assert.True(r.Passed, r.ToString());

        var net = new Sequential(new Linear(2, 4, seed: 1), new BatchNorm1d(4), new Tanh(), new Linear(4, 1, seed: 2));
        var xs = Tensor.Randn([6, 2], 5);
        var ys = Tensor.Randn([6, 1], 6);
        var rn = CheckParameters(net, xs, o => Loss.MeanSquaredError(o, ys));
        Assert.True(rn.Passed, rn.ToString());
        Assert.Equal(["0.weight", "0.bias", "1.weight", "1.bias", "3.weight", "3.bias"], net.Parameters().Names);
        Assert.Equal(["1.runningMean", "1.runningVar"], net.Buffers().Select(b => b.Name));
    }

    [Fact]
    public void BatchNorm_defaults_are_torchs()
    {
        var bn = new BatchNorm1d(4);
        Assert.Equal(0.1, bn.Momentum);
        Assert.Equal(1e-5, bn.Eps);
        Assert.Equal(0.1, BatchNorm1d.DefaultMomentum);
        Assert.Equal(1e-5, BatchNorm1d.DefaultEps);
        Assert.All(bn.Weight.ToArray(), v => Assert.Equal(1, v));
        Assert.All(bn.Bias.ToArray(), v => Assert.Equal(0, v));
        Assert.All(bn.RunningMean.ToArray(), v => Assert.Equal(0, v));
        Assert.All(bn.RunningVar.ToArray(), v => Assert.Equal(1, v));
        Assert.False(bn.RunningMean.RequiresGrad);
    }

    // ---- initialisation ----------------------------------------------------------------------------------------

    [Fact]
    public void He_and_Xavier_weights_have_the_documented_mean_and_variance()
    {
        int[] shape = [400, 250];
        const int fanIn = 250, fanOut = 400;
        FitsMoments(Init.HeNormal().Weight(shape, new Rng(1)).ToArray(), 2.0 / fanIn, "HeNormal");
        FitsMoments(Init.HeUniform().Weight(shape, new Rng(2)).ToArray(), 2.0 / fanIn, "HeUniform");
        FitsMoments(Init.XavierNormal().Weight(shape, new Rng(3)).ToArray(), 2.0 / (fanIn + fanOut), "XavierNormal");
        FitsMoments(Init.XavierUniform().Weight(shape, new Rng(4)).ToArray(), 2.0 / (fanIn + fanOut), "XavierUniform");
        FitsMoments(Init.XavierNormal(5.0 / 3).Weight(shape, new Rng(5)).ToArray(), 25.0 / 9 * 2 / (fanIn + fanOut), "XavierNormal(5/3)");
        FitsMoments(Init.TorchDefault().Weight(shape, new Rng(6)).ToArray(), 1.0 / (3 * fanIn), "TorchDefault");

        // Uniform schemes stay inside their bounds.
        Assert.All(Init.HeUniform().Weight(shape, new Rng(7)).ToArray(), w => Assert.True(Math.Abs(w) <= Math.Sqrt(6.0 / fanIn)));
        Assert.All(Init.XavierUniform().Weight(shape, new Rng(8)).ToArray(), w => Assert.True(Math.Abs(w) <= Math.Sqrt(6.0 / (fanIn + fanOut))));
    }

    [Fact]
    public void Initialisation_is_reproducible_from_the_seed()
    {
        foreach (var init in new[] { Init.HeNormal(), Init.HeUniform(), Init.XavierNormal(), Init.XavierUniform(), Init.TorchDefault() })
        {
            Assert.Equal(init.Weight([5, 7], new Rng(42)).ToArray(), init.Weight([5, 7], new Rng(42)).ToArray());
            Assert.NotEqual(init.Weight([5, 7], new Rng(42)).ToArray(), init.Weight([5, 7], new Rng(43)).ToArray());
        }
        var a = new Mlp([3, 8, 8, 1], Activation.Relu, Init.HeNormal(), seed: 7).StateDict();
        var b = new Mlp([3, 8, 8, 1], Activation.Relu, Init.HeNormal(), seed: 7).StateDict();
        foreach (var (name, t) in a) Assert.Equal(t.ToArray(), b[name].ToArray());
    }

    [Fact]
    public void Fans_gains_and_names_follow_torch()
    {
        Assert.Equal((3, 5), Init.Fans([5, 3]));
        Assert.Equal((3 * 4 * 2, 5 * 4 * 2), Init.Fans([5, 3, 4, 2]));
        Assert.Equal(Math.Sqrt(2), Init.Gain(Activation.Relu));
        Assert.Equal(5.0 / 3, Init.Gain(Activation.Tanh));
        Assert.Equal(1, Init.Gain(Activation.Sigmoid));
        Assert.Equal(1, Init.Gain(Activation.Identity));
        Assert.Equal("XavierUniform(gain 1.66667)", Init.XavierUniform(5.0 / 3).ToString());
        Assert.Equal("Zeros", Init.Zeros().ToString());
        Assert.All(Init.Zeros().Weight([3, 2], new Rng(1)).ToArray(), v => Assert.Equal(0, v));
        Assert.All(Init.Constant(0.25).Weight([3, 2], new Rng(1)).ToArray(), v => Assert.Equal(0.25, v));
        // TorchDefault draws the bias too, within 1/√fan_in; the others leave it at zero.
        var bias = Init.TorchDefault().Bias(1000, 16, new Rng(1)).ToArray();
        Assert.All(bias, v => Assert.True(Math.Abs(v) <= 0.25));
        Assert.True(bias.Max() > 0.2 && bias.Min() < -0.2);
        Assert.All(Init.HeNormal().Bias(10, 16, new Rng(1)).ToArray(), v => Assert.Equal(0, v));
    }

    /// <summary>Rows of the first layer's weight (one per hidden unit) and the columns of the second's.</summary>
    private static (double[][] In, double[][] Out) HiddenUnits(Mlp mlp)
    {
        var w1 = mlp.Linears[0].Weight.ToArray2D();
        var w2 = mlp.Linears[1].Weight.ToArray2D();
        var b1 = mlp.Linears[0].Bias!.ToArray();
        int h = w1.GetLength(0);
        var rows = Enumerable.Range(0, h).Select(j => Enumerable.Range(0, w1.GetLength(1)).Select(i => w1[j, i]).Append(b1[j]).ToArray()).ToArray();
        var cols = Enumerable.Range(0, h).Select(j => Enumerable.Range(0, w2.GetLength(0)).Select(k => w2[k, j]).ToArray()).ToArray();
        return (rows, cols);
    }

    private static void TrainSteps(Mlp mlp, int steps)
    {
        var x = Tensor.Randn([16, 2], 1);
        var y = (x.Select(1, 0) * x.Select(1, 1)).Sin().Reshape(16, 1);
        var gd = new GradientDescent(mlp.Parameters(), 0.5);
        for (int k = 0; k < steps; k++)
        {
            gd.ZeroGrad();
            Loss.MeanSquaredError(mlp.Forward(x), y).Backward();
            gd.Step();
        }
    }

    [Fact]
    public void Zero_initialisation_keeps_hidden_units_identical_while_He_initialisation_breaks_the_symmetry()
    {
        // Sigmoid: zero pre-activations give hidden outputs ½, so the weights do move, but every unit gets the same update.
        var zero = new Mlp([2, 4, 1], Activation.Sigmoid, Init.Zeros());
        TrainSteps(zero, 20);
        var (rows, cols) = HiddenUnits(zero);
        Assert.True(rows[0].Any(v => v != 0) && cols[0][0] != 0, "the zero-initialised weights did not move");
        for (int j = 1; j < rows.Length; j++)
        {
            Assert.Equal(rows[0], rows[j]);
            Assert.Equal(cols[0], cols[j]);
        }

        // Any constant does the same: the units move together.
        var constant = new Mlp([2, 4, 1], Activation.Tanh, Init.Constant(0.3));
        TrainSteps(constant, 20);
        var (crows, _) = HiddenUnits(constant);
        Assert.All(crows, r => Assert.Equal(crows[0], r));

        var he = new Mlp([2, 4, 1], Activation.Sigmoid, Init.HeNormal(), seed: 1);
        TrainSteps(he, 20);
        var (hrows, _) = HiddenUnits(he);
        for (int j = 0; j < hrows.Length; j++)
            for (int k = j + 1; k < hrows.Length; k++)
                Assert.True(hrows[j].Zip(hrows[k]).Max(p => Math.Abs(p.First - p.Second)) > 1e-3, $"units {j} and {k} are alike");
    }

    private sealed class Ramp : Init
    {
        public override string ToString() => "Ramp";
        protected override void FillWeight(Span<double> w, int fanIn, int fanOut, Rng rng)
        {
            for (int i = 0; i < w.Length; i++) w[i] = i / (double)fanIn;
        }
        protected override void FillBias(Span<double> b, int fanIn, Rng rng) => b.Fill(-1);
    }

    private sealed class Square : ElementwiseModule
    {
        public override Tensor Forward(Tensor input) => input.Square();
    }

    [Fact]
    public void Schemes_and_activations_of_ones_own_plug_in()
    {
        var layer = new Linear(2, 2, init: new Ramp());
        Assert.Equal([0, 0.5, 1, 1.5], layer.Weight.ToArray());
        Assert.Equal([-1.0, -1], layer.Bias!.ToArray());
        // [1, 1] → [0.5 − 1, 2.5 − 1] → squared [0.25, 2.25] → 0.25 + 2·2.25.
        var net = new Sequential(layer, new Square(), Linear.FromWeights(M(new double[,] { { 1, 2 } })));
        Close([4.75, 4.75], net.Forward(Tensor.Ones(2, 2)));
        // The custom activation passes the size through, so a mismatch across it is still caught.
        Assert.Throws<ArgumentException>(() => new Sequential(new Linear(2, 2), new Square(), new Linear(3, 1)));
    }

    // ---- the module tree ---------------------------------------------------------------------------------------

    [Fact]
    public void Train_and_Eval_switch_the_whole_tree()
    {
        var bn = new BatchNorm1d(3);
        var net = new Sequential(new Linear(2, 3), new Sequential(bn, new Relu()));
        Assert.True(net.Training && bn.Training);
        Assert.Same(net, net.Eval());
        Assert.False(net.Training);
        Assert.False(bn.Training);
        net.Train();
        Assert.True(bn.Training);
    }

    [Fact]
    public void StateDict_round_trips_parameters_and_buffers_in_place()
    {
        var net = new Sequential(new Linear(2, 3, seed: 1), new BatchNorm1d(3));
        net.Forward(Tensor.Randn([4, 2], 1));
        var state = net.StateDict();
        Assert.Equal(["0.weight", "0.bias", "1.weight", "1.bias", "1.runningMean", "1.runningVar"], state.Keys);
        var weight = net.Parameters()["0.weight"];
        var saved = weight.ToArray();
        var savedMean = ((BatchNorm1d)net[1]).RunningMean.ToArray();
        Assert.False(state["0.weight"].RequiresGrad);

        net.Forward(Tensor.Randn([4, 2], 2));
        new GradientDescent(net.Parameters(), 1).Step(() => net.Forward(Tensor.Randn([4, 2], 3)).Sum());
        Assert.NotEqual(saved, weight.ToArray());
        net.LoadStateDict(state);
        Assert.Same(weight, net.Parameters()["0.weight"]);
        Assert.Equal(saved, weight.ToArray());
        Assert.Equal(savedMean, ((BatchNorm1d)net[1]).RunningMean.ToArray());

        var missing = state.Where(kv => kv.Key != "1.bias").ToDictionary();
        Assert.Contains("no entry '1.bias'", Assert.Throws<ArgumentException>(() => net.LoadStateDict(missing)).Message);
        var extra = state.Append(new("2.weight", Tensor.Zeros(1))).ToDictionary();
        Assert.Contains("'2.weight' is not a parameter or buffer", Assert.Throws<ArgumentException>(() => net.LoadStateDict(extra)).Message);
        var wrongShape = state.ToDictionary(kv => kv.Key, kv => kv.Key == "0.bias" ? Tensor.Zeros(4) : kv.Value);
        Assert.Contains("'0.bias' is float64 [4] in the state but float64 [3]", Assert.Throws<ArgumentException>(() => net.LoadStateDict(wrongShape)).Message);
    }

    [Fact]
    public void Parameters_are_named_and_shared_tensors_are_listed_once()
    {
        var shared = new Linear(3, 3, seed: 1);
        var net = new Sequential(shared, new Tanh(), new Linear(3, 3, seed: 2));
        var ps = net.Parameters();
        Assert.Equal(4, ps.Count);
        Assert.Same(shared.Weight, ps["0.weight"]);
        Assert.True(ps.Contains("2.bias"));
        Assert.False(ps.Contains("1.weight"));
        Assert.Contains("no parameter named 'x'", Assert.Throws<KeyNotFoundException>(() => ps["x"]).Message);
        Assert.Equal(ps.Names, ps.Named.Select(p => p.Name));

        var tied = new Tied();
        Assert.Single(tied.Parameters());
        Assert.Equal(["a.weight"], tied.Parameters().Names);
        // A substitute replaces the tensor in every place it is registered.
        Close([2 * 2 * 3], tied.FunctionalCall([M(new double[,] { { 2 } })], V(3)));
    }

    /// <summary>A module using one Linear twice (weight tying), registered under two names.</summary>
    private sealed class Tied : Module
    {
        private readonly Linear _a, _b;

        public Tied()
        {
            _a = RegisterModule("a", Linear.FromWeights(M(new double[,] { { 1 } })));
            _b = RegisterModule("b", _a);
        }

        public override Tensor Forward(Tensor input) => _b.Forward(_a.Forward(input));
    }

    /// <summary>A custom module registering whatever it is told, for the registration checks.</summary>
    private sealed class Custom : Module
    {
        public Custom(Action<Custom> register) => register(this);
        public void Parameter(string name, Tensor t) => RegisterParameter(name, t);
        public void Buffer(string name, Tensor t) => RegisterBuffer(name, t);
        public void Child(string name, Module m) => RegisterModule(name, m);
        public override Tensor Forward(Tensor input) => input;
    }

    // ---- bad inputs --------------------------------------------------------------------------------------------

    [Fact]
    public void Mismatched_feature_sizes_name_the_layer_and_the_shapes()
    {
        var net = new Mlp([3, 4, 2]);
        var e = Assert.Throws<ArgumentException>(() => net.Forward(Tensor.Zeros(5, 2)));
        Assert.Contains("Linear(in 3, out 4, bias) at '0'", e.Message);
        Assert.Contains("shape [5, 2]", e.Message);
        Assert.Contains("inFeatures = 3", e.Message);

        e = Assert.Throws<ArgumentException>(() => new Sequential(new Linear(2, 3), new Relu(), new Linear(4, 1)));
        Assert.Contains("layer 2, Linear(in 4, out 1, bias), takes 4 features but layer 0, Linear(in 2, out 3, bias), produces 3", e.Message);
        e = Assert.Throws<ArgumentException>(() => new Sequential(new Linear(2, 3), new BatchNorm1d(4)));
        Assert.Contains("BatchNorm1d(4, momentum 0.1, eps 1E-05)", e.Message);

        var bn = new BatchNorm1d(3);
        e = Assert.Throws<ArgumentException>(() => bn.Forward(Tensor.Zeros(5, 2)));
        Assert.Contains("[N, 3] or [N, 3, L]", e.Message);
        Assert.Throws<ArgumentException>(() => bn.Forward(Tensor.Zeros(3)));
        e = Assert.Throws<ArgumentException>(() => bn.Forward(Tensor.Zeros(1, 3)));
        Assert.Contains("more than one value per feature", e.Message);
        Assert.Throws<ArgumentException>(() => new Linear(3, 2).Forward(Tensor.Scalar(1)));
        e = Assert.Throws<ArgumentException>(() => new Linear(3, 2).Forward(Tensor.Zeros([4, 3], DType.Float32)));
        Assert.Contains("float32", e.Message);
    }

    [Fact]
    public void Bad_arguments_are_refused_with_clear_messages()
    {
        Assert.Contains("inFeatures must be positive", Assert.Throws<ArgumentOutOfRangeException>(() => new Linear(0, 2)).Message);
        Assert.Contains("outFeatures must be positive", Assert.Throws<ArgumentOutOfRangeException>(() => new Linear(2, -1)).Message);
        Assert.Throws<ArgumentNullException>(() => new Linear(2, 2, (Rng)null!));
        Assert.Throws<ArgumentException>(() => Linear.FromWeights(V(1, 2)));
        Assert.Contains("needs a float64 bias of shape [2]", Assert.Throws<ArgumentException>(() => Linear.FromWeights(Tensor.Zeros(2, 3), V(1, 2, 3))).Message);

        Assert.Throws<ArgumentOutOfRangeException>(() => new BatchNorm1d(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new BatchNorm1d(2, momentum: 1.5));
        Assert.Throws<ArgumentOutOfRangeException>(() => new BatchNorm1d(2, momentum: double.NaN));
        Assert.Throws<ArgumentOutOfRangeException>(() => new BatchNorm1d(2, eps: 0));

        Assert.Contains("at least two sizes", Assert.Throws<ArgumentException>(() => new Mlp([3])).Message);
        Assert.Contains("sizes[1] = 0", Assert.Throws<ArgumentException>(() => new Mlp([3, 0, 1])).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new Mlp([3, 1], (Activation)17));
        Assert.Throws<ArgumentNullException>(() => new Sequential(new Relu(), null!));
        var relu = new Relu();
        Assert.Contains("same module as layer 0", Assert.Throws<ArgumentException>(() => new Sequential(relu, relu)).Message);

        Assert.Contains("rank ≥ 2", Assert.Throws<ArgumentException>(() => Init.Fans([3])).Message);
        Assert.Throws<ArgumentException>(() => Init.Fans([3, 0]));
        Assert.Throws<ArgumentOutOfRangeException>(() => Init.XavierNormal(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => Init.XavierUniform(double.PositiveInfinity));
        Assert.Throws<ArgumentOutOfRangeException>(() => Init.Constant(double.NaN));
        Assert.Throws<ArgumentOutOfRangeException>(() => Init.Gain((Activation)9));

        Assert.Contains("already registered", Assert.Throws<ArgumentException>(() => new Custom(c => { c.Parameter("w", Tensor.Zeros(1)); c.Buffer("w", Tensor.Zeros(1)); })).Message);
        Assert.Contains("contain no '.'", Assert.Throws<ArgumentException>(() => new Custom(c => c.Parameter("a.b", Tensor.Zeros(1)))).Message);
        Assert.Throws<ArgumentException>(() => new Custom(c => c.Parameter("", Tensor.Zeros(1))));
        Assert.Contains("leaf", Assert.Throws<ArgumentException>(() => new Custom(c => c.Parameter("w", Tensor.Zeros(1).RequireGrad() * 2))).Message);
        Assert.Contains("inside itself", Assert.Throws<ArgumentException>(() => new Custom(c => c.Child("me", c))).Message);
        Assert.Throws<ArgumentNullException>(() => new Linear(2, 2).Forward(null!));
    }
}
