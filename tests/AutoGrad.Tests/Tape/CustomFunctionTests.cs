using AutoGrad;

namespace AutoGrad.Tests;

public class CustomFunctionTests
{
    /// <summary>x³ with a correct backward written in tensor operations.</summary>
    private sealed class Cube : Function
    {
        protected internal override Tensor Forward(FunctionContext ctx, Tensor[] inputs)
        {
            ctx.SaveForBackward(inputs[0]);
            return inputs[0] * inputs[0] * inputs[0];
        }

        protected internal override Tensor?[] Backward(FunctionContext ctx, Tensor g) => [g * 3.0 * ctx.Saved[0].Square()];
    }

    /// <summary>x³ whose backward is right to first order but computed outside the tape, so its second derivative is lost.</summary>
    private sealed class OpaqueCube : Function
    {
        protected internal override Tensor Forward(FunctionContext ctx, Tensor[] inputs) => inputs[0].Pow(3);

        protected internal override Tensor?[] Backward(FunctionContext ctx, Tensor g)
        {
            var d = Tensor.FromArray(ctx.Inputs[0].ToArray().Select(v => 3 * v * v).ToArray(), ctx.Inputs[0].Shape);
            return [g * d];
        }
    }

    /// <summary>x² with a wrong derivative (3x instead of 2x).</summary>
    private sealed class WrongSquare : Function
    {
        public override string Name => "WrongSquare";
        protected internal override Tensor Forward(FunctionContext ctx, Tensor[] inputs) => inputs[0].Square();
        protected internal override Tensor?[] Backward(FunctionContext ctx, Tensor g) => [g * 3.0 * ctx.Inputs[0]];
    }

    private sealed class WrongShape : Function
    {
        protected internal override Tensor Forward(FunctionContext ctx, Tensor[] inputs) => inputs[0] * inputs[1];
        protected internal override Tensor?[] Backward(FunctionContext ctx, Tensor g) => [g, g.Sum()];
    }

    private sealed class WrongCount : Function
    {
        protected internal override Tensor Forward(FunctionContext ctx, Tensor[] inputs) => inputs[0] * 2.0;
        protected internal override Tensor?[] Backward(FunctionContext ctx, Tensor g) => [g, g];
    }

    private static Tensor X => Tensor.FromArray([0.5, -1.0, 2.0]);

    [Fact]
    public void A_custom_function_gets_gradients_and_Hessian_vector_products()
    {
        var cube = new Cube();
        Assert.True(GradCheck.Check(x => cube.Apply(x).Sum() * x.Sin(), X).Passed);
        Assert.True(GradCheck.CheckHvp(x => cube.Apply(x).Sum(), X).Passed);
        var x = X.RequireGrad();
        cube.Apply(x).Sum().Backward();
        Assert.Equal(X.ToArray().Select(v => 3 * v * v), x.Grad!.ToArray());
    }

    [Fact]
    public void Forward_is_not_recorded_and_the_result_names_the_function()
    {
        var y = new Cube().Apply(X.RequireGrad());
        Assert.Equal("Cube", y.GradFn!.Op.Name);
        Assert.Equal(1, y.GradFn.Arity);
    }

    [Fact]
    public void A_gradient_of_the_wrong_shape_fails_at_once_naming_the_operation_input_and_shapes()
    {
        var a = Tensor.Ones(2, 3).RequireGrad();
        var b = Tensor.Ones(2, 3).RequireGrad();
        var e = Assert.Throws<InvalidOperationException>(() => new WrongShape().Apply(a, b).Sum().Backward());
        Assert.Contains("WrongShape", e.Message);
        Assert.Contains("input 1", e.Message);
        Assert.Contains("[2, 3]", e.Message);
        Assert.Contains("[]", e.Message);
    }

    [Fact]
    public void The_wrong_number_of_gradients_is_refused()
    {
        var e = Assert.Throws<InvalidOperationException>(() => new WrongCount().Apply(X.RequireGrad()).Sum().Backward());
        Assert.Contains("WrongCount", e.Message);
        Assert.Contains("2 gradients for 1 inputs", e.Message);
    }

    [Fact]
    public void GradCheck_reports_the_wrong_gradient_where_it_is_worst_and_names_the_operation()
    {
        var wrong = new WrongSquare();
        var x = X;
        var r = GradCheck.Check(t => (wrong.Apply(t.Exp()) + t).Sum(), x);
        Assert.False(r.Passed);
        Assert.NotNull(r.FailingOperation);
        Assert.StartsWith("WrongSquare", r.FailingOperation);
        var w = r.Worst!.Value;
        // d/dx e^{2x} = 2e^{2x}; the wrong rule gives 3e^{2x}; the largest error is at the largest x.
        Assert.Equal(2, w.Element);
        Assert.Equal(2 * Math.Exp(4) + 1, w.Numerical, 1e-4);
        Assert.Equal(3 * Math.Exp(4) + 1, w.Analytical, 1e-9);
        Assert.Contains("FAILED", r.ToString());
        Assert.Throws<InvalidOperationException>(() => r.EnsurePassed());
    }

    [Fact]
    public void A_backward_computed_outside_the_tape_passes_first_order_and_fails_second_order()
    {
        var f = new OpaqueCube();
        Assert.True(GradCheck.Check(x => f.Apply(x).Sum(), X).Passed);
        var r = GradCheck.CheckHvp(x => f.Apply(x).Sum(), X);
        Assert.False(r.Passed);
        Assert.StartsWith("OpaqueCube", r.FailingOperation);
    }

    [Fact]
    public void Forward_mode_through_a_custom_function_uses_its_backward_rule()
    {
        var cube = new Cube();
        var x = X;
        var v = Tensor.FromArray([1.0, -2.0, 0.5]);
        var (y, jv) = Diff.Jvp(t => cube.Apply(t), x, v);
        Assert.Equal(x.ToArray().Select(a => a * a * a), y.ToArray());
        Assert.Equal(x.ToArray().Zip(v.ToArray(), (a, d) => 3 * a * a * d), jv.ToArray());
        var hv = Diff.Hvp(t => cube.Apply(t).Sum(), x, v, HvpMode.ForwardOverReverse);
        Assert.Equal(x.ToArray().Zip(v.ToArray(), (a, d) => 6 * a * d), hv.ToArray().Select(z => Math.Round(z, 12)));
    }
}
