namespace AutoGrad.Optim;

/// <summary>Hyperparameters of <see cref="AdamW"/>, with <c>torch.optim.AdamW</c>'s defaults (weight decay 1e-2, unlike Adam's 0).</summary>
public sealed record AdamWOptions
{
    /// <summary>The documented defaults.</summary>
    public static AdamWOptions Default { get; } = new();

    /// <summary>AdamW options; every default is declared here.</summary>
    /// <param name="learningRate">η, positive and finite. Default 1e-3.</param>
    /// <param name="beta1">β1 in [0, 1). Default 0.9.</param>
    /// <param name="beta2">β2 in [0, 1). Default 0.999.</param>
    /// <param name="eps">ε &gt; 0. Default 1e-8.</param>
    /// <param name="weightDecay">λ ≥ 0, the decoupled decay: θ ← θ·(1 − η·λ) before the Adam step. Default 1e-2.</param>
    /// <param name="amsgrad">AMSGrad. Default false.</param>
    public AdamWOptions(double learningRate = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, double weightDecay = 1e-2, bool amsgrad = false)
    {
        LearningRate = learningRate;
        Beta1 = beta1;
        Beta2 = beta2;
        Eps = eps;
        WeightDecay = weightDecay;
        Amsgrad = amsgrad;
    }

    /// <summary>η, the initial learning rate. Default 1e-3.</summary>
    public double LearningRate { get; init; }

    /// <summary>β1, the decay of the first-moment estimate. Default 0.9.</summary>
    public double Beta1 { get; init; }

    /// <summary>β2, the decay of the second-moment estimate. Default 0.999.</summary>
    public double Beta2 { get; init; }

    /// <summary>ε, added outside the root after the bias correction. Default 1e-8.</summary>
    public double Eps { get; init; }

    /// <summary>λ, the decoupled weight decay. Default 1e-2.</summary>
    public double WeightDecay { get; init; }

    /// <summary>AMSGrad. Default false.</summary>
    public bool Amsgrad { get; init; }
}

/// <summary>
/// AdamW (I. Loshchilov and F. Hutter, "Decoupled Weight Decay Regularization", ICLR 2019, arXiv:1711.05101): Adam with
/// the weight decay taken out of the gradient and applied to θ directly, step for step as <c>torch.optim.AdamW</c>.
/// </summary>
/// <remarks>
/// <para>Per element:</para>
/// <code>
/// θ ← θ·(1 − η·λ)            first, with the current (scheduled) η
/// then the <see cref="Adam"/> rule with λ = 0:
/// m ← β1·m + (1 − β1)·g;   v ← β2·v + (1 − β2)·g²
/// θ ← θ − (η / (1 − β1ᵗ)) · m / (√v / √(1 − β2ᵗ) + ε)        (√vmax with AMSGrad, vmax over the raw v)
/// </code>
/// <para>The paper writes θ ← θ − ηₜ·(α·m̂/(√v̂ + ε) + λθ) with a schedule multiplier ηₜ and a base step α, so its decay
/// is ηₜ·λ, not scaled by α. PyTorch, and this class, have one learning rate η (= ηₜ·α) for both terms: the decay is
/// η·λ with the current learning rate, so λ here is the paper's λ/α, and a schedule scales the decay with the step.
/// Since the gradient was taken at the old θ, decaying first and then stepping is the paper's update exactly. Unlike
/// L2 decay in <see cref="Adam"/>, the decay is not divided by √v̂, so every coordinate shrinks at the same rate.</para>
/// </remarks>
public sealed class AdamW : Optimizer
{
    private readonly AdamState _state;

    /// <summary>AdamW on <paramref name="parameters"/>; null options take <see cref="AdamWOptions.Default"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A hyperparameter is outside its domain (the message names it and its value).</exception>
    public AdamW(IEnumerable<Tensor> parameters, AdamWOptions? options = null)
        : base(parameters, (options ?? AdamWOptions.Default).LearningRate)
    {
        var o = options ?? AdamWOptions.Default;
        AdamState.Validate(Name, o.Beta1, o.Beta2, o.Eps, o.WeightDecay);
        Options = o;
        _state = new AdamState(Parameters.Count);
    }

    /// <summary>The hyperparameters given at construction (<see cref="AdamWOptions.LearningRate"/> is the initial learning rate).</summary>
    public AdamWOptions Options { get; }

    /// <inheritdoc/>
    protected override void ResetState() => _state.Reset();

    private protected override void WriteState(StateWriter w) => _state.Write(w, Options.Amsgrad);

    private protected override Action ReadState(StateReader r) => _state.Read(r, Options.Amsgrad);

    /// <inheritdoc/>
    protected override void Update<T>(int index, Span<T> p, ReadOnlySpan<T> g)
    {
        var o = Options;
        _state.Update(index, p, g, LearningRate, o.Beta1, o.Beta2, o.Eps, l2Decay: 0, o.WeightDecay, o.Amsgrad);
    }
}
