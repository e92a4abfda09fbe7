using AutoGrad;

namespace AutoGrad.Tests;

public static partial class OpTable
{
    private static Func<Rng, int[][]> One => r => [RandomShape.Any(r)];
    private static Func<Rng, int[][]> Two => r => RandomShape.BroadcastPair(r);

    public static IEnumerable<OpCase> Unary =>
    [
        new("Neg", x => -x[0], [3, 4]) { RandomShapes = One },
        new("Exp", x => x[0].Exp(), [3, 4]) { RandomShapes = One },
        new("Exp/0-d", x => x[0].Exp(), [[]]),
        new("Log", x => x[0].Log(), [5]) { Sample = Domain.Positive, RandomShapes = One },
        new("Log1p", x => x[0].Log1p(), [2, 3]) { Sample = Domain.Unit, RandomShapes = One },
        new("Sqrt", x => x[0].Sqrt(), [2, 3]) { Sample = Domain.Positive, RandomShapes = One },
        new("Abs", x => x[0].Abs(), [2, 3]) { Sample = Domain.AwayFromZero, RandomShapes = One },
        new("Sign", x => x[0].Sign() * x[0], [2, 3]) { Sample = Domain.AwayFromZero, RandomShapes = One },
        new("Sin", x => x[0].Sin(), [2, 3]) { RandomShapes = One },
        new("Cos", x => x[0].Cos(), [2, 3]) { RandomShapes = One },
        new("Tanh", x => x[0].Tanh(), [2, 3]) { RandomShapes = One },
        new("Sigmoid", x => x[0].Sigmoid(), [2, 3]) { RandomShapes = One },
        new("Sigmoid/large", x => (x[0] * 15.0).Sigmoid(), [6]),
        new("Relu", x => x[0].Relu(), [2, 3]) { Sample = Domain.AwayFromZero, RandomShapes = One },
        new("Softplus", x => x[0].Softplus(), [2, 3]) { RandomShapes = One },
        new("Softplus/large", x => (x[0] * 20.0).Softplus(), [6]),
        new("Pow/2", x => x[0].Pow(2), [4]) { RandomShapes = One },
        new("Pow/3", x => x[0].Pow(3), [2, 2]) { RandomShapes = One },
        new("Pow/-1.5", x => x[0].Pow(-1.5), [4]) { Sample = Domain.Positive, RandomShapes = One },
        new("Square", x => x[0].Square(), [3]) { RandomShapes = One },
        new("Clamp", x => x[0].Clamp(-0.5, 0.8), [3, 3]) { Sample = Domain.AwayFromZero, RandomShapes = One },
        new("Clone", x => x[0].Clone() * x[0], [3]) { RandomShapes = One },
        // A float32 round trip is linear, so a large step differentiates it exactly despite float32 rounding.
        new("To", x => x[0].To(DType.Float32).To(DType.Float64) * x[0], [3])
        { Options = new() { Step = 1e-2, RelTolerance = 1e-3, AbsTolerance = 1e-4 } },
    ];

    public static IEnumerable<OpCase> Binary =>
    [
        new("Add", x => x[0] + x[1], [3, 4], [3, 4]) { RandomShapes = Two },
        new("Add/broadcast", x => x[0] + x[1], [3, 4], [4]),
        new("Add/scalar", x => 2.5 + x[0] + 1.0, [3]),
        new("Affine/scale", x => 0.5 * (x[0] * -3.0), [2, 3]) { RandomShapes = r => [RandomShape.Any(r)] },
        new("Affine/shift", x => (x[0] - 0.25) + 1.5, [2, 3]) { RandomShapes = r => [RandomShape.Any(r)] },
        new("Affine/reflect", x => 2.0 - x[0] * x[0], [4]) { RandomShapes = r => [RandomShape.Any(r)] },
        new("Sub", x => x[0] - x[1], [2, 1, 3], [4, 1]) { RandomShapes = Two },
        new("Mul", x => x[0] * x[1], [2, 3], [2, 3]) { RandomShapes = Two },
        new("Mul/broadcast-both", x => x[0] * x[1], [2, 1, 3], [4, 1]),
        new("Mul/0-d", x => x[0] * x[1], [], [3, 2]),
        new("Div", x => x[0] / x[1], [2, 3], [3]) { Sample = Domain.Positive, RandomShapes = Two },
        new("Div/scalar-numerator", x => 1.0 / x[0], [4]) { Sample = Domain.Positive },
        new("PowTensor", x => x[0].Pow(x[1]), [2, 3], [3]) { Sample = Domain.Positive, RandomShapes = Two },
        new("Maximum", x => Tensor.Maximum(x[0], x[1]), [3, 4], [4]) { RandomShapes = Two },
        new("Minimum", x => Tensor.Minimum(x[0], x[1]), [3, 4], [3, 1]) { RandomShapes = Two },
        new("Where", x => Tensor.Where(x[0] > 0.0, x[0] * x[1], x[1].Exp()), [3, 4], [4]) { Sample = Domain.AwayFromZero, RandomShapes = Two },
    ];

    public static IEnumerable<OpCase> Reductions =>
    [
        new("Sum", x => x[0].Sum(), [3, 4]) { RandomShapes = One },
        new("Sum/axis", x => x[0].Sum(0) * x[0].Sum(-1, keepDims: true), [3, 4]),
        new("Sum/axes", x => x[0].Sum([0, 2]), [2, 3, 4]),
        new("Mean", x => x[0].Mean(1), [3, 4]),
        new("Prod", x => x[0].Prod(1), [3, 4]) { Sample = Domain.AwayFromZero },
        new("Prod/all", x => x[0].Prod(), [5]) { Sample = Domain.AwayFromZero, RandomShapes = One },
        new("Max", x => x[0].Max(), [3, 4]) { RandomShapes = One },
        new("Max/axis", x => x[0].Max(0, keepDims: true), [3, 4]),
        new("Min", x => x[0].Min(-1), [3, 4]),
        new("Var", x => x[0].Var(), [3, 4]),
        new("Var/axis", x => x[0].Var(1, correction: 0), [3, 4]),
        new("Std", x => x[0].Std(0), [3, 4]),
        new("LogSumExp", x => x[0].LogSumExp(), [3, 4]) { RandomShapes = One },
        new("LogSumExp/axis", x => x[0].LogSumExp(1), [3, 4]),
        new("LogSumExp/large", x => (x[0] * 300.0).LogSumExp(0), [4, 2]),
        new("Softmax", x => x[0].Softmax(), [3, 4]) { RandomShapes = r => [RandomShape.NonScalar(r)] },
        new("Softmax/axis0", x => x[0].Softmax(0), [3, 4]),
        new("LogSoftmax", x => x[0].LogSoftmax(), [3, 4]) { RandomShapes = r => [RandomShape.NonScalar(r)] },
        new("Reshape", x => x[0].Reshape(4, -1) * Tensor.Arange(3), [2, 6]),
        new("BroadcastTo", x => x[0].BroadcastTo(2, 3, 4) * x[0], [3, 1]),
        new("SumTo", x => x[0].SumTo(3, 1).Square(), [2, 3, 4]),
    ];
}
