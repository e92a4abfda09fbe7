using AutoGrad;
using AutoGrad.Tests.Kernels;

namespace AutoGrad.Tests.Tensors;

/// <summary>
/// The primitives that exist for numerical stability (sigmoid split by sign, softplus, logsumexp, softmax,
/// log-softmax) and their gradients at extreme inputs, against closed forms: finite where the answer is
/// finite, never NaN, and accurate.
/// </summary>
public class StabilityTests
{
    private const double Inf = double.PositiveInfinity;

    private static readonly double[] Extremes = [1e4, -1e4, 745, -745, 710, -710, 1e300, -1e300, Inf, -Inf, 0, 1, -1, 5, -5, 40, -40];

    /// <summary>σ(x) = 1/(1 + e⁻ˣ) from the side where e^(−|x|) cannot overflow.</summary>
    private static double Sigmoid(double x) => x >= 0 ? 1 / (1 + Math.Exp(-x)) : Math.Exp(x) / (1 + Math.Exp(x));

    /// <summary>σ′(x) = e^(−|x|)/(1 + e^(−|x|))², accurate on both sides.</summary>
    private static double SigmoidPrime(double x)
    {
        double e = Math.Exp(-Math.Abs(x));
        return e / ((1 + e) * (1 + e));
    }

    /// <summary>ln(1 + eˣ) = max(x, 0) + ln(1 + e^(−|x|)), the logarithm from the double-double reference.</summary>
    private static double Softplus(double x) =>
        double.IsNaN(x) ? x : Math.Max(x, 0) + DoubleDouble.Log1p(Math.Exp(-Math.Abs(x)));

    private static bool Near(double expected, double actual, double rel, double abs) =>
        expected == actual || Math.Abs(actual - expected) <= rel * Math.Abs(expected) + abs;

    private static void Close(double expected, double actual, double rel, string what)
    {
        if (double.IsInfinity(expected) || expected == 0 && rel == 0) { Assert.True(expected == actual, $"{what}: {actual}, expected {expected}"); return; }
        Assert.True(double.IsFinite(actual), $"{what}: {actual}, expected {expected}");
        Assert.True(Math.Abs(actual - expected) <= rel * Math.Abs(expected) + 1e-300, $"{what}: {actual}, expected {expected}");
    }

    [Fact]
    public void Sigmoid_and_its_gradient_at_extreme_inputs()
    {
        var x = Tensor.FromArray(Extremes);
        var y = x.Sigmoid().ToArray();
        var g = Diff.Grad(t => t.Sigmoid().Sum(), x).ToArray();
        for (int i = 0; i < Extremes.Length; i++)
        {
            double v = Extremes[i];
            Close(Sigmoid(v), y[i], 1e-15, $"σ({v})");
            Assert.InRange(y[i], 0, 1);
            // The rule σ(x)·σ(−x) is relatively accurate on both sides, also where σ(x) rounds to 1 (σ′(40) ≈ 4e−18).
            Assert.True(double.IsFinite(g[i]), $"σ′({v}) = {g[i]}");
            Close(SigmoidPrime(v), g[i], 1e-13, $"σ′({v})");
        }
        // Underflow is graceful: σ(−745) is the smallest subnormal, not 0 or NaN, and so is its derivative.
        Assert.Equal(double.Epsilon, Tensor.FromArray([-745.0]).Sigmoid().Item());
        Assert.Equal(double.Epsilon, Diff.Grad(t => t.Sigmoid().Sum(), Tensor.FromArray([-745.0])).Item());
    }

    [Fact]
    public void Softplus_and_its_gradient_at_extreme_inputs()
    {
        var x = Tensor.FromArray(Extremes);
        var y = x.Softplus().ToArray();
        var g = Diff.Grad(t => t.Softplus().Sum(), x).ToArray();
        for (int i = 0; i < Extremes.Length; i++)
        {
            double v = Extremes[i];
            Close(Softplus(v), y[i], 1e-15, $"softplus({v})");
            // softplus′ = σ, accurate to the last bits on both sides.
            Close(Sigmoid(v), g[i], 1e-15, $"softplus′({v})");
        }
        // Tiny values are not flushed: softplus(−700) = e⁻⁷⁰⁰ ≈ 9.86e−305.
        Close(Math.Exp(-700), Tensor.FromArray([-700.0]).Softplus().Item(), 1e-14, "softplus(−700)");
        Assert.Equal(1e300, Tensor.FromArray([1e300]).Softplus().Item());
    }

