using AutoGrad.Optim;
using AutoGrad.Optim.Models;
using AutoGrad.Optim.Training;
using AutoGrad.Tests.Properties;
using FsCheck;
using FsCheck.Fluent;

namespace AutoGrad.Tests.Optim;

/// <summary>
/// Mini-batch training: data sets and splits, the mini-batch iterator's coverage and reproducibility, the metrics,
/// and <see cref="Trainer.Fit"/> on toy problems (logistic regression on separable blobs, an MLP on two moons,
/// least squares for SGD against batch GD), early stopping, history bookkeeping, hooks, cancellation and bad inputs.
/// </summary>
public class TrainingTests
{
    // ---- data --------------------------------------------------------------------------------------------------

    /// <summary>Two Gaussian blobs around (2, 2) (label +1) and (−2, −2) (label −1), 0.5 apart in standard deviation: separable with overwhelming probability.</summary>
    private static DataSet Blobs(int n, int seed)
    {
        var rng = new Rng(seed);
        var x = new double[n * 2];
        var y = new double[n];
        for (int i = 0; i < n; i++)
        {
            y[i] = i % 2 == 0 ? 1 : -1;
            x[2 * i] = 2 * y[i] + 0.5 * rng.NextGaussian();
            x[2 * i + 1] = 2 * y[i] + 0.5 * rng.NextGaussian();
        }
        return new DataSet(Tensor.FromArray(x, n, 2), Tensor.FromArray(y, n, 1));
    }

    /// <summary>
    /// Two interleaved half circles (scikit-learn's make_moons): the upper (cos t, sin t) with label +1, the lower
    /// (1 − cos t, ½ − sin t) with label −1, plus Gaussian noise. Not linearly separable.
    /// </summary>
    private static DataSet Moons(int n, double noise, int seed)
    {
        var rng = new Rng(seed);
        var x = new double[n * 2];
        var y = new double[n];
        for (int i = 0; i < n; i++)
        {
            double t = Math.PI * rng.NextDouble();
            bool upper = i % 2 == 0;
            y[i] = upper ? 1 : -1;
            x[2 * i] = (upper ? Math.Cos(t) : 1 - Math.Cos(t)) + noise * rng.NextGaussian();
            x[2 * i + 1] = (upper ? Math.Sin(t) : 0.5 - Math.Sin(t)) + noise * rng.NextGaussian();
        }
        return new DataSet(Tensor.FromArray(x, n, 2), Tensor.FromArray(y, n, 1));
    }

    /// <summary>y = x·[1, −2, 0.5] + 0.3 + noise of standard deviation 0.1, x standard normal in 3 dimensions.</summary>
    private static DataSet LeastSquares(int n, int seed)
    {
        var rng = new Rng(seed);
        var x = Tensor.Randn([n, 3], rng);
        var noise = Tensor.Randn([n, 1], rng) * 0.1;
        var y = x.MatMul(Tensor.FromArray(new double[] { 1, -2, 0.5 }, 3, 1)) + 0.3 + noise;
        return new DataSet(x, y);
    }

    private static DataSet Indexed(int n) => new(Tensor.Arange(n).Reshape(n, 1), Tensor.Arange(n) * 10);

    private static Tensor Mse(Tensor o, Tensor t) => Loss.MeanSquaredError(o, t);
    private static Tensor Logistic(Tensor o, Tensor t) => Loss.Logistic(o, t);

    private sealed class Collect<T> : IProgress<T>
    {
        public List<T> Items { get; } = [];
        public void Report(T value) => Items.Add(value);
    }

    // ---- DataSet -----------------------------------------------------------------------------------------------

