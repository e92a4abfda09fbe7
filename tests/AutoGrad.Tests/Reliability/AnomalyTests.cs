using AutoGrad;
using Xunit;

namespace AutoGrad.Tests.Reliability;

public class AnomalyTests
{
    [Fact]
    public void The_first_forward_operation_producing_NaN_is_named_with_shapes_and_user_line()
    {
        var x = Tensor.FromArray([1.0, -2.0, 3.0]).RequireGrad();
        var e = Assert.Throws<AnomalyException>(() =>
        {
            using var detect = Anomaly.Detect();
            var y = (x * 2.0).Sqrt();   // √(−4) = NaN: the first anomaly
            return (y.Log() + 1.0).Sum(); // never reached
        });
        Assert.Equal("Sqrt", e.Operation);
        Assert.Equal("forward", e.Phase);
        Assert.Equal("[3]", e.InputShapes);
        Assert.Contains(nameof(The_first_forward_operation_producing_NaN_is_named_with_shapes_and_user_line), e.RecordedAt);
        Assert.Contains("AnomalyTests.cs", e.RecordedAt);
        Assert.Contains("Sqrt produced NaN", e.Message);
        Assert.False(Anomaly.IsEnabled);
    }

    [Fact]
    public void Infinity_is_caught_too_and_unrecorded_operations_are_checked()
    {
        var x = Tensor.FromArray([0.0, 1.0]);
        var e = Assert.Throws<AnomalyException>(() =>
        {
            using var detect = Anomaly.Detect();
            return x.Log();   // ln 0 = −∞, nothing requires gradients
        });
        Assert.Equal("Log", e.Operation);
        Assert.Contains("±∞", e.Message);
    }

    [Fact]
    public void A_backward_rule_producing_NaN_is_named_with_where_its_operation_was_recorded()
    {
        // √x at 0: the value is finite (0) but the derivative 1/(2√x) is ∞.
        var x = Tensor.FromArray([0.0, 4.0]).RequireGrad();
        using var detect = Anomaly.Detect();
        var loss = x.Sqrt().Sum();
        var e = Assert.Throws<AnomalyException>(() => loss.Backward());
        Assert.Equal("Sqrt", e.Operation);
        Assert.Equal("backward", e.Phase);
        Assert.Contains(nameof(A_backward_rule_producing_NaN_is_named_with_where_its_operation_was_recorded), e.RecordedAt);
        Assert.Contains("input 0", e.Message);
    }

    [Fact]
    public void Without_the_scope_nothing_is_checked()
    {
        var x = Tensor.FromArray([0.0, 4.0]).RequireGrad();
        var loss = x.Sqrt().Sum();
        loss.Backward();
        Assert.True(double.IsPositiveInfinity(x.Grad!.ToArray()[0]));
    }

    [Fact]
    public void Data_that_already_holds_NaN_is_reported_as_coming_from_before_the_operation()
    {
        var x = Tensor.FromArray([double.NaN, 1.0]).RequireGrad();
        var e = Assert.Throws<AnomalyException>(() =>
        {
            using var detect = Anomaly.Detect();
            return x * 3.0;
        });
        Assert.Contains("input 0 already contained NaN", e.Message);
    }
}
