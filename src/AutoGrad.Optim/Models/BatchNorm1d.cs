using System.Globalization;

namespace AutoGrad.Optim.Models;

/// <summary>
/// Batch normalisation over a batch of feature vectors, as <c>torch.nn.BatchNorm1d(features, eps, momentum)</c>:
/// y = γ ⊙ (x − μ)/√(σ² + ε) + β per feature, with learnable γ (starting at 1) and β (starting at 0).
/// Ioffe and Szegedy, "Batch normalization", ICML 2015.
/// </summary>
/// <remarks>
/// <para>The input is [N, C] or [N, C, L] (statistics per channel C over N, or over N and L).</para>
/// <para><b>Training mode</b> normalises with the batch's own statistics: μ the mean and σ² the biased variance
/// (division by n, the number of values per feature), and differentiates through them, so each example's output
/// depends on the whole batch. It then updates the running averages, outside the tape:
/// running_mean ← (1 − m)·running_mean + m·μ and running_var ← (1 − m)·running_var + m·σ²·n/(n − 1), the unbiased
/// variance, as torch. A batch with one value per feature cannot be normalised and is refused, as torch.</para>
/// <para><b>Evaluation mode</b> normalises with the running averages (starting at mean 0 and variance 1), so the
/// output of an example no longer depends on the rest of its batch.</para>
/// </remarks>
public sealed class BatchNorm1d : Module
{
    /// <summary>The default momentum m of the running averages, torch's: 0.1.</summary>
    public const double DefaultMomentum = 0.1;

    /// <summary>The default ε added to the variance, torch's: 1e-5.</summary>
    public const double DefaultEps = 1e-5;

    private readonly Slot _weight, _bias, _runningMean, _runningVar;

    /// <summary>Batch normalisation of <paramref name="features"/> channels.</summary>
    /// <param name="features">C, the number of features (channels); positive.</param>
    /// <param name="momentum">m in [0, 1]: the weight of each new batch in the running averages (0 freezes them).</param>
    /// <param name="eps">ε &gt; 0, added to the variance before the square root.</param>
    /// <exception cref="ArgumentOutOfRangeException">A value outside its domain.</exception>
    public BatchNorm1d(int features, double momentum = DefaultMomentum, double eps = DefaultEps)
    {
        if (features <= 0)
            throw new ArgumentOutOfRangeException(nameof(features), FormattableString.Invariant($"BatchNorm1d: the number of features must be positive, got {features}."));
        if (!(momentum >= 0 && momentum <= 1))
            throw new ArgumentOutOfRangeException(nameof(momentum), FormattableString.Invariant($"BatchNorm1d({features}): the momentum must be in [0, 1], got {momentum}."));
        if (!(eps > 0) || !double.IsFinite(eps))
            throw new ArgumentOutOfRangeException(nameof(eps), FormattableString.Invariant($"BatchNorm1d({features}): eps must be positive and finite, got {eps}."));
        Features = features;
        Momentum = momentum;
        Eps = eps;
        _weight = RegisterParameter("weight", Tensor.Ones(features));
        _bias = RegisterParameter("bias", Tensor.Zeros(features));
        _runningMean = RegisterBuffer("runningMean", Tensor.Zeros(features));
        _runningVar = RegisterBuffer("runningVar", Tensor.Ones(features));
    }

    /// <summary>C, the number of features.</summary>
    public int Features { get; }

    /// <summary>The momentum m of the running averages.</summary>
    public double Momentum { get; }

    /// <summary>ε, added to the variance.</summary>
    public double Eps { get; }

    /// <summary>γ, the learnable scale, [C].</summary>
    public Tensor Weight => _weight.Value;

    /// <summary>β, the learnable shift, [C].</summary>
    public Tensor Bias => _bias.Value;

    /// <summary>The running average of the batch means, [C] (a buffer, updated in place in training mode).</summary>
    public Tensor RunningMean => _runningMean.Value;

    /// <summary>The running average of the unbiased batch variances, [C] (a buffer, updated in place in training mode).</summary>
    public Tensor RunningVar => _runningVar.Value;

    /// <summary>The number of batches that have updated the running averages.</summary>
    public long BatchesTracked { get; private set; }

    /// <summary>Normalises <paramref name="input"/> with the batch statistics (training) or the running averages (evaluation).</summary>
    /// <exception cref="ArgumentException">The input is not [N, C] or [N, C, L] with this C, is not float64, or (in training)
    /// holds one value per feature.</exception>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Rank is not (2 or 3) || input.Dims[1] != Features)
            throw new ArgumentException(
                FormattableString.Invariant($"{Describe()}: the input has shape {Shape.Format(input.Dims)} but must be [N, {Features}] or [N, {Features}, L]."), nameof(input));
        if (input.DType != DType.Float64)
            throw new ArgumentException(FormattableString.Invariant($"{Describe()}: the input is {input.DType.Name()} but the parameters are float64; convert the input with To(DType)."), nameof(input));
        // Per-feature vectors broadcast against [N, C] as [C] and against [N, C, L] as [C, 1].
        int[] featureShape = input.Rank == 2 ? [Features] : [Features, 1];
        int[] axes = input.Rank == 2 ? [0] : [0, 2];
        Tensor normalized;
        if (Training)
        {
            int n = input.Rank == 2 ? input.Dims[0] : input.Dims[0] * input.Dims[2];
            if (n <= 1)
                throw new ArgumentException(
                    FormattableString.Invariant($"{Describe()}: training needs more than one value per feature, got input shape {Shape.Format(input.Dims)}; use a larger batch or Eval()."), nameof(input));
            var mean = input.Mean(axes, keepDims: true);
            var centered = input - mean;
            var variance = centered.Square().Mean(axes, keepDims: true);
            normalized = centered / (variance + Eps).Sqrt();
            UpdateRunning(mean, variance, n);
        }
        else
        {
            normalized = (input - RunningMean.Reshape(featureShape)) / (RunningVar.Reshape(featureShape) + Eps).Sqrt();
        }
        return normalized * Weight.Reshape(featureShape) + Bias.Reshape(featureShape);
    }

    private void UpdateRunning(Tensor mean, Tensor biasedVariance, int n)
    {
        BatchesTracked++;
        if (Momentum == 0) return;
        using var _ = GradMode.NoGrad();
        double m = Momentum;
        var newMean = (1 - m) * RunningMean + m * mean.Detach().Reshape(Features);
        var newVar = (1 - m) * RunningVar + (m * n / (n - 1.0)) * biasedVariance.Detach().Reshape(Features);
        Assign(RunningMean, newMean);
        Assign(RunningVar, newVar);
    }

    /// <inheritdoc/>
    protected override string ExtraRepr => string.Create(CultureInfo.InvariantCulture, $"{Features}, momentum {Momentum:G6}, eps {Eps:G6}");

    internal override int? InFeatureCount => Features;
    internal override int? OutFeatureCount => Features;
}
