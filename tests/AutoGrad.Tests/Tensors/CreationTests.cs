using AutoGrad;

namespace AutoGrad.Tests.Tensors;

/// <summary>Factories: from arrays and spans, constant fills, ranges, identity matrices and seeded random tensors.</summary>
public class CreationTests
{
    [Fact]
    public void FromArray_1d_copies_the_data()
    {
        double[] data = [1, 2, 3];
        var t = Tensor.FromArray(data);
        data[0] = 99;
        Assert.Equal([3], t.Shape);
        Assert.Equal(DType.Float64, t.DType);
        Assert.Equal([1.0, 2, 3], t.ToArray());
        Assert.False(t.RequiresGrad);
        Assert.True(t.IsLeaf);
    }

    [Fact]
    public void FromArray_with_a_shape_is_row_major()
    {
        var t = Tensor.FromArray([1.0, 2, 3, 4, 5, 6], 2, 3);
        Assert.Equal([2, 3], t.Shape);
        Assert.Equal(2, t.Rank);
        Assert.Equal(6, t.Count);
        Assert.Equal(6, t.At(1, 2));
        Assert.Equal(4, t.At(1, 0));
        Assert.Equal(3, t.At(0, 2));
        var e = Tensor.FromArray(Array.Empty<double>(), 0, 4);
        Assert.Equal([0, 4], e.Shape);
        Assert.Equal(0, e.Count);
        var f = Tensor.FromArray([1f, 2, 3, 4], 2, 2);
        Assert.Equal(DType.Float32, f.DType);
        Assert.Equal(3, f.At(1, 0));
    }

    [Fact]
    public void FromArray_2d_and_jagged()
    {
        var t = Tensor.FromArray(new double[,] { { 1, 2, 3 }, { 4, 5, 6 } });
        Assert.Equal([2, 3], t.Shape);
        Assert.Equal([1.0, 2, 3, 4, 5, 6], t.ToArray());
        var f = Tensor.FromArray(new float[,] { { 1.5f }, { 2.5f } });
        Assert.Equal([2, 1], f.Shape);
        Assert.Equal(DType.Float32, f.DType);
        Assert.Equal([1.5f, 2.5f], f.ToFloatArray());
        var j = Tensor.FromArray([[1.0, 2], [3, 4], [5, 6]]);
        Assert.Equal([3, 2], j.Shape);
        Assert.Equal([1.0, 2, 3, 4, 5, 6], j.ToArray());
        var empty = Tensor.FromArray(Array.Empty<double[]>());
        Assert.Equal([0, 0], empty.Shape);
        Assert.Equal([0, 3], Tensor.FromArray(new double[0, 3]).Shape);
    }

    [Fact]
    public void FromSpan_copies_a_slice()
    {
        double[] buffer = [0, 1, 2, 3, 4, 5, 6, 7];
        var t = Tensor.FromSpan(buffer.AsSpan(2, 4), 2, 2);
        buffer[2] = -1;
        Assert.Equal([2, 2], t.Shape);
        Assert.Equal([2.0, 3, 4, 5], t.ToArray());
        var f = Tensor.FromSpan(new float[] { 1, 2, 3 }.AsSpan());
        Assert.Equal([3], f.Shape);
        Assert.Equal(DType.Float32, f.DType);
    }

    [Fact]
    public void Zeros_ones_full_and_likes()
    {
        var z = Tensor.Zeros(2, 3);
        Assert.Equal([2, 3], z.Shape);
        Assert.All(z.ToArray(), v => Assert.Equal(0.0, v));
        var o = Tensor.Ones([4], DType.Float32);
        Assert.Equal(DType.Float32, o.DType);
        Assert.All(o.ToFloatArray(), v => Assert.Equal(1f, v));
        var f = Tensor.Full([2, 2], 0.1, DType.Float32);
        Assert.All(f.ToFloatArray(), v => Assert.Equal(0.1f, v));
        Assert.All(Tensor.Full([3], -2.5).ToArray(), v => Assert.Equal(-2.5, v));
        var zl = Tensor.ZerosLike(f);
        Assert.Equal([2, 2], zl.Shape);
        Assert.Equal(DType.Float32, zl.DType);
        Assert.All(zl.ToArray(), v => Assert.Equal(0.0, v));
        var ol = Tensor.OnesLike(Tensor.Zeros(3, 0, 2));
        Assert.Equal([3, 0, 2], ol.Shape);
        Assert.Equal(0, ol.Count);
        // A fill does not alias the tensor it was shaped after.
        var src = Tensor.FromArray([5.0, 6]);
        Assert.Equal([0.0, 0], Tensor.ZerosLike(src).ToArray());
        Assert.Equal([5.0, 6], src.ToArray());
    }

