using Xunit.Abstractions;

namespace AutoGrad.Tests.Optim;

/// <summary>Every run of optim_trajectories.json (torch.optim 1.13, float64, Rosenbrock), reproduced to 1e-10 at every step.</summary>
public class TrajectoryTests(ITestOutputHelper output)
{
    private const double Tolerance = 1e-10;

    [Theory]
    [MemberData(nameof(Reference.Indices), MemberType = typeof(Reference))]
    public void Reproduces_the_torch_trajectory(int index)
    {
        var run = Reference.Runs[index];
        var p = OptimSupport.Param(run.X0);
        var o = run.Create(p);
        var s = run.CreateScheduler(o);
        var (xs, lrs) = OptimSupport.Run(OptimSupport.Rosenbrock, p, o, s, run.Steps);

        Assert.Equal(run.Steps + 1, run.Trajectory.Length);
        double worst = 0;
        for (int k = 0; k <= run.Steps; k++)
            for (int i = 0; i < 2; i++)
            {
                double d = Math.Abs(xs[k][i] - run.Trajectory[k][i]);
                worst = Math.Max(worst, d);
                Assert.True(d <= Tolerance, $"{run}: step {k}, coordinate {i}: {xs[k][i]:R} vs torch {run.Trajectory[k][i]:R} (|Δ| = {d:E2})");
            }
        double worstLr = 0;
        if (run.LearningRates is { } reference)
        {
            Assert.Equal(run.Steps, reference.Length);
            for (int k = 0; k < run.Steps; k++)
            {
                double d = Math.Abs(lrs[k] - reference[k]);
                worstLr = Math.Max(worstLr, d);
                Assert.True(d <= 1e-12, $"{run}: learning rate of step {k + 1}: {lrs[k]:R} vs torch {reference[k]:R}");
            }
        }
        output.WriteLine($"{run}: max |Δθ| = {worst:E2}" + (run.LearningRates is null ? "" : $", max |Δη| = {worstLr:E2}"));
    }

    [Fact]
    public void The_reference_file_has_the_thirteen_runs()
    {
        Assert.Equal(13, Reference.Runs.Count);
        Assert.Equal(["SGD", "Adagrad", "RMSprop", "Adam", "AdamW"], Reference.Runs.Select(r => r.Optimizer).Distinct());
    }
}
