using AutoGrad;

namespace AutoGrad.Tests;

/// <summary>Hessian-vector products, Hessians, Jacobians and forward mode against closed forms.</summary>
public class SecondOrderTests
{
    public static IEnumerable<object[]> Modes => [[HvpMode.ReverseOverReverse], [HvpMode.ForwardOverReverse]];

    private static Tensor Vec(params double[] v) => Tensor.FromArray(v);

    [Theory]
    [MemberData(nameof(Modes))]
    public void The_Hvp_of_a_quadratic_is_Av(HvpMode mode)
    {
        var rng = new Rng(11);
        var m = Tensor.Randn([6, 6], rng);
        var a = (m + m.Transpose()) * 0.5;
        var b = Tensor.Randn([6], rng);
        var w = Tensor.Randn([6], rng);
        var v = Tensor.Randn([6], rng);
        var (value, grad, hv) = Diff.ValueGradHvp(x => 0.5 * x.Dot(a.MatMul(x)) + b.Dot(x), w, v, mode);
        var av = a.MatMul(v).ToArray();
        var expectedGrad = (a.MatMul(w) + b).ToArray();
        for (int i = 0; i < 6; i++)
        {
            Assert.Equal(av[i], hv.ToArray()[i], 1e-12);
            Assert.Equal(expectedGrad[i], grad.ToArray()[i], 1e-12);
        }
        Assert.Equal((0.5 * w.Dot(a.MatMul(w)) + b.Dot(w)).Item(), value.Item(), 12);
    }

    [Theory]
    [InlineData(1.0, 1.0)]
    [InlineData(-1.2, 1.0)]
    [InlineData(0.3, -0.7)]
    public void Rosenbrock_Hessian_matches_the_hand_derived_formula(double x, double y)
    {
        var h = Diff.Hessian(z =>
        {
            var (a, b) = (z[0], z[1]);
            return (1.0 - a).Square() + 100.0 * (b - a.Square()).Square();
        }, Vec(x, y)).ToArray2D();
        Assert.Equal(1200 * x * x - 400 * y + 2, h[0, 0], 1e-9);
        Assert.Equal(-400 * x, h[0, 1], 1e-9);
        Assert.Equal(-400 * x, h[1, 0], 1e-9);
        Assert.Equal(200, h[1, 1], 1e-9);
    }

    [Theory]
    [InlineData(3.0, 2.0)]
    [InlineData(-2.805118, 3.131312)]
    [InlineData(-0.270845, -0.923039)]
    [InlineData(0.5, -1.5)]
    public void Himmelblau_Hessian_matches_the_hand_derived_formula(double x, double y)
    {
        var h = Diff.Hessian(z =>
        {
            var (a, b) = (z[0], z[1]);
            return (a.Square() + b - 11.0).Square() + (a + b.Square() - 7.0).Square();
        }, Vec(x, y)).ToArray2D();
        Assert.Equal(12 * x * x + 4 * y - 42, h[0, 0], 1e-9);
        Assert.Equal(4 * x + 4 * y, h[0, 1], 1e-9);
        Assert.Equal(4 * x + 4 * y, h[1, 0], 1e-9);
        Assert.Equal(4 * x + 12 * y * y - 26, h[1, 1], 1e-9);
    }

    [Fact]
    public void The_dense_Hessian_is_exactly_symmetric_and_shaped_like_x_twice()
    {
        var x = Tensor.Randn([2, 3], 5);
        var h = Diff.Hessian(t => (t.Exp() * t.Sin().Sum(0)).Sum() + t.Softmax().Max(), x);
        Assert.Equal([2, 3, 2, 3], h.Shape);
        var m = h.Reshape(6, 6).ToArray2D();
        for (int i = 0; i < 6; i++)
            for (int j = 0; j < 6; j++) Assert.Equal(m[i, j], m[j, i]);
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public void Hvp_of_several_inputs_gives_the_mixed_partials(HvpMode mode)
    {
        // f(a, b) = Σ aᵢ²bᵢ: H_aa = diag(2b), H_ab = diag(2a), H_bb = 0.
        var a = Vec(1, -2, 0.5); var b = Vec(3, 0.25, -1);
        var va = Vec(0.1, 0.2, 0.3); var vb = Vec(-1, 1, 2);
        var h = Diff.Hvp(t => (t[0] * t[0] * t[1]).Sum(), [a, b], [va, vb], mode);
        var e0 = (2.0 * b * va + 2.0 * a * vb).ToArray(); var e1 = (2.0 * a * va).ToArray();
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(e0[i], h[0].ToArray()[i], 1e-14);
            Assert.Equal(e1[i], h[1].ToArray()[i], 1e-14);
        }
    }

    public static IEnumerable<object[]> Piecewise =>
    [
        ["relu", (Func<Tensor, Tensor>)(t => t.Relu().Square().Sum() + t.Relu().Sum())],
        ["abs", (Func<Tensor, Tensor>)(t => t.Abs().Sum())],
        ["max", (Func<Tensor, Tensor>)(t => t.Max())],
        ["maximum", (Func<Tensor, Tensor>)(t => Tensor.Maximum(t, t.ScalarLike(0.5)).Sum())],
        ["clamp", (Func<Tensor, Tensor>)(t => t.Clamp(-0.5, 0.5).Sum())],
        ["hinge", (Func<Tensor, Tensor>)(t => Loss.Hinge(t, Vec(1, -1, 1, -1, 1)))],
    ];