    [Fact]
    public void DataSet_subsets_and_splits_into_disjoint_parts_that_cover_the_examples()
    {
        var d = Indexed(10);
        Assert.Equal(10, d.Count);
        var s = d.Subset([3, 1, 3]);
        Assert.Equal([3.0, 1, 3], s.Features.ToArray());
        Assert.Equal([30.0, 10, 30], s.Targets.ToArray());

        var (train, validation) = d.Split(0.3, seed: 5);
        Assert.Equal(7, train.Count);
        Assert.Equal(3, validation.Count);
        var all = train.Features.ToArray().Concat(validation.Features.ToArray()).Order().ToArray();
        Assert.Equal(Enumerable.Range(0, 10).Select(i => (double)i), all);
        Assert.Equal(train.Features.ToArray().Select(v => v * 10), train.Targets.ToArray());
        Assert.Equal(train.Features.ToArray().Order(), train.Features.ToArray());
        // Reproducible from the seed, different for another.
        Assert.Equal(validation.Features.ToArray(), d.Split(0.3, seed: 5).Validation.Features.ToArray());
        Assert.NotEqual(validation.Features.ToArray(), d.Split(0.3, seed: 6).Validation.Features.ToArray());
    }

    [Fact]
    public void DataSet_refuses_bad_input()
    {
        Assert.Contains("same number of examples", Assert.Throws<ArgumentException>(() => new DataSet(Tensor.Zeros(3, 2), Tensor.Zeros(4))).Message);
        Assert.Contains("first axis", Assert.Throws<ArgumentException>(() => new DataSet(Tensor.Scalar(1), Tensor.Zeros(1))).Message);
        Assert.Contains("no examples", Assert.Throws<ArgumentException>(() => new DataSet(Tensor.Zeros(0, 2), Tensor.Zeros(0))).Message);
        var d = Indexed(4);
        Assert.Contains("indices[1] = 4", Assert.Throws<ArgumentOutOfRangeException>(() => d.Subset([0, 4])).Message);
        Assert.Throws<ArgumentException>(() => d.Subset([]));
        Assert.Throws<ArgumentOutOfRangeException>(() => d.Split(0, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => d.Split(1, 1));
        Assert.Contains("leaves the validation part empty", Assert.Throws<ArgumentOutOfRangeException>(() => d.Split(0.1, 1)).Message);
        // The data never requires gradients.
        Assert.False(new DataSet(Tensor.Zeros(2, 1).RequireGrad(), Tensor.Zeros(2)).Features.RequiresGrad);
    }

    // ---- MiniBatches -------------------------------------------------------------------------------------------

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(23)]
    [InlineData(MiniBatches.All)]
    public void Every_epoch_visits_every_example_exactly_once(int batchSize)
    {
        var d = Indexed(23);
        var mb = new MiniBatches(d, batchSize, seed: 3);
        int b = Math.Min(batchSize, 23);
        Assert.Equal(b, mb.BatchSize);
        Assert.Equal((23 + b - 1) / b, mb.BatchesPerEpoch);
        for (int epoch = 0; epoch < 3; epoch++)
        {
            var batches = mb.Epoch(epoch).ToArray();
            Assert.Equal(mb.BatchesPerEpoch, batches.Length);
            Assert.All(batches[..^1], x => Assert.Equal(b, x.Count));
            Assert.Equal(23 - b * (batches.Length - 1), batches[^1].Count);
            var seen = batches.SelectMany(x => x.Indices).Order().ToArray();
            Assert.Equal(Enumerable.Range(0, 23), seen);
            foreach (var x in batches)
            {
                Assert.Equal(x.Indices.Select(i => (double)i), x.Features.ToArray());
                Assert.Equal(x.Indices.Select(i => 10.0 * i), x.Targets.ToArray());
                Assert.Equal(epoch, x.Epoch);
            }
        }
    }

    [Fact]
    public void Orders_differ_between_epochs_and_are_reproducible_from_the_seed()
    {
        var d = Indexed(50);
        var a = new MiniBatches(d, 8, seed: 1);
        var b = new MiniBatches(d, 8, seed: 1);
        var c = new MiniBatches(d, 8, seed: 2);
        for (int e = 0; e < 5; e++)
        {
            Assert.Equal(a.Order(e), b.Order(e));
            Assert.NotEqual(a.Order(e), a.Order(e + 1));
            Assert.NotEqual(a.Order(e), c.Order(e));
        }
        // An epoch does not depend on which epochs were drawn before it.
        Assert.Equal(a.Order(4), new MiniBatches(d, 8, seed: 1).Order(4));
        Assert.Equal(a.BatchIndices(2).SelectMany(x => x), a.Order(2));
        // Without shuffling every epoch is the data set's order, and a full batch is the data itself.
        var plain = new MiniBatches(d, MiniBatches.All, shuffle: false);
        Assert.Equal(Enumerable.Range(0, 50), plain.Order(7));
        Assert.Same(d.Features, plain.Epoch(0).Single().Features);
    }

