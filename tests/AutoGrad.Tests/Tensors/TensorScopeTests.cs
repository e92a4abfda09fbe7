using AutoGrad;
using AutoGrad.Memory;
using Xunit;

namespace AutoGrad.Tests;

/// <summary>
/// TensorScope recycles storage: results inside a scope must equal results outside it bit for bit, even when every
/// pooled array arrives full of NaN (so that a kernel reading its output before writing it is caught), and a recycled
/// tensor must refuse to be read rather than show another tensor's values.
/// </summary>
[Collection("StoragePool")]
public class TensorScopeTests
{
    private static (double[] Value, double[][] Grads) ValueAndGrads(OpCase c, long seed)
    {
        var xs = c.Inputs(seed);
        foreach (var x in xs) x.RequiresGrad = true;
        var y = c.F(xs);
        var value = y.ToArray();
        var s = y.Count == 1 ? y : y.Sum();
        if (!s.RequiresGrad) return (value, []);
        var gs = Diff.Grad(s, xs);
        return (value, gs.Select(g => g.ToArray()).ToArray());
    }

    [Theory]
    [MemberData(nameof(OpTable.Rows), MemberType = typeof(OpTable))]
    public void Every_op_gives_the_same_bits_in_a_poisoned_scope(string name)
    {
        var c = OpTable.Find(name);
        var expected = ValueAndGrads(c, 7);
        StoragePool.Poison = true;
        try
        {
            for (int round = 0; round < 2; round++)
            {
                using var scope = TensorScope.Begin();
                var actual = ValueAndGrads(c, 7);
                Assert.Equal(expected.Value, actual.Value);
                Assert.Equal(expected.Grads.Length, actual.Grads.Length);
                for (int i = 0; i < expected.Grads.Length; i++) Assert.Equal(expected.Grads[i], actual.Grads[i]);
            }
        }
        finally { StoragePool.Poison = false; }
    }

    [Fact]
    public void A_recycled_tensor_refuses_to_be_read()
    {
        var x = Tensor.FromArray([1.0, 2.0, 3.0]);
        Tensor y;
        using (TensorScope.Begin()) y = (x * 2.0).Exp();
        Assert.True(y.IsRecycled);
        var e = Assert.Throws<ObjectDisposedException>(() => y.ToArray());
        Assert.Contains("TensorScope", e.Message);
        Assert.Contains("[3]", e.Message);
        Assert.Throws<ObjectDisposedException>(() => y.Sum().Item());
        Assert.Throws<ObjectDisposedException>(() => (y + 1.0).ToArray());
        Assert.False(x.IsRecycled);
        Assert.Equal([1.0, 2.0, 3.0], x.ToArray());
    }

    [Fact]
    public void Storage_is_reused_by_the_next_scope()
    {
        var x = Tensor.Randn([1000], seed: 3);
        Array first;
        using (TensorScope.Begin()) first = x.Exp().Storage;
        using (TensorScope.Begin())
        {
            var again = x.Sin();
            Assert.Same(first, again.Storage);
            Assert.Equal(x.ToArray().Select(Math.Sin), again.ToArray(), new Close(1e-15));
        }
    }

    [Fact]
    public void Kept_tensors_survive_and_move_to_the_enclosing_scope()
    {
        var x = Tensor.FromArray([1.0, 2.0]);
        Tensor kept, inner;
        using (var outer = TensorScope.Begin())
        {
            using (var scope = TensorScope.Begin())
            {
                inner = x * 3.0;
                kept = scope.Keep(x + 1.0);
                Assert.Throws<InvalidOperationException>(() => scope.Keep(x));
            }
            Assert.True(inner.IsRecycled);
            Assert.Equal([2.0, 3.0], kept.ToArray());
            // A new array must not be the kept one's.
            var fresh = x * 5.0;
            Assert.NotSame(kept.Storage, fresh.Storage);
            Assert.Equal([2.0, 3.0], kept.ToArray());
        }
        Assert.True(kept.IsRecycled);

        Tensor top;
        using (var scope = TensorScope.Begin()) top = scope.Keep(x * 4.0);
        Assert.Equal([4.0, 8.0], top.ToArray());
    }

