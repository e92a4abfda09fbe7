using AutoGrad.Kernels;
using FsCheck;
using FsCheck.Fluent;

namespace AutoGrad.Tests.Kernels;

/// <summary>
/// The strided loops (broadcast binary, copy, scatter-add, axis reduction) against naive index arithmetic, on
/// random shapes of rank 0–4 with size-1 and size-0 dimensions and random strides: contiguous, broadcast (0),
/// permuted, and arbitrary (overlapping) ones.
/// </summary>
public class StridedTests
{
    /// <summary>Rank 0–4; each dimension 0 (rarely), 1 (often) or 2–5.</summary>
    internal static Gen<int[]> Shapes(int maxRank = 4) =>
        from rank in Gen.Choose(0, maxRank)
        from dims in Gen.Frequency((1, Gen.Constant(0)), (4, Gen.Constant(1)), (12, Gen.Choose(2, 5))).ArrayOf(rank)
        select dims;

    private static int[] Contiguous(int[] shape)
    {
        var s = new int[shape.Length];
        int acc = 1;
        for (int i = shape.Length - 1; i >= 0; i--) { s[i] = acc; acc *= Math.Max(shape[i], 1); }
        return s;
    }

    /// <summary>Strides to read an operand of <paramref name="shape"/>: contiguous, broadcast, permuted or arbitrary.</summary>
    private static Gen<int[]> Strides(int[] shape)
    {
        var contiguous = Contiguous(shape);
        var broadcast = Gen.Elements(0, 1).ArrayOf(shape.Length)
            .Select(keep => contiguous.Select((s, i) => keep[i] * s).ToArray());
        // The strides of a contiguous tensor whose axes were stored in another order (a transpose).
        var permuted = Gen.Shuffle(Enumerable.Range(0, shape.Length).ToArray()).Select(order =>
        {
            var s = new int[shape.Length];
            int acc = 1;
            for (int k = order.Length - 1; k >= 0; k--) { s[order[k]] = acc; acc *= Math.Max(shape[order[k]], 1); }
            return s;
        });
        var arbitrary = Gen.Choose(0, 6).ArrayOf(shape.Length);
        return Gen.OneOf(Gen.Constant(contiguous), broadcast, permuted, arbitrary);
    }

    /// <summary>The smallest buffer that strides reach from <paramref name="offset"/>.</summary>
    private static int Extent(int[] shape, int[] strides, int offset)
    {
        if (shape.Contains(0)) return offset + 1;
        int last = offset;
        for (int i = 0; i < shape.Length; i++) last += (shape[i] - 1) * strides[i];
        return last + 1;
    }

    /// <summary>Every multi-index of <paramref name="shape"/> in row-major order (one empty index for rank 0).</summary>
    internal static IEnumerable<int[]> Indices(int[] shape)
    {
        if (shape.Contains(0)) yield break;
        var idx = new int[shape.Length];
        while (true)
        {
            yield return (int[])idx.Clone();
            int k = shape.Length - 1;
            for (; k >= 0; k--)
            {
                if (++idx[k] < shape[k]) break;
                idx[k] = 0;
            }
            if (k < 0) yield break;
        }
    }

    private static int Dot(int[] idx, int[] strides)
    {
        int o = 0;
        for (int i = 0; i < idx.Length; i++) o += idx[i] * strides[i];
        return o;
    }

    private static int Size(int[] shape) => shape.Aggregate(1, (a, d) => a * d);

    private static double[] Random(int n, Rng r)
    {
        var v = new double[n];
        for (int i = 0; i < n; i++) v[i] = Math.Round(r.NextGaussian() * 100, 2);
        return v;
    }

    private static string F(int[] a) => "[" + string.Join(", ", a) + "]";

    private sealed record BinaryCase(int[] Shape, int[] XStrides, int[] YStrides, int Seed)
    {
        public override string ToString() => $"shape {F(Shape)}, x strides {F(XStrides)}, y strides {F(YStrides)}, seed {Seed}";
    }

    private static readonly Gen<BinaryCase> BinaryCases =
        from shape in Shapes()
        from sx in Strides(shape)
        from sy in Strides(shape)
        from seed in Gen.Choose(0, 1 << 30)
        select new BinaryCase(shape, sx, sy, seed);

