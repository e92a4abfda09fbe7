namespace AutoGrad.Tests.Properties;

/// <summary>Fixed cases for bugs the properties found; each names what went wrong before the fix.</summary>
public class RegressionTests
{
    // Nested Diff.Grad at the outer variable itself: the inner function closes over x and is differentiated at y = x.
    // Before the fix the inner transformation used x itself as its variable, so its gradient also counted the paths
    // through the closure (perturbation confusion): d/dx Σ ∂(x·y)/∂y came out as 2, not 1.

    [Fact]
    public void Nested_Grad_at_the_outer_variable_counts_only_the_inner_variable()
    {
        var x0 = Tensor.FromArray([1.5, -2.0, 0.25]);
        var g = Diff.Grad(x => Diff.Grad(y => (x * y).Sum(), x).Sum(), x0);
        Assert.Equal([1.0, 1.0, 1.0], g.ToArray());
    }

    [Fact]
    public void Siskind_Pearlmutter_perturbation_confusion_example()
    {
        // d/dx [x · (d/dy (x + y))] = d/dx [x · 1] = 1.
        var g = Diff.Grad(x => x * Diff.Grad(y => x + y, x), Tensor.Scalar(1.0));
        Assert.Equal(1.0, g.Item());
    }

    [Fact]
    public void Nested_Grad_gives_the_derivative_of_a_partial_derivative_on_the_diagonal()
    {
        // g(x) = ∂/∂y (x²y³) at y = x = 3x⁴, so g′(x) = 12x³ (confused: d/dx x⁵ = 5x⁴, then 20x³).
        var x0 = Tensor.Scalar(1.5);
        var g = Diff.Grad(x => Diff.Grad(y => x.Square() * y.Pow(3), x), x0);
        Assert.Equal(12 * Math.Pow(1.5, 3), g.Item(), 12);
        var vjp = Diff.Grad(x => Diff.Vjp(y => y[0].Pow(3) * x.Square(), [x], Tensor.Scalar(1.0)).Vjp[0], x0);
        Assert.Equal(12 * Math.Pow(1.5, 3), vjp.Item(), 12);
    }

    [Fact]
    public void Nested_Grad_still_gives_the_Hessian()
    {
        // f(x) = Σ x³ ⇒ H = diag(6x): the usual nesting, where the inner function does not close over x.
        var x0 = Tensor.FromArray([1.0, -0.5, 2.0]);
        var v = Tensor.FromArray([0.3, 1.0, -2.0]);
        var hv = Diff.Grad(z => (Diff.Grad(w => w.Pow(3).Sum(), z) * v).Sum(), x0);
        Assert.Equal([6 * 1.0 * 0.3, 6 * -0.5 * 1.0, 6 * 2.0 * -2.0], hv.ToArray());
    }

    /// <summary>tanh with the right first derivative and a wrong second one (the backward adds g·(x − x̄), which is 0 but has derivative g).</summary>
    private sealed class WrongSecondOrderTanh : Function
    {
        protected internal override Tensor Forward(FunctionContext ctx, Tensor[] inputs) => inputs[0].Tanh();

        protected internal override Tensor?[] Backward(FunctionContext ctx, Tensor g)
        {
            var x = ctx.Inputs[0];
            var y = x.Tanh();
            return [g * (1.0 - y * y + (x - x.Detach()))];
        }
    }

    // GradCheck.CheckHvp names the first operation whose backward has a wrong derivative. Before the fix it evaluated
    // ½‖Jᵀu‖² for the differences without recording, so the VJP was empty and 0, and it blamed the first curved
    // operation of the graph (here Softplus) whatever was wrong; it also varied inputs that need no gradient.

    [Fact]
    public void CheckHvp_names_the_operation_whose_backward_has_a_wrong_derivative()
    {
        var c = Tensor.FromArray([0.5, -1.0, 2.0]);
        Func<Tensor[], Tensor> f = a => new WrongSecondOrderTanh().Apply((a[0] * c).Softplus() * a[1]);
        Tensor[] xs = [Tensor.FromArray([0.3, -0.2, 0.5]), Tensor.Scalar(0.7)];
        Assert.True(GradCheck.Check(f, xs).Passed);
        var r = GradCheck.CheckHvp(f, xs);
        Assert.False(r.Passed);
        Assert.StartsWith(nameof(WrongSecondOrderTanh), r.FailingOperation);
    }

    // Diff.Grad(output, inputs) with one tensor requested twice gave the gradient to the first entry and zeros to
    // the second (the engine delivered to the first index only).

    [Fact]
    public void Diff_Grad_gives_a_tensor_requested_twice_its_gradient_twice()
    {
        var x = Tensor.FromArray([1.0, -2.0]).RequireGrad();
        var h = x * 3.0;
        var y = (h * h + x).Sum();
        var g = Diff.Grad(y, [x, h, x, h]);
        Assert.Equal([19.0, -35.0], g[0].ToArray());
        Assert.Equal([6.0, -12.0], g[1].ToArray());
        Assert.Equal(g[0].ToArray(), g[2].ToArray());
        Assert.Equal(g[1].ToArray(), g[3].ToArray());
    }
}
