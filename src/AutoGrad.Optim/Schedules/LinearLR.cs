namespace AutoGrad.Optim;

/// <summary>
/// A linear ramp of the learning-rate factor, as <c>torch.optim.lr_scheduler.LinearLR</c>; with a start factor below
/// 1 it is the usual warm-up. Closed form: ηₑ = η₀·(s + (f − s)·min(e, T) / T), with s the start factor, f the end
/// factor and T = <c>totalIters</c>.
/// </summary>
/// <remarks>Construction (and <see cref="LearningRateScheduler.Reset"/>) sets the learning rate to η₀·s at once, as PyTorch's initial step does.</remarks>
public sealed class LinearLR : LearningRateScheduler
{
    /// <summary>Ramps <paramref name="optimizer"/>'s learning rate from η₀·<paramref name="startFactor"/> to η₀·<paramref name="endFactor"/> over <paramref name="totalIters"/> steps.</summary>
    /// <param name="optimizer">The optimizer to schedule.</param>
    /// <param name="startFactor">s in (0, 1]. Default 1/3 (PyTorch's).</param>
    /// <param name="endFactor">f in [0, 1]. Default 1.</param>
    /// <param name="totalIters">T ≥ 1, the length of the ramp. Default 5 (PyTorch's).</param>
    /// <exception cref="ArgumentOutOfRangeException">A factor outside its interval, or totalIters &lt; 1.</exception>
    public LinearLR(Optimizer optimizer, double startFactor = 1.0 / 3, double endFactor = 1.0, int totalIters = 5) : base(optimizer)
    {
        if (!(startFactor > 0 && startFactor <= 1))
            throw new ArgumentOutOfRangeException(nameof(startFactor), FormattableString.Invariant($"{Name}: startFactor must be in (0, 1], got {startFactor}."));
        if (!(endFactor >= 0 && endFactor <= 1))
            throw new ArgumentOutOfRangeException(nameof(endFactor), FormattableString.Invariant($"{Name}: endFactor must be in [0, 1], got {endFactor}."));
        CheckCount(nameof(totalIters), totalIters);
        StartFactor = startFactor;
        EndFactor = endFactor;
        TotalIters = totalIters;
        Begin();
    }

    /// <summary>s, the factor at e = 0.</summary>
    public double StartFactor { get; }

    /// <summary>f, the factor from e = T on.</summary>
    public double EndFactor { get; }

    /// <summary>T, the length of the ramp in steps.</summary>
    public int TotalIters { get; }

    /// <inheritdoc/>
    protected override double Initial(double baseLearningRate) => baseLearningRate * StartFactor;

    /// <inheritdoc/>
    protected override double Next(int step, double learningRate)
    {
        if (step > TotalIters) return learningRate;
        double d = EndFactor - StartFactor;
        return learningRate * (1.0 + d / (TotalIters * StartFactor + (step - 1) * d));
    }
}
