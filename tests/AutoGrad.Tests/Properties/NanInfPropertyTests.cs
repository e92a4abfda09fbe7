using FsCheck;
using FsCheck.Fluent;

namespace AutoGrad.Tests.Properties;

/// <summary>
/// The NaN and infinity rules of docs/nan-inf.md, checked on random expression graphs (<see cref="ExprGraph"/>) whose
/// inputs include ±1e4, ±1e300 (±1e30 in float32), ±0, NaN, ±∞ and subnormals, and on every elementwise op.
/// </summary>
public class NanInfPropertyTests
{
    private static readonly double[] Special64 =
        [1e4, -1e4, 1e300, -1e300, 0.0, -0.0, double.NaN, double.PositiveInfinity, double.NegativeInfinity,
         double.Epsilon, -double.Epsilon, 1e-310, 2.2250738585072014e-308];

    private static readonly double[] Special32 =
        [1e4, -1e4, 1e30, -1e30, 0.0, -0.0, double.NaN, double.PositiveInfinity, double.NegativeInfinity,
         float.Epsilon, -float.Epsilon, 1e-40, 1.17549435e-38];

    /// <summary>Inputs of the graph's shapes where each element is, with probability ½, one of the special values.</summary>
    private static Tensor[] ExtremeInputs(ExprGraph g, long seed, DType dtype)
    {
        var rng = new Rng(seed);
        var special = dtype == DType.Float64 ? Special64 : Special32;
        return g.InputShapes.Select(s =>
        {
            var v = new double[ExprGraph.Count(s)];
            for (int i = 0; i < v.Length; i++)
                v[i] = rng.NextInt(2) == 0 ? special[rng.NextInt(special.Length)] : 6 * rng.NextDouble() - 3;
            var t = Tensor.FromArray(v, [v.Length]).Reshape(s);
            return dtype == DType.Float64 ? t : Tensor.FromArray(v.Select(d => (float)d).ToArray(), [v.Length]).Reshape(s);
        }).ToArray();
    }

    private static DType TypeOf(GraphCase c) => (c.Seed & 1) == 0 ? DType.Float64 : DType.Float32;

    private static Tensor[] Leaves(Tensor[] xs) => xs.Select(x => x.Detach().RequireGrad()).ToArray();

    [Fact]
    public void Rule_c_no_op_throws_on_extreme_but_valid_values()
    {
        // Values, gradients and Hessian-vector products may be ±∞ or NaN here; what must not happen is an exception.
        Prop.ForAll(Props.Graphs(), c =>
        {
            var g = c.Graph;
            var type = TypeOf(c);
            var xs = ExtremeInputs(g, c.Seed, type);
            var w = g.RandomCotangent(c.Seed + 1, type);
            try
            {
                var leaves = Leaves(xs);
                var y = g.Eval(leaves);
                Props.Ensure(y.DType == type && y.Shape.SequenceEqual(g.OutputShape), () => $"{c}: output {y.DType} {ExprGraph.Fmt(y.Shape)}\n{g}");
                y.Backward(w);
                // An input the output does not use gets no gradient; the others get one of their shape and type.
                Props.Ensure(leaves.All(l => l.Grad is not { } gr || gr.Shape.SequenceEqual(l.Shape) && gr.DType == type), () => $"{c}: a gradient is misshapen\n{g}");
                if (c.Seed % 4 < 2)
                {
                    Tensor F(Tensor[] a) => (g.Eval(a) * w).Sum();
                    var hv = Diff.Hvp(F, xs, g.RandomInputs(c.Seed + 2, type));
                    Props.Ensure(hv.Zip(xs).All(p => p.First.Shape.SequenceEqual(p.Second.Shape)), () => $"{c}: a Hessian-vector product is misshapen\n{g}");
                }
            }
            catch (Exception e) when (e is not PropertyFailure)
            {
                throw new PropertyFailure($"{c} ({type}) threw {e.GetType().Name}: {e.Message}\ninputs {string.Join(" | ", xs.Select(x => x.ToString()))}\n{g}");
            }
        }).Check(Props.Config(600));
    }

    [Fact]
    public void Rule_b_moderate_inputs_give_finite_values_gradients_and_Hessian_vector_products_in_both_types()
    {
        Prop.ForAll(Props.Graphs(), c =>
        {
            var g = c.Graph;
            var type = TypeOf(c);
            var xs = g.RandomInputs(c.Seed, type);
            var w = g.RandomCotangent(c.Seed + 1, type);
            Tensor F(Tensor[] a) => (g.Eval(a) * w).Sum();
            var (value, grads, hvps) = Diff.ValueGradHvp(F, xs, g.RandomInputs(c.Seed + 2, type));
            Props.Ensure(double.IsFinite(value.Item()), () => $"{c} ({type}): value {value.Item()}\n{g}");
            Props.Ensure(grads.All(t => t.ToArray().All(double.IsFinite)), () => $"{c} ({type}): a gradient is not finite\n{g}");
            Props.Ensure(hvps.All(t => t.ToArray().All(double.IsFinite)), () => $"{c} ({type}): a Hessian-vector product is not finite\n{g}");
        }).Check(Props.Config(400));
    }

