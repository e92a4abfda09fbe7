using AutoGrad.Ops;

namespace AutoGrad.Optim.Models;

/// <summary>
/// A fully connected layer y = x·Wᵀ + b, as <c>torch.nn.Linear</c>: the weight W is [out, in], the bias b is [out],
/// and the input is [N, in], [in] or [..., in] (the layer acts on the last axis).
/// </summary>
/// <remarks>
/// The product x·Wᵀ is one matrix product reading W transposed in place (no copy of W per call). The gradients are
/// ∂L/∂W = gᵀ·x and ∂L/∂b = Σ_rows g for the upstream gradient g = ∂L/∂y. A layer without bias is x·Wᵀ.
/// </remarks>
public sealed class Linear : Module
{
    private readonly Slot _weight;
    private readonly Slot? _bias;

    /// <summary>
    /// A layer with <paramref name="inFeatures"/> inputs and <paramref name="outFeatures"/> outputs, initialised by
    /// <paramref name="init"/> from a generator seeded with <paramref name="seed"/>.
    /// </summary>
    /// <param name="inFeatures">The size of each input (last axis); positive.</param>
    /// <param name="outFeatures">The size of each output; positive.</param>
    /// <param name="bias">Whether the layer adds a learnable bias (default true).</param>
    /// <param name="init">The initialisation; null for <see cref="Init.TorchDefault"/>, as torch.</param>
    /// <param name="seed">Seeds the initialisation (default 0). Two layers of the same shape built with the same seed
    /// start equal; give distinct seeds, or share one <see cref="Rng"/> through the other constructor.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive.</exception>
    public Linear(int inFeatures, int outFeatures, bool bias = true, Init? init = null, long seed = 0)
        : this(inFeatures, outFeatures, new Rng(seed), bias, init) { }

    /// <summary>
    /// A layer with <paramref name="inFeatures"/> inputs and <paramref name="outFeatures"/> outputs, initialised by
    /// <paramref name="init"/> with draws from <paramref name="rng"/> (the weight row-major, then the bias).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive.</exception>
    public Linear(int inFeatures, int outFeatures, Rng rng, bool bias = true, Init? init = null)
    {
        ArgumentNullException.ThrowIfNull(rng);
        Positive(inFeatures, nameof(inFeatures), inFeatures, outFeatures);
        Positive(outFeatures, nameof(outFeatures), inFeatures, outFeatures);
        InFeatures = inFeatures;
        OutFeatures = outFeatures;
        Initialization = init ?? Init.TorchDefault();
        _weight = RegisterParameter("weight", Initialization.Weight([outFeatures, inFeatures], rng));
        if (bias) _bias = RegisterParameter("bias", Initialization.Bias(outFeatures, inFeatures, rng));
    }

    private Linear(Tensor weight, Tensor? bias)
    {
        InFeatures = weight.Dims[1];
        OutFeatures = weight.Dims[0];
        Initialization = null;
        _weight = RegisterParameter("weight", weight);
        if (bias is not null) _bias = RegisterParameter("bias", bias);
    }

    /// <summary>
    /// A layer holding copies of the given values: <paramref name="weight"/> [out, in] and, optionally,
    /// <paramref name="bias"/> [out] (float64). For hand-computed examples and for loading trained weights.
    /// </summary>
    /// <exception cref="ArgumentException">The weight is not a float64 matrix with positive sizes, or the bias does not have shape [out].</exception>
    public static Linear FromWeights(Tensor weight, Tensor? bias = null)
    {
        ArgumentNullException.ThrowIfNull(weight);
        if (weight.Rank != 2 || weight.Dims[0] == 0 || weight.Dims[1] == 0 || weight.DType != DType.Float64)
            throw new ArgumentException(FormattableString.Invariant($"Linear.FromWeights: the weight must be a float64 matrix [out, in] with positive sizes, got {weight.DType.Name()} {Shape.Format(weight.Dims)}."), nameof(weight));
        if (bias is not null && (bias.Rank != 1 || bias.Dims[0] != weight.Dims[0] || bias.DType != DType.Float64))
            throw new ArgumentException(
                FormattableString.Invariant($"Linear.FromWeights: the bias is {bias.DType.Name()} {Shape.Format(bias.Dims)} but a weight of shape {Shape.Format(weight.Dims)} needs a float64 bias of shape [{weight.Dims[0]}]."), nameof(bias));
        return new Linear(weight.Detach().Copy(), bias?.Detach().Copy());
    }

    /// <summary>The size of each input.</summary>
    public int InFeatures { get; }

    /// <summary>The size of each output.</summary>
    public int OutFeatures { get; }

    /// <summary>The initialisation the layer was built with (null for <see cref="FromWeights"/>).</summary>
    public Init? Initialization { get; }

    /// <summary>The weight W, [out, in].</summary>
    public Tensor Weight => _weight.Value;

    /// <summary>The bias b, [out], or null for a layer without bias.</summary>
    public Tensor? Bias => _bias?.Value;

    /// <summary>x·Wᵀ + b over the last axis of <paramref name="input"/>.</summary>
    /// <exception cref="ArgumentException">The input is 0-d, its last dimension is not <see cref="InFeatures"/>, or it is not float64.
    /// The message names the layer and the shapes.</exception>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Rank == 0 || input.Dims[^1] != InFeatures)
            throw new ArgumentException(
                FormattableString.Invariant($"{Describe()}: the input has shape {Shape.Format(input.Dims)} but its last dimension must be inFeatures = {InFeatures} (a batch is [N, {InFeatures}])."), nameof(input));
        var w = Weight;
        if (input.DType != w.DType)
            throw new ArgumentException(FormattableString.Invariant($"{Describe()}: the input is {input.DType.Name()} but the weight is {w.DType.Name()}; convert the input with To(DType)."), nameof(input));
        var x = input.Rank == 2 ? input : input.Reshape(-1, InFeatures);
        var y = MatMulOp.I.Apply(x, w, transB: true);
        if (Bias is { } b) y += b;
        return input.Rank == 2 ? y : y.Reshape([.. input.Dims[..^1], OutFeatures]);
    }

    /// <inheritdoc/>
    protected override string ExtraRepr => FormattableString.Invariant($"in {InFeatures}, out {OutFeatures}{(_bias is null ? ", no bias" : ", bias")}");

    internal override int? InFeatureCount => InFeatures;
    internal override int? OutFeatureCount => OutFeatures;

    private static void Positive(int value, string name, int inFeatures, int outFeatures)
    {
        if (value <= 0)
            throw new ArgumentOutOfRangeException(name, FormattableString.Invariant($"Linear({inFeatures} → {outFeatures}): {name} must be positive, got {value}."));
    }
}
