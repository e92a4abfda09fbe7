using FsCheck;
using FsCheck.Fluent;

namespace AutoGrad.Tests.Properties;

/// <summary>
/// Laws of reverse-mode differentiation on random expression graphs: linearity of the vector-Jacobian product in
/// its seed, linearity of the gradient in the function, accumulation into Grad, the broadcast adjoint and the
/// symmetry of the Hessian. Rounding is judged against the sizes of the terms, with a floor proportional to the
/// seeds or directions for results that are zero in exact arithmetic (softmax of a broadcast scalar has zero gradient,
/// computed as rounding noise).
/// </summary>
public class LawTests
{
    /// <summary>F(x) = ⟨w, f(x)⟩ for a fixed random w: a scalar function of the graph's inputs (float64 or float32).</summary>
    private static Func<Tensor[], Tensor> Weighted(ExprGraph g, long seed)
    {
        var w = g.RandomCotangent(seed);
        return xs => (g.Eval(xs) * w.To(xs[0].DType)).Sum();
    }

    private static double Coefficient(Rng r) => Math.Round(6 * r.NextDouble() - 3, 3);

    private static Tensor Or0(Tensor? grad, Tensor like) => grad ?? Tensor.ZerosLike(like);

    [Fact]
    public void The_vector_Jacobian_product_is_linear_in_the_seed()
    {
        Prop.ForAll(Props.Graphs(), c =>
        {
            var g = c.Graph;
            var xs = g.RandomInputs(c.Seed);
            var rng = new Rng(c.Seed + 1);
            double a = Coefficient(rng), b = Coefficient(rng);
            var u = g.RandomCotangent(c.Seed + 2);
            var v = g.RandomCotangent(c.Seed + 3);
            var seed = u * a + v * b;
            var ju = Diff.Vjp(g.Eval, xs, u).Vjp;
            var jv = Diff.Vjp(g.Eval, xs, v).Vjp;
            var jw = Diff.Vjp(g.Eval, xs, seed).Vjp;

            // The same product through Tensor.Backward with a seed, accumulated into the leaves' Grad.
            var leaves = xs.Select(x => x.Detach().RequireGrad()).ToArray();
            g.Eval(leaves).Backward(seed);

            for (int i = 0; i < xs.Length; i++)
            {
                var expected = ju[i] * a + jv[i] * b;
                double scale = Math.Abs(a) * Props.MaxAbs(ju[i]) + Math.Abs(b) * Props.MaxAbs(jv[i]);
                double err = Props.MaxDiff(jw[i], expected);
                double floor = 1e-10 * (Math.Abs(a) * Props.MaxAbs(u) + Math.Abs(b) * Props.MaxAbs(v));
                Props.Ensure(err <= 1e-9 * scale + floor,
                    () => $"{c}, a = {a}, b = {b}, input {i}: VJP(a·u + b·v) − (a·VJP(u) + b·VJP(v)) = {err:E3} (scale {scale:E3})\n{g}");
                double err2 = Props.MaxDiff(Or0(leaves[i].Grad, xs[i]), jw[i]);
                Props.Ensure(err2 <= 1e-12 * Props.MaxAbs(jw[i]) + floor,
                    () => $"{c}, input {i}: Backward(seed) into Grad differs from Diff.Vjp by {err2:E3}\n{g}");
            }
        }).Check(Props.Config(60));
    }

    [Fact]
    public void The_gradient_of_a_sum_is_the_sum_of_the_gradients_and_scales_with_the_function()
    {
        Prop.ForAll(Props.Graphs(), Props.Graphs(), (c1, c2) =>
        {
            var g1 = c1.Graph;
            var g2 = ExprGraph.Generate(c2.Seed, c2.Size, g1.InputShapes);
            var f = Weighted(g1, c1.Seed + 1);
            var h = Weighted(g2, c2.Seed + 1);
            var xs = g1.RandomInputs(c1.Seed);
            double k = Coefficient(new Rng(c2.Seed));
            var gf = Diff.Grad(f, xs);
            var gh = Diff.Grad(h, xs);
            var gsum = Diff.Grad(a => f(a) + h(a), xs);
            var gscaled = Diff.Grad(a => f(a) * k, xs);
            string Case() => $"{c1} + {c2}, c = {k}\nf:\n{g1}g:\n{g2}";
            for (int i = 0; i < xs.Length; i++)
            {
                double err = Props.MaxDiff(gsum[i], gf[i] + gh[i]);
                double scale = Props.MaxAbs(gf[i]) + Props.MaxAbs(gh[i]);
                Props.Ensure(err <= 1e-10 * scale + 1e-10, () => $"∇(f + g) − (∇f + ∇g) = {err:E3} at input {i} (scale {scale:E3})\n{Case()}");
                double err2 = Props.MaxDiff(gscaled[i], gf[i] * k);
                Props.Ensure(err2 <= 1e-10 * Math.Abs(k) * (Props.MaxAbs(gf[i]) + 1), () => $"∇(c·f) − c·∇f = {err2:E3} at input {i}\n{Case()}");
            }
        }).Check(Props.Config(50));
    }

