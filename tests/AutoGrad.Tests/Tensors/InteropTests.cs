using System.Numerics.Tensors;
using AutoGrad;
using Xunit;
using Tensor = AutoGrad.Tensor;

namespace AutoGrad.Tests;

/// <summary>Interop without copies: wrapped arrays, spans and System.Numerics.Tensors, and who owns the memory.</summary>
[Collection("StoragePool")]
public class InteropTests
{
    [Fact]
    public void Wrap_shares_memory_both_ways()
    {
        var data = new[] { 1.0, 2.0, 3.0, 4.0, 5.0, 6.0 };
        var t = Tensor.Wrap(data, 2, 3);
        Assert.Equal(new[] { 2, 3 }, t.Shape);
        Assert.Same(data, t.Storage);
        data[4] = 50.0;
        Assert.Equal(50.0, t.At(1, 1));
        using (GradMode.NoGrad()) t.Fill(7.0);
        Assert.All(data, v => Assert.Equal(7.0, v));

        var f = new[] { 1f, 2f };
        var tf = Tensor.Wrap(f);
        Assert.Equal(DType.Float32, tf.DType);
        Assert.Equal(new[] { 2 }, tf.Shape);
        tf.AsSpan<float>()[1] = 9f;
        Assert.Equal(9f, f[1]);
    }

    [Fact]
    public void Wrap_with_the_wrong_length_is_refused_naming_both()
    {
        var e = Assert.Throws<ArgumentException>(() => Tensor.Wrap(new double[5], 2, 3));
        Assert.Contains("5", e.Message);
        Assert.Contains("[2, 3]", e.Message);
        Assert.Contains("6", e.Message);
        Assert.Throws<ArgumentException>(() => Tensor.Wrap(new float[7], 2, 3));
    }

    [Fact]
    public void FromArray_copies_where_Wrap_shares()
    {
        var data = new[] { 1.0, 2.0 };
        var copied = Tensor.FromArray(data);
        data[0] = 10.0;
        Assert.Equal(1.0, copied.At(0));
    }

    [Fact]
    public void A_wrapped_tensor_survives_a_scope_and_its_array_is_not_reused()
    {
        var data = new[] { 1.0, 2.0, 3.0, 4.0 };
        Tensor wrapped;
        using (TensorScope.Begin())
        {
            wrapped = Tensor.Wrap(data, 2, 2);
            var y = (wrapped * 2.0).Sum();
            Assert.Equal(20.0, y.Item());
        }
        Assert.False(wrapped.IsRecycled);
        Assert.Same(data, wrapped.Storage);
        Assert.Equal(new[] { 1.0, 2.0, 3.0, 4.0 }, wrapped.ToArray());

        // The next scope rents arrays of the same size: none of them may be the caller's.
        using (TensorScope.Begin())
        {
            for (int i = 0; i < 8; i++)
            {
                var r = Tensor.Zeros(2, 2) + 1.0;
                Assert.NotSame(data, r.Storage);
            }
        }
        Assert.Equal(new[] { 1.0, 2.0, 3.0, 4.0 }, data);
    }

    [Fact]
    public void Writing_through_the_array_then_MarkChanged_makes_a_pending_backward_refuse()
    {
        var data = new[] { 3.0, 4.0 };
        var w = Tensor.FromArray([1.0, 2.0]).RequireGrad();
        var x = Tensor.Wrap(data);
        var loss = (w * x).Sum();            // Mul saved x for w's gradient
        data[0] = 30.0;
        x.MarkChanged();
        Assert.Equal(1, x.Version);
        var e = Assert.Throws<InvalidOperationException>(() => loss.Backward());
        Assert.Contains("version 1, recorded at version 0", e.Message);
        Assert.Null(w.Grad);
    }

    [Fact]
    public void Gradients_work_on_wrapped_tensors()
    {
        var data = new[] { 1.0, -2.0, 3.0 };
        var x = Tensor.Wrap(data).RequireGrad();
        (x * x).Sum().Backward();
        Assert.Equal(new[] { 2.0, -4.0, 6.0 }, x.Grad!.ToArray());

        var f = new[] { 1f, 2f };
        var xf = Tensor.Wrap(f, 2).RequireGrad();
        (xf * 3.0).Sum().Backward();
        Assert.Equal(new[] { 3f, 3f }, xf.Grad!.ToFloatArray());
    }

    [Fact]
    public void Spans_of_the_wrong_type_are_refused_naming_both()
    {
        var t = Tensor.FromArray([1.0, 2.0]);
        var e = Assert.Throws<InvalidOperationException>(() => t.AsSpan<float>().Length);
        Assert.Contains("float64", e.Message);
        Assert.Contains("Single", e.Message);
        Assert.Throws<InvalidOperationException>(() => t.AsReadOnlySpan<float>().Length);
        Assert.Throws<InvalidOperationException>(() => t.AsTensorSpan<float>().FlattenedLength);
        Assert.Throws<InvalidOperationException>(() => t.ToNumericsTensor<float>());
        var n = Assert.Throws<NotSupportedException>(() => t.AsSpan<int>().Length);
        Assert.Contains("Int32", n.Message);
        Assert.Throws<NotSupportedException>(() => Tensor.FromNumerics(System.Numerics.Tensors.Tensor.Create(new[] { 1, 2 })));
    }

