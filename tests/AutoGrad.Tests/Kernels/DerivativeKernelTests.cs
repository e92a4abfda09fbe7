using AutoGrad.Kernels;

namespace AutoGrad.Tests.Kernels;

internal delegate void SpanDerivative<T>(ReadOnlySpan<T> g, ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> d);

/// <summary>
/// Every fused backward kernel against its composed formula evaluated in double (double-double after the library
/// function where the double formula cancels or compounds roundings), at every length 0..70 and past the stack-chunk size, with special inputs at every
/// position, the unused operand passed empty, and d the very span g.
/// </summary>
public class DerivativeKernelTests
{
    /// <summary>
    /// One kernel: its two instantiations, the forward function giving y from x, the reference d(g, x, y), where x
    /// comes from, which of x and y the kernel reads, and the tolerances in ulps (the runtime's vector exponential in
    /// double is up to 2 ulps from the library one, hence 4 for sigmoid and softplus).
    /// </summary>
    private sealed record Case(
        SpanDerivative<double> D, SpanDerivative<float> F,
        Func<double, double> Forward, Func<double, double, double, double> Ref,
        Func<Rng, double> Sample, bool UsesX, bool UsesY, long UlpD, long UlpF);

    private static double Uniform(Rng r, double lo, double hi) => lo + (hi - lo) * r.NextDouble();

    private static double LogUniform(Rng r, double lo, double hi) => Math.Exp(Uniform(r, lo, hi));

    /// <summary>Mostly uniform in [lo, hi], a quarter of the time tiny (±e^u, u in [−60, −1]).</summary>
    private static double WithTiny(Rng r, double lo, double hi) =>
        r.NextDouble() < 0.25 ? (r.NextDouble() < 0.5 ? -1 : 1) * LogUniform(r, -60, -1) : Uniform(r, lo, hi);

    private static double Sigmoid(double x) => x >= 0 ? 1 / (1 + Math.Exp(-x)) : Math.Exp(x) / (1 + Math.Exp(x));

    private static double Sign(double x) => double.IsNaN(x) ? x : x > 0 ? 1 : x < 0 ? -1 : 0;

    /// <summary>g·(1 − y²) with 1 − y² exact, which the double formula is not as y nears ±1.</summary>
    private static double TanhRef(double g, double y) =>
        double.IsNaN(y) || double.IsNaN(g) ? double.NaN : (((DoubleDouble)1 - (DoubleDouble)y * y) * g).ToDouble();

    /// <summary>g·e/(1 + e)², e = e^(−|x|), in double-double: only the library exponential's error remains.</summary>
    private static double SigmoidRef(double g, double x)
    {
        if (double.IsNaN(x) || double.IsNaN(g)) return double.NaN;
        double e = Math.Exp(-Math.Abs(x));
        var s = (DoubleDouble)1 + e;
        return ((DoubleDouble)g * e / (s * s)).ToDouble();
    }

    /// <summary>g·σ(x) split by sign, in double-double after the library exponential.</summary>
    private static double SoftplusRef(double g, double x)
    {
        if (double.IsNaN(x) || double.IsNaN(g)) return double.NaN;
        double e = Math.Exp(-Math.Abs(x));
        return ((DoubleDouble)g * (x >= 0 ? 1 : e) / ((DoubleDouble)1 + e)).ToDouble();
    }

