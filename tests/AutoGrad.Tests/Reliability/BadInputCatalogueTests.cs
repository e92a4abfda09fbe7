using System.Globalization;
using AutoGrad;
using AutoGrad.Optim;

namespace AutoGrad.Tests.Reliability;

/// <summary>
/// The catalogue of bad input, one test per kind: each asserts the exception type, that the message names the
/// operation and the offending values or shapes, and that nothing changed (the watched tensors keep their values,
/// gradients, graph links and RequiresGrad). Complements Tensors/BadInputTests.cs, which covers broadcasting, repeated
/// axes, FromArray and the simplest cases of several items here.
/// </summary>
/// <remarks>
/// Every refusal runs under a culture with a decimal comma and a Unicode minus sign: messages must format their
/// numbers with the invariant culture, so the fragments below ("-0.1", "[2, -1]") must appear verbatim.
/// </remarks>
public class BadInputCatalogueTests
{
    private static readonly CultureInfo Hostile = MakeHostileCulture();

    private static CultureInfo MakeHostileCulture()
    {
        var c = (CultureInfo)CultureInfo.InvariantCulture.Clone();
        c.NumberFormat.NumberDecimalSeparator = ",";
        c.NumberFormat.NumberGroupSeparator = ".";
        c.NumberFormat.NegativeSign = "\u2212";
        c.NumberFormat.NaNSymbol = "nicht-eine-Zahl";
        c.NumberFormat.PositiveInfinitySymbol = "unendlich";
        c.NumberFormat.NegativeInfinitySymbol = "-unendlich";
        return c;
    }

    /// <summary>What "nothing changed" compares: values, gradient, graph link and RequiresGrad of one tensor.</summary>
    private sealed record Snapshot(Tensor Tensor, double[] Values, double[]? Grad, object? GradFn, bool RequiresGrad)
    {
        public static Snapshot Of(Tensor t) => new(t, t.ToArray(), t.Grad?.ToArray(), t.GradFn, t.RequiresGrad);

        public void AssertUnchanged(int i)
        {
            Assert.True(Values.AsSpan().SequenceEqual(Tensor.ToArray()), $"watched tensor {i}: its values changed");
            Assert.True(Grad is null ? Tensor.Grad is null : Tensor.Grad is not null && Grad.AsSpan().SequenceEqual(Tensor.Grad.ToArray()),
                $"watched tensor {i}: its gradient changed");
            Assert.Same(GradFn, Tensor.GradFn);
            Assert.Equal(RequiresGrad, Tensor.RequiresGrad);
        }
    }

    /// <summary>
    /// Runs <paramref name="act"/> under the hostile culture, requires <typeparamref name="TException"/> (exactly) with
    /// every fragment in its message, and requires the watched tensors to be as they were.
    /// </summary>
    private static void Refused<TException>(Action act, Tensor[] watched, params string[] fragments) where TException : Exception
    {
        var before = watched.Select(Snapshot.Of).ToArray();
        var saved = CultureInfo.CurrentCulture;
        TException e;
        try
        {
            CultureInfo.CurrentCulture = Hostile;
            e = Assert.Throws<TException>(act);
        }
        finally { CultureInfo.CurrentCulture = saved; }
        foreach (var f in fragments)
            Assert.True(e.Message.Contains(f, StringComparison.Ordinal), $"the message \"{e.Message}\" does not mention \"{f}\"");
        for (int i = 0; i < before.Length; i++) before[i].AssertUnchanged(i);
    }

    /// <summary>A leaf that requires gradients and already has an accumulated gradient, so changes to either show.</summary>
    private static Tensor Leaf(params int[] shape)
    {
        var t = Tensor.Arange(Count(shape)).Reshape(shape).Detach().RequireGrad();
        t.Grad = Tensor.Full(shape, 0.5);
        return t;
    }

    private static int Count(int[] shape) => shape.Aggregate(1, (a, b) => a * b);

    /// <summary>A recorded (non-leaf) tensor: refusals must not add to its graph or release it.</summary>
    private static (Tensor Leaf, Tensor Mid) Recorded(params int[] shape)
    {
        var x = Leaf(shape);
        return (x, x * 2.0);
    }

