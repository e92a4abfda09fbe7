using AutoGrad.Kernels;

namespace AutoGrad.Tests.Kernels;

/// <summary>
/// The parallel elementwise driver gives bit for bit what the kernel gives on one thread, at lengths around the
/// split threshold and from misaligned starts, in place for the derivatives, from two user threads at once, and
/// when a kernel calls back into it.
/// </summary>
/// <remarks>
/// Kernels built on TensorPrimitives' double sin, cos, exp or log are the exception: those treat the elements
/// before the first 64-byte boundary of the destination differently, so that even two single-threaded calls into
/// differently aligned outputs can differ in the last bits. For them (marked <c>lastBit</c>) two ulps are allowed.
/// </remarks>
public class ElementwiseParallelTests
{
    private static int Threshold => ElementwiseParallel.Threshold;

    /// <summary>Around the threshold, around chunk-grain multiples past it, and a few chunks' worth.</summary>
    private static IEnumerable<int> Lengths =>
        [Threshold - 1, Threshold, Threshold + 1, Threshold + 257, 2 * Threshold + 17];

    private static T[] Random<T>(int n, int seed, double lo, double hi) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        var r = new Rng(seed);
        var a = new T[n];
        for (int i = 0; i < n; i++) a[i] = T.CreateTruncating(lo + (hi - lo) * r.NextDouble());
        // A few special values in every run.
        if (n > 10) { a[1] = T.NaN; a[3] = T.Zero; a[5] = T.PositiveInfinity; a[n - 2] = T.NegativeInfinity; }
        return a;
    }

    private static void Same<T>(T[] expected, T[] actual, string what, bool lastBit = false) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            bool same = T.IsNaN(expected[i]) ? T.IsNaN(actual[i])
                : expected[i] == actual[i] ? T.IsNegative(expected[i]) == T.IsNegative(actual[i])
                : lastBit && T.IsFinite(expected[i]) && T.Abs(actual[i] - expected[i]) <= T.Abs(expected[i]) * T.CreateTruncating(typeof(T) == typeof(float) ? 2.4e-7 : 4.5e-16);
            Assert.True(same, $"{what}: element {i} of {expected.Length}: {actual[i]} ≠ {expected[i]}");
        }
    }

    private static void Unary<K, T>(int offset, bool lastBit = false) where K : IUnaryKernel where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        foreach (int n in Lengths)
        {
            var x = Random<T>(n + offset, n, -5, 5);
            var serial = new T[n];
            var parallel = new T[n];
            K.Run<T>(x.AsSpan(offset), serial);
            ElementwiseParallel.Unary<K, T>(x.AsSpan(offset), parallel);
            Same(serial, parallel, $"{typeof(K).Name}<{typeof(T).Name}> n={n} offset={offset}", lastBit);
        }
    }

    private static void Binary<K, T>(int offset) where K : IBinaryKernel where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        foreach (int n in Lengths)
        {
            var x = Random<T>(n + offset, n, -3, 3);
            var y = Random<T>(n, n + 1, 0.5, 2);
            T s = T.CreateTruncating(1.7);
            string what = $"{typeof(K).Name}<{typeof(T).Name}> n={n} offset={offset}";
            var serial = new T[n];
            var parallel = new T[n];
            K.VV<T>(x.AsSpan(offset), y, serial);
            ElementwiseParallel.VV<K, T>(x.AsSpan(offset), y, parallel);
            Same(serial, parallel, what + " VV");
            K.VS<T>(x.AsSpan(offset), s, serial);
            ElementwiseParallel.VS<K, T>(x.AsSpan(offset), s, parallel);
            Same(serial, parallel, what + " VS");
            K.SV<T>(s, x.AsSpan(offset), serial);
            ElementwiseParallel.SV<K, T>(s, x.AsSpan(offset), parallel);
            Same(serial, parallel, what + " SV");
        }
    }

    private static void Derivative<K, T>(int offset, bool usesX, bool usesY, bool lastBit = false) where K : IDerivativeKernel where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        foreach (int n in Lengths)
        {
            var g = Random<T>(n + offset, n, -2, 2);
            var x = Random<T>(n, n + 1, 0.1, 4);
            var y = Random<T>(n, n + 2, 0.1, 0.9);
            ReadOnlySpan<T> xs = usesX ? x : [], ys = usesY ? y : [];
            var serial = new T[n];
            var parallel = new T[n];
            K.Run<T>(g.AsSpan(offset), xs, ys, serial);
            ElementwiseParallel.Derivative<K, T>(g.AsSpan(offset), xs, ys, parallel);
            string what = $"{typeof(K).Name}<{typeof(T).Name}> n={n} offset={offset}";
            Same(serial, parallel, what, lastBit);
            // In place: d is g itself.
            ElementwiseParallel.Derivative<K, T>(g.AsSpan(offset), xs, ys, g.AsSpan(offset));
            Same(serial, g[offset..], what + " in place", lastBit);
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    public void Unary_kernels_split_bit_identically(int offset)
    {
        Unary<TanhKernel, float>(offset); Unary<TanhKernel, double>(offset);
        Unary<SigmoidKernel, float>(offset); Unary<SigmoidKernel, double>(offset);
        Unary<SoftplusKernel, float>(offset); Unary<SoftplusKernel, double>(offset, lastBit: true);
        Unary<ExpKernel, float>(offset); Unary<ExpKernel, double>(offset);
        Unary<SinKernel, float>(offset); Unary<SinKernel, double>(offset, lastBit: true); Unary<Log1pKernel, double>(offset);
        Unary<ReluKernel, float>(offset);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void Binary_kernels_split_bit_identically(int offset)
    {
        Binary<AddKernel, float>(offset); Binary<MulKernel, double>(offset);
        Binary<DivKernel, float>(offset); Binary<PowKernel, double>(offset); Binary<PowKernel, float>(offset);
        Binary<MaxKernel, float>(offset);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void Derivative_kernels_split_bit_identically_and_in_place(int offset)
    {
        Derivative<TanhDerivativeKernel, float>(offset, false, true); Derivative<TanhDerivativeKernel, double>(offset, false, true);
        Derivative<SigmoidDerivativeKernel, float>(offset, true, false); Derivative<SigmoidDerivativeKernel, double>(offset, true, false);
        Derivative<SoftplusDerivativeKernel, float>(offset, true, false);
        Derivative<ExpDerivativeKernel, float>(offset, false, true);
        Derivative<ReluDerivativeKernel, double>(offset, true, false);
        Derivative<AbsDerivativeKernel, float>(offset, true, false);
        // TensorPrimitives' sin, cos and log treat the elements before a 64-byte boundary of their (stack) buffer
        // differently, and stack alignment varies from call to call: these may differ in the last bit.
        Derivative<SinDerivativeKernel, float>(offset, true, false, lastBit: true); Derivative<CosDerivativeKernel, double>(offset, true, false, lastBit: true);
        Derivative<LogDerivativeKernel, float>(offset, true, false, lastBit: true);
        Derivative<SqrtDerivativeKernel, float>(offset, false, true);
        Derivative<Log1pDerivativeKernel, double>(offset, true, false, lastBit: true);
        Derivative<NegDerivativeKernel, float>(offset, false, false);
    }

    [Fact]
    public void Two_threads_at_once_each_get_their_own_result()
    {
        int n = 4 * Threshold + 33;
        var inputs = Enumerable.Range(0, 2).Select(t => Random<float>(n, 100 + t, -4, 4)).ToArray();
        var expected = inputs.Select(x => { var y = new float[n]; TanhKernel.Run<float>(x, y); return y; }).ToArray();
        using var start = new Barrier(2);
        var failures = new string?[2];
        var threads = Enumerable.Range(0, 2).Select(t => new Thread(() =>
        {
            var y = new float[n];
            start.SignalAndWait();
            for (int rep = 0; rep < 60 && failures[t] is null; rep++)
            {
                Array.Clear(y);
                ElementwiseParallel.Unary<TanhKernel, float>(inputs[t], y);
                for (int i = 0; i < n; i++)
                    if (BitConverter.SingleToInt32Bits(y[i]) != BitConverter.SingleToInt32Bits(expected[t][i]))
                    {
                        failures[t] = $"thread {t}, repetition {rep}, element {i}: {y[i]} ≠ {expected[t][i]}";
                        break;
                    }
            }
        })).ToArray();
        foreach (var th in threads) th.Start();
        Assert.True(threads.All(th => th.Join(TimeSpan.FromSeconds(60))), "a thread did not finish: deadlock?");
        Assert.Null(failures[0]);
        Assert.Null(failures[1]);
    }

    /// <summary>Runs tanh through the parallel driver from inside a chunk, possibly on a worker thread.</summary>
    private struct ReentrantKernel : IUnaryKernel
    {
        public static void Run<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T> =>
            ElementwiseParallel.Unary<TanhKernel, T>(x, y);
    }

    [Fact]
    public void A_kernel_that_calls_back_in_runs_single_threaded_instead_of_deadlocking()
    {
        // Every chunk is itself long enough to split, so the inner calls would wait for the job they sit in.
        int n = 16 * Threshold + 5;
        var x = Random<double>(n, 9, -3, 3);
        var expected = new double[n];
        TanhKernel.Run<double>(x, expected);
        var y = new double[n];
        var t = new Thread(() => ElementwiseParallel.Unary<ReentrantKernel, double>(x, y));
        t.Start();
        Assert.True(t.Join(TimeSpan.FromSeconds(60)), "deadlock");
        Same(expected, y, "reentrant");
    }

    [Fact]
    public void Compute_paths_match_the_kernels()
    {
        int n = 2 * Threshold + 7;
        var xf = Random<float>(n, 1, -3, 3);
        var gf = Random<float>(n, 2, -1, 1);
        var x = Tensor.FromArray(xf, n);
        var g = Tensor.FromArray(gf, n);

        var expected = new float[n];
        TanhKernel.Run<float>(xf, expected);
        var y = Compute.Map<TanhKernel>(x);
        Same(expected, y.Span<float>().ToArray(), "Map");

        MulKernel.VV<float>(xf, gf, expected);
        Same(expected, Compute.Zip<MulKernel>("mul", x, g).Span<float>().ToArray(), "Zip VV");
        MulKernel.VS<float>(xf, 2.5f, expected);
        Same(expected, Compute.Zip<MulKernel>("mul", x, Tensor.FromArray(new[] { 2.5f })).Span<float>().ToArray(), "Zip VS");
        SubKernel.SV<float>(2.5f, xf, expected);
        Same(expected, Compute.Zip<SubKernel>("sub", Tensor.FromArray(new[] { 2.5f }), x).Span<float>().ToArray(), "Zip SV");
        DivKernel.VS<float>(xf, 3f, expected);
        Same(expected, Compute.ZipScalar<DivKernel>(x, 3).Span<float>().ToArray(), "ZipScalar");

        TanhDerivativeKernel.Run<float>(gf, [], y.Span<float>(), expected);
        var d = Compute.Derivative<TanhDerivativeKernel>(g, null, y);
        Assert.Equal(g.Dims, d.Dims);
        Same(expected, d.Span<float>().ToArray(), "Derivative (y only)");
        SigmoidDerivativeKernel.Run<float>(gf, xf, [], expected);
        Same(expected, Compute.Derivative<SigmoidDerivativeKernel>(g, x, null).Span<float>().ToArray(), "Derivative (x only)");

        var xd = Tensor.FromArray(Random<double>(n, 3, -3, 3), n);
        var expectedD = new double[n];
        ExpKernel.Run<double>(xd.Span<double>(), expectedD);
        Same(expectedD, Compute.Map<ExpKernel>(xd).Span<double>().ToArray(), "Map float64");
    }

    [Fact]
    public void Allocates_nothing_once_warm()
    {
        int n = 2 * Threshold + 3;
        var x = Random<float>(n, 5, -2, 2);
        var g = Random<float>(n, 6, -2, 2);
        var y = new float[n];
        void Calls()
        {
            ElementwiseParallel.Unary<TanhKernel, float>(x, y);
            ElementwiseParallel.VV<MulKernel, float>(x, g, y);
            ElementwiseParallel.VS<AddKernel, float>(x, 1f, y);
            ElementwiseParallel.SV<SubKernel, float>(1f, x, y);
            ElementwiseParallel.Derivative<SigmoidDerivativeKernel, float>(g, x, [], y);
        }
        // The first calls start the workers and JIT the bodies.
        Calls();
        Calls();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 20; i++) Calls();
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