    [Fact]
    public void Backward_accumulates_into_Grad_ZeroGrad_resets_it_and_Diff_never_touches_it()
    {
        Prop.ForAll(Props.Graphs(), c =>
        {
            var g = c.Graph;
            var f = Weighted(g, c.Seed + 1);
            var xs = g.RandomInputs(c.Seed).Select(x => x.RequireGrad()).ToArray();
            string Case() => $"{c}\n{g}";

            var y = f(xs);
            y.Backward(retainGraph: true);
            var first = xs.Select(x => x.Grad?.ToArray()).ToArray();
            var buffers = xs.Select(x => x.Grad).ToArray();
            Props.Ensure(first.Any(a => a is not null), () => $"no input received a gradient\n{Case()}");

            // A second backward through the retained graph adds the same gradient again, in place: 2g (up to rounding
            // when a leaf receives several contributions: (g₁ + g₂) + g₁ + g₂ is not bit for bit 2(g₁ + g₂), and when
            // they cancel, as in x − x, the rounding is that of the contributions, not of their sum).
            y.Backward();
            for (int i = 0; i < xs.Length; i++)
            {
                var grad = xs[i].Grad;
                if (first[i] is null) { Props.Ensure(grad is null, () => $"input {i} is unreachable but got a Grad\n{Case()}"); continue; }
                Props.Ensure(ReferenceEquals(grad, buffers[i]), () => $"input {i}: the second backward replaced Grad instead of adding into it\n{Case()}");
                var twice = Tensor.FromArray(first[i]!.Select(v => 2 * v).ToArray(), [first[i]!.Length]);
                double err = Props.MaxDiff(grad!.Flatten(), twice);
                Props.Ensure(err <= 1e-12 * Props.MaxAbs(twice) + 1e-12, () => $"input {i}: Grad after two backward passes differs from 2·g by {err:E3}\n{Case()}");
            }

            // ZeroGrad zeroes in place; a new forward and backward then give g again, bit for bit.
            foreach (var x in xs) x.ZeroGrad();
            for (int i = 0; i < xs.Length; i++)
                Props.Ensure(first[i] is null ? xs[i].Grad is null : ReferenceEquals(xs[i].Grad, buffers[i]) && xs[i].Grad!.ToArray().All(v => v == 0),
                    () => $"input {i}: ZeroGrad did not zero Grad in place\n{Case()}");
            f(xs).Backward();
            for (int i = 0; i < xs.Length; i++)
                if (first[i] is { } g1)
                    Props.Ensure(xs[i].Grad!.ToArray().SequenceEqual(g1), () => $"input {i}: Grad after ZeroGrad and a new backward is not g\n{Case()}");

            // The functional forms and Diff.Grad on a graph neither write nor replace Grad.
            var before = xs.Select(x => x.Grad).ToArray();
            var snapshot = xs.Select(x => x.Grad?.ToArray()).ToArray();
            var dg = Diff.Grad(f, xs);
            Diff.ValueAndGrad(f, xs);
            Diff.Vjp(g.Eval, xs, g.RandomCotangent(c.Seed + 2));
            Diff.Grad(f(xs), xs);
            Diff.Grad(zs => Diff.Grad(f, zs)[0].Sum(), xs);
            for (int i = 0; i < xs.Length; i++)
            {
                Props.Ensure(ReferenceEquals(xs[i].Grad, before[i]), () => $"input {i}: a Diff function replaced Grad\n{Case()}");
                Props.Ensure(snapshot[i] is null || xs[i].Grad!.ToArray().SequenceEqual(snapshot[i]!), () => $"input {i}: a Diff function changed Grad\n{Case()}");
                var expected = first[i] is null ? Tensor.ZerosLike(xs[i]) : Tensor.FromArray(first[i]!, xs[i].Shape.Length == 0 ? [1] : [first[i]!.Length]).Reshape(xs[i].Shape);
                double err = Props.MaxDiff(dg[i], expected);
                Props.Ensure(err <= 1e-12 * Props.MaxAbs(expected), () => $"input {i}: Diff.Grad differs from Backward by {err:E3}\n{Case()}");
            }
            var fresh = g.RandomInputs(c.Seed).Select(x => x.RequireGrad()).ToArray();
            Diff.Grad(f, fresh);
            Props.Ensure(fresh.All(x => x.Grad is null), () => $"Diff.Grad set Grad on a leaf\n{Case()}");
        }).Check(Props.Config(60));
    }

