using System.Globalization;

namespace AutoGrad.Optim.Training;

/// <summary>Why <see cref="Trainer.Fit"/> stopped.</summary>
public enum TrainingStop
{
    /// <summary>Every epoch ran.</summary>
    Completed,
    /// <summary>The validation loss stopped improving for longer than <see cref="TrainOptions.Patience"/> epochs.</summary>
    EarlyStopped,
    /// <summary>A batch loss became NaN or infinite; the step was not taken (except by closure-driven optimizers, which step as they evaluate).</summary>
    Diverged,
}

/// <summary>One optimizer step of <see cref="Trainer.Fit"/>.</summary>
/// <param name="Step">The step number, from 1.</param>
/// <param name="Epoch">The epoch, from 1.</param>
/// <param name="Batch">The batch's position in the epoch, from 0.</param>
/// <param name="BatchSize">The number of examples in the batch.</param>
/// <param name="Loss">The batch loss at the parameters before the step (in training mode).</param>
/// <param name="GradientEvaluations">Examples whose gradient has been computed so far, this step included.</param>
/// <param name="LearningRate">The learning rate the step used.</param>
public readonly record struct StepRecord(int Step, int Epoch, int Batch, int BatchSize, double Loss, long GradientEvaluations, double LearningRate);

/// <summary>The state after an epoch of <see cref="Trainer.Fit"/> (epoch 0: the starting point).</summary>
/// <param name="Epoch">The epoch, from 0 (before training).</param>
/// <param name="TrainingLoss">The empirical risk: the loss on the whole training set at the epoch's end, in evaluation mode.</param>
/// <param name="MeanBatchLoss">The mean of the epoch's batch losses weighted by batch size, computed during the epoch as the
/// parameters moved (what Keras reports as the training loss); null for epoch 0.</param>
/// <param name="ValidationLoss">The loss on the validation set, in evaluation mode, or null without validation data.</param>
/// <param name="GradientEvaluations">Examples whose gradient has been computed so far: an epoch of n examples adds n
/// whatever the batch size, so stochastic and batch gradient descent can be compared at equal cost.</param>
/// <param name="Steps">Optimizer steps taken so far.</param>
/// <param name="LearningRate">The optimizer's learning rate at the epoch's end, before <c>afterEpoch</c> runs: the rate of
/// the epoch's last step.</param>
public readonly record struct EpochRecord(int Epoch, double TrainingLoss, double? MeanBatchLoss, double? ValidationLoss,
    long GradientEvaluations, int Steps, double LearningRate);

/// <summary>What <see cref="Trainer.Fit"/> did: learning curves per epoch and per step, and why it stopped.</summary>
public sealed class TrainHistory
{
    internal TrainHistory(IReadOnlyList<EpochRecord> epochs, IReadOnlyList<StepRecord> steps, TrainingStop reason,
        int? bestEpoch, double? bestValidationLoss, bool restoredBestWeights)
    {
        Epochs = epochs;
        Steps = steps;
        Reason = reason;
        BestEpoch = bestEpoch;
        BestValidationLoss = bestValidationLoss;
        RestoredBestWeights = restoredBestWeights;
    }

    /// <summary>One record per epoch, starting with epoch 0 (the starting point): the learning curve.</summary>
    public IReadOnlyList<EpochRecord> Epochs { get; }

    /// <summary>One record per step (empty when <see cref="TrainOptions.RecordSteps"/> is off).</summary>
    public IReadOnlyList<StepRecord> Steps { get; }

    /// <summary>Why training stopped.</summary>
    public TrainingStop Reason { get; }

    /// <summary>The number of epochs run (the last epoch may be partial when training diverged).</summary>
    public int EpochsRun => Epochs[^1].Epoch;

    /// <summary>The number of optimizer steps taken.</summary>
    public int StepCount => Epochs[^1].Steps;

    /// <summary>The number of examples whose gradient was computed, over all steps.</summary>
    public long GradientEvaluations => Epochs[^1].GradientEvaluations;

    /// <summary>The training loss at the end (of the last epoch run; before any restoring of the best weights).</summary>
    public double FinalTrainingLoss => Epochs[^1].TrainingLoss;

    /// <summary>The epoch with the lowest validation loss (improvements smaller than <see cref="TrainOptions.MinDelta"/> do not count), or null without validation data.</summary>
    public int? BestEpoch { get; }

    /// <summary>The validation loss of <see cref="BestEpoch"/>.</summary>
    public double? BestValidationLoss { get; }

    /// <summary>True when the model was set back to the weights of <see cref="BestEpoch"/> at the end.</summary>
    public bool RestoredBestWeights { get; }

    /// <summary>A one-line summary: the reason, epochs, steps, gradient evaluations and final losses.</summary>
    public override string ToString()
    {
        var last = Epochs[^1];
        string validation = last.ValidationLoss is { } v
            ? string.Create(CultureInfo.InvariantCulture, $", validation loss {v:G6} (best {BestValidationLoss:G6} at epoch {BestEpoch}{(RestoredBestWeights ? ", restored" : "")})")
            : "";
        return string.Create(CultureInfo.InvariantCulture,
            $"{Reason} after {EpochsRun} epochs ({StepCount} steps, {GradientEvaluations} gradient evaluations): training loss {last.TrainingLoss:G6}{validation}");
    }
}
