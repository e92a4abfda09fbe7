using AutoGrad;

namespace AutoGrad.Tests;

public class DiffTests
{
    [Fact]
    public void ValueAndGrad_returns_both_from_one_pass()
    {
        var (v, g) = Diff.ValueAndGrad(x => (x * x).Sum(), Tensor.FromArray([3.0, -1]));
        Assert.Equal(10.0, v.Item());
        Assert.Equal([6.0, -2], g.ToArray());
        Assert.False(v.RequiresGrad);
    }

    [Fact]
    public void Grad_of_several_inputs()
    {
        var g = Diff.Grad(a => (a[0] * a[1].Exp()).Sum(), Tensor.FromArray([2.0]), Tensor.FromArray([0.0]));
        Assert.Equal(1.0, g[0].Item(), 15);
        Assert.Equal(2.0, g[1].Item(), 15);
    }

    [Fact]
    public void Grad_leaves_the_arguments_and_their_Grad_alone()
    {
        var x = Tensor.FromArray([1.0, 2]).RequireGrad();
        Diff.Grad(t => (t * t).Sum(), x);
        Assert.Null(x.Grad);
    }

    [Fact]
    public void Grad_of_a_vector_valued_function_is_refused()
    {
        var e = Assert.Throws<InvalidOperationException>(() => Diff.Grad(x => x * 2.0, Tensor.FromArray([1.0, 2])));
        Assert.Contains("[2]", e.Message);
        Assert.Contains("Vjp", e.Message);
    }

    [Fact]
    public void Vjp_pulls_back_a_vector()
    {
        var (v, vjp) = Diff.Vjp(a => a[0] * a[0], [Tensor.FromArray([1.0, 2, 3])], Tensor.FromArray([1.0, 1, 0]));
        Assert.Equal([1.0, 4, 9], v.ToArray());
        Assert.Equal([2.0, 4, 0], vjp[0].ToArray());
    }

    [Fact]
    public void Second_derivatives_by_nesting()
    {
        // d²/dx² of Σ x³ along the diagonal is 6x.
        var h = Diff.Grad(v => Diff.Grad(u => (u * u * u).Sum(), v).Sum(), Tensor.FromArray([1.0, 2]));
        Assert.Equal([6.0, 12], h.ToArray());
        // A third derivative: d³/dx³ sin x = −cos x.
        var x0 = Tensor.Scalar(0.7);
        var d3 = Diff.Grad(a => Diff.Grad(b => Diff.Grad(c => c.Sin(), b), a), x0);
        Assert.Equal(-Math.Cos(0.7), d3.Item(), 14);
    }

    [Fact]
    public void The_Hessian_of_a_linear_function_is_zero_not_an_exception()
    {
        var w = Tensor.FromArray([1.0, -2, 3]);
        var h1 = Diff.Grad(x => Diff.Grad(u => (u * w).Sum(), x).Sum(), Tensor.FromArray([0.5, 0.5, 0.5]));
        Assert.Equal([0.0, 0, 0], h1.ToArray());
        var h2 = Diff.Grad(x => Diff.Grad(u => u.Sum(), x).Sum(), Tensor.FromArray([0.5, 0.5]));
        Assert.Equal([0.0, 0], h2.ToArray());
    }

    [Fact]
    public void Nested_gradients_do_not_confuse_their_variables()
    {
        // Siskind and Pearlmutter's perturbation confusion: d/dx [x · d/dy (x + y)] = d/dx [x · 1] = 1.
        var d = Diff.Grad(x => x * Diff.Grad(y => x + y, Tensor.Scalar(1.0)), Tensor.Scalar(4.0));
        Assert.Equal(1.0, d.Item());
        // With a product inside: d/dy (x·y) = x, so d/dx [x · x] = 2x = 8 at x = 4.
        var d2 = Diff.Grad(x => x * Diff.Grad(y => x * y, Tensor.Scalar(1.0)), Tensor.Scalar(4.0));
        Assert.Equal(8.0, d2.Item());
    }

    [Fact]
    public void A_Hessian_built_from_nested_gradients_matches_the_closed_form()
    {
        // f(x, y) = x²y + y³: H = [[2y, 2x], [2x, 6y]].
        var p = Tensor.FromArray([1.5, -0.5]);
        var ex = Tensor.FromArray([1.0, 0]);
        var ey = Tensor.FromArray([0.0, 1]);
        Tensor F(Tensor z)
        {
            var x = (z * ex).Sum();
            var y = (z * ey).Sum();
            return x * x * y + y.Pow(3);
        }
        var rows = new[] { ex, ey }.Select(e => Diff.Grad(v => (Diff.Grad(F, v) * e).Sum(), p).ToArray()).ToArray();
        Assert.Equal(2 * -0.5, rows[0][0], 14);
        Assert.Equal(2 * 1.5, rows[0][1], 14);
        Assert.Equal(2 * 1.5, rows[1][0], 14);
        Assert.Equal(6 * -0.5, rows[1][1], 14);
    }
}
