using System.Xml.Linq;
using AutoGrad.Examples;

namespace AutoGrad.Tests.Examples;

public class SaddleTests
{
    private static readonly SaddleLesson.Result Result = SaddleLesson.Compute();

    [Fact]
    public void The_Hessian_at_the_saddle_has_one_positive_and_one_negative_eigenvalue()
    {
        Assert.Equal(-2, Result.SaddleEigenvalues[0], 1e-12);
        Assert.Equal(2, Result.SaddleEigenvalues[1], 1e-12);
    }

    [Fact]
    public void GD_on_the_stable_manifold_converges_to_the_saddle_with_y_exactly_zero()
    {
        var stuck = Result.Stuck;
        Assert.All(stuck.Path, p => Assert.Equal(0.0, p.Y));
        Assert.Equal(0.0, stuck.MaxAbsYGradient);
        Assert.True(Math.Abs(stuck.End.X) < 1e-8, $"x = {stuck.End.X}");
        Assert.True(stuck.EndEigenvalues[0] < 0, "it ends where the Hessian is indefinite");
    }

    [Fact]
    public void GD_started_1e6_beside_it_escapes_to_a_minimum_after_lingering()
    {
        var escaped = Result.Escaped;
        Assert.True(Math.Abs(escaped.End.X) < 1e-6);
        Assert.True(Math.Abs(Math.Abs(escaped.End.Y) - Math.Sqrt(2)) < 1e-6, $"y = {escaped.End.Y}");
        Assert.True(escaped.EndEigenvalues[0] > 0);
        Assert.True(escaped.IterationsNearSaddle >= 10, $"{escaped.IterationsNearSaddle} iterates near the saddle");
    }

    [Fact]
    public void Run_returns_0_and_writes_a_parseable_svg()
    {
        var output = new StringWriter();
        var context = LessonContext.ForTests(output);
        Assert.Equal(0, new SaddleLesson().Run(context));
        Assert.Contains("eigenvalues -2 and 2", output.ToString());
        Assert.Equal("svg", XDocument.Load(context.PathOf("saddle.svg")).Root!.Name.LocalName);
        Directory.Delete(context.OutputDirectory, recursive: true);
    }
}
