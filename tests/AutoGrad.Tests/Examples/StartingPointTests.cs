using System.Xml.Linq;
using AutoGrad.Examples;

namespace AutoGrad.Tests.Examples;

public class StartingPointTests
{
    [Fact]
    public void The_stationary_points_are_three_minima_separated_by_two_maxima()
    {
        var (minima, maxima) = StartingPointLesson.StationaryPoints(2001);
        Assert.Equal(3, minima.Length);
        Assert.Equal(2, maxima.Length);
        foreach (var x in minima.Concat(maxima))
            Assert.True(Math.Abs(0.2 * x + 2 * Math.Cos(2 * x)) < 1e-12, $"f'({x}) is not 0");
        foreach (var x in minima) Assert.True(0.2 - 4 * Math.Sin(2 * x) > 0);
        foreach (var x in maxima) Assert.True(0.2 - 4 * Math.Sin(2 * x) < 0);
        for (int i = 0; i < maxima.Length; i++) Assert.InRange(maxima[i], minima[i], minima[i + 1]);
    }

    [Fact]
    public void Every_start_ends_at_a_computed_minimum_and_the_maxima_separate_the_basins()
    {
        var r = StartingPointLesson.Compute(quick: true);
        for (int i = 0; i < r.Starts.Length; i++)
        {
            Assert.True(r.Basin[i] >= 0, $"start {r.Starts[i]} ended at {r.Ends[i]}, no minimum");
            Assert.True(Math.Abs(r.Ends[i] - r.Minima[r.Basin[i]]) < 1e-6);
        }
        foreach (double m in r.Maxima)
        {
            int left = Array.FindLastIndex(r.Starts, s => s < m), right = Array.FindIndex(r.Starts, s => s > m);
            Assert.NotEqual(r.Basin[left], r.Basin[right]);
            // Away from the maxima, a start goes to the minimum of its own interval between maxima.
            Assert.True(r.Ends[left] < m && r.Ends[right] > m);
        }
        Assert.Equal(r.Minima.Length, r.Basin.Distinct().Count());
    }

    [Fact]
    public void Run_returns_0_and_writes_its_plot()
    {
        var output = new StringWriter();
        var context = LessonContext.ForTests(output);
        Assert.Equal(0, new StartingPointLesson().Run(context));
        Assert.Contains("(0 did not)", output.ToString());
        Assert.Equal("svg", XDocument.Load(context.PathOf("starting-point.svg")).Root!.Name.LocalName);
    }
}
