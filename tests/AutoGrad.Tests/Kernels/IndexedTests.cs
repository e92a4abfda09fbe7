using AutoGrad.Kernels;
using FsCheck;
using FsCheck.Fluent;

namespace AutoGrad.Tests.Kernels;

/// <summary>
/// The index-driven copies (take along an axis, gather, place) and their adding adjoints against naive loops,
/// with repeated indices, size-0 and size-1 dimensions; and the adjoint law ⟨Take x, y⟩ = ⟨x, TakeAdd y⟩.
/// </summary>
public class IndexedTests
{
    private sealed record TakeCase(int Outer, int N, int Inner, int[] Index, int Seed)
    {
        public override string ToString() => $"outer {Outer}, n {N}, inner {Inner}, index [{string.Join(", ", Index)}], seed {Seed}";
    }

    private static readonly Gen<TakeCase> TakeCases =
        from outer in Gen.Choose(0, 4)
        from n in Gen.Choose(1, 5)
        from inner in Gen.Choose(0, 9)
        from m in Gen.Choose(0, 7)
        from index in Gen.Choose(0, n - 1).ArrayOf(m)
        from seed in Gen.Choose(0, 1 << 30)
        select new TakeCase(outer, n, inner, index, seed);

    private static double[] Ints(int count, Rng r) => Enumerable.Range(0, count).Select(_ => (double)(r.NextInt(41) - 20)).ToArray();

    [Fact]
    public void Take_and_TakeAdd_match_naive_loops_and_are_adjoint()
    {
        Seeded.Check(TakeCases, c =>
        {
            var r = new Rng(c.Seed);
            int m = c.Index.Length;
            var src = Ints(c.Outer * c.N * c.Inner, r);
            var dst = new double[c.Outer * m * c.Inner];
            Indexed.Take<double>(src, c.N, c.Inner, c.Index, dst);
            for (int o = 0; o < c.Outer; o++)
                for (int j = 0; j < m; j++)
                    for (int i = 0; i < c.Inner; i++)
                        if (dst[(o * m + j) * c.Inner + i] != src[(o * c.N + c.Index[j]) * c.Inner + i])
                            throw new Exception($"{c}: Take differs at [{o}, {j}, {i}]");

            var g = Ints(dst.Length, r);
            var acc = Ints(src.Length, r);
            var expected = (double[])acc.Clone();
            for (int o = 0; o < c.Outer; o++)
                for (int j = 0; j < m; j++)
                    for (int i = 0; i < c.Inner; i++)
                        expected[(o * c.N + c.Index[j]) * c.Inner + i] += g[(o * m + j) * c.Inner + i];
            Indexed.TakeAdd<double>(g, c.N, c.Inner, c.Index, acc);
            if (!acc.SequenceEqual(expected)) throw new Exception($"{c}: TakeAdd differs");

            // ⟨Take x, g⟩ = ⟨x, TakeAdd g⟩ (exact with integers).
            var back = new double[src.Length];
            Indexed.TakeAdd<double>(g, c.N, c.Inner, c.Index, back);
            double lhs = dst.Zip(g, (a, b) => a * b).Sum(), rhs = src.Zip(back, (a, b) => a * b).Sum();
            if (lhs != rhs) throw new Exception($"{c}: ⟨Take x, g⟩ = {lhs} but ⟨x, TakeAdd g⟩ = {rhs}");

            var df = new float[dst.Length];
            Indexed.Take<float>(src.Select(v => (float)v).ToArray(), c.N, c.Inner, c.Index, df);
            if (!df.SequenceEqual(dst.Select(v => (float)v))) throw new Exception($"{c}: float32 Take differs");
        }, seed: 401, cases: 200);
    }

    private sealed record GatherCase(int[] Shape, int Axis, int N, int[] Order, int[] Index, int Seed)
    {
        public override string ToString() =>
            $"shape [{string.Join(", ", Shape)}], axis {Axis}, n {N}, layout [{string.Join(", ", Order)}], index [{string.Join(", ", Index)}], seed {Seed}";
    }

    private static readonly Gen<GatherCase> GatherCases =
        from rank in Gen.Choose(1, 4)
        from shape in Gen.Frequency((1, Gen.Constant(0)), (3, Gen.Constant(1)), (8, Gen.Choose(2, 4))).ArrayOf(rank)
        from axis in Gen.Choose(0, rank - 1)
        from n in Gen.Choose(1, 4)
        from order in Gen.Shuffle(Enumerable.Range(0, rank).ToArray())
        from index in Gen.Choose(0, n - 1).ArrayOf(shape.Aggregate(1, (a, d) => a * d))
        from seed in Gen.Choose(0, 1 << 30)
        select new GatherCase(shape, axis, n, order, index, seed);

    /// <summary>Strides of a tensor of <paramref name="shape"/> stored with its axes in <paramref name="order"/> (outermost first).</summary>
    private static int[] LayoutStrides(int[] shape, int[] order)
    {
        var s = new int[shape.Length];
        int acc = 1;
        for (int k = order.Length - 1; k >= 0; k--) { s[order[k]] = acc; acc *= Math.Max(shape[order[k]], 1); }
        return s;
    }

    [Fact]
    public void Gather_and_ScatterAdd_match_naive_loops()
    {
        Seeded.Check(GatherCases, c =>
        {
            var r = new Rng(c.Seed);
            var srcShape = c.Shape.Select((d, i) => i == c.Axis ? c.N : d).ToArray();
            var strides = LayoutStrides(srcShape, c.Order);
            int srcLen = srcShape.Aggregate(1, (a, d) => a * Math.Max(d, 1));
            var src = Ints(srcLen, r);
            int count = c.Index.Length;
            var dst = new double[count];
            Indexed.Gather<double>(src, strides, c.Axis, c.Index, dst, c.Shape);
            int flat = 0;
            var g = Ints(count, r);
            var acc = new double[srcLen];
            var expectedAcc = new double[srcLen];
            foreach (var idx in StridedTests.Indices(c.Shape))
            {
                int off = 0;
                for (int d = 0; d < idx.Length; d++) off += (d == c.Axis ? c.Index[flat] : idx[d]) * strides[d];
                if (dst[flat] != src[off]) throw new Exception($"{c}: Gather at [{string.Join(", ", idx)}] = {dst[flat]}, expected {src[off]}");
                expectedAcc[off] += g[flat];
                flat++;
            }
            Indexed.ScatterAdd<double>(g, c.Index, acc, strides, c.Axis, c.Shape);
            if (!acc.SequenceEqual(expectedAcc)) throw new Exception($"{c}: ScatterAdd differs");
        }, seed: 402, cases: 200);
    }

    [Fact]
    public void Place_writes_rows_at_a_stride()
    {
        // Two inputs of a concatenation along the last axis: [2, 2] and [2, 3] into [2, 5].
        var dst = Enumerable.Repeat(-1.0, 10).ToArray();
        Indexed.Place<double>([1, 2, 3, 4], dst, block: 2, stride: 5, offset: 0);
        Indexed.Place<double>([5, 6, 7, 8, 9, 10], dst, block: 3, stride: 5, offset: 2);
        Assert.Equal([1.0, 2, 5, 6, 7, 3, 4, 8, 9, 10], dst);
        // An empty block writes nothing.
        Indexed.Place<double>([], dst, block: 0, stride: 5, offset: 0);
        Assert.Equal(1, dst[0]);
    }
}
