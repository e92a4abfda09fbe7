using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using TP = System.Numerics.Tensors.TensorPrimitives;

namespace AutoGrad.Kernels;

// Fused backward kernels, one struct each: d = g·f′ in one pass over spans, no allocation, d may be g itself.
// The ones on hot paths are vector functions driven by VectorLoop; the rest combine TensorPrimitives calls,
// staging f′ through a stack chunk when g would otherwise be overwritten before it is read.

/// <summary>tanh′: d = g·(1 − y²) from the saved y = tanh x, with 1 − y² formed as (1 − y)(1 + y), which keeps its
/// relative accuracy as y nears ±1 where 1 − y·y would cancel.</summary>
internal struct TanhDerivativeKernel : IDerivativeKernel, IVectorBinary
{
    public static void Run<T>(ReadOnlySpan<T> g, ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> =>
        VectorLoop.Zip<TanhDerivativeKernel, T>(g, y, d);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]

    public static Vector512<T> Apply<T>(Vector512<T> g, Vector512<T> y) where T : unmanaged, IFloatingPointIeee754<T> =>
        g * ((Vector512<T>.One - y) * (Vector512<T>.One + y));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]

    public static Vector256<T> Apply<T>(Vector256<T> g, Vector256<T> y) where T : unmanaged, IFloatingPointIeee754<T> =>
        g * ((Vector256<T>.One - y) * (Vector256<T>.One + y));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]

    public static T Apply<T>(T g, T y) where T : unmanaged, IFloatingPointIeee754<T> => g * ((T.One - y) * (T.One + y));
}

/// <summary>
/// σ′: d = g·σ(x)σ(−x) = g·e/(1 + e)² with e = e^(−|x|), which is even in x and never overflows; NaN propagates
/// through e. The square is expanded to 1 + e(2 + e) so that only one rounding of a sum with 1 is magnified.
/// </summary>
internal struct SigmoidDerivativeKernel : IDerivativeKernel, IVectorBinary
{
    public static void Run<T>(ReadOnlySpan<T> g, ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> =>
        VectorLoop.Zip<SigmoidDerivativeKernel, T>(g, x, d);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]

    public static Vector512<T> Apply<T>(Vector512<T> g, Vector512<T> x) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var one = Vector512<T>.One;
        var e = VectorLoop.Exp(-Vector512.Abs(x));
        return g * (e / (one + e * (one + one + e)));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]

    public static Vector256<T> Apply<T>(Vector256<T> g, Vector256<T> x) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var one = Vector256<T>.One;
        var e = VectorLoop.Exp(-Vector256.Abs(x));
        return g * (e / (one + e * (one + one + e)));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]

    public static T Apply<T>(T g, T x) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T e = T.Exp(-T.Abs(x));
        return g * (e / (T.One + e * (T.One + T.One + e)));
    }
}

/// <summary>softplus′: d = g·σ(x), σ split by sign as (x ≥ 0 ? 1 : e)/(1 + e) with e = e^(−|x|) so that neither side overflows.</summary>
internal struct SoftplusDerivativeKernel : IDerivativeKernel, IVectorBinary
{
    public static void Run<T>(ReadOnlySpan<T> g, ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> =>
        VectorLoop.Zip<SoftplusDerivativeKernel, T>(g, x, d);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]

    public static Vector512<T> Apply<T>(Vector512<T> g, Vector512<T> x) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var one = Vector512<T>.One;
        var e = VectorLoop.Exp(-Vector512.Abs(x));
        // NaN: e is NaN, so the quotient is too.
        var num = Vector512.ConditionalSelect(Vector512.GreaterThanOrEqual(x, Vector512<T>.Zero), one, e);
        return g * (num / (one + e));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]

    public static Vector256<T> Apply<T>(Vector256<T> g, Vector256<T> x) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var one = Vector256<T>.One;
        var e = VectorLoop.Exp(-Vector256.Abs(x));
        var num = Vector256.ConditionalSelect(Vector256.GreaterThanOrEqual(x, Vector256<T>.Zero), one, e);
        return g * (num / (one + e));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]

    public static T Apply<T>(T g, T x) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T e = T.Exp(-T.Abs(x));
        return g * ((x >= T.Zero ? T.One : e) / (T.One + e));
    }
}

/// <summary>exp′: d = g·y from the saved y = eˣ.</summary>
internal struct ExpDerivativeKernel : IDerivativeKernel, IVectorBinary
{
    public static void Run<T>(ReadOnlySpan<T> g, ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> =>
        VectorLoop.Zip<ExpDerivativeKernel, T>(g, y, d);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]

