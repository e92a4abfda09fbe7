using AutoGrad;

namespace AutoGrad.Tests;

// Losses are compositions; their lines check the composed gradients and Hessian-vector products. Labels and
// fixed targets are constants captured by the lambdas, built from the input's shape with a fixed seed, so a line
// is a pure function of its differentiable inputs (also on the random shapes of the property test).
public static partial class OpTable
{
    /// <summary>±(0.05 … 0.8) or ±(1.2 … 3): keeps a hinge margin y·s (y = ±1) and a Huber residual away from the seam at 1.</summary>
    private static double AwayFromOne(Rng r)
    {
        double m = r.NextDouble() < 0.5 ? 0.05 + 0.75 * r.NextDouble() : 1.2 + 1.8 * r.NextDouble();
        return r.NextDouble() < 0.5 ? -m : m;
    }

    /// <summary>Labels −1 or +1 of the given shape (roughly half each), from a fixed seed.</summary>
    private static Tensor PlusMinusOne(int[] shape)
    {
        var rng = new Rng(101);
        var t = Tensor.Zeros(shape);
        var v = new double[t.Count];
        for (int i = 0; i < v.Length; i++) v[i] = rng.NextDouble() < 0.5 ? -1.0 : 1.0;
        return Tensor.FromArray(v, [v.Length]).Reshape(shape);
    }

    /// <summary>A constant target of the given shape, from a fixed seed.</summary>
    private static Tensor FixedTarget(int[] shape) => Tensor.Randn(shape, 102);

    /// <summary>One class index in 0 … C − 1 per row of logits [N, C] (one for [C]), from a fixed seed.</summary>
    private static int[] ClassLabels(int[] logitsShape)
    {
        var rng = new Rng(103);
        int n = logitsShape.Length == 2 ? logitsShape[0] : 1, c = logitsShape[^1];
        return Enumerable.Range(0, n).Select(_ => rng.NextInt(c)).ToArray();
    }

    /// <summary>Logits [N, C] or [C] with 1 … 4 rows and 1 … 5 classes.</summary>
    private static int[] LogitsShape(Rng r) =>
        r.NextDouble() < 0.25 ? [1 + r.NextInt(5)] : [1 + r.NextInt(4), 1 + r.NextInt(5)];

    public static IEnumerable<OpCase> Losses =>
    [
        new("Mse", x => Loss.MeanSquaredError(x[0], x[1]), [4, 3], [4, 3]) { RandomShapes = r => RandomShape.Same(r, 2) },
        new("Mse/0-d", x => Loss.MeanSquaredError(x[0], x[1]), [], []),
        new("Mse/sum", x => Loss.MeanSquaredError(x[0], x[1], Reduction.Sum), [5], [5]),
        new("Mse/none", x => Loss.MeanSquaredError(x[0], x[1], Reduction.None), [2, 3], [2, 3]),

        // The residual is x itself: prediction T + x against target T, or target T − x against prediction T.
        new("Huber", x => Loss.Huber(FixedTarget(x[0].Shape) + x[0], FixedTarget(x[0].Shape)), [3, 4])
        { Sample = AwayFromOne, RandomShapes = One },
        new("Huber/target", x => Loss.Huber(FixedTarget(x[0].Shape), FixedTarget(x[0].Shape) - x[0]), [6]) { Sample = AwayFromOne },
        new("Huber/delta2-sum", x => Loss.Huber(2.0 * x[0], Tensor.ZerosLike(x[0]), delta: 2.0, reduction: Reduction.Sum), [2, 5])
        { Sample = AwayFromOne },
        new("Huber/none", x => Loss.Huber(x[0], Tensor.ZerosLike(x[0]), reduction: Reduction.None), [4]) { Sample = AwayFromOne },

        new("Hinge", x => Loss.Hinge(x[0], PlusMinusOne(x[0].Shape)), [8]) { Sample = AwayFromOne, RandomShapes = One },
        new("Hinge/l2", x => Loss.Hinge(x[0], PlusMinusOne(x[0].Shape), x[1], l2: 0.3), [6], [3])
        { Sample = AwayFromOne, RandomShapes = r => [RandomShape.Any(r), RandomShape.Any(r)] },
        new("Hinge/sum-2d", x => Loss.Hinge(x[0], PlusMinusOne(x[0].Shape), reduction: Reduction.Sum), [3, 4]) { Sample = AwayFromOne },
        new("Hinge/none", x => Loss.Hinge(x[0], PlusMinusOne(x[0].Shape), reduction: Reduction.None), [5]) { Sample = AwayFromOne },

        new("Logistic", x => Loss.Logistic(x[0], PlusMinusOne(x[0].Shape)), [8]) { RandomShapes = One },
        new("Logistic/l2", x => Loss.Logistic(x[0], PlusMinusOne(x[0].Shape), x[1], l2: 0.7), [6], [2, 2])
        { RandomShapes = r => [RandomShape.Any(r), RandomShape.Any(r)] },
        new("Logistic/large", x => Loss.Logistic(25.0 * x[0], PlusMinusOne(x[0].Shape), reduction: Reduction.Sum), [6]),
        new("Logistic/none", x => Loss.Logistic(x[0], PlusMinusOne(x[0].Shape), reduction: Reduction.None), [2, 3]),

        new("SoftmaxCrossEntropy", x => Loss.SoftmaxCrossEntropy(x[0], ClassLabels(x[0].Shape)), [4, 3])
        { RandomShapes = r => [LogitsShape(r)] },
        new("SoftmaxCrossEntropy/1-d", x => Loss.SoftmaxCrossEntropy(x[0], ClassLabels(x[0].Shape)), [5]),
        new("SoftmaxCrossEntropy/large", x => Loss.SoftmaxCrossEntropy(30.0 * x[0], ClassLabels(x[0].Shape), Reduction.Sum), [3, 4]),
        new("SoftmaxCrossEntropy/none", x => Loss.SoftmaxCrossEntropy(x[0], ClassLabels(x[0].Shape), Reduction.None), [3, 5]),
        // Soft targets are differentiable: softmax of the second input keeps them in [0, 1] with rows summing to 1.
        new("SoftmaxCrossEntropy/probabilities", x => Loss.SoftmaxCrossEntropy(x[0], x[1].Softmax(-1)), [3, 4], [3, 4])
        { RandomShapes = r => { var s = LogitsShape(r); return [s, s]; } },
        new("SoftmaxCrossEntropy/probabilities-none", x => Loss.SoftmaxCrossEntropy(x[0], x[1].Sigmoid() * 0.5, Reduction.None), [2, 3], [2, 3]),

        new("BinaryCrossEntropyWithLogits", x => Loss.BinaryCrossEntropyWithLogits(x[0], x[1].Sigmoid()), [3, 4], [3, 4])
        { RandomShapes = r => RandomShape.Same(r, 2) },
        new("BinaryCrossEntropyWithLogits/large", x => Loss.BinaryCrossEntropyWithLogits(25.0 * x[0], (PlusMinusOne(x[0].Shape) + 1.0) * 0.5, Reduction.Sum), [6]),
        new("BinaryCrossEntropyWithLogits/none", x => Loss.BinaryCrossEntropyWithLogits(x[0], x[1].Sigmoid(), Reduction.None), [4], [4]),
    ];
}
