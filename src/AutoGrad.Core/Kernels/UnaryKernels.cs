using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using TP = System.Numerics.Tensors.TensorPrimitives;

namespace AutoGrad.Kernels;

// Elementwise kernels, one struct each: spans in, spans out, no allocation.

/// <summary>−x</summary>
internal struct NegKernel : IUnaryKernel
{ public static void Run<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T> => TP.Negate(x, y); }

/// <summary>eˣ, through <see cref="VectorLoop.Exp{T}(Vector512{T})"/>, which is inlined where TensorPrimitives' is a call.</summary>
internal struct ExpKernel : IUnaryKernel, IVectorUnary
{
    public static void Run<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T> => VectorLoop.Map<ExpKernel, T>(x, y);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Apply<T>(Vector512<T> x) where T : unmanaged, IFloatingPointIeee754<T> => VectorLoop.Exp(x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Apply<T>(Vector256<T> x) where T : unmanaged, IFloatingPointIeee754<T> => VectorLoop.Exp(x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Apply<T>(T x) where T : unmanaged, IFloatingPointIeee754<T> => T.Exp(x);
}

/// <summary>ln x</summary>
internal struct LogKernel : IUnaryKernel
{ public static void Run<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T> => TP.Log(x, y); }

/// <summary>ln(1 + x), accurate for small x.</summary>
internal struct Log1pKernel : IUnaryKernel
{
    public static void Run<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < x.Length; i++) y[i] = Scalar.Log1p(x[i]);
    }
}

/// <summary>√x</summary>
internal struct SqrtKernel : IUnaryKernel
{ public static void Run<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T> => TP.Sqrt(x, y); }

/// <summary>|x|</summary>
internal struct AbsKernel : IUnaryKernel
{ public static void Run<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T> => TP.Abs(x, y); }

/// <summary>sign(x) ∈ {−1, 0, 1}; NaN stays NaN.</summary>
internal struct SignKernel : IUnaryKernel
{
    public static void Run<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < x.Length; i++)
        {
            T v = x[i];
            y[i] = T.IsNaN(v) ? v : v > T.Zero ? T.One : v < T.Zero ? -T.One : T.Zero;
        }
    }
}

/// <summary>sin x</summary>
internal struct SinKernel : IUnaryKernel
{ public static void Run<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T> => TP.Sin(x, y); }

/// <summary>cos x</summary>
internal struct CosKernel : IUnaryKernel
{ public static void Run<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T> => TP.Cos(x, y); }

/// <summary>tanh x, vectorised and within 2 ulps everywhere.</summary>
/// <remarks>
/// TensorPrimitives.Tanh goes through exp(−2|x|) − 1, which cancels near 0 (tanh(1e−20) comes out −0, tanh(1e−4)
/// thousands of ulps off). Here, as in Cephes, |x| &lt; 0.625 takes an odd rational (double) or polynomial (float)
/// in which x² only corrects a leading x, and larger |x| takes 1 − 2/(e^(2|x|) + 1), where the subtracted term is
/// at most 0.45 so that its rounding costs under an ulp of the result. Both are evaluated on |x| and the sign is
/// copied back, so tanh(−0) = −0 and tanh(±∞) = ±1 (e^(2|x|) overflows to ∞); NaN fails the |x| test and
/// propagates through the exponential.
/// </remarks>
internal struct TanhKernel : IUnaryKernel, IVectorUnary
{
    public static void Run<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T> => VectorLoop.Map<TanhKernel, T>(x, y);

    private const double Switch = 0.625;

    // Cephes tanh.c: tanh x = x + x·z·P(z)/Q(z), z = x², |x| < 0.625, relative error about 2e−16.
    private const double P0 = -9.64399179425052238628E-1, P1 = -9.92877231001918586564E1, P2 = -1.61468768441708447952E3;
    private const double Q0 = 1.12811678491632931402E2, Q1 = 2.23548839060100448583E3, Q2 = 4.84406305325125486048E3;