    [Fact]
    public void Binary_matches_naive_indexing()
    {
        Seeded.Check(BinaryCases, c =>
        {
            var r = new Rng(c.Seed);
            var x = Random(Extent(c.Shape, c.XStrides, 0), r);
            var y = Random(Extent(c.Shape, c.YStrides, 0), r);
            var d = new double[Size(c.Shape) + 1];
            d[^1] = 777;
            // Subtraction, so that swapping the operands in a scalar-vector path would show.
            Strided.Binary<SubKernel, double>(x, c.XStrides, y, c.YStrides, d.AsSpan(0, d.Length - 1), c.Shape);
            int flat = 0;
            foreach (var idx in Indices(c.Shape))
            {
                double expected = x[Dot(idx, c.XStrides)] - y[Dot(idx, c.YStrides)];
                if (d[flat] != expected) throw new Exception($"{c}: d{F(idx)} = {d[flat]}, expected {expected}");
                flat++;
            }
            if (d[^1] != 777) throw new Exception($"{c}: wrote past the end");

            // The float32 instantiation and another kernel, on the same layout.
            var xf = x.Select(v => (float)v).ToArray();
            var yf = y.Select(v => (float)v).ToArray();
            var df = new float[Size(c.Shape)];
            Strided.Binary<MaxKernel, float>(xf, c.XStrides, yf, c.YStrides, df, c.Shape);
            flat = 0;
            foreach (var idx in Indices(c.Shape))
            {
                float expected = MathF.Max(xf[Dot(idx, c.XStrides)], yf[Dot(idx, c.YStrides)]);
                if (df[flat] != expected) throw new Exception($"{c} (float32 max): d{F(idx)} = {df[flat]}, expected {expected}");
                flat++;
            }
        }, seed: 101, cases: 300);
    }

    private sealed record CopyCase(int[] Shape, int[] Strides, int Offset, int Seed)
    {
        public override string ToString() => $"shape {F(Shape)}, strides {F(Strides)}, offset {Offset}, seed {Seed}";
    }

    private static readonly Gen<CopyCase> CopyCases =
        from shape in Shapes()
        from s in Strides(shape)
        from offset in Gen.Frequency((2, Gen.Constant(0)), (1, Gen.Choose(1, 5)))
        from seed in Gen.Choose(0, 1 << 30)
        select new CopyCase(shape, s, offset, seed);

    [Fact]
    public void Copy_matches_naive_indexing()
    {
        Seeded.Check(CopyCases, c =>
        {
            var src = Random(Extent(c.Shape, c.Strides, c.Offset), new Rng(c.Seed));
            var dst = new double[Size(c.Shape) + 1];
            dst[^1] = 777;
            Strided.Copy<double>(src, c.Offset, c.Strides, dst.AsSpan(0, dst.Length - 1), c.Shape);
            int flat = 0;
            foreach (var idx in Indices(c.Shape))
            {
                double expected = src[c.Offset + Dot(idx, c.Strides)];
                if (dst[flat] != expected) throw new Exception($"{c}: dst{F(idx)} = {dst[flat]}, expected {expected}");
                flat++;
            }
            if (dst[^1] != 777) throw new Exception($"{c}: wrote past the end");
        }, seed: 102, cases: 300);
    }

    [Fact]
    public void AddInto_matches_naive_indexing_including_repeated_targets()
    {
        Seeded.Check(CopyCases, c =>
        {
            var r = new Rng(c.Seed);
            // Integer values: sums are exact whatever the order in which repeated targets are accumulated.
            var src = Random(Size(c.Shape), r).Select(v => Math.Round(v)).ToArray();
            var dst = Random(Extent(c.Shape, c.Strides, c.Offset) + 2, r).Select(v => Math.Round(v)).ToArray();
            var expected = (double[])dst.Clone();
            int flat = 0;
            foreach (var idx in Indices(c.Shape)) expected[c.Offset + Dot(idx, c.Strides)] += src[flat++];
            Strided.AddInto<double>(src, dst, c.Offset, c.Strides, c.Shape);
            for (int i = 0; i < dst.Length; i++)
                if (dst[i] != expected[i]) throw new Exception($"{c}: dst[{i}] = {dst[i]}, expected {expected[i]}");

            var srcF = src.Select(v => (float)v).ToArray();
            var dstF = new float[dst.Length];
            Strided.AddInto<float>(srcF, dstF, c.Offset, c.Strides, c.Shape);
            var expectedF = new float[dst.Length];
            flat = 0;
            foreach (var idx in Indices(c.Shape)) expectedF[c.Offset + Dot(idx, c.Strides)] += srcF[flat++];
            if (!dstF.SequenceEqual(expectedF)) throw new Exception($"{c}: float32 differs");
        }, seed: 103, cases: 300);
    }

    private sealed record ReduceCase(int[] Shape, int[] Axes, int Seed)
    {
        public override string ToString() => $"shape {F(Shape)}, axes {F(Axes)}, seed {Seed}";
    }

    private static readonly Gen<ReduceCase> ReduceCases =
        from shape in Shapes()
        from keep in Gen.Elements(true, false).ArrayOf(shape.Length)
        from seed in Gen.Choose(0, 1 << 30)
        select new ReduceCase(shape, Enumerable.Range(0, shape.Length).Where(i => !keep[i]).ToArray(), seed);

