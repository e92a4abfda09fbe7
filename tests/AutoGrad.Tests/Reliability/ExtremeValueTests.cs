using AutoGrad;
using AutoGrad.Tests.Kernels;

namespace AutoGrad.Tests.Reliability;

/// <summary>
/// The stable primitives and the losses built on them at ±1e4, ±1e6, ±1e300 (float64) and ±1e4, ±1e30 (float32): values,
/// first derivatives (Diff.Grad) and second derivatives (Diff.Hessian, Diff.Hvp) are finite and match closed forms
/// evaluated carefully in double. Tensors/StabilityTests.cs covers the values and first derivatives of sigmoid,
/// softplus, logsumexp, softmax and log-softmax at ±1e4 and ±∞; this file adds the larger magnitudes, float32 at
/// 1e30, the second derivatives and the losses.
/// </summary>
public class ExtremeValueTests
{
    private static readonly double[] F64 = [1e4, -1e4, 1e6, -1e6, 1e300, -1e300, 0, 2, -2, 40, -40, 700, -700];
    private static readonly float[] F32 = [1e4f, -1e4f, 1e30f, -1e30f, 0, 2, -2, 40, -40, 80, -80];

    // Closed forms, each from the side where nothing overflows.
    private static double Sigmoid(double x) => x >= 0 ? 1 / (1 + Math.Exp(-x)) : Math.Exp(x) / (1 + Math.Exp(x));
    private static double SigmoidPrime(double x) => Sigmoid(x) * Sigmoid(-x);
    private static double SigmoidSecond(double x) => SigmoidPrime(x) * (Sigmoid(-x) - Sigmoid(x));
    private static double Softplus(double x) => Math.Max(x, 0) + DoubleDouble.Log1p(Math.Exp(-Math.Abs(x)));
    private static double Bce(double z, double t) => Math.Max(z, 0) - z * t + DoubleDouble.Log1p(Math.Exp(-Math.Abs(z)));

    /// <summary>|actual − expected| ≤ rel·|expected| + abs, and finite; the message names the quantity.</summary>
    private static void Close(double expected, double actual, double rel, string what, double abs = 1e-300)
    {
        Assert.True(double.IsFinite(actual), $"{what} = {actual}, expected {expected}");
        Assert.True(Math.Abs(actual - expected) <= rel * Math.Abs(expected) + abs, $"{what} = {actual:R}, expected {expected:R}");
    }

    private static Tensor Vec(double[] xs, DType t) => t == DType.Float64 ? Tensor.FromArray(xs) : Tensor.FromArray(xs.Select(v => (float)v).ToArray());

    public static TheoryData<DType> Types => new() { DType.Float64, DType.Float32 };

    private static double[] Inputs(DType t) => t == DType.Float64 ? F64 : F32.Select(v => (double)v).ToArray();
    private static double Rel(DType t) => t == DType.Float64 ? 1e-14 : 2e-6;
    private static double Abs(DType t) => t == DType.Float64 ? 1e-300 : 1e-37;

    /// <summary>
    /// The absolute accuracy of second derivatives through softmax: its backward is y ⊙ (g − ⟨g, y⟩), which for a
    /// probability that rounds to 1 cancels to 0 where the exact value is y₀·y₁ ≈ e⁻⁴⁰. Accurate to a few ulps of the
    /// probabilities (of 1), not relatively; docs/nan-inf.md records it. Sigmoid and softplus are relatively accurate.
    /// </summary>
    private static double SoftmaxAbs(DType t) => t == DType.Float64 ? 1e-15 : 1e-6;

    /// <summary>
    /// f applied elementwise and summed: the value, the gradient f′ and the Hessian, which must be diag(f″) with exact
    /// zeros off the diagonal (an elementwise op must not couple entries, not even through a NaN).
    /// </summary>
    private static void Elementwise(DType type, Func<Tensor, Tensor> op, Func<double, double> f, Func<double, double> f1, Func<double, double> f2, string name)
    {
        var xs = Inputs(type);
        var x = Vec(xs, type);
        var y = op(x);
        Assert.Equal(type, y.DType);
        var g = Diff.Grad(t => op(t).Sum(), x);
        var h = Diff.Hessian(t => op(t).Sum(), x).ToArray2D();
        var v = y.ToArray(); var gv = g.ToArray();
        for (int i = 0; i < xs.Length; i++)
        {
            Close(f(xs[i]), v[i], Rel(type), $"{name}({xs[i]})", Abs(type));
            Close(f1(xs[i]), gv[i], Rel(type), $"{name}′({xs[i]})", Abs(type));
            // f″ is a product of rounded factors: a few ulps more.
            Close(f2(xs[i]), h[i, i], 8 * Rel(type), $"{name}″({xs[i]})", Abs(type));
            for (int j = 0; j < xs.Length; j++)
                if (j != i) Assert.True(h[i, j] == 0, $"∂²{name}/∂x{i}∂x{j} = {h[i, j]}, expected 0");
        }
    }

