using System.Globalization;
using AutoGrad;
using AutoGrad.Examples.Plotting;
using AutoGrad.Optim;

namespace AutoGrad.Examples;

/// <summary>
/// Lesson 8: ravines. On an ill-conditioned quadratic ½wᵀAw (eigenvalues 1 and 50, axes rotated by 30°) gradient descent
/// must keep η below 2/λmax, so it zigzags across the ravine and crawls along it; above 2/λmax it diverges; momentum
/// does much better and Newton's method lands in one step. Then the same effect on regression data whose features differ
/// in scale by 10⁵: on the raw inputs gradient descent makes no progress in the small feature's direction, after
/// standardising the inputs it converges in a few dozen steps.
/// </summary>
public sealed class RavinesLesson : ILesson
{
    public string Name => "ravines";
    public int Order => 18;
    public string Summary => "ill-conditioning: GD zigzags or diverges, momentum and Newton do not; normalising inputs fixes regression";

    public const double LambdaMin = 1, LambdaMax = 50;

    /// <summary>Where every run on the quadratic starts.</summary>
    public static (double X, double Y) Start { get; } = (-4.0, 2.0);

    /// <summary>One optimizer's run on the quadratic.</summary>
    /// <param name="Method">Its name and settings.</param>
    /// <param name="Path">Every iterate.</param>
    /// <param name="Iterations">Steps taken.</param>
    /// <param name="Reason">Why it stopped (Diverged for η above 2/λmax).</param>
    /// <param name="FinalDistance">‖w − w*‖ at the end (w* = 0).</param>
    public sealed record QuadraticRun(string Method, IReadOnlyList<(double X, double Y)> Path, int Iterations, StopReason Reason, double FinalDistance);

    /// <summary>One gradient-descent run on the regression.</summary>
    /// <param name="Inputs">"raw" or "standardised".</param>
    /// <param name="HessianEigenvalues">Eigenvalues of the loss's Hessian 2XᵀX/n (with the column of ones), ascending.</param>
    /// <param name="ConditionNumber">κ(XᵀX/n) = λmax/λmin.</param>
    /// <param name="MaxStableStep">2/λmax of the Hessian: the largest η for which GD does not diverge.</param>
    /// <param name="LearningRate">The η used: half the largest stable one.</param>
    /// <param name="Losses">The loss at every iterate.</param>
    /// <param name="IterationsToTolerance">The first iteration whose loss is within the tolerance of the optimum; null if never within the budget.</param>
    /// <param name="PredictedIterations">ln(initial excess / tolerance)/(ηλmin): the iterations the slowest direction needs.</param>
    public sealed record RegressionRun(string Inputs, double[] HessianEigenvalues, double ConditionNumber, double MaxStableStep, double LearningRate,
        IReadOnlyList<double> Losses, int? IterationsToTolerance, double PredictedIterations);

    /// <summary>What the lesson computed.</summary>
    /// <param name="A">The quadratic's matrix, row-major.</param>
    /// <param name="HessianEigenvalues">Eigenvalues of Diff.Hessian of ½wᵀAw, ascending.</param>
    /// <param name="ConditionNumber">Curvature.ConditionNumber at the start.</param>
    /// <param name="MaxStableStep">Curvature.MaxStableStep at the start.</param>
    /// <param name="Runs">GD below 2/λmax, GD above it, heavy-ball momentum, Newton.</param>
    /// <param name="OptimalLoss">The least-squares loss, from the normal equations.</param>
    /// <param name="Tolerance">"Converged" means loss − optimum ≤ this.</param>
    /// <param name="Budget">The iteration budget of each regression run.</param>
    /// <param name="Raw">GD on the raw inputs.</param>
    /// <param name="Standardised">GD on the standardised inputs.</param>
    public sealed record Result(double[] A, double[] HessianEigenvalues, double ConditionNumber, double MaxStableStep,
        IReadOnlyList<QuadraticRun> Runs, double OptimalLoss, double Tolerance, int Budget, RegressionRun Raw, RegressionRun Standardised);

    /// <summary>R·diag(1, 50)·Rᵀ, R a rotation by 30°: the ravine runs along neither axis, as in real problems.</summary>
    public static double[] MakeA()
    {
        double c = Math.Cos(Math.PI / 6), s = Math.Sin(Math.PI / 6);
        return [c * c * LambdaMin + s * s * LambdaMax, c * s * (LambdaMin - LambdaMax),
                c * s * (LambdaMin - LambdaMax), s * s * LambdaMin + c * c * LambdaMax];
    }