    [Fact]
    public void DropLast_leaves_out_the_short_batch()
    {
        var mb = new MiniBatches(Indexed(23), 5, dropLast: true, seed: 4);
        Assert.Equal(4, mb.BatchesPerEpoch);
        var batches = mb.Epoch(0).ToArray();
        Assert.Equal(4, batches.Length);
        Assert.All(batches, x => Assert.Equal(5, x.Count));
        Assert.Equal(20, batches.SelectMany(x => x.Indices).Distinct().Count());
        // A batch size of at least n is one batch of everything, with or without dropLast.
        Assert.Equal(23, new MiniBatches(Indexed(23), 100, dropLast: true).Epoch(0).Single().Count);
    }

    [Fact]
    public void Batches_partition_every_epoch_for_any_size_and_seed()
    {
        Prop.ForAll(Props.Seeds, seed =>
        {
            var rng = new Rng(seed);
            int n = 1 + rng.NextInt(60), size = 1 + rng.NextInt(n + 5), epoch = rng.NextInt(1000);
            var mb = new MiniBatches(Indexed(n), size, seed: seed);
            var batches = mb.BatchIndices(epoch);
            Props.Ensure(batches.SelectMany(x => x).Order().SequenceEqual(Enumerable.Range(0, n)), () => $"n {n}, size {size}, epoch {epoch}: not a partition");
            Props.Ensure(batches.All(x => x.Length <= size && x.Length > 0), () => $"n {n}, size {size}: a batch of the wrong size");
            Props.Ensure(batches.Take(batches.Length - 1).All(x => x.Length == Math.Min(size, n)), () => $"n {n}, size {size}: a short batch before the last");
            var dropped = new MiniBatches(Indexed(n), size, dropLast: true, seed: seed).BatchIndices(epoch);
            Props.Ensure(dropped.All(x => x.Length == Math.Min(size, n)) && dropped.SelectMany(x => x).Distinct().Count() == dropped.Length * Math.Min(size, n),
                () => $"n {n}, size {size}: dropLast kept a short batch or repeated an example");
        }).Check(Props.Config(100));
    }

    [Fact]
    public void MiniBatches_refuses_a_batch_size_below_one()
    {
        Assert.Contains("batch size must be ≥ 1", Assert.Throws<ArgumentOutOfRangeException>(() => new MiniBatches(Indexed(3), 0)).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new MiniBatches(Indexed(3), -2));
        Assert.Throws<ArgumentNullException>(() => new MiniBatches(null!, 2));
    }

    // ---- metrics -----------------------------------------------------------------------------------------------

    [Fact]
    public void Zero_one_loss_counts_sign_mistakes_and_a_zero_score_is_a_mistake()
    {
        var scores = Tensor.FromArray(new double[] { 2, -1, 0, 0.5, double.NaN, -3 });
        var labels = Tensor.FromArray(new double[] { 1, 1, 1, -1, 1, -1 });
        // Right: 2 (label +1) and −3 (label −1); wrong: −1, 0, 0.5, NaN.
        Assert.Equal(4.0 / 6, Metrics.ZeroOneLoss(scores, labels), 15);
        Assert.Equal(2.0 / 6, Metrics.Accuracy(scores, labels), 15);
        Assert.Equal(1.0, Metrics.ZeroOneLoss(Tensor.FromArray(new double[] { 0, 0 }), Tensor.FromArray(new double[] { 1, -1 })));
    }

    [Fact]
    public void Multiclass_metrics_take_the_largest_logit_with_ties_to_the_lowest_index()
    {
        var logits = Tensor.FromArray(new double[,] { { 1, 3, 2 }, { 5, 5, 0 }, { 0, 0, 0 }, { 1, double.NaN, 2 } });
        Assert.Equal([1, 0, 0, -1], Metrics.PredictClasses(logits));
        Assert.Equal(0.5, Metrics.Accuracy(logits, [1, 1, 0, 2]));
        Assert.Equal(0.5, Metrics.ZeroOneLoss(logits, [1, 1, 0, 2]));
        Assert.Equal([2, 0, 1], Metrics.ClassIndices(Tensor.FromArray(new double[] { 2, 0, 1 })));
    }

