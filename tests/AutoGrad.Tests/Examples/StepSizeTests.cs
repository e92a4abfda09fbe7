using System.Xml.Linq;
using AutoGrad.Examples;
using AutoGrad.Optim;

namespace AutoGrad.Tests.Examples;

public class StepSizeTests
{
    [Fact]
    public void A_small_step_converges_slowly_near_2_over_a_oscillates_and_above_it_diverges()
    {
        var r = StepSizeLesson.Compute(quick: true);
        Assert.True(r.Slow.Converged);
        Assert.True(r.Slow.Iterations > 300, $"slow run took {r.Slow.Iterations}");
        Assert.True(r.Optimal.Converged && r.Optimal.Iterations <= 2);
        Assert.True(r.Slow.Iterations > 100 * r.Optimal.Iterations);
        Assert.Equal(0, StepSizeLesson.SignChanges(r.Slow.Iterates));

        var osc = r.Oscillating.Iterates;
        Assert.True(r.Oscillating.Converged);
        for (int k = 1; k < osc.Length; k++) Assert.True(osc[k] * osc[k - 1] < 0, $"no sign change at {k}");

        Assert.Equal(StopReason.Diverged, r.Divergent.Reason);
        Assert.InRange(r.Divergent.Iterations, 10, 200);
        Assert.True(Math.Abs(r.Divergent.Iterates[^1]) > 1e3 && double.IsFinite(r.Divergent.Iterates[^1]));
    }

    [Fact]
    public void Run_reports_the_divergence_returns_0_and_writes_its_plot()
    {
        var output = new StringWriter();
        var context = LessonContext.ForTests(output);
        Assert.Equal(0, new StepSizeLesson().Run(context));
        Assert.Matches(@"diverged at iteration \d+", output.ToString());
        foreach (var name in new[] { "step-size.svg", "step-size-signed.svg" })
            Assert.Equal("svg", XDocument.Load(context.PathOf(name)).Root!.Name.LocalName);
    }
}
