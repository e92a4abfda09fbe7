using System.Numerics;

namespace AutoGrad.Optim;

/// <summary>Hyperparameters of <see cref="RmsProp"/>, with <c>torch.optim.RMSprop</c>'s defaults.</summary>
public sealed record RmsPropOptions
{
    /// <summary>The documented defaults.</summary>
    public static RmsPropOptions Default { get; } = new();

    /// <summary>RMSProp options; every default is declared here.</summary>
    /// <param name="learningRate">η, positive and finite. Default 1e-2.</param>
    /// <param name="alpha">α in [0, 1), the decay of the running mean of g². Default 0.99.</param>
    /// <param name="eps">ε &gt; 0. Default 1e-8.</param>
    /// <param name="weightDecay">λ ≥ 0, L2 regularisation folded into the gradient. Default 0.</param>
    /// <param name="momentum">μ in [0, 1); 0 disables the momentum buffer. Default 0.</param>
    /// <param name="centered">Divide by an estimate of the standard deviation, √(E[g²] − E[g]²), instead of the RMS. Default false.</param>
    /// <param name="epsInsideSqrt">Put ε inside the root, √(v + ε), as the CSC413 lecture and TensorFlow write it, instead of √v + ε. Default false (PyTorch).</param>
    public RmsPropOptions(double learningRate = 1e-2, double alpha = 0.99, double eps = 1e-8, double weightDecay = 0, double momentum = 0,
        bool centered = false, bool epsInsideSqrt = false)
    {
        LearningRate = learningRate;
        Alpha = alpha;
        Eps = eps;
        WeightDecay = weightDecay;
        Momentum = momentum;
        Centered = centered;
        EpsInsideSqrt = epsInsideSqrt;
    }

    /// <summary>η, the initial learning rate. Default 1e-2.</summary>
    public double LearningRate { get; init; }

    /// <summary>α, the smoothing constant of the running mean of g². Default 0.99.</summary>
    public double Alpha { get; init; }

    /// <summary>ε, added outside the root (inside it with <see cref="EpsInsideSqrt"/>). Default 1e-8.</summary>
    public double Eps { get; init; }

    /// <summary>λ, the L2 weight decay. Default 0.</summary>
    public double WeightDecay { get; init; }

    /// <summary>μ, the momentum factor. Default 0.</summary>
    public double Momentum { get; init; }

    /// <summary>The centred variant (Graves 2013). Default false.</summary>
    public bool Centered { get; init; }

    /// <summary>The lecture's √(v + ε) instead of PyTorch's √v + ε. Default false. Not PyTorch: trajectories differ from it by more than 1e-10.</summary>
    public bool EpsInsideSqrt { get; init; }
}

/// <summary>
/// RMSProp (T. Tieleman and G. Hinton, "Lecture 6.5 — RMSProp", COURSERA: Neural Networks for Machine Learning, 2012),
/// with the centred variant of A. Graves ("Generating Sequences With Recurrent Neural Networks", arXiv:1308.0850, 2013)
/// and an optional momentum buffer, step for step as <c>torch.optim.RMSprop</c>.
/// </summary>
/// <remarks>
/// <para>Per element:</para>
/// <code>
/// g ← g + λθ                                   if λ ≠ 0
/// v ← α·v + (1 − α)·g²                         v starts at 0
/// centred:  ḡ ← α·ḡ + (1 − α)·g;   d = √(v − ḡ²) + ε
/// else:     d = √v + ε
/// μ &gt; 0:    b ← μ·b + g / d;   θ ← θ − η·b       b starts at 0
/// else:     θ ← θ − η·g / d
/// </code>
/// <para><b>Difference from the lecture notes.</b> The CSC413 lecture (and TensorFlow) write the step as
/// η·g / √(v + ε), with ε inside the square root; PyTorch, and this class by default, add ε outside: √v + ε. The two
/// differ visibly (by far more than 1e-10 along a trajectory, and ε = 1e-8 inside the root acts like 1e-4 outside).
/// <see cref="RmsPropOptions.EpsInsideSqrt"/> selects the lecture's form explicitly; in the centred variant it gives
/// √(v − ḡ² + ε).</para>
/// <para>A NaN gradient propagates into θ and the running means. In the centred variant v − ḡ² estimates a variance; when
/// it is near 0 (a nearly constant gradient) rounding can make it negative, and its root is then NaN, as in PyTorch.</para>
/// </remarks>
public sealed class RmsProp : Optimizer
{
    private readonly Array?[] _squareAvg, _gradAvg, _buffers;
    private readonly int[] _steps;

