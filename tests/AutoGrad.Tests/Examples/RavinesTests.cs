using System.Xml.Linq;
using AutoGrad.Examples;
using AutoGrad.Optim;

namespace AutoGrad.Tests.Examples;

public class RavinesTests
{
    private static readonly RavinesLesson.Result Result = RavinesLesson.Compute(quick: true);

    [Fact]
    public void The_Hessian_and_Curvature_recover_the_eigenvalues_and_condition_number_of_A()
    {
        Assert.Equal(RavinesLesson.LambdaMin, Result.HessianEigenvalues[0], 1e-10);
        Assert.Equal(RavinesLesson.LambdaMax, Result.HessianEigenvalues[1], 1e-10);
        Assert.True(Math.Abs(Result.ConditionNumber - RavinesLesson.LambdaMax / RavinesLesson.LambdaMin) < 1e-8, $"κ = {Result.ConditionNumber:R}");
        Assert.True(Math.Abs(Result.MaxStableStep - 2 / RavinesLesson.LambdaMax) < 1e-10);
    }

    [Fact]
    public void Newton_solves_the_quadratic_in_one_step()
    {
        var newton = Result.Runs[3];
        Assert.Equal(1, newton.Iterations);
        var (x, y) = newton.Path[1];
        Assert.True(Math.Sqrt(x * x + y * y) < 1e-12, $"‖w₁ − w*‖ = {Math.Sqrt(x * x + y * y)}");
    }

    [Fact]
    public void GD_below_2_over_lambda_max_converges_slowly_above_it_diverges_and_momentum_beats_it()
    {
        var (below, above, momentum) = (Result.Runs[0], Result.Runs[1], Result.Runs[2]);
        Assert.Equal(StopReason.GradientTolerance, below.Reason);
        Assert.Equal(StopReason.Diverged, above.Reason);
        Assert.True(above.FinalDistance > 1e3);
        Assert.Equal(StopReason.GradientTolerance, momentum.Reason);
        Assert.True(momentum.Iterations * 4 < below.Iterations, $"momentum {momentum.Iterations}, GD {below.Iterations}");
        // Below 2/λmax the steep component alternates in sign: the iterates zigzag across the ravine.
        Assert.True(below.Path[1].X * below.Path[2].X < 0 || below.Path[1].Y * below.Path[2].Y < 0);
    }

    [Fact]
    public void Standardised_inputs_make_GD_at_least_50_times_faster_than_raw_inputs()
    {
        Assert.True(Result.Raw.ConditionNumber > 1e9, $"raw κ = {Result.Raw.ConditionNumber}");
        Assert.True(Result.Standardised.ConditionNumber < 20, $"standardised κ = {Result.Standardised.ConditionNumber}");
        Assert.NotNull(Result.Standardised.IterationsToTolerance);
        Assert.Null(Result.Raw.IterationsToTolerance);   // raw GD does not reach the tolerance within the budget
        Assert.True(RavinesLesson.Factor(Result) >= 50, $"factor {RavinesLesson.Factor(Result)}");
    }

    [Fact]
    public void Run_returns_0_and_writes_both_plots()
    {
        var output = new StringWriter();
        var context = LessonContext.ForTests(output);
        Assert.Equal(0, new RavinesLesson().Run(context));
        Assert.Contains("Diverged", output.ToString());
        foreach (var name in new[] { "ravine-paths.svg", "ravine-regression-loss.svg" })
            Assert.Equal("svg", XDocument.Load(context.PathOf(name)).Root!.Name.LocalName);
        Directory.Delete(context.OutputDirectory, recursive: true);
    }
}
