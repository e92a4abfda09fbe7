using System.Numerics;

namespace AutoGrad.Optim;

/// <summary>Hyperparameters of <see cref="Adagrad"/>, with <c>torch.optim.Adagrad</c>'s defaults.</summary>
public sealed record AdagradOptions
{
    /// <summary>The documented defaults.</summary>
    public static AdagradOptions Default { get; } = new();

    /// <summary>Adagrad options; every default is declared here.</summary>
    /// <param name="learningRate">η, positive and finite. Default 1e-2.</param>
    /// <param name="lrDecay">k ≥ 0: step t uses η / (1 + (t − 1)·k). Default 0.</param>
    /// <param name="weightDecay">λ ≥ 0, L2 regularisation folded into the gradient. Default 0.</param>
    /// <param name="initialAccumulatorValue">s₀ ≥ 0, the starting value of the sum of squared gradients. Default 0.</param>
    /// <param name="eps">ε &gt; 0, added to √s. Default 1e-10.</param>
    public AdagradOptions(double learningRate = 1e-2, double lrDecay = 0, double weightDecay = 0, double initialAccumulatorValue = 0, double eps = 1e-10)
    {
        LearningRate = learningRate;
        LrDecay = lrDecay;
        WeightDecay = weightDecay;
        InitialAccumulatorValue = initialAccumulatorValue;
        Eps = eps;
    }

    /// <summary>η, the initial learning rate. Default 1e-2.</summary>
    public double LearningRate { get; init; }

    /// <summary>k, the learning-rate decay: step t uses η / (1 + (t − 1)·k). Default 0.</summary>
    public double LrDecay { get; init; }

    /// <summary>λ, the L2 weight decay. Default 0.</summary>
    public double WeightDecay { get; init; }

    /// <summary>s₀, the initial sum of squared gradients. Default 0.</summary>
    public double InitialAccumulatorValue { get; init; }

    /// <summary>ε, added outside the square root. Default 1e-10.</summary>
    public double Eps { get; init; }
}

/// <summary>
/// Adagrad (J. Duchi, E. Hazan and Y. Singer, "Adaptive Subgradient Methods for Online Learning and Stochastic
/// Optimization", JMLR 12, 2011): each coordinate's step is divided by the root of its sum of squared gradients, step
/// for step as <c>torch.optim.Adagrad</c>.
/// </summary>
/// <remarks>
/// <para>Per element, with t the parameter's own step count from 1:</para>
/// <code>
/// g ← g + λθ                           if λ ≠ 0
/// ηₜ = η / (1 + (t − 1)·k)
/// s ← s + g²                           s starts at s₀
/// θ ← θ − ηₜ · g / (√s + ε)
/// </code>
/// <para>ε is outside the square root, as in PyTorch (lecture notes often write √(s + ε); the difference shows at 1e-10).
/// The effective step shrinks as squared gradients accumulate, which suits sparse gradients and stalls long runs.
/// A NaN gradient propagates into θ and s.</para>
/// </remarks>
public sealed class Adagrad : Optimizer
{
    private readonly Array?[] _sums;
    private readonly int[] _steps;

    /// <summary>Adagrad on <paramref name="parameters"/>; null options take <see cref="AdagradOptions.Default"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A hyperparameter is outside its domain (the message names it and its value).</exception>
    public Adagrad(IEnumerable<Tensor> parameters, AdagradOptions? options = null)
        : base(parameters, (options ?? AdagradOptions.Default).LearningRate)
    {
        var o = options ?? AdagradOptions.Default;
        Hyper.NonNegative(Name, "lrDecay", o.LrDecay);
        Hyper.NonNegative(Name, "weightDecay", o.WeightDecay);
        Hyper.NonNegative(Name, "initialAccumulatorValue", o.InitialAccumulatorValue);
        Hyper.Positive(Name, "eps", o.Eps);
        Options = o;
        _sums = new Array?[Parameters.Count];
        _steps = new int[Parameters.Count];
    }

    /// <summary>The hyperparameters given at construction (<see cref="AdagradOptions.LearningRate"/> is the initial learning rate).</summary>
    public AdagradOptions Options { get; }

    /// <inheritdoc/>
    protected override void ResetState() => Array.Clear(_steps);

    private protected override void WriteState(StateWriter w)
    {
        w.Steps(_steps);
        w.Buffers("sum", _sums, _steps, used: true);
    }

    private protected override Action ReadState(StateReader r)
    {
        var steps = r.Steps();
        var sums = r.Buffers("sum", steps, used: true, "always");
        return () =>
        {
            steps.CopyTo(_steps, 0);
            StateReader.Install(_sums, sums);
        };
    }

    /// <inheritdoc/>
    protected override void Update<T>(int index, Span<T> p, ReadOnlySpan<T> g)
    {
        var o = Options;
        int t = ++_steps[index];
        var s = State.Buffer<T>(_sums, index, p.Length);
        if (t == 1) s.Fill(State.Cast<T>(o.InitialAccumulatorValue));
        double clr = LearningRate / (1 + (t - 1) * o.LrDecay);
        UpdateKernel.Run(new Rule<T>(-clr, o.WeightDecay, o.Eps), p, g, s, default, default);
    }

    /// <summary>One Adagrad step; <c>a</c> is the sum of squared gradients. Operations in <c>torch.optim.Adagrad</c>'s order.</summary>
    private readonly struct Rule<T>(double minusClr, double decay, double eps) : IUpdateRule<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        private readonly T _minusClr = State.Cast<T>(minusClr), _decay = State.Cast<T>(decay), _eps = State.Cast<T>(eps);
        private readonly bool _hasDecay = decay != 0;

        public void Apply<L>(ref L p, L g, ref L s, ref L unused1, ref L unused2) where L : struct, ILane<L, T>
        {
            if (_hasDecay) g = g + L.Of(_decay) * p;
            s = s + g * g;
            p = p + L.Of(_minusClr) * g / (L.Sqrt(s) + L.Of(_eps));
        }
    }
}
