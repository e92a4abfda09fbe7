using AutoGrad.Optim;
using AutoGrad.Tests.Properties;
using FsCheck;
using FsCheck.Fluent;

namespace AutoGrad.Tests.Optim;

/// <summary>The optimizers minimise random convex quadratics ½θᵀAθ, and find the Rosenbrock valley's floor.</summary>
public class ConvergenceTests
{
    /// <summary>A = BᵀB/n + μI: symmetric positive definite with λmin ≥ μ; its Frobenius norm bounds λmax.</summary>
    private static (double[,] A, double FrobeniusNorm, double[] X0) RandomQuadratic(int seed)
    {
        var rng = new Rng(seed);
        int n = 2 + rng.NextInt(9);
        var b = new double[n, n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) b[i, j] = rng.NextGaussian();
        var a = new double[n, n];
        double fro = 0;
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
            {
                for (int k = 0; k < n; k++) a[i, j] += b[k, i] * b[k, j] / n;
                if (i == j) a[i, j] += 0.1;
                fro += a[i, j] * a[i, j];
            }
        var x0 = Enumerable.Range(0, n).Select(_ => rng.NextGaussian() * 3).ToArray();
        return (a, Math.Sqrt(fro), x0);
    }

    private static double Value(double[,] a, double[] x)
    {
        double f = 0;
        for (int i = 0; i < x.Length; i++)
            for (int j = 0; j < x.Length; j++) f += 0.5 * x[i] * a[i, j] * x[j];
        return f;
    }

    /// <summary>Minimises ½θᵀAθ from x₀ for <paramref name="steps"/> steps with the gradient Aθ set by hand; returns f(x₀) and f at the end.</summary>
    private static (double Start, double End) Minimise(double[,] a, double[] x0, Func<Tensor, Optimizer> make, int steps)
    {
        int n = x0.Length;
        var p = OptimSupport.Param(x0);
        var o = make(p);
        var g = new double[n];
        for (int k = 0; k < steps; k++)
        {
            var x = p.ToArray();
            for (int i = 0; i < n; i++)
            {
                g[i] = 0;
                for (int j = 0; j < n; j++) g[i] += a[i, j] * x[j];
            }
            p.Grad = Tensor.FromArray(g, n);
            o.Step();
        }
        return (Value(a, x0), Value(a, p.ToArray()));
    }

    [Fact]
    public void Sgd_with_momentum_minimises_random_convex_quadratics()
    {
        Prop.ForAll(Props.Seeds, seed =>
        {
            var (a, fro, x0) = RandomQuadratic(seed);
            foreach (bool nesterov in new[] { false, true })
            {
                var (f0, f) = Minimise(a, x0, p => new Sgd([p], new SgdOptions(1 / fro, momentum: 0.9, nesterov: nesterov)), 400);
                Props.Ensure(f <= 1e-8 * f0, () => $"seed {seed}, Nesterov {nesterov}: f = {f:E3} from {f0:E3}");
            }
        }).Check(Props.Config(30));
    }

    [Fact]
    public void Adam_and_AdamW_minimise_random_convex_quadratics()
    {
        Prop.ForAll(Props.Seeds, seed =>
        {
            var (a, _, x0) = RandomQuadratic(seed);
            var (f0, f) = Minimise(a, x0, p => new Adam([p], new AdamOptions(learningRate: 0.05)), 1000);
            Props.Ensure(f <= 1e-4 * f0, () => $"seed {seed}, Adam: f = {f:E3} from {f0:E3}");
            // AdamW's decay pulls θ to 0, the quadratic's minimiser, too.
            (f0, f) = Minimise(a, x0, p => new AdamW([p], new AdamWOptions(learningRate: 0.05, amsgrad: true)), 1000);
            Props.Ensure(f <= 1e-4 * f0, () => $"seed {seed}, AdamW AMSGrad: f = {f:E3} from {f0:E3}");
        }).Check(Props.Config(30));
    }

    [Fact]
    public void RmsProp_and_Adagrad_minimise_random_convex_quadratics()
    {
        Prop.ForAll(Props.Seeds, seed =>
        {
            var (a, _, x0) = RandomQuadratic(seed);
            var (f0, f) = Minimise(a, x0, p => new RmsProp([p], new RmsPropOptions(learningRate: 0.01, momentum: 0.5)), 1000);
            Props.Ensure(f <= 1e-3 * f0, () => $"seed {seed}, RMSProp: f = {f:E3} from {f0:E3}");
            (f0, f) = Minimise(a, x0, p => new Adagrad([p], new AdagradOptions(learningRate: 0.5)), 1000);
            Props.Ensure(f <= 1e-3 * f0, () => $"seed {seed}, Adagrad: f = {f:E3} from {f0:E3}");
        }).Check(Props.Config(30));
    }

    [Fact]
    public void Adam_with_a_cosine_schedule_finds_the_Rosenbrock_minimum()
    {
        var p = OptimSupport.Param(-1.5, 2.0);
        var adam = new Adam([p], new AdamOptions(learningRate: 0.1));
        var s = new SequentialLR([new LinearLR(adam, 0.1, 1, 20), new CosineAnnealingLR(adam, 2980)], [20]);
        OptimSupport.Run(OptimSupport.Rosenbrock, p, adam, s, 3000);
        Assert.Equal(1.0, p.ToArray()[0], 1e-5);
        Assert.Equal(1.0, p.ToArray()[1], 1e-5);
    }
}
