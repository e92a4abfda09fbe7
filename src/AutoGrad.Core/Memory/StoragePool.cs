using System.Runtime.CompilerServices;

namespace AutoGrad.Memory;

/// <summary>
/// Storage arrays given back by ended <see cref="TensorScope"/>s, kept per thread by element type and exact length
/// for the next tensor of that size. A training loop asks for the same sizes every step, so after the first step
/// every result finds an array here; exact lengths waste nothing. Arrays come back holding old values: callers that
/// need zeros fill them (as <see cref="Tensor.Zeros(int[])"/> does).
/// </summary>
internal sealed class StoragePool
{
    /// <summary>Pooled bytes above which returned arrays are left to the garbage collector instead.</summary>
    public const long MaxBytes = 1L << 30;

    [ThreadStatic] private static StoragePool? _current;

    /// <summary>This thread's pool.</summary>
    public static StoragePool Current => _current ??= new StoragePool();

    /// <summary>Tests set it to fill every array handed out in a scope with NaN, so that a kernel that reads its output before writing it fails.</summary>
    internal static bool Poison;

    private readonly Dictionary<int, Stack<double[]>> _f64 = new();
    private readonly Dictionary<int, Stack<float[]>> _f32 = new();
    // Scalars (W4-style chains) skip the dictionary.
    private readonly Stack<double[]> _scalar64 = new();
    private long _bytes;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Array Rent(int n, DType dtype)
    {
        Array a = dtype == DType.Float64 ? Rent(n, _f64) : Rent(n, _f32);
        if (Poison)
        {
            if (a is double[] d) d.AsSpan().Fill(double.NaN);
            else ((float[])a).AsSpan().Fill(float.NaN);
        }
        return a;
    }

    private T[] Rent<T>(int n, Dictionary<int, Stack<T[]>> buckets) where T : unmanaged
    {
        if (n == 1 && typeof(T) == typeof(double))
        {
            if (_scalar64.TryPop(out var s)) { _bytes -= 8; return Unsafe.As<T[]>(s); }
            return new T[1];
        }
        if (buckets.TryGetValue(n, out var stack) && stack.TryPop(out var a))
        {
            _bytes -= (long)n * Unsafe.SizeOf<T>();
            return a;
        }
        // Not cleared: every caller writes all elements or asks for zeros.
        return n == 0 ? [] : GC.AllocateUninitializedArray<T>(n);
    }

    public void Return(Array a)
    {
        if (a.Length == 0) return;
        if (a is double[] d)
        {
            if (d.Length == 1) { if (_bytes < MaxBytes) { _scalar64.Push(d); _bytes += 8; } return; }
            Return(d, _f64);
        }
        else Return((float[])a, _f32);
    }

    private void Return<T>(T[] a, Dictionary<int, Stack<T[]>> buckets) where T : unmanaged
    {
        long size = (long)a.Length * Unsafe.SizeOf<T>();
        if (_bytes + size > MaxBytes) return;
        if (!buckets.TryGetValue(a.Length, out var stack)) buckets[a.Length] = stack = new Stack<T[]>();
        stack.Push(a);
        _bytes += size;
    }
}
