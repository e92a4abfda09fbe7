using AutoGrad;

namespace AutoGrad.Tests.Tensors;

/// <summary>0-d tensors, and reading values out: Item, At, ToArray, ToArray2D, ToFloatArray, Shape, Dim.</summary>
public class AccessTests
{
    [Fact]
    public void A_scalar_is_a_0d_tensor_with_one_element()
    {
        var s = Tensor.Scalar(3.5);
        Assert.Equal(0, s.Rank);
        Assert.Empty(s.Shape);
        Assert.Equal(1, s.Count);
        Assert.Equal(3.5, s.Item());
        Assert.Equal(3.5, s.At());
        Assert.Equal([3.5], s.ToArray());
        Assert.Equal(DType.Float64, s.DType);
        var f = Tensor.Scalar(0.1, DType.Float32);
        Assert.Equal(DType.Float32, f.DType);
        Assert.Equal((double)0.1f, f.Item());
        Assert.Equal([0.1f], f.ToFloatArray());
    }

    [Fact]
    public void Scalars_combine_and_broadcast_like_numpy()
    {
        var s = Tensor.Scalar(2);
        var sum = s + Tensor.Scalar(3);
        Assert.Empty(sum.Shape);
        Assert.Equal(5, sum.Item());
        var v = s * Tensor.FromArray([1.0, 2, 3]);
        Assert.Equal([3], v.Shape);
        Assert.Equal([2.0, 4, 6], v.ToArray());
        var m = Tensor.Ones(2, 0) - s;
        Assert.Equal([2, 0], m.Shape);
        // Reductions of a 0-d tensor are the value itself, still 0-d.
        Assert.Empty(s.Sum().Shape);
        Assert.Equal(2, s.Sum().Item());
        Assert.Equal(2, s.Max().Item());
        Assert.Equal(2, s.Prod().Item());
        Assert.Equal(2, s.Mean().Item());
        Assert.Equal(2 + Math.Log(1), s.LogSumExp().Item());
        // 0-d ↔ one-element reshapes.
        var one = s.Reshape(1);
        Assert.Equal([1], one.Shape);
        var back = one.Reshape();
        Assert.Empty(back.Shape);
        Assert.Equal(2, back.Item());
        Assert.Equal([1, 1], s.Reshape(1, 1).Shape);
        Assert.Equal(-2, (-s).Item());
    }

    [Fact]
    public void Item_works_on_any_single_element_tensor()
    {
        Assert.Equal(7, Tensor.FromArray([7.0]).Item());
        Assert.Equal(7, Tensor.FromArray([7.0], 1, 1, 1).Item());
        Assert.Equal(-1.5, Tensor.FromArray([-1.5f], 1, 1).Item());
    }

    [Fact]
    public void At_reads_row_major_with_negative_indices_from_the_end()
    {
        var t = Tensor.Arange(24).Reshape(2, 3, 4);
        var r = new Rng(5);
        for (int k = 0; k < 50; k++)
        {
            int i = r.NextInt(2), j = r.NextInt(3), l = r.NextInt(4);
            Assert.Equal(i * 12 + j * 4 + l, t.At(i, j, l));
            Assert.Equal(i * 12 + j * 4 + l, t.At(i - 2, j - 3, l - 4));
        }
        var f = Tensor.Arange(0, 6, 1, DType.Float32).Reshape(3, 2);
        Assert.Equal(5, f.At(-1, -1));
        Assert.Equal(2, f.At(1, 0));
    }

    [Fact]
    public void ToArray_returns_copies()
    {
        var t = Tensor.FromArray([1.0, 2, 3]);
        var a = t.ToArray();
        a[0] = 100;
        Assert.Equal(1, t.At(0));
        var f = t.ToFloatArray();
        f[1] = 100;
        Assert.Equal(2, t.At(1));
        var shape = t.Shape;
        shape[0] = 42;
        Assert.Equal([3], t.Shape);
    }

    [Fact]
    public void ToArray_and_ToFloatArray_convert_between_element_types()
    {
        // float64 → float32 rounds to nearest; float32 → float64 is exact.
        var d = Tensor.FromArray([0.1, 1e-50, 1e50, -2.5, double.NaN]);
        var f = d.ToFloatArray();
        Assert.Equal([0.1f, 0f, float.PositiveInfinity, -2.5f], f[..4]);
        Assert.True(float.IsNaN(f[4]));
        var s = Tensor.FromArray([0.1f, 16777217f]);
        Assert.Equal([(double)0.1f, 16777216.0], s.ToArray());
        Assert.Equal(s.ToFloatArray(), new[] { 0.1f, 16777216f });
    }

    [Fact]
    public void ToArray2D_is_the_matrix()
    {
        var t = Tensor.Arange(6).Reshape(2, 3);
        var m = t.ToArray2D();
        Assert.Equal(new double[,] { { 0, 1, 2 }, { 3, 4, 5 } }, m);
        var f = Tensor.FromArray([1f, 2, 3, 4], 2, 2).ToArray2D();
        Assert.Equal(new double[,] { { 1, 2 }, { 3, 4 } }, f);
        Assert.Equal(new double[0, 5], Tensor.Zeros(0, 5).ToArray2D());
    }

    [Fact]
    public void Shape_rank_count_and_dim()
    {
        var t = Tensor.Zeros(2, 0, 5);
        Assert.Equal([2, 0, 5], t.Shape);
        Assert.Equal(3, t.Rank);
        Assert.Equal(0, t.Count);
        Assert.Equal(5, t.Dim(-1));
        Assert.Equal(2, t.Dim(0));
        Assert.Equal(0, t.Dim(-2));
        Assert.Empty(t.ToArray());
    }

    [Fact]
    public void Reshape_shares_storage_and_infers_one_dimension()
    {
        var t = Tensor.Arange(12);
        var r = t.Reshape(3, -1);
        Assert.Equal([3, 4], r.Shape);
        Assert.Equal(t.ToArray(), r.ToArray());
        Assert.Equal([2, 3, 2], t.Reshape(2, -1, 2).Shape);
        Assert.Equal([12], r.Flatten().Shape);
        Assert.Equal([0, 5], Tensor.Zeros(0).Reshape(0, 5).Shape);
    }

    [Fact]
    public void To_converts_element_types_and_is_identity_on_the_same_type()
    {
        var d = Tensor.FromArray([0.1, 3]);
        var f = d.To(DType.Float32);
        Assert.Equal(DType.Float32, f.DType);
        Assert.Equal([0.1f, 3f], f.ToFloatArray());
        var back = f.To(DType.Float64);
        Assert.Equal([(double)0.1f, 3], back.ToArray());
        Assert.Same(d, d.To(DType.Float64));
    }
}
