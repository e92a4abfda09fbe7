namespace AutoGrad.Optim;

/// <summary>
/// Inverse-time (1/t) decay: ηₑ = η₀ / (1 + k·e), the classical Robbins–Monro step size for stochastic approximation
/// (H. Robbins and S. Monro, "A Stochastic Approximation Method", Ann. Math. Statist. 22(3), 1951) and Keras's
/// <c>InverseTimeDecay</c> with <c>decay_steps</c> = 1. PyTorch has no such class.
/// </summary>
/// <remarks>
/// Computed chainably, as PyTorch's schedules are: ηₑ = ηₑ₋₁·(1 + k·(e − 1)) / (1 + k·e), which equals the closed form
/// to rounding and composes with other schedules in a <see cref="ChainedScheduler"/>. It is the decay
/// <see cref="Adagrad"/> applies with its <see cref="AdagradOptions.LrDecay"/>, counted from 0 rather than from 1.
/// </remarks>
public sealed class InverseTimeLR : LearningRateScheduler
{
    /// <summary>Decays <paramref name="optimizer"/>'s learning rate as η₀ / (1 + <paramref name="decayRate"/>·e).</summary>
    /// <param name="optimizer">The optimizer to schedule.</param>
    /// <param name="decayRate">k ≥ 0 (0 keeps the rate constant).</param>
    /// <exception cref="ArgumentOutOfRangeException">k negative or not finite.</exception>
    public InverseTimeLR(Optimizer optimizer, double decayRate) : base(optimizer)
    {
        Hyper.NonNegative(Name, nameof(decayRate), decayRate);
        DecayRate = decayRate;
    }

    /// <summary>k, the decay rate per step.</summary>
    public double DecayRate { get; }

    /// <inheritdoc/>
    protected override double Next(int step, double learningRate) => learningRate * (1 + DecayRate * (step - 1)) / (1 + DecayRate * step);
}
