using System.Xml.Linq;
using AutoGrad.Examples;

namespace AutoGrad.Tests.Examples;

public class LinearRegressionTests
{
    [Fact]
    public void Gradient_descent_matches_the_normal_equations_to_1e_minus_6()
    {
        var r = LinearRegressionLesson.Compute(quick: true);
        Assert.True(r.MaxDifference < 1e-6, $"max difference {r.MaxDifference}");
        Assert.Equal(AutoGrad.Optim.StopReason.GradientTolerance, r.Reason);
        // Both land near the generating parameters (noise sd 0.1 on 200 points), so neither solved a wrong system.
        for (int j = 0; j < r.TrueTheta.Length; j++) Assert.InRange(r.ClosedForm[j], r.TrueTheta[j] - 0.05, r.TrueTheta[j] + 0.05);
        Assert.True(r.Losses[^1] <= r.ClosedFormLoss + 1e-12 && r.Losses[0] > 10 * r.ClosedFormLoss);
    }

    [Fact]
    public void The_Cholesky_solver_solves_a_known_system()
    {
        // A = [[1, 0], [1, 1], [1, 2]], y = [1, 2, 4]: AᵀA = [[3, 3], [3, 5]], Aᵀy = [7, 10] → θ = [5/6, 3/2].
        var theta = LinearRegressionLesson.SolveNormalEquations([1, 0, 1, 1, 1, 2], [1, 2, 4], 3, 2);
        Assert.Equal(5.0 / 6, theta[0], 12);
        Assert.Equal(1.5, theta[1], 12);
    }

    [Fact]
    public void Run_returns_0_and_writes_its_plot()
    {
        var output = new StringWriter();
        var context = LessonContext.ForTests(output);
        Assert.Equal(0, new LinearRegressionLesson().Run(context));
        Assert.Contains("Largest difference", output.ToString());
        Assert.Equal("svg", XDocument.Load(context.PathOf("linear-regression-loss.svg")).Root!.Name.LocalName);
    }
}