    [Fact]
    public void Metrics_refuse_bad_input()
    {
        var s = Tensor.FromArray(new double[] { 1, 2 });
        Assert.Contains("labels must be -1 or +1", Assert.Throws<ArgumentException>(() => Metrics.ZeroOneLoss(s, Tensor.FromArray(new double[] { 1, 0 }))).Message);
        Assert.Contains("shape [2] but labels has shape [2, 1]", Assert.Throws<ArgumentException>(() => Metrics.Accuracy(s, Tensor.Ones(2, 1))).Message);
        Assert.Throws<ArgumentException>(() => Metrics.ZeroOneLoss(Tensor.Zeros(0), Tensor.Zeros(0)));
        var logits = Tensor.Zeros(2, 3);
        Assert.Contains("one per row (2)", Assert.Throws<ArgumentException>(() => Metrics.Accuracy(logits, [0])).Message);
        Assert.Contains("labels[1] = 3", Assert.Throws<ArgumentOutOfRangeException>(() => Metrics.Accuracy(logits, [0, 3])).Message);
        Assert.Contains("[N, C]", Assert.Throws<ArgumentException>(() => Metrics.PredictClasses(Tensor.Zeros(3))).Message);
        Assert.Contains("whole numbers", Assert.Throws<ArgumentException>(() => Metrics.ClassIndices(Tensor.FromArray(new double[] { 1, 0.5 }))).Message);
        Assert.Throws<ArgumentException>(() => Metrics.ClassIndices(Tensor.FromArray(new double[] { -1 })));
    }

    // ---- Fit on toy problems -----------------------------------------------------------------------------------

    [Fact]
    public void Logistic_regression_separates_two_blobs()
    {
        var (train, validation) = Blobs(200, 1).Split(0.25, seed: 1);
        var model = new Linear(2, 1, seed: 1);
        var opt = new GradientDescent(model.Parameters(), 0.5);
        var h = Trainer.Fit(model, train, Logistic, opt, new TrainOptions { Epochs = 20, BatchSize = 16, Seed = 2 }, validation);
        Assert.Equal(TrainingStop.Completed, h.Reason);
        Assert.Equal(21, h.Epochs.Count);
        Assert.True(h.FinalTrainingLoss < 0.1 * h.Epochs[0].TrainingLoss, h.ToString());
        Assert.Equal(1.0, Metrics.Accuracy(Trainer.Predict(model, validation.Features), validation.Targets));
        Assert.Equal(1.0, Metrics.Accuracy(Trainer.Predict(model, train.Features), train.Targets));
    }

    [Fact]
    public void An_mlp_learns_two_moons_where_a_linear_model_cannot()
    {
        var (train, validation) = Moons(300, 0.1, 3).Split(0.3, seed: 3);
        var options = new TrainOptions { Epochs = 100, BatchSize = 16, Seed = 4 };

        var mlp = new Mlp([2, 16, 16, 1], Activation.Tanh, Init.XavierNormal(Init.Gain(Activation.Tanh)), seed: 5);
        var h = Trainer.Fit(mlp, train, Logistic, new GradientDescent(mlp.Parameters(), 0.2), options, validation);
        double accuracy = Metrics.Accuracy(Trainer.Predict(mlp, validation.Features), validation.Targets);
        Assert.True(accuracy >= 0.97, $"MLP validation accuracy {accuracy}; {h}");
        Assert.True(h.FinalTrainingLoss < 0.2 * h.Epochs[0].TrainingLoss, h.ToString());

        var linear = new Linear(2, 1, seed: 5);
        Trainer.Fit(linear, train, Logistic, new GradientDescent(linear.Parameters(), 0.2), options with { Epochs = 30 });
        double linearAccuracy = Metrics.Accuracy(Trainer.Predict(linear, validation.Features), validation.Targets);
        // The best line misclassifies the moons' tips (about 10% of the points at this noise).
        Assert.True(linearAccuracy < 0.95 && linearAccuracy < accuracy, $"linear accuracy {linearAccuracy}");
    }

