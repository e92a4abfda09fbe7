using AutoGrad.Kernels;

namespace AutoGrad.Tests.Kernels;

/// <summary><see cref="Gemm.Multiply{T}"/> against the naive triple loop on odd sizes, in float64 and float32.</summary>
public class GemmTests
{
    public static IEnumerable<object[]> Sizes =>
    [
        [1, 1, 1], [7, 13, 5], [17, 17, 17], [33, 33, 33], [65, 65, 65],
        [1, 65, 1], [65, 1, 33], [17, 33, 65], [3, 0, 4], [0, 5, 3], [4, 5, 0],
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

    [Theory]
    [MemberData(nameof(Sizes))]
    public void Float64_matches_the_triple_loop(int m, int k, int n)
    {
        var r = new Rng(m * 10007 + k * 101 + n);
        var a = Random(m * k, r);
        var b = Random(k * n, r);
        // C is overwritten, not accumulated into; one extra slot checks that nothing is written past m·n.
        var c = Enumerable.Repeat(double.NaN, m * n + 1).ToArray();
        Gemm.Multiply<double>(a, b, c, m, k, n);
        Assert.True(double.IsNaN(c[^1]));
        var (expected, abs) = Naive(a, b, m, k, n);
        for (int i = 0; i < m * n; i++)
        {
            // Both are sums of k rounded products: each within k·ε·Σ|aᵢbᵢ| of the exact value.
            double tol = 2 * (k + 1) * 1.1e-16 * abs[i];
            Assert.True(Math.Abs(c[i] - expected[i]) <= tol, $"{m}×{k}·{k}×{n}: C[{i / Math.Max(n, 1)}, {i % Math.Max(n, 1)}] = {c[i]}, expected {expected[i]} (±{tol})");
        }
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public void Float32_matches_the_triple_loop(int m, int k, int n)
    {
        var r = new Rng(m * 10007 + k * 101 + n + 1);
        var a = Random(m * k, r).Select(v => (double)(float)v).ToArray();
        var b = Random(k * n, r).Select(v => (double)(float)v).ToArray();
        var c = Enumerable.Repeat(float.NaN, m * n + 1).ToArray();
        Gemm.Multiply<float>(a.Select(v => (float)v).ToArray(), b.Select(v => (float)v).ToArray(), c, m, k, n);
        Assert.True(float.IsNaN(c[^1]));
        var (expected, abs) = Naive(a, b, m, k, n);
        for (int i = 0; i < m * n; i++)
        {
            double tol = (k + 1) * 6e-8 * abs[i] + 1e-30;
            Assert.True(Math.Abs(c[i] - expected[i]) <= tol, $"{m}×{k}·{k}×{n} float32: C[{i}] = {c[i]}, expected {expected[i]} (±{tol})");
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