    [Fact]
    public void Empty_tensors_are_refused_where_the_result_is_undefined()
    {
        var (x, mid) = Recorded(0, 3);
        Refused<ArgumentException>(() => mid.Max(), [x, mid], "Max", "empty", "[0, 3]");
        Refused<ArgumentException>(() => mid.Min(0), [x, mid], "Min", "empty", "[0, 3]");
        Refused<InvalidOperationException>(() => mid.Item(), [x, mid], "Item", "[0, 3]", "0 elements");
        Refused<ArgumentException>(() => mid.Softmax(0), [x, mid], "Softmax", "empty", "axis 0", "[0, 3]");
        Refused<ArgumentException>(() => mid.LogSoftmax(0), [x, mid], "LogSoftmax", "empty", "axis 0", "[0, 3]");
        Refused<ArgumentException>(() => Loss.SoftmaxCrossEntropy(mid, Array.Empty<int>()), [x, mid], "SoftmaxCrossEntropy", "[0, 3]");
        Refused<ArgumentException>(() => Loss.MeanSquaredError(mid, mid), [x, mid], "MeanSquaredError", "[0, 3]");
    }

    [Fact]
    public void Empty_tensors_are_accepted_where_the_result_is_defined()
    {
        var x = Tensor.Zeros(0, 3).RequireGrad();
        // Neutral elements: the empty sum is 0, the empty product 1, logsumexp of nothing −∞.
        Assert.Equal(0.0, x.Sum().Item());
        Assert.Equal(1.0, x.Prod().Item());
        Assert.Equal(double.NegativeInfinity, x.LogSumExp().Item());
        Assert.Equal([3], x.Sum(0).Shape);
        Assert.All(x.Sum(0).ToArray(), v => Assert.Equal(0.0, v));
        Assert.All(x.Prod(0).ToArray(), v => Assert.Equal(1.0, v));
        // Reducing the non-empty axis, or anything elementwise, keeps the tensor empty.
        Assert.Equal([0], x.Max(1).Shape);
        Assert.Equal([0], x.Softmax(1).Sum(1).Shape);
        Assert.Equal([0, 3], (x.Exp() * 2.0 + x.Sigmoid()).Shape);
        Assert.Equal([0, 3], (x + Tensor.Ones(3)).Shape);
        // A product with an empty contraction is all zeros.
        var m = Tensor.Ones(2, 0).MatMul(Tensor.Ones(0, 4));
        Assert.Equal([2, 4], m.Shape);
        Assert.All(m.ToArray(), v => Assert.Equal(0.0, v));
        // And backward through all of it gives an empty gradient of the input's shape.
        ((x.Exp() * 2.0).Sum() + x.Softmax(1).Sum() + x.LogSumExp(1).Sum()).Backward();
        Assert.NotNull(x.Grad);
        Assert.Equal([0, 3], x.Grad!.Shape);
        // Zero-size creation is allowed.
        Assert.Equal([0, 2], Tensor.Zeros(0, 2).Shape);
        Assert.Equal([3, 0], Tensor.Full([3, 0], 7.0).Shape);
        Assert.Equal([0], Tensor.Randn([0], 1).Shape);
        Assert.Equal([0, 0], Tensor.Eye(0).Shape);
    }

