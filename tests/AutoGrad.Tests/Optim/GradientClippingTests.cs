using System.Globalization;
using AutoGrad.Optim;
using AutoGrad.Tests.Properties;
using FsCheck;
using FsCheck.Fluent;

namespace AutoGrad.Tests.Optim;

/// <summary>Gradient clipping with clip_grad_norm_ and clip_grad_value_ semantics.</summary>
public class GradientClippingTests
{
    private static Tensor WithGrad(params double[] g)
    {
        var p = OptimSupport.Param(new double[g.Length]);
        p.Grad = Tensor.FromArray(g, g.Length);
        return p;
    }

    [Fact]
    public void ClipByNorm_scales_all_gradients_by_one_factor_and_returns_the_norm_before()
    {
        var a = WithGrad(3, 4);
        var b = WithGrad(12);
        double norm = GradientClipping.ClipByNorm([a, b], 6.5);
        Assert.Equal(13, norm, 1e-15);
        double c = 6.5 / (13 + 1e-6); // torch's 1e-6 in the scale
        Assert.Equal([3 * c, 4 * c], a.Grad!.ToArray());
        Assert.Equal([12 * c], b.Grad!.ToArray());
        Assert.True(Math.Sqrt(9 * c * c + 16 * c * c + 144 * c * c) < 6.5);
    }

    [Fact]
    public void ClipByNorm_leaves_gradients_below_the_bound_alone()
    {
        var b = WithGrad(0.3, -0.4);
        Assert.Equal(0.5, GradientClipping.ClipByNorm([b], 1.0), 1e-16);
        Assert.Equal([0.3, -0.4], b.Grad!.ToArray());
    }

    [Fact]
    public void ClipByNorm_at_the_bound_shrinks_by_the_1e_6_guard_as_torch_does()
    {
        var a = WithGrad(0.6, -0.8);
        double norm = GradientClipping.ClipByNorm([a], 1.0);
        double c = 1.0 / (norm + 1e-6);
        Assert.True(c < 1);
        Assert.Equal([0.6 * c, -0.8 * c], a.Grad!.ToArray());
    }

    [Fact]
    public void ClipByNorm_skips_parameters_without_gradients_and_returns_0_without_any()
    {
        var none = OptimSupport.Param(1.0, 2.0);
        Assert.Equal(0, GradientClipping.ClipByNorm([none], 1.0));
        Assert.Equal(0, GradientClipping.ClipByNorm([], 1.0));
        var a = WithGrad(6, 8);
        Assert.Equal(10, GradientClipping.ClipByNorm([none, a], 1.0), 1e-15);
        Assert.Null(none.Grad);
        Assert.Equal(1.0, Math.Sqrt(a.Grad!.ToArray().Sum(v => v * v)), 1e-6);
    }

    [Fact]
    public void ClipByNorm_works_on_float32_gradients_and_accumulates_in_float64()
    {
        var p = Tensor.FromArray(new float[] { 0, 0 }, 2).RequireGrad();
        p.Grad = Tensor.FromArray(new float[] { 3e20f, 4e20f }, 2); // the squares overflow float32
        Assert.Equal(5e20, GradientClipping.ClipByNorm([p], 1.0), 1e14); // 3e20f and 4e20f are float32 roundings
        Assert.Equal(DType.Float32, p.Grad.DType);
        Assert.Equal(0.6, p.Grad.ToArray()[0], 1e-6);
        Assert.Equal(0.8, p.Grad.ToArray()[1], 1e-6);
    }

    [Fact]
    public void ClipByNorm_with_a_zero_bound_zeroes_the_gradients()
    {
        var a = WithGrad(1, -2);
        GradientClipping.ClipByNorm([a], 0);
        Assert.Equal([0.0, -0.0], a.Grad!.ToArray());
    }

