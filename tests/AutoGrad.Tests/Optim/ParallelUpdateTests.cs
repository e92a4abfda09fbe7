using AutoGrad;
using AutoGrad.Optim;
using Xunit;

namespace AutoGrad.Tests.Optim;

/// <summary>Large parameters are updated on several threads; the result must be bit-identical to a serial update.</summary>
public class ParallelUpdateTests
{
    [Theory]
    [InlineData(DType.Float64)]
    [InlineData(DType.Float32)]
    public void A_large_parameter_steps_exactly_as_its_small_pieces(DType dtype)
    {
        const int n = 100_003, piece = 1_000; // above the split length, and pieces below it
        var big = Tensor.Randn([n], seed: 1, dtype).RequireGrad();
        var pieces = Enumerable.Range(0, (n + piece - 1) / piece)
            .Select(i => Tensor.FromArray(big.ToArray()[(i * piece)..Math.Min(n, (i + 1) * piece)]).To(dtype).RequireGrad()).ToArray();
        var adamBig = new Adam([big], new AdamOptions(learningRate: 1e-2, weightDecay: 1e-3));
        var adamPieces = new Adam(pieces, new AdamOptions(learningRate: 1e-2, weightDecay: 1e-3));
        for (int step = 0; step < 3; step++)
        {
            var g = Tensor.Randn([n], seed: 10 + step, dtype);
            big.Grad = g;
            for (int i = 0; i < pieces.Length; i++)
                pieces[i].Grad = Tensor.FromArray(g.ToArray()[(i * piece)..Math.Min(n, (i + 1) * piece)]).To(dtype);
            adamBig.Step();
            adamPieces.Step();
        }
        Assert.Equal(pieces.SelectMany(p => p.ToArray()).ToArray(), big.ToArray());
    }
}