    [Fact]
    public void Sigmoid_and_softplus_in_float32_at_extreme_inputs()
    {
        float[] xs = [1e4f, -1e4f, 745, -745, 88, -88, 100, -100, float.PositiveInfinity, float.NegativeInfinity, 0];
        var x = Tensor.FromArray(xs);
        var s = x.Sigmoid().ToFloatArray();
        var sp = x.Softplus().ToFloatArray();
        var gs = Diff.Grad(t => t.Sigmoid().Sum(), x);
        var gsp = Diff.Grad(t => t.Softplus().Sum(), x);
        Assert.Equal(DType.Float32, gs.DType);
        for (int i = 0; i < xs.Length; i++)
        {
            double v = xs[i];
            // Relative to float32 precision, and absolute to a few subnormal ulps (σ(−100) ≈ 3.7e−44 is subnormal).
            Assert.True(Near(Sigmoid(v), s[i], 3e-7, 1e-44), $"σ({v}) = {s[i]}, expected {Sigmoid(v)}");
            Assert.True(Near(Softplus(v), sp[i], 3e-7, 1e-44), $"softplus({v}) = {sp[i]}, expected {Softplus(v)}");
            Assert.True(Near(Sigmoid(v), gsp.ToArray()[i], 3e-7, 1e-44), $"softplus′({v}) = {gsp.ToArray()[i]}, expected {Sigmoid(v)}");
            Assert.True(float.IsFinite((float)gs.ToArray()[i]), $"σ′({v}) = {gs.ToArray()[i]}");
            Assert.True(Near(SigmoidPrime(v), gs.ToArray()[i], 1e-6, v > 0 ? 1.2e-7 : 1e-44), $"σ′({v}) = {gs.ToArray()[i]}, expected {SigmoidPrime(v)}");
        }
    }

    [Fact]
    public void LogSumExp_of_huge_inputs_does_not_overflow()
    {
        var x = Tensor.FromArray(new double[,] { { 1e4, 1e4 }, { -1e4, -1e4 }, { 1e4, -1e4 }, { 1e4, 1e4 + Math.Log(3) } });
        var v = x.LogSumExp(1).ToArray();
        Close(1e4 + Math.Log(2), v[0], 1e-15, "lse(1e4, 1e4)");
        Close(-1e4 + Math.Log(2), v[1], 1e-15, "lse(−1e4, −1e4)");
        Assert.Equal(1e4, v[2]);
        Close(1e4 + Math.Log(4), v[3], 1e-15, "lse(1e4, 1e4 + ln 3)");
        // The gradient is the softmax of each row.
        var g = Diff.Grad(t => t.LogSumExp(1).Sum(), x).ToArray2D();
        double[,] expected = { { 0.5, 0.5 }, { 0.5, 0.5 }, { 1, 0 }, { 0.25, 0.75 } };
        for (int i = 0; i < 4; i++)
            // 1e4 + ln 3 is rounded to 2e−12, which moves the softmax by about that much.
            for (int j = 0; j < 2; j++) Close(expected[i, j], g[i, j], 1e-10, $"∂lse/∂x[{i},{j}]");
    }