    [Fact]
    public void Float64_with_float32_is_refused_naming_both()
    {
        var (d, mid) = Recorded(2, 3);
        var f = Tensor.Ones([3, 2], DType.Float32).RequireGrad();
        Tensor[] w = [d, mid, f];
        Refused<ArgumentException>(() => mid.MatMul(f), w, "MatMul", "float64 [2, 3]", "float32 [3, 2]", "To(DType)");
        Refused<ArgumentException>(() => Tensor.Concat([mid, f.Reshape(2, 3)]), w, "Concat", "float64", "float32");
        Refused<ArgumentException>(() => Tensor.Stack([mid, f.Reshape(2, 3)]), w, "Stack", "float64", "float32");
        Refused<ArgumentException>(() => mid.IndexAdd(0, [1], f.Reshape(2, 3).Slice(0, 0, 1)), w, "IndexAdd", "float64", "float32");
        Refused<ArgumentException>(() => mid.ScatterAdd(0, [0, 1, 0, 1, 0, 1], f.Reshape(2, 3)), w, "ScatterAdd", "float64", "float32");
        Refused<ArgumentException>(() => Loss.MeanSquaredError(mid, f.Reshape(2, 3)), w, "MeanSquaredError", "float64", "float32");
        Refused<ArgumentException>(() => Loss.BinaryCrossEntropyWithLogits(mid, f.Reshape(2, 3).Sigmoid()), w, "BinaryCrossEntropyWithLogits", "float64", "float32");
        Refused<ArgumentException>(() => mid.Backward(Tensor.Ones([2, 3], DType.Float32)), w, "Backward", "float32", "float64");
        Refused<ArgumentException>(() => Diff.Hvp(t => t.Square().Sum(), d.Detach(), Tensor.Ones([2, 3], DType.Float32)), w, "Hvp", "float32", "float64");
        // The remedy the messages point to works.
        Assert.Equal([2, 2], mid.MatMul(f.To(DType.Float64)).Shape);
    }

    [Fact]
    public void Negative_dimensions_in_creation_are_refused_and_zero_is_allowed()
    {
        Refused<ArgumentException>(() => Tensor.Zeros([3, -1], DType.Float32), [], "Zeros", "-1", "[3, -1]");
        Refused<ArgumentException>(() => Tensor.Rand([-2], 0), [], "Rand", "-2", "[-2]");
        Refused<ArgumentException>(() => Tensor.Full([0, -7], 1.0), [], "Full", "-7", "[0, -7]");
        Refused<ArgumentException>(() => Tensor.Eye(-1), [], "Eye", "-1");
        Refused<ArgumentException>(() => Tensor.FromSpan(ReadOnlySpan<double>.Empty, 0, -1), [], "FromArray", "[0, -1]");
        Refused<ArgumentException>(() => Tensor.Linspace(0, 1, -4), [], "Linspace", "-4");
        // Dimensions whose product overflows: refused by name, not wrapped around to a small or zero size.
        Refused<ArgumentException>(() => Tensor.Zeros(65536, 65536, 65536, 65536), [], "Zeros", "[65536, 65536, 65536, 65536]", "too large");
        Refused<ArgumentException>(() => Tensor.Ones(1 << 16, 1 << 16), [], "Ones", "[65536, 65536]", "too large");
        Assert.Equal(0, Tensor.Zeros(65536, 65536, 0).Count);
    }

    [Fact]
    public void Axes_out_of_range_are_refused()
    {
        var (x, mid) = Recorded(2, 3);
        Tensor[] w = [x, mid];
        Refused<ArgumentOutOfRangeException>(() => mid.Sum(5), w, "Sum", "axis 5", "[2, 3]");
        Refused<ArgumentOutOfRangeException>(() => mid.Softmax(-4), w, "Softmax", "axis -4", "[2, 3]");
        Refused<ArgumentOutOfRangeException>(() => mid.LogSoftmax(3), w, "LogSoftmax", "axis 3", "[2, 3]");
        Refused<ArgumentOutOfRangeException>(() => mid.Prod(-3), w, "Prod", "axis -3", "[2, 3]");
        Refused<ArgumentOutOfRangeException>(() => mid.Unsqueeze(4), w, "Unsqueeze", "axis 4");
        Refused<ArgumentOutOfRangeException>(() => mid.Squeeze(2), w, "Squeeze", "axis 2", "[2, 3]");
        Refused<ArgumentOutOfRangeException>(() => mid.Transpose(0, 2), w, "Transpose", "axis 2", "[2, 3]");
        Refused<ArgumentOutOfRangeException>(() => mid.Select(-3, 0), w, "Select", "axis -3", "[2, 3]");
        Refused<ArgumentOutOfRangeException>(() => mid.Slice(2, 0, 1), w, "Slice", "axis 2", "[2, 3]");
        Refused<ArgumentOutOfRangeException>(() => Tensor.Concat([mid, mid], 2), w, "Concat", "axis 2", "[2, 3]");
        Refused<ArgumentOutOfRangeException>(() => mid.IndexSelect(-3, [0]), w, "IndexSelect", "axis -3", "[2, 3]");
        Refused<ArgumentOutOfRangeException>(() => mid.Gather(2, [0], [1, 1]), w, "Gather", "axis 2", "[2, 3]");
    }

