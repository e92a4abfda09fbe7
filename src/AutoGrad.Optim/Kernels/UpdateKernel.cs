using System.Diagnostics;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace AutoGrad.Optim;

/// <summary>
/// A lane of an elementwise update: one element (<see cref="One{T}"/>) or one SIMD vector (<see cref="Many{T}"/>).
/// A rule written once against it runs vectorised over the body of a span and element by element over the tail,
/// with the same IEEE operations in the same order, so both paths give bit-identical results.
/// </summary>
internal interface ILane<TSelf, T>
    where TSelf : struct, ILane<TSelf, T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>The lane starting at element <paramref name="i"/>; the driver has checked the bounds.</summary>
    static abstract TSelf Load(ReadOnlySpan<T> s, int i);

    /// <summary>Writes the lane back at element <paramref name="i"/>.</summary>
    void Store(Span<T> s, int i);

    /// <summary><paramref name="x"/> in every element of the lane.</summary>
    static abstract TSelf Of(T x);

    /// <summary>a + b</summary>
    static abstract TSelf operator +(TSelf a, TSelf b);

    /// <summary>a − b</summary>
    static abstract TSelf operator -(TSelf a, TSelf b);

    /// <summary>a · b</summary>
    static abstract TSelf operator *(TSelf a, TSelf b);

    /// <summary>a / b</summary>
    static abstract TSelf operator /(TSelf a, TSelf b);

    /// <summary>√a, correctly rounded.</summary>
    static abstract TSelf Sqrt(TSelf a);

    /// <summary>max(a, b), NaN if either is NaN.</summary>
    static abstract TSelf Max(TSelf a, TSelf b);
}

/// <summary>One element as a lane.</summary>
internal readonly struct One<T>(T v) : ILane<One<T>, T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly T _v = v;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static One<T> Load(ReadOnlySpan<T> s, int i) => new(Unsafe.Add(ref MemoryMarshal.GetReference(s), i));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Store(Span<T> s, int i) => Unsafe.Add(ref MemoryMarshal.GetReference(s), i) = _v;

    public static One<T> Of(T x) => new(x);
    public static One<T> operator +(One<T> a, One<T> b) => new(a._v + b._v);
    public static One<T> operator -(One<T> a, One<T> b) => new(a._v - b._v);
    public static One<T> operator *(One<T> a, One<T> b) => new(a._v * b._v);
    public static One<T> operator /(One<T> a, One<T> b) => new(a._v / b._v);
    public static One<T> Sqrt(One<T> a) => new(T.Sqrt(a._v));
    public static One<T> Max(One<T> a, One<T> b) => new(T.Max(a._v, b._v));
}

/// <summary>One <see cref="Vector{T}"/> as a lane.</summary>
internal readonly struct Many<T>(Vector<T> v) : ILane<Many<T>, T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly Vector<T> _v = v;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Many<T> Load(ReadOnlySpan<T> s, int i) => new(Vector.LoadUnsafe(ref MemoryMarshal.GetReference(s), (nuint)i));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Store(Span<T> s, int i) => _v.StoreUnsafe(ref MemoryMarshal.GetReference(s), (nuint)i);

    public static Many<T> Of(T x) => new(new Vector<T>(x));
    public static Many<T> operator +(Many<T> a, Many<T> b) => new(a._v + b._v);
    public static Many<T> operator -(Many<T> a, Many<T> b) => new(a._v - b._v);
    public static Many<T> operator *(Many<T> a, Many<T> b) => new(a._v * b._v);
    public static Many<T> operator /(Many<T> a, Many<T> b) => new(a._v / b._v);
    public static Many<T> Sqrt(Many<T> a) => new(Vector.SquareRoot(a._v));
    public static Many<T> Max(Many<T> a, Many<T> b) => new(Vector.Max(a._v, b._v));
}

/// <summary>
/// An optimizer's update of one lane: the parameter <c>p</c> and up to three state buffers <c>a</c>, <c>b</c>,
/// <c>c</c> are updated in place from the gradient <c>g</c>. Unused buffers hold garbage and must be ignored.
/// </summary>
internal interface IUpdateRule<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Updates one lane.</summary>
    void Apply<L>(ref L p, L g, ref L a, ref L b, ref L c) where L : struct, ILane<L, T>;
}

