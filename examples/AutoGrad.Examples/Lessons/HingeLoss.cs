using System.Globalization;
using AutoGrad;
using AutoGrad.Examples.Plotting;
using AutoGrad.Optim;
using AutoGrad.Optim.Training;

namespace AutoGrad.Examples;

/// <summary>
/// Lesson 2: a linear classifier s = w·x + b trained on the hinge loss mean(max(0, 1 − y·s)) + (λ/2)‖w‖² by full-batch
/// subgradient descent, on two overlapping 2-D clouds (almost linearly separable). Since max(0, 1 − m) ≥ 1{m ≤ 0}
/// for every margin m, the mean hinge loss bounds the zero-one loss (the error rate) from above at every step; the
/// lesson tracks both and shows that driving the surrogate down drives the error down.
/// </summary>
public sealed class HingeLossLesson : ILesson
{
    public string Name => "hinge";
    public int Order => 12;
    public string Summary => "a linear classifier on the hinge loss; the zero-one loss it bounds, and the decision boundary";

    public const double Lambda = 0.01;
    public const double LearningRate = 0.1;

    // What the lesson computed; the curves have one entry per epoch, from the starting point on.
    // Hinge: Mean hinge loss (the data term, without the penalty) per epoch.
    // Objective: Hinge loss plus (λ/2)‖w‖², the function minimised.
    // ZeroOne: Training error rate per epoch.
    public sealed record Result(double[,] Points, double[] Labels, double[] Hinge, double[] Objective, double[] ZeroOne,
        double[] Weights, double Bias);

    /// <summary>Two Gaussian clouds of n/2 points each, labels −1 and +1, centres ∓(1.2, 1.0), sd 0.7.</summary>
    public static (double[,] X, double[] Y) Clouds(int n, int seed)
    {
        var z = Tensor.Randn([n, 2], seed).ToArray();
        var x = new double[n, 2];
        var y = new double[n];
        for (int i = 0; i < n; i++)
        {
            y[i] = i < n / 2 ? -1.0 : 1.0;
            x[i, 0] = y[i] * 1.2 + 0.7 * z[2 * i];
            x[i, 1] = y[i] * 1.0 + 0.7 * z[2 * i + 1];
        }
        return (x, y);
    }

    public static Result Compute(bool quick, IProgress<(string Task, double Fraction)>? progress = null)
    {
        int n = quick ? 100 : 200, epochs = quick ? 100 : 300;
        var (xs, ys) = Clouds(n, seed: 21);
        var x = Tensor.FromArray(xs);
        var y = Tensor.FromArray(ys);
        var w = Tensor.FromArray([0.0, 0.0]).RequireGrad();
        var b = Tensor.Scalar(0.0).RequireGrad();
        var optimizer = new GradientDescent([w, b], LearningRate);
        // A constant step does not converge for a nonsmooth loss (the subgradient never vanishes at the kinks);
        // the 1/t decay makes the steps shrink so that the iterates settle.
        var schedule = new InverseTimeLR(optimizer, 0.02);

        var hinge = new double[epochs + 1];
        var objective = new double[epochs + 1];
        var zeroOne = new double[epochs + 1];
        for (int e = 0; e <= epochs; e++)
        {
            using var scope = TensorScope.Begin();
            optimizer.ZeroGrad();
            var scores = x.MatMul(w) + b;
            var loss = Loss.Hinge(scores, y, w, Lambda);
            using (GradMode.NoGrad())
            {
                hinge[e] = Loss.Hinge(scores, y).Item();
                objective[e] = loss.Item();
                zeroOne[e] = Metrics.ZeroOneLoss(scores, y);
            }
            if (e == epochs) break;
            loss.Backward();
            optimizer.Step();
            schedule.Step();
            if (e % 20 == 0) progress?.Report(("hinge", (double)e / epochs));
        }
        return new Result(xs, ys, hinge, objective, zeroOne, w.ToArray(), b.Item());
    }

