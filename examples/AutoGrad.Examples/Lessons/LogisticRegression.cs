using System.Globalization;
using AutoGrad;
using AutoGrad.Examples.Plotting;
using AutoGrad.Optim;
using AutoGrad.Optim.Training;

namespace AutoGrad.Examples;

/// <summary>
/// Lesson 3: logistic regression, p(y = +1 | x) = σ(w·x + b), fitted by full-batch gradient descent with η = 0.1 on
/// the mean logistic loss mean(log(1 + e^(−y·s))) of 100 points from two Gaussian blobs. The loss is convex and
/// L-smooth with L ≤ λmax(AᵀA)/(4n), and η &lt; 2/L here, so every step must lower it; the blobs overlap, so the
/// minimiser is finite and the gradient goes to zero.
/// </summary>
public sealed class LogisticRegressionLesson : ILesson
{
    public string Name => "logistic";
    public int Order => 13;
    public string Summary => "logistic regression by gradient descent (eta = 0.1): loss curve and decision boundary";

    public const int Points = 100;
    public const double LearningRate = 0.1;

    /// <summary>What the lesson computed; the curves have one entry per iteration, from the starting point on.</summary>
    public sealed record Result(double[,] Points, double[] Labels, IReadOnlyList<double> Losses, IReadOnlyList<double> GradNorms,
        double[] Weights, double Bias, double Accuracy, double SmoothnessBound);

    public static Result Compute(bool quick)
    {
        int iterations = quick ? 1000 : 3000;
        var z = Tensor.Randn([Points, 2], seed: 31).ToArray();
        var xs = new double[Points, 3];   // features and a column of ones for the bias
        var ys = new double[Points];
        for (int i = 0; i < Points; i++)
        {
            ys[i] = i % 2 == 0 ? 1.0 : -1.0;
            xs[i, 0] = ys[i] * 1.0 + z[2 * i];
            xs[i, 1] = ys[i] * 0.8 + z[2 * i + 1];
            xs[i, 2] = 1.0;
        }
        var a = Tensor.FromArray(xs);
        var y = Tensor.FromArray(ys);
        Tensor Objective(Tensor theta) => Loss.Logistic(a.MatMul(theta), y);

        var theta = Tensor.Zeros(3).RequireGrad();
        var run = Minimizer.Minimize(Objective, theta, new GradientDescent([theta], LearningRate),
            new MinimizeOptions { GradientTolerance = 1e-6, MaxIterations = iterations });
        var t = run.Solution.ToArray();
        double accuracy = Metrics.Accuracy(a.MatMul(run.Solution), y);

        // L = λmax(AᵀA)/(4n): σ′ ≤ 1/4. Computed with the library's Lanczos on the Hessian of ‖Aθ‖²/(8n).
        Tensor Quadratic(Tensor v) => a.MatMul(v).Square().Sum() / (8.0 * Points);
        double smoothness = Curvature.LargestEigenvalue(Quadratic, Tensor.Zeros(3)).Value;

        var points = new double[Points, 2];
        for (int i = 0; i < Points; i++) { points[i, 0] = xs[i, 0]; points[i, 1] = xs[i, 1]; }
        return new Result(points, ys, run.Losses, run.GradientNorms, [t[0], t[1]], t[2], accuracy, smoothness);
    }

    public int Run(LessonContext context)
    {
        context.Progress?.Report(("logistic regression", 0));
        var r = Compute(context.Quick);
        context.Progress?.Report(("logistic regression", 1));
        var o = context.Out;
        int steps = r.Losses.Count - 1;
        o.WriteLine($"Logistic regression on {Points} points (two Gaussian blobs), gradient descent with eta = {F(LearningRate)} from 0.");
        o.WriteLine($"Smoothness bound L = lambda_max(A'A)/(4n) = {F(r.SmoothnessBound)}, so 2/L = {F(2 / r.SmoothnessBound)} > eta: every step must lower the loss.");
        o.WriteLine();
        o.WriteLine("  iteration   logistic loss   |gradient|");
        foreach (int k in new[] { 0, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 3000 }.Where(k => k <= steps).Append(steps).Distinct())
            o.WriteLine($"  {k,9}   {r.Losses[k].ToString("F6", CultureInfo.InvariantCulture),13}   {r.GradNorms[k].ToString("0.00E+00", CultureInfo.InvariantCulture),10}");
        int increases = Enumerable.Range(1, steps).Count(k => r.Losses[k] > r.Losses[k - 1]);
        o.WriteLine();
        o.WriteLine($"Final: w = ({F(r.Weights[0])}, {F(r.Weights[1])}), b = {F(r.Bias)}, training accuracy {F(r.Accuracy)}.");
        o.WriteLine($"Conclusion: the loss fell at every one of {steps} steps ({increases} increases), to {r.Losses[^1].ToString("F6", CultureInfo.InvariantCulture)}, " +
                    $"with final gradient norm {r.GradNorms[^1].ToString("0.00E+00", CultureInfo.InvariantCulture)} and {(r.Accuracy * 100).ToString("F0", CultureInfo.InvariantCulture)}% of the points on the right side.");

        var iterationAxis = Enumerable.Range(0, r.Losses.Count).Select(k => (double)k).ToArray();
        string curve = context.PathOf("logistic-loss.svg");
        new Figure("Logistic regression: gradient descent, eta = 0.1", "iteration", "loss / gradient norm", width: 720, height: 480) { LogY = true }
            .Line("logistic loss", iterationAxis, r.Losses.ToArray())
            .Line("|gradient|", iterationAxis, r.GradNorms.ToArray(), dashed: true)
            .Save(curve);

        string boundary = context.PathOf("logistic-boundary.svg");
        var fig = new Figure("Logistic regression: data and decision boundary", "x1", "x2", width: 720, height: 480)
        {
            XRange = (-4, 4),
            YRange = (-4, 4),
        };
        foreach (var (label, name) in new[] { (-1.0, "y = -1"), (1.0, "y = +1") })
        {
            var idx = Enumerable.Range(0, Points).Where(i => r.Labels[i] == label).ToArray();
            fig.Scatter(name, idx.Select(i => r.Points[i, 0]).ToArray(), idx.Select(i => r.Points[i, 1]).ToArray());
        }
        double w0 = r.Weights[0], w1 = r.Weights[1], b = r.Bias;
        fig.Boundary((u, v) => w0 * u + w1 * v + b, "p = 0.5")
           .Boundary((u, v) => w0 * u + w1 * v + b - Math.Log(9), "p = 0.9", color: "#999999")
           .Boundary((u, v) => w0 * u + w1 * v + b + Math.Log(9), "p = 0.1", color: "#999999")
           .Save(boundary);
        o.WriteLine($"Plots: {curve}, {boundary}");
        return increases == 0 ? 0 : 1;
    }

    private static string F(double v) => v.ToString("G4", CultureInfo.InvariantCulture);
}
