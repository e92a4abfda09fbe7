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

    /// <summary>eˣ per lane for float or double (the runtime's vector exponential, within an ulp).</summary>
    public static Vector512<T> Exp<T>(Vector512<T> x) where T : unmanaged, IFloatingPointIeee754<T> =>
        typeof(T) == typeof(double) ? Vector512.Exp(x.AsDouble()).As<double, T>() : Vector512.Exp(x.AsSingle()).As<float, T>();

    /// <summary>eˣ per lane for float or double (the runtime's vector exponential, within an ulp).</summary>
    public static Vector256<T> Exp<T>(Vector256<T> x) where T : unmanaged, IFloatingPointIeee754<T> =>
        typeof(T) == typeof(double) ? Vector256.Exp(x.AsDouble()).As<double, T>() : Vector256.Exp(x.AsSingle()).As<float, T>();
}
