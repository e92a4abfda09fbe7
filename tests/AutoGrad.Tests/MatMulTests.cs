using System.Numerics;
using AutoGrad;
using AutoGrad.Kernels;

namespace AutoGrad.Tests;

/// <summary>The GEMM kernels against a naive triple loop, and MatMul's NumPy semantics, gradients and errors.</summary>
public class MatMulTests
{
    private static Tensor Vec(params double[] v) => Tensor.FromArray(v);
    private static Tensor M(int rows, int cols, params double[] v) => Tensor.FromArray(v, rows, cols);

    private static T[] Random<T>(Rng rng, int n) where T : IFloatingPointIeee754<T>
    {
        var r = new T[n];
        for (int i = 0; i < n; i++) r[i] = T.CreateTruncating(rng.NextGaussian());
        return r;
    }

    /// <summary>
    /// C = op(A)·op(B) by the definition, accumulated in double, with Σ|aᵢₚbₚⱼ| per entry (the scale of the rounding
    /// error); A is stored m×k (k×m when transposed), B k×n (n×k).
    /// </summary>
    private static (double[] C, double[] Scale) Naive<T>(T[] a, bool ta, T[] b, bool tb, int m, int k, int n) where T : IFloatingPointIeee754<T>
    {
        var c = new double[m * n];
        var scale = new double[m * n];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double s = 0, abs = 0;
                for (int p = 0; p < k; p++)
                {
                    double t = double.CreateTruncating(ta ? a[p * m + i] : a[i * k + p]) * double.CreateTruncating(tb ? b[j * k + p] : b[p * n + j]);
                    s += t; abs += Math.Abs(t);
                }
                c[i * n + j] = s; scale[i * n + j] = abs;
            }
        return (c, scale);
    }

    /// <summary>Within the standard bound for a dot product of length k summed in T: 2(k + 1)·u·Σ|terms|.</summary>
    private static void Close<T>((double[] C, double[] Scale) expected, T[] actual, int k) where T : IFloatingPointIeee754<T>
    {
        double u = typeof(T) == typeof(float) ? Math.Pow(2, -24) : Math.Pow(2, -53);
        Assert.Equal(expected.C.Length, actual.Length);
        for (int i = 0; i < actual.Length; i++)
        {
            double err = Math.Abs(expected.C[i] - double.CreateTruncating(actual[i]));
            Assert.True(err <= 2 * (k + 1) * u * expected.Scale[i] + 1e-300, $"entry {i}: expected {expected.C[i]}, got {actual[i]} (error {err})");
        }
    }

    public static IEnumerable<object[]> Sizes =>
    [
        [1, 1, 1], [1, 7, 1], [7, 13, 5], [17, 33, 65], [65, 17, 33], [33, 65, 17], [3, 0, 4], [0, 5, 3], [16, 16, 16], [1, 64, 9], [9, 1, 31],
    ];

    private static void KernelMatchesNaive<T>(int m, int k, int n, bool ta, bool tb) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var rng = new Rng(m * 10007 + k * 101 + n);
        var a = Random<T>(rng, m * k);
        var b = Random<T>(rng, k * n);
        var c = new T[m * n];
        // C starts dirty: every variant must overwrite it.
        c.AsSpan().Fill(T.CreateTruncating(123.0));
        Gemm.Multiply<T>(a, ta, b, tb, c, m, k, n);
        Close(Naive(a, ta, b, tb, m, k, n), c, k);
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public void Gemm_matches_the_triple_loop_in_every_transposed_form(int m, int k, int n)
    {
        foreach (var (ta, tb) in new[] { (false, false), (true, false), (false, true), (true, true) })
        {
            KernelMatchesNaive<double>(m, k, n, ta, tb);
            KernelMatchesNaive<float>(m, k, n, ta, tb);
        }
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public void Batched_gemm_walks_broadcast_batch_strides(bool ta, bool tb)
    {
        // A has batch [2, 1], B has batch [3]: the product has batch [2, 3], A's matrices reused along the second.
        int m = 5, k = 17, n = 3, mk = m * k, kn = k * n, mn = m * n;
        var rng = new Rng(7);
        var a = Random<double>(rng, 2 * mk);
        var b = Random<double>(rng, 3 * kn);
        var c = new double[6 * mn];
        Gemm.Batched<double>(a, [mk, 0], ta, b, [0, kn], tb, c, [2, 3], m, k, n);
        for (int i = 0; i < 2; i++)
            for (int j = 0; j < 3; j++)
                Close(Naive(a[(i * mk)..((i + 1) * mk)], ta, b[(j * kn)..((j + 1) * kn)], tb, m, k, n), c[((i * 3 + j) * mn)..((i * 3 + j + 1) * mn)], k);
    }

    [Theory]
    [InlineData(DType.Float64)]
    [InlineData(DType.Float32)]
    public void MatMul_of_stacks_matches_the_triple_loop_per_batch_entry(DType dtype)
    {
        var rng = new Rng(11);
        var a = Tensor.Randn([4, 1, 17, 33], rng, dtype);
        var b = Tensor.Randn([3, 33, 65], rng, dtype);
        var c = a.MatMul(b);
        Assert.Equal([4, 3, 17, 65], c.Shape);
        Assert.Equal(dtype, c.DType);
        for (int i = 0; i < 4; i++)
            for (int j = 0; j < 3; j++)
            {
                var expected = Naive(a[i, 0].ToArray(), false, b[j].ToArray(), false, 17, 33, 65);
                if (dtype == DType.Float64) Close(expected, c[i, j].ToArray(), 33);
                else Close(expected, c[i, j].ToFloatArray(), 33);
            }
    }

    // ---- NumPy semantics ----

    [Fact]
    public void MatMul_of_matrices()
    {
        var a = M(2, 3, 1, 2, 3, 4, 5, 6);
        var b = M(3, 2, 7, 8, 9, 10, 11, 12);
        var c = Tensor.MatMul(a, b);
        Assert.Equal([2, 2], c.Shape);
        Assert.Equal([58.0, 64, 139, 154], c.ToArray());
        Assert.Equal([39.0, 54, 69, 49, 68, 87, 59, 82, 105], b.MatMul(a).ToArray());
    }

    [Fact]
    public void MatMul_with_vectors_drops_the_added_axis()
    {
        var a = M(2, 3, 1, 2, 3, 4, 5, 6);
        var v = Vec(1, 0, -1);
        var dot = Vec(1, 2, 3).MatMul(Vec(4, 5, 6));
        Assert.Equal([], dot.Shape);
        Assert.Equal(32, dot.Item());
        var mv = a.MatMul(v);
        Assert.Equal([2], mv.Shape);
        Assert.Equal([-2.0, -2], mv.ToArray());
        var vm = Vec(1, -1).MatMul(a);
        Assert.Equal([3], vm.Shape);
        Assert.Equal([-3.0, -3, -3], vm.ToArray());
    }

    [Fact]
    public void MatMul_of_stacks_broadcasts_batch_dimensions()
    {
        var a = Tensor.Stack([M(2, 2, 1, 0, 0, 1), M(2, 2, 2, 0, 0, 3)]);  // [2, 2, 2]
        var b = M(2, 1, 5, 7);
        var c = a.MatMul(b);
        Assert.Equal([2, 2, 1], c.Shape);
        Assert.Equal([5.0, 7, 10, 21], c.ToArray());
        var d = b.Transpose().MatMul(a);  // [1, 2] · [2, 2, 2]
        Assert.Equal([2, 1, 2], d.Shape);
        Assert.Equal([5.0, 7, 10, 21], d.ToArray());
        var e = a.MatMul(Vec(1, 1));  // stack · vector
        Assert.Equal([2, 2], e.Shape);
        Assert.Equal([1.0, 1, 2, 3], e.ToArray());
        var f = Vec(1, 1).MatMul(a);  // vector · stack
        Assert.Equal([2, 2], f.Shape);
        Assert.Equal([1.0, 1, 2, 3], f.ToArray());
        var g = a.Unsqueeze(1).MatMul(Tensor.Stack([b, b * 2.0, b * 3.0]));  // [2, 1, 2, 2] · [3, 2, 1]
        Assert.Equal([2, 3, 2, 1], g.Shape);
        Assert.Equal([5.0, 7, 10, 14, 15, 21, 10, 21, 20, 42, 30, 63], g.ToArray());
    }

    [Fact]
    public void MatMul_with_an_empty_contraction_is_zero()
    {
        var c = Tensor.Zeros(2, 0).MatMul(Tensor.Zeros(0, 3));
        Assert.Equal([2, 3], c.Shape);
        Assert.All(c.ToArray(), v => Assert.Equal(0.0, v));
        Assert.Equal([0, 3], Tensor.Zeros(0, 4).MatMul(Tensor.Ones(4, 3)).Shape);
        Assert.Equal(0.0, Tensor.Zeros(0).Dot(Tensor.Zeros(0)).Item());
    }

    [Fact]
    public void Dot_and_Outer()
    {
        Assert.Equal(-4.0, Tensor.Dot(Vec(1, 2, 3), Vec(3, -2, -1)).Item());
        Assert.Equal([], Vec(1, 2).Dot(Vec(3, 4)).Shape);
        var o = Vec(1, 2).Outer(Vec(3, 4, 5));
        Assert.Equal([2, 3], o.Shape);
        Assert.Equal([3.0, 4, 5, 6, 8, 10], o.ToArray());
        Assert.Equal([4.0, 6, 8, 12], Tensor.Outer(Vec(2, 4), Vec(2, 3)).ToArray());
    }

    // ---- Gradients ----

    [Fact]
    public void MatMul_gradients_are_g_times_b_transposed_and_a_transposed_times_g()
    {
        var a = M(2, 3, 1, 2, 3, 4, 5, 6).RequireGrad();
        var b = M(3, 2, 7, 8, 9, 10, 11, 12).RequireGrad();
        var g = M(2, 2, 1, -1, 2, 0.5);
        a.MatMul(b).Backward(g);
        // G·Bᵀ and Aᵀ·G by hand.
        Assert.Equal([-1.0, -1, -1, 18, 23, 28], a.Grad!.ToArray());
        Assert.Equal([9.0, 1, 12, 0.5, 15, 0], b.Grad!.ToArray());
    }

    [Fact]
    public void Gradients_of_a_broadcast_operand_are_summed_over_the_batch()
    {
        var a = Tensor.Randn([4, 2, 3], 5).RequireGrad();
        var b = Tensor.Randn([3, 2], 6).RequireGrad();
        a.MatMul(b).Sum().Backward();
        Assert.Equal([3, 2], b.Grad!.Shape);
        // d Σ(AB)/dB = Σ_batch Aᵀ·1: each row p of the gradient is the sum of column p of every A.
        var colSums = a.Detach().Sum([0, 1]).ToArray();
        for (int p = 0; p < 3; p++)
            for (int j = 0; j < 2; j++)
                Assert.Equal(colSums[p], b.Grad.At(p, j), 12);
        Assert.Equal([4, 2, 3], a.Grad!.Shape);
    }

    [Fact]
    public void MatMul_gradient_of_a_vector_operand_keeps_its_shape()
    {
        var a = M(2, 3, 1, 2, 3, 4, 5, 6).RequireGrad();
        var v = Vec(1, 0, -1).RequireGrad();
        (a.MatMul(v) * Vec(1, 2)).Sum().Backward();
        Assert.Equal([3], v.Grad!.Shape);
        Assert.Equal([9.0, 12, 15], v.Grad.ToArray());
        Assert.Equal([1.0, 0, -1, 2, 0, -2], a.Grad!.ToArray());
    }

    [Fact]
    public void Second_derivative_of_a_quadratic_form_is_a_plus_a_transposed()
    {
        // f(x) = xᵀAx has Hessian A + Aᵀ; the HVP runs the transposed GEMM forms through their own rules.
        var a = M(2, 2, 1, 2, 3, 4);
        var x = Vec(0.5, -1);
        var v = Vec(1, 0);
        var hv = Diff.Grad(y => (Diff.Grad(z => z.MatMul(a).MatMul(z), y) * v).Sum(), x);
        Assert.Equal([2.0, 5], hv.ToArray());
    }

    // ---- Errors name the operation and the shapes ----

    [Fact]
    public void Bad_operands_are_rejected()
    {
        var e = Assert.Throws<ArgumentException>(() => Tensor.Ones(2, 3).MatMul(Tensor.Ones(4, 5)));
        Assert.Contains("MatMul", e.Message); Assert.Contains("[2, 3]", e.Message); Assert.Contains("[4, 5]", e.Message);
        e = Assert.Throws<ArgumentException>(() => Tensor.Ones(2, 3).MatMul(Tensor.Ones(4)));
        Assert.Contains("MatMul", e.Message); Assert.Contains("[4]", e.Message);
        e = Assert.Throws<ArgumentException>(() => Tensor.Ones(3).MatMul(Tensor.Ones(4, 2)));
        Assert.Contains("MatMul", e.Message); Assert.Contains("[3]", e.Message); Assert.Contains("[4, 2]", e.Message);
        e = Assert.Throws<ArgumentException>(() => Tensor.Scalar(2).MatMul(Tensor.Ones(2)));
        Assert.Contains("MatMul", e.Message); Assert.Contains("0-d", e.Message);
        e = Assert.Throws<ArgumentException>(() => Tensor.Ones(2, 2, 3).MatMul(Tensor.Ones(3, 3, 1)));
        Assert.Contains("MatMul", e.Message); Assert.Contains("[2, 2, 3]", e.Message); Assert.Contains("[3, 3, 1]", e.Message); Assert.Contains("batch", e.Message);
        e = Assert.Throws<ArgumentException>(() => Tensor.Ones(2, 2).MatMul(Tensor.Ones([2, 2], DType.Float32)));
        Assert.Contains("MatMul", e.Message); Assert.Contains("float32", e.Message);
        e = Assert.Throws<ArgumentException>(() => Tensor.Ones(3).Dot(Tensor.Ones(4)));
        Assert.Contains("Dot", e.Message); Assert.Contains("[3]", e.Message); Assert.Contains("[4]", e.Message);
        e = Assert.Throws<ArgumentException>(() => Tensor.Ones(3, 1).Dot(Tensor.Ones(3)));
        Assert.Contains("Dot", e.Message); Assert.Contains("[3, 1]", e.Message);
        e = Assert.Throws<ArgumentException>(() => Tensor.Ones(2, 2).Outer(Tensor.Ones(3)));
        Assert.Contains("Outer", e.Message); Assert.Contains("[2, 2]", e.Message);
        e = Assert.Throws<ArgumentException>(() => Tensor.Ones(2).Outer(Tensor.Ones([3], DType.Float32)));
        Assert.Contains("Outer", e.Message); Assert.Contains("float32", e.Message);
    }
}
