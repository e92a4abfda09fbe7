using AutoGrad;

namespace AutoGrad.Tests.Tensors;

/// <summary>
/// Bad input, one test each: the exception type, and a message that names the operation and the offending
/// shapes or values, so that the user can find the mistake without a debugger.
/// </summary>
public class BadInputTests
{
    private static void Throws<TException>(Action act, params string[] fragments) where TException : Exception
    {
        var e = Assert.Throws<TException>(act);
        foreach (var f in fragments)
            Assert.True(e.Message.Contains(f, StringComparison.Ordinal), $"the message \"{e.Message}\" does not mention \"{f}\"");
    }

    [Fact]
    public void Shapes_that_do_not_broadcast()
    {
        Throws<ArgumentException>(() => _ = Tensor.Ones(2, 3) + Tensor.Ones(4), "Add", "[2, 3]", "[4]");
        Throws<ArgumentException>(() => _ = Tensor.Ones(2, 3) * Tensor.Ones(3, 2), "Mul", "[2, 3]", "[3, 2]");
        Throws<ArgumentException>(() => _ = Tensor.Ones(5) > Tensor.Ones(2), "Greater", "[5]", "[2]");
        Throws<ArgumentException>(() => _ = Tensor.Maximum(Tensor.Ones(0), Tensor.Ones(3)), "Maximum", "[0]", "[3]");
        Throws<ArgumentException>(() => _ = Tensor.Where(Tensor.Ones(3), Tensor.Ones(4), Tensor.Ones(1)), "Where", "[3]", "[4]");
        Throws<ArgumentException>(() => _ = Tensor.Ones(2, 3).BroadcastTo(4, 3), "BroadcastTo", "[2, 3]", "[4, 3]");
    }

    [Fact]
    public void Mixed_float32_and_float64_is_refused_naming_both()
    {
        var d = Tensor.Ones(2, 3);
        var f = Tensor.Ones([3], DType.Float32);
        Throws<ArgumentException>(() => _ = d + f, "Add", "float64 [2, 3]", "float32 [3]");
        Throws<ArgumentException>(() => _ = f / d, "Div", "float32 [3]", "float64 [2, 3]");
        Throws<ArgumentException>(() => _ = d.Pow(f), "Pow", "float64", "float32");
        Throws<ArgumentException>(() => _ = d <= f, "LessEqual", "float64", "float32");
        Throws<ArgumentException>(() => _ = Tensor.Minimum(f, d), "Minimum", "float32", "float64");
        Throws<ArgumentException>(() => _ = Tensor.Where(d > 0.0, f, f), "Where", "float64", "float32");
    }

    [Fact]
    public void An_axis_out_of_range()
    {
        var t = Tensor.Ones(2, 3);
        Throws<ArgumentOutOfRangeException>(() => t.Sum(2), "Sum", "axis 2", "[2, 3]");
        Throws<ArgumentOutOfRangeException>(() => t.Max(-3), "Max", "axis -3", "[2, 3]");
        Throws<ArgumentOutOfRangeException>(() => t.Mean([0, 5]), "Mean", "axis 5", "[2, 3]");
        Throws<ArgumentOutOfRangeException>(() => t.Std(-3), "Std", "axis -3", "[2, 3]");
        Throws<ArgumentOutOfRangeException>(() => t.Softmax(2), "Softmax", "axis 2", "[2, 3]");
        Throws<ArgumentOutOfRangeException>(() => t.LogSumExp(-4), "LogSumExp", "axis -4", "[2, 3]");
        Throws<ArgumentOutOfRangeException>(() => Tensor.Scalar(1).Sum(0), "Sum", "axis 0", "[]");
        Throws<ArgumentOutOfRangeException>(() => t.Dim(2), "Dim", "axis 2", "[2, 3]");
    }

    [Fact]
    public void A_repeated_axis()
    {
        var t = Tensor.Ones(2, 3);
        Throws<ArgumentException>(() => t.Sum([0, -2]), "Sum", "axis 0", "[0, -2]", "[2, 3]");
        Throws<ArgumentException>(() => t.Var([1, 1]), "Var", "[1, 1]", "[2, 3]");
        Throws<ArgumentException>(() => t.Mean([-1, 1]), "Mean", "[-1, 1]", "[2, 3]");
        Throws<ArgumentException>(() => t.Prod([-1, 1]), "Prod", "[-1, 1]", "[2, 3]");
    }

