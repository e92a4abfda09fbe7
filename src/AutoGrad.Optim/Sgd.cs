using System.Numerics;

namespace AutoGrad.Optim;

/// <summary>
/// Hyperparameters of <see cref="Sgd"/>, with <c>torch.optim.SGD</c>'s defaults. The learning rate has no default
/// (it is required, as in PyTorch).
/// </summary>
public sealed record SgdOptions
{
    /// <summary>SGD options; every default is declared here.</summary>
    /// <param name="learningRate">η, the step size: positive and finite. Required.</param>
    /// <param name="momentum">μ in [0, 1); 0 (the default) disables momentum.</param>
    /// <param name="dampening">τ in [0, 1]: the momentum buffer adds (1 − τ)·g after its first step. Default 0.</param>
    /// <param name="weightDecay">λ ≥ 0, L2 regularisation folded into the gradient (g ← g + λθ). Default 0.</param>
    /// <param name="nesterov">Nesterov momentum (needs μ &gt; 0 and τ = 0). Default false.</param>
    public SgdOptions(double learningRate, double momentum = 0, double dampening = 0, double weightDecay = 0, bool nesterov = false)
    {
        LearningRate = learningRate;
        Momentum = momentum;
        Dampening = dampening;
        WeightDecay = weightDecay;
        Nesterov = nesterov;
    }

    /// <summary>η, the initial learning rate (schedules change <see cref="Optimizer.LearningRate"/> afterwards).</summary>
    public double LearningRate { get; init; }

    /// <summary>μ, the momentum factor in [0, 1). Default 0 (plain SGD).</summary>
    public double Momentum { get; init; }

    /// <summary>τ, the dampening of the gradient in the momentum buffer, in [0, 1]. Default 0.</summary>
    public double Dampening { get; init; }

    /// <summary>λ, the L2 weight decay (≥ 0). Default 0.</summary>
    public double WeightDecay { get; init; }

    /// <summary>Nesterov momentum. Default false.</summary>
    public bool Nesterov { get; init; }
}

/// <summary>
/// Stochastic gradient descent with momentum, dampening, Nesterov momentum and L2 weight decay, step for step as
/// <c>torch.optim.SGD</c> (which reproduces it to rounding in float64).
/// </summary>
/// <remarks>
/// <para>Per element, with g the gradient at the current θ:</para>
/// <code>
/// g ← g + λθ                                  if λ ≠ 0
/// b ← g                                       on the parameter's first step (a copy: no dampening)
/// b ← μ·b + (1 − τ)·g                         on later steps                      } if μ ≠ 0
/// g ← g + μ·b  (Nesterov),  otherwise g ← b                                      }
/// θ ← θ − η·g
/// </code>
/// <para>Momentum is Polyak's heavy ball (B. T. Polyak, "Some methods of speeding up the convergence of iteration
/// methods", USSR Comp. Math. and Math. Phys. 4(5), 1964); the Nesterov form follows I. Sutskever, J. Martens,
/// G. Dahl and G. Hinton, "On the importance of initialization and momentum in deep learning", ICML 2013, rewritten
/// so that the gradient is taken at the current parameters. Unlike the Sutskever et al. form
/// (v ← μv − η·g, θ ← θ + v), which most lecture notes use, the learning rate stays outside the buffer: both give
/// the same iterates for a constant η, but under a schedule a change of η scales the whole step at once here. The
/// first buffer is the gradient itself, not (1 − τ)·g and not a zero-initialised buffer updated once.</para>
/// <para>A NaN or infinite gradient propagates into θ and the buffer. Parameters whose gradient is null are skipped and
/// their buffer is left as it is.</para>
/// </remarks>
public sealed class Sgd : Optimizer
{
    private readonly Array?[] _buffers;
    private readonly int[] _steps;

