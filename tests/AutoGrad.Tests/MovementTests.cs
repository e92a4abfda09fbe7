using AutoGrad;

namespace AutoGrad.Tests;

/// <summary>Values, gradients and error messages of the movement family, checked against hand-written answers.</summary>
public class MovementTests
{
    private static Tensor Vec(params double[] v) => Tensor.FromArray(v);
    /// <summary>0, 1, …, n − 1 in the given shape.</summary>
    private static Tensor Iota(params int[] shape) => Tensor.Arange(shape.Aggregate(1, (a, b) => a * b)).Reshape(shape);

    private static void Same(double[] expected, int[] shape, Tensor actual)
    {
        Assert.Equal(shape, actual.Shape);
        Assert.Equal(expected, actual.ToArray());
    }

    /// <summary>Asserts that <paramref name="act"/> throws <typeparamref name="E"/> with a message containing every fragment.</summary>
    private static void Throws<E>(Action act, params string[] fragments) where E : Exception
    {
        var e = Assert.Throws<E>(act);
        foreach (var f in fragments) Assert.Contains(f, e.Message);
    }

    // ---- Permute, Transpose, Squeeze, Unsqueeze ----

    [Fact]
    public void Permute_moves_axes()
    {
        var x = Iota(2, 3, 4);
        var y = x.Permute(2, 0, 1);
        Assert.Equal([4, 2, 3], y.Shape);
        for (int i = 0; i < 2; i++)
            for (int j = 0; j < 3; j++)
                for (int k = 0; k < 4; k++)
                    Assert.Equal(x.At(i, j, k), y.At(k, i, j));
        Same(y.ToArray(), [4, 2, 3], x.Permute(-1, 0, -2));
    }

    [Fact]
    public void Permute_of_a_scalar_and_identity_permutation_copy()
    {
        var s = Tensor.Scalar(2.5);
        Same([2.5], [], s.Permute());
        var x = Iota(2, 3);
        var y = x.Permute(0, 1);
        Same(x.ToArray(), [2, 3], y);
        Assert.NotSame(x, y);
    }

    [Fact]
    public void Transpose_swaps_two_axes_and_the_default_is_the_batched_matrix_transpose()
    {
        Same([0, 3, 1, 4, 2, 5], [3, 2], Iota(2, 3).Transpose());
        Same([0, 3, 1, 4, 2, 5, 6, 9, 7, 10, 8, 11], [2, 3, 2], Iota(2, 2, 3).Transpose());
        Same([0, 6, 3, 9, 1, 7, 4, 10, 2, 8, 5, 11], [3, 2, 2], Iota(2, 2, 3).Transpose(0, -1));
        Same(Iota(2, 3).ToArray(), [2, 3], Iota(2, 3).Transpose(1, 1));
    }

    [Fact]
    public void Unsqueeze_and_Squeeze_reshape_around_size_one_axes()
    {
        var x = Iota(2, 3);
        Assert.Equal([1, 2, 3], x.Unsqueeze(0).Shape);
        Assert.Equal([2, 1, 3], x.Unsqueeze(1).Shape);
        Assert.Equal([2, 3, 1], x.Unsqueeze(-1).Shape);
        Assert.Equal([2, 1, 3], x.Unsqueeze(-2).Shape);
        Assert.Equal([1], Tensor.Scalar(1).Unsqueeze(0).Shape);
        Assert.Equal(x.ToArray(), x.Unsqueeze(1).ToArray());
        var y = Iota(1, 2, 1, 3);
        Assert.Equal([2, 1, 3], y.Squeeze(0).Shape);
        Assert.Equal([1, 2, 3], y.Squeeze(-2).Shape);
        Assert.Equal([2, 3], y.Squeeze().Shape);
        Assert.Equal([], Tensor.Ones(1, 1).Squeeze().Shape);
        Assert.Equal(y.ToArray(), y.Squeeze().ToArray());
    }

    // ---- Slice ----

    [Fact]
    public void Slice_follows_python_slice_rules()
    {
        var x = Iota(10);
        Same([2, 3, 4], [3], x.Slice(0, 2, 5));
        Same([2, 5], [2], x.Slice(0, 2, 8, 3));
        Same([7, 8, 9], [3], x.Slice(0, -3, int.MaxValue));
        Same([7, 8], [2], x.Slice(0, -3, -1));
        Same([0, 1, 2], [3], x.Slice(0, -100, 3));
        Same(x.ToArray(), [10], x.Slice(0, int.MinValue, int.MaxValue));
        Same([], [0], x.Slice(0, 8, 2));
        Same([], [0], x.Slice(0, 10, 20));
        Same([9], [1], x.Slice(0, 9, 100, 50));
    }

