using System.Xml.Linq;
using AutoGrad.Examples;

namespace AutoGrad.Tests.Examples;

public class LogisticTests
{
    [Fact]
    public void The_loss_decreases_monotonically_to_a_small_gradient_and_90_percent_accuracy()
    {
        var r = LogisticRegressionLesson.Compute(quick: true);
        for (int k = 1; k < r.Losses.Count; k++)
            Assert.True(r.Losses[k] < r.Losses[k - 1], $"step {k}: {r.Losses[k]} >= {r.Losses[k - 1]}");
        Assert.True(r.Accuracy >= 0.85, $"accuracy {r.Accuracy}");
        Assert.True(r.GradNorms[^1] < 0.01 * r.GradNorms[0], $"final gradient {r.GradNorms[^1]} from {r.GradNorms[0]}");
        // η = 0.1 is inside the guaranteed-descent range 2/L.
        Assert.True(LogisticRegressionLesson.LearningRate < 2 / r.SmoothnessBound);
    }

    [Fact]
    public void Run_returns_0_and_writes_both_plots()
    {
        var output = new StringWriter();
        var context = LessonContext.ForTests(output);
        Assert.Equal(0, new LogisticRegressionLesson().Run(context));
        Assert.Contains("(0 increases)", output.ToString());
        foreach (var name in new[] { "logistic-loss.svg", "logistic-boundary.svg" })
            Assert.Equal("svg", XDocument.Load(context.PathOf(name)).Root!.Name.LocalName);
    }
}
