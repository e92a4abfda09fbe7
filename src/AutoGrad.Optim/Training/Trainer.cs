using AutoGrad.Optim.Models;

namespace AutoGrad.Optim.Training;

/// <summary>
/// Mini-batch training of a <see cref="Module"/> by empirical risk minimisation: the loop of every deep-learning
/// course (for each epoch, for each batch: forward, loss, backward, step) with validation, early stopping and
/// learning curves.
/// </summary>
public static class Trainer
{
    /// <summary>
    /// Trains <paramref name="model"/> on <paramref name="train"/>: for each epoch, the batches of a fresh order
    /// (<see cref="MiniBatches"/>), each one step of <paramref name="optimizer"/> on the batch loss
    /// <paramref name="loss"/>(model output, targets) in training mode. After each epoch the training and validation
    /// losses are evaluated on the whole sets in evaluation mode, without recording.
    /// </summary>
    /// <remarks>
    /// <para>Deterministic: the orders come from <see cref="TrainOptions.Seed"/> and the model from its own seed.</para>
    /// <para>Each step runs in its own <see cref="TensorScope"/>: the tensors the model and the loss create during a step
    /// are recycled when it ends, so a steady loop reuses their storage.</para>
    /// <para>The loss should average over the batch (<see cref="Reduction.Mean"/>), so that the step size does not
    /// depend on the batch size and the epoch losses are comparable across batch sizes.</para>
    /// <para>Learning-rate schedules: <paramref name="afterStep"/> runs after every step and
    /// <paramref name="afterEpoch"/> after every epoch's evaluation, synchronously; either may set
    /// <see cref="Optimizer.LearningRate"/>. Optimizers that need a closure (line searches, L-BFGS) get one
    /// evaluating the current batch, and every evaluation counts its examples as gradient evaluations.</para>
    /// <para>Early stopping (<see cref="TrainOptions.Patience"/>) watches the validation loss; with
    /// <see cref="TrainOptions.RestoreBestWeights"/> the best epoch's parameters and buffers are loaded at the end.
    /// The model's training/evaluation mode is restored when Fit returns or throws.</para>
    /// </remarks>
    /// <param name="model">The model; updated in place.</param>
    /// <param name="train">The training examples.</param>
    /// <param name="loss">The loss of a batch: (model output, targets) → a one-element tensor.</param>
    /// <param name="optimizer">An optimizer over the model's parameters (all of them, or a subset to freeze the rest).</param>
    /// <param name="options">Epochs, batch size, seed, early stopping (null: <see cref="TrainOptions.Default"/>).</param>
    /// <param name="validation">Held-out examples for the validation loss and early stopping, or null.</param>
    /// <param name="afterStep">Called after each step with its record.</param>
    /// <param name="afterEpoch">Called after each epoch (not epoch 0) with its record.</param>
    /// <param name="progress">Receives every epoch's record, epoch 0 included.</param>
    /// <param name="cancellationToken">Checked before every step.</param>
    /// <returns>The learning curves and why training stopped.</returns>
    /// <exception cref="ArgumentException">The optimizer updates a tensor that is not a parameter of the model, early
    /// stopping is asked for without validation data, or the validation features' shape differs from the training features'.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    /// <exception cref="InvalidOperationException">The loss function returned more than one element.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled (the model keeps its current weights).</exception>
    public static TrainHistory Fit(Module model, DataSet train, Func<Tensor, Tensor, Tensor> loss, Optimizer optimizer,
        TrainOptions? options = null, DataSet? validation = null, Action<StepRecord>? afterStep = null,
        Action<EpochRecord>? afterEpoch = null, IProgress<EpochRecord>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(loss);
        ArgumentNullException.ThrowIfNull(optimizer);
        var o = options ?? TrainOptions.Default;
        o.Validate();
        if (o.Patience is not null && validation is null)
            throw new ArgumentException(FormattableString.Invariant($"Fit: early stopping (Patience = {o.Patience}) watches the validation loss; pass validation data."), nameof(validation));
        if (validation is not null && !Shape.Equal(validation.Features.Dims.AsSpan(1), train.Features.Dims.AsSpan(1)))
            throw new ArgumentException(
                FormattableString.Invariant($"Fit: validation features have shape {Shape.Format(validation.Features.Dims)} but training features {Shape.Format(train.Features.Dims)}; each example must have the same shape."), nameof(validation));
        var parameters = model.Parameters();
        for (int i = 0; i < optimizer.Parameters.Count; i++)
            if (!parameters.Any(p => ReferenceEquals(p, optimizer.Parameters[i])))
                throw new ArgumentException(
                    FormattableString.Invariant($"Fit: the {optimizer.Name} optimizer's parameter {i} (shape {Shape.Format(optimizer.Parameters[i].Dims)}) is not a parameter of the model; construct the optimizer over model.Parameters()."), nameof(optimizer));

        bool wasTraining = model.Training;
        try
        {
            return Run(model, train, loss, optimizer, o, validation, afterStep, afterEpoch, progress, cancellationToken);
        }
        finally
        {
            model.Train(wasTraining);
        }
    }