    [Fact]
    public void Slice_along_an_inner_axis_keeps_the_others_whole()
    {
        var x = Iota(2, 5);
        Same([1, 3, 6, 8], [2, 2], x.Slice(1, 1, 5, 2));
        Same([0, 1, 2, 3, 4], [1, 5], x.Slice(0, 0, 1));
        Same([], [2, 0], x.Slice(-1, 3, 3));
    }

    [Fact]
    public void Slice_gradient_is_g_scattered_into_zeros()
    {
        var x = Iota(6).RequireGrad();
        (x.Slice(0, 1, 6, 2) * Vec(10, 20, 30)).Sum().Backward();
        Assert.Equal([0.0, 10, 0, 20, 0, 30], x.Grad!.ToArray());
    }

    [Fact]
    public void Overlapping_slices_add_their_gradients()
    {
        var x = Iota(5).RequireGrad();
        (x.Slice(0, 0, 3).Sum() + x.Slice(0, 1, 5).Sum() * 2.0).Backward();
        Assert.Equal([1.0, 3, 3, 2, 2], x.Grad!.ToArray());
    }

    [Fact]
    public void Slice_second_derivative_flows_through_the_scatter()
    {
        // f(x) = Σ x[1:3]³, so the Hessian is diag(0, 6x₁, 6x₂, 0).
        var x = Vec(1, 2, 3, 4);
        var g = Diff.Grad(v => Diff.Grad(u => u.Slice(0, 1, 3).Pow(3).Sum(), v).Sum(), x);
        Assert.Equal([0.0, 12, 18, 0], g.ToArray());
    }

    // ---- Indexing and Select ----

    [Fact]
    public void Indexers_select_along_leading_axes_and_drop_them()
    {
        var x = Iota(3, 4);
        Same([4, 5, 6, 7], [4], x[1]);
        Same([8, 9, 10, 11], [4], x[-1]);
        Same([6], [], x[1, 2]);
        Same([11], [], x[-1, -1]);
        Same([2], [], Iota(5)[2]);
        var y = Iota(2, 3, 4);
        Same([16, 17, 18, 19], [4], y[1, 1]);
        Same(y.ToArray(), [2, 3, 4], y[Array.Empty<int>()]);
    }

    [Fact]
    public void Select_picks_one_entry_along_any_axis()
    {
        var x = Iota(3, 4);
        Same([2, 6, 10], [3], x.Select(1, 2));
        Same([3, 7, 11], [3], x.Select(-1, -1));
        Same([4, 5, 6, 7], [4], x.Select(0, 1));
        var y = Iota(2, 3, 2);
        Same([2, 3, 8, 9], [2, 2], y.Select(1, 1));
    }

    [Fact]
    public void Indexing_gradient_lands_on_the_selected_entries()
    {
        var x = Iota(3, 2).RequireGrad();
        (x[1] * Vec(5, 7)).Sum().Backward();
        Assert.Equal([0.0, 0, 5, 7, 0, 0], x.Grad!.ToArray());
        x.ZeroGrad();
        (x[2, 0] * 3.0 + x.Select(1, 1).Sum()).Backward();
        Assert.Equal([0.0, 1, 0, 1, 3, 1], x.Grad!.ToArray());
    }

    // ---- IndexSelect and IndexAdd ----

    [Fact]
    public void IndexSelect_takes_entries_in_order_with_repeats_and_negative_indices()
    {
        var x = Iota(3, 4);
        Same([3, 0, 3, 7, 4, 7, 11, 8, 11], [3, 3], x.IndexSelect(1, [3, 0, -1]));
        Same([8, 9, 10, 11, 0, 1, 2, 3, 8, 9, 10, 11], [3, 4], x.IndexSelect(0, [2, 0, 2]));
        Same([], [0, 4], x.IndexSelect(0, []));
    }

    [Fact]
    public void IndexSelect_gradient_accumulates_repeated_indices()
    {
        var x = Vec(1, 2, 3).RequireGrad();
        (x.IndexSelect(0, [0, 0, 2, 0, -3]) * Vec(1, 10, 100, 1000, 10000)).Sum().Backward();
        Assert.Equal([11011.0, 0, 100], x.Grad!.ToArray());
    }

