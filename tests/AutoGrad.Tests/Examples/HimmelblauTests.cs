using System.Xml.Linq;
using AutoGrad.Examples;

namespace AutoGrad.Tests.Examples;

public class HimmelblauTests
{
    private static readonly HimmelblauLesson.Result Result = HimmelblauLesson.Compute(quick: true);

    [Fact]
    public void Every_method_ends_within_1e4_of_one_of_the_four_minima_with_a_positive_definite_Hessian()
    {
        Assert.Equal(5, Result.Runs.Count);
        foreach (var run in Result.Runs)
        {
            Assert.True(run.Distance < 1e-4, $"{run.Method}: {run.Distance} from M{run.MinimumIndex + 1}");
            Assert.True(run.Value < 1e-10, $"{run.Method}: f = {run.Value}");
            Assert.True(run.HessianEigenvalues[0] > 0, run.Method);
        }
    }

    [Fact]
    public void The_methods_split_between_two_minima_from_the_chosen_start()
    {
        // GD, momentum and damped Newton follow the steepest valley to M4; the adaptive methods rescale the
        // coordinates and end in M1.
        Assert.Equal([3, 3, 0, 0, 3], Result.Runs.Select(r => r.MinimumIndex));
    }

    [Fact]
    public void Every_iterate_is_recorded_from_the_start()
    {
        foreach (var run in Result.Runs)
        {
            Assert.Equal(run.Iterations + 1, run.Path.Count);
            Assert.Equal(HimmelblauLesson.Start, run.Path[0]);
        }
        Assert.True(Result.Runs[^1].Iterations < Result.Runs[0].Iterations, "damped Newton needs fewer steps than GD");
    }

    [Fact]
    public void Plain_Newton_converges_to_the_central_maximum_which_it_classifies()
    {
        var pn = Result.PureNewton;
        Assert.True(pn.GradientNorm < 1e-8);
        Assert.Equal("maximum", pn.Kind);
        Assert.True(pn.HessianEigenvalues[1] < 0);
        Assert.Equal(-0.270845, pn.End.X, 1e-5);
        Assert.Equal(-0.923039, pn.End.Y, 1e-5);
        Assert.True(Result.StartEigenvalues[1] < 0, "the start is in the maximum's concave region");
    }

    [Fact]
    public void Run_returns_0_and_writes_a_parseable_svg()
    {
        var output = new StringWriter();
        var context = LessonContext.ForTests(output);
        Assert.Equal(0, new HimmelblauLesson().Run(context));
        Assert.Contains("a maximum", output.ToString());
        var svg = XDocument.Load(context.PathOf("himmelblau.svg"));
        Assert.Equal("svg", svg.Root!.Name.LocalName);
        Directory.Delete(context.OutputDirectory, recursive: true);
    }
}