    [Fact]
    public void Permute_with_a_bad_permutation_is_refused()
    {
        var (x, mid) = Recorded(2, 3, 4);
        Tensor[] w = [x, mid];
        Refused<ArgumentException>(() => mid.Permute(0, 1), w, "Permute", "[0, 1]", "[2, 3, 4]");
        Refused<ArgumentException>(() => mid.Permute(0, 1, 1), w, "Permute", "[0, 1, 1]", "[2, 3, 4]");
        Refused<ArgumentException>(() => mid.Permute(0, 1, 3), w, "Permute", "[0, 1, 3]", "[2, 3, 4]");
        Refused<ArgumentException>(() => mid.Permute(0, -4, 2), w, "Permute", "[0, -4, 2]", "[2, 3, 4]");
        Refused<ArgumentException>(() => mid.Permute(2, -1, 0), w, "Permute", "[2, -1, 0]", "[2, 3, 4]");
    }

    [Fact]
    public void Indices_out_of_range_are_refused()
    {
        var (x, mid) = Recorded(2, 3);
        Tensor[] w = [x, mid];
        Refused<ArgumentOutOfRangeException>(() => mid.IndexSelect(1, [0, 3]), w, "IndexSelect", "index 3", "axis 1", "[2, 3]");
        Refused<ArgumentOutOfRangeException>(() => mid.IndexSelect(0, [-3]), w, "IndexSelect", "index -3", "axis 0", "[2, 3]");
        Refused<ArgumentOutOfRangeException>(() => mid.Gather(1, [0, 1, 2, 3], [2, 2]), w, "Gather", "index 3", "[2, 3]");
        Refused<ArgumentOutOfRangeException>(() => mid.Gather(0, [int.MinValue], [1, 1]), w, "Gather", $"index {int.MinValue}", "[2, 3]");
        Refused<ArgumentOutOfRangeException>(() => mid.IndexAdd(0, [2], Tensor.Ones(1, 3)), w, "IndexAdd", "index 2", "[2, 3]");
        Refused<ArgumentOutOfRangeException>(() => mid.ScatterAdd(1, [0, 5, 0, 0, 0, 0], Tensor.Ones(2, 3)), w, "ScatterAdd", "index 5", "[2, 3]");
        Refused<ArgumentOutOfRangeException>(() => _ = mid[2], w, "Select", "index 2", "[2, 3]");
        Refused<ArgumentOutOfRangeException>(() => _ = mid[1, -4], w, "Index", "index -4", "[2, 3]");
        Refused<ArgumentException>(() => _ = mid[0, 0, 0], w, "Index", "3 indices", "[2, 3]");
        Refused<ArgumentOutOfRangeException>(() => mid.At(2, 0), w, "At", "index 2", "[2, 3]");
        Refused<ArgumentException>(() => mid.Slice(1, 0, 3, 0), w, "Slice", "step", "0", "[2, 3]");
        Refused<ArgumentOutOfRangeException>(() => Loss.SoftmaxCrossEntropy(mid, [0, 3]), w, "SoftmaxCrossEntropy", "labels[1] = 3", "[2, 3]");
        // Slice bounds beyond the axis follow Python's rules: clamped, not refused.
        Assert.Equal([2, 0], mid.Slice(1, 5, 9).Shape);
        Assert.Equal([2, 3], mid.Slice(1, -100, int.MaxValue).Shape);
    }

