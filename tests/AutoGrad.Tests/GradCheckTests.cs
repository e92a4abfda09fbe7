using AutoGrad;

namespace AutoGrad.Tests;

public class GradCheckTests
{
    [Fact]
    public void The_documented_defaults()
    {
        var o = GradCheckOptions.Default;
        Assert.Equal(1e-6, o.Step);
        Assert.Equal(1e-5, o.AbsTolerance);
        Assert.Equal(1e-4, o.RelTolerance);
        Assert.Equal(256, o.MaxElementwise);
        Assert.Equal(8, o.Directions);
        Assert.False(o.ConvertFloat32);
        Assert.True(o.LocateFailure);
    }

    [Fact]
    public void A_correct_gradient_passes_element_by_element()
    {
        var r = GradCheck.Check(x => (x.Tanh() * x).Sum(), Tensor.Randn([3, 4], 7));
        Assert.True(r.Passed, r.ToString());
        Assert.True(r.Elementwise);
        Assert.Equal(12, r.Compared);
        Assert.True(r.MaxAbsError < 1e-8, r.ToString());
        Assert.Empty(r.NonDifferentiablePoints);
    }

    [Fact]
    public void Large_inputs_are_checked_in_random_directions_and_a_wrong_gradient_is_still_caught()
    {
        var x = Tensor.Randn([40, 30], 3);
        var ok = GradCheck.Check(t => t.Sin().Sum(), x);
        Assert.True(ok.Passed, ok.ToString());
        Assert.False(ok.Elementwise);
        Assert.Equal(8, ok.Compared);

        var wrong = new ScaledGradient(1.001);
        var bad = GradCheck.Check(t => wrong.Apply(t).Sin().Sum(), x);
        Assert.False(bad.Passed);
        Assert.Equal(-1, bad.Worst!.Value.Element);
    }

    private sealed class ScaledGradient(double factor) : Function
    {
        protected internal override Tensor Forward(FunctionContext ctx, Tensor[] inputs) => inputs[0].Clone();
        protected internal override Tensor?[] Backward(FunctionContext ctx, Tensor g) => [g * factor];
    }

    [Fact]
    public void A_kink_is_reported_as_a_non_differentiable_point_not_a_failure()
    {
        var r = GradCheck.Check(x => x.Relu().Sum(), Tensor.FromArray([-1.0, 0.0, 2.0]));
        Assert.True(r.Passed, r.ToString());
        var k = Assert.Single(r.NonDifferentiablePoints);
        Assert.Equal(1, k.Element);

        var ties = GradCheck.Check(x => x.Max(), Tensor.FromArray([1.0, 1.0, 0.0]));
        Assert.True(ties.Passed, ties.ToString());
        Assert.Equal([0, 1], ties.NonDifferentiablePoints.Select(p => p.Element));
    }

    [Fact]
    public void A_kink_just_beside_the_point_does_not_spoil_the_check()
    {
        var r = GradCheck.Check(x => x.Abs().Sum(), Tensor.FromArray([3e-7, -2.0]));
        Assert.True(r.Passed, r.ToString());
    }

    [Fact]
    public void Float32_inputs_are_refused_with_a_reason_or_converted_on_request()
    {
        var x = Tensor.FromArray([1f, 2f]);
        var e = Assert.Throws<ArgumentException>(() => GradCheck.Check(t => t.Exp().Sum(), x));
        Assert.Contains("float32", e.Message);
        Assert.Contains("To(DType.Float64)", e.Message);
        var r = GradCheck.Check(t => t.Exp().Sum(), x, new GradCheckOptions { ConvertFloat32 = true });
        Assert.True(r.Passed, r.ToString());
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-1e-6)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void A_non_positive_or_non_finite_step_is_refused(double step)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() =>
            GradCheck.Check(t => t.Sum(), Tensor.Ones(2), new GradCheckOptions { Step = step }));
        Assert.Contains("step", e.Message);
    }

    [Fact]
    public void The_inputs_are_not_modified()
    {
        var x = Tensor.FromArray([1.0, 2.0]);
        GradCheck.Check(t => (t * t).Sum(), x);
        GradCheck.CheckHvp(t => (t * t * t).Sum(), x);
        Assert.Equal([1.0, 2.0], x.ToArray());
    }

    [Fact]
    public void Non_scalar_functions_are_checked_through_random_output_weights()
    {
        var r = GradCheck.Check(a => a[0].MatMulLike(a[1]), [Tensor.Randn([3, 4], 1), Tensor.Randn([4], 2)]);
        Assert.True(r.Passed, r.ToString());
        Assert.Equal(16, r.Compared);
    }

    [Fact]
    public void The_Hessian_vector_check_compares_every_column_for_small_inputs()
    {
        var r = GradCheck.CheckHvp(x => (x.Exp() * x.Sin()).Sum(), Tensor.Randn([2, 2], 4));
        Assert.True(r.Passed, r.ToString());
        Assert.Equal(16, r.Compared);
        Assert.Equal("Hessian-vector product", r.What);
    }
}

internal static class TestOps
{
    /// <summary>A matrix-vector product from elementwise operations, independent of MatMul.</summary>
    public static Tensor MatMulLike(this Tensor a, Tensor v) => (a * v).Sum(1);
}
