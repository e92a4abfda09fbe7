using System.Numerics;

namespace AutoGrad.Optim;

/// <summary>
/// An update rule for a list of parameter tensors, in the manner of <c>torch.optim.Optimizer</c>: compute a loss,
/// call <see cref="Tensor.Backward(Tensor?, bool, bool)"/>, then <see cref="Step()"/> updates every parameter in place
/// from its <see cref="Tensor.Grad"/>. State (momentum buffers, moment estimates) is allocated once per parameter on
/// the first step and reused, so a training loop allocates nothing for the update once warm.
/// </summary>
/// <remarks>
/// Parameters must require gradients. Updates are optimizer steps, not recorded operations: they are allowed on
/// tensors the tape has seen. A parameter whose <see cref="Tensor.Grad"/> is null is skipped, as in PyTorch.
/// </remarks>
public abstract partial class Optimizer
{
    private double _learningRate;

    /// <summary>Binds the rule to <paramref name="parameters"/> with an initial learning rate.</summary>
    /// <exception cref="ArgumentException">No parameters, a parameter that does not require gradients, or a repeated one.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The learning rate is not positive and finite.</exception>
    protected Optimizer(IEnumerable<Tensor> parameters, double learningRate)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        var list = parameters.ToArray();
        if (list.Length == 0) throw new ArgumentException(FormattableString.Invariant($"{Name}: no parameters to optimise."), nameof(parameters));
        for (int i = 0; i < list.Length; i++)
        {
            if (list[i] is null) throw new ArgumentNullException(nameof(parameters), FormattableString.Invariant($"{Name}: parameter {i} is null."));
            if (!list[i].RequiresGrad)
                throw new ArgumentException(
                    FormattableString.Invariant($"{Name}: parameter {i} (shape {Shape.Format(list[i].Dims)}) does not require gradients; call RequireGrad() on it first."), nameof(parameters));
            for (int j = 0; j < i; j++)
                if (ReferenceEquals(list[i], list[j]))
                    throw new ArgumentException(FormattableString.Invariant($"{Name}: parameter {i} is the same tensor as parameter {j}."), nameof(parameters));
        }
        Parameters = list;
        LearningRate = learningRate;
        InitialLearningRate = learningRate;
    }

    /// <summary>The optimizer's name in messages ("Adam", "SGD", …).</summary>
    public virtual string Name => GetType().Name;

    /// <summary>The tensors this optimizer updates.</summary>
    public IReadOnlyList<Tensor> Parameters { get; }

    /// <summary>The learning rate of the next step; schedules change it between steps.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Set to a value that is not positive and finite.</exception>
    public double LearningRate
    {
        get => _learningRate;
        set
        {
            Hyper.Positive(Name, "learning rate", value);
            _learningRate = value;
        }
    }

    /// <summary>
    /// Sets the learning rate from a schedule. Unlike the public setter it accepts 0, which schedules reach by design
    /// (cosine annealing to η_min = 0, polynomial decay at its end).
    /// </summary>
    internal void SetScheduledLearningRate(double value)
    {
        Hyper.NonNegative(Name, "learning rate", value);
        _learningRate = value;
    }

    /// <summary>The learning rate given at construction (schedules start from it).</summary>
    public double InitialLearningRate { get; }

    /// <summary>
    /// True for methods that must evaluate the loss themselves during a step (line searches, Newton): drive them with
    /// <see cref="Step(Func{Tensor})"/>. False for update rules that use the gradient already computed.
    /// </summary>
    public virtual bool NeedsClosure => false;

    /// <summary>The number of steps taken since construction or the last <see cref="Reset"/> (t in the update rules, counted from 1).</summary>
    public int StepCount { get; protected set; }

    /// <summary>Sets every parameter's gradient to zero, keeping its buffer.</summary>
    public void ZeroGrad()
    {
        foreach (var p in Parameters) p.ZeroGrad();
    }

    /// <summary>Updates every parameter that has a gradient, in place.</summary>
    /// <exception cref="InvalidOperationException">The method evaluates the loss itself (<see cref="NeedsClosure"/>), or a
    /// gradient's element type or shape differs from its parameter's.</exception>
    public void Step()
    {
        if (NeedsClosure)
            throw new InvalidOperationException(FormattableString.Invariant($"{Name}: this method evaluates the loss itself during a step; call Step(closure) instead."));
        Apply();
    }

    private void Apply()
    {
        // Grad has a public setter: a gradient of another type or shape would be read out of bounds. Checked for
        // every parameter before any is updated.
        for (int i = 0; i < Parameters.Count; i++)
            if (Parameters[i] is { Grad: { } g } p && (g.DType != p.DType || !g.Dims.AsSpan().SequenceEqual(p.Dims)))
                throw new InvalidOperationException(
                    FormattableString.Invariant($"{Name}: parameter {i} is {p.DType} of shape {Shape.Format(p.Dims)} but its gradient is {g.DType} of shape {Shape.Format(g.Dims)}."));
        StepCount++;
        for (int i = 0; i < Parameters.Count; i++)
        {
            var p = Parameters[i];
            if (p.Grad is not { } g) continue;
            if (p.DType == DType.Float64) Update<double>(i, p.Span<double>(), g.Span<double>());
            else Update<float>(i, p.Span<float>(), g.Span<float>());
            p.BumpVersion();
        }
    }

    /// <summary>
    /// One step driven by a closure that recomputes the loss from the current parameters: zero the gradients,
    /// evaluate, backward, update. Line-search and second-order methods override it to evaluate more than once.
    /// Returns the loss evaluated at the start of the step.
    /// </summary>
    public virtual Tensor Step(Func<Tensor> closure)
    {
        ArgumentNullException.ThrowIfNull(closure);
        ZeroGrad();
        var loss = closure();
        loss.Backward();
        Apply();
        return loss;
    }

    /// <summary>Forgets all state (buffers, moments, the step count), as if newly constructed with the current learning rate.</summary>
    public virtual void Reset()
    {
        StepCount = 0;
        ResetState();
    }

    /// <summary>Clears the per-parameter state.</summary>
    protected abstract void ResetState();

    /// <summary>
    /// Updates parameter <paramref name="index"/> in place from its gradient. <see cref="StepCount"/> is already the
    /// number of this step (from 1).
    /// </summary>
    protected abstract void Update<T>(int index, Span<T> p, ReadOnlySpan<T> g) where T : unmanaged, IFloatingPointIeee754<T>;
}

/// <summary>Validation of hyperparameters, with messages naming the optimizer and the value.</summary>
internal static class Hyper
{
    public static void Positive(string owner, string what, double v)
    {
        if (!(v > 0) || !double.IsFinite(v))
            throw new ArgumentOutOfRangeException(what, FormattableString.Invariant($"{owner}: the {what} must be positive and finite, got {v}."));
    }

    public static void NonNegative(string owner, string what, double v)
    {
        if (!(v >= 0) || !double.IsFinite(v))
            throw new ArgumentOutOfRangeException(what, FormattableString.Invariant($"{owner}: the {what} must be finite and ≥ 0, got {v}."));
    }

    /// <summary>0 ≤ v &lt; 1 (β, α, momentum).</summary>
    public static void UnitInterval(string owner, string what, double v)
    {
        if (!(v >= 0 && v < 1))
            throw new ArgumentOutOfRangeException(what, FormattableString.Invariant($"{owner}: the {what} must be in [0, 1), got {v}."));
    }
}