    [Fact]
    public void SGD_and_batch_gradient_descent_reach_the_same_loss_at_equal_gradient_evaluations()
    {
        var data = LeastSquares(200, 7);
        var sgdModel = new Linear(3, 1, seed: 1);
        var gdModel = new Linear(3, 1, seed: 1);
        var sgd = Trainer.Fit(sgdModel, data, Mse, new GradientDescent(sgdModel.Parameters(), 0.01), new TrainOptions { Epochs = 20, BatchSize = 1, Seed = 1 });
        var gd = Trainer.Fit(gdModel, data, Mse, new GradientDescent(gdModel.Parameters(), 0.2), new TrainOptions { Epochs = 20, BatchSize = MiniBatches.All });

        // Equal cost in examples' gradients, n times as many steps for SGD.
        Assert.Equal(20 * 200, sgd.GradientEvaluations);
        Assert.Equal(20 * 200, gd.GradientEvaluations);
        Assert.Equal(20 * 200, sgd.StepCount);
        Assert.Equal(20, gd.StepCount);

        // The noise variance is 0.01, so the least-squares optimum is near 0.01; both end within 10% of each other
        // (SGD with a constant step hovers in a small ball around the optimum).
        double fSgd = sgd.FinalTrainingLoss, fGd = gd.FinalTrainingLoss;
        Assert.InRange(fGd, 0.005, 0.015);
        Assert.True(Math.Abs(fSgd - fGd) <= 0.1 * fGd, $"SGD {fSgd:G6} vs GD {fGd:G6}");
        // After one epoch (n gradient evaluations), SGD has taken n steps and is far ahead of GD's single step.
        Assert.True(sgd.Epochs[1].TrainingLoss < 0.1 * gd.Epochs[1].TrainingLoss, $"{sgd.Epochs[1]} vs {gd.Epochs[1]}");
    }

    // ---- early stopping ----------------------------------------------------------------------------------------

    /// <summary>
    /// Training targets 2x and validation targets 0.5x for a weight starting at 0: gradient descent moves the weight
    /// monotonically towards 2, so the validation loss falls until it passes 0.5 and rises after.
    /// </summary>
    private static (Linear Model, DataSet Train, DataSet Validation) Diverging()
    {
        var x = Tensor.Linspace(-1, 1, 21).Reshape(21, 1);
        return (new Linear(1, 1, bias: false, init: Init.Zeros()), new DataSet(x, 2 * x), new DataSet(x, 0.5 * x));
    }

    [Fact]
    public void Early_stopping_stops_after_the_patience_and_restores_the_best_weights()
    {
        var (model, train, validation) = Diverging();
        var options = new TrainOptions { Epochs = 200, BatchSize = MiniBatches.All, Patience = 3 };
        var h = Trainer.Fit(model, train, Mse, new GradientDescent(model.Parameters(), 0.2), options, validation);

        Assert.Equal(TrainingStop.EarlyStopped, h.Reason);
        int best = h.BestEpoch!.Value;
        Assert.InRange(best, 2, 20);
        Assert.Equal(best + 4, h.EpochsRun);   // three epochs without improvement are tolerated, the fourth stops
        Assert.Equal(h.Epochs.Min(e => e.ValidationLoss!.Value), h.BestValidationLoss);
        Assert.True(h.RestoredBestWeights);
        Assert.Equal(h.BestValidationLoss!.Value, Trainer.Evaluate(model, validation, Mse), 15);

        // The restored weight is the one a fresh run reaches after exactly the best number of epochs.
        var (again, _, _) = Diverging();
        Trainer.Fit(again, train, Mse, new GradientDescent(again.Parameters(), 0.2), options with { Epochs = best, Patience = null });
        Assert.Equal(again.Weight.ToArray(), model.Weight.ToArray());

        // Without restoring, the model keeps the last epoch's weights.
        var (last, _, _) = Diverging();
        var h2 = Trainer.Fit(last, train, Mse, new GradientDescent(last.Parameters(), 0.2), options with { RestoreBestWeights = false }, validation);
        Assert.False(h2.RestoredBestWeights);
        Assert.Equal(h.EpochsRun, h2.EpochsRun);
        Assert.Equal(h2.Epochs[^1].ValidationLoss!.Value, Trainer.Evaluate(last, validation, Mse), 15);

        // Patience 0 stops at the first epoch without improvement; a large MinDelta stops sooner still.
        var (zero, _, _) = Diverging();
        Assert.Equal(best + 1, Trainer.Fit(zero, train, Mse, new GradientDescent(zero.Parameters(), 0.2), options with { Patience = 0 }, validation).EpochsRun);
        var (coarse, _, _) = Diverging();
        var h3 = Trainer.Fit(coarse, train, Mse, new GradientDescent(coarse.Parameters(), 0.2), options with { Patience = 0, MinDelta = 0.05 }, validation);
        Assert.True(h3.EpochsRun < best + 1, h3.ToString());
    }

