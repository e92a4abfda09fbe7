using System.Globalization;
using AutoGrad;
using AutoGrad.Examples.Plotting;
using AutoGrad.Optim;

namespace AutoGrad.Examples;

/// <summary>
/// Lesson 1: linear regression with a bias, fitted twice on the same synthetic data: by full-batch gradient descent on
/// the mean squared error, and by the closed form, the normal equations AᵀA·θ = Aᵀy where A is X with a column of
/// ones appended (so θ = [w; b]), solved by a Cholesky factorisation written out below. Both must give the same θ.
/// </summary>
public sealed class LinearRegressionLesson : ILesson
{
    public string Name => "linear-regression";
    public int Order => 11;
    public string Summary => "linear regression by gradient descent against the normal equations (Cholesky)";

    public const int Points = 200;
    public const int Features = 3;
    public const double LearningRate = 0.2;

    /// <summary>What the lesson computed. <paramref name="Theta"/> and <paramref name="ClosedForm"/> are [w₁ … w_d, b].</summary>
    public sealed record Result(double[] TrueTheta, double[] Theta, double[] ClosedForm, double MaxDifference,
        IReadOnlyList<double> Losses, double ClosedFormLoss, int Iterations, StopReason Reason);

    public static Result Compute(bool quick)
    {
        // The data set is already tiny, so quick mode keeps it: the lesson's claim (agreement to 1e-6) needs full convergence.
        _ = quick;
        double[] trueTheta = [2.0, -1.0, 0.5, 0.3];
        var x = Tensor.Randn([Points, Features], seed: 11).ToArray();
        var noise = Tensor.Randn([Points], seed: 12).ToArray();
        var a = new double[Points * (Features + 1)];
        var y = new double[Points];
        for (int i = 0; i < Points; i++)
        {
            double s = trueTheta[Features];
            for (int j = 0; j < Features; j++)
            {
                a[i * (Features + 1) + j] = x[i * Features + j];
                s += trueTheta[j] * x[i * Features + j];
            }
            a[i * (Features + 1) + Features] = 1.0;
            y[i] = s + 0.1 * noise[i];
        }

        var design = Tensor.FromArray(a, Points, Features + 1);
        var targets = Tensor.FromArray(y, Points, 1);
        Tensor Objective(Tensor theta) => Loss.MeanSquaredError(design.MatMul(theta), targets);

        var theta = Tensor.Zeros(Features + 1, 1).RequireGrad();
        // The Hessian of the MSE is (2/n)·AᵀA, whose largest eigenvalue is about 2 for standard-normal features:
        // η = 0.2 is well inside the stable range 2/λmax while still converging in a few hundred steps.
        var run = Minimizer.Minimize(Objective, theta, new GradientDescent([theta], LearningRate),
            new MinimizeOptions { GradientTolerance = 1e-11, MaxIterations = 5000 });

        var closed = SolveNormalEquations(a, y, Points, Features + 1);
        double[] gd = run.Solution.ToArray();
        double maxDiff = gd.Zip(closed, (p, q) => Math.Abs(p - q)).Max();
        double closedLoss = Objective(Tensor.FromArray(closed, Features + 1, 1)).Item();
        return new Result(trueTheta, gd, closed, maxDiff, run.Losses, closedLoss, run.Iterations, run.Reason);
    }

    /// <summary>Solves AᵀA·θ = Aᵀy for A [n, p] (row-major) by Cholesky, AᵀA = LLᵀ, then two triangular solves.</summary>
    public static double[] SolveNormalEquations(double[] a, double[] y, int n, int p)
    {
        var g = new double[p, p];
        var r = new double[p];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < p; j++)
            {
                r[j] += a[i * p + j] * y[i];
                for (int k = 0; k < p; k++) g[j, k] += a[i * p + j] * a[i * p + k];
            }

        var l = new double[p, p];
        for (int j = 0; j < p; j++)
        {
            double d = g[j, j];
            for (int k = 0; k < j; k++) d -= l[j, k] * l[j, k];
            if (d <= 0) throw new InvalidOperationException("AᵀA is not positive definite: the features are collinear.");
            l[j, j] = Math.Sqrt(d);
            for (int i = j + 1; i < p; i++)
            {
                double s = g[i, j];
                for (int k = 0; k < j; k++) s -= l[i, k] * l[j, k];
                l[i, j] = s / l[j, j];
            }
        }

        var z = new double[p];   // L z = Aᵀy
        for (int i = 0; i < p; i++)
        {
            double s = r[i];
            for (int k = 0; k < i; k++) s -= l[i, k] * z[k];
            z[i] = s / l[i, i];
        }
        var theta = new double[p];   // Lᵀ θ = z
        for (int i = p - 1; i >= 0; i--)
        {
            double s = z[i];
            for (int k = i + 1; k < p; k++) s -= l[k, i] * theta[k];
            theta[i] = s / l[i, i];
        }
        return theta;
    }

    public int Run(LessonContext context)
    {
        context.Progress?.Report(("linear regression", 0));
        var r = Compute(context.Quick);
        context.Progress?.Report(("linear regression", 1));
        var o = context.Out;
        o.WriteLine($"Linear regression on {Points} synthetic points with {Features} features and a bias (noise sd 0.1).");
        o.WriteLine($"Gradient descent, eta = {F(LearningRate)}, from theta = 0: {r.Reason} after {r.Iterations} iterations.");
        o.WriteLine();
        o.WriteLine("  parameter        true      gradient descent         closed form   |difference|");
        for (int j = 0; j < r.Theta.Length; j++)
        {
            string name = j < Features ? $"w{j + 1}" : "b";
            o.WriteLine($"  {name,-9} {F(r.TrueTheta[j]),10} {r.Theta[j].ToString("F12", CultureInfo.InvariantCulture),21} {r.ClosedForm[j].ToString("F12", CultureInfo.InvariantCulture),19} {Math.Abs(r.Theta[j] - r.ClosedForm[j]).ToString("0.00E+00", CultureInfo.InvariantCulture),14}");
        }
        o.WriteLine();
        o.WriteLine($"Largest difference {r.MaxDifference.ToString("0.00E+00", CultureInfo.InvariantCulture)}; MSE: gradient descent {r.Losses[^1].ToString("G10", CultureInfo.InvariantCulture)}, closed form {r.ClosedFormLoss.ToString("G10", CultureInfo.InvariantCulture)}.");
        bool agree = r.MaxDifference < 1e-6;
        o.WriteLine(agree
            ? "Conclusion: gradient descent reaches the normal-equation solution (to better than 1e-6); the loss falls geometrically."
            : "Conclusion: gradient descent did NOT reach the normal-equation solution.");

        var iterations = Enumerable.Range(0, r.Losses.Count).Select(i => (double)i).ToArray();
        // The excess loss over the optimum shows the geometric rate; the loss itself flattens at the noise level.
        var excess = r.Losses.Select(v => Math.Max(v - r.ClosedFormLoss, 1e-16)).ToArray();
        string path = context.PathOf("linear-regression-loss.svg");
        new Figure("Linear regression: gradient descent", "iteration", "MSE", width: 720, height: 480) { LogY = true }
            .Line("MSE", iterations, r.Losses.ToArray())
            .Line("MSE - MSE(closed form)", iterations, excess, dashed: true)
            .Save(path);
        o.WriteLine($"Plot: {path}");
        return agree ? 0 : 1;
    }

    private static string F(double v) => v.ToString("G4", CultureInfo.InvariantCulture);
}