    private static TrainHistory Run(Module model, DataSet train, Func<Tensor, Tensor, Tensor> loss, Optimizer optimizer, TrainOptions o,
        DataSet? validation, Action<StepRecord>? afterStep, Action<EpochRecord>? afterEpoch, IProgress<EpochRecord>? progress, CancellationToken ct)
    {
        var batches = new MiniBatches(train, o.BatchSize, o.Shuffle, o.DropLast, o.Seed);
        var epochs = new List<EpochRecord>();
        var steps = new List<StepRecord>();
        long gradientEvaluations = 0;
        int stepCount = 0;
        bool earlyStopping = o.Patience is not null;

        var start = new EpochRecord(0, Evaluate(model, train, loss), null, validation is null ? null : Evaluate(model, validation, loss), 0, 0, optimizer.LearningRate);
        epochs.Add(start);
        progress?.Report(start);
        double best = start.ValidationLoss ?? double.NaN;
        int? bestEpoch = validation is null ? null : 0;
        var bestState = earlyStopping && o.RestoreBestWeights ? model.StateDict() : null;
        int sinceImprovement = 0;
        var reason = TrainingStop.Completed;

        for (int epoch = 1; epoch <= o.Epochs; epoch++)
        {
            model.Train();
            double lossSum = 0;
            long examples = 0;
            foreach (var batch in batches.Epoch(epoch))
            {
                ct.ThrowIfCancellationRequested();
                // The step's intermediate tensors give their storage back when it ends (see TensorScope).
                using var scope = TensorScope.Begin();
                double learningRate = optimizer.LearningRate;
                Tensor Closure()
                {
                    gradientEvaluations += batch.Count;
                    var value = loss(model.Forward(batch.Features), batch.Targets);
                    if (value is null || value.Count != 1)
                        throw new InvalidOperationException(
                            FormattableString.Invariant($"Fit: the loss function returned {(value is null ? "null" : FormattableString.Invariant($"shape {Shape.Format(value.Dims)}"))}; it must return a single element (reduce with Reduction.Mean)."));
                    return value;
                }
                double batchLoss;
                if (optimizer.NeedsClosure) batchLoss = optimizer.Step(Closure).Item();
                else
                {
                    optimizer.ZeroGrad();
                    var value = Closure();
                    batchLoss = value.Item();
                    if (double.IsFinite(batchLoss))
                    {
                        value.Backward();
                        optimizer.Step();
                    }
                }
                stepCount++;
                lossSum += batchLoss * batch.Count;
                examples += batch.Count;
                var record = new StepRecord(stepCount, epoch, batch.Index, batch.Count, batchLoss, gradientEvaluations, learningRate);
                if (o.RecordSteps) steps.Add(record);
                if (!double.IsFinite(batchLoss))
                {
                    reason = TrainingStop.Diverged;
                    break;
                }
                afterStep?.Invoke(record);
            }

            var end = new EpochRecord(epoch, Evaluate(model, train, loss), examples > 0 ? lossSum / examples : null,
                validation is null ? null : Evaluate(model, validation, loss), gradientEvaluations, stepCount, optimizer.LearningRate);
            epochs.Add(end);
            progress?.Report(end);
            if (reason == TrainingStop.Diverged) break;
            afterEpoch?.Invoke(end);

            if (end.ValidationLoss is { } v)
            {
                if (double.IsNaN(best) ? !double.IsNaN(v) : v < best - o.MinDelta)
                {
                    best = v;
                    bestEpoch = epoch;
                    sinceImprovement = 0;
                    if (bestState is not null) bestState = model.StateDict();
                }
                else if (earlyStopping && ++sinceImprovement > o.Patience)
                {
                    reason = TrainingStop.EarlyStopped;
                    break;
                }
            }
        }

        bool restored = false;
        if (bestState is not null && bestEpoch is int b && b != epochs[^1].Epoch)
        {
            model.LoadStateDict(bestState);
            restored = true;
        }
        return new TrainHistory(epochs, steps, reason, bestEpoch, bestEpoch is null ? null : best, restored);
    }

    /// <summary>
    /// The loss of <paramref name="model"/> on the whole of <paramref name="data"/> in one forward pass, in
    /// evaluation mode and without recording (the model's mode is restored afterwards).
    /// </summary>
    /// <exception cref="InvalidOperationException">The loss function returned more than one element.</exception>
    public static double Evaluate(Module model, DataSet data, Func<Tensor, Tensor, Tensor> loss)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(loss);
        var value = loss(Predict(model, data.Features), data.Targets);
        if (value is null || value.Count != 1)
            throw new InvalidOperationException(
                FormattableString.Invariant($"Evaluate: the loss function returned {(value is null ? "null" : FormattableString.Invariant($"shape {Shape.Format(value.Dims)}"))}; it must return a single element (reduce with Reduction.Mean)."));
        return value.Item();
    }

    /// <summary>
    /// The output of <paramref name="model"/> for <paramref name="features"/> in evaluation mode, without recording
    /// (the model's mode is restored afterwards).
    /// </summary>
    public static Tensor Predict(Module model, Tensor features)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(features);
        bool wasTraining = model.Training;
        model.Eval();
        try
        {
            using var _ = GradMode.NoGrad();
            return model.Forward(features);
        }
        finally
        {
            model.Train(wasTraining);
        }
    }
}
