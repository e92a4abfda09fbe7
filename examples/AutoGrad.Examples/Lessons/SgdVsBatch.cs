using System.Globalization;
using AutoGrad;
using AutoGrad.Examples.Plotting;
using AutoGrad.Optim;
using AutoGrad.Optim.Models;
using AutoGrad.Optim.Training;

namespace AutoGrad.Examples;

/// <summary>
/// Lesson 6: batch gradient descent, stochastic gradient descent (one example per step), mini-batches of 16 and SGD
/// with a 1/t learning rate, all minimising the same empirical risk (mean squared error of a linear model on n
/// synthetic points). Per epoch, batch GD takes one step and SGD n; per gradient evaluation (one example's gradient)
/// SGD is far ahead early on, but with a constant step it then jitters at a noise floor above the minimum, which a
/// decaying step removes. The minimum itself comes from the normal equations of lesson 1.
/// </summary>
public sealed class SgdVsBatchLesson : ILesson
{
    public string Name => "sgd-vs-batch";
    public int Order => 16;
    public string Summary => "batch GD vs SGD vs mini-batches on one empirical risk, per epoch and per gradient evaluation";

    public const int Features = 5;

    // One training run.
    // EpochLosses: The empirical risk at the end of each epoch, from epoch 0 (the start).
    // Curve: The empirical risk against gradient evaluations (examples whose gradient was computed), sampled
    // at least 20 times per epoch for small batches.
    public sealed record Run1(string Label, int BatchSize, double LearningRate, double[] EpochLosses, IReadOnlyList<(double Evaluations, double Loss)> Curve)
    {
        public double FinalLoss => EpochLosses[^1];

        /// <summary>The risk measured at the last sample point with at most <paramref name="evaluations"/> gradient evaluations.</summary>
        public double LossAfter(double evaluations) => Curve.Last(p => p.Evaluations <= evaluations).Loss;
    }

    public sealed record Result(int Points, int Epochs, double MinimumLoss, IReadOnlyList<Run1> Runs)
    {
        public Run1 Batch => Runs[0];
        public Run1 Sgd => Runs[1];
        public Run1 MiniBatch => Runs[2];
        public Run1 SgdDecaying => Runs[3];
    }