    [Fact]
    public void LogSumExp_with_minus_infinity_entries_and_an_all_minus_infinity_slice()
    {
        var x = Tensor.FromArray(new double[,] { { -Inf, -Inf, -Inf }, { -Inf, 0, Math.Log(3) }, { 1, 2, 3 } });
        var v = x.LogSumExp(1).ToArray();
        Assert.Equal(-Inf, v[0]);
        Close(Math.Log(4), v[1], 1e-15, "lse(−∞, 0, ln 3)");
        Close(3 + Math.Log(1 + Math.Exp(-1) + Math.Exp(-2)), v[2], 1e-15, "lse(1, 2, 3)");
        var g = Diff.Grad(t => t.LogSumExp(1).Sum(), x).ToArray2D();
        // All −∞: the limit softmax is uniform. Otherwise −∞ entries get exactly 0.
        double z = 1 + Math.Exp(1) + Math.Exp(2);
        double[,] expected = { { 1.0 / 3, 1.0 / 3, 1.0 / 3 }, { 0, 0.25, 0.75 }, { 1 / z, Math.E / z, Math.E * Math.E / z } };
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++) Close(expected[i, j], g[i, j], 1e-14, $"∂lse/∂x[{i},{j}]");
        // A whole tensor of −∞, reduced over everything.
        var all = Tensor.Full([2, 2], -Inf);
        Assert.Equal(-Inf, all.LogSumExp().Item());
        Assert.All(Diff.Grad(t => t.LogSumExp(), all).ToArray(), gi => Assert.Equal(0.25, gi));
    }

    [Fact]
    public void LogSumExp_with_plus_infinity_entries()
    {
        var x = Tensor.FromArray(new double[,] { { Inf, 0, 0 }, { Inf, Inf, 1 }, { Inf, -Inf, -Inf } });
        Assert.All(x.LogSumExp(1).ToArray(), vi => Assert.Equal(Inf, vi));
        var g = Diff.Grad(t => t.LogSumExp(1).Sum(), x).ToArray2D();
        // The +∞ entries share the mass equally.
        double[,] expected = { { 1, 0, 0 }, { 0.5, 0.5, 0 }, { 1, 0, 0 } };
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++) Assert.Equal(expected[i, j], g[i, j]);
    }

    [Fact]
    public void LogSumExp_keepDims_and_float32_at_1e4()
    {
        var x = Tensor.FromArray(new float[] { 1e4f, 1e4f, -1e4f, -1e4f }, 2, 2);
        var v = x.LogSumExp(0, keepDims: true);
        Assert.Equal([1, 2], v.Shape);
        Assert.Equal(DType.Float32, v.DType);
        var f = v.ToFloatArray();
        Assert.Equal(1e4f, f[0]);
        Assert.Equal(1e4f, f[1]);
        Assert.Equal((float)(1e4 + Math.Log(2)), x.LogSumExp(1).ToFloatArray()[0], 2e-3f);
        Assert.Equal((float)(-1e4 + Math.Log(2)), x.LogSumExp(1).ToFloatArray()[1], 2e-3f);
    }

    [Fact]
    public void Softmax_at_extreme_inputs()
    {
        var x = Tensor.FromArray(new double[,]
        {
            { 1e4, 1e4 + Math.Log(3) }, { -1e4, -1e4 + Math.Log(3) }, { 1e4, -1e4 }, { -Inf, 0 }, { -Inf, -Inf }, { Inf, 5 },
        });
        var y = x.Softmax().ToArray2D();
        double[,] expected = { { 0.25, 0.75 }, { 0.25, 0.75 }, { 1, 0 }, { 0, 1 }, { 0.5, 0.5 }, { 1, 0 } };
        for (int i = 0; i < expected.GetLength(0); i++)
            for (int j = 0; j < 2; j++) Close(expected[i, j], y[i, j], 1e-10, $"softmax[{i},{j}]");
        // ∂(w·softmax)/∂x = y ⊙ (w − Σ w y): finite everywhere, and for the uniform all-−∞ row y ⊙ (w − mean w).
        var w = Tensor.FromArray(new double[,] { { 1, 2 }, { 1, 2 }, { 1, 2 }, { 1, 2 }, { 1, 3 }, { 1, 2 } });
        var g = Diff.Grad(t => (t.Softmax() * w).Sum(), x).ToArray2D();
        double[,] expectedG = { { -0.1875, 0.1875 }, { -0.1875, 0.1875 }, { 0, 0 }, { 0, 0 }, { -0.5, 0.5 }, { 0, 0 } };
        for (int i = 0; i < expectedG.GetLength(0); i++)
            for (int j = 0; j < 2; j++) Close(expectedG[i, j], g[i, j], 1e-10, $"∂softmax[{i},{j}]");
    }

    [Fact]
    public void LogSoftmax_at_extreme_inputs()
    {
        var x = Tensor.FromArray(new double[,] { { 1e4, -1e4 }, { -Inf, 0 }, { -Inf, -Inf }, { 1e4, 1e4 } });
        var y = x.LogSoftmax().ToArray2D();
        Assert.Equal(0, y[0, 0]);
        Assert.Equal(-2e4, y[0, 1]);
        Assert.Equal(-Inf, y[1, 0]);
        Assert.Equal(0, y[1, 1]);
        // All −∞: the log of the (uniform) softmax, −ln 2, rather than −∞ − (−∞) = NaN.
        Close(-Math.Log(2), y[2, 0], 1e-15, "log_softmax(−∞, −∞)");
        Close(-Math.Log(2), y[2, 1], 1e-15, "log_softmax(−∞, −∞)");
        Close(-Math.Log(2), y[3, 0], 1e-15, "log_softmax(1e4, 1e4)");
        // ∂(w·log_softmax)/∂x = w − softmax · Σw: finite even at the −∞ entries.
        var w = Tensor.FromArray(new double[,] { { 1, 2 }, { 1, 2 }, { 1, 2 }, { 1, 2 } });
        var g = Diff.Grad(t => (t.LogSoftmax() * w).Sum(), x).ToArray2D();
        double[,] expected = { { -2, 2 }, { 1, -1 }, { -0.5, 0.5 }, { -0.5, 0.5 } };
        for (int i = 0; i < 4; i++)
            for (int j = 0; j < 2; j++) Close(expected[i, j], g[i, j], 1e-12, $"∂log_softmax[{i},{j}]");
    }

    [Fact]
    public void Naive_compositions_would_have_failed_where_the_primitives_do_not()
    {
        // The point of the primitives: log(Σ exp) and log(1 + exp) overflow at these inputs.
        var x = Tensor.FromArray([1e4, 1e4]);
        Assert.Equal(Inf, x.Exp().Sum().Log().Item());
        Assert.Equal(Inf, (x.Exp() + 1.0).Log().ToArray()[0]);
        Close(1e4 + Math.Log(2), x.LogSumExp().Item(), 1e-15, "lse");
        Assert.Equal(1e4, x.Softplus().ToArray()[0]);
    }
}