    public static Result Compute(bool quick, IProgress<(string Task, double Fraction)>? progress = null)
    {
        var aData = MakeA();
        var a = Tensor.FromArray(aData, 2, 2);
        Tensor Quadratic(Tensor w) => 0.5 * (w * a.MatMul(w)).Sum();
        var w0 = Tensor.FromArray([Start.X, Start.Y]);
        var hessian = SmallEigen.Symmetric(Diff.Hessian(Quadratic, w0).ToArray());
        double kappa = Curvature.ConditionNumber(Quadratic, w0);
        double maxStep = Curvature.MaxStableStep(Quadratic, w0);

        // Heavy ball with Polyak's optimal settings for eigenvalues in [μ, L]: contraction (√κ − 1)/(√κ + 1) per step.
        double sqrtK = Math.Sqrt(LambdaMax / LambdaMin);
        double hbEta = 4 / Math.Pow(Math.Sqrt(LambdaMax) + Math.Sqrt(LambdaMin), 2);
        double hbBeta = Math.Pow((sqrtK - 1) / (sqrtK + 1), 2);
        var methods = new (string Name, Func<Tensor, Optimizer> Make)[]
        {
            (Fmt($"GD, η = 0.95·2/λmax = {0.95 * maxStep:G3}"), w => new GradientDescent([w], 0.95 * maxStep)),
            (Fmt($"GD, η = 1.05·2/λmax = {1.05 * maxStep:G3}"), w => new GradientDescent([w], 1.05 * maxStep)),
            (Fmt($"momentum, η = {hbEta:G3}, β = {hbBeta:G3}"), w => new Sgd([w], new SgdOptions(hbEta, momentum: hbBeta))),
            ("Newton", w => new Newton([w])),
        };
        var options = new MinimizeOptions { MaxIterations = 5000, GradientTolerance = 1e-8, RecordIterates = true };
        var runs = new List<QuadraticRun>();
        foreach (var (name, make) in methods)
        {
            var w = Tensor.FromArray([Start.X, Start.Y]).RequireGrad();
            var r = Minimizer.Minimize(Quadratic, w, make(w), options);
            var path = r.Iterates!.Select(t => { var v = t.ToArray(); return (v[0], v[1]); }).ToArray();
            var end = r.Solution.ToArray();
            runs.Add(new QuadraticRun(name, path, r.Iterations, r.Reason, Math.Sqrt(end[0] * end[0] + end[1] * end[1])));
        }
        progress?.Report(("ravines: quadratic", 0.2));

        // Regression: the budget lets standardised GD converge many times over; raw GD would need ~10¹² steps.
        int n = quick ? 100 : 400, budget = quick ? 5000 : 20000;
        var (raw, y) = MakeData(n, seed: 7);
        var standard = Standardise(raw);
        double optimal = LeastSquaresLoss(standard, y);
        double tolerance = 1e-4 * optimal;
        var rawRun = Regress("raw", raw, y, optimal, tolerance, budget, f => progress?.Report(("ravines: raw inputs", 0.2 + 0.7 * f)));
        var stdRun = Regress("standardised", standard, y, optimal, tolerance, budget, null);
        progress?.Report(("ravines", 1));
        return new Result(aData, hessian, kappa, maxStep, runs, optimal, tolerance, budget, rawRun, stdRun);
    }

    /// <summary>x1 ~ U(100, 500), x2 in [0.001, 0.005] (correlated with x1, as real features are: standardising then leaves
    /// κ ≈ 10, not 1), y = 0.01·x1 + 500·x2 + 1 + N(0, 0.1²): both features move y by about ±2, but their scales differ by 10⁵.</summary>
    public static (double[,] X, double[] Y) MakeData(int n, long seed)
    {
        var rng = new Rng(seed);
        var x = new double[n, 2];
        var y = new double[n];
        for (int i = 0; i < n; i++)
        {
            double u = rng.NextDouble();
            x[i, 0] = 100 + 400 * u;
            x[i, 1] = 0.001 + 0.004 * (0.6 * u + 0.4 * rng.NextDouble());
            y[i] = 0.01 * x[i, 0] + 500 * x[i, 1] + 1 + 0.1 * rng.NextGaussian();
        }
        return (x, y);
    }

    /// <summary>Each column to zero mean and unit variance.</summary>
    public static double[,] Standardise(double[,] x)
    {
        int n = x.GetLength(0), d = x.GetLength(1);
        var z = new double[n, d];
        for (int j = 0; j < d; j++)
        {
            double mean = 0, sq = 0;
            for (int i = 0; i < n; i++) mean += x[i, j];
            mean /= n;
            for (int i = 0; i < n; i++) sq += (x[i, j] - mean) * (x[i, j] - mean);
            double sd = Math.Sqrt(sq / n);
            for (int i = 0; i < n; i++) z[i, j] = (x[i, j] - mean) / sd;
        }
        return z;
    }