    [Fact]
    public void Non_positive_or_non_finite_learning_rates_are_refused_by_every_optimizer()
    {
        var p = Leaf(3);
        // The owner named in the message: the optimizer's Name, or the options record that validates the rate.
        (Func<double, Optimizer> Make, string Owner)[] make =
        [
            (lr => new GradientDescent([p], lr), "GradientDescent"),
            (lr => new Sgd([p], lr), "SGD"),
            (lr => new Sgd([p], new SgdOptions(lr, momentum: 0.9)), "SGD"),
            (lr => new Adam([p], new AdamOptions(learningRate: lr)), "Adam"),
            (lr => new AdamW([p], new AdamWOptions(learningRate: lr)), "AdamW"),
            (lr => new Adagrad([p], new AdagradOptions(learningRate: lr)), "Adagrad"),
            (lr => new RmsProp([p], new RmsPropOptions(learningRate: lr)), "RMSProp"),
            (lr => new Lbfgs([p], new LbfgsOptions { LearningRate = lr }), "Lbfgs"),
            (lr => new Newton([p], new NewtonOptions { LearningRate = lr }), "Newton"),
        ];
        foreach (var (m, owner) in make)
        {
            var name = m(0.1).Name;
            foreach (var (lr, text) in new[] { (0.0, "0"), (-0.1, "-0.1"), (double.NaN, "NaN"), (double.PositiveInfinity, "Infinity"), (double.NegativeInfinity, "-Infinity") })
            {
                Refused<ArgumentOutOfRangeException>(() => m(lr), [p], owner, "learning rate", $"got {text}.");
                // The setter refuses the same values and keeps the old rate.
                var o = m(0.1);
                Refused<ArgumentOutOfRangeException>(() => o.LearningRate = lr, [p], name, "learning rate", $"got {text}.");
                Assert.Equal(0.1, o.LearningRate);
            }
        }
    }

