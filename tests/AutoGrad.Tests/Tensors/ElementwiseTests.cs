using AutoGrad;
using AutoGrad.Tests.Kernels;
using FsCheck;
using FsCheck.Fluent;

namespace AutoGrad.Tests.Tensors;

/// <summary>
/// Elementwise operations on tensors, forward only: every binary operation, comparison and Where on random
/// broadcast-compatible shapes (rank 0–4, size-1 and size-0 dimensions) against a naive loop over the
/// broadcast index space, in float64 and float32; unary operations against Math.
/// </summary>
public class ElementwiseTests
{
    /// <summary>An operand shape that broadcasts to <paramref name="target"/>: leading dimensions dropped, some set to 1.</summary>
    internal static Gen<int[]> BroadcastableTo(int[] target) =>
        from drop in Gen.Choose(0, target.Length)
        from ones in Gen.Frequency((2, Gen.Constant(true)), (5, Gen.Constant(false))).ArrayOf(target.Length - drop)
        select target.Skip(drop).Select((d, i) => ones[i] ? 1 : d).ToArray();

    internal sealed record BroadcastCase(int[] Out, int[][] Operands, int Seed)
    {
        public override string ToString() => $"operands {string.Join(" ", Operands.Select(Fmt))} → {Fmt(Out)}, seed {Seed}";
    }

    internal static string Fmt(int[] s) => "[" + string.Join(", ", s) + "]";

    /// <summary>Operand shapes cut from one random shape; <see cref="BroadcastCase.Out"/> is their broadcast.</summary>
    internal static Gen<BroadcastCase> Cases(int operands) =>
        from full in StridedTests.Shapes()
        from shapes in Gen.CollectToArray(Enumerable.Range(0, operands).Select(_ => BroadcastableTo(full)))
        from seed in Gen.Choose(0, 1 << 30)
        select new BroadcastCase(shapes.Aggregate(Array.Empty<int>(), Broadcast), shapes, seed);

    /// <summary>Values with many ties (small integers and halves) and some arbitrary reals.</summary>
    internal static Tensor Values(int[] shape, Rng r, DType dtype)
    {
        int n = shape.Aggregate(1, (a, d) => a * d);
        var v = new double[n];
        for (int i = 0; i < n; i++) v[i] = r.NextDouble() < 0.5 ? (r.NextInt(9) - 4) / 2.0 : r.NextGaussian() * 3;
        var t = Tensor.FromArray(v, shape.Length == 0 ? [1] : shape).Reshape(shape);
        return t.To(dtype);
    }

    /// <summary>The operand's element read at output index <paramref name="idx"/> under NumPy broadcasting.</summary>
    internal static double Read(Tensor t, int[] idx)
    {
        var shape = t.Shape;
        var j = new int[shape.Length];
        int off = idx.Length - shape.Length;
        for (int k = 0; k < shape.Length; k++) j[k] = shape[k] == 1 ? 0 : idx[k + off];
        return t.At(j);
    }

    private static double B(bool b) => b ? 1 : 0;

    private sealed record BinaryOp(Func<Tensor, Tensor, Tensor> Op, Func<double, double, double> RefD, Func<float, float, float> RefF, long Ulps = 0);

    private static readonly Dictionary<string, BinaryOp> Binary = new()
    {
        ["+"] = new((a, b) => a + b, (x, y) => x + y, (x, y) => x + y),
        ["-"] = new((a, b) => a - b, (x, y) => x - y, (x, y) => x - y),
        ["*"] = new((a, b) => a * b, (x, y) => x * y, (x, y) => x * y),
        ["/"] = new((a, b) => a / b, (x, y) => x / y, (x, y) => x / y),
        ["Add"] = new(Tensor.Add, (x, y) => x + y, (x, y) => x + y),
        ["Subtract"] = new(Tensor.Subtract, (x, y) => x - y, (x, y) => x - y),
        ["Multiply"] = new(Tensor.Multiply, (x, y) => x * y, (x, y) => x * y),
        ["Divide"] = new(Tensor.Divide, (x, y) => x / y, (x, y) => x / y),
        ["Pow"] = new((a, b) => a.Pow(b), Math.Pow, MathF.Pow, 1),
        ["Maximum"] = new(Tensor.Maximum, Math.Max, MathF.Max),
        ["Minimum"] = new(Tensor.Minimum, Math.Min, MathF.Min),
        [">"] = new((a, b) => a > b, (x, y) => B(x > y), (x, y) => (float)B(x > y)),
        ["<"] = new((a, b) => a < b, (x, y) => B(x < y), (x, y) => (float)B(x < y)),
        [">="] = new((a, b) => a >= b, (x, y) => B(x >= y), (x, y) => (float)B(x >= y)),
        ["<="] = new((a, b) => a <= b, (x, y) => B(x <= y), (x, y) => (float)B(x <= y)),
        ["Eq"] = new((a, b) => a.Eq(b), (x, y) => B(x == y), (x, y) => (float)B(x == y)),
        ["Ne"] = new((a, b) => a.Ne(b), (x, y) => B(x != y), (x, y) => (float)B(x != y)),
    };

