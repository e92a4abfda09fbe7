using AutoGrad.Optim;
using static AutoGrad.Tests.Optim.SecondOrderProblems;

namespace AutoGrad.Tests.Optim;

/// <summary>Newton's method with the exact Hessian: one step on quadratics, damping on indefinite Hessians, bad inputs.</summary>
public class NewtonTests
{
    [Theory]
    [InlineData(5, 1)]
    [InlineData(12, 2)]
    [InlineData(20, 3)]
    public void Minimises_a_convex_quadratic_in_exactly_one_step(int n, int seed)
    {
        var q = RandomQuadratic(n, seed);
        var x = q.Start(seed + 10);
        var newton = new Newton([x]);
        var r = Run(q.F, x, newton, gradientTolerance: 1e-9);

        Assert.Equal(StopReason.GradientTolerance, r.Reason);
        Assert.Equal(1, r.Iterations);
        Assert.True(r.GradientNorm < 1e-12, r.ToString());
        Assert.Equal(0, newton.Damping);
        Assert.Equal(1, newton.StepSize);
        // The closure ran once for the gradient and once for the unit trial step, besides Minimize's own evaluations.
        Assert.Equal(4, r.FunctionEvaluations);
    }

    [Fact]
    public void Rosenbrock_from_the_standard_start_decreases_f_every_step_and_converges()
    {
        var x = Start(-1.2, 1);
        var r = Run(Rosenbrock, x, new Newton([x]), gradientTolerance: 1e-10, maxIterations: 100);

        Assert.Equal(StopReason.GradientTolerance, r.Reason);
        for (int k = 1; k < r.Losses.Count; k++)
            Assert.True(r.Losses[k] < r.Losses[k - 1], $"f rose at iteration {k}: {r.Losses[k - 1]} → {r.Losses[k]}");
        Assert.Equal(1, r.Solution.At(0), 1e-9);
        Assert.Equal(1, r.Solution.At(1), 1e-9);
        // Newton with backtracking takes about twenty steps here (Nocedal and Wright report 21 for their variant).
        Assert.InRange(r.Iterations, 5, 40);
        // Quadratic convergence at the end: the last gradient norm is far below the square of the previous one's scale.
        Assert.True(r.GradientNorms[^1] < 1e-3 * r.GradientNorms[^2], string.Join(", ", r.GradientNorms));
    }

    [Fact]
    public void Indefinite_Hessian_is_damped_until_positive_definite_and_f_still_decreases()
    {
        // At (0, 1) Rosenbrock's Hessian is diag(−398, 200): the plain Newton step would head for the saddle of the model.
        var x = Start(0, 1);
        var newton = new Newton([x]);
        double f0 = Rosenbrock(x.Detach()).Item();
        newton.Step(() => Rosenbrock(x));
        Assert.True(newton.Damping > 398, $"τ = {newton.Damping}");
        Assert.True(newton.StepSize > 0);
        Assert.True(Rosenbrock(x.Detach()).Item() < f0);

        var r = Run(Rosenbrock, x, newton, gradientTolerance: 1e-10, maxIterations: 100);
        Assert.Equal(StopReason.GradientTolerance, r.Reason);
        for (int k = 1; k < r.Losses.Count; k++) Assert.True(r.Losses[k] < r.Losses[k - 1]);
        Assert.Equal(1, r.Solution.At(0), 1e-9);
    }

    [Fact]
    public void A_maximum_is_escaped_rather_than_approached()
    {
        // f = x² + (y² − 1)² has a saddle at the origin with Hessian diag(2, −4); pure Newton from near it goes to it.
        Func<Tensor, Tensor> f = t => t[0].Square() + (t[1].Square() - 1.0).Square();
        var x = Start(0.5, 1e-3);
        var r = Run(f, x, new Newton([x]), gradientTolerance: 1e-10, maxIterations: 100);
        Assert.Equal(StopReason.GradientTolerance, r.Reason);
        Assert.Equal(1, Math.Abs(r.Solution.At(1)), 1e-9);
        Assert.True(r.Value < 1e-18);
    }

