namespace AutoGrad.Optim;

/// <summary>
/// Several schedules acting on one optimizer at once, as <c>torch.optim.lr_scheduler.ChainedScheduler</c>: each
/// <see cref="LearningRateScheduler.Step"/> steps every schedule in turn, each scaling the rate the previous one left.
/// For multiplicative schedules the factors multiply: StepLR(γ₁) with ExponentialLR(γ₂) gives η₀·γ₁^⌊e/s⌋·γ₂ᵉ.
/// </summary>
/// <remarks>Step the chain only, never its members. Construction restarts every member (e = 0).</remarks>
public sealed class ChainedScheduler : LearningRateScheduler
{
    private readonly LearningRateScheduler[] _schedulers;

    /// <summary>Chains <paramref name="schedulers"/>, which must all be bound to one optimizer.</summary>
    /// <exception cref="ArgumentException">No schedules, a repeated one, or schedules bound to different optimizers.</exception>
    public ChainedScheduler(params LearningRateScheduler[] schedulers) : base(Composite.Optimizer("ChainedScheduler", schedulers))
    {
        _schedulers = [.. schedulers];
        Reset();
    }

    /// <summary>The chained schedules, in the order they are stepped.</summary>
    public IReadOnlyList<LearningRateScheduler> Schedulers => _schedulers;

    /// <inheritdoc/>
    protected override double Next(int step, double learningRate)
    {
        foreach (var s in _schedulers) learningRate = s.Advance(learningRate);
        return learningRate;
    }

    /// <inheritdoc/>
    protected override double Initial(double baseLearningRate)
    {
        foreach (var s in _schedulers) baseLearningRate = s.Restart(baseLearningRate);
        return baseLearningRate;
    }
}

/// <summary>Checks shared by the composite schedules.</summary>
internal static class Composite
{
    /// <summary>The one optimizer that every schedule in <paramref name="schedulers"/> is bound to.</summary>
    public static Optimizer Optimizer(string owner, IReadOnlyList<LearningRateScheduler> schedulers)
    {
        ArgumentNullException.ThrowIfNull(schedulers);
        if (schedulers.Count == 0) throw new ArgumentException(FormattableString.Invariant($"{owner}: no schedules given."), nameof(schedulers));
        for (int i = 0; i < schedulers.Count; i++)
        {
            if (schedulers[i] is null) throw new ArgumentNullException(nameof(schedulers), FormattableString.Invariant($"{owner}: schedule {i} is null."));
            if (!ReferenceEquals(schedulers[i].Optimizer, schedulers[0].Optimizer))
                throw new ArgumentException(
                    FormattableString.Invariant($"{owner}: schedule {i} ({schedulers[i].Name}) is bound to another optimizer than schedule 0 ({schedulers[0].Name})."), nameof(schedulers));
            for (int j = 0; j < i; j++)
                if (ReferenceEquals(schedulers[i], schedulers[j]))
                    throw new ArgumentException(FormattableString.Invariant($"{owner}: schedule {i} is the same object as schedule {j}."), nameof(schedulers));
        }
        return schedulers[0].Optimizer;
    }
}
