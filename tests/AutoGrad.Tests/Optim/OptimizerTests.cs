using System.Globalization;
using AutoGrad.Optim;

namespace AutoGrad.Tests.Optim;

/// <summary>The update rules' contract: documented defaults, validation, reset, float32, null gradients, SIMD/scalar agreement, no allocation.</summary>
public class OptimizerTests
{
    private static Tensor P() => OptimSupport.Param(1.0, -2.0, 0.5);

    // ---- Defaults ----

    [Fact]
    public void Sgd_defaults_are_torchs()
    {
        var o = new SgdOptions(0.1);
        Assert.Equal((0.1, 0.0, 0.0, 0.0, false), (o.LearningRate, o.Momentum, o.Dampening, o.WeightDecay, o.Nesterov));
        var sgd = new Sgd([P()], 0.1);
        Assert.Equal(o, sgd.Options);
        Assert.Equal(0.1, sgd.LearningRate);
        Assert.Equal("SGD", sgd.Name);
    }

    [Fact]
    public void Adagrad_defaults_are_torchs()
    {
        var o = AdagradOptions.Default;
        Assert.Equal((1e-2, 0.0, 0.0, 0.0, 1e-10), (o.LearningRate, o.LrDecay, o.WeightDecay, o.InitialAccumulatorValue, o.Eps));
        Assert.Equal(o, new AdagradOptions());
        var a = new Adagrad([P()]);
        Assert.Equal(o, a.Options);
        Assert.Equal(1e-2, a.LearningRate);
        Assert.Equal(new AdagradOptions(learningRate: 0.5), new AdagradOptions { LearningRate = 0.5 });
    }

    [Fact]
    public void RmsProp_defaults_are_torchs()
    {
        var o = RmsPropOptions.Default;
        Assert.Equal((1e-2, 0.99, 1e-8, 0.0, 0.0, false, false), (o.LearningRate, o.Alpha, o.Eps, o.WeightDecay, o.Momentum, o.Centered, o.EpsInsideSqrt));
        Assert.Equal(o, new RmsPropOptions());
        var r = new RmsProp([P()]);
        Assert.Equal(o, r.Options);
        Assert.Equal(1e-2, r.LearningRate);
        Assert.Equal("RMSProp", r.Name);
    }

    [Fact]
    public void Adam_defaults_are_torchs()
    {
        var o = AdamOptions.Default;
        Assert.Equal((1e-3, 0.9, 0.999, 1e-8, 0.0, false), (o.LearningRate, o.Beta1, o.Beta2, o.Eps, o.WeightDecay, o.Amsgrad));
        Assert.Equal(o, new AdamOptions());
        var a = new Adam([P()]);
        Assert.Equal(o, a.Options);
        Assert.Equal(1e-3, a.LearningRate);
    }

    [Fact]
    public void AdamW_defaults_are_torchs_with_weight_decay_1e_2()
    {
        var o = AdamWOptions.Default;
        Assert.Equal((1e-3, 0.9, 0.999, 1e-8, 1e-2, false), (o.LearningRate, o.Beta1, o.Beta2, o.Eps, o.WeightDecay, o.Amsgrad));
        Assert.Equal(o, new AdamWOptions());
        var a = new AdamW([P()]);
        Assert.Equal(o, a.Options);
        Assert.Equal(1e-3, a.LearningRate);
    }

    // ---- Validation ----

    public static TheoryData<string, string, double> BadHyperparameters => new()
    {
        { "SGD", "learningRate", 0 }, { "SGD", "learningRate", -0.1 }, { "SGD", "learningRate", double.NaN }, { "SGD", "learningRate", double.PositiveInfinity },
        { "SGD", "momentum", -0.1 }, { "SGD", "momentum", 1 }, { "SGD", "dampening", -0.5 }, { "SGD", "dampening", 1.5 },
        { "SGD", "weightDecay", -1e-4 }, { "SGD", "weightDecay", double.NaN },
        { "Adagrad", "learningRate", -1 }, { "Adagrad", "lrDecay", -0.1 }, { "Adagrad", "weightDecay", -1 },
        { "Adagrad", "initialAccumulatorValue", -0.5 }, { "Adagrad", "eps", 0 },
        { "RMSProp", "learningRate", 0 }, { "RMSProp", "alpha", 1 }, { "RMSProp", "alpha", -0.25 }, { "RMSProp", "eps", -1e-8 },
        { "RMSProp", "weightDecay", -2 }, { "RMSProp", "momentum", 1.5 },
        { "Adam", "learningRate", double.NaN }, { "Adam", "beta1", 1 }, { "Adam", "beta1", -0.5 }, { "Adam", "beta2", 1.5 },
        { "Adam", "eps", 0 }, { "Adam", "weightDecay", -0.01 },
        { "AdamW", "learningRate", -1e-3 }, { "AdamW", "beta1", 1.25 }, { "AdamW", "beta2", 1 }, { "AdamW", "eps", -1 }, { "AdamW", "weightDecay", -0.01 },
    };