    public int Run(LessonContext context)
    {
        var r = Compute(context.Quick, context.Progress);
        var o = context.Out;
        int n = r.Labels.Length, epochs = r.Hinge.Length - 1;
        o.WriteLine($"A linear classifier on {n} points in two overlapping clouds: subgradient descent on the hinge loss");
        o.WriteLine($"plus (lambda/2)|w|^2, lambda = {F(Lambda)}, eta = {F(LearningRate)}/(1 + 0.02 t), {epochs} full-batch epochs.");
        o.WriteLine();
        o.WriteLine("  epoch   hinge loss   zero-one loss   hinge >= zero-one");
        foreach (int e in new[] { 0, 1, 2, 5, 10, 20, 50, 100, 200, 300 }.Where(e => e <= epochs))
            o.WriteLine($"  {e,5}   {F4(r.Hinge[e]),10}   {F4(r.ZeroOne[e]),13}   {(r.Hinge[e] >= r.ZeroOne[e] ? "yes" : "NO"),17}");
        bool bound = Enumerable.Range(0, r.Hinge.Length).All(e => r.Hinge[e] >= r.ZeroOne[e]);
        // At the start every score is 0, where both losses are exactly 1: the gap after that is the informative one.
        double gap = Enumerable.Range(1, epochs).Min(e => r.Hinge[e] - r.ZeroOne[e]);
        o.WriteLine();
        o.WriteLine($"Final: w = ({F4(r.Weights[0])}, {F4(r.Weights[1])}), b = {F4(r.Bias)}, training error {F4(r.ZeroOne[^1])} " +
                    $"({Math.Round(r.ZeroOne[^1] * n).ToString(CultureInfo.InvariantCulture)} of {n} points misclassified).");
        o.WriteLine($"Conclusion: the hinge loss stayed above the zero-one loss at all {r.Hinge.Length} recorded steps " +
                    $"(equal at the start, where all scores are 0; smallest gap after it {F4(gap)}), so minimising it pushed the error rate down to {F4(r.ZeroOne[^1])}.");

        var epochAxis = Enumerable.Range(0, r.Hinge.Length).Select(e => (double)e).ToArray();
        string curves = context.PathOf("hinge-losses.svg");
        new Figure("Hinge loss bounds the zero-one loss", "epoch", "loss", width: 720, height: 480)
            .Line("hinge loss", epochAxis, r.Hinge)
            .Line("hinge + (lambda/2)|w|^2", epochAxis, r.Objective, dashed: true)
            .Line("zero-one loss (error rate)", epochAxis, r.ZeroOne)
            .Save(curves);

        string boundary = context.PathOf("hinge-boundary.svg");
        var fig = new Figure("Hinge-loss classifier: data and decision boundary", "x1", "x2", width: 720, height: 480)
        {
            XRange = (-4, 4),
            YRange = (-4, 4),
        };
        AddClass(fig, r, -1, "class -1");
        AddClass(fig, r, +1, "class +1");
        double w0 = r.Weights[0], w1 = r.Weights[1], b = r.Bias;
        fig.Boundary((u, v) => w0 * u + w1 * v + b, "w.x + b = 0")
           .Boundary((u, v) => w0 * u + w1 * v + b - 1, "margin +1", color: "#999999")
           .Boundary((u, v) => w0 * u + w1 * v + b + 1, "margin -1", color: "#999999")
           .Save(boundary);
        o.WriteLine($"Plots: {curves}, {boundary}");
        return bound ? 0 : 1;
    }

    internal static void AddClass(Figure fig, Result r, double label, string name)
    {
        var idx = Enumerable.Range(0, r.Labels.Length).Where(i => r.Labels[i] == label).ToArray();
        fig.Scatter(name, idx.Select(i => r.Points[i, 0]).ToArray(), idx.Select(i => r.Points[i, 1]).ToArray());
    }

    private static string F(double v) => v.ToString("G4", CultureInfo.InvariantCulture);
    private static string F4(double v) => v.ToString("F4", CultureInfo.InvariantCulture);
}
