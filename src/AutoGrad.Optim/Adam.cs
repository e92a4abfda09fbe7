using System.Numerics;

namespace AutoGrad.Optim;

/// <summary>Hyperparameters of <see cref="Adam"/>, with <c>torch.optim.Adam</c>'s defaults.</summary>
public sealed record AdamOptions
{
    /// <summary>The documented defaults.</summary>
    public static AdamOptions Default { get; } = new();

    /// <summary>Adam options; every default is declared here.</summary>
    /// <param name="learningRate">η, positive and finite. Default 1e-3.</param>
    /// <param name="beta1">β1 in [0, 1), the decay of the first moment. Default 0.9.</param>
    /// <param name="beta2">β2 in [0, 1), the decay of the second moment. Default 0.999.</param>
    /// <param name="eps">ε &gt; 0, added to the bias-corrected root. Default 1e-8.</param>
    /// <param name="weightDecay">λ ≥ 0, L2 regularisation folded into the gradient (not decoupled: see <see cref="AdamW"/>). Default 0.</param>
    /// <param name="amsgrad">AMSGrad: divide by the running maximum of v. Default false.</param>
    public AdamOptions(double learningRate = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, double weightDecay = 0, bool amsgrad = false)
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

    /// <summary>λ, the L2 weight decay folded into the gradient. Default 0.</summary>
    public double WeightDecay { get; init; }

    /// <summary>AMSGrad. Default false.</summary>
    public bool Amsgrad { get; init; }
}

/// <summary>
/// Adam (D. P. Kingma and J. Ba, "Adam: A Method for Stochastic Optimization", ICLR 2015, arXiv:1412.6980) with bias
/// correction, the AMSGrad variant (S. J. Reddi, S. Kale and S. Kumar, "On the Convergence of Adam and Beyond",
/// ICLR 2018) and L2 weight decay, step for step as <c>torch.optim.Adam</c>.
/// </summary>
/// <remarks>
/// <para>Per element, with t the parameter's own step count from 1:</para>
/// <code>
/// g ← g + λθ                                   if λ ≠ 0 (L2 folded into the gradient)
/// m ← β1·m + (1 − β1)·g                        m, v (and vmax) start at 0
/// v ← β2·v + (1 − β2)·g²
/// AMSGrad:  vmax ← max(vmax, v);  d = √vmax / √(1 − β2ᵗ) + ε
/// else:     d = √v / √(1 − β2ᵗ) + ε
/// θ ← θ − (η / (1 − β1ᵗ)) · m / d
/// </code>
/// <para>This is Algorithm 1 of the paper, θ ← θ − η·m̂ / (√v̂ + ε) with m̂ = m/(1 − β1ᵗ) and v̂ = v/(1 − β2ᵗ):
/// ε is outside the root and after the bias correction. It is not the paper's "efficient version" with ε̂ (as
/// TensorFlow implements it), nor ε inside the root, √(v̂ + ε), as some lecture notes write it; each moves a trajectory
/// by more than 1e-10.
/// AMSGrad takes its maximum over the raw v, not over the bias-corrected v̂, as PyTorch does (the paper has no bias
/// correction). Weight decay here is the L2 penalty, which Adam's scaling weakens for coordinates with large
/// gradients; <see cref="AdamW"/> decouples it.</para>
/// <para>A NaN gradient propagates into θ and the moments.</para>
/// </remarks>
public sealed class Adam : Optimizer
{
    private readonly AdamState _state;

    /// <summary>Adam on <paramref name="parameters"/>; null options take <see cref="AdamOptions.Default"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A hyperparameter is outside its domain (the message names it and its value).</exception>
    public Adam(IEnumerable<Tensor> parameters, AdamOptions? options = null)
        : base(parameters, (options ?? AdamOptions.Default).LearningRate)
    {
        var o = options ?? AdamOptions.Default;
        AdamState.Validate(Name, o.Beta1, o.Beta2, o.Eps, o.WeightDecay);
        Options = o;
        _state = new AdamState(Parameters.Count);
    }

    /// <summary>The hyperparameters given at construction (<see cref="AdamOptions.LearningRate"/> is the initial learning rate).</summary>
    public AdamOptions Options { get; }

    /// <inheritdoc/>
    protected override void ResetState() => _state.Reset();

    private protected override void WriteState(StateWriter w) => _state.Write(w, Options.Amsgrad);

    private protected override Action ReadState(StateReader r) => _state.Read(r, Options.Amsgrad);

    /// <inheritdoc/>
    protected override void Update<T>(int index, Span<T> p, ReadOnlySpan<T> g)
    {
        var o = Options;
        _state.Update(index, p, g, LearningRate, o.Beta1, o.Beta2, o.Eps, o.WeightDecay, decoupledDecay: 0, o.Amsgrad);
    }
}

