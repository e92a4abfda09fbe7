namespace AutoGrad.Optim;

/// <summary>
/// Cosine annealing without restarts (I. Loshchilov and F. Hutter, "SGDR: Stochastic Gradient Descent with Warm
/// Restarts", ICLR 2017), as <c>torch.optim.lr_scheduler.CosineAnnealingLR</c>. Closed form:
/// ηₑ = η_min + (η₀ − η_min)·(1 + cos(π·e / T_max)) / 2.
/// </summary>
/// <remarks>
/// The learning rate falls from η₀ to η_min at e = T_max and is <b>not</b> clamped afterwards: it rises again along
/// the cosine, back to η₀ at e = 2·T_max, as in PyTorch. Stop at T_max, or use <see cref="SequentialLR"/> to switch
/// to another schedule, for a single descent. The values follow PyTorch's recursive form
/// ηₑ = η_min + (ηₑ₋₁ − η_min)·(1 + cos(πe/T))/(1 + cos(π(e − 1)/T)), with its special case at
/// e ≡ T + 1 (mod 2T) where the denominator vanishes, so they agree with PyTorch bit for bit and with the closed form
/// to rounding.
/// </remarks>
public sealed class CosineAnnealingLR : LearningRateScheduler
{
    /// <summary>Anneals <paramref name="optimizer"/>'s learning rate from its initial value to <paramref name="etaMin"/> over <paramref name="tMax"/> steps.</summary>
    /// <param name="optimizer">The optimizer to schedule.</param>
    /// <param name="tMax">T_max, the half period in steps, ≥ 1.</param>
    /// <param name="etaMin">η_min ≥ 0, the lowest learning rate. Default 0.</param>
    /// <exception cref="ArgumentOutOfRangeException">tMax &lt; 1, or η_min negative or not finite.</exception>
    public CosineAnnealingLR(Optimizer optimizer, int tMax, double etaMin = 0) : base(optimizer)
    {
        CheckCount(nameof(tMax), tMax);
        Hyper.NonNegative(Name, nameof(etaMin), etaMin);
        TMax = tMax;
        EtaMin = etaMin;
    }

    /// <summary>T_max, the number of steps from η₀ down to η_min.</summary>
    public int TMax { get; }

    /// <summary>η_min, the learning rate at e = T_max.</summary>
    public double EtaMin { get; }

    /// <inheritdoc/>
    protected override double Next(int step, double learningRate)
    {
        if ((step - 1 - TMax) % (2 * TMax) == 0)
            return learningRate + (BaseLearningRate - EtaMin) * (1 - Math.Cos(Math.PI / TMax)) / 2;
        return (1 + Math.Cos(Math.PI * step / TMax)) / (1 + Math.Cos(Math.PI * (step - 1) / TMax)) * (learningRate - EtaMin) + EtaMin;
    }
}