    [Theory, MemberData(nameof(Types))]
    public void Sigmoid_and_its_first_two_derivatives(DType type) =>
        Elementwise(type, t => t.Sigmoid(), Sigmoid, SigmoidPrime, SigmoidSecond, "σ");

    [Theory, MemberData(nameof(Types))]
    public void Softplus_and_its_first_two_derivatives(DType type)
    {
        Elementwise(type, t => t.Softplus(), Softplus, Sigmoid, SigmoidPrime, "softplus");
        // The two asymptotes named in the issue: x for large x, eˣ for very negative x.
        var big = Vec([1e6, 1e300, -40, -700], DType.Float64).Softplus().ToArray();
        Assert.Equal(1e6, big[0]);
        Assert.Equal(1e300, big[1]);
        Close(Math.Exp(-40), big[2], 1e-15, "softplus(−40)");
        Close(Math.Exp(-700), big[3], 1e-14, "softplus(−700)");
    }

    [Theory, MemberData(nameof(Types))]
    public void LogSumExp_and_its_first_two_derivatives(DType type)
    {
        foreach (double a in Inputs(type))
        {
            // Pairs [a, a] (value a + ln 2, softmax ½, ½) and [a, 0].
            foreach (var pair in new[] { new[] { a, a }, new[] { a, 0.0 } })
            {
                var x = Vec(pair, type);
                double m = Math.Max(pair[0], pair[1]), d = -Math.Abs(pair[0] - pair[1]);
                double expected = m + Math.Log(1 + Math.Exp(d));
                Close(expected, x.LogSumExp().Item(), Rel(type), $"lse([{pair[0]}, {pair[1]}])", Abs(type));
                double p0 = Sigmoid(pair[0] - pair[1]), p1 = Sigmoid(pair[1] - pair[0]);
                var g = Diff.Grad(t => t.LogSumExp(), x).ToArray();
                Close(p0, g[0], Rel(type), $"∂lse/∂x0 at [{pair[0]}, {pair[1]}]", Abs(type));
                Close(p1, g[1], Rel(type), $"∂lse/∂x1 at [{pair[0]}, {pair[1]}]", Abs(type));
                // ∇² lse = diag(p) − ppᵀ = p0·p1·[[1, −1], [−1, 1]]; applied to v = [1, 0].
                var hv = Diff.Hvp(t => t.LogSumExp(), x, Vec([1.0, 0.0], type)).ToArray();
                Close(p0 * p1, hv[0], 8 * Rel(type), $"(∇²lse·e0)[0] at [{pair[0]}, {pair[1]}]", SoftmaxAbs(type));
                Close(-p0 * p1, hv[1], 8 * Rel(type), $"(∇²lse·e0)[1] at [{pair[0]}, {pair[1]}]", SoftmaxAbs(type));
            }
        }
        // The case from the issue, exactly as written.
        Close(1e4 + Math.Log(2), Tensor.FromArray([1e4, 1e4]).LogSumExp().Item(), 1e-15, "lse([1e4, 1e4])");
    }

    [Theory, MemberData(nameof(Types))]
    public void LogSoftmax_and_its_first_two_derivatives(DType type)
    {
        foreach (double a in Inputs(type))
        {
            var x = Vec([a, 0.0], type);
            // log softmax([a, 0]) = [−softplus(−a), −softplus(a)].
            var y = x.LogSoftmax().ToArray();
            // Absolutely accurate: x − lse(x) rounds −e⁻⁴⁰ at the largest entry to 0 (log of 1 + e⁻⁴⁰), as PyTorch does.
            Close(-Softplus(-a), y[0], Rel(type), $"log_softmax([{a}, 0])[0]", SoftmaxAbs(type));
            Close(-Softplus(a), y[1], Rel(type), $"log_softmax([{a}, 0])[1]", SoftmaxAbs(type));
            // f = w·log_softmax(x) with w = [1, 3]: ∇f = w − p·Σw, ∇²f = −Σw·(diag(p) − ppᵀ).
            var w = Vec([1.0, 3.0], type);
            double p0 = Sigmoid(a), p1 = Sigmoid(-a);
            var g = Diff.Grad(t => (t.LogSoftmax() * w).Sum(), x).ToArray();
            Close(1 - 4 * p0, g[0], 4 * Rel(type), $"∂f/∂x0 at [{a}, 0]", 4 * Abs(type));
            Close(3 - 4 * p1, g[1], 4 * Rel(type), $"∂f/∂x1 at [{a}, 0]", 4 * Abs(type));
            var h = Diff.Hessian(t => (t.LogSoftmax() * w).Sum(), x).ToArray2D();
            double c = 4 * p0 * p1;
            Close(-c, h[0, 0], 16 * Rel(type), $"∂²f/∂x0² at [{a}, 0]", 4 * SoftmaxAbs(type));
            Close(c, h[0, 1], 16 * Rel(type), $"∂²f/∂x0∂x1 at [{a}, 0]", 4 * SoftmaxAbs(type));
            Close(-c, h[1, 1], 16 * Rel(type), $"∂²f/∂x1² at [{a}, 0]", 4 * SoftmaxAbs(type));
        }
    }