    private static void AssertElementwise(string what, BroadcastCase c, Tensor result, Tensor[] operands,
        Func<double[], double> reference, long ulps)
    {
        if (!result.Shape.SequenceEqual(c.Out)) throw new Exception($"{what}, {c}: shape {Fmt(result.Shape)}");
        foreach (var idx in StridedTests.Indices(c.Out))
        {
            double expected = reference(operands.Select(o => Read(o, idx)).ToArray());
            double actual = result.At(idx);
            bool ok = result.DType == DType.Float64
                ? Ulp.Distance(actual, expected) <= ulps
                : Ulp.Distance((float)actual, (float)expected) <= ulps;
            if (!ok) throw new Exception($"{what} ({result.DType.Name()}), {c}: at {Fmt(idx)} got {actual}, expected {expected}");
        }
    }

    [Fact]
    public void Binary_operations_broadcast_like_a_naive_loop()
    {
        Seeded.Check(Cases(2), c =>
        {
            foreach (var dtype in (DType[])[DType.Float64, DType.Float32])
            {
                var r = new Rng(c.Seed);
                var a = Values(c.Operands[0], r, dtype);
                var b = Values(c.Operands[1], r, dtype);
                foreach (var (name, op) in Binary)
                {
                    var y = op.Op(a, b);
                    if (y.DType != dtype) throw new Exception($"{name}: result is {y.DType.Name()}");
                    Func<double[], double> reference = dtype == DType.Float64
                        ? v => op.RefD(v[0], v[1])
                        : v => op.RefF((float)v[0], (float)v[1]);
                    AssertElementwise(name, c, y, [a, b], reference, op.Ulps);
                }
            }
        }, seed: 201, cases: 150);
    }

    [Fact]
    public void Operations_with_a_constant_take_the_tensor_element_type()
    {
        Seeded.Check(Cases(1), c =>
        {
            foreach (var dtype in (DType[])[DType.Float64, DType.Float32])
            {
                var r = new Rng(c.Seed);
                var a = Values(c.Operands[0], r, dtype);
                // A constant that float32 cannot hold exactly, so a float64 computation would show.
                const double k = 0.1;
                float kf = (float)k;
                var ops = new (string, Func<Tensor, Tensor>, Func<double, double>, Func<float, float>)[]
                {
                    ("a + k", t => t + k, x => x + k, x => x + kf), ("k + a", t => k + t, x => k + x, x => kf + x),
                    ("a - k", t => t - k, x => x - k, x => x - kf), ("k - a", t => k - t, x => k - x, x => kf - x),
                    ("a * k", t => t * k, x => x * k, x => x * kf), ("k * a", t => k * t, x => k * x, x => kf * x),
                    ("a / k", t => t / k, x => x / k, x => x / kf), ("k / a", t => k / t, x => k / x, x => kf / x),
                    ("a > k", t => t > k, x => B(x > k), x => (float)B(x > kf)), ("a < k", t => t < k, x => B(x < k), x => (float)B(x < kf)),
                    ("a >= 0.5", t => t >= 0.5, x => B(x >= 0.5), x => (float)B(x >= 0.5f)),
                    ("a <= 0.5", t => t <= 0.5, x => B(x <= 0.5), x => (float)B(x <= 0.5f)),
                    ("Eq(0.5)", t => t.Eq(0.5), x => B(x == 0.5), x => (float)B(x == 0.5f)),
                    ("Ne(0.5)", t => t.Ne(0.5), x => B(x != 0.5), x => (float)B(x != 0.5f)),
                    ("Maximum(a, 0.5)", t => Tensor.Maximum(t, 0.5), x => Math.Max(x, 0.5), x => MathF.Max(x, 0.5f)),
                    ("Minimum(a, 0.5)", t => Tensor.Minimum(t, 0.5), x => Math.Min(x, 0.5), x => MathF.Min(x, 0.5f)),
                    ("Clamp(-1, 0.5)", t => t.Clamp(-1, 0.5), x => Math.Clamp(x, -1, 0.5), x => Math.Clamp(x, -1f, 0.5f)),
                    ("Clamp(max: 0)", t => t.Clamp(max: 0), x => Math.Min(x, 0), x => MathF.Min(x, 0)),
                };
                foreach (var (name, f, refD, refF) in ops)
                {
                    var y = f(a);
                    if (y.DType != dtype) throw new Exception($"{name}: result is {y.DType.Name()}");
                    Func<double[], double> reference = dtype == DType.Float64 ? v => refD(v[0]) : v => refF((float)v[0]);
                    AssertElementwise(name, c with { Out = c.Operands[0] }, y, [a], reference, 0);
                }
            }
        }, seed: 202, cases: 100);
    }

