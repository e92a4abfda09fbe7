using AutoGrad.Optim;
using static AutoGrad.Tests.Optim.SecondOrderProblems;

namespace AutoGrad.Tests.Optim;

/// <summary>Gradient descent on ½θᵀAθ: stable below 2/λmax, divergent above, and Minimize reports which.</summary>
public class StableStepTests
{
    private static readonly double[,] A = WithSpectrum([1, 2, 3, 5, 8, 13, 21], seed: 11);

    private static Tensor F(Tensor theta) => 0.5 * theta.Dot(Tensor.FromArray(A).MatMul(theta));

    [Theory]
    [InlineData(1.02)]
    [InlineData(1.5)]
    [InlineData(3)]
    public void Above_two_over_lambda_max_gradient_descent_diverges_and_is_never_reported_as_success(double factor)
    {
        var x = Tensor.Randn([7], 1).RequireGrad();
        double stable = Curvature.MaxStableStep(F, x.Detach());
        Assert.Equal(2.0 / 21, stable, 1e-9);

        var r = Run(F, x, new GradientDescent([x], factor * stable), maxIterations: 100_000);
        Assert.Equal(StopReason.Diverged, r.Reason);
        Assert.True(r.Diverged);
        Assert.False(r.Converged);
    }

    [Theory]
    [InlineData(0.98)]
    [InlineData(0.5)]
    public void Below_it_gradient_descent_converges(double factor)
    {
        var x = Tensor.Randn([7], 1).RequireGrad();
        double stable = Curvature.MaxStableStep(F, x.Detach());
        var r = Run(F, x, new GradientDescent([x], factor * stable), maxIterations: 100_000);
        Assert.Equal(StopReason.GradientTolerance, r.Reason);
        Assert.True(r.Converged);
        Assert.True(r.Solution.ToArray().All(v => Math.Abs(v) < 1e-8));
    }

    [Fact]
    public void Non_finite_losses_are_divergence()
    {
        // f = −10³⁰⁰·θ², unbounded below: Newton's damped step runs away until f overflows to −∞, which is no convergence either.
        var x = Start(1);
        var r = Run(t => -1e300 * t.Square().Sum(), x, new Newton([x]), maxIterations: 10_000);
        Assert.Equal(StopReason.Diverged, r.Reason);
        Assert.False(r.Converged);
    }
}