    [Fact]
    public void Spans_read_and_write_without_a_copy_and_AsSpan_bumps_the_version()
    {
        var t = Tensor.FromArray([1.0, 2.0, 3.0]);
        Assert.Equal(new[] { 1.0, 2.0, 3.0 }, t.AsReadOnlySpan<double>().ToArray());
        Assert.Equal(0, t.Version);
        var s = t.AsSpan<double>();
        Assert.Equal(1, t.Version);
        s[2] = 30.0;
        Assert.Equal(30.0, t.At(2));

        var d = new double[4];
        t.CopyTo(d);
        Assert.Equal(new[] { 1.0, 2.0, 30.0, 0.0 }, d);
        var f = new float[3];
        t.CopyTo(f);
        Assert.Equal(new[] { 1f, 2f, 30f }, f);
        Assert.Throws<ArgumentException>(() => t.CopyTo(new double[2]));
    }

    [Fact]
    public void AsSpan_on_a_parameter_is_refused_while_recording_and_allowed_under_NoGrad()
    {
        var p = Tensor.FromArray([1.0, 2.0]).RequireGrad();
        var e = Assert.Throws<InvalidOperationException>(() => p.AsSpan<double>().Length);
        Assert.Contains("AsSpan", e.Message);
        Assert.Contains("requires gradients", e.Message);
        Assert.Throws<InvalidOperationException>(() => p.AsTensorSpan<double>().FlattenedLength);
        var r = p * 2.0;
        Assert.Throws<InvalidOperationException>(() => r.AsSpan<double>().Length);
        Assert.Equal(2, p.AsReadOnlySpan<double>().Length);   // reading is always fine
        using (GradMode.NoGrad())
        {
            p.AsSpan<double>()[0] = 5.0;
        }
        Assert.Equal(5.0, p.At(0));
    }

    [Fact]
    public void A_TensorSpan_writes_through_to_the_tensor_without_a_copy()
    {
        var t = Tensor.Zeros(2, 3);
        var ts = t.AsTensorSpan<double>();
        Assert.Equal(new nint[] { 2, 3 }, ts.Lengths.ToArray());
        ts[1, 2] = 42.0;
        ts[0, 1] = -1.0;
        Assert.Equal(42.0, t.At(1, 2));
        Assert.Equal(-1.0, t.At(0, 1));

        var ro = t.AsReadOnlyTensorSpan<double>();
        Assert.Equal(42.0, ro[1, 2]);
        t.AsSpan<double>()[0] = 8.0;
        Assert.Equal(8.0, ro[0, 0]);

        var tf = Tensor.Zeros([4], DType.Float32);
        tf.AsTensorSpan<float>().Fill(2.5f);
        Assert.Equal(new[] { 2.5f, 2.5f, 2.5f, 2.5f }, tf.ToFloatArray());
    }

    [Fact]
    public void ToNumericsTensor_and_FromNumerics_round_trip_bit_identical()
    {
        var x = Tensor.Randn([3, 4, 5], 11);
        var n = x.ToNumericsTensor<double>();
        Assert.Equal(new nint[] { 3, 4, 5 }, n.Lengths.ToArray());
        var back = Tensor.FromNumerics(n);
        Assert.Equal(x.Shape, back.Shape);
        Assert.Equal(DType.Float64, back.DType);
        AssertBits(x.ToArray(), back.ToArray());

        // ToNumericsTensor copies: changing the copy leaves the tensor alone.
        n[0, 0, 0] = 123.0;
        Assert.NotEqual(123.0, x.At(0, 0, 0));

        var xf = Tensor.Randn([6], 5, DType.Float32);
        var backF = Tensor.FromNumerics(xf.AsReadOnlyTensorSpan<float>());
        Assert.Equal(DType.Float32, backF.DType);
        Assert.Equal(xf.ToFloatArray(), backF.ToFloatArray());

        var scalar = Tensor.Scalar(3.5);
        Assert.Equal(3.5, Tensor.FromNumerics(scalar.ToNumericsTensor<double>()).Item());
    }

    [Fact]
    public void FromNumerics_copies_a_non_contiguous_source_in_logical_order()
    {
        // A 2×3 row-major array seen transposed (3×2) through strides [1, 3].
        var data = new[] { 1.0, 2.0, 3.0, 4.0, 5.0, 6.0 };
        var transposed = new ReadOnlyTensorSpan<double>(data, [3, 2], [1, 3]);
        Assert.False(transposed.IsDense);
        var t = Tensor.FromNumerics(transposed);
        Assert.Equal(new[] { 3, 2 }, t.Shape);
        Assert.Equal(new[] { 1.0, 4.0, 2.0, 5.0, 3.0, 6.0 }, t.ToArray());
        AssertBits(Tensor.FromArray(data, 2, 3).Transpose(0, 1).ToArray(), t.ToArray());

        // A column slice of a 3×4 tensor: rows stride 4, length 2 per row.
        var wide = Tensor.Arange(12).Reshape(3, 4);
        var slice = wide.AsReadOnlyTensorSpan<double>().Slice([0..3, 1..3]);
        var s = Tensor.FromNumerics(slice);
        Assert.Equal(new[] { 3, 2 }, s.Shape);
        Assert.Equal(new[] { 1.0, 2.0, 5.0, 6.0, 9.0, 10.0 }, s.ToArray());
        AssertBits(wide.Slice(1, 1, 3).ToArray(), s.ToArray());
    }

    private static void AssertBits(double[] expected, double[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.Equal(BitConverter.DoubleToInt64Bits(expected[i]), BitConverter.DoubleToInt64Bits(actual[i]));
    }
}
