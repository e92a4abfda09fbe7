using System.Xml.Linq;
using AutoGrad.Examples;

namespace AutoGrad.Tests.Examples;

public class MlpInitTests
{
    private static readonly MlpInitLesson.Result Result = MlpInitLesson.Compute(quick: true);

    [Fact]
    public void Two_moons_are_balanced_and_seeded()
    {
        var (x, labels) = MlpInitLesson.TwoMoons(100, 0.1, seed: 3);
        Assert.Equal(50, labels.Count(l => l == 1));
        Assert.Equal(x, MlpInitLesson.TwoMoons(100, 0.1, seed: 3).X);
    }

    [Fact]
    public void Zero_initialisation_keeps_the_hidden_units_identical_and_learns_nothing()
    {
        var zeros = Result.Nets[0];
        Assert.True(zeros.MaxRowDifference < 1e-12, $"max row distance {zeros.MaxRowDifference}");
        Assert.True(zeros.Accuracy <= 0.6, $"accuracy {zeros.Accuracy}");
        Assert.Equal([MlpInitLesson.Hidden, MlpInitLesson.Hidden], zeros.DeadUnits);
    }

    [Fact]
    public void Constant_initialisation_also_keeps_the_units_identical()
    {
        var constant = Result.Nets[1];
        Assert.True(constant.MaxRowDifference < 1e-12, $"max row distance {constant.MaxRowDifference}");
        Assert.True(constant.Losses[^1] < constant.Losses[0], "it trains, as one unit per layer");
    }

    [Fact]
    public void He_initialisation_breaks_the_symmetry_and_fits_the_moons()
    {
        var he = Result.Nets[2];
        Assert.True(he.MinRowDifference > 1e-3, $"min row distance {he.MinRowDifference}");
        // 150 Adam steps on 100 points in quick mode; the full lesson (1000 steps, 400 points) reaches 100 % too.
        Assert.True(he.Accuracy >= 0.95, $"accuracy {he.Accuracy}");
    }

    [Fact]
    public void Dead_unit_counts_lie_between_0_and_the_layer_width()
    {
        foreach (var net in Result.Nets)
        {
            Assert.Equal(2, net.DeadUnits.Length);
            Assert.All(net.DeadUnits, d => Assert.InRange(d, 0, MlpInitLesson.Hidden));
        }
        Assert.True(Result.Nets[2].DeadUnits.Sum() < MlpInitLesson.Hidden, "most He units are alive");
    }

    [Fact]
    public void Run_returns_0_prints_the_dead_units_and_writes_both_plots()
    {
        var output = new StringWriter();
        var context = LessonContext.ForTests(output);
        Assert.Equal(0, new MlpInitLesson().Run(context));
        Assert.Contains("16 / 16, 16 / 16", output.ToString());
        foreach (var name in new[] { "mlp-init-boundaries.svg", "mlp-init-loss.svg" })
            Assert.Equal("svg", XDocument.Load(context.PathOf(name)).Root!.Name.LocalName);
        Directory.Delete(context.OutputDirectory, recursive: true);
    }
}