/// <summary>The one loop driver for every elementwise update rule: SIMD lanes over the body, single elements over the tail.</summary>
internal static class UpdateKernel
{
    /// <summary>
    /// Runs <paramref name="rule"/> over every element of <paramref name="p"/>. <paramref name="g"/> has p's length;
    /// each state buffer has p's length or is empty (unused by the rule).
    /// </summary>
    public static unsafe void Run<TRule, T>(TRule rule, Span<T> p, ReadOnlySpan<T> g, Span<T> a, Span<T> b, Span<T> c)
        where TRule : struct, IUpdateRule<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int n = p.Length;
        if (g.Length != n || (!a.IsEmpty && a.Length != n) || (!b.IsEmpty && b.Length != n) || (!c.IsEmpty && c.Length != n))
            throw new UnreachableException("UpdateKernel: span lengths differ.");
        if (n < ParallelLength)
        {
            Serial(rule, p, g, a, b, c);
            return;
        }
        // Large parameters are split across the cores (no allocation: the spans' pinned addresses travel in an argument
        // block on this frame). Each element's arithmetic does not depend on the split: the result is bit-identical.
        fixed (T* pp = p, pg = g, pa = a, pb = b, pc = c)
        {
            var args = new Part<TRule> { Rule = rule, P = (nint)pp, G = (nint)pg, A = (nint)pa, B = (nint)pb, C = (nint)pc, Length = n,
                HasA = !a.IsEmpty, HasB = !b.IsEmpty, HasC = !c.IsEmpty };
            AutoGrad.Kernels.ElementwiseParallel.For(Parts, &RunPart<TRule, T>, (nint)Unsafe.AsPointer(ref args));
        }
    }

    /// <summary>Parameters with at least this many elements are updated on several threads.</summary>
    private const int ParallelLength = 1 << 15;

    /// <summary>The number of parts a large update is cut into (claimed by the caller and the workers).</summary>
    private static readonly int Parts = Math.Clamp(Environment.ProcessorCount, 1, 4) * 2;

    private struct Part<TRule>
    {
        public TRule Rule;
        public nint P, G, A, B, C;
        public int Length;
        public bool HasA, HasB, HasC;
    }

    private static unsafe void RunPart<TRule, T>(nint context, int part)
        where TRule : struct, IUpdateRule<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ref readonly Part<TRule> q = ref Unsafe.AsRef<Part<TRule>>((void*)context);
        // Part boundaries on multiples of 64 elements, so that vector lanes and cache lines stay whole.
        int lo = (int)((long)q.Length * part / Parts) & ~63, hi = part == Parts - 1 ? q.Length : (int)((long)q.Length * (part + 1) / Parts) & ~63;
        if (hi <= lo) return;
        int len = hi - lo;
        Serial(q.Rule, new Span<T>((T*)q.P + lo, len), new ReadOnlySpan<T>((T*)q.G + lo, len),
            q.HasA ? new Span<T>((T*)q.A + lo, len) : default, q.HasB ? new Span<T>((T*)q.B + lo, len) : default,
            q.HasC ? new Span<T>((T*)q.C + lo, len) : default);
    }

    private static void Serial<TRule, T>(TRule rule, Span<T> p, ReadOnlySpan<T> g, Span<T> a, Span<T> b, Span<T> c)
        where TRule : struct, IUpdateRule<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int n = p.Length;
        int i = 0;
        if (Vector.IsHardwareAccelerated && Vector<T>.IsSupported)
            for (int w = Vector<T>.Count; i <= n - w; i += w) Lane<Many<T>, TRule, T>(rule, p, g, a, b, c, i);
        for (; i < n; i++) Lane<One<T>, TRule, T>(rule, p, g, a, b, c, i);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Lane<L, TRule, T>(TRule rule, Span<T> p, ReadOnlySpan<T> g, Span<T> a, Span<T> b, Span<T> c, int i)
        where L : struct, ILane<L, T>
        where TRule : struct, IUpdateRule<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        L pv = L.Load(p, i);
        L av = a.IsEmpty ? default : L.Load(a, i);
        L bv = b.IsEmpty ? default : L.Load(b, i);
        L cv = c.IsEmpty ? default : L.Load(c, i);
        rule.Apply(ref pv, L.Load(g, i), ref av, ref bv, ref cv);
        pv.Store(p, i);
        if (!a.IsEmpty) av.Store(a, i);
        if (!b.IsEmpty) bv.Store(b, i);
        if (!c.IsEmpty) cv.Store(c, i);
    }
}

/// <summary>Per-parameter state buffers, allocated on a parameter's first step and kept (not freed) by a reset.</summary>
internal static class State
{
    /// <summary>Slot <paramref name="index"/>'s buffer of <paramref name="length"/> elements, allocated zeroed on first use.</summary>
    public static Span<T> Buffer<T>(Array?[] slots, int index, int length) where T : unmanaged
    {
        if (slots[index] is not T[] a) slots[index] = a = new T[length];
        return a;
    }

    /// <summary><paramref name="x"/> rounded to <typeparamref name="T"/> (the optimizers' scalars are computed in float64, as in PyTorch).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Cast<T>(double x) where T : unmanaged, IFloatingPointIeee754<T> => T.CreateTruncating(x);
}
