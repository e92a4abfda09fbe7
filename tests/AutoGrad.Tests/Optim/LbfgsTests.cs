using AutoGrad.Optim;
using static AutoGrad.Tests.Optim.SecondOrderProblems;

namespace AutoGrad.Tests.Optim;

/// <summary>L-BFGS with torch.optim.LBFGS's semantics: test functions, evaluation counts, state across steps, bad inputs.</summary>
public class LbfgsTests
{
    private static readonly LbfgsOptions Tight = new()
    {
        LineSearch = LbfgsLineSearch.StrongWolfe,
        GradientTolerance = 1e-12,
        ChangeTolerance = 1e-20,
    };

    [Fact]
    public void Rosenbrock_with_torch_defaults_and_strong_Wolfe_spends_the_evaluations_torch_spends()
    {
        // Reference: torch 2.x lbfgs.py (step and _strong_wolfe) transcribed line by line onto Python floats and run from
        // (−1.5, 2) with lr 1, max_iter 20, history 100 and line_search_fn "strong_wolfe" (torch itself could not be run
        // here). After each of the first three steps it had made 19, 38, 41 iterations and 25, 50, 53 evaluations, ending
        // at (0.99999799431964, 0.99999734389217) with f = 1.877e-10; later steps stall there, each one evaluation and one
        // iteration, because gᵀd is above −tolerance_change = −1e-9.
        var x = Start(-1.5, 2);
        var lbfgs = new Lbfgs([x], new LbfgsOptions { LineSearch = LbfgsLineSearch.StrongWolfe });
        int[] iterations = [19, 38, 41, 42, 43], evaluations = [25, 50, 53, 54, 55];
        double[] losses = [12.5, 1.307098315050286, 1.8840481366187282e-07, 1.8769270110384128e-10, 1.8769270110384128e-10];
        for (int k = 0; k < 5; k++)
        {
            double loss = lbfgs.Step(() => Rosenbrock(x)).Item();
            Assert.Equal(losses[k], loss, losses[k] * 1e-8);
            Assert.Equal(iterations[k], lbfgs.Iterations);
            Assert.Equal(evaluations[k], lbfgs.FunctionEvaluations);
        }
        Assert.Equal(0.99999799431964, x.At(0), 1e-12);
        Assert.Equal(0.99999734389217, x.At(1), 1e-12);
        Assert.InRange(lbfgs.HistoryCount, 30, lbfgs.Iterations - 1);
    }

    [Fact]
    public void Rosenbrock_without_a_line_search_follows_torch_to_the_same_neighbourhood()
    {
        // The same transcription with line_search_fn None: 20 iterations and 20 evaluations per step until the fifth
        // step stops early at 89 (f = 4.3e-11 next); the fixed-step path is sensitive, so only the counts and the end are compared.
        var x = Start(-1.5, 2);
        var lbfgs = new Lbfgs([x]);
        int[] evaluations = [20, 40, 60, 80, 89, 90];
        for (int k = 0; k < evaluations.Length; k++)
        {
            lbfgs.Step(() => Rosenbrock(x));
            Assert.Equal(evaluations[k], lbfgs.FunctionEvaluations);
        }
        Assert.True(Rosenbrock(x.Detach()).Item() < 1e-9);
    }

    [Fact]
    public void Rosenbrock_converges_through_Minimize_once_the_tolerances_are_tight()
    {
        var x = Start(-1.5, 2);
        var lbfgs = new Lbfgs([x], Tight);
        var r = Run(Rosenbrock, x, lbfgs, gradientTolerance: 1e-8, maxIterations: 50);
        Assert.Equal(StopReason.GradientTolerance, r.Reason);
        Assert.Equal(1, r.Solution.At(0), 1e-8);
        Assert.Equal(1, r.Solution.At(1), 1e-8);
        // Of the order torch needs for its first 1e-6 (53 evaluations): a few more for the last digits.
        Assert.InRange(lbfgs.FunctionEvaluations, 40, 120);
    }

    [Fact]
    public void Minimises_a_1000_dimensional_regularised_logistic_regression()
    {
        var p = new LogisticRegression(samples: 2000, features: 1000, l2: 1e-2, seed: 7);
        var w = p.Start();
        var lbfgs = new Lbfgs([w], Tight);
        var r = Run(p.F, w, lbfgs);
        Assert.Equal(StopReason.GradientTolerance, r.Reason);
        Assert.True(r.GradientNorm < 1e-8, r.ToString());
        Assert.True(GradientNorm(p.F, w) < 1e-8);
        Assert.InRange(lbfgs.Iterations, 10, 200);
        for (int k = 1; k < r.Losses.Count; k++) Assert.True(r.Losses[k] <= r.Losses[k - 1]);
    }

    [Fact]
    public void Keeps_at_most_HistorySize_pairs_and_still_converges_with_one()
    {
        var q = RandomQuadratic(10, 4);
        var x = q.Start(1);
        var lbfgs = new Lbfgs([x], Tight with { HistorySize = 1 });
        var r = Run(q.F, x, lbfgs, maxIterations: 200);
        Assert.Equal(StopReason.GradientTolerance, r.Reason);
        Assert.Equal(1, lbfgs.HistoryCount);

        var x3 = q.Start(1);
        var lbfgs3 = new Lbfgs([x3], Tight with { HistorySize = 3 });
        lbfgs3.Step(() => q.F(x3));
        Assert.Equal(3, lbfgs3.HistoryCount);
    }

