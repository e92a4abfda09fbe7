using AutoGrad.Optim;

namespace AutoGrad.Tests.Optim;

/// <summary>Test functions with known minima for the closure-driven methods, built from the library's ops.</summary>
public static class SecondOrderProblems
{
    /// <summary>A = Q·diag(λ)·Qᵀ with Q a seeded random orthogonal matrix (see <see cref="TestMatrices.WithSpectrum"/>).</summary>
    public static double[,] WithSpectrum(double[] lambda, int seed) => TestMatrices.WithSpectrum(lambda, seed).A;

    /// <summary>A seeded SPD quadratic ½θᵀAθ − bᵀθ in n dimensions, eigenvalues of A log-uniform in [λmin, λmax].</summary>
    public static Quadratic RandomQuadratic(int n, int seed, double lambdaMin = 1, double lambdaMax = 100)
    {
        var rng = new Rng(seed);
        var lambda = new double[n];
        for (int i = 0; i < n; i++) lambda[i] = lambdaMin * Math.Pow(lambdaMax / lambdaMin, i == 0 ? 0 : i == 1 ? 1 : rng.NextDouble());
        var b = new double[n];
        for (int i = 0; i < n; i++) b[i] = rng.NextGaussian();
        return new Quadratic(WithSpectrum(lambda, seed + 1), b);
    }

    /// <summary>Rosenbrock's function (1 − x)² + 100(y − x²)² of θ = (x, y), minimum 0 at (1, 1) (Moré, Garbow and Hillstrom no. 1).</summary>
    public static Tensor Rosenbrock(Tensor theta)
    {
        var x = theta[0];
        var y = theta[1];
        return (1.0 - x).Square() + 100.0 * (y - x.Square()).Square();
    }

    /// <summary>A parameter vector for a minimiser to start from.</summary>
    public static Tensor Start(params double[] values) => Tensor.FromArray(values, values.Length).RequireGrad();

    /// <summary>The Euclidean norm of ∇f at x, in float64.</summary>
    public static double GradientNorm(Func<Tensor, Tensor> f, Tensor x)
    {
        var g = Diff.Grad(f, x.Detach()).ToArray();
        return Math.Sqrt(g.Sum(v => v * v));
    }

    /// <summary>Runs <see cref="Minimizer.Minimize"/> on f from x with the optimizer.</summary>
    public static MinimizeResult Run(Func<Tensor, Tensor> f, Tensor x, Optimizer o, double gradientTolerance = 1e-8, int maxIterations = 1000) =>
        Minimizer.Minimize(f, x, o, new MinimizeOptions { GradientTolerance = gradientTolerance, MaxIterations = maxIterations });
}

/// <summary>f(θ) = ½θᵀAθ − bᵀθ with A symmetric positive definite: minimum at A⁻¹b, Hessian A everywhere.</summary>
public sealed class Quadratic(double[,] a, double[] b)
{
    private readonly Tensor _a = Tensor.FromArray(a);
    private readonly Tensor _b = Tensor.FromArray(b, b.Length);

    /// <summary>The dimension.</summary>
    public int N => b.Length;

    /// <summary>The matrix A.</summary>
    public double[,] A => a;

    /// <summary>f at θ.</summary>
    public Tensor F(Tensor theta) => 0.5 * theta.Dot(_a.MatMul(theta)) - _b.Dot(theta);

    /// <summary>A seeded starting point.</summary>
    public Tensor Start(int seed) => Tensor.Randn([N], seed).RequireGrad();
}

/// <summary>
/// L2-regularised logistic regression mean(log(1 + e^(−yᵢ xᵢᵀw))) + (λ/2)‖w‖² on seeded data: strictly convex with a
/// unique minimum; its Hessian XᵀDX/n + λI has condition number about (¼·λmax(XᵀX/n) + λ)/λ.
/// </summary>
public sealed class LogisticRegression
{
    private readonly Tensor _x, _y;

    public LogisticRegression(int samples, int features, double l2, int seed)
    {
        var rng = new Rng(seed);
        // Standard normal features and a planted model with O(1) scores; 10% of the labels flipped.
        var x = Tensor.Randn([samples, features], rng);
        var truth = Tensor.Randn([features], rng) * (2.0 / Math.Sqrt(features));
        var scores = x.MatMul(truth).ToArray();
        var labels = new double[samples];
        for (int i = 0; i < samples; i++) labels[i] = (scores[i] >= 0 ? 1 : -1) * (rng.NextDouble() < 0.1 ? -1 : 1);
        _x = x;
        _y = Tensor.FromArray(labels, samples);
        L2 = l2;
        Features = features;
    }

    public double L2 { get; }
    public int Features { get; }

    public Tensor F(Tensor w) => Loss.Logistic(_x.MatMul(w), _y, w, L2);

    public Tensor Start() => Tensor.Zeros(Features).RequireGrad();
}
