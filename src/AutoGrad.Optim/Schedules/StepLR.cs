namespace AutoGrad.Optim;

/// <summary>
/// Step decay, as <c>torch.optim.lr_scheduler.StepLR</c>: the learning rate is multiplied by γ every
/// <c>stepSize</c> steps. Closed form: ηₑ = η₀·γ^⌊e / stepSize⌋.
/// </summary>
public sealed class StepLR : LearningRateScheduler
{
    /// <summary>Multiplies <paramref name="optimizer"/>'s learning rate by <paramref name="gamma"/> every <paramref name="stepSize"/> steps.</summary>
    /// <param name="optimizer">The optimizer to schedule.</param>
    /// <param name="stepSize">The period, ≥ 1.</param>
    /// <param name="gamma">γ, the factor, positive and finite. Default 0.1.</param>
    /// <exception cref="ArgumentOutOfRangeException">stepSize &lt; 1, or γ not positive and finite.</exception>
    public StepLR(Optimizer optimizer, int stepSize, double gamma = 0.1) : base(optimizer)
    {
        CheckCount(nameof(stepSize), stepSize);
        CheckPositive(nameof(gamma), gamma);
        StepSize = stepSize;
        Gamma = gamma;
    }

    /// <summary>The period of the decay.</summary>
    public int StepSize { get; }

    /// <summary>γ, the factor applied every <see cref="StepSize"/> steps.</summary>
    public double Gamma { get; }

    /// <inheritdoc/>
    protected override double Next(int step, double learningRate) => step % StepSize != 0 ? learningRate : learningRate * Gamma;
}
