using System.Numerics;
using TP = System.Numerics.Tensors.TensorPrimitives;

namespace AutoGrad.Kernels;

/// <summary>Σ x</summary>
internal struct SumKernel : IReduceKernel
{
    public static T Identity<T>() where T : unmanaged, IFloatingPointIeee754<T> => T.Zero;
    public static T Fold<T>(T acc, ReadOnlySpan<T> x) where T : unmanaged, IFloatingPointIeee754<T> => acc + TP.Sum(x);
    public static void FoldInto<T>(Span<T> acc, ReadOnlySpan<T> x) where T : unmanaged, IFloatingPointIeee754<T> => TP.Add(acc, x, acc);
}

/// <summary>Π x</summary>
internal struct ProdKernel : IReduceKernel
{
    public static T Identity<T>() where T : unmanaged, IFloatingPointIeee754<T> => T.One;
    public static T Fold<T>(T acc, ReadOnlySpan<T> x) where T : unmanaged, IFloatingPointIeee754<T> => acc * TP.Product(x);
    public static void FoldInto<T>(Span<T> acc, ReadOnlySpan<T> x) where T : unmanaged, IFloatingPointIeee754<T> => TP.Multiply(acc, x, acc);
}

/// <summary>max x (NaN propagates; the identity is −∞).</summary>
internal struct MaxReduceKernel : IReduceKernel
{
    public static T Identity<T>() where T : unmanaged, IFloatingPointIeee754<T> => T.NegativeInfinity;
    public static T Fold<T>(T acc, ReadOnlySpan<T> x) where T : unmanaged, IFloatingPointIeee754<T> => T.Max(acc, TP.Max(x));
    public static void FoldInto<T>(Span<T> acc, ReadOnlySpan<T> x) where T : unmanaged, IFloatingPointIeee754<T> => TP.Max(acc, x, acc);
}

/// <summary>min x (NaN propagates; the identity is +∞).</summary>
internal struct MinReduceKernel : IReduceKernel
{
    public static T Identity<T>() where T : unmanaged, IFloatingPointIeee754<T> => T.PositiveInfinity;
    public static T Fold<T>(T acc, ReadOnlySpan<T> x) where T : unmanaged, IFloatingPointIeee754<T> => T.Min(acc, TP.Min(x));
    public static void FoldInto<T>(Span<T> acc, ReadOnlySpan<T> x) where T : unmanaged, IFloatingPointIeee754<T> => TP.Min(acc, x, acc);
}
