using AutoGrad;
using AutoGrad.Optim;

namespace AutoGrad.Examples;

/// <summary>The README's optimizer example: one custom loss minimised with Adam and with Newton's method.</summary>
public static class MinimizeExample
{
    public static int Run(TextWriter output)
    {
        Tensor Rosenbrock(Tensor z) => (1.0 - z[0]).Square() + 100.0 * (z[1] - z[0].Square()).Square();
        var options = new MinimizeOptions { GradientTolerance = 1e-6, MaxIterations = 20_000 };

        var a = Tensor.FromArray([-1.5, 2.0]).RequireGrad();
        var adam = Minimizer.Minimize(Rosenbrock, a, new Adam([a], new AdamOptions(learningRate: 0.02)), options);
        var n = Tensor.FromArray([-1.5, 2.0]).RequireGrad();
        var newton = Minimizer.Minimize(Rosenbrock, n, new Newton([n]), options);

        output.WriteLine($"Adam:   {adam}");
        output.WriteLine($"Newton: {newton}");
        output.WriteLine($"Adam needed {adam.Iterations} iterations, Newton {newton.Iterations}.");
        return adam.Converged && newton.Converged ? 0 : 1;
    }
}
