using AutoGrad.Kernels;

namespace AutoGrad.Tests.Kernels;

/// <summary>
/// <see cref="Gemm"/> against the naive triple loop on odd sizes, in float64 and float32: the plain product, the
/// three variants that read an operand stored transposed, and the batched driver with broadcast batch strides.
/// </summary>
public class GemmTests
{
    public static IEnumerable<object[]> Sizes =>
    [
        [1, 1, 1], [7, 13, 5], [17, 17, 17], [33, 33, 33], [65, 65, 65],
        [1, 65, 1], [65, 1, 33], [17, 33, 65], [3, 0, 4], [0, 5, 3], [4, 5, 0],
        // The packed kernel: edge tiles on both sides, several KC = 512 depth blocks, more rows than one MC block,
        // more columns than one NC block.
        [100, 300, 7], [257, 129, 515], [8, 600, 33], [400, 20, 9], [9, 520, 2100],
    ];

    /// <summary>C = A·B by the definition, in double, with Σ|a||b| for a rounding bound.</summary>
    private static (double[] C, double[] Abs) Naive(double[] a, double[] b, int m, int k, int n)
    {
        var c = new double[m * n];
        var abs = new double[m * n];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double s = 0, t = 0;
                for (int p = 0; p < k; p++) { s += a[i * k + p] * b[p * n + j]; t += Math.Abs(a[i * k + p] * b[p * n + j]); }
                c[i * n + j] = s; abs[i * n + j] = t;
            }
        return (c, abs);
    }

    private static double[] Random(int count, Rng r) => Enumerable.Range(0, count).Select(_ => r.NextGaussian()).ToArray();

    public static IEnumerable<object[]> SizesAndLayouts =>
        from size in Sizes
        from transA in (bool[])[false, true]
        from transB in (bool[])[false, true]
        select new object[] { size[0], size[1], size[2], transA, transB };

    /// <summary>The r×c row-major matrix stored transposed (c×r).</summary>
    private static T[] Transpose<T>(T[] x, int r, int c)
    {
        var t = new T[x.Length];
        for (int i = 0; i < r; i++)
            for (int j = 0; j < c; j++) t[j * r + i] = x[i * c + j];
        return t;
    }

    [Theory]
    [MemberData(nameof(SizesAndLayouts))]
    public void Float64_matches_the_triple_loop(int m, int k, int n, bool transA, bool transB)
    {
        var r = new Rng(m * 10007 + k * 101 + n);
        var a = Random(m * k, r);
        var b = Random(k * n, r);
        // C is overwritten, not accumulated into; one extra slot checks that nothing is written past m·n.
        var c = Enumerable.Repeat(double.NaN, m * n + 1).ToArray();
        Gemm.Multiply<double>(transA ? Transpose(a, m, k) : a, transA, transB ? Transpose(b, k, n) : b, transB, c, m, k, n);
        Assert.True(double.IsNaN(c[^1]));
        var (expected, abs) = Naive(a, b, m, k, n);
        for (int i = 0; i < m * n; i++)
        {
            // Both are sums of k rounded products: each within k·ε·Σ|aᵢbᵢ| of the exact value.
            double tol = 2 * (k + 1) * 1.1e-16 * abs[i];
            Assert.True(Math.Abs(c[i] - expected[i]) <= tol,
                $"{m}×{k}·{k}×{n} (transA {transA}, transB {transB}): C[{i / Math.Max(n, 1)}, {i % Math.Max(n, 1)}] = {c[i]}, expected {expected[i]} (±{tol})");
        }
    }

    [Theory]
    [MemberData(nameof(SizesAndLayouts))]
    public void Float32_matches_the_triple_loop(int m, int k, int n, bool transA, bool transB)
    {
        var r = new Rng(m * 10007 + k * 101 + n + 1);
        var a = Random(m * k, r).Select(v => (double)(float)v).ToArray();
        var b = Random(k * n, r).Select(v => (double)(float)v).ToArray();
        var af = a.Select(v => (float)v).ToArray();
        var bf = b.Select(v => (float)v).ToArray();
        var c = Enumerable.Repeat(float.NaN, m * n + 1).ToArray();
        Gemm.Multiply<float>(transA ? Transpose(af, m, k) : af, transA, transB ? Transpose(bf, k, n) : bf, transB, c, m, k, n);
        Assert.True(float.IsNaN(c[^1]));
        var (expected, abs) = Naive(a, b, m, k, n);
        for (int i = 0; i < m * n; i++)
        {
            double tol = (k + 1) * 6e-8 * abs[i] + 1e-30;
            Assert.True(Math.Abs(c[i] - expected[i]) <= tol, $"{m}×{k}·{k}×{n} float32 (transA {transA}, transB {transB}): C[{i}] = {c[i]}, expected {expected[i]} (±{tol})");
        }
    }

    [Fact]
    public void Batched_broadcasts_along_zero_batch_strides()
    {
        // A: one 7×5 matrix shared by a 2×3 batch (strides 0, 0); B: 3 matrices 5×4 shared along the first batch axis.
        const int m = 7, k = 5, n = 4;
        var r = new Rng(9);
        var a = Random(m * k, r);
        var b = Random(3 * k * n, r);
        var c = Enumerable.Repeat(double.NaN, 6 * m * n).ToArray();
        Gemm.Batched<double>(a, [0, 0], false, b, [0, k * n], false, c, [2, 3], m, k, n);
        for (int i = 0; i < 2; i++)
            for (int j = 0; j < 3; j++)
            {
                var (expected, abs) = Naive(a, b[(j * k * n)..((j + 1) * k * n)], m, k, n);
                var got = c[((i * 3 + j) * m * n)..((i * 3 + j + 1) * m * n)];
                for (int e = 0; e < m * n; e++)
                    Assert.True(Math.Abs(got[e] - expected[e]) <= 2 * (k + 1) * 1.1e-16 * abs[e], $"batch [{i}, {j}] entry {e}: {got[e]} vs {expected[e]}");
            }
        // Transposed operands in a batch: Bᵀ stored n×k per matrix.
        var bt = Enumerable.Range(0, 3).SelectMany(j => Transpose(b[(j * k * n)..((j + 1) * k * n)], k, n)).ToArray();
        var ct = new double[3 * m * n];
        Gemm.Batched<double>(a, [0], false, bt, [k * n], true, ct, [3], m, k, n);
        for (int j = 0; j < 3; j++)
        {
            var (expected, _) = Naive(a, b[(j * k * n)..((j + 1) * k * n)], m, k, n);
            for (int e = 0; e < m * n; e++) Assert.Equal(expected[e], ct[j * m * n + e], 12);
        }
        // An empty batch writes nothing.
        var untouched = new double[] { 42 };
        Gemm.Batched<double>(a, [0], false, b, [0], false, untouched, [0], m, k, n);
        Assert.Equal(42, untouched[0]);
    }

    public static IEnumerable<object[]> Layouts =>
        from transA in (bool[])[false, true]
        from transB in (bool[])[false, true]
        where !(transA && transB)
        select new object[] { transA, transB };

    /// <summary>The packed kernel run on 1, 2 and 3 threads: every entry has the same summation order, so the same bits.</summary>
    [Theory]
    [MemberData(nameof(Layouts))]
    public void Packed_threaded_runs_are_bit_identical_to_one_thread(bool transA, bool transB)
    {
        const int m = 257, k = 600, n = 515;
        var r = new Rng(4242);
        var a = Random(m * k, r);
        var b = Random(k * n, r);
        var c1 = new double[m * n];
        PackedGemm.Multiply<double>(a, transA, b, transB, c1, m, k, n, threads: 1);
        foreach (int threads in (int[])[2, 3])
        {
            var ct = new double[m * n];
            PackedGemm.Multiply<double>(a, transA, b, transB, ct, m, k, n, threads);
            Assert.Equal(c1, ct);
        }
        var af = a.Select(v => (float)v).ToArray();
        var bf = b.Select(v => (float)v).ToArray();
        var f1 = new float[m * n];
        PackedGemm.Multiply<float>(af, transA, bf, transB, f1, m, k, n, threads: 1);
        var f2 = new float[m * n];
        PackedGemm.Multiply<float>(af, transA, bf, transB, f2, m, k, n, threads: 2);
        Assert.Equal(f1, f2);
        // The public entry (threaded at this size) gives the same bits as well.
        var cp = new double[m * n];
        Gemm.Multiply<double>(a, transA, b, transB, cp, m, k, n);
        Assert.Equal(c1, cp);
    }

    /// <summary>A batch of products large enough for the packed kernel, every layout, A broadcast along the batch.</summary>
    [Theory]
    [MemberData(nameof(Layouts))]
    public void Batched_packed_products_match_the_triple_loop(bool transA, bool transB)
    {
        const int m = 33, k = 40, n = 65, count = 3;
        var r = new Rng(77);
        var a = Random(m * k, r);
        var bs = Enumerable.Range(0, count).Select(_ => Random(k * n, r)).ToArray();
        var bStored = bs.SelectMany(x => transB ? Transpose(x, k, n) : x).ToArray();
        var c = new double[count * m * n];
        Gemm.Batched<double>(transA ? Transpose(a, m, k) : a, [0], transA, bStored, [k * n], transB, c, [count], m, k, n);
        for (int t = 0; t < count; t++)
        {
            var (expected, abs) = Naive(a, bs[t], m, k, n);
            for (int e = 0; e < m * n; e++)
                Assert.True(Math.Abs(c[t * m * n + e] - expected[e]) <= 2 * (k + 1) * 1.1e-16 * abs[e], $"batch {t} entry {e}: {c[t * m * n + e]} vs {expected[e]}");
        }
    }

    [Fact]
    public void Small_integer_products_are_exact()
    {
        // [[1, 2, 3], [4, 5, 6]] · [[7, 8], [9, 10], [11, 12]] = [[58, 64], [139, 154]]
        var c = new double[4];
        Gemm.Multiply<double>([1, 2, 3, 4, 5, 6], [7, 8, 9, 10, 11, 12], c, 2, 3, 2);
        Assert.Equal([58.0, 64, 139, 154], c);
        var cf = new float[4];
        Gemm.Multiply<float>([1, 2, 3, 4, 5, 6], [7, 8, 9, 10, 11, 12], cf, 2, 3, 2);
        Assert.Equal([58f, 64, 139, 154], cf);
    }

    [Fact]
    public void Non_finite_entries_propagate()
    {
        // [∞, 1]·[[1, 0], [0, 1]] = [∞, NaN] (∞·0 = NaN); a NaN in A poisons its row only.
        var c = new double[2];
        Gemm.Multiply<double>([double.PositiveInfinity, 1], [1, 0, 0, 1], c, 1, 2, 2);
        Assert.Equal(double.PositiveInfinity, c[0]);
        Assert.True(double.IsNaN(c[1]));
        var d = new double[4];
        Gemm.Multiply<double>([double.NaN, 1, 2, 3], [1, 2, 3, 4], d, 2, 2, 2);
        Assert.True(double.IsNaN(d[0]) && double.IsNaN(d[1]));
        Assert.Equal([11.0, 16], d[2..]);
    }
}