    [Fact]
    public void Without_early_stopping_all_epochs_run_and_the_best_epoch_is_still_reported()
    {
        var (model, train, validation) = Diverging();
        var h = Trainer.Fit(model, train, Mse, new GradientDescent(model.Parameters(), 0.2),
            new TrainOptions { Epochs = 40, BatchSize = MiniBatches.All }, validation);
        Assert.Equal(TrainingStop.Completed, h.Reason);
        Assert.Equal(40, h.EpochsRun);
        Assert.InRange(h.BestEpoch!.Value, 2, 20);
        Assert.False(h.RestoredBestWeights);
    }

    // ---- history, hooks, determinism ---------------------------------------------------------------------------

    [Fact]
    public void History_counts_steps_and_gradient_evaluations_per_example()
    {
        var data = LeastSquares(23, 1);
        var model = new Linear(3, 1, seed: 1);
        var progress = new Collect<EpochRecord>();
        var h = Trainer.Fit(model, data, Mse, new GradientDescent(model.Parameters(), 0.05),
            new TrainOptions { Epochs = 3, BatchSize = 5 }, progress: progress);
        Assert.Equal(4, h.Epochs.Count);
        Assert.Equal(h.Epochs, progress.Items);
        var start = h.Epochs[0];
        Assert.Equal(0, start.Epoch);
        Assert.Null(start.MeanBatchLoss);
        Assert.Null(start.ValidationLoss);
        Assert.Equal(0, start.GradientEvaluations);
        Assert.Equal(0.05, start.LearningRate);
        Assert.Equal([0, 23, 46, 69], h.Epochs.Select(e => e.GradientEvaluations));
        Assert.Equal([0, 5, 10, 15], h.Epochs.Select(e => e.Steps));
        Assert.Equal(15, h.Steps.Count);
        Assert.Equal(Enumerable.Range(1, 15), h.Steps.Select(s => s.Step));
        Assert.Equal([5, 5, 5, 5, 3], h.Steps.Take(5).Select(s => s.BatchSize));
        Assert.Equal([5L, 10, 15, 20, 23], h.Steps.Take(5).Select(s => s.GradientEvaluations));
        // The mean batch loss is the batch-size-weighted mean of the epoch's step losses.
        var first = h.Steps.Where(s => s.Epoch == 1).ToArray();
        Assert.Equal(first.Sum(s => s.Loss * s.BatchSize) / 23, h.Epochs[1].MeanBatchLoss!.Value, 14);
        // The training loss is the empirical risk at the epoch's end.
        Assert.Equal(Trainer.Evaluate(model, data, Mse), h.FinalTrainingLoss, 15);
    }

    [Fact]
    public void DropLast_counts_only_the_examples_used()
    {
        var data = LeastSquares(23, 1);
        var model = new Linear(3, 1, seed: 1);
        var h = Trainer.Fit(model, data, Mse, new GradientDescent(model.Parameters(), 0.05),
            new TrainOptions { Epochs = 2, BatchSize = 5, DropLast = true, RecordSteps = false });
        Assert.Equal(40, h.GradientEvaluations);
        Assert.Equal(8, h.StepCount);
        Assert.Empty(h.Steps);
    }

