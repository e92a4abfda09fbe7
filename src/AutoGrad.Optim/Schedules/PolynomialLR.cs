namespace AutoGrad.Optim;

/// <summary>
/// Polynomial decay to zero, as <c>torch.optim.lr_scheduler.PolynomialLR</c>. Closed form:
/// ηₑ = η₀·(1 − min(e, T) / T)^power, with T = <c>totalIters</c>.
/// </summary>
/// <remarks>The learning rate reaches 0 at e = T and stays there. power = 1 is a linear decay.</remarks>
public sealed class PolynomialLR : LearningRateScheduler
{
    /// <summary>Decays <paramref name="optimizer"/>'s learning rate to 0 over <paramref name="totalIters"/> steps.</summary>
    /// <param name="optimizer">The optimizer to schedule.</param>
    /// <param name="totalIters">T, the number of steps to reach 0, ≥ 1. Default 5 (PyTorch's).</param>
    /// <param name="power">The exponent, positive and finite. Default 1.</param>
    /// <exception cref="ArgumentOutOfRangeException">totalIters &lt; 1, or power not positive and finite.</exception>
    public PolynomialLR(Optimizer optimizer, int totalIters = 5, double power = 1) : base(optimizer)
    {
        CheckCount(nameof(totalIters), totalIters);
        CheckPositive(nameof(power), power);
        TotalIters = totalIters;
        Power = power;
    }

    /// <summary>T, the step at which the learning rate reaches 0.</summary>
    public int TotalIters { get; }

    /// <summary>The exponent of the decay.</summary>
    public double Power { get; }

    /// <inheritdoc/>
    protected override double Next(int step, double learningRate)
    {
        if (step > TotalIters) return learningRate;
        double factor = (1.0 - (double)step / TotalIters) / (1.0 - (double)(step - 1) / TotalIters);
        return learningRate * Math.Pow(factor, Power);
    }
}
