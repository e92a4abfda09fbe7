using AutoGrad;
using AutoGrad.Tests.Kernels;
using FsCheck;
using FsCheck.Fluent;

namespace AutoGrad.Tests.Tensors;

/// <summary>
/// Reductions with axes, keepDims and negative axes against naive loops: sum, mean, prod, max, min, var
/// (correction 0 and 1), std and logsumexp, plus softmax and log-softmax along one axis; float64 and float32.
/// </summary>
public class ReductionTests
{
    /// <summary>
    /// A reduction: a shape, the axes as the caller writes them (possibly negative, in any order; null for all),
    /// keepDims, and which overload to call.
    /// </summary>
    private sealed record ReduceCase(int[] Shape, int[]? Axes, bool KeepDims, int Form, int Seed)
    {
        public int[] Normalised => Axes is null || Axes.Length == 0
            ? Enumerable.Range(0, Shape.Length).ToArray()
            : Axes.Select(a => a < 0 ? a + Shape.Length : a).Order().ToArray();

        public override string ToString() =>
            $"shape {ElementwiseTests.Fmt(Shape)}, axes {(Axes is null ? "null" : ElementwiseTests.Fmt(Axes))}, keepDims {KeepDims}, form {Form}, seed {Seed}";
    }

    private static readonly Gen<ReduceCase> Cases =
        from shape in StridedTests.Shapes()
        from pick in Gen.Elements(true, false).ArrayOf(shape.Length)
        from negative in Gen.Elements(true, false).ArrayOf(shape.Length)
        from order in Gen.Shuffle(Enumerable.Range(0, shape.Length).ToArray())
        from all in Gen.Frequency((1, Gen.Constant(0)), (1, Gen.Constant(1)), (4, Gen.Constant(2)))
        from keep in Gen.Elements(true, false)
        from form in Gen.Choose(0, 1)
        from seed in Gen.Choose(0, 1 << 30)
        select new ReduceCase(shape,
            all switch
            {
                0 => null,
                1 => [],
                _ => order.Where(a => pick[a]).Select(a => negative[a] ? a - shape.Length : a).ToArray(),
            },
            keep, form, seed);

    /// <summary>Calls the overload the case asks for: the axis-less one, the single-axis one, or the array one.</summary>
    private static Tensor Call(ReduceCase c, Tensor x, string op)
    {
        bool noArgs = c.Axes is null && !c.KeepDims && c.Form == 1 && op is "Sum" or "Mean" or "Prod" or "Max" or "Min";
        bool single = c.Axes is { Length: 1 } && c.Form == 1;
        int axis = single ? c.Axes![0] : 0;
        return op switch
        {
            "Sum" => noArgs ? x.Sum() : single ? x.Sum(axis, c.KeepDims) : x.Sum(c.Axes, c.KeepDims),
            "Mean" => noArgs ? x.Mean() : single ? x.Mean(axis, c.KeepDims) : x.Mean(c.Axes, c.KeepDims),
            "Prod" => noArgs ? x.Prod() : single ? x.Prod(axis, c.KeepDims) : x.Prod(c.Axes, c.KeepDims),
            "Max" => noArgs ? x.Max() : single ? x.Max(axis, c.KeepDims) : x.Max(c.Axes, c.KeepDims),
            "Min" => noArgs ? x.Min() : single ? x.Min(axis, c.KeepDims) : x.Min(c.Axes, c.KeepDims),
            "Var0" => single ? x.Var(axis, c.KeepDims, 0) : x.Var(c.Axes, c.KeepDims, 0),
            "Var1" => single ? x.Var(axis, c.KeepDims) : x.Var(c.Axes, c.KeepDims),
            "Std0" => single ? x.Std(axis, c.KeepDims, 0) : x.Std(c.Axes, c.KeepDims, 0),
            "Std1" => single ? x.Std(axis, c.KeepDims) : x.Std(c.Axes, c.KeepDims),
            "LogSumExp" => single ? x.LogSumExp(axis, c.KeepDims) : x.LogSumExp(c.Axes, c.KeepDims),
            _ => throw new ArgumentException(op),
        };
    }

    /// <summary>The values of each output element's group, in output order.</summary>
    private static List<double>[] Groups(double[] x, int[] shape, int[] axes)
    {
        var outShape = shape.Where((_, i) => !axes.Contains(i)).ToArray();
        int outN = outShape.Aggregate(1, (a, d) => a * d);
        var groups = Enumerable.Range(0, outN).Select(_ => new List<double>()).ToArray();
        int flat = 0;
        foreach (var idx in StridedTests.Indices(shape))
        {
            int o = 0;
            for (int i = 0; i < shape.Length; i++)
                if (!axes.Contains(i)) o = o * shape[i] + idx[i];
            groups[o].Add(x[flat++]);
        }
        return groups;
    }