    /// <summary>The design matrix [x, 1] as an n×(d+1) tensor.</summary>
    private static Tensor Design(double[,] x)
    {
        int n = x.GetLength(0), d = x.GetLength(1);
        var data = new double[n * (d + 1)];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < d; j++) data[i * (d + 1) + j] = x[i, j];
            data[i * (d + 1) + d] = 1;
        }
        return Tensor.FromArray(data, n, d + 1);
    }

    /// <summary>The minimum of the mean squared error of a linear model with bias, by the normal equations (on
    /// standardised inputs they are well conditioned; the minimum is the same for any affine rescaling of the inputs).</summary>
    public static double LeastSquaresLoss(double[,] x, double[] y)
    {
        var d = Design(x).ToArray();
        int n = y.Length, m = d.Length / n;
        var g = new double[m, m + 1];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < m; j++)
            {
                for (int k = 0; k < m; k++) g[j, k] += d[i * m + j] * d[i * m + k];
                g[j, m] += d[i * m + j] * y[i];
            }
        for (int c = 0; c < m; c++)          // Gaussian elimination; XᵀX is positive definite, so no pivoting is needed
            for (int r = c + 1; r < m; r++)
            {
                double f = g[r, c] / g[c, c];
                for (int k = c; k <= m; k++) g[r, k] -= f * g[c, k];
            }
        var w = new double[m];
        for (int r = m - 1; r >= 0; r--)
        {
            double s = g[r, m];
            for (int k = r + 1; k < m; k++) s -= g[r, k] * w[k];
            w[r] = s / g[r, r];
        }
        double loss = 0;
        for (int i = 0; i < n; i++)
        {
            double p = 0;
            for (int j = 0; j < m; j++) p += d[i * m + j] * w[j];
            loss += (p - y[i]) * (p - y[i]);
        }
        return loss / n;
    }

    private static RegressionRun Regress(string inputs, double[,] x, double[] yData, double optimal, double tolerance, int budget, Action<double>? report)
    {
        var design = Design(x);
        var y = Tensor.FromArray(yData);
        Tensor Loss(Tensor w) => (design.MatMul(w) - y).Square().Mean();
        var w = Tensor.Zeros(x.GetLength(1) + 1).RequireGrad();
        var h = SmallEigen.Symmetric(Diff.Hessian(Loss, w.Detach()).ToArray());
        double maxStep = 2 / h[^1], eta = 0.5 * maxStep;
        var progress = report is null ? null : new Progress<IterationInfo>(i => { if (i.Iteration % 500 == 0) report(i.Iteration / (double)budget); });
        var r = Minimizer.Minimize(Loss, w, new GradientDescent([w], eta),
            new MinimizeOptions { MaxIterations = budget, GradientTolerance = 0 }, progress);
        int? reached = null;
        for (int k = 0; k < r.Losses.Count; k++)
            if (r.Losses[k] - optimal <= tolerance) { reached = k; break; }
        // The error along the eigenvector of λmin shrinks by (1 − ηλmin) per step; its share of the loss decays twice as fast.
        double predicted = Math.Log((r.Losses[0] - optimal) / tolerance) / (2 * eta * h[0]);
        return new RegressionRun(inputs, h, h[^1] / h[0], maxStep, eta, r.Losses, reached, predicted);
    }

    public int Run(LessonContext context)
    {
        var r = Compute(context.Quick, context.Progress);
        var o = context.Out;
        o.WriteLine("Part 1. f(w) = ½ wᵀAw with A = R·diag(1, 50)·Rᵀ, R a rotation by 30°:");
        o.WriteLine(Fmt($"  A = [[{r.A[0]:F4}, {r.A[1]:F4}], [{r.A[2]:F4}, {r.A[3]:F4}]]"));
        o.WriteLine(Fmt($"  Diff.Hessian eigenvalues: {r.HessianEigenvalues[0]:G15}, {r.HessianEigenvalues[1]:G15}"));
        o.WriteLine(Fmt($"  Curvature.ConditionNumber = {r.ConditionNumber:G15}   Curvature.MaxStableStep = 2/λmax = {r.MaxStableStep:G15}"));
        o.WriteLine(Fmt($"From w₀ = ({Start.X:G}, {Start.Y:G}) to ‖∇f‖ ≤ 1e-8:"));
        o.WriteLine("  method                                   outcome            iterations   ‖w − w*‖ at the end");
        foreach (var run in r.Runs)
            o.WriteLine(Fmt($"  {run.Method,-40} {run.Reason,-18} {run.Iterations,10}   {run.FinalDistance:0.00e+00}"));
        var gd = r.Runs[0];
        o.WriteLine(Fmt($"Below 2/λmax the steep direction flips sign each step (factor 1 − ηλmax = {1 - 0.95 * r.MaxStableStep * LambdaMax:F2}) while the"));
        o.WriteLine(Fmt($"shallow one shrinks by only {1 - 0.95 * r.MaxStableStep * LambdaMin:F3} per step: {gd.Iterations} iterations. Above 2/λmax the zigzag grows"));
        o.WriteLine(Fmt($"(factor {1.05 * r.MaxStableStep * LambdaMax - 1:F2} per step) until Minimize reports {r.Runs[1].Reason} after {r.Runs[1].Iterations} steps. Momentum needs"));
        o.WriteLine(Fmt($"{r.Runs[2].Iterations}, and Newton, which rescales by H⁻¹, {r.Runs[3].Iterations} (‖w₁ − w*‖ = {r.Runs[3].FinalDistance:0.0e+00})."));
        o.WriteLine();

        o.WriteLine("Part 2. Linear regression y ≈ w₁x₁ + w₂x₂ + b, x₁ ~ U(100, 500), x₂ ∈ [0.001, 0.005] (correlated), mean squared error,");
        o.WriteLine(Fmt($"GD from 0 with η = half the largest stable step; converged means loss − optimum ≤ {r.Tolerance:0.0e+00} (optimum {r.OptimalLoss:F6})."));
        o.WriteLine("  inputs         κ(XᵀX/n)     largest stable η   η used       iterations to tolerance        ln(Δ₀/tol)/(2ηλmin)");
        foreach (var g in new[] { r.Raw, r.Standardised })
        {
            string reached = g.IterationsToTolerance is int k ? k.ToString(CultureInfo.InvariantCulture) : Fmt($"not in {r.Budget} (loss {g.Losses[^1]:F4})");
            o.WriteLine(Fmt($"  {g.Inputs,-13} {g.ConditionNumber,12:0.00e+00}  {g.MaxStableStep,16:0.00e+00}  {g.LearningRate,10:0.00e+00}   {reached,-29} {g.PredictedIterations:0.0e+00}"));
        }
        double factor = Factor(r);
        o.WriteLine(Fmt($"Standardising the inputs makes GD at least {factor:F0} times faster here; by the condition numbers, about {r.Raw.PredictedIterations / r.Standardised.PredictedIterations:0.0e+00} times."));
        o.WriteLine("On raw inputs η is capped by the huge curvature along x₁ (values in the hundreds), so the x₂ and bias directions barely move.");

        var fig = new Figure("½wᵀAw, eigenvalues 1 and 50: the ravine", "w₁", "w₂");
        fig.XRange = (-5, 5);
        fig.YRange = (-3.5, 3.5);
        fig.Contours((u, v) => 0.5 * (r.A[0] * u * u + 2 * r.A[1] * u * v + r.A[3] * v * v), levels: context.Quick ? 10 : 16, logSpaced: true);
        foreach (int i in new[] { 0, 2, 3 }) fig.Path(r.Runs[i].Method, r.Runs[i].Path);
        fig.Point("w*", 0, 0, color: "black");
        string quadPath = context.PathOf("ravine-paths.svg");
        fig.Save(quadPath);

        var curves = new Figure("Regression loss − optimum: raw vs standardised inputs", "iteration", "loss − optimum");
        curves.LogY = true;
        foreach (var g in new[] { r.Raw, r.Standardised })
        {
            var xs = Enumerable.Range(0, g.Losses.Count).Select(i => (double)i).ToArray();
            curves.Line(g.Inputs + " inputs", xs, g.Losses.Select(l => Math.Max(l - r.OptimalLoss, 1e-16)).ToArray());
        }
        curves.HLine(r.Tolerance, "tolerance");
        string lossPath = context.PathOf("ravine-regression-loss.svg");
        curves.Save(lossPath);
        o.WriteLine($"Plots: {quadPath}, {lossPath}");

        bool ok = r.Runs[1].Reason == StopReason.Diverged && r.Runs[3].Iterations == 1 && r.Standardised.IterationsToTolerance is not null && factor > 10;
        return ok ? 0 : 1;
    }

    /// <summary>Raw iterations (the budget when never reached, so a lower bound) over standardised iterations.</summary>
    public static double Factor(Result r) =>
        (r.Raw.IterationsToTolerance ?? r.Budget) / (double)Math.Max(1, r.Standardised.IterationsToTolerance ?? r.Budget);

    private static string Fmt(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
