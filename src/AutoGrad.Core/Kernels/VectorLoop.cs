using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace AutoGrad.Kernels;

/// <summary>An elementwise function of one operand written once per vector width, for <see cref="VectorLoop"/>.</summary>
internal interface IVectorUnary
{
    /// <summary>The function on one 512-bit vector.</summary>
    static abstract Vector512<T> Apply<T>(Vector512<T> x) where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>The function on one 256-bit vector, for machines without AVX-512.</summary>
    static abstract Vector256<T> Apply<T>(Vector256<T> x) where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>The function on one scalar, for machines without 256-bit vectors.</summary>
    static abstract T Apply<T>(T x) where T : unmanaged, IFloatingPointIeee754<T>;
}

/// <summary>An elementwise function of two operands written once per vector width, for <see cref="VectorLoop"/>.</summary>
internal interface IVectorBinary
{
    /// <summary>The function on one pair of 512-bit vectors.</summary>
    static abstract Vector512<T> Apply<T>(Vector512<T> a, Vector512<T> b) where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>The function on one pair of 256-bit vectors, for machines without AVX-512.</summary>
    static abstract Vector256<T> Apply<T>(Vector256<T> a, Vector256<T> b) where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>The function on one pair of scalars, for machines without 256-bit vectors.</summary>
    static abstract T Apply<T>(T a, T b) where T : unmanaged, IFloatingPointIeee754<T>;
}

/// <summary>
/// Drives an <see cref="IVectorUnary"/> or <see cref="IVectorBinary"/> over spans at the widest accelerated width.
/// </summary>
/// <remarks>
/// The tail shorter than a vector is copied into a zero-padded vector and goes through the same vector code, so an
/// element's result never depends on its position in the span: splitting a span into chunks (the parallel driver)
/// gives bit-identical results, and the output may be the very same span as an input because each vector is
/// loaded before its store.
/// </remarks>
internal static class VectorLoop
{
    /// <summary>y[i] = F(x[i]) for i &lt; x.Length; y may be x itself.</summary>
    public static void Map<F, T>(ReadOnlySpan<T> x, Span<T> y) where F : IVectorUnary where T : unmanaged, IFloatingPointIeee754<T>
    {
        int n = x.Length;
        if (y.Length < n) throw new ArgumentException("Destination is too short.", nameof(y));
        ref T xr = ref MemoryMarshal.GetReference(x);
        ref T yr = ref MemoryMarshal.GetReference(y);
        int i = 0;
        if (Vector512.IsHardwareAccelerated && Vector512<T>.IsSupported)
        {
            for (; i <= n - Vector512<T>.Count; i += Vector512<T>.Count)
                F.Apply(Vector512.LoadUnsafe(ref xr, (nuint)i)).StoreUnsafe(ref yr, (nuint)i);
            if (i < n)
            {
                var t = Vector512<T>.Zero;
                Span<T> buf = MemoryMarshal.CreateSpan(ref Unsafe.As<Vector512<T>, T>(ref t), Vector512<T>.Count);
                x[i..].CopyTo(buf);
                F.Apply(t).StoreUnsafe(ref MemoryMarshal.GetReference(buf));
                buf[..(n - i)].CopyTo(y[i..]);
            }
        }
        else if (Vector256.IsHardwareAccelerated && Vector256<T>.IsSupported)
        {
            for (; i <= n - Vector256<T>.Count; i += Vector256<T>.Count)
                F.Apply(Vector256.LoadUnsafe(ref xr, (nuint)i)).StoreUnsafe(ref yr, (nuint)i);
            if (i < n)
            {
                var t = Vector256<T>.Zero;
                Span<T> buf = MemoryMarshal.CreateSpan(ref Unsafe.As<Vector256<T>, T>(ref t), Vector256<T>.Count);
                x[i..].CopyTo(buf);
                F.Apply(t).StoreUnsafe(ref MemoryMarshal.GetReference(buf));
                buf[..(n - i)].CopyTo(y[i..]);
            }
        }
        else
        {
            for (; i < n; i++) Unsafe.Add(ref yr, i) = F.Apply(Unsafe.Add(ref xr, i));
        }
    }