    private static double Var(List<double> g, int correction)
    {
        double mean = g.Sum() / g.Count;
        return g.Sum(v => (v - mean) * (v - mean)) / (g.Count - correction);
    }

    private static double Lse(List<double> g)
    {
        if (g.Count == 0) return double.NegativeInfinity;
        double m = g.Max();
        return m + Math.Log(g.Sum(v => Math.Exp(v - m)));
    }

    private static readonly (string Op, Func<List<double>, double> Ref)[] Ops =
    [
        ("Sum", g => g.Sum()),
        ("Mean", g => g.Sum() / g.Count),
        ("Prod", g => g.Aggregate(1.0, (a, v) => a * v)),
        ("Max", g => g.Max()),
        ("Min", g => g.Min()),
        ("Var0", g => Var(g, 0)),
        ("Var1", g => Var(g, 1)),
        ("Std0", g => Math.Sqrt(Var(g, 0))),
        ("Std1", g => Math.Sqrt(Var(g, 1))),
        ("LogSumExp", Lse),
    ];

    [Fact]
    public void Reductions_match_naive_loops()
    {
        Seeded.Check(Cases, c =>
        {
            var axes = c.Normalised;
            var expectedShape = c.KeepDims
                ? c.Shape.Select((d, i) => axes.Contains(i) ? 1 : d).ToArray()
                : c.Shape.Where((_, i) => !axes.Contains(i)).ToArray();
            int n = c.Shape.Aggregate(1, (a, d) => a * d);
            var r = new Rng(c.Seed);
            // Values near 1 in magnitude keep products finite; some ties exercise max and min.
            var v = Enumerable.Range(0, n).Select(_ => r.NextDouble() < 0.2 ? 1.0 : (r.NextInt(2) * 2 - 1) * (0.6 + 0.8 * r.NextDouble())).ToArray();
            var groups = Groups(v, c.Shape, axes);
            foreach (var dtype in (DType[])[DType.Float64, DType.Float32])
            {
                var x = Tensor.FromArray(v, c.Shape.Length == 0 ? [1] : c.Shape).Reshape(c.Shape).To(dtype);
                var xs = x.ToArray();
                var g = dtype == DType.Float64 ? groups : Groups(xs, c.Shape, axes);
                double tol = dtype == DType.Float64 ? 1e-12 : 3e-6;
                foreach (var (op, reference) in Ops)
                {
                    if (op is "Max" or "Min" && n == 0) continue;
                    var y = Call(c, x, op);
                    if (!y.Shape.SequenceEqual(expectedShape) || y.DType != dtype)
                        throw new Exception($"{op}, {c}: shape {ElementwiseTests.Fmt(y.Shape)} {y.DType.Name()}, expected {ElementwiseTests.Fmt(expectedShape)}");
                    var ys = y.ToArray();
                    for (int i = 0; i < ys.Length; i++)
                    {
                        double e = reference(g[i]);
                        // Relative to the group's magnitude (sums cancel), and per element type.
                        double scale = Math.Max(Math.Abs(e), g[i].Count == 0 ? 0 : g[i].Max(Math.Abs));
                        bool ok = double.IsNaN(e) ? double.IsNaN(ys[i]) : e == ys[i] || Math.Abs(ys[i] - e) <= tol * Math.Max(1, g[i].Count) * scale;
                        if (!ok) throw new Exception($"{op} ({dtype.Name()}), {c}: element {i} = {ys[i]}, expected {e}");
                    }
                }
            }
        }, seed: 301, cases: 200);
    }

    private sealed record AxisCase(int[] Shape, int Axis, int Seed)
    {
        public override string ToString() => $"shape {ElementwiseTests.Fmt(Shape)}, axis {Axis}, seed {Seed}";
    }

