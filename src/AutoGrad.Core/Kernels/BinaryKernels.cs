using System.Numerics;
using TP = System.Numerics.Tensors.TensorPrimitives;

namespace AutoGrad.Kernels;

/// <summary>x + y</summary>
internal struct AddKernel : IBinaryKernel
{
    public static void VV<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TP.Add(x, y, d);
    public static void VS<T>(ReadOnlySpan<T> x, T y, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TP.Add(x, y, d);
    public static void SV<T>(T x, ReadOnlySpan<T> y, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TP.Add(y, x, d);
}

/// <summary>x − y</summary>
internal struct SubKernel : IBinaryKernel
{
    public static void VV<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TP.Subtract(x, y, d);
    public static void VS<T>(ReadOnlySpan<T> x, T y, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TP.Subtract(x, y, d);
    public static void SV<T>(T x, ReadOnlySpan<T> y, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TP.Subtract(x, y, d);
}

/// <summary>x · y</summary>
internal struct MulKernel : IBinaryKernel
{
    public static void VV<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TP.Multiply(x, y, d);
    public static void VS<T>(ReadOnlySpan<T> x, T y, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TP.Multiply(x, y, d);
    public static void SV<T>(T x, ReadOnlySpan<T> y, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TP.Multiply(y, x, d);
}

/// <summary>x / y</summary>
internal struct DivKernel : IBinaryKernel
{
    public static void VV<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TP.Divide(x, y, d);
    public static void VS<T>(ReadOnlySpan<T> x, T y, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TP.Divide(x, y, d);
    public static void SV<T>(T x, ReadOnlySpan<T> y, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TP.Divide(x, y, d);
}

/// <summary>xʸ</summary>
internal struct PowKernel : IBinaryKernel
{
    public static void VV<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TP.Pow(x, y, d);
    public static void VS<T>(ReadOnlySpan<T> x, T y, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T>
    {
        // Integer exponents are common (x², x³) and exact by repeated multiplication; Pow is not always.
        if (y == T.CreateTruncating(2)) { TP.Multiply(x, x, d); return; }
        if (y == T.One) { x.CopyTo(d); return; }
        if (y == T.Zero) { d.Fill(T.One); return; }
        TP.Pow(x, y, d);
    }
    public static void SV<T>(T x, ReadOnlySpan<T> y, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TP.Pow(x, y, d);
}

/// <summary>max(x, y); NaN if either is NaN.</summary>
internal struct MaxKernel : IBinaryKernel
{
    public static void VV<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TP.Max(x, y, d);
    public static void VS<T>(ReadOnlySpan<T> x, T y, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TP.Max(x, y, d);
    public static void SV<T>(T x, ReadOnlySpan<T> y, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TP.Max(y, x, d);
}

/// <summary>min(x, y); NaN if either is NaN.</summary>
internal struct MinKernel : IBinaryKernel
{
    public static void VV<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TP.Min(x, y, d);
    public static void VS<T>(ReadOnlySpan<T> x, T y, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TP.Min(x, y, d);
    public static void SV<T>(T x, ReadOnlySpan<T> y, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => TP.Min(y, x, d);
}

/// <summary>Comparisons giving 1 where the relation holds and 0 elsewhere (NaN compares false, except ≠).</summary>
internal interface IComparison
{
    static abstract bool Test<T>(T x, T y) where T : unmanaged, IFloatingPointIeee754<T>;
}

/// <summary>Drives an <see cref="IComparison"/> as a binary kernel producing 0/1.</summary>
internal struct CompareKernel<C> : IBinaryKernel where C : IComparison
{
    public static void VV<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T>
    { for (int i = 0; i < d.Length; i++) d[i] = C.Test(x[i], y[i]) ? T.One : T.Zero; }
    public static void VS<T>(ReadOnlySpan<T> x, T y, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T>
    { for (int i = 0; i < d.Length; i++) d[i] = C.Test(x[i], y) ? T.One : T.Zero; }
    public static void SV<T>(T x, ReadOnlySpan<T> y, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T>
    { for (int i = 0; i < d.Length; i++) d[i] = C.Test(x, y[i]) ? T.One : T.Zero; }
}

internal struct Gt : IComparison { public static bool Test<T>(T x, T y) where T : unmanaged, IFloatingPointIeee754<T> => x > y; }
internal struct Ge : IComparison { public static bool Test<T>(T x, T y) where T : unmanaged, IFloatingPointIeee754<T> => x >= y; }
internal struct Lt : IComparison { public static bool Test<T>(T x, T y) where T : unmanaged, IFloatingPointIeee754<T> => x < y; }
internal struct Le : IComparison { public static bool Test<T>(T x, T y) where T : unmanaged, IFloatingPointIeee754<T> => x <= y; }
internal struct Eq : IComparison { public static bool Test<T>(T x, T y) where T : unmanaged, IFloatingPointIeee754<T> => x == y; }
internal struct Ne : IComparison { public static bool Test<T>(T x, T y) where T : unmanaged, IFloatingPointIeee754<T> => x != y; }

/// <summary>where(mask ≠ 0, x, y) over three equal-length spans.</summary>
internal static class SelectKernel
{
    public static void Run<T>(ReadOnlySpan<T> mask, ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < d.Length; i++) d[i] = mask[i] != T.Zero ? x[i] : y[i];
    }
}
