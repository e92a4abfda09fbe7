using AutoGrad.Kernels;

namespace AutoGrad.Tests.Kernels;

internal delegate void SpanMap<T>(ReadOnlySpan<T> x, Span<T> y);

/// <summary>
/// Every unary kernel against a scalar reference (Math.* in double, MathF.* in float; the composites sigmoid,
/// softplus and log1p computed in double or double-double and rounded), in the manner of
/// System.Numerics.Tensors' tests: every length 0..70, so that every vector width's body and every tail
/// length is hit, and the special values at every position.
/// </summary>
public class UnaryKernelTests
{
    /// <summary>One kernel: its two instantiations, the references, where random inputs come from, and the tolerances in ulps.</summary>
    private sealed record Case(
        SpanMap<double> D, SpanMap<float> F,
        Func<double, double> RefD, Func<float, float> RefF,
        Func<Rng, double> Sample, long UlpD, long UlpF);

    private static double Uniform(Rng r, double lo, double hi) => lo + (hi - lo) * r.NextDouble();

    /// <summary>A magnitude spread over many binades: e^u for u uniform in [lo, hi].</summary>
    private static double LogUniform(Rng r, double lo, double hi) => Math.Exp(Uniform(r, lo, hi));

    /// <summary>Mostly uniform in [lo, hi], a quarter of the time tiny (±e^u, u in [−60, −1]) where cancellation shows.</summary>
    private static double WithTiny(Rng r, double lo, double hi) =>
        r.NextDouble() < 0.25 ? (r.NextDouble() < 0.5 ? -1 : 1) * LogUniform(r, -60, -1) : Uniform(r, lo, hi);

    private static double Sign(double x) => double.IsNaN(x) ? x : x > 0 ? 1 : x < 0 ? -1 : 0;
    private static float Sign(float x) => float.IsNaN(x) ? x : x > 0 ? 1 : x < 0 ? -1 : 0;

    /// <summary>σ(x) split by sign, with the scalar exponential.</summary>
    private static double Sigmoid(double x) => x >= 0 ? 1 / (1 + Math.Exp(-x)) : Math.Exp(x) / (1 + Math.Exp(x));

    /// <summary>ln(1 + eˣ) with a correctly rounded log1p, so that tiny e^(−|x|) is not lost.</summary>
    private static double Softplus(double x) => double.IsNaN(x) ? x : Math.Max(x, 0) + DoubleDouble.Log1p(Math.Exp(-Math.Abs(x)));

    private static readonly Dictionary<string, Case> Cases = new()
    {
        ["Neg"] = new((x, y) => NegKernel.Run(x, y), (x, y) => NegKernel.Run(x, y), x => -x, x => -x, r => Uniform(r, -1e3, 1e3), 0, 0),
        ["Exp"] = new((x, y) => ExpKernel.Run(x, y), (x, y) => ExpKernel.Run(x, y), Math.Exp, MathF.Exp, r => WithTiny(r, -80, 80), 2, 2),
        ["Log"] = new((x, y) => LogKernel.Run(x, y), (x, y) => LogKernel.Run(x, y), Math.Log, MathF.Log,
            r => r.NextDouble() < 0.5 ? LogUniform(r, -80, 80) : Uniform(r, 0.8, 1.25), 2, 2),
        ["Log1p"] = new((x, y) => Log1pKernel.Run(x, y), (x, y) => Log1pKernel.Run(x, y),
            DoubleDouble.Log1p, x => (float)DoubleDouble.Log1p(x),
            r => r.NextDouble() < 0.5 ? Uniform(r, -1, 10) : (r.NextDouble() < 0.5 ? -1 : 1) * LogUniform(r, -60, -1), 2, 2),
        ["Sqrt"] = new((x, y) => SqrtKernel.Run(x, y), (x, y) => SqrtKernel.Run(x, y), Math.Sqrt, MathF.Sqrt, r => LogUniform(r, -80, 80), 0, 0),
        ["Abs"] = new((x, y) => AbsKernel.Run(x, y), (x, y) => AbsKernel.Run(x, y), Math.Abs, MathF.Abs, r => Uniform(r, -1e3, 1e3), 0, 0),
        ["Sign"] = new((x, y) => SignKernel.Run(x, y), (x, y) => SignKernel.Run(x, y), Sign, Sign, r => Uniform(r, -3, 3), 0, 0),
        ["Sin"] = new((x, y) => SinKernel.Run(x, y), (x, y) => SinKernel.Run(x, y), Math.Sin, MathF.Sin, r => WithTiny(r, -100, 100), 1, 1),
        ["Cos"] = new((x, y) => CosKernel.Run(x, y), (x, y) => CosKernel.Run(x, y), Math.Cos, MathF.Cos, r => WithTiny(r, -100, 100), 1, 1),
        ["Tanh"] = new((x, y) => TanhKernel.Run(x, y), (x, y) => TanhKernel.Run(x, y), Math.Tanh, MathF.Tanh, r => WithTiny(r, -20, 20), 2, 3),
        ["Sigmoid"] = new((x, y) => SigmoidKernel.Run(x, y), (x, y) => SigmoidKernel.Run(x, y), Sigmoid, x => (float)Sigmoid((double)x), r => WithTiny(r, -60, 60), 2, 3),
        ["Softplus"] = new((x, y) => SoftplusKernel.Run(x, y), (x, y) => SoftplusKernel.Run(x, y),
            Softplus, x => (float)Softplus(x), r => WithTiny(r, -60, 60), 3, 3),
        ["Relu"] = new((x, y) => ReluKernel.Run(x, y), (x, y) => ReluKernel.Run(x, y),
            x => x > 0 || double.IsNaN(x) ? x : 0, x => x > 0 || float.IsNaN(x) ? x : 0, r => Uniform(r, -3, 3), 0, 0),
        ["Step"] = new((x, y) => StepKernel.Run(x, y), (x, y) => StepKernel.Run(x, y),
            x => x > 0 ? 1 : 0, x => x > 0 ? 1 : 0, r => Uniform(r, -3, 3), 0, 0),
    };