    [Fact]
    public void Softmax_and_log_softmax_along_any_axis_match_naive_loops()
    {
        var gen =
            from shape in StridedTests.Shapes().Where(s => s.Length > 0)
            from axis in Gen.Choose(-shape.Length, shape.Length - 1)
            from seed in Gen.Choose(0, 1 << 30)
            select new AxisCase(shape, axis, seed);
        Seeded.Check(gen, c =>
        {
            int a = c.Axis < 0 ? c.Axis + c.Shape.Length : c.Axis;
            // A distribution over an empty axis is refused (BadInputCatalogueTests); other empty axes are covered here.
            if (c.Shape[a] == 0) return;
            var x = Tensor.Randn(c.Shape, c.Seed) * 4.0;
            var v = x.ToArray();
            var groups = Groups(v, c.Shape, [a]);
            var sm = x.Softmax(c.Axis);
            var lsm = x.LogSoftmax(c.Axis);
            var lse = x.LogSumExp(c.Axis, keepDims: true).ToArray();
            Assert.Equal(c.Shape, sm.Shape);
            Assert.Equal(c.Shape, lsm.Shape);
            // Map each element to its group (the flat index with the axis coordinate removed).
            int flat = 0;
            var smv = sm.ToArray(); var lsmv = lsm.ToArray();
            foreach (var idx in StridedTests.Indices(c.Shape))
            {
                int o = 0;
                for (int i = 0; i < c.Shape.Length; i++) if (i != a) o = o * c.Shape[i] + idx[i];
                double expectedLsm = v[flat] - Lse(groups[o]);
                if (Math.Abs(lsmv[flat] - expectedLsm) > 1e-12 * (1 + Math.Abs(expectedLsm)) || Math.Abs(smv[flat] - Math.Exp(expectedLsm)) > 1e-14)
                    throw new Exception($"{c}: at {ElementwiseTests.Fmt(idx)} softmax {smv[flat]}, log-softmax {lsmv[flat]}, expected {Math.Exp(expectedLsm)}, {expectedLsm}");
                if (Math.Abs(lse[o] - Lse(groups[o])) > 1e-12 * (1 + Math.Abs(lse[o])))
                    throw new Exception($"{c}: logsumexp {lse[o]}, expected {Lse(groups[o])}");
                flat++;
            }
        }, seed: 302, cases: 100);
    }

    [Fact]
    public void Fixed_examples()
    {
        var t = Tensor.Arange(24).Reshape(2, 3, 4);
        Assert.Equal(276, t.Sum().Item());
        Assert.Equal([12.0, 15, 18, 21, 48, 51, 54, 57], t.Sum(1).ToArray());
        Assert.Equal([3], t.Sum([0, 2]).Shape);
        Assert.Equal([60.0, 92, 124], t.Sum([0, -1]).ToArray());
        Assert.Equal([2, 3, 1], t.Mean(-1, keepDims: true).Shape);
        Assert.Equal([1.5, 5.5, 9.5, 13.5, 17.5, 21.5], t.Mean(-1).ToArray());
        Assert.Equal([11.0, 23], t.Max([1, 2]).ToArray());
        Assert.Equal([0.0, 1, 2, 3], t.Min([0, 1]).ToArray());
        Assert.Equal([0.0, 1 * 5 * 9, 2 * 6 * 10, 3 * 7 * 11], t.Prod(1).ToArray()[..4]);
        var x = Tensor.FromArray([1.0, 2, 3, 4]);
        Assert.Equal(5.0 / 3, x.Var().Item(), 15);
        Assert.Equal(1.25, x.Var(correction: 0).Item(), 15);
        Assert.Equal(Math.Sqrt(5.0 / 3), x.Std().Item(), 15);
        Assert.Equal(Math.Sqrt(1.25), x.Std(0, correction: 0).Item(), 15);
        Assert.Equal(4 + Math.Log(1 + Math.Exp(-1) + Math.Exp(-2) + Math.Exp(-3)), x.LogSumExp().Item(), 14);
    }

    [Fact]
    public void Degenerate_reductions()
    {
        // Over nothing: sum 0, product 1, mean NaN, logsumexp −∞ (as NumPy); one value has no unbiased variance.
        var e = Tensor.Zeros(0);
        Assert.Equal(0, e.Sum().Item());
        Assert.Equal(1, e.Prod().Item());
        Assert.True(double.IsNaN(e.Mean().Item()));
        Assert.Equal(double.NegativeInfinity, e.LogSumExp().Item());
        Assert.True(double.IsNaN(Tensor.FromArray([3.0]).Var().Item()));
        Assert.Equal(0, Tensor.FromArray([3.0]).Var(correction: 0).Item());
        // An empty dimension that is not reduced leaves an empty result.
        Assert.Equal([0], Tensor.Ones(0, 3).Sum(1).Shape);
        Assert.Equal([0.0, 0, 0], Tensor.Ones(0, 3).Sum(0).ToArray());
        Assert.Equal([0, 1], Tensor.Ones(0, 3).Sum(1, keepDims: true).Shape);
    }

    [Fact]
    public void Nan_propagates_through_reductions()
    {
        var x = Tensor.FromArray([1.0, double.NaN, 3, 4], 2, 2);
        Assert.True(double.IsNaN(x.Max().Item()));
        Assert.True(double.IsNaN(x.Min().Item()));
        Assert.True(double.IsNaN(x.Sum().Item()));
        var rows = x.Max(1).ToArray();
        Assert.True(double.IsNaN(rows[0]));
        Assert.Equal(4, rows[1]);
        Assert.True(double.IsNaN(x.LogSumExp(1).ToArray()[0]));
        Assert.Equal(4 + Math.Log(1 + Math.Exp(-1)), x.LogSumExp(1).ToArray()[1], 14);
    }
}