/// <summary>The moments of <see cref="Adam"/> and <see cref="AdamW"/> and their shared update.</summary>
internal sealed class AdamState(int count)
{
    private readonly Array?[] _m = new Array?[count], _v = new Array?[count], _vmax = new Array?[count];
    private readonly int[] _steps = new int[count];

    public static void Validate(string owner, double beta1, double beta2, double eps, double weightDecay)
    {
        Hyper.UnitInterval(owner, "beta1", beta1);
        Hyper.UnitInterval(owner, "beta2", beta2);
        Hyper.Positive(owner, "eps", eps);
        Hyper.NonNegative(owner, "weightDecay", weightDecay);
    }

    public void Reset() => Array.Clear(_steps);

    /// <summary>Names as torch's Adam state: exp_avg (m), exp_avg_sq (v), max_exp_avg_sq (vmax).</summary>
    public void Write(StateWriter w, bool amsgrad)
    {
        w.Steps(_steps);
        w.Buffers("exp_avg", _m, _steps, used: true);
        w.Buffers("exp_avg_sq", _v, _steps, used: true);
        w.Buffers("max_exp_avg_sq", _vmax, _steps, amsgrad);
    }

    public Action Read(StateReader r, bool amsgrad)
    {
        var steps = r.Steps();
        var m = r.Buffers("exp_avg", steps, used: true, "always");
        var v = r.Buffers("exp_avg_sq", steps, used: true, "always");
        var vmax = r.Buffers("max_exp_avg_sq", steps, amsgrad, "AMSGrad");
        return () =>
        {
            steps.CopyTo(_steps, 0);
            StateReader.Install(_m, m);
            StateReader.Install(_v, v);
            StateReader.Install(_vmax, vmax);
        };
    }

    /// <summary>
    /// One step of parameter <paramref name="index"/>: θ ← θ·(1 − η·<paramref name="decoupledDecay"/>) first (AdamW),
    /// then Adam with L2 decay <paramref name="l2Decay"/>.
    /// </summary>
    public void Update<T>(int index, Span<T> p, ReadOnlySpan<T> g, double lr, double beta1, double beta2, double eps,
        double l2Decay, double decoupledDecay, bool amsgrad) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int t = ++_steps[index];
        var m = State.Buffer<T>(_m, index, p.Length);
        var v = State.Buffer<T>(_v, index, p.Length);
        var vmax = amsgrad ? State.Buffer<T>(_vmax, index, p.Length) : default;
        if (t == 1)
        {
            m.Clear();
            v.Clear();
            vmax.Clear();
        }
        // PyTorch's scalars, in float64: step size η/(1 − β1ᵗ), and √(1 − β2ᵗ) divides √v before ε is added.
        double bc1 = 1 - Math.Pow(beta1, t), bc2 = 1 - Math.Pow(beta2, t);
        var rule = new Rule<T>(beta1, beta2, -(lr / bc1), Math.Sqrt(bc2), eps, l2Decay, 1 - lr * decoupledDecay, decoupledDecay != 0, amsgrad);
        UpdateKernel.Run(rule, p, g, m, v, vmax);
    }

    /// <summary>One Adam(W) step; <c>a</c> = m, <c>b</c> = v, <c>c</c> = vmax. Operations in <c>torch.optim.Adam(W)</c>'s order.</summary>
    private readonly struct Rule<T>(double beta1, double beta2, double minusStepSize, double bc2Sqrt, double eps, double l2,
        double decayFactor, bool decoupled, bool amsgrad) : IUpdateRule<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        private readonly T _b1 = State.Cast<T>(beta1), _oneMinusB1 = State.Cast<T>(1 - beta1), _b2 = State.Cast<T>(beta2),
            _oneMinusB2 = State.Cast<T>(1 - beta2), _minusStep = State.Cast<T>(minusStepSize), _bc2Sqrt = State.Cast<T>(bc2Sqrt),
            _eps = State.Cast<T>(eps), _l2 = State.Cast<T>(l2), _decayFactor = State.Cast<T>(decayFactor);
        private readonly bool _hasL2 = l2 != 0, _decoupled = decoupled, _amsgrad = amsgrad;

        public void Apply<L>(ref L p, L g, ref L m, ref L v, ref L vmax) where L : struct, ILane<L, T>
        {
            if (_decoupled) p = p * L.Of(_decayFactor);
            if (_hasL2) g = g + L.Of(_l2) * p;
            m = m * L.Of(_b1) + L.Of(_oneMinusB1) * g;
            v = v * L.Of(_b2) + L.Of(_oneMinusB2) * g * g;
            L root;
            if (_amsgrad)
            {
                vmax = L.Max(vmax, v);
                root = L.Sqrt(vmax);
            }
            else root = L.Sqrt(v);
            p = p + L.Of(_minusStep) * m / (root / L.Of(_bc2Sqrt) + L.Of(_eps));
        }
    }
}