    private static readonly Dictionary<string, Case> Cases = new()
    {
        ["Tanh"] = new((g, x, y, d) => TanhDerivativeKernel.Run(g, x, y, d), (g, x, y, d) => TanhDerivativeKernel.Run(g, x, y, d),
            Math.Tanh, (g, x, y) => TanhRef(g, y), r => WithTiny(r, -20, 20), false, true, 2, 2),
        ["Sigmoid"] = new((g, x, y, d) => SigmoidDerivativeKernel.Run(g, x, y, d), (g, x, y, d) => SigmoidDerivativeKernel.Run(g, x, y, d),
            Sigmoid, (g, x, y) => SigmoidRef(g, x), r => WithTiny(r, -60, 60), true, false, 4, 3),
        ["Softplus"] = new((g, x, y, d) => SoftplusDerivativeKernel.Run(g, x, y, d), (g, x, y, d) => SoftplusDerivativeKernel.Run(g, x, y, d),
            x => Math.Max(x, 0) + Math.Log(1 + Math.Exp(-Math.Abs(x))), (g, x, y) => SoftplusRef(g, x), r => WithTiny(r, -60, 60), true, false, 4, 3),
        ["Exp"] = new((g, x, y, d) => ExpDerivativeKernel.Run(g, x, y, d), (g, x, y, d) => ExpDerivativeKernel.Run(g, x, y, d),
            Math.Exp, (g, x, y) => g * y, r => WithTiny(r, -80, 80), false, true, 0, 0),
        ["Relu"] = new((g, x, y, d) => ReluDerivativeKernel.Run(g, x, y, d), (g, x, y, d) => ReluDerivativeKernel.Run(g, x, y, d),
            x => x > 0 || double.IsNaN(x) ? x : 0, (g, x, y) => x > 0 ? g : 0, r => Uniform(r, -3, 3), true, false, 0, 0),
        ["Abs"] = new((g, x, y, d) => AbsDerivativeKernel.Run(g, x, y, d), (g, x, y, d) => AbsDerivativeKernel.Run(g, x, y, d),
            Math.Abs, (g, x, y) => g * Sign(x), r => Uniform(r, -3, 3), true, false, 0, 0),
        ["Neg"] = new((g, x, y, d) => NegDerivativeKernel.Run(g, x, y, d), (g, x, y, d) => NegDerivativeKernel.Run(g, x, y, d),
            x => -x, (g, x, y) => -g, r => Uniform(r, -3, 3), false, false, 0, 0),
        ["Log"] = new((g, x, y, d) => LogDerivativeKernel.Run(g, x, y, d), (g, x, y, d) => LogDerivativeKernel.Run(g, x, y, d),
            Math.Log, (g, x, y) => g / x, r => LogUniform(r, -80, 80), true, false, 0, 1),
        ["Sqrt"] = new((g, x, y, d) => SqrtDerivativeKernel.Run(g, x, y, d), (g, x, y, d) => SqrtDerivativeKernel.Run(g, x, y, d),
            Math.Sqrt, (g, x, y) => g * 0.5 / y, r => LogUniform(r, -80, 80), false, true, 0, 1),
        ["Sin"] = new((g, x, y, d) => SinDerivativeKernel.Run(g, x, y, d), (g, x, y, d) => SinDerivativeKernel.Run(g, x, y, d),
            Math.Sin, (g, x, y) => g * Math.Cos(x), r => WithTiny(r, -100, 100), true, false, 2, 2),
        ["Cos"] = new((g, x, y, d) => CosDerivativeKernel.Run(g, x, y, d), (g, x, y, d) => CosDerivativeKernel.Run(g, x, y, d),
            Math.Cos, (g, x, y) => -g * Math.Sin(x), r => WithTiny(r, -100, 100), true, false, 2, 2),
        ["Log1p"] = new((g, x, y, d) => Log1pDerivativeKernel.Run(g, x, y, d), (g, x, y, d) => Log1pDerivativeKernel.Run(g, x, y, d),
            DoubleDouble.Log1p, (g, x, y) => g / (1 + x),
            r => r.NextDouble() < 0.5 ? Uniform(r, -1, 10) : (r.NextDouble() < 0.5 ? -1 : 1) * LogUniform(r, -60, -1), true, false, 1, 2),
    };

    public static IEnumerable<object[]> Names => Cases.Keys.Select(k => new object[] { k });

    [Fact]
    public void Every_derivative_kernel_has_a_case()
    {
        var kernels = typeof(Tensor).Assembly.GetTypes()
            .Where(t => t.IsValueType && t.GetInterfaces().Any(i => i.Name == "IDerivativeKernel"))
            .Select(t => t.Name.Replace("DerivativeKernel", ""))
            .Order().ToArray();
        Assert.NotEmpty(kernels);
        Assert.Equal(kernels, Cases.Keys.Order().ToArray());
    }

    private static IEnumerable<int> Lengths => Enumerable.Range(0, 71).Concat([255, 256, 257, 300, 512, 513, 1000]);

    /// <summary>Upstream gradients: mostly of order 1, sometimes tiny or huge.</summary>
    private static double Gradient(Rng r) => r.NextDouble() switch
    {
        < 0.1 => (r.NextDouble() < 0.5 ? -1 : 1) * LogUniform(r, -100, 100),
        _ => Uniform(r, -2, 2),
    };