    [Fact]
    public void IndexAdd_adds_source_slices_at_indices()
    {
        var x = Tensor.Zeros(3, 2);
        var src = Tensor.FromArray([1.0, 2, 10, 20, 100, 200], 3, 2);
        Same([10, 20, 0, 0, 101, 202], [3, 2], x.IndexAdd(0, [2, 0, 2], src));
        var y = Tensor.Ones(2, 3);
        Same([4, 1, 2, 7, 1, 5], [2, 3], y.IndexAdd(1, [0, 2, 0], Tensor.FromArray([1.0, 1, 2, 2, 4, 4], 2, 3)));
    }

    [Fact]
    public void IndexAdd_gradients_are_g_and_g_at_the_indices()
    {
        var x = Tensor.Zeros(3).RequireGrad();
        var src = Vec(1, 2, 3).RequireGrad();
        (x.IndexAdd(0, [2, 2, 0], src) * Vec(10, 20, 30)).Sum().Backward();
        Assert.Equal([10.0, 20, 30], x.Grad!.ToArray());
        Assert.Equal([30.0, 30, 10], src.Grad!.ToArray());
    }

    // ---- Gather and ScatterAdd ----

    [Fact]
    public void Gather_follows_torch_gather()
    {
        // torch.gather(torch.tensor([[1, 2], [3, 4]]), 1, torch.tensor([[0, 0], [1, 0]])) = [[1, 1], [4, 3]]
        var t = Tensor.FromArray([1.0, 2, 3, 4], 2, 2);
        Same([1, 1, 4, 3], [2, 2], t.Gather(1, [0, 0, 1, 0], [2, 2]));
        Same([3, 2, 1, 4], [2, 2], t.Gather(0, [1, 0, 0, 1], [2, 2]));
        // An index smaller than the tensor off the gathered axis reads only the leading part.
        var x = Iota(3, 4);
        Same([8, 1, 4, 9], [2, 2], x.Gather(0, [2, 0, 1, -1], [2, 2]));
        Same([3, 3, 0], [1, 3], x.Gather(-1, [3, -1, 0], [1, 3]));
    }

    [Fact]
    public void Gather_gradient_scatter_adds_with_repeats()
    {
        var x = Iota(2, 3).RequireGrad();
        (x.Gather(1, [2, 2, 2, 0, 1, 0], [2, 3]) * Tensor.FromArray([1.0, 2, 3, 4, 5, 6], 2, 3)).Sum().Backward();
        Assert.Equal([0.0, 0, 6, 10, 5, 0], x.Grad!.ToArray());
    }

    [Fact]
    public void ScatterAdd_follows_torch_scatter_add()
    {
        // torch.zeros(3, 5).scatter_add(0, torch.tensor([[0, 1, 2, 0, 0], [2, 0, 0, 1, 2]]), torch.ones(2, 5))
        var r = Tensor.Zeros(3, 5).ScatterAdd(0, [0, 1, 2, 0, 0, 2, 0, 0, 1, 2], Tensor.Ones(2, 5));
        Same([1, 1, 1, 1, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1], [3, 5], r);
        var y = Tensor.Ones(2, 3).ScatterAdd(1, [2, 2, 0, -3], Tensor.FromArray([1.0, 2, 3, 4], 2, 2));
        Same([1, 1, 4, 8, 1, 1], [2, 3], y);
    }

    [Fact]
    public void ScatterAdd_gradients_are_g_and_g_gathered()
    {
        var x = Tensor.Zeros(2, 2).RequireGrad();
        var src = Vec(1, 2, 3).Reshape(1, 3).RequireGrad();
        var w = Tensor.FromArray([1.0, 10, 100, 1000, 10000, 100000], 2, 3);
        (Tensor.Zeros(2, 3).ScatterAdd(1, [2, 0, 2], src) * w).Sum().Backward();
        Assert.Equal([100.0, 1, 100], src.Grad!.Reshape(3).ToArray());
        (x.ScatterAdd(0, [1, 1], Vec(5, 6).Reshape(1, 2)) * Tensor.FromArray([1.0, 2, 3, 4], 2, 2)).Sum().Backward();
        Assert.Equal([1.0, 2, 3, 4], x.Grad!.ToArray());
    }

    // ---- Concat and Stack ----

    [Fact]
    public void Concat_joins_along_an_axis()
    {
        var a = Iota(2, 2);
        var b = Tensor.FromArray([10.0, 11, 12, 13, 14, 15], 2, 3);
        Same([0, 1, 10, 11, 12, 2, 3, 13, 14, 15], [2, 5], Tensor.Concat([a, b], 1));
        Same([0, 1, 2, 3, 0, 1, 2, 3], [4, 2], Tensor.Concat([a, a]));
        Same([10, 11, 12, 13, 14, 15, 0, 1], [4, 2],
            Tensor.Concat([b.Reshape(3, 2), Tensor.Zeros(0, 2), a[0].Unsqueeze(0)], 0));
        Same([0, 1, 2, 3], [2, 2], Tensor.Concat([a]));
    }