    [Fact]
    public void A_nonfinite_norm_throws_when_asked_and_otherwise_spreads_as_in_torch()
    {
        var a = WithGrad(double.NaN, 1);
        var b = WithGrad(2);
        var e = Assert.Throws<InvalidOperationException>(() => GradientClipping.ClipByNorm([a, b], 1.0, errorIfNonfinite: true));
        Assert.Contains("NaN", e.Message);
        Assert.Equal([2.0], b.Grad!.ToArray()); // nothing changed
        Assert.True(double.IsNaN(GradientClipping.ClipByNorm([a, b], 1.0)));
        Assert.True(double.IsNaN(b.Grad!.ToArray()[0]));

        var c = WithGrad(double.PositiveInfinity, 3);
        Assert.Equal(double.PositiveInfinity, GradientClipping.ClipByNorm([c], 1.0));
        Assert.True(double.IsNaN(c.Grad!.ToArray()[0])); // ∞·0
        Assert.Equal(0.0, c.Grad!.ToArray()[1]);
    }

    [Theory]
    [InlineData(-1.0)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void Bad_bounds_throw(double bound)
    {
        var a = WithGrad(1, 2);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => GradientClipping.ClipByNorm([a], bound));
        Assert.Contains("ClipByNorm", e.Message);
        Assert.Contains(bound.ToString(CultureInfo.CurrentCulture), e.Message);
        e = Assert.Throws<ArgumentOutOfRangeException>(() => GradientClipping.ClipByValue([a], bound));
        Assert.Contains("ClipByValue", e.Message);
        Assert.Equal([1.0, 2.0], a.Grad!.ToArray());
        Assert.Throws<ArgumentNullException>(() => GradientClipping.ClipByNorm(null!, 1));
        Assert.Throws<ArgumentNullException>(() => GradientClipping.ClipByValue([a, null!], 1));
    }

    [Fact]
    public void ClipByValue_clamps_each_element_and_keeps_nan()
    {
        var a = WithGrad(-3, -0.5, 0, 0.25, 7, double.NaN, double.NegativeInfinity);
        var b = Tensor.FromArray(new float[] { 1 }, 1).RequireGrad();
        b.Grad = Tensor.FromArray(new float[] { 2.5f }, 1);
        var none = OptimSupport.Param(1.0);
        GradientClipping.ClipByValue([a, b, none], 1.0);
        var g = a.Grad!.ToArray();
        Assert.Equal([-1, -0.5, 0, 0.25, 1], g[..5]);
        Assert.True(double.IsNaN(g[5]));
        Assert.Equal(-1, g[6]);
        Assert.Equal([1.0], b.Grad.ToArray());
        Assert.Null(none.Grad);
    }

    [Fact]
    public void Clipped_gradients_keep_their_direction_and_respect_the_bound()
    {
        Prop.ForAll(Props.Seeds, seed =>
        {
            var rng = new Rng(seed);
            var ps = Enumerable.Range(0, 1 + rng.NextInt(4))
                .Select(_ => WithGrad(Enumerable.Range(0, rng.NextInt(20)).Select(_ => rng.NextGaussian() * 10).ToArray())).ToArray();
            var before = ps.SelectMany(p => p.Grad!.ToArray()).ToArray();
            double bound = rng.NextDouble() * 20;
            double norm = GradientClipping.ClipByNorm(ps, bound);
            var after = ps.SelectMany(p => p.Grad!.ToArray()).ToArray();
            double exact = Math.Sqrt(before.Sum(v => v * v));
            Props.Ensure(Math.Abs(norm - exact) <= 1e-14 * Math.Max(1, exact), () => $"norm {norm} vs {exact}");
            double scale = Math.Min(1, bound / (exact + 1e-6));
            for (int i = 0; i < before.Length; i++)
                Props.Ensure(Math.Abs(after[i] - before[i] * scale) <= 1e-15 * Math.Abs(before[i]), () => $"element {i}: {after[i]} vs {before[i] * scale}");
            double newNorm = Math.Sqrt(after.Sum(v => v * v));
            Props.Ensure(newNorm <= Math.Max(bound, 0) * (1 + 1e-14) || newNorm == exact, () => $"clipped norm {newNorm} above {bound}");
        }).Check(Props.Config(50));
    }
}