    public static Vector512<T> Apply<T>(Vector512<T> g, Vector512<T> y) where T : unmanaged, IFloatingPointIeee754<T> => g * y;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]

    public static Vector256<T> Apply<T>(Vector256<T> g, Vector256<T> y) where T : unmanaged, IFloatingPointIeee754<T> => g * y;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]

    public static T Apply<T>(T g, T y) where T : unmanaged, IFloatingPointIeee754<T> => g * y;
}

/// <summary>relu′: d = g where x &gt; 0, else 0 (relu′(0) = 0, and a NaN input passes no gradient).</summary>
internal struct ReluDerivativeKernel : IDerivativeKernel, IVectorBinary
{
    public static void Run<T>(ReadOnlySpan<T> g, ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> =>
        VectorLoop.Zip<ReluDerivativeKernel, T>(g, x, d);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]

    public static Vector512<T> Apply<T>(Vector512<T> g, Vector512<T> x) where T : unmanaged, IFloatingPointIeee754<T> =>
        Vector512.ConditionalSelect(Vector512.GreaterThan(x, Vector512<T>.Zero), g, Vector512<T>.Zero);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]

    public static Vector256<T> Apply<T>(Vector256<T> g, Vector256<T> x) where T : unmanaged, IFloatingPointIeee754<T> =>
        Vector256.ConditionalSelect(Vector256.GreaterThan(x, Vector256<T>.Zero), g, Vector256<T>.Zero);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]

    public static T Apply<T>(T g, T x) where T : unmanaged, IFloatingPointIeee754<T> => x > T.Zero ? g : T.Zero;
}

/// <summary>|x|′: d = g·sign(x), 0 at x = 0; a NaN input gives NaN.</summary>
internal struct AbsDerivativeKernel : IDerivativeKernel, IVectorBinary
{
    public static void Run<T>(ReadOnlySpan<T> g, ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> =>
        VectorLoop.Zip<AbsDerivativeKernel, T>(g, x, d);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]

    public static Vector512<T> Apply<T>(Vector512<T> g, Vector512<T> x) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var z = Vector512<T>.Zero;
        var sign = Vector512.ConditionalSelect(Vector512.GreaterThan(x, z), Vector512<T>.One,
                   Vector512.ConditionalSelect(Vector512.LessThan(x, z), -Vector512<T>.One, z));
        // NaN compares false both ways; x + 0 carries it.
        return g * Vector512.ConditionalSelect(Vector512.Equals(x, x), sign, x);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]

    public static Vector256<T> Apply<T>(Vector256<T> g, Vector256<T> x) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var z = Vector256<T>.Zero;
        var sign = Vector256.ConditionalSelect(Vector256.GreaterThan(x, z), Vector256<T>.One,
                   Vector256.ConditionalSelect(Vector256.LessThan(x, z), -Vector256<T>.One, z));
        return g * Vector256.ConditionalSelect(Vector256.Equals(x, x), sign, x);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]

    public static T Apply<T>(T g, T x) where T : unmanaged, IFloatingPointIeee754<T> =>
        g * (T.IsNaN(x) ? x : x > T.Zero ? T.One : x < T.Zero ? -T.One : T.Zero);
}