    [Fact]
    public void Where_broadcasts_all_three_operands()
    {
        Seeded.Check(Cases(3), c =>
        {
            foreach (var dtype in (DType[])[DType.Float64, DType.Float32])
            {
                var r = new Rng(c.Seed);
                var mask = Values(c.Operands[0], r, dtype) > 0.0;
                var a = Values(c.Operands[1], r, dtype);
                var b = Values(c.Operands[2], r, dtype);
                AssertElementwise("Where", c, Tensor.Where(mask, a, b), [mask, a, b], v => v[0] != 0 ? v[1] : v[2], 0);
                // With a constant branch the result takes the tensor operands' broadcast shape.
                var ma = Tensor.Where(mask, a, -7.0);
                AssertElementwise("Where(m, a, k)", c with { Out = Broadcast(c.Operands[0], c.Operands[1]) }, ma, [mask, a], v => v[0] != 0 ? v[1] : -7, 0);
                var mb = Tensor.Where(mask, 9.0, b);
                AssertElementwise("Where(m, k, b)", c with { Out = Broadcast(c.Operands[0], c.Operands[2]) }, mb, [mask, b], v => v[0] != 0 ? 9 : v[1], 0);
            }
        }, seed: 203, cases: 100);
    }

    /// <summary>NumPy's broadcast of two shapes known to be compatible.</summary>
    internal static int[] Broadcast(int[] a, int[] b)
    {
        int n = Math.Max(a.Length, b.Length);
        var r = new int[n];
        for (int i = 0; i < n; i++)
        {
            int da = i < n - a.Length ? 1 : a[i - (n - a.Length)], db = i < n - b.Length ? 1 : b[i - (n - b.Length)];
            r[i] = da == 1 ? db : da;
        }
        return r;
    }

    [Fact]
    public void Comparisons_treat_nan_as_unordered_and_are_not_recorded()
    {
        var x = Tensor.FromArray([double.NaN, 1, double.NegativeInfinity, -0.0]).RequireGrad();
        var y = Tensor.FromArray([double.NaN, double.NaN, double.NegativeInfinity, 0.0]);
        Assert.Equal([0.0, 0, 0, 0], (x > y).ToArray());
        Assert.Equal([0.0, 0, 1, 1], (x >= y).ToArray());
        Assert.Equal([0.0, 0, 1, 1], x.Eq(y).ToArray());
        Assert.Equal([1.0, 1, 0, 0], x.Ne(y).ToArray());
        Assert.Equal([0.0, 0, 0, 0], (x < y).ToArray());
        // Masks are constants: not recorded on the tape even when an input requires gradients.
        var m = x > 0.0;
        Assert.False(m.RequiresGrad);
        Assert.True(m.IsLeaf);
        Assert.Equal(DType.Float64, m.DType);
        Assert.Equal(DType.Float32, (x.To(DType.Float32) > 0.0).DType);
    }