    private static Optimizer Make(string optimizer, string name, double v, Tensor p)
    {
        double Or(string n, double d) => n == name ? v : d;
        return optimizer switch
        {
            "SGD" => new Sgd([p], new SgdOptions(Or("learningRate", 0.1), Or("momentum", 0.5), Or("dampening", 0), Or("weightDecay", 0))),
            "Adagrad" => new Adagrad([p], new AdagradOptions(Or("learningRate", 0.1), Or("lrDecay", 0), Or("weightDecay", 0), Or("initialAccumulatorValue", 0), Or("eps", 1e-10))),
            "RMSProp" => new RmsProp([p], new RmsPropOptions(Or("learningRate", 0.1), Or("alpha", 0.99), Or("eps", 1e-8), Or("weightDecay", 0), Or("momentum", 0))),
            "Adam" => new Adam([p], new AdamOptions(Or("learningRate", 0.1), Or("beta1", 0.9), Or("beta2", 0.999), Or("eps", 1e-8), Or("weightDecay", 0))),
            "AdamW" => new AdamW([p], new AdamWOptions(Or("learningRate", 0.1), Or("beta1", 0.9), Or("beta2", 0.999), Or("eps", 1e-8), Or("weightDecay", 0))),
            _ => throw new ArgumentException(optimizer),
        };
    }

    [Theory]
    [MemberData(nameof(BadHyperparameters))]
    public void A_bad_hyperparameter_throws_naming_the_optimizer_and_the_value(string optimizer, string name, double value)
    {
        var p = P();
        var before = p.ToArray();
        Assert.NotNull(Make(optimizer, "none", 0, p)); // the other values are valid
        var e = Assert.ThrowsAny<ArgumentException>(() => Make(optimizer, name, value, p));
        Assert.IsType<ArgumentOutOfRangeException>(e);
        Assert.StartsWith(optimizer + ":", e.Message);
        Assert.Contains(value.ToString(CultureInfo.CurrentCulture), e.Message);
        Assert.Contains(name == "learningRate" ? "learning rate" : name, e.Message);
        Assert.Equal(before, p.ToArray());
        Assert.Null(p.Grad);
    }

    [Fact]
    public void Nesterov_needs_momentum_and_no_dampening()
    {
        var p = P();
        var e = Assert.Throws<ArgumentException>(() => new Sgd([p], new SgdOptions(0.1, nesterov: true)));
        Assert.Contains("SGD: Nesterov", e.Message);
        Assert.Contains("momentum 0", e.Message);
        e = Assert.Throws<ArgumentException>(() => new Sgd([p], new SgdOptions(0.1, momentum: 0.9, dampening: 0.1, nesterov: true)));
        Assert.Contains($"dampening {0.1}", e.Message);
        Assert.NotNull(new Sgd([p], new SgdOptions(0.1, momentum: 0.9, nesterov: true)));
    }

