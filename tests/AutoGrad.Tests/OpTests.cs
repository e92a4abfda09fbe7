using System.Reflection;
using AutoGrad;
using AutoGrad.Tape;
using AutoGrad.Tests.Properties;
using FsCheck;
using FsCheck.Fluent;

namespace AutoGrad.Tests;

/// <summary>The generic checks every line of the op table goes through.</summary>
public class OpTests
{
    [Theory]
    [MemberData(nameof(OpTable.Rows), MemberType = typeof(OpTable))]
    public void Gradient_matches_finite_differences(string name)
    {
        var c = OpTable.Find(name);
        foreach (long seed in (long[])[1, 2])
        {
            var r = GradCheck.Check(c.F, c.Inputs(seed), c.Options);
            Assert.True(r.Passed, $"{name}, seed {seed}: {r}");
            Assert.True(r.Compared > 0);
        }
    }

    [Theory]
    [MemberData(nameof(OpTable.Rows), MemberType = typeof(OpTable))]
    public void Hessian_vector_product_matches_finite_differences(string name)
    {
        var c = OpTable.Find(name);
        var r = GradCheck.CheckHvp(c.F, c.Inputs(3), c.Options);
        Assert.True(r.Passed, $"{name}: {r}");
    }

    [Theory]
    [MemberData(nameof(OpTable.Rows), MemberType = typeof(OpTable))]
    public void Gradient_is_right_on_random_shapes_and_values(string name)
    {
        var c = OpTable.Find(name);
        Prop.ForAll(Props.Seeds, seed =>
        {
            var r = GradCheck.Check(c.F, c.RandomInputs(seed), c.Options);
            Props.Ensure(r.Passed, () => $"{name}, seed {seed}: {r}");
        }).Check(Props.Config(8));
    }

    [Fact]
    public void Every_primitive_has_a_line_in_the_table()
    {
        var primitives = typeof(Tensor).Assembly.GetTypes()
            .Where(t => typeof(Op).IsAssignableFrom(t) && !t.IsAbstract)
            .SelectMany(t => t.GetFields(BindingFlags.Public | BindingFlags.Static).Where(f => typeof(Op).IsAssignableFrom(f.FieldType)))
            .Select(f => ((Op)f.GetValue(null)!).Name)
            .ToHashSet();
        Assert.NotEmpty(primitives);
        var covered = new HashSet<string>();
        foreach (var c in OpTable.All)
        {
            var xs = c.Inputs(1).Select(x => x.RequireGrad()).ToArray();
            foreach (var n in Graph.ForwardOrder(c.F(xs))) covered.Add(n.Op.Name);
        }
        var missing = primitives.Except(covered).Order().ToArray();
        Assert.True(missing.Length == 0, "primitives without a line in the op table: " + string.Join(", ", missing));
    }
}

/// <summary>How many random cases property tests run: a few in CI, more with AUTOGRAD_FUZZ=N.</summary>
public static class Fuzz
{
    public static int Cases(int quick) =>
        int.TryParse(Environment.GetEnvironmentVariable("AUTOGRAD_FUZZ"), out int n) && n > 0 ? n : quick;
}

/// <summary>Forward mode and the two Hessian-vector strategies, on every line of the op table.</summary>
public class ForwardModeOpTests
{
    [Theory]
    [MemberData(nameof(OpTable.Rows), MemberType = typeof(OpTable))]
    public void Jvp_matches_finite_differences_and_the_reverse_mode_adjoint(string name)
    {
        var c = OpTable.Find(name);
        var xs = c.Inputs(5);
        var rng = new Rng(6);
        var vs = xs.Select(x => Tensor.Randn(x.Shape, rng)).ToArray();
        var (y, jv) = Diff.Jvp(c.F, xs, vs);
        Assert.Equal(y.Shape, jv.Shape);

        // Against central differences, element by element.
        double h = 1e-6;
        Tensor At(double t) { using (GradMode.NoGrad()) return c.F(xs.Zip(vs, (x, v) => x + v * t).ToArray()); }
        var fd = ((At(h) - At(-h)) / (2 * h)).ToArray();
        var ad = jv.ToArray();
        var opts = c.Options ?? GradCheckOptions.Default;
        for (int i = 0; i < ad.Length; i++)
            Assert.True(Math.Abs(ad[i] - fd[i]) <= 10 * (opts.AbsTolerance + opts.RelTolerance * Math.Abs(fd[i])),
                $"{name}: element {i}: forward mode {ad[i]}, differences {fd[i]}");

        // ⟨u, J v⟩ from forward mode equals ⟨Jᵀu, v⟩ from reverse mode.
        var u = Tensor.Randn(y.Shape, rng);
        var (_, vjp) = Diff.Vjp(c.F, xs, u);
        double forward = (u * jv).Sum().Item(), reverse = 0;
        for (int i = 0; i < xs.Length; i++) reverse += (vjp[i] * vs[i]).Sum().Item();
        double scale = Math.Abs(forward) + Math.Abs(reverse) + 1;
        // Exact up to rounding; lines with their own tolerances (float32 round trips) round more.
        double tol = c.Options is null ? 1e-10 : c.Options.RelTolerance;
        Assert.True(Math.Abs(forward - reverse) <= tol * scale, $"{name}: ⟨u, Jv⟩ = {forward}, ⟨Jᵀu, v⟩ = {reverse}");
    }

    [Theory]
    [MemberData(nameof(OpTable.Rows), MemberType = typeof(OpTable))]
    public void Both_Hessian_vector_strategies_agree_and_match_finite_differences(string name)
    {
        var c = OpTable.Find(name);
        var xs = c.Inputs(7);
        var rng = new Rng(8);
        Tensor w;
        using (GradMode.NoGrad()) w = Tensor.Randn(c.F(xs).Shape, rng);
        Tensor S(Tensor[] a) => (c.F(a) * w).Sum();
        var vs = xs.Select(x => Tensor.Randn(x.Shape, rng)).ToArray();
        var ror = Diff.Hvp(S, xs, vs, HvpMode.ReverseOverReverse);
        var (value, grads, forr) = Diff.ValueGradHvp(S, xs, vs, HvpMode.ForwardOverReverse);
        Assert.Equal(S(xs).Item(), value.Item(), 12);
        var g = Diff.Grad(S, xs);
        for (int i = 0; i < xs.Length; i++)
        {
            // Diff.Grad runs the fused elementwise kernels, the product the recorded rules: equal to rounding.
            var ga = g[i].ToArray(); var gb = grads[i].ToArray();
            for (int k = 0; k < ga.Length; k++)
                Assert.True(Math.Abs(ga[k] - gb[k]) <= 1e-14 * (1 + Math.Abs(ga[k])), $"{name}: input {i}, element {k}: gradient {ga[k]:R} alone, {gb[k]:R} with the product");
            var a = ror[i].ToArray(); var b = forr[i].ToArray();
            for (int k = 0; k < a.Length; k++)
                Assert.True(Math.Abs(a[k] - b[k]) <= 1e-9 * (1 + Math.Abs(a[k])), $"{name}: input {i}, element {k}: reverse-over-reverse {a[k]}, forward-over-reverse {b[k]}");
        }
        var r = GradCheck.CheckHvp(c.F, xs, (c.Options ?? GradCheckOptions.Default) with { HvpMode = HvpMode.ForwardOverReverse });
        Assert.True(r.Passed, $"{name}: {r}");
    }
}