    // Cephes tanhf.c: tanh x = x + x·z·R(z), z = x², |x| < 0.625.
    private const float R0 = -5.70498872745E-3f, R1 = 2.06390887954E-2f, R2 = -5.37397155531E-2f, R3 = 1.33314422036E-1f, R4 = -3.33332819422E-1f;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]

    public static Vector512<T> Apply<T>(Vector512<T> x) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var a = Vector512.Abs(x);
        var z = a * a;
        Vector512<T> small;
        if (typeof(T) == typeof(double))
        {
            var zd = z.AsDouble();
            var p = Vector512.FusedMultiplyAdd(Vector512.FusedMultiplyAdd(Vector512.Create(P0), zd, Vector512.Create(P1)), zd, Vector512.Create(P2));
            var q = Vector512.FusedMultiplyAdd(Vector512.FusedMultiplyAdd(zd + Vector512.Create(Q0), zd, Vector512.Create(Q1)), zd, Vector512.Create(Q2));
            small = Vector512.FusedMultiplyAdd(a.AsDouble() * zd, p / q, a.AsDouble()).As<double, T>();
        }
        else
        {
            var zf = z.AsSingle();
            var r = Vector512.FusedMultiplyAdd(Vector512.Create(R0), zf, Vector512.Create(R1));
            r = Vector512.FusedMultiplyAdd(r, zf, Vector512.Create(R2));
            r = Vector512.FusedMultiplyAdd(r, zf, Vector512.Create(R3));
            r = Vector512.FusedMultiplyAdd(r, zf, Vector512.Create(R4));
            small = Vector512.FusedMultiplyAdd(a.AsSingle() * zf, r, a.AsSingle()).As<float, T>();
        }
        var one = Vector512<T>.One;
        var large = one - (one + one) / (VectorLoop.Exp(a + a) + one);
        var t = Vector512.ConditionalSelect(Vector512.LessThan(a, Vector512.Create(T.CreateTruncating(Switch))), small, large);
        // Copy the sign bit of x onto t.
        return Vector512.ConditionalSelect(Vector512.Create(-T.Zero), x, t);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]

    public static Vector256<T> Apply<T>(Vector256<T> x) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var a = Vector256.Abs(x);
        var z = a * a;
        Vector256<T> small;
        if (typeof(T) == typeof(double))
        {
            var zd = z.AsDouble();
            var p = Vector256.FusedMultiplyAdd(Vector256.FusedMultiplyAdd(Vector256.Create(P0), zd, Vector256.Create(P1)), zd, Vector256.Create(P2));
            var q = Vector256.FusedMultiplyAdd(Vector256.FusedMultiplyAdd(zd + Vector256.Create(Q0), zd, Vector256.Create(Q1)), zd, Vector256.Create(Q2));
            small = Vector256.FusedMultiplyAdd(a.AsDouble() * zd, p / q, a.AsDouble()).As<double, T>();
        }
        else
        {
            var zf = z.AsSingle();
            var r = Vector256.FusedMultiplyAdd(Vector256.Create(R0), zf, Vector256.Create(R1));
            r = Vector256.FusedMultiplyAdd(r, zf, Vector256.Create(R2));
            r = Vector256.FusedMultiplyAdd(r, zf, Vector256.Create(R3));
            r = Vector256.FusedMultiplyAdd(r, zf, Vector256.Create(R4));
            small = Vector256.FusedMultiplyAdd(a.AsSingle() * zf, r, a.AsSingle()).As<float, T>();
        }
        var one = Vector256<T>.One;
        var large = one - (one + one) / (VectorLoop.Exp(a + a) + one);
        var t = Vector256.ConditionalSelect(Vector256.LessThan(a, Vector256.Create(T.CreateTruncating(Switch))), small, large);
        return Vector256.ConditionalSelect(Vector256.Create(-T.Zero), x, t);
    }

    // Without vectors the library tanh is both accurate and as fast as anything written here.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Apply<T>(T x) where T : unmanaged, IFloatingPointIeee754<T> => T.Tanh(x);
}