    /// <summary>RMSProp on <paramref name="parameters"/>; null options take <see cref="RmsPropOptions.Default"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A hyperparameter is outside its domain (the message names it and its value).</exception>
    public RmsProp(IEnumerable<Tensor> parameters, RmsPropOptions? options = null)
        : base(parameters, (options ?? RmsPropOptions.Default).LearningRate)
    {
        var o = options ?? RmsPropOptions.Default;
        Hyper.UnitInterval(Name, "alpha", o.Alpha);
        Hyper.Positive(Name, "eps", o.Eps);
        Hyper.NonNegative(Name, "weightDecay", o.WeightDecay);
        Hyper.UnitInterval(Name, "momentum", o.Momentum);
        Options = o;
        _squareAvg = new Array?[Parameters.Count];
        _gradAvg = new Array?[Parameters.Count];
        _buffers = new Array?[Parameters.Count];
        _steps = new int[Parameters.Count];
    }

    /// <summary>The hyperparameters given at construction (<see cref="RmsPropOptions.LearningRate"/> is the initial learning rate).</summary>
    public RmsPropOptions Options { get; }

    /// <inheritdoc/>
    public override string Name => "RMSProp";

    /// <inheritdoc/>
    protected override void ResetState() => Array.Clear(_steps);

    private protected override void WriteState(StateWriter w)
    {
        w.Steps(_steps);
        w.Buffers("square_avg", _squareAvg, _steps, used: true);
        w.Buffers("grad_avg", _gradAvg, _steps, Options.Centered);
        w.Buffers("momentum_buffer", _buffers, _steps, Options.Momentum > 0);
    }

    private protected override Action ReadState(StateReader r)
    {
        var steps = r.Steps();
        var squareAvg = r.Buffers("square_avg", steps, used: true, "always");
        var gradAvg = r.Buffers("grad_avg", steps, Options.Centered, "centered");
        var buffers = r.Buffers("momentum_buffer", steps, Options.Momentum > 0, "momentum > 0");
        return () =>
        {
            steps.CopyTo(_steps, 0);
            StateReader.Install(_squareAvg, squareAvg);
            StateReader.Install(_gradAvg, gradAvg);
            StateReader.Install(_buffers, buffers);
        };
    }

    /// <inheritdoc/>
    protected override void Update<T>(int index, Span<T> p, ReadOnlySpan<T> g)
    {
        var o = Options;
        bool first = _steps[index]++ == 0;
        var v = State.Buffer<T>(_squareAvg, index, p.Length);
        var gbar = o.Centered ? State.Buffer<T>(_gradAvg, index, p.Length) : default;
        var b = o.Momentum > 0 ? State.Buffer<T>(_buffers, index, p.Length) : default;
        if (first)
        {
            v.Clear();
            gbar.Clear();
            b.Clear();
        }
        UpdateKernel.Run(new Rule<T>(o, -LearningRate), p, g, v, gbar, b);
    }

    /// <summary>One RMSProp step; <c>a</c> = v, <c>b</c> = ḡ, <c>c</c> = the momentum buffer. Operations in <c>torch.optim.RMSprop</c>'s order.</summary>
    private readonly struct Rule<T>(RmsPropOptions o, double minusLr) : IUpdateRule<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        private readonly T _alpha = State.Cast<T>(o.Alpha), _oneMinusAlpha = State.Cast<T>(1 - o.Alpha), _eps = State.Cast<T>(o.Eps),
            _decay = State.Cast<T>(o.WeightDecay), _mu = State.Cast<T>(o.Momentum), _minusLr = State.Cast<T>(minusLr);
        private readonly bool _hasDecay = o.WeightDecay != 0, _centered = o.Centered, _hasMomentum = o.Momentum > 0, _epsInside = o.EpsInsideSqrt;

        public void Apply<L>(ref L p, L g, ref L v, ref L gbar, ref L b) where L : struct, ILane<L, T>
        {
            if (_hasDecay) g = g + L.Of(_decay) * p;
            v = v * L.Of(_alpha) + L.Of(_oneMinusAlpha) * g * g;
            L d = v;
            if (_centered)
            {
                gbar = gbar * L.Of(_alpha) + L.Of(_oneMinusAlpha) * g;
                d = v - gbar * gbar;
            }
            d = _epsInside ? L.Sqrt(d + L.Of(_eps)) : L.Sqrt(d) + L.Of(_eps);
            if (_hasMomentum)
            {
                b = b * L.Of(_mu) + g / d;
                p = p + L.Of(_minusLr) * b;
            }
            else p = p + L.Of(_minusLr) * g / d;
        }
    }
}