    [Fact]
    public void Non_finite_or_out_of_range_hyperparameters_are_refused_by_every_optimizer()
    {
        var p = Leaf(3);
        const double NaN = double.NaN, Inf = double.PositiveInfinity;
        (Action Make, string[] Fragments)[] cases =
        [
            (() => new Adam([p], new AdamOptions(beta1: NaN)), ["Adam", "beta1", "NaN"]),
            (() => new Adam([p], new AdamOptions(beta1: 1)), ["Adam", "beta1", "got 1."]),
            (() => new Adam([p], new AdamOptions(beta2: -0.5)), ["Adam", "beta2", "got -0.5."]),
            (() => new Adam([p], new AdamOptions(eps: 0)), ["Adam", "eps", "got 0."]),
            (() => new Adam([p], new AdamOptions(eps: Inf)), ["Adam", "eps", "Infinity"]),
            (() => new Adam([p], new AdamOptions(weightDecay: NaN)), ["Adam", "weightDecay", "NaN"]),
            (() => new Adam([p], new AdamOptions(weightDecay: -1e-3)), ["Adam", "weightDecay", "got -0.001."]),
            (() => new AdamW([p], new AdamWOptions(beta1: Inf)), ["AdamW", "beta1", "Infinity"]),
            (() => new AdamW([p], new AdamWOptions(beta2: NaN)), ["AdamW", "beta2", "NaN"]),
            (() => new AdamW([p], new AdamWOptions(eps: -1e-8)), ["AdamW", "eps", "got -1E-08."]),
            (() => new AdamW([p], new AdamWOptions(weightDecay: Inf)), ["AdamW", "weightDecay", "Infinity"]),
            (() => new Sgd([p], new SgdOptions(0.1, momentum: NaN)), ["SGD", "momentum", "NaN"]),
            (() => new Sgd([p], new SgdOptions(0.1, momentum: 1.5)), ["SGD", "momentum", "got 1.5."]),
            (() => new Sgd([p], new SgdOptions(0.1, momentum: 0.9, dampening: NaN)), ["SGD", "dampening", "NaN"]),
            (() => new Sgd([p], new SgdOptions(0.1, momentum: 0.9, dampening: -0.25)), ["SGD", "dampening", "got -0.25."]),
            (() => new Sgd([p], new SgdOptions(0.1, weightDecay: Inf)), ["SGD", "weightDecay", "Infinity"]),
            (() => new Adagrad([p], new AdagradOptions(lrDecay: NaN)), ["Adagrad", "lrDecay", "NaN"]),
            (() => new Adagrad([p], new AdagradOptions(weightDecay: -1)), ["Adagrad", "weightDecay", "got -1."]),
            (() => new Adagrad([p], new AdagradOptions(initialAccumulatorValue: Inf)), ["Adagrad", "initialAccumulatorValue", "Infinity"]),
            (() => new Adagrad([p], new AdagradOptions(eps: NaN)), ["Adagrad", "eps", "NaN"]),
            (() => new RmsProp([p], new RmsPropOptions(alpha: NaN)), ["RMSProp", "alpha", "NaN"]),
            (() => new RmsProp([p], new RmsPropOptions(eps: 0)), ["RMSProp", "eps", "got 0."]),
            (() => new RmsProp([p], new RmsPropOptions(momentum: -0.1)), ["RMSProp", "momentum", "got -0.1."]),
            (() => new RmsProp([p], new RmsPropOptions(weightDecay: NaN)), ["RMSProp", "weightDecay", "NaN"]),
            (() => new Lbfgs([p], new LbfgsOptions { HistorySize = 0 }), ["Lbfgs", "HistorySize", "got 0."]),
            (() => new Lbfgs([p], new LbfgsOptions { HistorySize = -5 }), ["Lbfgs", "HistorySize", "got -5."]),
            (() => new Lbfgs([p], new LbfgsOptions { GradientTolerance = NaN }), ["Lbfgs", "gradient tolerance", "NaN"]),
            (() => new Lbfgs([p], new LbfgsOptions { ChangeTolerance = -1 }), ["Lbfgs", "change tolerance", "got -1."]),
            (() => new Lbfgs([p], new LbfgsOptions { LineSearch = LbfgsLineSearch.StrongWolfe, SufficientDecrease = NaN }), ["Lbfgs", "NaN"]),
            (() => new Lbfgs([p], new LbfgsOptions { LineSearch = LbfgsLineSearch.StrongWolfe, CurvatureCondition = Inf }), ["Lbfgs", "Infinity"]),
            (() => new Newton([p], new NewtonOptions { Backtracking = NaN }), ["Newton", "backtracking", "NaN"]),
            (() => new Newton([p], new NewtonOptions { SufficientDecrease = 0.5 }), ["Newton", "sufficient-decrease", "got 0.5."]),
            (() => new NewtonCg([p], new NewtonCgOptions { InitialRadius = NaN }), ["NewtonCg", "initial radius", "NaN"]),
            (() => new NewtonCg([p], new NewtonCgOptions { MaxRadius = Inf }), ["NewtonCg", "maximum radius", "Infinity"]),
            (() => new NewtonCg([p], new NewtonCgOptions { AcceptanceRatio = NaN }), ["NewtonCg", "acceptance ratio", "NaN"]),
            (() => GradientClipping.ClipByNorm([p], NaN), ["ClipByNorm", "maxNorm", "NaN"]),
            (() => GradientClipping.ClipByValue([p], -1), ["ClipByValue", "clipValue", "got -1."]),
        ];
        foreach (var (make, fragments) in cases) Refused<ArgumentOutOfRangeException>(make, [p], fragments);
        // A combination that is invalid although each value is in range is an ArgumentException.
        Refused<ArgumentException>(() => new Sgd([p], new SgdOptions(0.1, momentum: 0.5, dampening: 0.5, nesterov: true)), [p],
            "SGD", "Nesterov", "momentum 0.5", "dampening 0.5");
    }