    [Fact]
    public void Rule_a_a_NaN_that_reaches_the_output_makes_it_NaN_and_backward_still_runs()
    {
        // "Reaches" is decided at a finite point: an input element x_i with ∂⟨w, out⟩/∂x_i ≠ 0 lies on a path of ops
        // whose local derivatives are all non-zero; replacing it with NaN must then give a NaN somewhere in the output.
        // (An element that only feeds a comparison, a mask or a flat piece may legitimately not propagate.)
        Prop.ForAll(Props.Graphs(), c =>
        {
            var g = c.Graph;
            var type = TypeOf(c);
            var xs = g.RandomInputs(c.Seed, type);
            var w = g.RandomCotangent(c.Seed + 1, type);
            var grads = Diff.Grad(a => (g.Eval(a) * w).Sum(), xs);
            var candidates = grads.SelectMany((gr, k) => gr.ToArray().Select((d, i) => (k, i, d))).Where(t => t.d != 0 && double.IsFinite(t.d)).ToArray();
            if (candidates.Length == 0) return;
            var (input, index, _) = candidates[new Rng(c.Seed + 3).NextInt(candidates.Length)];
            var values = xs[input].ToArray();
            values[index] = double.NaN;
            var poisoned = (Tensor[])xs.Clone();
            poisoned[input] = (type == DType.Float64 ? Tensor.FromArray(values, [values.Length]) : Tensor.FromArray(values.Select(d => (float)d).ToArray(), [values.Length]))
                .Reshape(xs[input].Shape);
            var leaves = Leaves(poisoned);
            var y = g.Eval(leaves);
            Props.Ensure(y.ToArray().Any(double.IsNaN), () => $"{c} ({type}): NaN at input {input}[{index}] did not reach the output {y}\n{g}");
            y.Backward(w);
            Props.Ensure(leaves[input].Grad is not null, () => $"{c}: backward left the poisoned input's gradient unset\n{g}");
        }).Check(Props.Config(400));
    }

    /// <summary>Elementwise ops with a domain-safe argument where needed; the NaN is placed before the domain guard.</summary>
    private static readonly (string Name, Func<Tensor, Tensor> F)[] Unary =
    [
        ("Neg", t => -t), ("Exp", t => t.Exp()), ("Log", t => (t.Abs() + 0.1).Log()), ("Log1p", t => t.Abs().Log1p()),
        ("Sqrt", t => (t.Abs() + 0.1).Sqrt()), ("Abs", t => t.Abs()), ("Sign", t => t.Sign() * t), ("Sin", t => t.Sin()),
        ("Cos", t => t.Cos()), ("Tanh", t => t.Tanh()), ("Sigmoid", t => t.Sigmoid()), ("Relu", t => t.Relu()),
        ("Softplus", t => t.Softplus()), ("Square", t => t.Square()), ("Pow3", t => t.Pow(3)), ("Pow-1.5", t => (t.Abs() + 0.5).Pow(-1.5)),
        ("Clamp", t => t.Clamp(-0.5, 0.7)), ("Maximum(x, 0.2)", t => Tensor.Maximum(t, 0.2)), ("Minimum(x, 0.2)", t => Tensor.Minimum(t, 0.2)),
        ("Affine", t => 3.0 * t - 2.0), ("Div", t => 1.0 / (t.Square() + 1.0)),
    ];

    private static readonly (string Name, Func<Tensor, Tensor, Tensor> F)[] Binary =
    [
        ("Add", (a, b) => a + b), ("Sub", (a, b) => a - b), ("Mul", (a, b) => a * b), ("Div", (a, b) => a / (b.Square() + 0.5)),
        ("Maximum", Tensor.Maximum), ("Minimum", Tensor.Minimum), ("Pow", (a, b) => (a.Abs() + 0.5).Pow(b)),
        ("Where", (a, b) => Tensor.Where(Tensor.FromArray(Enumerable.Range(0, a.Count).Select(i => (double)(i % 2)).ToArray()).To(a.DType), a, b)),
    ];

    private static bool SameBits(double a, double b) => a.Equals(b) && (a != 0 || double.IsNegative(a) == double.IsNegative(b));

    /// <summary>
    /// Equal up to a few ulps, and NaN exactly where the other is NaN. Not bit-identical: TensorPrimitives' float32
    /// Sin/Cos take a slower path for the whole SIMD vector when one lane is huge, which moves the other lanes by an ulp.
    /// </summary>
    private static bool Unchanged(double a, double b, DType type) =>
        SameBits(a, b) || double.IsFinite(a) && double.IsFinite(b) && Math.Abs(a - b) <= 4 * (type == DType.Float64 ? 2.2e-16 : 1.2e-7) * Math.Abs(a);

