using AutoGrad;

namespace AutoGrad.Tests;

public class EngineTests
{
    private static Tensor Vec(params double[] v) => Tensor.FromArray(v);

    [Fact]
    public void Backward_fills_the_gradient_of_every_leaf_that_requires_it()
    {
        var x = Vec(1, 2, 3).RequireGrad();
        var w = Vec(4, 5, 6).RequireGrad();
        var c = Vec(1, 1, 1);
        var y = (x * w + c).Sum();
        y.Backward();
        Assert.Equal([4.0, 5, 6], x.Grad!.ToArray());
        Assert.Equal([1.0, 2, 3], w.Grad!.ToArray());
        Assert.Null(c.Grad);
    }

    [Fact]
    public void Gradients_accumulate_until_zeroed()
    {
        var x = Vec(1, 2).RequireGrad();
        (x * x).Sum().Backward();
        (x * x).Sum().Backward();
        Assert.Equal([4.0, 8], x.Grad!.ToArray());
        x.ZeroGrad();
        Assert.Equal([0.0, 0], x.Grad!.ToArray());
        (x * 3.0).Sum().Backward();
        Assert.Equal([3.0, 3], x.Grad!.ToArray());
    }

    [Fact]
    public void Gradients_of_leaves_sharing_an_upstream_gradient_are_separate_buffers()
    {
        var a = Vec(1, 2).RequireGrad();
        var b = Vec(3, 4).RequireGrad();
        (a + b).Sum().Backward();
        a.Grad!.AddInPlace(Vec(10, 10));
        Assert.Equal([1.0, 1], b.Grad!.ToArray());
    }

    [Fact]
    public void Broadcasting_is_undone_in_backward()
    {
        var x = Tensor.FromArray(new double[,] { { 1, 2, 3 }, { 4, 5, 6 } });
        var bias = Vec(0.5, -1, 2).RequireGrad();
        var scale = Tensor.FromArray([2.0, 3.0], 2, 1).RequireGrad();
        ((x + bias) * scale).Sum().Backward();
        Assert.Equal([2.0 + 3, 2 + 3, 2 + 3], bias.Grad!.ToArray());
        Assert.Equal([3], bias.Grad!.Shape);
        Assert.Equal([1 + 2 + 3 + 1.5, 4 + 5 + 6 + 1.5], scale.Grad!.ToArray());
        Assert.Equal([2, 1], scale.Grad!.Shape);
    }

    [Fact]
    public void Backward_from_a_non_scalar_needs_a_seed_and_then_computes_the_vector_Jacobian_product()
    {
        var x = Vec(1, 2, 3).RequireGrad();
        var y = x * x;
        var e = Assert.Throws<InvalidOperationException>(() => y.Backward());
        Assert.Contains("seed", e.Message);
        Assert.Contains("[3]", e.Message);
        y.Backward(Vec(1, 0, -1));
        Assert.Equal([2.0, 0, -6], x.Grad!.ToArray());
    }

    [Fact]
    public void A_seed_of_the_wrong_shape_is_refused_naming_both_shapes()
    {
        var x = Vec(1, 2, 3).RequireGrad();
        var e = Assert.Throws<ArgumentException>(() => (x * 2.0).Backward(Vec(1, 2)));
        Assert.Contains("[2]", e.Message);
        Assert.Contains("[3]", e.Message);
    }

    [Fact]
    public void Backward_of_a_tensor_that_does_not_require_gradients_is_refused()
    {
        var y = Vec(1, 2).Sum();
        var e = Assert.Throws<InvalidOperationException>(() => y.Backward());
        Assert.Contains("does not require gradients", e.Message);
    }

    [Fact]
    public void A_second_backward_fails_clearly_unless_the_graph_was_retained()
    {
        var x = Vec(1, 2).RequireGrad();
        var y = (x.Exp() * x).Sum();
        y.Backward();
        var e = Assert.Throws<InvalidOperationException>(() => y.Backward());
        Assert.Contains("retainGraph", e.Message);

        var x2 = Vec(1, 2).RequireGrad();
        var y2 = (x2.Exp() * x2).Sum();
        y2.Backward(retainGraph: true);
        var once = x2.Grad!.ToArray();
        y2.Backward();
        Assert.Equal(once.Select(v => 2 * v), x2.Grad!.ToArray());
    }