    [Fact]
    public void Backward_from_two_outputs_accumulates_the_sum_of_their_gradients()
    {
        Prop.ForAll(Props.Graphs(), Props.Seeds, (c, s) =>
        {
            var g = c.Graph;
            var f = Weighted(g, c.Seed + 1);
            var h = Weighted(ExprGraph.Generate(s, 4, g.InputShapes), s + 1);
            var xs = g.RandomInputs(c.Seed).Select(x => x.RequireGrad()).ToArray();
            f(xs).Backward();
            h(xs).Backward();
            var expected = Diff.Grad(a => f(a) + h(a), xs);
            for (int i = 0; i < xs.Length; i++)
            {
                double err = Props.MaxDiff(Or0(xs[i].Grad, xs[i]), expected[i]);
                Props.Ensure(err <= 1e-10 * (Props.MaxAbs(expected[i]) + 1), () => $"{c}, h seed {s}, input {i}: accumulated Grad differs from ∇(f + h) by {err:E3}\n{g}");
            }
        }).Check(Props.Config(40));
    }

    [Fact]
    public void Diff_Grad_on_a_graph_gives_each_requested_tensor_its_own_gradient_whatever_else_is_requested()
    {
        // y = F(t, x) with t = G(x): the gradient for x is the total derivative (through t too), the one for t holds x
        // fixed, and neither changes when the other is requested as well, or twice.
        Prop.ForAll(Props.Graphs(6), Props.Graphs(6), Props.Seeds, (cg, cf, pick) =>
        {
            var gg = cg.Graph;
            var xs = gg.RandomInputs(cg.Seed).Select(x => x.RequireGrad()).ToArray();
            var t = gg.Eval(xs);
            if (xs.Contains(t)) t = t.Clone(); // SumTo to the same shape returns its input; t must be a tensor of its own.
            var fg = ExprGraph.Generate(cf.Seed, cf.Size, [t.Shape, .. gg.InputShapes]);
            var w = fg.RandomCotangent(cf.Seed + 1);
            Tensor F(Tensor tt, Tensor[] a) => (fg.Eval([tt, .. a]) * w).Sum();
            var y = F(t, xs);
            var totals = Diff.Grad(a => F(gg.Eval(a), a), xs.Select(x => x.Detach()).ToArray());
            var partialT = Diff.Grad(tt => F(tt, xs.Select(x => x.Detach()).ToArray()), t.Detach());

            var r = new Rng(pick);
            Tensor[] candidates = [t, .. xs];
            var requested = Enumerable.Range(0, 1 + r.NextInt(4)).Select(_ => r.NextInt(candidates.Length)).ToArray();
            var grads = Diff.Grad(y, requested.Select(k => candidates[k]).ToArray(), retainGraph: true);
            for (int j = 0; j < requested.Length; j++)
            {
                int k = requested[j];
                var expected = k == 0 ? partialT : totals[k - 1];
                double err = Props.MaxDiff(grads[j], expected);
                Props.Ensure(err <= 1e-10 * (Props.MaxAbs(expected) + 1), () =>
                    $"requested [{string.Join(", ", requested.Select(q => q == 0 ? "t" : $"x{q - 1}"))}]: entry {j} ({(k == 0 ? "t" : $"x{k - 1}")}) is off by {err:E3}\nt = G(x):\n{gg}F(t, x) (x0 stands for t):\n{fg}");
            }
        }).Check(Props.Config(60));
    }