/// <summary>neg′: d = −g.</summary>
internal struct NegDerivativeKernel : IDerivativeKernel
{
    public static void Run<T>(ReadOnlySpan<T> g, ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> =>
        TP.Negate(g, d);
}

/// <summary>ln′: d = g/x.</summary>
internal struct LogDerivativeKernel : IDerivativeKernel
{
    public static void Run<T>(ReadOnlySpan<T> g, ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> =>
        TP.Divide(g, x, d);
}

/// <summary>√′: d = g·0.5/y from the saved y = √x, as g/(y + y): y + y is exact (y ≤ √max never overflows), so the
/// quotient is rounded once, and g is not halved into the subnormals.</summary>
internal struct SqrtDerivativeKernel : IDerivativeKernel, IStagedFactor
{
    public static void Run<T>(ReadOnlySpan<T> g, ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> =>
        Staged.Run<SqrtDerivativeKernel, T>(g, y, d);

    /// <summary>Dividing: d = g/f.</summary>
    public static bool Divides => true;

    /// <summary>y + y into the scratch.</summary>
    public static void Factor<T>(ReadOnlySpan<T> y, Span<T> f) where T : unmanaged, IFloatingPointIeee754<T> => TP.Add(y, y, f);
}

/// <summary>sin′: d = g·cos x.</summary>
internal struct SinDerivativeKernel : IDerivativeKernel, IStagedFactor
{
    public static void Run<T>(ReadOnlySpan<T> g, ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> =>
        Staged.Run<SinDerivativeKernel, T>(g, x, d);

    /// <summary>Multiplying: d = g·f.</summary>
    public static bool Divides => false;

    /// <summary>cos x into the scratch.</summary>
    public static void Factor<T>(ReadOnlySpan<T> x, Span<T> f) where T : unmanaged, IFloatingPointIeee754<T> => TP.Cos(x, f);
}

/// <summary>cos′: d = −g·sin x (as g·(−sin x); negation is exact, so the order does not matter).</summary>
internal struct CosDerivativeKernel : IDerivativeKernel, IStagedFactor
{
    public static void Run<T>(ReadOnlySpan<T> g, ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> =>
        Staged.Run<CosDerivativeKernel, T>(g, x, d);

    /// <summary>Multiplying: d = g·f.</summary>
    public static bool Divides => false;

    /// <summary>−sin x into the scratch.</summary>
    public static void Factor<T>(ReadOnlySpan<T> x, Span<T> f) where T : unmanaged, IFloatingPointIeee754<T>
    {
        TP.Sin(x, f);
        TP.Negate(f, f);
    }
}

/// <summary>log1p′: d = g/(1 + x).</summary>
internal struct Log1pDerivativeKernel : IDerivativeKernel, IStagedFactor
{
    public static void Run<T>(ReadOnlySpan<T> g, ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> =>
        Staged.Run<Log1pDerivativeKernel, T>(g, x, d);

    /// <summary>Dividing: d = g/f.</summary>
    public static bool Divides => true;

    /// <summary>1 + x into the scratch.</summary>
    public static void Factor<T>(ReadOnlySpan<T> x, Span<T> f) where T : unmanaged, IFloatingPointIeee754<T> => TP.Add(x, T.One, f);
}

/// <summary>A derivative g·f or g/f whose factor f comes from TensorPrimitives calls over a span.</summary>
internal interface IStagedFactor
{
    /// <summary>Whether d = g/f rather than g·f.</summary>
    static abstract bool Divides { get; }

    /// <summary>f′(x) into f (same length).</summary>
    static abstract void Factor<T>(ReadOnlySpan<T> x, Span<T> f) where T : unmanaged, IFloatingPointIeee754<T>;
}

/// <summary>
/// d = g·f(u) or g/f(u) with f computed a stack chunk at a time, so that d may be g and nothing is allocated.
/// </summary>
internal static unsafe class Staged
{
    private const int Chunk = 256;

    /// <summary>d[i] = g[i]·F.Factor(u)[i] (or g[i]/F.Factor(u)[i]).</summary>
    public static void Run<F, T>(ReadOnlySpan<T> g, ReadOnlySpan<T> u, Span<T> d) where F : IStagedFactor where T : unmanaged, IFloatingPointIeee754<T>
    {
        int n = g.Length;
        if (u.Length != n) throw new ArgumentException("Operands differ in length.", nameof(u));
        if (d.Length < n) throw new ArgumentException("Destination is too short.", nameof(d));
        // TensorPrimitives treats the elements before the destination's first 64-byte boundary differently (in
        // its double transcendentals, in the last bit), so the scratch starts on a boundary: otherwise the result
        // would depend on the thread's stack and the parallel driver could not be bit-identical.
        Span<T> raw = stackalloc T[Chunk + 64 / Unsafe.SizeOf<T>()];
        int skew = (int)(((nuint)Unsafe.AsPointer(ref raw[0]) & 63) / (nuint)Unsafe.SizeOf<T>());
        Span<T> f = raw.Slice(skew == 0 ? 0 : 64 / Unsafe.SizeOf<T>() - skew, Chunk);
        for (int i = 0; i < n; i += Chunk)
        {
            int m = Math.Min(Chunk, n - i);
            F.Factor(u.Slice(i, m), f[..m]);
            if (F.Divides) TP.Divide(g.Slice(i, m), f[..m], d.Slice(i, m));
            else TP.Multiply(g.Slice(i, m), f[..m], d.Slice(i, m));
        }
    }
}