    [Fact]
    public void Concat_gradient_is_split_back_per_input()
    {
        var a = Vec(1, 2).RequireGrad();
        var b = Vec(3).RequireGrad();
        (Tensor.Concat([a, b, a]) * Vec(1, 10, 100, 1000, 10000)).Sum().Backward();
        Assert.Equal([1001.0, 10010], a.Grad!.ToArray());
        Assert.Equal([100.0], b.Grad!.ToArray());
    }

    [Fact]
    public void Stack_adds_a_new_axis()
    {
        var a = Vec(1, 2, 3); var b = Vec(4, 5, 6);
        Same([1, 2, 3, 4, 5, 6], [2, 3], Tensor.Stack([a, b]));
        Same([1, 4, 2, 5, 3, 6], [3, 2], Tensor.Stack([a, b], 1));
        Same([1, 4, 2, 5, 3, 6], [3, 2], Tensor.Stack([a, b], -1));
        Same([1, 2, 3], [3], Tensor.Stack([Tensor.Scalar(1), Tensor.Scalar(2), Tensor.Scalar(3)]));
        var s = Tensor.Scalar(2).RequireGrad();
        (Tensor.Stack([s, s * s]) * Vec(3, 5)).Sum().Backward();
        Assert.Equal(3 + 5 * 4, s.Grad!.Item());
    }

    [Fact]
    public void Movement_keeps_the_element_type()
    {
        var x = Tensor.FromArray([1f, 2, 3, 4, 5, 6], 2, 3);
        foreach (var y in new[] { x.Permute(1, 0), x.Slice(1, 1, 3), x[1], x.IndexSelect(1, [0, 0]), x.Gather(0, [1], [1, 1]),
                     Tensor.Concat([x, x]), Tensor.Stack([x, x]), x.IndexAdd(0, [1], x[0].Unsqueeze(0)) })
            Assert.Equal(DType.Float32, y.DType);
        Assert.Equal([1f, 4, 2, 5, 3, 6], x.Transpose().ToFloatArray());
        Assert.Equal([4f, 4, 4], x.IndexSelect(0, [1, 1, 1]).Select(1, 0).ToFloatArray());
    }

    // ---- Errors name the operation and the shapes ----

    [Fact]
    public void Bad_permutations_and_axes_are_rejected()
    {
        var x = Iota(2, 3, 4);
        Throws<ArgumentException>(() => x.Permute(0, 0, 1), "Permute", "[0, 0, 1]", "[2, 3, 4]");
        Throws<ArgumentException>(() => x.Permute(0, 1), "Permute", "[0, 1]", "[2, 3, 4]");
        Throws<ArgumentException>(() => x.Permute(0, 1, 3), "Permute", "[2, 3, 4]");
        Throws<ArgumentOutOfRangeException>(() => x.Transpose(0, 3), "Transpose", "axis 3", "[2, 3, 4]");
        Throws<InvalidOperationException>(() => Iota(3).Transpose(), "Transpose", "[3]");
        Throws<ArgumentOutOfRangeException>(() => x.Unsqueeze(4), "Unsqueeze", "axis 4", "[2, 3, 4]");
        Throws<ArgumentOutOfRangeException>(() => x.Unsqueeze(-5), "Unsqueeze", "axis -5");
        Throws<ArgumentException>(() => Iota(2, 1).Squeeze(0), "Squeeze", "axis 0", "size 2", "[2, 1]");
        Throws<ArgumentOutOfRangeException>(() => Iota(2, 1).Squeeze(2), "Squeeze", "axis 2");
    }

    [Fact]
    public void Bad_slices_and_indices_are_rejected()
    {
        var x = Iota(3, 4);
        Throws<ArgumentException>(() => x.Slice(1, 0, 4, 0), "Slice", "step", "0", "[3, 4]");
        Throws<ArgumentException>(() => x.Slice(1, 4, 0, -1), "Slice", "step", "-1");
        Throws<ArgumentOutOfRangeException>(() => x.Slice(2, 0, 1), "Slice", "axis 2", "[3, 4]");
        Throws<ArgumentOutOfRangeException>(() => _ = x[3], "Select", "index 3", "[3, 4]");
        Throws<ArgumentOutOfRangeException>(() => _ = x[-4], "Select", "index -4");
        Throws<ArgumentOutOfRangeException>(() => _ = x[0, 4], "Index", "index 4", "axis 1", "[3, 4]");
        Throws<ArgumentException>(() => _ = x[0, 0, 0], "Index", "3 indices", "[3, 4]");
        Throws<ArgumentOutOfRangeException>(() => _ = Tensor.Scalar(1)[0], "Select", "[]");
        Throws<ArgumentOutOfRangeException>(() => x.Select(1, 4), "Select", "index 4", "axis 1", "[3, 4]");
        Throws<ArgumentOutOfRangeException>(() => x.Select(-3, 0), "Select", "axis -3");
    }