    [Theory]
    [MemberData(nameof(Names))]
    public void Matches_the_composed_formula_at_every_length_in_float64(string name)
    {
        var c = Cases[name];
        var rng = new Rng(UnaryKernelTests.StableSeed(name));
        foreach (int n in Lengths)
        {
            var x = new double[n];
            var g = new double[n];
            for (int i = 0; i < n; i++) { x[i] = c.Sample(rng); g[i] = Gradient(rng); }
            CheckDouble(name, c, g, x, n);
        }
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Matches_the_composed_formula_at_every_length_in_float32(string name)
    {
        var c = Cases[name];
        var rng = new Rng(UnaryKernelTests.StableSeed(name));
        foreach (int n in Lengths)
        {
            var x = new float[n];
            var g = new float[n];
            for (int i = 0; i < n; i++) { x[i] = (float)c.Sample(rng); g[i] = (float)Uniform(rng, -2, 2); }
            CheckFloat(name, c, g, x, n);
        }
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Special_values_at_every_position(string name)
    {
        var c = Cases[name];
        var rng = new Rng(3);
        foreach (int n in Lengths.Where(n => n > 0))
        {
            var x = new double[n];
            var g = new double[n];
            for (int i = 0; i < n; i++) { x[i] = UnaryKernelTests.SpecialDoubles[(i + 3 * n) % UnaryKernelTests.SpecialDoubles.Length]; g[i] = Uniform(rng, -2, 2); }
            CheckDouble(name, c, g, x, n);
            var xf = new float[n];
            var gf = new float[n];
            for (int i = 0; i < n; i++) { xf[i] = UnaryKernelTests.SpecialFloats[(i + 3 * n) % UnaryKernelTests.SpecialFloats.Length]; gf[i] = (float)g[i]; }
            CheckFloat(name, c, gf, xf, n);
        }
    }

    private static void CheckDouble(string name, Case c, double[] g, double[] x, int n)
    {
        var y = x.Select(c.Forward).ToArray();
        // The output has a sentinel past its end: a kernel must not write beyond its span.
        var d = new double[n + 1];
        d[n] = 12345;
        c.D(g, c.UsesX ? x : [], c.UsesY ? y : [], d.AsSpan(0, n));
        Assert.Equal(12345, d[n]);
        for (int i = 0; i < n; i++)
        {
            double e = c.Ref(g[i], x[i], y[i]);
            Assert.True(Ulp.Distance(d[i], e) <= c.UlpD,
                $"{name}′(g={Ulp.R(g[i])}, x={Ulp.R(x[i])}, y={Ulp.R(y[i])}) at length {n} (float64): got {Ulp.R(d[i])}, expected {Ulp.R(e)} " +
                $"({Ulp.Distance(d[i], e)} ulps, tolerance {c.UlpD})");
        }
        // In place: d is g itself.
        var gd = (double[])g.Clone();
        c.D(gd, c.UsesX ? x : [], c.UsesY ? y : [], gd);
        for (int i = 0; i < n; i++) Assert.True(Ulp.SameBits(d[i], gd[i]), $"{name}′ in place at {i} of {n}: {Ulp.R(gd[i])} ≠ {Ulp.R(d[i])}");
    }

    private static void CheckFloat(string name, Case c, float[] g, float[] x, int n)
    {
        // y is the forward result rounded to float, as the tape would save it.
        var y = x.Select(v => (float)c.Forward(v)).ToArray();
        var d = new float[n + 1];
        d[n] = 12345;
        c.F(g, c.UsesX ? x : [], c.UsesY ? y : [], d.AsSpan(0, n));
        Assert.Equal(12345, d[n]);
        for (int i = 0; i < n; i++)
        {
            float e = (float)c.Ref(g[i], x[i], y[i]);
            Assert.True(Ulp.Distance(d[i], e) <= c.UlpF,
                $"{name}′(g={g[i]:R}, x={x[i]:R}, y={y[i]:R}) at length {n} (float32): got {d[i]:R}, expected {e:R} " +
                $"({Ulp.Distance(d[i], e)} ulps, tolerance {c.UlpF})");
        }
        var gd = (float[])g.Clone();
        c.F(gd, c.UsesX ? x : [], c.UsesY ? y : [], gd);
        for (int i = 0; i < n; i++) Assert.True(Ulp.SameBits(d[i], gd[i]), $"{name}′ in place at {i} of {n}: {gd[i]:R} ≠ {d[i]:R}");
    }
}