    [Fact]
    public void Non_positive_or_non_finite_schedule_factors_are_refused()
    {
        var p = Leaf(2);
        var opt = new Sgd([p], 0.1);
        const double NaN = double.NaN, Inf = double.PositiveInfinity;
        (Action Make, string[] Fragments)[] cases =
        [
            (() => _ = new ExponentialLR(opt, 0), ["ExponentialLR", "gamma", "got 0."]),
            (() => _ = new ExponentialLR(opt, NaN), ["ExponentialLR", "gamma", "NaN"]),
            (() => _ = new ExponentialLR(opt, Inf), ["ExponentialLR", "gamma", "Infinity"]),
            (() => _ = new StepLR(opt, 3, -0.5), ["StepLR", "gamma", "got -0.5."]),
            (() => _ = new StepLR(opt, 0), ["StepLR", "stepSize", "got 0."]),
            (() => _ = new PolynomialLR(opt, 5, NaN), ["PolynomialLR", "power", "NaN"]),
            (() => _ = new PolynomialLR(opt, -1), ["PolynomialLR", "totalIters", "got -1."]),
            (() => _ = new CosineAnnealingLR(opt, 10, -1e-3), ["CosineAnnealingLR", "etaMin", "got -0.001."]),
            (() => _ = new CosineAnnealingLR(opt, 10, Inf), ["CosineAnnealingLR", "etaMin", "Infinity"]),
            (() => _ = new InverseTimeLR(opt, NaN), ["InverseTimeLR", "decayRate", "NaN"]),
            (() => _ = new LinearLR(opt, startFactor: 0), ["LinearLR", "startFactor", "got 0."]),
            (() => _ = new LinearLR(opt, startFactor: NaN), ["LinearLR", "startFactor", "NaN"]),
            (() => _ = new LinearLR(opt, endFactor: 1.5), ["LinearLR", "endFactor", "got 1.5."]),
            (() => _ = new LinearLR(opt, totalIters: 0), ["LinearLR", "totalIters", "got 0."]),
        ];
        foreach (var (make, fragments) in cases)
        {
            Refused<ArgumentOutOfRangeException>(make, [p], fragments);
            // A refused schedule must not have touched the optimizer (LinearLR scales the rate when it is built).
            Assert.Equal(0.1, opt.LearningRate);
        }
    }

    [Fact]
    public void GradCheck_with_a_non_positive_or_non_finite_step_or_tolerance_is_refused()
    {
        var x = Leaf(3);
        Tensor F(Tensor t) => t.Square().Sum();
        foreach (var (o, fragments) in new (GradCheckOptions, string[])[]
        {
            (new() { Step = 0 }, ["GradCheck", "step", "got 0."]),
            (new() { Step = -1e-6 }, ["GradCheck", "step", "got -1E-06."]),
            (new() { Step = double.NaN }, ["GradCheck", "step", "NaN"]),
            (new() { Step = double.PositiveInfinity }, ["GradCheck", "step", "Infinity"]),
            (new() { AbsTolerance = -1 }, ["GradCheck", "atol -1"]),
            (new() { AbsTolerance = double.NaN }, ["GradCheck", "atol NaN"]),
            (new() { RelTolerance = double.PositiveInfinity }, ["GradCheck", "rtol Infinity"]),
            (new() { RelTolerance = double.NaN }, ["GradCheck", "rtol NaN"]),
        })
        {
            Refused<ArgumentOutOfRangeException>(() => GradCheck.Check(F, x, o), [x], fragments);
            Refused<ArgumentOutOfRangeException>(() => GradCheck.CheckHvp(F, x, o), [x], fragments);
        }
    }

    [Fact]
    public void An_optimizer_refuses_a_tensor_that_does_not_require_gradients()
    {
        var a = Leaf(2);
        var frozen = Tensor.Ones(3, 4);
        Refused<ArgumentException>(() => new Adam([a, frozen]), [a, frozen], "Adam", "parameter 1", "[3, 4]", "does not require gradients");
        Refused<ArgumentException>(() => new Lbfgs([frozen]), [frozen], "L-BFGS", "parameter 0", "[3, 4]", "does not require gradients");
        Refused<ArgumentException>(() => new Sgd([a, a.Detach()], 0.1), [a], "SGD", "parameter 1", "[2]", "does not require gradients");
    }

