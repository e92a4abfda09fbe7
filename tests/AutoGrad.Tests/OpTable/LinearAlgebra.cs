using AutoGrad;

namespace AutoGrad.Tests;

public static partial class OpTable
{
    /// <summary>Two operands for MatMul: vector and matrix cases, and stacks whose batch dimensions broadcast.</summary>
    private static int[][] MatMulShapes(Rng r)
    {
        int m = 1 + r.NextInt(4), k = 1 + r.NextInt(4), n = 1 + r.NextInt(4);
        switch (r.NextInt(5))
        {
            case 0: return [[k], [k]];
            case 1: return [[m, k], [k]];
            case 2: return [[k], [k, n]];
            default:
                var a = RandomShape.Any(r, 2);
                var b = a.Skip(r.NextInt(a.Length + 1)).Select(d => r.NextDouble() < 0.4 ? 1 : d).ToArray();
                if (r.NextDouble() < 0.5) (a, b) = (b, a);
                return [[.. a, m, k], [.. b, k, n]];
        }
    }

    public static IEnumerable<OpCase> LinearAlgebra =>
    [
        new("MatMul", x => x[0].MatMul(x[1]), [3, 4], [4, 5]) { RandomShapes = MatMulShapes },
        new("MatMul/square", x => x[0].MatMul(x[0]), [3, 3]),
        new("MatMul/gram", x => x[0].MatMul(x[0].Transpose()), [3, 2]),
        new("MatMul/vector-vector", x => Tensor.MatMul(x[0], x[1]), [4], [4]),
        new("MatMul/matrix-vector", x => x[0].MatMul(x[1]), [3, 4], [4]),
        new("MatMul/vector-matrix", x => x[0].MatMul(x[1]), [4], [4, 5]),
        new("MatMul/batched", x => x[0].MatMul(x[1]), [2, 3, 4], [2, 4, 5]),
        new("MatMul/broadcast-batch", x => x[0].MatMul(x[1]), [2, 1, 3, 4], [3, 4, 2]),
        new("MatMul/matrix-batch", x => x[0].MatMul(x[1]), [3, 4], [2, 4, 2]),
        new("MatMul/batch-vector", x => x[0].MatMul(x[1]), [2, 3, 4], [4]),
        new("MatMul/vector-batch", x => x[0].MatMul(x[1]), [4], [2, 4, 3]),
        new("MatMul/chain", x => x[0].MatMul(x[1]).Tanh().MatMul(x[0]), [3, 3], [3, 3]),
        new("Dot", x => x[0].Dot(x[1]), [5], [5]) { RandomShapes = r => Enumerable.Repeat(new[] { 1 + r.NextInt(6) }, 2).ToArray() },
        new("Dot/self", x => Tensor.Dot(x[0], x[0]), [4]),
        new("Outer", x => x[0].Outer(x[1]), [3], [2]),
        new("Outer/self", x => Tensor.Outer(x[0], x[0]), [3]),
    ];
}
