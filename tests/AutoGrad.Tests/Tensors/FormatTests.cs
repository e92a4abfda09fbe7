using AutoGrad;

namespace AutoGrad.Tests.Tensors;

/// <summary>ToString: nested values, shape, element type, gradient status, name, and summarising over 1000 elements.</summary>
public class FormatTests
{
    [Fact]
    public void A_matrix_shows_rows_aligned_under_each_other()
    {
        var t = Tensor.FromArray(new double[,] { { 1, 2 }, { 3, 4 } });
        Assert.Equal("tensor([[1, 2],\n        [3, 4]], shape=[2, 2], float64)", t.ToString());
        t.Name = "w";
        Assert.EndsWith(", float64, name=w)", t.ToString());
    }

    [Fact]
    public void Scalars_and_empty_tensors()
    {
        Assert.Equal("tensor(3.5, shape=[], float64)", Tensor.Scalar(3.5).ToString());
        Assert.Equal("tensor(-2, shape=[], float32)", Tensor.Scalar(-2, DType.Float32).ToString());
        Assert.Equal("tensor([], shape=[0], float64)", Tensor.Zeros(0).ToString());
        Assert.Equal("tensor([[],\n        []], shape=[2, 0], float64)", Tensor.Zeros(2, 0).ToString());
    }

    [Fact]
    public void Values_are_padded_to_a_common_width_with_six_significant_digits()
    {
        Assert.Equal("tensor([  1,  10, 100], shape=[3], float64)", Tensor.FromArray([1.0, 10, 100]).ToString());
        Assert.Equal("tensor([0.333333,     -0.5], shape=[2], float64)", Tensor.FromArray([1.0 / 3, -0.5]).ToString());
        // float32 values print as floats (0.1f, not 0.100000001).
        Assert.Equal("tensor([0.1, 2.5], shape=[2], float32)", Tensor.FromArray([0.1f, 2.5f]).ToString());
        Assert.Equal("tensor([        NaN,    Infinity,   -Infinity,          -0,       1E-07, 1.23457E+08], shape=[6], float64)",
            Tensor.FromArray([double.NaN, double.PositiveInfinity, double.NegativeInfinity, -0.0, 1e-7, 123456789]).ToString());
    }

    [Fact]
    public void Three_dimensions_nest_with_indentation()
    {
        const string expected =
            "tensor([[[ 0,  1,  2,  3],\n" +
            "         [ 4,  5,  6,  7],\n" +
            "         [ 8,  9, 10, 11]],\n" +
            "        [[12, 13, 14, 15],\n" +
            "         [16, 17, 18, 19],\n" +
            "         [20, 21, 22, 23]]], shape=[2, 3, 4], float64)";
        Assert.Equal(expected, Tensor.Arange(24).Reshape(2, 3, 4).ToString());
    }

    [Fact]
    public void Up_to_1000_elements_everything_is_shown()
    {
        var s = Tensor.Arange(1000).ToString();
        Assert.DoesNotContain("...", s);
        Assert.StartsWith("tensor([  0,   1,   2,", s);
        Assert.EndsWith(" 998, 999], shape=[1000], float64)", s);
        Assert.Equal(1000, s.Split(',').Length - 2);
    }

    [Fact]
    public void Over_1000_elements_only_the_edges_are_shown()
    {
        Assert.Equal("tensor([   0,    1,    2, ...,  998,  999, 1000], shape=[1001], float64)", Tensor.Arange(1001).ToString());
        Assert.Equal(
            "tensor([[   0,    1,    2, ...,  997,  998,  999],\n" +
            "        [1000, 1001, 1002, ..., 1997, 1998, 1999]], shape=[2, 1000], float32)",
            Tensor.Arange(0, 2000, 1, DType.Float32).Reshape(2, 1000).ToString());
    }

    [Fact]
    public void Summarising_applies_to_every_long_dimension()
    {
        var s = Tensor.Arange(1331).Reshape(11, 11, 11).ToString();
        var lines = s.Split('\n');
        // 3 + 3 matrices of 3 + 3 rows, with a "..." line between the halves of each and between the matrices.
        Assert.Equal(6 * 7 + 1, lines.Length);
        Assert.Equal("tensor([[[   0,    1,    2, ...,    8,    9,   10],", lines[0]);
        Assert.Equal("         ...,", lines[3]);
        Assert.Equal("        ...,", lines[21]);
        Assert.Equal("         [1320, 1321, 1322, ..., 1328, 1329, 1330]]], shape=[11, 11, 11], float64)", lines[^1]);
        // 6·6·6 values shown out of 1331.
        var values = s[..s.IndexOf(", shape=", StringComparison.Ordinal)].Replace("tensor(", "")
            .Split(',').Select(p => p.Trim(' ', '\n', '[', ']')).Where(p => p != "...").ToArray();
        Assert.Equal(216, values.Length);
        Assert.All(values, p => Assert.True(int.TryParse(p, out _), p));
    }

    [Fact]
    public void Gradient_status_is_shown()
    {
        var x = Tensor.Ones(2).RequireGrad();
        Assert.Equal("tensor([1, 1], shape=[2], float64, requiresGrad)", x.ToString());
        var y = x + x;
        Assert.Equal("tensor([2, 2], shape=[2], float64, grad_fn=Add)", y.ToString());
        Assert.EndsWith("grad_fn=Sum)", y.Sum().ToString());
        // Detached or computed without recording: no status.
        Assert.Equal("tensor([2, 2], shape=[2], float64)", y.Detach().ToString());
        using (GradMode.NoGrad())
            Assert.Equal("tensor([2, 2], shape=[2], float64)", (x * 2.0).ToString());
    }
}
