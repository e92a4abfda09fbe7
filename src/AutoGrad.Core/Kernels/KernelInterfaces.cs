using System.Numerics;

namespace AutoGrad.Kernels;

/// <summary>An elementwise kernel <c>y = f(x)</c> over spans of equal length.</summary>
internal interface IUnaryKernel
{
    static abstract void Run<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>;
}

/// <summary>An elementwise kernel <c>d = f(x, y)</c>, with the scalar-broadcast forms the broadcast driver needs.</summary>
internal interface IBinaryKernel
{
    static abstract void VV<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T>;
    static abstract void VS<T>(ReadOnlySpan<T> x, T y, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T>;
    static abstract void SV<T>(T x, ReadOnlySpan<T> y, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T>;
}

/// <summary>A reduction: its identity, a span folded into a scalar, and a span folded elementwise into another.</summary>
internal interface IReduceKernel
{
    static abstract T Identity<T>() where T : unmanaged, IFloatingPointIeee754<T>;
    static abstract T Fold<T>(T acc, ReadOnlySpan<T> x) where T : unmanaged, IFloatingPointIeee754<T>;
    static abstract void FoldInto<T>(Span<T> acc, ReadOnlySpan<T> x) where T : unmanaged, IFloatingPointIeee754<T>;
}

/// <summary>
/// A fused first-order backward kernel: the input gradient d from the upstream gradient g in one pass, given the
/// op's input x and its saved output y (a kernel reads only what its derivative needs; the other may be empty).
/// d may be the very span g (in place).
/// </summary>
internal interface IDerivativeKernel
{
    static abstract void Run<T>(ReadOnlySpan<T> g, ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T>;
}