    [Fact]
    public void Leaf_gradients_and_parameters_outlive_the_scope()
    {
        var w = Tensor.FromArray([1.0, -2.0]).RequireGrad();
        for (int step = 0; step < 3; step++)
        {
            using var scope = TensorScope.Begin();
            var loss = (w * w).Sum();
            loss.Backward();
        }
        Assert.False(w.Grad!.IsRecycled);
        Assert.Equal([6.0, -12.0], w.Grad.ToArray());
    }

    [Fact]
    public void Views_of_outside_tensors_do_not_give_their_storage_away()
    {
        var x = Tensor.FromArray([1.0, 2.0, 3.0, 4.0]);
        using (TensorScope.Begin())
        {
            var v = x.Reshape(2, 2);
            var d = x.Detach();
            Assert.Equal(4, v.Count + d.Count - 4);
        }
        Assert.Equal([1.0, 2.0, 3.0, 4.0], x.ToArray());
        using (TensorScope.Begin())
        {
            var y = Tensor.Zeros(4) + 7.0;
            Assert.NotSame(x.Storage, y.Storage);
        }
        Assert.Equal([1.0, 2.0, 3.0, 4.0], x.ToArray());
    }

    [Fact]
    public void Scopes_end_in_reverse_order_and_once()
    {
        var outer = TensorScope.Begin();
        var inner = TensorScope.Begin();
        Assert.Throws<InvalidOperationException>(() => outer.Dispose());
        inner.Dispose();
        inner.Dispose();
        outer.Dispose();
        Assert.False(TensorScope.IsActive);
        Assert.Throws<InvalidOperationException>(() => outer.Keep(Tensor.Zeros(1)));
    }

    [Fact]
    public void A_steady_loop_in_a_scope_allocates_no_storage()
    {
        var w = Tensor.Randn([64, 32], seed: 1).RequireGrad();
        var x = Tensor.Randn([16, 64], seed: 2);
        void Step()
        {
            using var scope = TensorScope.Begin();
            var loss = (x.MatMul(w).Tanh() * 0.5).Square().Mean();
            loss.Backward();
            w.ZeroGrad();
        }
        for (int i = 0; i < 3; i++) Step();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10; i++) Step();
        long perStep = (GC.GetAllocatedBytesForCurrentThread() - before) / 10;
        // Without the pool a step allocates its arrays: 16×32 doubles several times over (> 20 KB).
        Assert.True(perStep < 6_000, $"{perStep} bytes per step");
    }

    private sealed class Close(double tol) : IEqualityComparer<double>
    {
        public bool Equals(double a, double b) => Math.Abs(a - b) <= tol * Math.Max(1, Math.Abs(a));
        public int GetHashCode(double x) => 0;
    }
}

[Collection("StoragePool")]
public class TensorScopeGraphTests
{
    [Fact]
    public void Backward_from_a_kept_result_through_recycled_tensors_fails_instead_of_truncating()
    {
        var x = Tensor.FromArray([1.0, 2.0]).RequireGrad();
        Tensor kept;
        using (var scope = TensorScope.Begin())
        {
            var h = x + 1.0;
            kept = scope.Keep(h + h);
        }
        Assert.Throws<ObjectDisposedException>(() => kept.Sum().Backward());
        Assert.Null(x.Grad);
    }

    [Fact]
    public void Nodes_are_reused_and_graphs_in_later_scopes_stay_correct()
    {
        var x = Tensor.FromArray([0.3, -0.7]).RequireGrad();
        for (int round = 0; round < 5; round++)
        {
            using var scope = TensorScope.Begin();
            var y = (x.Sin() * x + x.Exp()).Sum();
            var g = Diff.Grad(y, [x])[0].ToArray();
            var xs = x.ToArray();
            for (int i = 0; i < 2; i++)
                Assert.Equal(Math.Cos(xs[i]) * xs[i] + Math.Sin(xs[i]) + Math.Exp(xs[i]), g[i], 1e-14);
            var h = Diff.Hessian(v => (v.Sin() * v).Sum(), x).ToArray();
            Assert.Equal(2 * Math.Cos(xs[0]) - xs[0] * Math.Sin(xs[0]), h[0], 1e-14);
            Assert.Equal(0.0, h[1]);
        }
    }
}