    [Theory]
    [InlineData(0, 5, 1, new double[] { 0, 1, 2, 3, 4 })]
    [InlineData(2, 5, 1, new double[] { 2, 3, 4 })]
    [InlineData(0, 1, 0.25, new double[] { 0, 0.25, 0.5, 0.75 })]
    [InlineData(5, 0, -1, new double[] { 5, 4, 3, 2, 1 })]
    [InlineData(1, 0, -0.25, new double[] { 1, 0.75, 0.5, 0.25 })]
    [InlineData(-3, 3, 2, new double[] { -3, -1, 1 })]
    [InlineData(-3, 4, 2, new double[] { -3, -1, 1, 3 })]
    [InlineData(0, 1.1, 0.5, new double[] { 0, 0.5, 1 })]
    [InlineData(3, 3, 1, new double[0])]
    [InlineData(5, 0, 1, new double[0])]
    [InlineData(0, 5, -1, new double[0])]
    public void Arange_counts_like_numpy(double start, double stop, double step, double[] expected)
    {
        var t = Tensor.Arange(start, stop, step);
        Assert.Equal([expected.Length], t.Shape);
        Assert.Equal(expected, t.ToArray());
        var f = Tensor.Arange(start, stop, step, DType.Float32);
        Assert.Equal(DType.Float32, f.DType);
        Assert.Equal(expected.Select(v => (float)v).ToArray(), f.ToFloatArray());
    }

    [Fact]
    public void Arange_with_inexact_fractional_steps()
    {
        // ⌈(0.3 − 0)/0.1⌉ = ⌈2.9999999999999996⌉ = 3: NumPy's count, stop excluded.
        var t = Tensor.Arange(0, 0.3, 0.1).ToArray();
        Assert.Equal(3, t.Length);
        Assert.Equal([0, 0.1, 0.2], t);
        // Values are start + i·step (not accumulated), so the error does not grow along the range.
        var u = Tensor.Arange(0, 100, 0.1).ToArray();
        Assert.Equal(1000, u.Length);
        Assert.Equal(999 * 0.1, u[999]);
        Assert.Equal([0.0, 1, 2, 3], Tensor.Arange(4).ToArray());
        Assert.Equal(0, Tensor.Arange(0).Count);
    }

    [Fact]
    public void Linspace_includes_both_ends()
    {
        Assert.Equal([0, 0.25, 0.5, 0.75, 1], Tensor.Linspace(0, 1, 5).ToArray());
        Assert.Equal([1.0, 0, -1], Tensor.Linspace(1, -1, 3).ToArray());
        // The last value is the stop itself, not start + (n − 1)·step.
        Assert.Equal(0.3, Tensor.Linspace(0, 0.3, 4).ToArray()[3]);
        Assert.Equal(0.7, Tensor.Linspace(0.1, 0.7, 7).ToArray()[6]);
        Assert.Equal([2.0, 2, 2], Tensor.Linspace(2, 2, 3).ToArray());
        var f = Tensor.Linspace(-1, 1, 5, DType.Float32);
        Assert.Equal(DType.Float32, f.DType);
        Assert.Equal([-1f, -0.5f, 0, 0.5f, 1], f.ToFloatArray());
    }

    [Fact]
    public void Linspace_with_zero_and_one_points()
    {
        var none = Tensor.Linspace(0, 1, 0);
        Assert.Equal([0], none.Shape);
        Assert.Empty(none.ToArray());
        // One point: the start (as NumPy).
        var one = Tensor.Linspace(3, 7, 1);
        Assert.Equal([1], one.Shape);
        Assert.Equal([3.0], one.ToArray());
    }

    [Fact]
    public void Eye_square_and_rectangular()
    {
        Assert.Equal(new double[,] { { 1, 0, 0 }, { 0, 1, 0 }, { 0, 0, 1 } }, Tensor.Eye(3).ToArray2D());
        Assert.Equal(new double[,] { { 1, 0, 0, 0 }, { 0, 1, 0, 0 } }, Tensor.Eye(2, 4).ToArray2D());
        Assert.Equal(new double[,] { { 1, 0 }, { 0, 1 }, { 0, 0 }, { 0, 0 } }, Tensor.Eye(4, 2).ToArray2D());
        Assert.Equal([0, 0], Tensor.Eye(0).Shape);
        Assert.Equal([3, 0], Tensor.Eye(3, 0).Shape);
        var f = Tensor.Eye(2, dtype: DType.Float32);
        Assert.Equal(DType.Float32, f.DType);
        Assert.Equal([1f, 0, 0, 1], f.ToFloatArray());
    }