    [Fact]
    public void Saved_values_are_released_after_backward()
    {
        var x = Vec(1, 2).RequireGrad();
        var h = x.Exp();
        var y = h.Sum();
        y.Backward();
        Assert.True(h.GradFn!.Released);
        Assert.Null(h.GradFn.A);
    }

    [Fact]
    public void The_tape_stays_usable_after_a_failed_backward()
    {
        var x = Vec(1, 2).RequireGrad();
        Assert.Throws<InvalidOperationException>(() => (x * x).Backward());
        Assert.Throws<ArgumentException>(() => x + Vec(1, 2, 3));
        var y = (x * x).Sum();
        y.Backward();
        Assert.Equal([2.0, 4], x.Grad!.ToArray());
    }

    [Fact]
    public void NoGrad_scopes_record_nothing_and_nest()
    {
        var x = Vec(1, 2).RequireGrad();
        using (GradMode.NoGrad())
        {
            Assert.False(GradMode.IsEnabled);
            using (GradMode.NoGrad()) Assert.False((x * 2.0).RequiresGrad);
            var y = x * 2.0;
            Assert.False(y.RequiresGrad);
            Assert.True(y.IsLeaf);
            using (GradMode.EnableGrad()) Assert.True((x * 2.0).RequiresGrad);
            Assert.False(GradMode.IsEnabled);
        }
        Assert.True(GradMode.IsEnabled);
        Assert.True((x * 2.0).RequiresGrad);
    }

    [Fact]
    public void Detach_shares_storage_and_stops_gradients()
    {
        var x = Vec(1, 2).RequireGrad();
        var d = (x * 3.0).Detach();
        Assert.False(d.RequiresGrad);
        var y = (x * d).Sum();
        y.Backward();
        Assert.Equal([3.0, 6], x.Grad!.ToArray());
        var e = Assert.Throws<InvalidOperationException>(() => (x * 2.0).RequiresGrad = false);
        Assert.Contains("Detach", e.Message);
    }

    [Fact]
    public void A_chain_of_a_million_operations_backpropagates_without_recursion()
    {
        var x = Tensor.Scalar(0.5).RequireGrad();
        var y = x;
        const int n = 1_000_000;
        for (int i = 0; i < n; i++) y = y * 1.000001;
        y.Backward();
        Assert.Equal(Math.Pow(1.000001, n), x.Grad!.Item(), 1e-9);
    }

    [Fact]
    public void Wide_fan_out_accumulates_every_use()
    {
        var x = Tensor.Scalar(2.0).RequireGrad();
        var acc = Tensor.Scalar(0.0);
        for (int i = 0; i < 100_000; i++) acc = acc + x * (double)(i % 3);
        acc.Backward();
        double expected = Enumerable.Range(0, 100_000).Sum(i => (double)(i % 3));
        Assert.Equal(expected, x.Grad!.Item());
    }

    [Fact]
    public void CreateGraph_makes_the_gradient_differentiable()
    {
        var x = Vec(1, 2, 3).RequireGrad();
        var y = (x * x * x).Sum();
        var g = Diff.Grad(y, [x], createGraph: true)[0];
        Assert.Equal([3.0, 12, 27], g.ToArray());
        Assert.True(g.RequiresGrad);
        g.Sum().Backward();
        Assert.Equal([6.0, 12, 18], x.Grad!.ToArray());
    }

    [Fact]
    public void Without_createGraph_backward_records_nothing()
    {
        var x = Vec(1, 2, 3).RequireGrad();
        var g = Diff.Grad((x * x).Sum(), [x])[0];
        Assert.False(g.RequiresGrad);
        Assert.True(g.IsLeaf);
    }

    [Fact]
    public void Gradients_can_be_taken_with_respect_to_intermediate_results()
    {
        var x = Vec(1, 2).RequireGrad();
        var h = x * 3.0;
        var y = (h * h).Sum();
        var g = Diff.Grad(y, [h, x]);
        Assert.Equal([6.0, 12], g[0].ToArray());
        Assert.Equal([18.0, 36], g[1].ToArray());
        Assert.Null(x.Grad);
    }

    [Fact]
    public void Grad_of_an_input_that_does_not_require_gradients_is_refused_naming_it()
    {
        var x = Vec(1, 2).RequireGrad();
        var c = Vec(1, 1);
        var e = Assert.Throws<ArgumentException>(() => Diff.Grad((x * c).Sum(), [x, c]));
        Assert.Contains("input 1", e.Message);
    }
}