    [Fact]
    public void A_fixed_step_that_is_too_long_diverges_and_Minimize_says_so()
    {
        // Without a line search every step is lr times the quasi-Newton step; on a quadratic lr = 10 overshoots by 9×.
        var q = RandomQuadratic(5, 6);
        var x = q.Start(2);
        var r = Run(q.F, x, new Lbfgs([x], new LbfgsOptions { LearningRate = 10 }), maxIterations: 100);
        Assert.Equal(StopReason.Diverged, r.Reason);
        Assert.False(r.Converged);
    }

    [Fact]
    public void Documented_defaults_are_torchs()
    {
        var o = LbfgsOptions.Default;
        Assert.Equal(1, o.LearningRate);
        Assert.Equal(20, o.MaxIterations);
        Assert.Null(o.MaxEvaluations);
        Assert.Equal(25, o.EvaluationBudget);
        Assert.Equal(12, (o with { MaxIterations = 10 }).EvaluationBudget);
        Assert.Equal(1e-7, o.GradientTolerance);
        Assert.Equal(1e-9, o.ChangeTolerance);
        Assert.Equal(100, o.HistorySize);
        Assert.Equal(LbfgsLineSearch.None, o.LineSearch);
        Assert.Equal(1e-4, o.SufficientDecrease);
        Assert.Equal(0.9, o.CurvatureCondition);
        Assert.Equal(25, o.MaxLineSearchIterations);
        var lbfgs = new Lbfgs([Start(1, 2)]);
        Assert.True(lbfgs.NeedsClosure);
        Assert.Equal(1, lbfgs.LearningRate);
        Assert.Equal("L-BFGS", lbfgs.Name);
    }

    public static TheoryData<string, LbfgsOptions> BadOptions => new()
    {
        { "learning rate", new LbfgsOptions { LearningRate = -1 } },
        { "MaxIterations", new LbfgsOptions { MaxIterations = 0 } },
        { "MaxEvaluations", new LbfgsOptions { MaxEvaluations = 0 } },
        { "gradient tolerance", new LbfgsOptions { GradientTolerance = 0 } },
        { "gradient tolerance", new LbfgsOptions { GradientTolerance = -1e-7 } },
        { "gradient tolerance", new LbfgsOptions { GradientTolerance = double.NaN } },
        { "change tolerance", new LbfgsOptions { ChangeTolerance = 0 } },
        { "HistorySize", new LbfgsOptions { HistorySize = 0 } },
        { "LbfgsLineSearch", new LbfgsOptions { LineSearch = (LbfgsLineSearch)7 } },
        { "c1 < c2", new LbfgsOptions { SufficientDecrease = 0.95 } },
        { "c1 < c2", new LbfgsOptions { CurvatureCondition = 1 } },
        { "c1 < c2", new LbfgsOptions { SufficientDecrease = 0 } },
        { "MaxLineSearchIterations", new LbfgsOptions { MaxLineSearchIterations = 0 } },
    };

    [Theory]
    [MemberData(nameof(BadOptions))]
    public void Bad_options_are_refused_with_a_message_naming_the_method_and_the_setting(string what, LbfgsOptions options)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new Lbfgs([Start(1, 2)], options));
        Assert.Contains("Lbfgs", e.Message);
        Assert.Contains(what, e.Message);
    }

    [Fact]
    public void Misuse_is_reported_clearly()
    {
        var x = Start(1, 2);
        var lbfgs = new Lbfgs([x]);
        Assert.Contains("Step(closure)", Assert.Throws<InvalidOperationException>(() => lbfgs.Step()).Message);
        Assert.Contains("single element", Assert.Throws<InvalidOperationException>(() => lbfgs.Step(() => x * 2.0)).Message);
        Assert.Throws<ArgumentException>(() => new Lbfgs([x, x]));
    }

    [Fact]
    public void Cubic_interpolation_finds_the_minimiser_of_a_cubic_and_falls_back_to_bisection()
    {
        // φ(t) = t³ − 3t has its local minimum at t = 1; two points with values and slopes determine it exactly.
        static (double F, double G) Phi(double t) => (t * t * t - 3 * t, 3 * t * t - 3);
        var (f0, g0) = Phi(0);
        var (f2, g2) = Phi(2);
        Assert.Equal(1, Lbfgs.Cubic(0, f0, g0, 2, f2, g2, 0, 2), 1e-14);
        Assert.Equal(1, Lbfgs.Cubic(2, f2, g2, 0, f0, g0, 0, 2), 1e-14);
        // Clamped to the bounds, and the midpoint when the data are not finite.
        Assert.Equal(0.5, Lbfgs.Cubic(0, f0, g0, 2, f2, g2, 0, 0.5));
        Assert.Equal(1, Lbfgs.Cubic(0, f0, g0, 2, double.PositiveInfinity, g2, 0, 2));
    }
}
