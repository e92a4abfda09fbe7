namespace AutoGrad.Optim;

/// <summary>
/// Exponential decay, as <c>torch.optim.lr_scheduler.ExponentialLR</c>: the learning rate is multiplied by γ every
/// step. Closed form: ηₑ = η₀·γᵉ.
/// </summary>
public sealed class ExponentialLR : LearningRateScheduler
{
    /// <summary>Multiplies <paramref name="optimizer"/>'s learning rate by <paramref name="gamma"/> at every step.</summary>
    /// <param name="optimizer">The optimizer to schedule.</param>
    /// <param name="gamma">γ, positive and finite (below 1 to decay).</param>
    /// <exception cref="ArgumentOutOfRangeException">γ not positive and finite.</exception>
    public ExponentialLR(Optimizer optimizer, double gamma) : base(optimizer)
    {
        CheckPositive(nameof(gamma), gamma);
        Gamma = gamma;
    }

    /// <summary>γ, the factor applied at every step.</summary>
    public double Gamma { get; }

    /// <inheritdoc/>
    protected override double Next(int step, double learningRate) => learningRate * Gamma;
}