    [Theory]
    [MemberData(nameof(Piecewise))]
    public void Piecewise_linear_functions_have_zero_second_derivative_even_at_their_kinks(string name, Func<Tensor, Tensor> f)
    {
        // Generic points, and points exactly on the kinks (0, ties, the clamp bounds, the hinge margin).
        foreach (var x in new[] { Vec(-1.5, -0.3, 0.7, 1.1, 2.0), Vec(0, 0, 0.5, -0.5, 1.0), Vec(1, 1, 1, -1, 1) })
        {
            var h = Diff.Hessian(f, x).ToArray();
            Assert.All(h, v => Assert.False(double.IsNaN(v), $"{name}: NaN in the Hessian at {x}"));
            if (name != "relu") Assert.All(h, v => Assert.Equal(0.0, v));
            foreach (var mode in new[] { HvpMode.ReverseOverReverse, HvpMode.ForwardOverReverse })
                Assert.All(Diff.Hvp(f, x, Vec(1, 2, 3, 4, 5), mode).ToArray(), v => Assert.False(double.IsNaN(v)));
        }
        if (name == "relu")
        {
            // relu(x)² + relu(x): second derivative 2 where x > 0 and 0 elsewhere (relu′(0) = 0).
            var h = Diff.Hessian(f, Vec(-1, 0, 2, 3, -4)).ToArray2D();
            Assert.Equal([0.0, 0, 2, 2, 0], Enumerable.Range(0, 5).Select(i => h[i, i]));
        }
    }

    [Fact]
    public void The_Hessian_of_a_linear_function_and_of_a_sum_is_zero()
    {
        var x = Vec(0.5, -1, 2);
        Assert.All(Diff.Hessian(t => t.Sum(), x).ToArray(), v => Assert.Equal(0.0, v));
        Assert.All(Diff.Hessian(t => (t * Vec(1, 2, 3)).Sum() + 4.0, x).ToArray(), v => Assert.Equal(0.0, v));
        foreach (var mode in new[] { HvpMode.ReverseOverReverse, HvpMode.ForwardOverReverse })
            Assert.All(Diff.Hvp(t => t.Sum(), x, Vec(1, 1, 1), mode).ToArray(), v => Assert.Equal(0.0, v));
    }

    [Fact]
    public void Jacobians_in_both_modes_agree_with_the_softmax_closed_form()
    {
        var x = Vec(0.2, -1, 0.7, 1.5);
        var s = x.Softmax().ToArray();
        var jr = Diff.Jacobian(t => t.Softmax(), x, JacobianMode.Reverse).ToArray2D();
        var jf = Diff.Jacobian(t => t.Softmax(), x, JacobianMode.Forward).ToArray2D();
        for (int i = 0; i < 4; i++)
            for (int j = 0; j < 4; j++)
            {
                double expected = (i == j ? s[i] : 0) - s[i] * s[j];
                Assert.Equal(expected, jr[i, j], 1e-15);
                Assert.Equal(expected, jf[i, j], 1e-15);
            }
    }

    [Fact]
    public void Jacobian_shapes_follow_output_then_input()
    {
        var x = Tensor.Randn([2, 3], 1);
        Assert.Equal([3, 2, 3], Diff.Jacobian(t => t.Sum(0), x).Shape);
        Assert.Equal([2, 3, 2, 3], Diff.Jacobian(t => t.Tanh(), x, JacobianMode.Forward).Shape);
        Assert.Equal([2, 3], Diff.Jacobian(t => t.Sum(), x).Shape);
    }

    [Fact]
    public void Jvp_is_the_directional_derivative()
    {
        var x = Vec(0.3, -0.8);
        var v = Vec(2, -1);
        var (y, jv) = Diff.Jvp(t => (t.Exp() * t.Sin()).Sum(), x, v);
        double expected = 0;
        var xs = x.ToArray(); var vs = v.ToArray();
        for (int i = 0; i < 2; i++) expected += (Math.Exp(xs[i]) * (Math.Sin(xs[i]) + Math.Cos(xs[i]))) * vs[i];
        Assert.Equal(expected, jv.Item(), 14);
        Assert.Equal((x.Exp() * x.Sin()).Sum().Item(), y.Item());
    }

    [Fact]
    public void Bad_second_order_input_is_refused_clearly()
    {
        var x = Vec(1, 2, 3);
        var e1 = Assert.Throws<ArgumentException>(() => Diff.Hvp(t => t.Sum(), x, Vec(1, 2)));
        Assert.Contains("Hvp", e1.Message);
        Assert.Contains("[2]", e1.Message);
        Assert.Contains("[3]", e1.Message);
        var e2 = Assert.Throws<InvalidOperationException>(() => Diff.Hvp(t => t * 2.0, x, x));
        Assert.Contains("Hvp", e2.Message);
        var e3 = Assert.Throws<NotSupportedException>(() => Diff.Jvp(t => Diff.Jvp(u => u * t, t, t).Jvp, x, x));
        Assert.Contains("forward mode inside forward mode", e3.Message);
        var e4 = Assert.Throws<ArgumentException>(() => Diff.Jvp(a => a[0], [x], [x, x]));
        Assert.Contains("2 directions for 1 inputs", e4.Message);
    }

    [Fact]
    public void Hvp_nests_inside_Grad_for_third_derivatives()
    {
        // d/dx [H(x)·v] for f = Σ x⁴ with v = 1: H·v = 12x², its derivative 24x (along the diagonal).
        var x = Vec(0.5, -1.0);
        var d3 = Diff.Grad(t => Diff.Hvp(u => u.Pow(4).Sum(), t, Vec(1, 1)).Sum(), x);
        Assert.Equal([12.0, -24], d3.ToArray());
    }
}
