using AutoGrad.Optim;
using AutoGrad.Tests.Properties;
using FsCheck;
using FsCheck.Fluent;
using static AutoGrad.Tests.Optim.SecondOrderProblems;

namespace AutoGrad.Tests.Optim;

/// <summary>Laws of the closure-driven methods on random problems: one Newton step on SPD quadratics, convergence, reproducible resets.</summary>
public class ClosureMethodPropertyTests
{
    /// <summary>A seeded SPD quadratic of 2 to 16 dimensions with eigenvalues in [0.5, 200].</summary>
    private static Quadratic QuadraticFromSeed(int seed) => RandomQuadratic(2 + new Rng(seed).NextInt(15), seed, 0.5, 200);

    private static readonly LbfgsOptions TightLbfgs = new()
    {
        LineSearch = LbfgsLineSearch.StrongWolfe,
        GradientTolerance = 1e-12,
        ChangeTolerance = 1e-20,
    };

    [Fact]
    public void Newton_solves_every_SPD_quadratic_in_one_step()
    {
        Prop.ForAll(Props.Seeds, seed =>
        {
            var q = QuadraticFromSeed(seed);
            var x = q.Start(seed / 2);
            var newton = new Newton([x]);
            var r = Run(q.F, x, newton, gradientTolerance: 1e-9);
            Props.Ensure(r.Reason == StopReason.GradientTolerance && r.Iterations == 1 && newton.Damping == 0 && newton.StepSize == 1,
                () => $"seed {seed}, n = {q.N}: {r}, τ = {newton.Damping}, α = {newton.StepSize}");
        }).Check(Props.Config(25));
    }

    [Fact]
    public void NewtonCg_and_Lbfgs_converge_on_every_SPD_quadratic()
    {
        Prop.ForAll(Props.Seeds, seed =>
        {
            var q = QuadraticFromSeed(seed);
            var x = q.Start(seed / 2);
            var cg = Run(q.F, x, new NewtonCg([x]), maxIterations: 200);
            Props.Ensure(cg.Reason == StopReason.GradientTolerance, () => $"Newton-CG, seed {seed}, n = {q.N}: {cg}");

            var y = q.Start(seed / 2);
            var lbfgs = Run(q.F, y, new Lbfgs([y], TightLbfgs), maxIterations: 200);
            Props.Ensure(lbfgs.Reason == StopReason.GradientTolerance, () => $"L-BFGS, seed {seed}, n = {q.N}: {lbfgs}");
        }).Check(Props.Config(25));
    }

    /// <summary>The optimizers under test, by name, each over the given parameter.</summary>
    private static readonly (string Name, Func<Tensor, Optimizer> Make)[] Methods =
    [
        ("Newton", x => new Newton([x])),
        ("Newton-CG", x => new NewtonCg([x], new NewtonCgOptions { InitialRadius = 0.3 })),
        ("L-BFGS strong Wolfe", x => new Lbfgs([x], TightLbfgs with { MaxIterations = 4, HistorySize = 3 })),
        ("L-BFGS fixed step", x => new Lbfgs([x], new LbfgsOptions { LearningRate = 0.5, MaxIterations = 3, HistorySize = 2 })),
    ];

    [Fact]
    public void Reset_then_reuse_reproduces_the_first_run_exactly()
    {
        Prop.ForAll(Props.Seeds, seed =>
        {
            // A quadratic plus a quartic, so that curvature, history and trust radius all change along the way.
            var q = QuadraticFromSeed(seed);
            Tensor F(Tensor t) => q.F(t) + 0.25 * t.Square().Square().Sum();
            foreach (var (name, make) in Methods)
            {
                var x = q.Start(seed / 2);
                var x0 = x.Detach().Copy();
                var o = make(x);
                var first = Run(F, x, o, maxIterations: 6);
                var counters = Counters(o);

                o.Reset();
                Props.Ensure(o.StepCount == 0, () => $"{name}: StepCount {o.StepCount} after Reset");
                x0.ToArray().CopyTo(x.Span<double>());
                var second = Run(F, x, o, maxIterations: 6);
                Props.Ensure(first.Losses.SequenceEqual(second.Losses) && Props.BitEqual(first.Solution, second.Solution)
                    && counters == Counters(o) && first.FunctionEvaluations == second.FunctionEvaluations,
                    () => $"{name}, seed {seed}: first {first} [{counters}], second {second} [{Counters(o)}]");
            }
        }).Check(Props.Config(10));
    }

    private static string Counters(Optimizer o) => o switch
    {
        Lbfgs l => $"{l.StepCount} steps, {l.Iterations} iterations, {l.FunctionEvaluations} evaluations, {l.HistoryCount} pairs",
        NewtonCg c => $"{c.StepCount} steps, Δ = {c.TrustRadius:R}, {c.HessianVectorProducts} products, {c.RejectedSteps} rejected",
        Newton n => $"{n.StepCount} steps, τ = {n.Damping:R}, α = {n.StepSize:R}",
        _ => o.StepCount.ToString(),
    };
}