    [Fact]
    public void Training_is_deterministic_from_the_seeds()
    {
        TrainHistory Run(long seed, out double[] weights)
        {
            var mlp = new Mlp([2, 8, 1], Activation.Tanh, Init.XavierUniform(), seed: 2);
            var h = Trainer.Fit(mlp, Moons(60, 0.1, 1), Logistic, new GradientDescent(mlp.Parameters(), 0.1),
                new TrainOptions { Epochs = 5, BatchSize = 8, Seed = seed });
            weights = mlp.Parameters().SelectMany(p => p.ToArray()).ToArray();
            return h;
        }
        var a = Run(9, out var wa);
        var b = Run(9, out var wb);
        var c = Run(10, out var wc);
        Assert.Equal(a.Epochs, b.Epochs);
        Assert.Equal(a.Steps, b.Steps);
        Assert.Equal(wa, wb);
        Assert.NotEqual(wa, wc);
    }

    [Fact]
    public void Hooks_can_schedule_the_learning_rate()
    {
        var data = LeastSquares(20, 2);
        var model = new Linear(3, 1, seed: 1);
        var opt = new GradientDescent(model.Parameters(), 0.1);
        var seen = new List<StepRecord>();
        var h = Trainer.Fit(model, data, Mse, opt, new TrainOptions { Epochs = 3, BatchSize = 10 },
            afterStep: seen.Add, afterEpoch: _ => opt.LearningRate *= 0.5);
        Assert.Equal(h.Steps, seen);
        Assert.Equal([0.1, 0.1, 0.05, 0.05, 0.025, 0.025], h.Steps.Select(s => s.LearningRate));
        // An epoch's record shows the rate its steps used: the hook runs after the record is made.
        Assert.Equal([0.1, 0.1, 0.05, 0.025], h.Epochs.Select(e => e.LearningRate));
        Assert.Equal(0.0125, opt.LearningRate);
    }

    [Fact]
    public void A_diverging_run_stops_and_says_so()
    {
        var data = LeastSquares(20, 3);
        var model = new Linear(3, 1, seed: 1);
        var h = Trainer.Fit(model, data, Mse, new GradientDescent(model.Parameters(), 5), new TrainOptions { Epochs = 10_000, BatchSize = MiniBatches.All });
        Assert.Equal(TrainingStop.Diverged, h.Reason);
        Assert.False(double.IsFinite(h.Steps[^1].Loss));
        Assert.True(h.EpochsRun < 10_000);
        Assert.Equal(h.EpochsRun, h.Steps.Count);
    }

    [Fact]
    public void Cancellation_throws_and_restores_the_models_mode()
    {
        var data = LeastSquares(20, 4);
        var model = new Linear(3, 1, seed: 1);
        model.Eval();
        using var cts = new CancellationTokenSource();
        int steps = 0;
        Assert.Throws<OperationCanceledException>(() => Trainer.Fit(model, data, Mse, new GradientDescent(model.Parameters(), 0.1),
            new TrainOptions { Epochs = 5, BatchSize = 2 }, afterStep: _ => { if (++steps == 3) cts.Cancel(); }, cancellationToken: cts.Token));
        Assert.Equal(3, steps);
        Assert.False(model.Training);
    }

    [Fact]
    public void Batch_statistics_are_used_in_training_and_running_averages_in_evaluation()
    {
        var bn = new BatchNorm1d(2);
        var net = new Sequential(bn, new Linear(2, 1, seed: 1));
        var data = LeastSquares(40, 5);
        var wide = new DataSet(data.Features.Slice(1, 0, 2) * 5 + 3, data.Targets);
        var h = Trainer.Fit(net, wide, Mse, new GradientDescent(net.Parameters(), 0.05), new TrainOptions { Epochs = 4, BatchSize = 10 });
        Assert.Equal(16, bn.BatchesTracked);
        Assert.True(net.Training);
        Assert.Equal(h.FinalTrainingLoss, Trainer.Evaluate(net, wide, Mse), 15);
        Assert.Equal(16, bn.BatchesTracked);   // evaluation does not touch the running averages
    }

    /// <summary>An optimizer that evaluates its closure twice per step, like a line search.</summary>
    private sealed class TwiceEvaluating(IEnumerable<Tensor> parameters) : Optimizer(parameters, 0.1)
    {
        public override bool NeedsClosure => true;