    /// <summary>d[i] = F(a[i], b[i]) for i &lt; a.Length; d may be a or b itself.</summary>
    public static void Zip<F, T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> d) where F : IVectorBinary where T : unmanaged, IFloatingPointIeee754<T>
    {
        int n = a.Length;
        if (b.Length != n) throw new ArgumentException("Operands differ in length.", nameof(b));
        if (d.Length < n) throw new ArgumentException("Destination is too short.", nameof(d));
        ref T ar = ref MemoryMarshal.GetReference(a);
        ref T br = ref MemoryMarshal.GetReference(b);
        ref T dr = ref MemoryMarshal.GetReference(d);
        int i = 0;
        if (Vector512.IsHardwareAccelerated && Vector512<T>.IsSupported)
        {
            for (; i <= n - Vector512<T>.Count; i += Vector512<T>.Count)
                F.Apply(Vector512.LoadUnsafe(ref ar, (nuint)i), Vector512.LoadUnsafe(ref br, (nuint)i)).StoreUnsafe(ref dr, (nuint)i);
            if (i < n)
            {
                Vector512<T> ta = Vector512<T>.Zero, tb = Vector512<T>.Zero;
                Span<T> bufA = MemoryMarshal.CreateSpan(ref Unsafe.As<Vector512<T>, T>(ref ta), Vector512<T>.Count);
                Span<T> bufB = MemoryMarshal.CreateSpan(ref Unsafe.As<Vector512<T>, T>(ref tb), Vector512<T>.Count);
                a[i..].CopyTo(bufA);
                b[i..].CopyTo(bufB);
                F.Apply(ta, tb).StoreUnsafe(ref MemoryMarshal.GetReference(bufA));
                bufA[..(n - i)].CopyTo(d[i..]);
            }
        }
        else if (Vector256.IsHardwareAccelerated && Vector256<T>.IsSupported)
        {
            for (; i <= n - Vector256<T>.Count; i += Vector256<T>.Count)
                F.Apply(Vector256.LoadUnsafe(ref ar, (nuint)i), Vector256.LoadUnsafe(ref br, (nuint)i)).StoreUnsafe(ref dr, (nuint)i);
            if (i < n)
            {
                Vector256<T> ta = Vector256<T>.Zero, tb = Vector256<T>.Zero;
                Span<T> bufA = MemoryMarshal.CreateSpan(ref Unsafe.As<Vector256<T>, T>(ref ta), Vector256<T>.Count);
                Span<T> bufB = MemoryMarshal.CreateSpan(ref Unsafe.As<Vector256<T>, T>(ref tb), Vector256<T>.Count);
                a[i..].CopyTo(bufA);
                b[i..].CopyTo(bufB);
                F.Apply(ta, tb).StoreUnsafe(ref MemoryMarshal.GetReference(bufA));
                bufA[..(n - i)].CopyTo(d[i..]);
            }
        }
        else
        {
            for (; i < n; i++) Unsafe.Add(ref dr, i) = F.Apply(Unsafe.Add(ref ar, i), Unsafe.Add(ref br, i));
        }
    }

    /// <summary>eˣ per lane for float or double, within about an ulp.</summary>
    /// <remarks>
    /// Written out here rather than calling Vector512.Exp because that call is not inlined, and a 512-bit vector
    /// passed to and returned from a call goes through the stack with only 16-byte alignment: when the frame
    /// lands so that the copies straddle cache lines (it depends on the thread's stack), every store-to-load
    /// forward fails and the kernel runs two to three times slower.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Exp<T>(Vector512<T> x) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(double)) return ExpDouble(x.AsDouble()).As<double, T>();
        return ExpSingle(x.AsSingle()).As<float, T>();
    }

    /// <summary>
    /// eˣ as 2ⁿ·e^r, n = round(x/ln 2), r = x − n·ln 2 (Cody–Waite, |r| ≤ ln 2/2), e^r by its Taylor polynomial to
    /// r¹³ (error under 2⁻⁵⁷); 2ⁿ is applied as two powers of two so that results in the subnormals and at the
    /// overflow edge come out right.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<double> ExpDouble(Vector512<double> x)
    {
        // Beyond these e^x is 0 or ∞ in double; clamping keeps n within the two-step scaling's reach. NaN passes.
        x = Vector512.Min(Vector512.Max(x, Vector512.Create(-746.0)), Vector512.Create(710.0));
        // Adding 1.5·2⁵² rounds x/ln 2 to an integer held in the low bits of the sum.
        var magic = Vector512.Create(6755399441055744.0);
        var t = Vector512.FusedMultiplyAdd(x, Vector512.Create(1.4426950408889634), magic);
        var nd = t - magic;
        var r = Vector512.FusedMultiplyAdd(nd, Vector512.Create(-6.93147180369123816490e-01), x);
        r = Vector512.FusedMultiplyAdd(nd, Vector512.Create(-1.90821492927058770002e-10), r);
        var p = Vector512.Create(1.0 / 6227020800);
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(1.0 / 479001600));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(1.0 / 39916800));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(1.0 / 3628800));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(1.0 / 362880));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(1.0 / 40320));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(1.0 / 5040));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(1.0 / 720));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(1.0 / 120));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(1.0 / 24));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(1.0 / 6));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(0.5));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512<double>.One);
        p = Vector512.FusedMultiplyAdd(p, r, Vector512<double>.One);
        // n from the low bits of t; 2ⁿ = 2^(n/2)·2^(n − n/2), each a biased exponent shifted into place.
        var n = t.AsInt64() - magic.AsInt64();
        var n1 = Vector512.ShiftRightArithmetic(n, 1);
        var bias = Vector512.Create(1023L);
        var s1 = Vector512.ShiftLeft(n1 + bias, 52).AsDouble();
        var s2 = Vector512.ShiftLeft(n - n1 + bias, 52).AsDouble();
        return p * s1 * s2;
    }

    /// <summary>
    /// The float version of <see cref="ExpDouble"/>: the same reduction with Cephes' split of ln 2 and the Taylor
    /// polynomial to r⁷ (truncation under 2⁻²⁷, well below the float rounding of the evaluation).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> ExpSingle(Vector512<float> x)
    {
        x = Vector512.Min(Vector512.Max(x, Vector512.Create(-104f)), Vector512.Create(89f));
        var magic = Vector512.Create(12582912f);
        var t = Vector512.FusedMultiplyAdd(x, Vector512.Create(1.44269504088896341f), magic);
        var nd = t - magic;
        var r = Vector512.FusedMultiplyAdd(nd, Vector512.Create(-0.693359375f), x);
        r = Vector512.FusedMultiplyAdd(nd, Vector512.Create(2.12194440e-4f), r);
        var p = Vector512.Create(1f / 5040);
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(1f / 720));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(1f / 120));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(1f / 24));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(1f / 6));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(0.5f));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512<float>.One);
        p = Vector512.FusedMultiplyAdd(p, r, Vector512<float>.One);
        var n = t.AsInt32() - magic.AsInt32();
        var n1 = Vector512.ShiftRightArithmetic(n, 1);
        var bias = Vector512.Create(127);
        var s1 = Vector512.ShiftLeft(n1 + bias, 23).AsSingle();
        var s2 = Vector512.ShiftLeft(n - n1 + bias, 23).AsSingle();
        return p * s1 * s2;
    }

    /// <summary>eˣ per lane for float or double (the runtime's vector exponential, within an ulp).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Exp<T>(Vector256<T> x) where T : unmanaged, IFloatingPointIeee754<T> =>
        typeof(T) == typeof(double) ? Vector256.Exp(x.AsDouble()).As<double, T>() : Vector256.Exp(x.AsSingle()).As<float, T>();
}