    [Fact]
    public void An_optimizer_refuses_the_same_tensor_twice()
    {
        var a = Leaf(2);
        var b = Leaf(2, 2);
        Refused<ArgumentException>(() => new Adam([a, b, a]), [a, b], "Adam", "parameter 2", "parameter 0", "same tensor");
        Refused<ArgumentException>(() => new RmsProp([b, b]), [b], "RMSProp", "parameter 1", "parameter 0", "same tensor");
        Refused<ArgumentException>(() => new Newton([a, a]), [a], "Newton", "parameter 1", "parameter 0", "same tensor");
    }

    [Fact]
    public void MatMul_with_mismatched_shapes_is_refused()
    {
        var (a, mid) = Recorded(2, 3);
        var b = Leaf(2, 4);
        Tensor[] w = [a, mid, b];
        Refused<ArgumentException>(() => mid.MatMul(b), w, "MatMul", "[2, 3]", "[2, 4]", "3", "2");
        Refused<ArgumentException>(() => mid.MatMul(Tensor.Ones(4)), w, "MatMul", "[2, 3]", "[4]");
        Refused<ArgumentException>(() => Tensor.Ones(5).MatMul(mid), w, "MatMul", "[5]", "[2, 3]");
        Refused<ArgumentException>(() => mid.MatMul(Tensor.Scalar(2)), w, "MatMul", "[2, 3]", "[]", "0-d");
        Refused<ArgumentException>(() => Tensor.Ones(2, 2, 3).MatMul(Tensor.Ones(3, 3, 4)), [], "MatMul", "[2, 2, 3]", "[3, 3, 4]");
        Refused<ArgumentException>(() => mid.Dot(Tensor.Ones(2)), w, "Dot", "[2, 3]", "[2]");
    }

    [Fact]
    public void Reshape_to_an_incompatible_size_is_refused_without_recording()
    {
        var (a, mid) = Recorded(2, 3);
        Tensor[] w = [a, mid];
        Refused<ArgumentException>(() => mid.Reshape(4, 2), w, "Reshape", "[4, 2]", "8", "[2, 3]");
        Refused<ArgumentException>(() => mid.View(5, -1), w, "Reshape", "[5, -1]", "[2, 3]");
        Refused<ArgumentException>(() => mid.Reshape(), w, "Reshape", "[]", "[2, 3]");
        Refused<ArgumentException>(() => mid.BroadcastTo(3, 3), w, "BroadcastTo", "[2, 3]", "[3, 3]");
        // The graph is intact: backward through the tensor that was refused still works.
        mid.Sum().Backward();
        Assert.All(a.Grad!.ToArray(), g => Assert.Equal(2.5, g));
    }

    [Fact]
    public void Backward_on_a_non_scalar_without_a_seed_is_refused_and_the_graph_survives()
    {
        var (a, mid) = Recorded(2, 3);
        Refused<InvalidOperationException>(() => mid.Backward(), [a, mid], "Backward", "[2, 3]", "seed");
        Refused<InvalidOperationException>(() => Diff.Grad(t => t * 3.0, a.Detach()), [a, mid], "Grad", "[2, 3]");
        // Nothing was released: a correct backward through the same graph works and accumulates once.
        mid.Backward(Tensor.Ones(2, 3));
        Assert.All(a.Grad!.ToArray(), g => Assert.Equal(2.5, g));
    }

    [Fact]
    public void Backward_with_a_seed_of_the_wrong_shape_is_refused_and_the_graph_survives()
    {
        var (a, mid) = Recorded(2, 3);
        Refused<ArgumentException>(() => mid.Backward(Tensor.Ones(3, 2)), [a, mid], "Backward", "[3, 2]", "[2, 3]");
        Refused<ArgumentException>(() => mid.Backward(Tensor.Ones(3)), [a, mid], "Backward", "[3]", "[2, 3]");
        Refused<ArgumentException>(() => mid.Sum().Backward(Tensor.Ones(1)), [a, mid], "Backward", "[1]", "[]");
        Refused<ArgumentException>(() => Diff.Vjp(t => t[0][0] * 2.0, [a.Detach()], Tensor.Ones(2)), [a, mid], "Vjp", "[2]", "[3]");
        mid.Backward(Tensor.Ones(2, 3));
        Assert.All(a.Grad!.ToArray(), g => Assert.Equal(2.5, g));
    }
}