    [Fact]
    public void Setting_a_bad_learning_rate_throws_and_keeps_the_old_one()
    {
        var p = P();
        var adam = new Adam([p]);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => adam.LearningRate = -0.5);
        Assert.Contains("Adam", e.Message);
        Assert.Contains((-0.5).ToString(CultureInfo.CurrentCulture), e.Message);
        Assert.Equal(1e-3, adam.LearningRate);
    }

    [Fact]
    public void Null_options_throw_for_sgd_and_mean_defaults_elsewhere()
    {
        Assert.Throws<ArgumentNullException>(() => new Sgd([P()], (SgdOptions)null!));
        Assert.Equal(AdamOptions.Default, new Adam([P()], null).Options);
    }

    // ---- Reset and reuse ----

    [Theory]
    [MemberData(nameof(OptimSupport.ConfigurationNames), MemberType = typeof(OptimSupport))]
    public void After_reset_a_run_repeats_the_first_bit_for_bit(string configuration)
    {
        var x0 = Problems.Start(7);
        var p = OptimSupport.Param(x0);
        var o = OptimSupport.Configuration(configuration)([p]);
        var s = new SequentialLR([new LinearLR(o, 0.5, totalIters: 4), new CosineAnnealingLR(o, 10, 1e-4)], [4]);
        var (first, lr1) = OptimSupport.Run(Problems.Quadratic, p, o, s, 25);
        Assert.NotEqual(first[0], first[^1]);

        o.Reset();
        s.Reset();
        Assert.Equal(0, o.StepCount);
        Problems.Assign(p, x0);
        var (second, lr2) = OptimSupport.Run(Problems.Quadratic, p, o, s, 25);
        Assert.Equal(lr1, lr2);
        for (int k = 0; k < first.Length; k++)
            Assert.Equal(first[k].Select(BitConverter.DoubleToInt64Bits), second[k].Select(BitConverter.DoubleToInt64Bits));

        // A fresh optimizer gives the same run too: Reset forgets everything.
        Problems.Assign(p, x0);
        var fresh = OptimSupport.Configuration(configuration)([p]);
        var (third, _) = OptimSupport.Run(Problems.Quadratic, p, fresh,
            new SequentialLR([new LinearLR(fresh, 0.5, totalIters: 4), new CosineAnnealingLR(fresh, 10, 1e-4)], [4]), 25);
        Assert.Equal(first[^1], third[^1]);
    }

    // ---- float32 ----

    [Theory]
    [MemberData(nameof(OptimSupport.ConfigurationNames), MemberType = typeof(OptimSupport))]
    public void Float32_parameters_follow_the_float64_run(string configuration)
    {
        var x0 = Problems.Start(7);
        var p64 = OptimSupport.Param(x0);
        var p32 = Tensor.FromArray(x0.Select(v => (float)v).ToArray(), 7).RequireGrad();
        var (a, _) = OptimSupport.Run(Problems.Quadratic, p64, OptimSupport.Configuration(configuration)([p64]), null, 30);
        var (b, _) = OptimSupport.Run(Problems.Quadratic, p32, OptimSupport.Configuration(configuration)([p32]), null, 30);
        Assert.Equal(DType.Float32, p32.DType);
        Assert.Equal(DType.Float32, p32.Grad!.DType);
        Assert.NotEqual(x0, a[^1]);
        for (int k = 0; k < a.Length; k++)
            for (int i = 0; i < 7; i++)
                Assert.True(Math.Abs(a[k][i] - b[k][i]) <= 1e-4 * (1 + Math.Abs(a[k][i])),
                    $"{configuration}, step {k}, coordinate {i}: float64 {a[k][i]} vs float32 {b[k][i]}");
    }

    [Fact]
    public void Float32_and_float64_parameters_mix_in_one_optimizer()
    {
        var a = OptimSupport.Param(1.0, 2.0);
        var b = Tensor.FromArray(new float[] { 1f, 2f }, 2).RequireGrad();
        var adam = new Adam([a, b], new AdamOptions(learningRate: 0.1));
        for (int k = 0; k < 5; k++)
        {
            adam.ZeroGrad();
            a.Square().Sum().Backward();
            b.Square().Sum().Backward();
            adam.Step();
        }
        Assert.Equal(a.ToArray()[0], b.ToArray()[0], 1e-6);
        Assert.Equal(a.ToArray()[1], b.ToArray()[1], 1e-6);
    }

    // ---- Null gradients ----

    [Theory]
    [MemberData(nameof(OptimSupport.ConfigurationNames), MemberType = typeof(OptimSupport))]
    public void A_parameter_without_a_gradient_is_skipped_and_starts_its_state_on_its_first_gradient(string configuration)
    {
        var make = OptimSupport.Configuration(configuration);
        var a = OptimSupport.Param(1.0, -1.0);
        var b = OptimSupport.Param(0.5, 2.0, -3.0);
        var o = make([a, b]);
        for (int k = 0; k < 3; k++)
        {
            o.ZeroGrad();
            a.Square().Sum().Backward();
            o.Step();
        }
        Assert.Null(b.Grad);
        Assert.Equal([0.5, 2.0, -3.0], b.ToArray());
        Assert.NotEqual([1.0, -1.0], a.ToArray());

        // b's first step (the optimizer's fourth) is a first step: t = 1, the buffers start afresh.
        var c = OptimSupport.Param(0.5, 2.0, -3.0);
        var fresh = make([c]);
        for (int k = 0; k < 2; k++)
        {
            o.ZeroGrad();
            (a.Square().Sum() + Problems.Quadratic(b)).Backward();
            o.Step();
            fresh.ZeroGrad();
            Problems.Quadratic(c).Backward();
            fresh.Step();
            Assert.Equal(c.ToArray(), b.ToArray());
        }
    }

    // ---- The SIMD body and the scalar tail agree ----

    [Theory]
    [MemberData(nameof(OptimSupport.ConfigurationNames), MemberType = typeof(OptimSupport))]
    public void A_long_parameter_and_its_elements_as_scalars_update_bit_for_bit_alike(string configuration)
    {
        const int n = 37; // several SIMD lanes and a tail, for both float and double
        foreach (var dtype in new[] { DType.Float64, DType.Float32 })
        {
            var rng = new Rng(11);
            var x0 = Enumerable.Range(0, n).Select(_ => rng.NextGaussian()).ToArray();
            var whole = Tensor.FromArray(x0, n).To(dtype).RequireGrad();
            var parts = x0.Select(v => Tensor.FromArray([v], 1).To(dtype).RequireGrad()).ToArray();
            var ow = OptimSupport.Configuration(configuration)([whole]);
            var op = OptimSupport.Configuration(configuration)(parts);
            for (int k = 0; k < 6; k++)
            {
                var g = Enumerable.Range(0, n).Select(_ => rng.NextGaussian() * (k == 3 ? 0 : 1)).ToArray();
                whole.Grad = Tensor.FromArray(g, n).To(dtype);
                for (int i = 0; i < n; i++) parts[i].Grad = Tensor.FromArray([g[i]], 1).To(dtype);
                ow.Step();
                op.Step();
                var w = whole.ToArray();
                for (int i = 0; i < n; i++)
                    Assert.True(BitConverter.DoubleToInt64Bits(w[i]) == BitConverter.DoubleToInt64Bits(parts[i].ToArray()[0]),
                        $"{configuration}, {dtype}, step {k}, element {i}: {w[i]:R} vs {parts[i].ToArray()[0]:R}");
            }
        }
    }

    // ---- No allocation once warm ----

    [Theory]
    [MemberData(nameof(OptimSupport.ConfigurationNames), MemberType = typeof(OptimSupport))]
    public void A_warm_step_allocates_nothing(string configuration)
    {
        var a = OptimSupport.Param(Problems.Start(7));
        var b = Tensor.FromArray(new float[] { 1f, -2f, 3f, 0.5f, -1f, 2f, 4f, -3f, 1f }, 9).RequireGrad();
        var o = OptimSupport.Configuration(configuration)([a, b]);
        a.Grad = Tensor.OnesLike(a);
        b.Grad = Tensor.OnesLike(b);
        for (int k = 0; k < 3; k++) o.Step();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int k = 0; k < 20; k++) o.Step();
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    // ---- Rules pinned by hand on the first step ----

    [Fact]
    public void Sgd_momentum_starts_its_buffer_at_the_gradient_without_dampening()
    {
        var p = OptimSupport.Param(1.0);
        var sgd = new Sgd([p], new SgdOptions(0.1, momentum: 0.9, dampening: 0.5));
        p.Grad = Tensor.FromArray([2.0], 1);
        sgd.Step();
        Assert.Equal(1.0 - 0.1 * 2.0, p.ToArray()[0]);                       // b = g
        sgd.Step();
        Assert.Equal(0.8 - 0.1 * (0.9 * 2.0 + 0.5 * 2.0), p.ToArray()[0], 1e-15); // b = μb + (1 − τ)g
    }

    [Fact]
    public void RmsProp_eps_inside_the_root_is_the_lectures_form_and_differs_from_torchs()
    {
        double g = 1e-3, lr = 0.01, eps = 1e-8, v = (1 - 0.99) * g * g;
        var p = OptimSupport.Param(0.0);
        var q = OptimSupport.Param(0.0);
        var torchForm = new RmsProp([p], new RmsPropOptions(learningRate: lr, eps: eps));
        var lectureForm = new RmsProp([q], new RmsPropOptions(learningRate: lr, eps: eps, epsInsideSqrt: true));
        p.Grad = Tensor.FromArray([g], 1);
        q.Grad = Tensor.FromArray([g], 1);
        torchForm.Step();
        lectureForm.Step();
        Assert.Equal(-lr * g / (Math.Sqrt(v) + eps), p.ToArray()[0], 1e-17);
        Assert.Equal(-lr * g / Math.Sqrt(v + eps), q.ToArray()[0], 1e-17);
        Assert.True(Math.Abs(p.ToArray()[0] - q.ToArray()[0]) > 1e-3);
    }

    [Fact]
    public void Adam_first_step_moves_every_coordinate_by_about_the_learning_rate()
    {
        var p = OptimSupport.Param(0.0, 0.0, 0.0);
        var adam = new Adam([p], new AdamOptions(learningRate: 0.01));
        p.Grad = Tensor.FromArray([1e-3, -5.0, 2e4], 3);
        adam.Step();
        // m̂ = g and v̂ = g² after one step: θ = −η·g/(|g| + ε).
        Assert.Equal(-0.01 * 1e-3 / (1e-3 + 1e-8), p.ToArray()[0], 1e-15);
        Assert.Equal(0.01 * 5 / (5 + 1e-8), p.ToArray()[1], 1e-15);
        Assert.Equal(-0.01 * 2e4 / (2e4 + 1e-8), p.ToArray()[2], 1e-15);
    }

    [Fact]
    public void AdamW_decays_with_the_current_learning_rate_before_the_step()
    {
        var p = OptimSupport.Param(2.0);
        var adamw = new AdamW([p], new AdamWOptions(learningRate: 0.1, weightDecay: 0.5));
        p.Grad = Tensor.FromArray([0.0], 1);
        adamw.Step();
        Assert.Equal(2.0 * (1 - 0.1 * 0.5), p.ToArray()[0]); // a zero gradient leaves only the decay
        adamw.LearningRate = 0.2;
        adamw.Step();
        Assert.Equal(2.0 * (1 - 0.1 * 0.5) * (1 - 0.2 * 0.5), p.ToArray()[0]);
    }

    [Fact]
    public void Adagrad_decays_its_learning_rate_and_starts_from_the_initial_accumulator()
    {
        var p = OptimSupport.Param(0.0);
        var a = new Adagrad([p], new AdagradOptions(learningRate: 1, lrDecay: 0.5, initialAccumulatorValue: 3));
        p.Grad = Tensor.FromArray([1.0], 1);
        a.Step();
        double x1 = -1.0 / (Math.Sqrt(4) + 1e-10);
        Assert.Equal(x1, p.ToArray()[0], 1e-15);
        a.Step();
        Assert.Equal(x1 - (1 / 1.5) / (Math.Sqrt(5) + 1e-10), p.ToArray()[0], 1e-15);
    }

    [Fact]
    public void A_nan_gradient_propagates()
    {
        var p = OptimSupport.Param(1.0, 2.0);
        var adam = new Adam([p]);
        p.Grad = Tensor.FromArray([double.NaN, 1.0], 2);
        adam.Step();
        Assert.True(double.IsNaN(p.ToArray()[0]));
        Assert.False(double.IsNaN(p.ToArray()[1]));
    }

    [Fact]
    public void A_gradient_of_another_type_or_shape_is_refused_before_any_update()
    {
        var a = OptimSupport.Param(1.0, 2.0);
        var b = OptimSupport.Param(3.0, 4.0);
        var adam = new Adam([a, b]);
        a.Grad = Tensor.FromArray([1.0, 1.0], 2);
        b.Grad = Tensor.FromArray(new float[] { 1f, 1f }, 2);
        var e = Assert.Throws<InvalidOperationException>(() => adam.Step());
        Assert.Contains("Adam: parameter 1", e.Message);
        b.Grad = Tensor.FromArray([1.0, 1.0, 1.0], 3);
        Assert.Throws<InvalidOperationException>(() => adam.Step());
        Assert.Equal([1.0, 2.0], a.ToArray());
        Assert.Equal([3.0, 4.0], b.ToArray());
        Assert.Equal(0, adam.StepCount);
    }
}
