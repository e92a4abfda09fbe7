using System.Xml.Linq;
using AutoGrad.Examples;

namespace AutoGrad.Tests.Examples;

public class HingeTests
{
    [Fact]
    public void The_hinge_loss_bounds_the_zero_one_loss_at_every_step_and_the_error_ends_small()
    {
        var r = HingeLossLesson.Compute(quick: true);
        Assert.Equal(r.ZeroOne.Length, r.Hinge.Length);
        for (int e = 0; e < r.Hinge.Length; e++)
            Assert.True(r.Hinge[e] >= r.ZeroOne[e], $"epoch {e}: hinge {r.Hinge[e]} < zero-one {r.ZeroOne[e]}");
        // The clouds overlap slightly: a good linear separator misclassifies a few percent, and no more than 5%.
        Assert.InRange(r.ZeroOne[^1], 0.0, 0.05);
        // Training did something: the objective fell well below its starting value 1.
        Assert.True(r.Objective[^1] < 0.2, $"final objective {r.Objective[^1]}");
        Assert.True(r.Objective[^1] >= r.Hinge[^1]);
    }

    [Fact]
    public void Run_returns_0_and_writes_both_plots()
    {
        var output = new StringWriter();
        var context = LessonContext.ForTests(output);
        Assert.Equal(0, new HingeLossLesson().Run(context));
        Assert.Contains("hinge loss stayed above the zero-one loss", output.ToString());
        foreach (var name in new[] { "hinge-losses.svg", "hinge-boundary.svg" })
            Assert.Equal("svg", XDocument.Load(context.PathOf(name)).Root!.Name.LocalName);
    }
}