    public static IEnumerable<object[]> Names => Cases.Keys.Select(k => new object[] { k });

    /// <summary>0, −0, ±∞, NaN, subnormals, and the magnitudes where exp and friends overflow or underflow.</summary>
    internal static readonly double[] SpecialDoubles =
    [
        0.0, -0.0, double.PositiveInfinity, double.NegativeInfinity, double.NaN,
        double.Epsilon, -double.Epsilon, 1e-310, -1e-310, 1e300, -1e300, double.MaxValue, -double.MaxValue,
        1e4, -1e4, 745, -745, 710, -710, 1, -1,
    ];

    internal static readonly float[] SpecialFloats =
    [
        0f, -0f, float.PositiveInfinity, float.NegativeInfinity, float.NaN,
        float.Epsilon, -float.Epsilon, 1e-40f, -1e-40f, float.MaxValue, -float.MaxValue,
        1e4f, -1e4f, 745f, -745f, 710f, -710f, 88.8f, -104f, 1f, -1f,
    ];

    [Fact]
    public void Every_unary_kernel_has_a_case()
    {
        var kernels = typeof(Tensor).Assembly.GetTypes()
            .Where(t => t.IsValueType && t.GetInterfaces().Any(i => i.Name == "IUnaryKernel"))
            .Select(t => t.Name.Replace("Kernel", ""))
            .Order().ToArray();
        Assert.NotEmpty(kernels);
        Assert.Equal(kernels, Cases.Keys.Order().ToArray());
    }

    /// <summary>Every length 0..70, then lengths around the chunk size some kernels work in (256) and beyond.</summary>
    private static IEnumerable<int> Lengths => Enumerable.Range(0, 71).Concat([255, 256, 257, 300, 512, 513, 1000]);

    [Theory]
    [MemberData(nameof(Names))]
    public void Matches_the_scalar_reference_at_every_length_in_float64(string name)
    {
        var c = Cases[name];
        var rng = new Rng(StableSeed(name));
        foreach (int n in Lengths)
        {
            var x = new double[n];
            for (int i = 0; i < n; i++) x[i] = c.Sample(rng);
            // The output has a sentinel past its end: a kernel must not write beyond its span.
            var y = new double[n + 1];
            y[n] = 12345;
            c.D(x, y.AsSpan(0, n));
            Assert.Equal(12345, y[n]);
            for (int i = 0; i < n; i++) AssertClose(name, x[i], y[i], c.RefD(x[i]), c.UlpD, n);
        }
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Matches_the_scalar_reference_at_every_length_in_float32(string name)
    {
        var c = Cases[name];
        var rng = new Rng(StableSeed(name));
        foreach (int n in Lengths)
        {
            var x = new float[n];
            for (int i = 0; i < n; i++) x[i] = (float)c.Sample(rng);
            var y = new float[n + 1];
            y[n] = 12345;
            c.F(x, y.AsSpan(0, n));
            Assert.Equal(12345, y[n]);
            for (int i = 0; i < n; i++) AssertClose(name, x[i], y[i], c.RefF(x[i]), c.UlpF, n);
        }
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Special_values_at_every_position_in_float64(string name)
    {
        var c = Cases[name];
        var s = SpecialDoubles;
        foreach (int n in Lengths.Where(n => n > 0))
        {
            var x = new double[n];
            for (int i = 0; i < n; i++) x[i] = s[(i + 3 * n) % s.Length];
            var y = new double[n];
            c.D(x, y);
            for (int i = 0; i < n; i++) AssertClose(name, x[i], y[i], c.RefD(x[i]), c.UlpD, n);
        }
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Special_values_at_every_position_in_float32(string name)
    {
        var c = Cases[name];
        var s = SpecialFloats;
        foreach (int n in Lengths.Where(n => n > 0))
        {
            var x = new float[n];
            for (int i = 0; i < n; i++) x[i] = s[(i + 3 * n) % s.Length];
            var y = new float[n];
            c.F(x, y);
            for (int i = 0; i < n; i++) AssertClose(name, x[i], y[i], c.RefF(x[i]), c.UlpF, n);
        }
    }

    /// <summary>A seed from the name that, unlike string.GetHashCode, is the same in every process.</summary>
    internal static long StableSeed(string name) => name.Aggregate(17L, (h, c) => h * 31 + c);

    private static void AssertClose(string name, double x, double actual, double expected, long ulps, int n)
    {
        bool ok = Ulp.Distance(actual, expected) <= ulps
            // Zeros must carry the reference's sign (−0 and +0 differ in 1/x and atan2).
            && (expected != 0 || Ulp.SameBits(actual, expected));
        Assert.True(ok, $"{name}({Ulp.R(x)}) at length {n} (float64): got {Ulp.R(actual)}, expected {Ulp.R(expected)} " +
                        $"({Ulp.Distance(actual, expected)} ulps, tolerance {ulps})");
    }

    private static void AssertClose(string name, float x, float actual, float expected, long ulps, int n)
    {
        bool ok = Ulp.Distance(actual, expected) <= ulps && (expected != 0 || Ulp.SameBits(actual, expected));
        Assert.True(ok, $"{name}({x:R}) at length {n} (float32): got {actual:R}, expected {expected:R} " +
                        $"({Ulp.Distance(actual, expected)} ulps, tolerance {ulps})");
    }
}