    [Fact]
    public void A_negative_dimension()
    {
        Throws<ArgumentException>(() => Tensor.Zeros(2, -1), "Zeros", "-1", "[2, -1]");
        Throws<ArgumentException>(() => Tensor.Ones([-3], DType.Float32), "Ones", "-3", "[-3]");
        Throws<ArgumentException>(() => Tensor.Full([4, -2], 1.0), "Full", "-2", "[4, -2]");
        Throws<ArgumentException>(() => Tensor.Randn([-1, 2], 0), "Randn", "-1", "[-1, 2]");
        Throws<ArgumentException>(() => Tensor.Eye(2, -5), "Eye", "-5");
        Throws<ArgumentException>(() => Tensor.FromArray([1.0, 2], -1, -2), "FromArray", "[-1, -2]");
        Throws<ArgumentException>(() => Tensor.Arange(6).Reshape(-2, -3), "Reshape", "-2", "[6]");
        // A size-1 dimension "broadcasts" to anything, so the negative target must be caught before that rule.
        Throws<ArgumentException>(() => Tensor.Ones(1).BroadcastTo(-3), "BroadcastTo", "-3", "[-3]");
    }

    [Fact]
    public void Reshape_to_a_different_size()
    {
        Throws<ArgumentException>(() => Tensor.Arange(6).Reshape(4, 2), "Reshape", "[4, 2]", "8", "[6]");
        Throws<ArgumentException>(() => Tensor.Arange(6).Reshape(4, -1), "Reshape", "[4, -1]", "[6]");
        Throws<ArgumentException>(() => Tensor.Zeros(0).Reshape(-1, 0), "Reshape", "[-1, 0]", "[0]");
    }

    [Fact]
    public void Reshape_with_two_inferred_dimensions()
    {
        Throws<ArgumentException>(() => Tensor.Arange(6).Reshape(-1, 2, -1), "Reshape", "[-1, 2, -1]", "[6]");
    }

    [Fact]
    public void FromArray_with_the_wrong_count()
    {
        Throws<ArgumentException>(() => Tensor.FromArray([1.0, 2, 3], 2, 2), "FromArray", "3 values", "[2, 2]", "4 elements");
        Throws<ArgumentException>(() => Tensor.FromArray([1f, 2, 3, 4, 5], 2, 2), "FromArray", "5 values", "[2, 2]");
        Throws<ArgumentException>(() => Tensor.FromSpan(new double[7], 3, 0), "FromArray", "7 values", "[3, 0]");
    }

    [Fact]
    public void FromArray_with_a_ragged_jagged_array()
    {
        Throws<ArgumentException>(() => Tensor.FromArray([[1.0, 2], [3], [4, 5]]), "FromArray", "row 1", "1 values", "row 0 has 2");
    }

    [Fact]
    public void Arange_with_a_zero_or_non_finite_step()
    {
        Throws<ArgumentException>(() => Tensor.Arange(0, 5, 0), "Arange", "step 0");
        Throws<ArgumentException>(() => Tensor.Arange(0, double.PositiveInfinity), "Arange", "stop");
        Throws<ArgumentException>(() => Tensor.Arange(0, 1, double.NaN), "Arange", "step NaN");
    }

    [Fact]
    public void Linspace_with_a_negative_count()
    {
        Throws<ArgumentException>(() => Tensor.Linspace(0, 1, -1), "Linspace", "-1");
    }

    [Fact]
    public void Item_on_a_tensor_that_is_not_a_single_element()
    {
        Throws<InvalidOperationException>(() => Tensor.Ones(2, 3).Item(), "Item", "[2, 3]", "6 elements");
        Throws<InvalidOperationException>(() => Tensor.Ones(0).Item(), "Item", "[0]", "0 elements");
    }

    [Fact]
    public void At_with_a_bad_index()
    {
        var t = Tensor.Ones(2, 3);
        Throws<ArgumentOutOfRangeException>(() => t.At(0, 3), "At", "index 3", "dimension 1", "[2, 3]");
        Throws<ArgumentOutOfRangeException>(() => t.At(-3, 0), "At", "index -3", "dimension 0", "[2, 3]");
        Throws<ArgumentException>(() => t.At(1), "At", "1 indices", "[2, 3]");
        Throws<ArgumentException>(() => Tensor.Scalar(1).At(0), "At", "1 indices", "[]");
    }

    [Fact]
    public void ToArray2D_of_a_tensor_that_is_not_a_matrix()
    {
        Throws<InvalidOperationException>(() => Tensor.Ones(2, 3, 4).ToArray2D(), "ToArray2D", "[2, 3, 4]");
    }

    [Fact]
    public void Clamp_with_min_above_max()
    {
        Throws<ArgumentException>(() => Tensor.Ones(3).Clamp(2, 1), "Clamp", "min 2", "max 1", "[3]");
        Throws<ArgumentException>(() => Tensor.Ones(3).Clamp(double.NaN, 1), "Clamp", "min NaN");
    }

    [Fact]
    public void Max_and_min_of_an_empty_tensor()
    {
        Throws<ArgumentException>(() => Tensor.Zeros(0, 3).Max(), "Max", "empty", "[0, 3]");
        Throws<ArgumentException>(() => Tensor.Zeros(0).Min(), "Min", "empty", "[0]");
        Throws<ArgumentException>(() => Tensor.Zeros(2, 0).Max(1), "Max", "empty", "[2, 0]");
    }
}
