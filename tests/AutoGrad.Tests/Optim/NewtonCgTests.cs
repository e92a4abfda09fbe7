using AutoGrad.Optim;
using static AutoGrad.Tests.Optim.SecondOrderProblems;

namespace AutoGrad.Tests.Optim;

/// <summary>Newton-CG (Steihaug trust region): large problems from Hessian-vector products, negative curvature, bad inputs.</summary>
public class NewtonCgTests
{
    [Fact]
    public void Minimises_a_1000_dimensional_regularised_logistic_regression()
    {
        var p = new LogisticRegression(samples: 2000, features: 1000, l2: 1e-2, seed: 7);
        var w = p.Start();
        var cg = new NewtonCg([w]);
        var r = Run(p.F, w, cg);

        Assert.Equal(StopReason.GradientTolerance, r.Reason);
        Assert.True(r.GradientNorm < 1e-8, r.ToString());
        Assert.True(GradientNorm(p.F, w) < 1e-8);
        // Superlinear: a handful of outer steps, and far fewer Hessian-vector products than the 1000 of a dense Hessian.
        Assert.InRange(r.Iterations, 3, 20);
        Assert.InRange(cg.HessianVectorProducts, 10, 300);
        for (int k = 1; k < r.Losses.Count; k++) Assert.True(r.Losses[k] <= r.Losses[k - 1]);
    }

    [Fact]
    public void Rosenbrock_converges_with_f_decreasing_every_step()
    {
        var x = Start(-1.2, 1);
        var cg = new NewtonCg([x]);
        var r = Run(Rosenbrock, x, cg, gradientTolerance: 1e-10, maxIterations: 200);

        Assert.Equal(StopReason.GradientTolerance, r.Reason);
        for (int k = 1; k < r.Losses.Count; k++) Assert.True(r.Losses[k] < r.Losses[k - 1], $"iteration {k}");
        Assert.Equal(1, r.Solution.At(0), 1e-9);
        Assert.Equal(1, r.Solution.At(1), 1e-9);
        Assert.InRange(r.Iterations, 5, 60);
    }

    [Fact]
    public void Negative_curvature_leads_to_the_boundary_and_away_from_the_saddle()
    {
        // f = x² + (y² − 1)²: at (0.5, 10⁻³) the Hessian is diag(2, ≈ −4); the first CG direction −g has positive
        // curvature, but the y-direction does not. Minima at (0, ±1).
        Func<Tensor, Tensor> f = t => t[0].Square() + (t[1].Square() - 1.0).Square();
        var x = Start(0.5, 1e-3);
        var cg = new NewtonCg([x], new NewtonCgOptions { InitialRadius = 0.1 });
        cg.Step(() => f(x));
        // The step reached the boundary: ‖Δx‖ = Δ₀ = 0.1.
        double dx = x.At(0) - 0.5, dy = x.At(1) - 1e-3;
        Assert.Equal(0.1, Math.Sqrt(dx * dx + dy * dy), 1e-12);

        var r = Run(f, x, cg, gradientTolerance: 1e-10, maxIterations: 100);
        Assert.Equal(StopReason.GradientTolerance, r.Reason);
        Assert.Equal(1, Math.Abs(r.Solution.At(1)), 1e-9);
        Assert.True(r.Value < 1e-18);
    }

    [Fact]
    public void Trust_radius_grows_on_good_steps_up_to_its_maximum_and_shrinks_on_bad_ones()
    {
        // A quadratic whose minimiser is far away: each full boundary step predicts f exactly (ρ = 1), so Δ doubles.
        var q = RandomQuadratic(4, 3, 1, 2);
        var x = Tensor.Full([4], 100.0).RequireGrad();
        var cg = new NewtonCg([x], new NewtonCgOptions { InitialRadius = 1, MaxRadius = 8 });
        var radii = new List<double>();
        for (int k = 0; k < 5; k++) { cg.Step(() => q.F(x)); radii.Add(cg.TrustRadius); }
        Assert.Equal([2.0, 4, 8, 8, 8], radii);
        Assert.Equal(0, cg.RejectedSteps);

        // A model that overestimates the decrease badly (f has a wall the quadratic model cannot see) shrinks Δ.
        var y = Start(0);
        Func<Tensor, Tensor> wall = t => (t[0] - 5.0).Square() + (t[0] - 0.5).Relu().Pow(3) * 1000.0;
        var cg2 = new NewtonCg([y], new NewtonCgOptions { InitialRadius = 1 });
        cg2.Step(() => wall(y));
        Assert.True(cg2.RejectedSteps >= 1);
        Assert.True(cg2.TrustRadius < 1);
        Assert.True(wall(y.Detach()).Item() < wall(Tensor.Zeros(1)).Item());
    }

    [Fact]
    public void Documented_defaults()
    {
        var o = NewtonCgOptions.Default;
        Assert.Equal(1, o.InitialRadius);
        Assert.Equal(1000, o.MaxRadius);
        Assert.Equal(0.15, o.AcceptanceRatio);
        Assert.Null(o.MaxCgIterations);
        Assert.Equal(40, o.MaxTrials);
        var cg = new NewtonCg([Start(1, 2)]);
        Assert.True(cg.NeedsClosure);
        Assert.Equal(1, cg.LearningRate);
        Assert.Equal(1, cg.TrustRadius);
    }

    [Theory]
    [InlineData("InitialRadius", 0.0)]
    [InlineData("InitialRadius", 2000.0)]
    [InlineData("MaxRadius", double.PositiveInfinity)]
    [InlineData("AcceptanceRatio", 0.25)]
    [InlineData("AcceptanceRatio", -0.1)]
    [InlineData("MaxCgIterations", 0.0)]
    [InlineData("MaxTrials", 0.0)]
    public void Bad_options_are_refused_with_a_message_naming_the_method(string option, double value)
    {
        var o = option switch
        {
            "InitialRadius" => new NewtonCgOptions { InitialRadius = value },
            "MaxRadius" => new NewtonCgOptions { MaxRadius = value },
            "AcceptanceRatio" => new NewtonCgOptions { AcceptanceRatio = value },
            "MaxCgIterations" => new NewtonCgOptions { MaxCgIterations = (int)value },
            _ => new NewtonCgOptions { MaxTrials = (int)value },
        };
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new NewtonCg([Start(1, 2)], o));
        Assert.Contains("NewtonCg", e.Message);
    }

    [Fact]
    public void Misuse_is_reported_clearly()
    {
        var x = Start(1, 2);
        var cg = new NewtonCg([x]);
        Assert.Contains("Step(closure)", Assert.Throws<InvalidOperationException>(() => cg.Step()).Message);
        Assert.Contains("single element", Assert.Throws<InvalidOperationException>(() => cg.Step(() => x * 2.0)).Message);
    }
}