    [Fact]
    public void Rule_d_a_NaN_or_infinity_in_one_element_leaves_the_other_elements_gradients_and_curvature_unchanged()
    {
        Prop.ForAll(Props.Seeds, seed =>
        {
            var rng = new Rng(seed);
            var type = (seed & 1) == 0 ? DType.Float64 : DType.Float32;
            int n = 2 + rng.NextInt(7), k = rng.NextInt(n);
            double bad = new[] { double.NaN, double.PositiveInfinity, double.NegativeInfinity, 1e300, -1e300 }[rng.NextInt(5)];
            double[] Draw() => Enumerable.Range(0, n).Select(_ => 4 * rng.NextDouble() - 2).ToArray();
            Tensor T(double[] v) => type == DType.Float64 ? Tensor.FromArray(v) : Tensor.FromArray(v.Select(d => (float)d).ToArray());
            double[] a = Draw(), b = Draw(), w = Draw(), v = Draw();
            var aBad = (double[])a.Clone(); aBad[k] = bad;

            void Compare(string name, Func<Tensor[], Tensor> f, Tensor[] clean, Tensor[] dirty)
            {
                Tensor Obj(Tensor[] x) => (f(x) * T(w)).Sum();
                var vs = clean.Select(_ => T(v)).ToArray();
                var (_, g0, h0) = Diff.ValueGradHvp(Obj, clean, vs);
                var (_, g1, h1) = Diff.ValueGradHvp(Obj, dirty, vs);
                var y0 = f(clean).ToArray(); var y1 = f(dirty).ToArray();
                for (int j = 0; j < n; j++)
                {
                    if (j == k) continue;
                    Props.Ensure(Unchanged(y0[j], y1[j], type), () => $"{name} ({type}): value {j} changed from {y0[j]} to {y1[j]} when element {k} became {bad}");
                    for (int i = 0; i < clean.Length; i++)
                    {
                        double p = g0[i].ToArray()[j], q = g1[i].ToArray()[j], r = h0[i].ToArray()[j], s = h1[i].ToArray()[j];
                        Props.Ensure(Unchanged(p, q, type), () => $"{name} ({type}): ∂/∂x{i}[{j}] changed from {p} to {q} when element {k} became {bad}");
                        Props.Ensure(Unchanged(r, s, type), () => $"{name} ({type}): (Hv)_{i}[{j}] changed from {r} to {s} when element {k} became {bad}");
                    }
                }
            }

            foreach (var (name, f) in Unary) Compare(name, x => f(x[0]), [T(a)], [T(aBad)]);
            foreach (var (name, f) in Binary)
            {
                Compare(name + " (left)", x => f(x[0], x[1]), [T(a), T(b)], [T(aBad), T(b)]);
                Compare(name + " (right)", x => f(x[1], x[0]), [T(a), T(b)], [T(aBad), T(b)]);
            }
        }).Check(Props.Config(150));
    }

    [Fact]
    public void Elementwise_ops_at_infinity_and_NaN_follow_the_documented_table()
    {
        // f(x) and f′(x) at −∞, +∞ and NaN, as docs/nan-inf.md lists them. NaN in the table means NaN.
        const double I = double.PositiveInfinity, N = double.NaN;
        (string Name, Func<Tensor, Tensor> F, double[] Y, double[] D)[] table =
        [
            ("Exp", t => t.Exp(), [0, I, N], [0, I, N]),
            ("Log", t => t.Log(), [N, I, N], [-0.0, 0, N]),
            ("Sqrt", t => t.Sqrt(), [N, I, N], [N, 0, N]),
            ("Tanh", t => t.Tanh(), [-1, 1, N], [0, 0, N]),
            ("Sigmoid", t => t.Sigmoid(), [0, 1, N], [0, 0, N]),
            ("Softplus", t => t.Softplus(), [0, I, N], [0, 1, N]),
            ("Relu", t => t.Relu(), [0, I, N], [0, 1, 0]),
            ("Abs", t => t.Abs(), [I, I, N], [-1, 1, N]),
            ("Sign", t => t.Sign(), [-1, 1, N], [0, 0, 0]),
            ("Sin", t => t.Sin(), [N, N, N], [N, N, N]),
            ("Clamp(−1, 1)", t => t.Clamp(-1, 1), [-1, 1, N], [0, 0, 0]),
            ("Square", t => t.Square(), [I, I, N], [-I, I, N]),
            ("Pow(−1)", t => t.Pow(-1), [-0.0, 0, N], [-0.0, -0.0, N]),
        ];
        foreach (var type in new[] { DType.Float64, DType.Float32 })
            foreach (var (name, f, ys, ds) in table)
            {
                var x = Tensor.FromArray([-I, I, N]).To(type);
                var y = f(x).ToArray();
                var d = Diff.Grad(t => f(t).Sum(), x).ToArray();
                for (int i = 0; i < 3; i++)
                {
                    Assert.True(SameBits(ys[i], y[i]), $"{name}({x.ToArray()[i]}) = {y[i]} in {type}, the table says {ys[i]}");
                    Assert.True(SameBits(ds[i], d[i]), $"{name}′({x.ToArray()[i]}) = {d[i]} in {type}, the table says {ds[i]}");
                }
            }
    }
}
