namespace AutoGrad.Optim;

/// <summary>
/// Schedules one after another, switching at milestones, as <c>torch.optim.lr_scheduler.SequentialLR</c>: schedule i
/// runs while milestones[i − 1] ≤ e &lt; milestones[i], and restarts (its own e = 0, from η₀) at its milestone.
/// The usual use is a warm-up followed by a decay: <c>new SequentialLR([new LinearLR(opt, 0.1), new CosineAnnealingLR(opt, 95)], [5])</c>.
/// </summary>
/// <remarks>Step the sequence only, never its members. Construction restarts the first member (e = 0).</remarks>
public sealed class SequentialLR : LearningRateScheduler
{
    private readonly LearningRateScheduler[] _schedulers;
    private readonly int[] _milestones;

    /// <summary>Runs <paramref name="schedulers"/> in turn, switching at the steps in <paramref name="milestones"/>.</summary>
    /// <param name="schedulers">The schedules, all bound to one optimizer.</param>
    /// <param name="milestones">One fewer than the schedules: strictly increasing step counts ≥ 1.</param>
    /// <exception cref="ArgumentException">No schedules, schedules bound to different optimizers, a repeated schedule, or bad milestones.</exception>
    public SequentialLR(IReadOnlyList<LearningRateScheduler> schedulers, IReadOnlyList<int> milestones)
        : base(Composite.Optimizer("SequentialLR", schedulers))
    {
        ArgumentNullException.ThrowIfNull(milestones);
        if (milestones.Count != schedulers.Count - 1)
            throw new ArgumentException(FormattableString.Invariant($"{Name}: {schedulers.Count} schedules need {schedulers.Count - 1} milestones, got {milestones.Count}."), nameof(milestones));
        for (int i = 0; i < milestones.Count; i++)
            if (milestones[i] < 1 || (i > 0 && milestones[i] <= milestones[i - 1]))
                throw new ArgumentException(
                    FormattableString.Invariant($"{Name}: milestones must be strictly increasing and ≥ 1, got {Shape.Format(milestones.ToArray())}."), nameof(milestones));
        _schedulers = [.. schedulers];
        _milestones = [.. milestones];
        Reset();
    }

    /// <summary>The schedules, in the order they run.</summary>
    public IReadOnlyList<LearningRateScheduler> Schedulers => _schedulers;

    /// <summary>The steps at which the next schedule takes over.</summary>
    public IReadOnlyList<int> Milestones => _milestones;

    /// <inheritdoc/>
    protected override double Next(int step, double learningRate)
    {
        int i = 0;
        while (i < _milestones.Length && _milestones[i] <= step) i++;
        return i > 0 && _milestones[i - 1] == step
            ? _schedulers[i].Restart(BaseLearningRate)
            : _schedulers[i].Advance(learningRate);
    }

    /// <inheritdoc/>
    protected override double Initial(double baseLearningRate) => _schedulers[0].Restart(baseLearningRate);
}
