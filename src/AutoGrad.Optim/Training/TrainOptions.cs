namespace AutoGrad.Optim.Training;

/// <summary>Settings of <see cref="Trainer.Fit"/>; every default is declared here.</summary>
public sealed record TrainOptions
{
    /// <summary>The documented defaults.</summary>
    public static TrainOptions Default { get; } = new();

    /// <summary>The number of passes over the training data, ≥ 0 (0 only evaluates the starting point). Default 10.</summary>
    public int Epochs { get; init; } = 10;

    /// <summary>
    /// Examples per step, ≥ 1: 1 for stochastic gradient descent, <see cref="MiniBatches.All"/> (or any size ≥ n) for
    /// batch gradient descent. Default 32.
    /// </summary>
    public int BatchSize { get; init; } = 32;

    /// <summary>Draw a new order of the examples each epoch. Default true.</summary>
    public bool Shuffle { get; init; } = true;

    /// <summary>Leave out a last batch smaller than <see cref="BatchSize"/>. Default false.</summary>
    public bool DropLast { get; init; }

    /// <summary>Seeds the order of the examples (the model's initialisation has its own seed). Default 0.</summary>
    public long Seed { get; init; }

    /// <summary>
    /// Early stopping: stop once the validation loss has failed to improve for more than this many consecutive epochs
    /// (0 stops at the first epoch without improvement). Null (the default) trains for all <see cref="Epochs"/>.
    /// Requires validation data. Keras and Lightning stop when the count reaches their patience, so their p is p − 1 here.
    /// </summary>
    public int? Patience { get; init; }

    /// <summary>An epoch improves when its validation loss is below the best so far minus this, ≥ 0. Default 0.</summary>
    public double MinDelta { get; init; }

    /// <summary>
    /// With early stopping, load the parameters and buffers of the epoch with the best validation loss when training
    /// ends (whether or not it stopped early; the starting point counts as epoch 0). Default true.
    /// </summary>
    public bool RestoreBestWeights { get; init; } = true;

    /// <summary>Keep a <see cref="StepRecord"/> for every step in <see cref="TrainHistory.Steps"/>. Default true.</summary>
    public bool RecordSteps { get; init; } = true;

    internal void Validate()
    {
        if (Epochs < 0) throw new ArgumentOutOfRangeException(nameof(Epochs), FormattableString.Invariant($"Fit: Epochs must be ≥ 0, got {Epochs}."));
        if (BatchSize <= 0)
            throw new ArgumentOutOfRangeException(nameof(BatchSize), FormattableString.Invariant($"Fit: BatchSize must be ≥ 1 (or MiniBatches.All for batch gradient descent), got {BatchSize}."));
        if (Patience < 0) throw new ArgumentOutOfRangeException(nameof(Patience), FormattableString.Invariant($"Fit: Patience must be ≥ 0 (or null for no early stopping), got {Patience}."));
        if (!(MinDelta >= 0) || !double.IsFinite(MinDelta))
            throw new ArgumentOutOfRangeException(nameof(MinDelta), FormattableString.Invariant($"Fit: MinDelta must be finite and ≥ 0, got {MinDelta}."));
    }
}