    [Fact]
    public void Maximum_and_minimum_propagate_nan()
    {
        var a = Tensor.FromArray([double.NaN, 1, 2]);
        var b = Tensor.FromArray([0.0, double.NaN, 3]);
        var mx = Tensor.Maximum(a, b).ToArray();
        var mn = Tensor.Minimum(a, b).ToArray();
        Assert.True(double.IsNaN(mx[0]) && double.IsNaN(mx[1]) && double.IsNaN(mn[0]) && double.IsNaN(mn[1]));
        Assert.Equal(3, mx[2]);
        Assert.Equal(2, mn[2]);
    }

    private sealed record UnaryOp(Func<Tensor, Tensor> Op, Func<double, double> Ref, Func<double, double> Domain, long Ulps);

    private static double SigmoidRef(double x) => x >= 0 ? 1 / (1 + Math.Exp(-x)) : Math.Exp(x) / (1 + Math.Exp(x));

    private static readonly Dictionary<string, UnaryOp> Unary = new()
    {
        ["Neg"] = new(t => t.Neg(), x => -x, x => x, 0),
        ["-"] = new(t => -t, x => -x, x => x, 0),
        ["Exp"] = new(t => t.Exp(), Math.Exp, x => x, 2),
        ["Log"] = new(t => t.Log(), Math.Log, x => Math.Abs(x) + 0.01, 2),
        ["Log1p"] = new(t => t.Log1p(), DoubleDouble.Log1p, x => Math.Abs(x) - 0.99, 2),
        ["Sqrt"] = new(t => t.Sqrt(), Math.Sqrt, Math.Abs, 0),
        ["Abs"] = new(t => t.Abs(), Math.Abs, x => x, 0),
        ["Sign"] = new(t => t.Sign(), x => Math.Sign(x), x => x, 0),
        ["Sin"] = new(t => t.Sin(), Math.Sin, x => x, 1),
        ["Cos"] = new(t => t.Cos(), Math.Cos, x => x, 1),
        ["Tanh"] = new(t => t.Tanh(), Math.Tanh, x => x, 2),
        ["Sigmoid"] = new(t => t.Sigmoid(), SigmoidRef, x => x, 2),
        ["Relu"] = new(t => t.Relu(), x => Math.Max(x, 0), x => x, 0),
        ["Softplus"] = new(t => t.Softplus(), x => Math.Max(x, 0) + DoubleDouble.Log1p(Math.Exp(-Math.Abs(x))), x => x, 3),
        ["Square"] = new(t => t.Square(), x => x * x, x => x, 0),
        ["Pow(3)"] = new(t => t.Pow(3), x => Math.Pow(x, 3), x => x, 1),
        ["Pow(-1.5)"] = new(t => t.Pow(-1.5), x => Math.Pow(x, -1.5), x => Math.Abs(x) + 0.01, 1),
        ["Pow(0)"] = new(t => t.Pow(0), x => 1, x => x, 0),
    };

    [Fact]
    public void Unary_operations_match_math_on_random_shapes()
    {
        Seeded.Check(Cases(1), c =>
        {
            var x = Values(c.Operands[0], new Rng(c.Seed), DType.Float64);
            var c1 = c with { Out = c.Operands[0] };
            foreach (var (name, op) in Unary)
            {
                var xin = Tensor.FromArray(x.ToArray().Select(op.Domain).ToArray(), c1.Out.Length == 0 ? [1] : c1.Out).Reshape(c1.Out);
                AssertElementwise(name, c1, op.Op(xin), [xin], v => op.Ref(v[0]), op.Ulps);
                var xf = xin.To(DType.Float32);
                var yf = op.Op(xf);
                if (yf.DType != DType.Float32) throw new Exception($"{name}: float32 input gave {yf.DType.Name()}");
                // float32 against the float64 reference rounded: a few float ulps.
                foreach (var idx in StridedTests.Indices(c1.Out))
                {
                    float expected = (float)op.Ref(xf.At(idx)), actual = (float)yf.At(idx);
                    if (Ulp.Distance(actual, expected) > 4)
                        throw new Exception($"{name} (float32), {c1}: at {Fmt(idx)} got {actual}, expected {expected}");
                }
            }
        }, seed: 204, cases: 60);
    }
}