    [Fact]
    public void Backward_with_createGraph_accumulates_a_differentiable_Grad()
    {
        var x = Tensor.FromArray([1.0, -2.0, 0.5]).RequireGrad();
        x.Pow(3).Sum().Backward(createGraph: true);
        x.Pow(3).Sum().Backward(createGraph: true);
        Assert.Equal([6.0, 24.0, 1.5], x.Grad!.ToArray());
        Assert.True(x.Grad.RequiresGrad);
        // Grad = 6x², so d/dx Σ Grad = 12x.
        Assert.Equal([12.0, -24.0, 6.0], Diff.Grad(x.Grad.Sum(), [x])[0].ToArray());
        x.ZeroGrad();
        Assert.Null(x.Grad);
    }

    [Fact]
    public void BroadcastTo_and_SumTo_are_adjoint()
    {
        Prop.ForAll(Props.Seeds, seed =>
        {
            var r = new Rng(seed);
            var to = RandomShape.Any(r, maxRank: 4);
            if (to.Length > 0 && r.NextInt(5) == 0) to[r.NextInt(to.Length)] = 0; // empty tensors too
            var from = ExprGraph.SubShape(r, to);
            var x = Tensor.Randn(from, r);
            var y = Tensor.Randn(to, r);
            string Case() => $"seed {seed}: {ExprGraph.Fmt(from)} → {ExprGraph.Fmt(to)}";

            var summed = y.SumTo(from);
            Props.Ensure(summed.Shape.SequenceEqual(from), () => $"{Case()}: SumTo gave shape {ExprGraph.Fmt(summed.Shape)}");
            double lhs = Props.Dot(x.BroadcastTo(to), y), rhs = Props.Dot(x, summed);
            double scale = Props.AbsDot(x.BroadcastTo(to), y);
            Props.Ensure(Math.Abs(lhs - rhs) <= 1e-12 * scale + 1e-300, () => $"{Case()}: ⟨BroadcastTo(x), y⟩ = {lhs:R} but ⟨x, SumTo(y)⟩ = {rhs:R}");

            // The engine undoes broadcasting with the same adjoint: explicit BroadcastTo, and implicit broadcasting in + and −.
            var explicitVjp = Diff.Vjp(a => a[0].BroadcastTo(to), [x], y).Vjp[0];
            var addVjp = Diff.Vjp(a => a[0] + Tensor.Zeros(to), [x], y).Vjp[0];
            var subVjp = Diff.Vjp(a => Tensor.Zeros(to) - a[0], [x], y).Vjp[0];
            static bool Same(Tensor a, Tensor b) => a.Shape.SequenceEqual(b.Shape) && a.ToArray().SequenceEqual(b.ToArray()); // −0 = +0
            Props.Ensure(Same(explicitVjp, summed), () => $"{Case()}: the VJP of BroadcastTo is not SumTo");
            Props.Ensure(Same(addVjp, summed), () => $"{Case()}: the VJP of a broadcasting + is not SumTo");
            Props.Ensure(Same(subVjp, -summed), () => $"{Case()}: the VJP of a broadcasting − is not −SumTo");
        }).Check(Props.Config(200));
    }

    [Fact]
    public void The_Hessian_is_symmetric()
    {
        Prop.ForAll(Props.Graphs(), c =>
        {
            var g = c.Graph;
            var f = Weighted(g, c.Seed + 1);
            var xs = g.RandomInputs(c.Seed);
            var u = g.RandomInputs(c.Seed + 2);
            var v = g.RandomInputs(c.Seed + 3);
            Tensor[] Hvp(Tensor[] dir) => Diff.Grad(zs =>
            {
                var grad = Diff.Grad(f, zs);
                var acc = (grad[0] * dir[0]).Sum();
                for (int i = 1; i < grad.Length; i++) acc += (grad[i] * dir[i]).Sum();
                return acc;
            }, xs);
            var hv = Hvp(v);
            var hu = Hvp(u);
            double uHv = 0, vHu = 0, scale = 0, uu = 0, vv = 0;
            for (int i = 0; i < xs.Length; i++)
            {
                uHv += Props.Dot(u[i], hv[i]);
                vHu += Props.Dot(v[i], hu[i]);
                scale += Props.AbsDot(u[i], hv[i]) + Props.AbsDot(v[i], hu[i]);
                uu += Props.Dot(u[i], u[i]);
                vv += Props.Dot(v[i], v[i]);
            }
            Props.Ensure(Math.Abs(uHv - vHu) <= 1e-9 * scale + 1e-10 * Math.Sqrt(uu * vv), () => $"{c}: uᵀHv = {uHv:R} but vᵀHu = {vHu:R}\n{g}");
        }).Check(Props.Config(60));
    }
}