/// <summary>1 / (1 + e⁻ˣ), split by sign so that neither branch overflows: e = e^(−|x|), y = (x ≥ 0 ? 1 : e) / (1 + e); NaN propagates through e.</summary>
internal struct SigmoidKernel : IUnaryKernel, IVectorUnary
{
    public static void Run<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T> => VectorLoop.Map<SigmoidKernel, T>(x, y);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Apply<T>(Vector512<T> x) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var one = Vector512<T>.One;
        var e = VectorLoop.Exp(-Vector512.Abs(x));
        return Vector512.ConditionalSelect(Vector512.GreaterThanOrEqual(x, Vector512<T>.Zero), one, e) / (one + e);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Apply<T>(Vector256<T> x) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var one = Vector256<T>.One;
        var e = VectorLoop.Exp(-Vector256.Abs(x));
        return Vector256.ConditionalSelect(Vector256.GreaterThanOrEqual(x, Vector256<T>.Zero), one, e) / (one + e);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Apply<T>(T x) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T e = T.Exp(-T.Abs(x));
        return (x >= T.Zero ? T.One : e) / (T.One + e);
    }
}

/// <summary>ln(1 + eˣ) as max(x, 0) + log1p(e^(−|x|)), which never overflows. y must not overlap x (it holds e^(−|x|) first).</summary>
internal struct SoftplusKernel : IUnaryKernel
{
    private const int Chunk = 256;

    public static void Run<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        TP.Abs(x, y);
        TP.Negate(y, y);
        TP.Exp(y, y);
        int i = 0;
        if (Vector512.IsHardwareAccelerated && Vector512<T>.IsSupported)
        {
            // log1p(e) for e = e^(−|x|) ∈ (0, 1] as ln(u)·e/(u − 1) with u = 1 + e (Goldberg), the logarithms
            // taken a chunk at a time into stack scratch.
            Span<T> logs = stackalloc T[Chunk];
            var one = Vector512<T>.One;
            for (; i <= x.Length - Chunk; i += Chunk)
            {
                var ys = y.Slice(i, Chunk);
                TP.Add(ys, T.One, logs);
                TP.Log(logs, logs);
                ref T xr = ref MemoryMarshal.GetReference(x.Slice(i, Chunk));
                ref T yr = ref MemoryMarshal.GetReference(ys);
                ref T lr = ref MemoryMarshal.GetReference(logs);
                for (int j = 0; j < Chunk; j += Vector512<T>.Count)
                {
                    var xv = Vector512.LoadUnsafe(ref xr, (nuint)j);
                    var e = Vector512.LoadUnsafe(ref yr, (nuint)j);
                    var u = one + e;
                    var l1p = Vector512.ConditionalSelect(Vector512.Equals(u, one), e, Vector512.LoadUnsafe(ref lr, (nuint)j) * (e / (u - one)));
                    var pos = Vector512.ConditionalSelect(Vector512.GreaterThan(xv, Vector512<T>.Zero), xv, Vector512<T>.Zero);
                    // NaN: e is NaN, so the sum is too.
                    (pos + l1p).StoreUnsafe(ref yr, (nuint)j);
                }
            }
        }
        for (; i < x.Length; i++)
        {
            T v = x[i];
            y[i] = (v > T.Zero ? v : T.Zero) + Scalar.Log1p(y[i]);
            if (T.IsNaN(v)) y[i] = v;
        }
    }
}

/// <summary>max(x, 0); NaN stays NaN.</summary>
internal struct ReluKernel : IUnaryKernel
{
    public static void Run<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < x.Length; i++) y[i] = x[i] > T.Zero ? x[i] : T.IsNaN(x[i]) ? x[i] : T.Zero;
    }
}

/// <summary>1 where x &gt; 0, else 0: the derivative of relu (relu′(0) = 0).</summary>
internal struct StepKernel : IUnaryKernel
{
    public static void Run<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < x.Length; i++) y[i] = x[i] > T.Zero ? T.One : T.Zero;
    }
}

/// <summary>Scalar helpers shared by kernels.</summary>
internal static class Scalar
{
    /// <summary>ln(1 + x) accurate near 0 (Goldberg's correction: u = 1 + x; ln(u)·(x/(u − 1))).</summary>
    public static T Log1p<T>(T x) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T u = T.One + x;
        if (u == T.One) return x;
        if (T.IsPositiveInfinity(u)) return u;
        // x/(u − 1) is within an ulp of 1; forming ln(u)·x first would overflow for x above about 1e306 (3e37 in float32).
        return T.Log(u) * (x / (u - T.One));
    }
}