        public override Tensor Step(Func<Tensor> closure)
        {
            var first = base.Step(closure);
            closure();
            return first;
        }

        protected override void ResetState() { }

        protected override void Update<T>(int index, Span<T> p, ReadOnlySpan<T> g)
        {
            for (int i = 0; i < p.Length; i++) p[i] -= T.CreateTruncating(LearningRate) * g[i];
        }
    }

    [Fact]
    public void Closure_optimizers_count_every_evaluation()
    {
        var data = LeastSquares(12, 6);
        var model = new Linear(3, 1, seed: 1);
        var h = Trainer.Fit(model, data, Mse, new TwiceEvaluating(model.Parameters()), new TrainOptions { Epochs = 2, BatchSize = 4 });
        Assert.Equal(6, h.StepCount);
        Assert.Equal(2 * 2 * 12, h.GradientEvaluations);
        Assert.True(h.FinalTrainingLoss < h.Epochs[0].TrainingLoss);
    }

    // ---- options and bad inputs --------------------------------------------------------------------------------

    [Fact]
    public void The_documented_defaults()
    {
        var o = TrainOptions.Default;
        Assert.Equal(10, o.Epochs);
        Assert.Equal(32, o.BatchSize);
        Assert.True(o.Shuffle);
        Assert.False(o.DropLast);
        Assert.Equal(0, o.Seed);
        Assert.Null(o.Patience);
        Assert.Equal(0, o.MinDelta);
        Assert.True(o.RestoreBestWeights);
        Assert.True(o.RecordSteps);
        Assert.Equal(int.MaxValue, MiniBatches.All);
    }

    [Fact]
    public void Fit_refuses_bad_input_with_clear_messages()
    {
        var data = LeastSquares(10, 1);
        var model = new Linear(3, 1);
        var opt = new GradientDescent(model.Parameters(), 0.1);
        TrainHistory Fit(TrainOptions o, DataSet? validation = null) => Trainer.Fit(model, data, Mse, opt, o, validation);

        Assert.Contains("BatchSize must be ≥ 1", Assert.Throws<ArgumentOutOfRangeException>(() => Fit(new() { BatchSize = 0 })).Message);
        Assert.Contains("Patience must be ≥ 0", Assert.Throws<ArgumentOutOfRangeException>(() => Fit(new() { Patience = -1 }, data)).Message);
        Assert.Contains("Epochs must be ≥ 0", Assert.Throws<ArgumentOutOfRangeException>(() => Fit(new() { Epochs = -1 })).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => Fit(new() { MinDelta = -0.1 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => Fit(new() { MinDelta = double.NaN }));
        Assert.Contains("pass validation data", Assert.Throws<ArgumentException>(() => Fit(new() { Patience = 2 })).Message);
        var narrow = new DataSet(Tensor.Zeros(4, 2), Tensor.Zeros(4, 1));
        Assert.Contains("validation features have shape [4, 2] but training features [10, 3]", Assert.Throws<ArgumentException>(() => Fit(new(), narrow)).Message);

        var other = new Linear(3, 1);
        var e = Assert.Throws<ArgumentException>(() => Trainer.Fit(model, data, Mse, new GradientDescent(other.Parameters(), 0.1)));
        Assert.Contains("not a parameter of the model", e.Message);
        var ie = Assert.Throws<InvalidOperationException>(() => Trainer.Fit(model, data, (o, t) => (o - t).Square(), opt));
        Assert.Contains("single element", ie.Message);
        var wrongFeatures = new DataSet(Tensor.Zeros(5, 4), Tensor.Zeros(5, 1));
        Assert.Contains("inFeatures = 3", Assert.Throws<ArgumentException>(() => Trainer.Fit(model, wrongFeatures, Mse, opt)).Message);
        Assert.Throws<ArgumentNullException>(() => Trainer.Fit(null!, data, Mse, opt));
        Assert.Throws<ArgumentNullException>(() => Trainer.Fit(model, data, null!, opt));

        // Zero epochs only evaluate the starting point.
        var h = Fit(new() { Epochs = 0 });
        Assert.Single(h.Epochs);
        Assert.Equal(0, h.StepCount);
    }
}