    /// <summary>SGD on <paramref name="parameters"/> with the given hyperparameters.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A hyperparameter is outside its domain (the message names it and its value).</exception>
    /// <exception cref="ArgumentException">Nesterov momentum without momentum or with dampening, or bad parameters.</exception>
    public Sgd(IEnumerable<Tensor> parameters, SgdOptions options) : base(parameters, NotNull(options).LearningRate)
    {
        Hyper.UnitInterval(Name, "momentum", options.Momentum);
        if (!(options.Dampening >= 0 && options.Dampening <= 1))
            throw new ArgumentOutOfRangeException("dampening", FormattableString.Invariant($"{Name}: the dampening must be in [0, 1], got {options.Dampening}."));
        Hyper.NonNegative(Name, "weightDecay", options.WeightDecay);
        if (options.Nesterov && (options.Momentum <= 0 || options.Dampening != 0))
            throw new ArgumentException(
                FormattableString.Invariant($"{Name}: Nesterov momentum needs momentum > 0 and dampening 0, got momentum {options.Momentum} and dampening {options.Dampening}."), nameof(options));
        Options = options;
        _buffers = new Array?[Parameters.Count];
        _steps = new int[Parameters.Count];
    }

    /// <summary>Plain SGD (no momentum, no weight decay) on <paramref name="parameters"/> with step <paramref name="learningRate"/>.</summary>
    public Sgd(IEnumerable<Tensor> parameters, double learningRate) : this(parameters, new SgdOptions(learningRate)) { }

    /// <summary>The hyperparameters given at construction (<see cref="SgdOptions.LearningRate"/> is the initial learning rate).</summary>
    public SgdOptions Options { get; }

    /// <inheritdoc/>
    public override string Name => "SGD";

    /// <inheritdoc/>
    protected override void ResetState() => Array.Clear(_steps);

    private protected override void WriteState(StateWriter w)
    {
        w.Steps(_steps);
        w.Buffers("momentum_buffer", _buffers, _steps, Options.Momentum != 0);
    }

    private protected override Action ReadState(StateReader r)
    {
        var steps = r.Steps();
        var buffers = r.Buffers("momentum_buffer", steps, Options.Momentum != 0, "momentum ≠ 0");
        return () =>
        {
            steps.CopyTo(_steps, 0);
            StateReader.Install(_buffers, buffers);
        };
    }

    /// <inheritdoc/>
    protected override void Update<T>(int index, Span<T> p, ReadOnlySpan<T> g)
    {
        var o = Options;
        bool first = _steps[index]++ == 0;
        var buffer = o.Momentum != 0 ? State.Buffer<T>(_buffers, index, p.Length) : default;
        var rule = new Rule<T>(-LearningRate, o.WeightDecay, o.Momentum, 1 - o.Dampening, o.Nesterov, first);
        UpdateKernel.Run(rule, p, g, buffer, default, default);
    }

    private static SgdOptions NotNull(SgdOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options;
    }

    /// <summary>One SGD step; <c>a</c> is the momentum buffer. Operations in <c>torch.optim.SGD</c>'s order.</summary>
    private readonly struct Rule<T>(double minusLr, double decay, double momentum, double oneMinusDampening, bool nesterov, bool first)
        : IUpdateRule<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        private readonly T _minusLr = State.Cast<T>(minusLr), _decay = State.Cast<T>(decay), _mu = State.Cast<T>(momentum),
            _oneMinusTau = State.Cast<T>(oneMinusDampening);
        private readonly bool _hasDecay = decay != 0, _hasMomentum = momentum != 0, _nesterov = nesterov, _first = first;

        public void Apply<L>(ref L p, L g, ref L b, ref L unused1, ref L unused2) where L : struct, ILane<L, T>
        {
            if (_hasDecay) g = g + L.Of(_decay) * p;
            if (_hasMomentum)
            {
                b = _first ? g : b * L.Of(_mu) + L.Of(_oneMinusTau) * g;
                g = _nesterov ? g + L.Of(_mu) * b : b;
            }
            p = p + L.Of(_minusLr) * g;
        }
    }
}