    [Fact]
    public void Several_parameters_of_any_shape_are_one_flat_vector()
    {
        // A quadratic in (a, b) with a a 2×3 matrix and b a vector of 4, coupled through A: still one step.
        var q = RandomQuadratic(10, 5);
        var a = Tensor.Randn([2, 3], 1).RequireGrad();
        var b = Tensor.Randn([4], 2).RequireGrad();
        Tensor Loss() => q.F(Tensor.Concat([a.Reshape(-1), b]));
        var newton = new Newton([a, b]);
        newton.Step(Loss);
        var theta = Tensor.Concat([a.Detach().Reshape(-1), b.Detach()]);
        Assert.True(GradientNorm(q.F, theta) < 1e-12);
    }

    [Fact]
    public void Float32_parameters_are_solved_in_double_and_rounded()
    {
        var q = RandomQuadratic(6, 8);
        var x = Tensor.Randn([6], 3).To(DType.Float32).RequireGrad();
        var newton = new Newton([x]);
        newton.Step(() => q.F(x.To(DType.Float64)));
        Assert.Equal(DType.Float32, x.DType);
        Assert.True(GradientNorm(q.F, x.Detach().To(DType.Float64)) < 1e-4);
    }

    [Fact]
    public void Refuses_more_than_MaxParameters_and_points_at_NewtonCg()
    {
        var big = Tensor.Zeros(Newton.MaxParameters + 1).RequireGrad();
        var e = Assert.Throws<ArgumentException>(() => new Newton([big]));
        Assert.Contains("NewtonCg", e.Message);
        Assert.Contains($"{Newton.MaxParameters + 1}", e.Message);
        _ = new Newton([Tensor.Zeros(Newton.MaxParameters).RequireGrad()]);
    }

    [Fact]
    public void Documented_defaults()
    {
        var o = NewtonOptions.Default;
        Assert.Equal(1, o.LearningRate);
        Assert.Equal(1e-4, o.SufficientDecrease);
        Assert.Equal(0.5, o.Backtracking);
        Assert.Equal(50, o.MaxBacktracks);
        Assert.Equal(4096, Newton.MaxParameters);
        var newton = new Newton([Start(1, 2)]);
        Assert.True(newton.NeedsClosure);
        Assert.Equal(1, newton.LearningRate);
    }

    [Theory]
    [InlineData("LearningRate", 0.0)]
    [InlineData("LearningRate", double.NaN)]
    [InlineData("SufficientDecrease", 0.0)]
    [InlineData("SufficientDecrease", 0.5)]
    [InlineData("Backtracking", 1.0)]
    [InlineData("Backtracking", 0.0)]
    [InlineData("MaxBacktracks", -1.0)]
    public void Bad_options_are_refused_with_a_message_naming_the_method(string option, double value)
    {
        var o = option switch
        {
            "LearningRate" => new NewtonOptions { LearningRate = value },
            "SufficientDecrease" => new NewtonOptions { SufficientDecrease = value },
            "Backtracking" => new NewtonOptions { Backtracking = value },
            _ => new NewtonOptions { MaxBacktracks = (int)value },
        };
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new Newton([Start(1, 2)], o));
        Assert.Contains("Newton", e.Message);
    }

    [Fact]
    public void Misuse_is_reported_clearly()
    {
        var x = Start(1, 2);
        var newton = new Newton([x]);
        var e = Assert.Throws<InvalidOperationException>(() => newton.Step());
        Assert.Contains("Step(closure)", e.Message);
        Assert.Throws<ArgumentNullException>(() => newton.Step(null!));
        var shape = Assert.Throws<InvalidOperationException>(() => newton.Step(() => x * 2.0));
        Assert.Contains("single element", shape.Message);
        Assert.Throws<ArgumentException>(() => new Newton([Tensor.Zeros(3)]));
    }
}