    /// <summary>Folds along <paramref name="axes"/> by visiting every element and its output index.</summary>
    private static double[] NaiveReduce(double[] x, int[] shape, int[] axes, double identity, Func<double, double, double> fold)
    {
        var outShape = shape.Where((_, i) => !axes.Contains(i)).ToArray();
        var outStrides = Contiguous(outShape);
        var r = Enumerable.Repeat(identity, Size(outShape)).ToArray();
        int flat = 0;
        foreach (var idx in Indices(shape))
        {
            var kept = idx.Where((_, i) => !axes.Contains(i)).ToArray();
            int o = Dot(kept, outStrides);
            r[o] = fold(r[o], x[flat++]);
        }
        return r;
    }

    [Fact]
    public void Reduce_matches_naive_folds()
    {
        Seeded.Check(ReduceCases, c =>
        {
            var r = new Rng(c.Seed);
            int n = Size(c.Shape), outN = Size(c.Shape.Where((_, i) => !c.Axes.Contains(i)).ToArray());
            // Sums of integers and products of ±2ᵏ (k mostly 0, so no float32 overflow) are exact in any order; max and min are exact anyway.
            var ints = Random(n, r).Select(v => Math.Round(v)).ToArray();
            var pows = Enumerable.Range(0, n).Select(_ => (r.NextInt(2) * 2 - 1) * Math.Pow(2, r.NextInt(5) switch { 0 => -1, 4 => 1, _ => 0 })).ToArray();
            var reals = Random(n, r);
            Check<SumKernel>("sum", ints, 0.0, (a, b) => a + b);
            Check<ProdKernel>("prod", pows, 1.0, (a, b) => a * b);
            Check<MaxReduceKernel>("max", reals, double.NegativeInfinity, Math.Max);
            Check<MinReduceKernel>("min", reals, double.PositiveInfinity, Math.Min);

            void Check<K>(string what, double[] x, double identity, Func<double, double, double> fold) where K : IReduceKernel
            {
                var expected = NaiveReduce(x, c.Shape, c.Axes, identity, fold);
                var d = new double[outN];
                Strided.Reduce<K, double>(x, c.Shape, c.Axes, d);
                if (!d.SequenceEqual(expected)) throw new Exception($"{c}, {what}: got {string.Join(", ", d)}, expected {string.Join(", ", expected)}");
                var df = new float[outN];
                Strided.Reduce<K, float>(x.Select(v => (float)v).ToArray(), c.Shape, c.Axes, df);
                var ef = NaiveReduce(x.Select(v => (double)(float)v).ToArray(), c.Shape, c.Axes, identity, fold).Select(v => (float)v);
                if (!df.SequenceEqual(ef)) throw new Exception($"{c}, {what} (float32): got {string.Join(", ", df)}, expected {string.Join(", ", ef)}");
            }
        }, seed: 104, cases: 300);
    }

    [Fact]
    public void Reduce_propagates_nan_through_max_and_min()
    {
        double[] x = [1, double.NaN, 3, 4, 5, 6];
        var d = new double[2];
        Strided.Reduce<MaxReduceKernel, double>(x, [2, 3], [1], d);
        Assert.True(double.IsNaN(d[0]));
        Assert.Equal(6, d[1]);
        var e = new double[3];
        Strided.Reduce<MinReduceKernel, double>(x, [2, 3], [0], e);
        Assert.Equal(1, e[0]);
        Assert.True(double.IsNaN(e[1]));
        Assert.Equal(3, e[2]);
    }

    [Fact]
    public void Reduce_of_an_empty_axis_gives_the_identity()
    {
        var d = new double[3];
        Strided.Reduce<SumKernel, double>([], [3, 0], [1], d);
        Assert.Equal([0.0, 0, 0], d);
        Strided.Reduce<ProdKernel, double>([], [3, 0], [1], d);
        Assert.Equal([1.0, 1, 1], d);
        Strided.Reduce<MaxReduceKernel, double>([], [3, 0], [1], d);
        Assert.All(d, v => Assert.Equal(double.NegativeInfinity, v));
    }

    [Fact]
    public void Coalesce_merges_contiguous_dimensions_and_drops_size_one()
    {
        // [2, 1, 3, 4] contiguous in both operands and broadcast along the first in the third: the last two merge.
        Span<int> shape = [2, 1, 3, 4];
        Span<int> s0 = [12, 12, 4, 1], s1 = [12, 12, 4, 1], s2 = [0, 0, 4, 1];
        int r = Strided.Coalesce(shape, s0, s1, s2);
        Assert.Equal(2, r);
        Assert.Equal([2, 12], shape[..r].ToArray());
        Assert.Equal([12, 1], s0[..r].ToArray());
        Assert.Equal([0, 1], s2[..r].ToArray());
    }
}