    public static Result Compute(bool quick, IProgress<(string Task, double Fraction)>? progress = null)
    {
        int n = quick ? 200 : 1000, epochs = quick ? 10 : 30;
        var x = Tensor.Randn([n, Features], seed: 61);
        double[] w = [1.0, -2.0, 0.5, 0.0, 3.0];
        var noise = Tensor.Randn([n], seed: 62).ToArray();
        var xa = x.ToArray();
        var y = new double[n];
        for (int i = 0; i < n; i++)
        {
            y[i] = 0.7 + 0.5 * noise[i];
            for (int j = 0; j < Features; j++) y[i] += w[j] * xa[i * Features + j];
        }
        var data = new DataSet(x, Tensor.FromArray(y, n, 1));
        Tensor Risk(Tensor prediction, Tensor target) => Loss.MeanSquaredError(prediction, target);

        // The minimum of the empirical risk, for reference: least squares with a column of ones for the bias.
        var a = new double[n * (Features + 1)];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < Features; j++) a[i * (Features + 1) + j] = xa[i * Features + j];
            a[i * (Features + 1) + Features] = 1;
        }
        var theta = LinearRegressionLesson.SolveNormalEquations(a, y, n, Features + 1);
        double minimum = 0;
        for (int i = 0; i < n; i++)
        {
            double r = -y[i];
            for (int j = 0; j <= Features; j++) r += a[i * (Features + 1) + j] * theta[j];
            minimum += r * r / n;
        }

        // Step sizes: the risk's Hessian is 2·Cov(x) with eigenvalues near 2, so batch GD is stable up to η ≈ 0.9 and
        // 0.3 is a brisk, safe choice; one example's gradient is far noisier and its own curvature 2‖x‖² ≈ 10, so SGD
        // takes η = 0.01 (mini-batches of 16 average the noise and afford 0.05).
        var specs = new (string Label, int Batch, double Eta, double Decay)[]
        {
            ("batch GD", n, 0.3, 0),
            ("SGD (batch 1)", 1, 0.01, 0),
            ("mini-batch 16", 16, 0.05, 0),
            ("SGD, eta0/(1 + k t)", 1, 0.03, 0.01),
        };
        var runs = new List<Run1>();
        for (int s = 0; s < specs.Length; s++)
        {
            var spec = specs[s];
            var model = new Linear(Features, 1, seed: 63);
            var optimizer = new GradientDescent(model.Parameters(), spec.Eta);
            var schedule = spec.Decay > 0 ? new InverseTimeLR(optimizer, spec.Decay) : null;
            var curve = new List<(double, double)>();
            long stride = Math.Max(1, n / 20), next = stride;
            var history = Trainer.Fit(model, data, Risk, optimizer,
                new TrainOptions { Epochs = epochs, BatchSize = spec.Batch, Seed = 64, RecordSteps = false },
                afterStep: step =>
                {
                    schedule?.Step();
                    if (step.GradientEvaluations < next || step.GradientEvaluations % n == 0) return;
                    curve.Add((step.GradientEvaluations, Trainer.Evaluate(model, data, Risk)));
                    next += stride;
                },
                afterEpoch: e =>
                {
                    curve.Add((e.GradientEvaluations, e.TrainingLoss));
                    next = e.GradientEvaluations + stride;
                    progress?.Report(("sgd-vs-batch", (s + (double)e.Epoch / epochs) / specs.Length));
                });
            curve.Insert(0, (0, history.Epochs[0].TrainingLoss));
            runs.Add(new Run1(spec.Label, spec.Batch, spec.Eta, history.Epochs.Select(e => e.TrainingLoss).ToArray(), curve));
        }
        return new Result(n, epochs, minimum, runs);
    }

    public int Run(LessonContext context)
    {
        var r = Compute(context.Quick, context.Progress);
        var o = context.Out;
        int n = r.Points;
        o.WriteLine($"Least squares, a linear model with {Features} features and a bias on n = {n} points (noise sd 0.5), {r.Epochs} epochs each.");
        o.WriteLine($"Minimum of the empirical risk (normal equations): {G(r.MinimumLoss)}.");
        o.WriteLine();
        o.WriteLine("  method                  batch    eta   steps/epoch   risk after 1 epoch   after 3 epochs    final   final - min");
        foreach (var run in r.Runs)
            o.WriteLine($"  {run.Label,-22} {run.BatchSize,6} {run.LearningRate.ToString("G3", CultureInfo.InvariantCulture),6} {(n + run.BatchSize - 1) / run.BatchSize,13}" +
                        $" {G(run.EpochLosses[1]),20} {G(run.EpochLosses[Math.Min(3, r.Epochs)]),16} {G(run.FinalLoss),8} {(run.FinalLoss - r.MinimumLoss).ToString("0.00E+00", CultureInfo.InvariantCulture),13}");
        o.WriteLine();
        double half = n / 2.0;
        o.WriteLine($"After n/2 = {half.ToString(CultureInfo.InvariantCulture)} gradient evaluations: SGD {G(r.Sgd.LossAfter(half))}, mini-batch {G(r.MiniBatch.LossAfter(half))}, " +
                    $"batch GD {G(r.Batch.LossAfter(half))} (it has not finished its first step).");
        double ratio = r.Sgd.FinalLoss / r.Batch.FinalLoss;
        o.WriteLine($"Conclusion: per gradient evaluation SGD is far ahead early (after one epoch {G(r.Sgd.EpochLosses[1])} against batch GD's {G(r.Batch.EpochLosses[1])}), " +
                    $"but with a constant step it stalls at a noise floor {((ratio - 1) * 100).ToString("F1", CultureInfo.InvariantCulture)}% above batch GD's final risk; " +
                    $"the 1/t step ends {(r.SgdDecaying.FinalLoss - r.MinimumLoss).ToString("0.0E+00", CultureInfo.InvariantCulture)} above the minimum.");

        string byEpoch = context.PathOf("sgd-vs-batch-epochs.svg");
        var fig = new Figure("Risk above its minimum, per epoch", "epoch", "risk - min risk", width: 720, height: 480) { LogY = true };
        foreach (var run in r.Runs)
            fig.Line(run.Label, Enumerable.Range(0, run.EpochLosses.Length).Select(e => (double)e).ToArray(),
                run.EpochLosses.Select(v => Math.Max(v - r.MinimumLoss, 1e-12)).ToArray());
        fig.Save(byEpoch);

        string byEvaluations = context.PathOf("sgd-vs-batch-evaluations.svg");
        var fig2 = new Figure("Risk above its minimum, per gradient evaluation", "gradient evaluations (examples; first 3 epochs)", "risk - min risk", width: 720, height: 480) { LogY = true };
        foreach (var run in r.Runs)
        {
            var pts = run.Curve.Where(p => p.Evaluations <= 3.0 * n).ToList();
            // A batch step changes nothing until all n gradients are in: drawn as a staircase, not a slope.
            if (run.BatchSize >= n / 20)
                pts = pts.SelectMany((p, i) => i == 0 ? new[] { p } : new[] { (p.Evaluations, pts[i - 1].Loss), p }).ToList();
            fig2.Line(run.Label, pts.Select(p => p.Evaluations).ToArray(), pts.Select(p => Math.Max(p.Loss - r.MinimumLoss, 1e-12)).ToArray());
        }
        fig2.Save(byEvaluations);
        o.WriteLine($"Plots: {byEpoch}, {byEvaluations}");
        return r.Sgd.EpochLosses[1] < r.Batch.EpochLosses[1] ? 0 : 1;
    }

    private static string G(double v) => v.ToString("G4", CultureInfo.InvariantCulture);
}
