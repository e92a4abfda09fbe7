using AutoGrad;
using AutoGrad.Ops;

namespace AutoGrad.Tests;

public static partial class OpTable
{
    // Most lines square the result (or multiply by the input) so that the Hessian-vector check exercises the
    // backward of the backward; a movement op alone is linear and its Hessian is zero.

    private static Func<Rng, int[][]> Rank3 => r => [[1 + r.NextInt(4), 1 + r.NextInt(4), 1 + r.NextInt(4)]];
    private static Func<Rng, int[][]> NonScalar => r => [RandomShape.NonScalar(r)];

    /// <summary>Indices in [−size, size) derived from position, so that a line works for any shape; some repeat.</summary>
    private static int[] Spread(int count, int size, int salt) =>
        Enumerable.Range(0, count).Select(i => (i * 7 + salt) % size - (i % 3 == 0 ? size : 0)).ToArray();

    /// <summary>Two shapes equal except along axis 0, for concatenation.</summary>
    private static int[][] ConcatPair(Rng r)
    {
        var a = RandomShape.NonScalar(r);
        var b = (int[])a.Clone();
        b[0] = r.NextInt(4);
        return [a, b];
    }

    public static IEnumerable<OpCase> Movement =>
    [
        new("Permute", x => x[0].Permute(2, 0, 1).Square(), [2, 3, 4]) { RandomShapes = Rank3 },
        new("Permute/negative-axes", x => x[0].Permute(-1, 0, -2) * x[0].Permute(2, 0, 1), [2, 3, 4]),
        new("Permute/reverse-any-rank", x => x[0].Permute(Enumerable.Range(0, x[0].Rank).Reverse().ToArray()).Square(), [2, 3])
        { RandomShapes = One },
        new("Permute/0-d", x => x[0].Permute().Square(), [[]]),
        new("Transpose", x => x[0].Transpose(0, -1).Square(), [2, 3, 4]) { RandomShapes = Rank3 },
        new("Transpose/matrix", x => x[0].Transpose() * x[0].Transpose(), [3, 2]),
        new("Transpose/batched", x => x[0].Transpose().Square(), [2, 3, 4]) { RandomShapes = Rank3 },
        new("Unsqueeze", x => x[0].Unsqueeze(-1).Square(), [2, 3]) { RandomShapes = One },
        new("Unsqueeze/0-d", x => x[0].Unsqueeze(0).Square(), [[]]),
        new("Squeeze", x => x[0].Squeeze().Square(), [2, 1, 3, 1]) { RandomShapes = One },
        new("Squeeze/axis", x => x[0].Squeeze(-2) * x[0].Squeeze(1), [2, 1, 3]),
        new("Slice", x => x[0].Slice(1, 1, 4).Square(), [2, 5]),
        new("Slice/step", x => x[0].Slice(0, 1, int.MaxValue, 2).Square(), [7, 2]) { RandomShapes = NonScalar },
        new("Slice/negative-bounds", x => x[0].Slice(-1, -3, -1).Square(), [3, 4]) { RandomShapes = NonScalar },
        new("Slice/clamped", x => x[0].Slice(0, -100, 100, 3).Square(), [5]),
        new("SliceScatter", x => SliceScatterOp.I.Apply(x[0], SliceInfo.Range([4, 5], 1, 1, 2, 2)).Square(), [4, 2]),
        new("Select", x => x[0].Select(1, -1).Square(), [2, 3, 4]),
        new("Select/any-rank", x => x[0].Select(0, 0).Square(), [3]) { RandomShapes = NonScalar },
        new("Index", x => x[0][1].Square(), [3, 4]),
        new("Index/negative", x => x[0][-1] * x[0][0], [3, 4]) { RandomShapes = NonScalar },
        new("Index/leading", x => x[0][1, -2].Square(), [3, 4, 2]),
        new("Index/full", x => x[0][2, 1].Square(), [3, 2]),
        new("IndexSelect", x => x[0].IndexSelect(1, [2, 0, 2, -1, 2]).Square(), [2, 3, 2]),
        new("IndexSelect/any-shape", x => x[0].IndexSelect(0, Spread(5, x[0].Dim(0), 1)).Square(), [3, 2])
        { RandomShapes = NonScalar },
        new("IndexAdd", x => x[0].IndexAdd(0, [1, 1, -2], x[1]) * x[0], [2, 3], [3, 3]),
        new("IndexAdd/last-axis", x => x[0].IndexAdd(-1, [0, 2, 0, 0], x[1]).Square(), [2, 3], [2, 4]),
        new("Gather", x => x[0].Gather(1, [0, 2, 2, 1, -1, 1], [2, 3]).Square(), [2, 3]),
        new("Gather/smaller-index", x => x[0].Gather(0, [1, 0, 2, 2], [2, 2]).Square(), [3, 4]),
        new("Gather/any-shape", x => x[0].Gather(-1, Spread(x[0].Count, x[0].Dim(-1), 2), x[0].Shape).Square(), [3, 4])
        { RandomShapes = NonScalar },
        new("ScatterAdd", x => x[0].ScatterAdd(1, [0, 2, 2, -3], x[1]) * x[0], [2, 3], [2, 2]),
        new("ScatterAdd/any-shape", x => x[0].ScatterAdd(0, Spread(x[1].Count, x[0].Dim(0), 3), x[1]).Square(), [3, 2], [3, 2])
        { RandomShapes = r => Enumerable.Repeat(RandomShape.NonScalar(r), 2).ToArray() },
        new("Concat", x => Tensor.Concat([x[0], x[1], x[0]], 1).Square(), [2, 3], [2, 1]),
        new("Concat/negative-axis", x => Tensor.Concat([x[0], x[1]], -1) * Tensor.Concat([x[1], x[0]], -1), [2, 3, 2], [2, 3, 2]),
        new("Concat/random", x => Tensor.Concat([x[0], x[1]]).Square(), [2, 3], [1, 3]) { RandomShapes = ConcatPair },
        new("Concat/one", x => Tensor.Concat([x[0]]).Square(), [3]),
        new("Stack", x => Tensor.Stack([x[0], x[1]], 1).Square(), [2, 3], [2, 3]) { RandomShapes = r => Enumerable.Repeat(RandomShape.NonScalar(r), 2).ToArray() },
        new("Stack/any-rank", x => Tensor.Stack([x[0], x[1]], -1).Square(), [3], [3]) { RandomShapes = r => RandomShape.Same(r, 2) },
        new("Stack/0-d", x => Tensor.Stack([x[0], x[1], x[0]]).Square(), [], []),
        new("Stack/last-axis", x => Tensor.Stack([x[0], x[1]], -1) * Tensor.Stack([x[1], x[0]], -1), [2, 2], [2, 2]),
    ];
}
