using AutoGrad.Kernels;

namespace AutoGrad;

internal static partial class Compute
{
    /// <summary>g ⊙ f′ in one pass (a fused backward rule); g, x and y (the op's input and output) share one shape.</summary>
    public static Tensor Derivative<K>(Tensor g, Tensor x, Tensor y) where K : IDerivativeKernel
    {
        var d = Empty(g.Dims, g.DType);
        if (g.DType == DType.Float64) K.Run<double>(g.Span<double>(), x.Span<double>(), y.Span<double>(), d.Span<double>());
        else K.Run<float>(g.Span<float>(), x.Span<float>(), y.Span<float>(), d.Span<float>());
        return d;
    }
}