    [Theory, MemberData(nameof(Types))]
    public void Softmax_cross_entropy_and_its_first_two_derivatives(DType type)
    {
        foreach (double a in Inputs(type))
        {
            // Logits [a, 0], label 1: the loss is softplus(a) (1e4 at a = 1e4), the gradient p − e₁ = [σ(a), −σ(a)], the
            // Hessian σ(a)σ(−a)·[[1, −1], [−1, 1]]. The same with probability targets [0, 1].
            var x = Vec([a, 0.0], type);
            var targets = Vec([0.0, 1.0], type);
            foreach (var (loss, how) in new (Func<Tensor, Tensor>, string)[]
            {
                (t => Loss.SoftmaxCrossEntropy(t, [1]), "labels"),
                (t => Loss.SoftmaxCrossEntropy(t, targets), "targets"),
            })
            {
                Close(Softplus(a), loss(x).Item(), Rel(type), $"CE({how}) of [{a}, 0]", SoftmaxAbs(type));
                var g = Diff.Grad(loss, x).ToArray();
                // p − e₁ cancels in p₁ − 1 when p₁ rounds to 1: absolutely accurate (BCE with logits is relatively accurate).
                Close(Sigmoid(a), g[0], Rel(type), $"∂CE({how})/∂x0 at [{a}, 0]", SoftmaxAbs(type));
                Close(-Sigmoid(a), g[1], Rel(type), $"∂CE({how})/∂x1 at [{a}, 0]", SoftmaxAbs(type));
                var h = Diff.Hessian(loss, x).ToArray2D();
                double c = SigmoidPrime(a);
                Close(c, h[0, 0], 8 * Rel(type), $"∂²CE({how})/∂x0² at [{a}, 0]", SoftmaxAbs(type));
                Close(-c, h[0, 1], 8 * Rel(type), $"∂²CE({how})/∂x0∂x1 at [{a}, 0]", SoftmaxAbs(type));
                Close(c, h[1, 1], 8 * Rel(type), $"∂²CE({how})/∂x1² at [{a}, 0]", SoftmaxAbs(type));
            }
        }
        Assert.Equal(1e4, Loss.SoftmaxCrossEntropy(Tensor.FromArray([1e4, 0]), [1]).Item());
    }

    [Theory, MemberData(nameof(Types))]
    public void Binary_cross_entropy_with_logits_and_its_first_two_derivatives(DType type)
    {
        var zs = Inputs(type);
        foreach (double t in new[] { 0.0, 1.0, 0.25 })
        {
            var z = Vec(zs, type);
            var target = Vec(zs.Select(_ => t).ToArray(), type);
            Func<Tensor, Tensor> loss = u => Loss.BinaryCrossEntropyWithLogits(u, target, Reduction.Sum);
            var per = Loss.BinaryCrossEntropyWithLogits(z, target, Reduction.None).ToArray();
            var g = Diff.Grad(loss, z).ToArray();
            var hv = Diff.Hvp(loss, z, Vec(zs.Select(_ => 1.0).ToArray(), type)).ToArray();
            for (int i = 0; i < zs.Length; i++)
            {
                // max(z, 0) − z·t cancels at |z| = 1e30 in float32 when t = 1: it is exact there, so a relative bound still holds.
                Close(Bce(zs[i], t), per[i], 4 * Rel(type), $"BCE({zs[i]}, {t})", Abs(type));
                // σ(z) − t written so that σ(z) rounding to 1 does not cancel: (1 − t)·σ(z) − t·σ(−z).
                Close((1 - t) * Sigmoid(zs[i]) - t * Sigmoid(-zs[i]), g[i], 4 * Rel(type), $"∂BCE/∂z at ({zs[i]}, {t})", type == DType.Float64 ? 1e-300 : 1e-7);
                // The Hessian is diagonal, σ′(z): its product with the ones vector is σ′(z) entry by entry.
                Close(SigmoidPrime(zs[i]), hv[i], 8 * Rel(type), $"∂²BCE/∂z² at ({zs[i]}, {t})", Abs(type));
            }
        }
    }
}