    [Fact]
    public void Bad_index_selects_and_gathers_are_rejected()
    {
        var x = Iota(3, 4);
        Throws<ArgumentOutOfRangeException>(() => x.IndexSelect(0, [0, 3]), "IndexSelect", "index 3", "[3, 4]");
        Throws<ArgumentOutOfRangeException>(() => x.IndexSelect(1, [-5]), "IndexSelect", "index -5", "axis 1");
        Throws<ArgumentOutOfRangeException>(() => x.IndexSelect(2, [0]), "IndexSelect", "axis 2");
        Throws<ArgumentException>(() => x.IndexAdd(0, [0, 1], Tensor.Ones(3, 4)), "IndexAdd", "[3, 4]", "[2, 4]");
        Throws<ArgumentException>(() => x.IndexAdd(0, [0], Tensor.Ones([1, 4], DType.Float32)), "IndexAdd", "float32", "float64");
        Throws<ArgumentOutOfRangeException>(() => x.IndexAdd(1, [4], Tensor.Ones(3, 1)), "IndexAdd", "index 4");
        Throws<ArgumentException>(() => x.Gather(0, [0, 1], [2]), "Gather", "[2]", "[3, 4]", "rank");
        Throws<ArgumentException>(() => x.Gather(0, [0, 0, 0, 0, 0], [1, 5]), "Gather", "[1, 5]", "[3, 4]", "axis 1");
        Throws<ArgumentException>(() => x.Gather(1, [0, 1, 2], [2, 2]), "Gather", "3 indices", "[2, 2]");
        Throws<ArgumentOutOfRangeException>(() => x.Gather(1, [0, 4], [1, 2]), "Gather", "index 4", "axis 1", "[3, 4]");
        Throws<ArgumentException>(() => x.Gather(1, [0], [1, -1]), "Gather", "negative", "[1, -1]");
        Throws<ArgumentException>(() => x.ScatterAdd(0, [0, 0, 0, 0, 0], Tensor.Ones(1, 5)), "ScatterAdd", "[1, 5]", "[3, 4]");
        Throws<ArgumentException>(() => x.ScatterAdd(0, [0, 0], Tensor.Ones(1, 4)), "ScatterAdd", "2 indices", "[1, 4]");
        Throws<ArgumentOutOfRangeException>(() => x.ScatterAdd(0, [3], Tensor.Ones(1, 1)), "ScatterAdd", "index 3", "axis 0");
        Throws<ArgumentException>(() => x.ScatterAdd(0, [0], Tensor.Ones([1, 1], DType.Float32)), "ScatterAdd", "float32");
    }

    [Fact]
    public void Bad_concatenations_and_stacks_are_rejected()
    {
        var a = Iota(2, 3);
        Throws<ArgumentException>(() => Tensor.Concat([]), "Concat", "no tensors");
        Throws<ArgumentException>(() => Tensor.Concat([Tensor.Scalar(1), Tensor.Scalar(2)]), "Concat", "0-d", "[]");
        Throws<ArgumentException>(() => Tensor.Concat([a, Iota(3, 2)], 1), "Concat", "tensor 1", "[3, 2]", "[2, 3]", "axis 1");
        Throws<ArgumentException>(() => Tensor.Concat([a, Iota(2, 3, 1)]), "Concat", "[2, 3, 1]", "[2, 3]");
        Throws<ArgumentException>(() => Tensor.Concat([a, a.To(DType.Float32)]), "Concat", "float64", "float32");
        Throws<ArgumentOutOfRangeException>(() => Tensor.Concat([a, a], 2), "Concat", "axis 2", "[2, 3]");
        Throws<ArgumentException>(() => Tensor.Stack([]), "Stack", "no tensors");
        Throws<ArgumentException>(() => Tensor.Stack([a, Iota(3, 2)]), "Stack", "tensor 1", "[3, 2]", "[2, 3]");
        Throws<ArgumentOutOfRangeException>(() => Tensor.Stack([a, a], 3), "Stack", "axis 3");
        Throws<ArgumentException>(() => Tensor.Stack([a, a.To(DType.Float32)]), "Stack", "float64", "float32");
    }
}