    [Fact]
    public void Rand_is_xoshiro256_starstar_fixed_by_the_seed_alone()
    {
        // The first draws for seed 42 and seed −7, from an independent implementation of SplitMix64 seeding and
        // xoshiro256** (53 high bits / 2⁵³): they pin the generator across machines and .NET versions.
        var t = Tensor.Rand([2, 3], 42);
        Assert.Equal([2, 3], t.Shape);
        Assert.Equal([0.08386297105988216, 0.3789802506626686, 0.6800434110281394, 0.9246929453253876, 0.9918039142821028, 0.7697394604342425],
            t.ToArray());
        Assert.Equal([0.9492984775528297, 0.8381937169976309, 0.45090503819296446], Tensor.Rand([3], -7).ToArray());
        Assert.Equal(0x15780b2e0c2ec716UL, new Rng(42).NextUInt64());
        // The same seed gives the same tensor; a shared generator continues its sequence.
        Assert.Equal(Tensor.Randn([5, 7], 3).ToArray(), Tensor.Randn([5, 7], 3).ToArray());
        Assert.NotEqual(Tensor.Randn([5, 7], 3).ToArray(), Tensor.Randn([5, 7], 4).ToArray());
        var rng = new Rng(42);
        var a = Tensor.Rand([3], rng);
        var b = Tensor.Rand([3], rng);
        Assert.Equal(t.ToArray()[..3], a.ToArray());
        Assert.Equal(t.ToArray()[3..], b.ToArray());
        // float32 draws are the float64 draws rounded.
        Assert.Equal(t.ToArray().Select(v => (float)v).ToArray(), Tensor.Rand([2, 3], 42, DType.Float32).ToFloatArray());
    }

    [Fact]
    public void Rand_float32_stays_below_one()
    {
        // Seed 330764's 59th draw is within 2⁻²⁵ of 1, which rounds to 1.0f; [0, 1) must hold in float32 too.
        var f = Tensor.Rand([64], 330764, DType.Float32).ToFloatArray();
        Assert.True(Tensor.Rand([64], 330764).ToArray()[58] >= 1 - Math.Pow(2, -25));
        Assert.All(f, v => Assert.InRange(v, 0f, 0.99999994f));
        Assert.Equal(0.99999994f, f[58]);
    }

    [Fact]
    public void Rand_is_uniform_within_statistical_bounds()
    {
        const int n = 200_000;
        var u = Tensor.Rand([n], 2024).ToArray();
        Assert.All(u, v => Assert.True(v >= 0 && v < 1, $"{v}"));
        double mean = u.Average(), var = u.Sum(v => (v - mean) * (v - mean)) / (n - 1);
        // Five standard errors: sd(mean) = √(1/12n) ≈ 6.5e−4; sd(var) = √(1/180n) ≈ 1.7e−4.
        Assert.InRange(mean, 0.5 - 5 * Math.Sqrt(1.0 / 12 / n), 0.5 + 5 * Math.Sqrt(1.0 / 12 / n));
        Assert.InRange(var, 1.0 / 12 - 5 * Math.Sqrt(1.0 / 180 / n), 1.0 / 12 + 5 * Math.Sqrt(1.0 / 180 / n));
        // Every tenth of [0, 1) gets its share (binomial, five standard deviations).
        var counts = new int[10];
        foreach (double v in u) counts[(int)(v * 10)]++;
        double sd = Math.Sqrt(n * 0.1 * 0.9);
        Assert.All(counts, c => Assert.InRange(c, n * 0.1 - 5 * sd, n * 0.1 + 5 * sd));
    }

    [Fact]
    public void Randn_is_standard_normal_within_statistical_bounds()
    {
        const int n = 200_000;
        var z = Tensor.Randn([400, 500], 77).ToArray();
        double mean = z.Average(), var = z.Sum(v => (v - mean) * (v - mean)) / (n - 1);
        double kurt = z.Sum(v => Math.Pow(v - mean, 4)) / n / (var * var);
        // sd(mean) = 1/√n; sd(var) = √(2/n); sd(kurtosis) ≈ √(24/n).
        Assert.InRange(mean, -5 / Math.Sqrt(n), 5 / Math.Sqrt(n));
        Assert.InRange(var, 1 - 5 * Math.Sqrt(2.0 / n), 1 + 5 * Math.Sqrt(2.0 / n));
        Assert.InRange(kurt, 3 - 5 * Math.Sqrt(24.0 / n), 3 + 5 * Math.Sqrt(24.0 / n));
        // P(|z| < 1) = 0.682689…, P(|z| < 2) = 0.954499…
        double p1 = z.Count(v => Math.Abs(v) < 1) / (double)n, p2 = z.Count(v => Math.Abs(v) < 2) / (double)n;
        Assert.InRange(p1, 0.682689 - 5 * Math.Sqrt(0.2167 / n), 0.682689 + 5 * Math.Sqrt(0.2167 / n));
        Assert.InRange(p2, 0.954500 - 5 * Math.Sqrt(0.0434 / n), 0.954500 + 5 * Math.Sqrt(0.0434 / n));
        var f = Tensor.Randn([1000], 77, DType.Float32);
        Assert.Equal(DType.Float32, f.DType);
        Assert.Equal(z[..1000].Select(v => (float)v).ToArray(), f.ToFloatArray());
    }
}
