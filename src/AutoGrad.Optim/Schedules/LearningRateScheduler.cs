namespace AutoGrad.Optim;

/// <summary>
/// A learning-rate schedule bound to an <see cref="Optimizer"/>, in the manner of <c>torch.optim.lr_scheduler</c>:
/// call <see cref="Step"/> once after each optimizer step; it sets <see cref="Optimizer.LearningRate"/> for the next one.
/// </summary>
/// <remarks>
/// <para>Schedules are <i>chainable</i>, as PyTorch's: each computes the next learning rate from the current one
/// (<see cref="Next"/>) rather than from a closed form, so several schedules can act on one optimizer in turn
/// (<see cref="ChainedScheduler"/>) and reproduce PyTorch's values to the last bit. The closed form each class
/// documents holds when it acts alone, to rounding.</para>
/// <para>e, the number of <see cref="Step"/> calls so far, is <see cref="StepCount"/>; the base learning rate η₀ is
/// the optimizer's <see cref="Optimizer.InitialLearningRate"/> (PyTorch's <c>initial_lr</c>). A schedule may drive
/// the learning rate to 0 (cosine annealing to η_min = 0, polynomial decay), which the optimizer accepts from a
/// schedule although its constructor and public setter require a positive rate.</para>
/// </remarks>
public abstract class LearningRateScheduler
{
    /// <summary>Binds the schedule to <paramref name="optimizer"/>; the learning rate is not changed.</summary>
    protected LearningRateScheduler(Optimizer optimizer)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        Optimizer = optimizer;
        BaseLearningRate = optimizer.InitialLearningRate;
    }

    /// <summary>The optimizer whose learning rate this schedule sets.</summary>
    public Optimizer Optimizer { get; }

    /// <summary>η₀, the learning rate the schedule starts from: <see cref="Optimizer.InitialLearningRate"/>.</summary>
    public double BaseLearningRate { get; }

    /// <summary>e: the number of <see cref="Step"/> calls since construction or <see cref="Reset"/>.</summary>
    public int StepCount { get; private set; }

    /// <summary>The optimizer's current learning rate: the one the next optimizer step uses.</summary>
    public double LearningRate => Optimizer.LearningRate;

    /// <summary>A short name for messages.</summary>
    public virtual string Name => GetType().Name;

    /// <summary>Advances the schedule by one step: call it after each optimizer step.</summary>
    public void Step() => Optimizer.SetScheduledLearningRate(Advance(Optimizer.LearningRate));

    /// <summary>
    /// Starts the schedule again: e = 0 and the learning rate back at its value for e = 0 (η₀ for most schedules). With
    /// <see cref="Optimizer.Reset"/>, a run then repeats the first one bit for bit.
    /// </summary>
    public void Reset() => Optimizer.SetScheduledLearningRate(Restart(BaseLearningRate));

    /// <summary>
    /// The learning rate after step <paramref name="step"/> (e ≥ 1), given <paramref name="learningRate"/>, the rate
    /// after step e − 1 (PyTorch's chainable <c>get_lr</c>).
    /// </summary>
    protected abstract double Next(int step, double learningRate);

    /// <summary>The learning rate at e = 0 for base rate <paramref name="baseLearningRate"/>: the base rate itself unless overridden (a warm-up scales it).</summary>
    protected virtual double Initial(double baseLearningRate) => baseLearningRate;

    /// <summary>Applies <see cref="Initial"/> to the optimizer's current rate: constructors of schedules that override it call this last, as PyTorch's initial step.</summary>
    protected void Begin() => Optimizer.SetScheduledLearningRate(Initial(Optimizer.LearningRate));

    /// <summary>Counts one step and returns the next rate, without setting it (for composite schedules).</summary>
    internal double Advance(double learningRate)
    {
        StepCount++;
        return Next(StepCount, learningRate);
    }

    /// <summary>Sets e = 0 and returns the rate at e = 0, without setting it (for composite schedules).</summary>
    internal double Restart(double baseLearningRate)
    {
        StepCount = 0;
        return Initial(baseLearningRate);
    }

    /// <summary>Positive and finite.</summary>
    private protected void CheckPositive(string what, double v) => Hyper.Positive(Name, what, v);

    /// <summary>At least 1.</summary>
    private protected void CheckCount(string what, int v)
    {
        if (v < 1) throw new ArgumentOutOfRangeException(what, FormattableString.Invariant($"{Name}: {what} must be ≥ 1, got {v}."));
    }
}
