using AutoGrad.Kernels;

namespace AutoGrad.Tests.Kernels;

/// <summary>
/// Every binary kernel, in all three forms (vector-vector, vector-scalar, scalar-vector), against the scalar
/// operation at every length 0..70 and on every pair of special values.
/// </summary>
public class BinaryKernelTests
{
    private delegate void VV<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> d);
    private delegate void VS<T>(ReadOnlySpan<T> x, T y, Span<T> d);
    private delegate void SV<T>(T x, ReadOnlySpan<T> y, Span<T> d);

    private sealed record Forms<T>(VV<T> Vv, VS<T> Vs, SV<T> Sv);

    private sealed record Case(Forms<double> D, Forms<float> F, Func<double, double, double> RefD, Func<float, float, float> RefF,
        Func<Rng, double> SampleX, Func<Rng, double> SampleY, long Ulps);

    private static Forms<double> FormsD<K>() where K : IBinaryKernel =>
        new((x, y, d) => K.VV(x, y, d), (x, y, d) => K.VS(x, y, d), (x, y, d) => K.SV(x, y, d));

    private static Forms<float> FormsF<K>() where K : IBinaryKernel =>
        new((x, y, d) => K.VV(x, y, d), (x, y, d) => K.VS(x, y, d), (x, y, d) => K.SV(x, y, d));

    private static Case Make<K>(Func<double, double, double> refD, Func<float, float, float> refF,
        Func<Rng, double>? sampleX = null, Func<Rng, double>? sampleY = null, long ulps = 0) where K : IBinaryKernel =>
        new(FormsD<K>(), FormsF<K>(), refD, refF, sampleX ?? Wide, sampleY ?? Wide, ulps);

    /// <summary>Signed values over twenty binades, and sometimes small integers (ties for comparisons, exact squares).</summary>
    private static double Wide(Rng r) =>
        r.NextDouble() < 0.2 ? r.NextInt(5) - 2 : (r.NextDouble() < 0.5 ? -1 : 1) * Math.Exp(46 * r.NextDouble() - 23);

    private static double B(bool b) => b ? 1 : 0;
    private static float Bf(bool b) => b ? 1 : 0;

    private static readonly Dictionary<string, Case> Cases = new()
    {
        ["Add"] = Make<AddKernel>((x, y) => x + y, (x, y) => x + y),
        ["Sub"] = Make<SubKernel>((x, y) => x - y, (x, y) => x - y),
        ["Mul"] = Make<MulKernel>((x, y) => x * y, (x, y) => x * y),
        ["Div"] = Make<DivKernel>((x, y) => x / y, (x, y) => x / y),
        ["Pow"] = Make<PowKernel>(Math.Pow, MathF.Pow, r => 10 * r.NextDouble(), r => r.NextDouble() < 0.3 ? r.NextInt(7) - 3 : 10 * r.NextDouble() - 5, 1),
        ["Max"] = Make<MaxKernel>(Math.Max, MathF.Max),
        ["Min"] = Make<MinKernel>(Math.Min, MathF.Min),
        ["Compare<Gt>"] = Make<CompareKernel<Gt>>((x, y) => B(x > y), (x, y) => Bf(x > y)),
        ["Compare<Ge>"] = Make<CompareKernel<Ge>>((x, y) => B(x >= y), (x, y) => Bf(x >= y)),
        ["Compare<Lt>"] = Make<CompareKernel<Lt>>((x, y) => B(x < y), (x, y) => Bf(x < y)),
        ["Compare<Le>"] = Make<CompareKernel<Le>>((x, y) => B(x <= y), (x, y) => Bf(x <= y)),
        ["Compare<Eq>"] = Make<CompareKernel<Eq>>((x, y) => B(x == y), (x, y) => Bf(x == y)),
        ["Compare<Ne>"] = Make<CompareKernel<Ne>>((x, y) => B(x != y), (x, y) => Bf(x != y)),
    };

    public static IEnumerable<object[]> Names => Cases.Keys.Select(k => new object[] { k });

    [Fact]
    public void Every_binary_kernel_and_comparison_has_a_case()
    {
        var asm = typeof(Tensor).Assembly.GetTypes();
        var plain = asm.Where(t => t.IsValueType && !t.IsGenericTypeDefinition && t.GetInterfaces().Any(i => i.Name == "IBinaryKernel"))
            .Select(t => t.Name.Replace("Kernel", ""));
        var comparisons = asm.Where(t => t.IsValueType && t.GetInterfaces().Any(i => i.Name == "IComparison"))
            .Select(t => $"Compare<{t.Name}>");
        Assert.Equal(plain.Concat(comparisons).Order().ToArray(), Cases.Keys.Order().ToArray());
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void All_forms_match_the_scalar_operation_at_every_length_in_float64(string name)
    {
        var c = Cases[name];
        var rng = new Rng(UnaryKernelTests.StableSeed(name));
        for (int n = 0; n <= 70; n++)
        {
            var x = new double[n]; var y = new double[n];
            for (int i = 0; i < n; i++) { x[i] = c.SampleX(rng); y[i] = c.SampleY(rng); }
            double xs = c.SampleX(rng), ys = c.SampleY(rng);
            Run(name, c.D, x, y, xs, ys, c.RefD, (a, e) => Ulp.Distance(a, e) <= c.Ulps && (e != 0 || Ulp.SameBits(a, e)), n);
        }
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void All_forms_match_the_scalar_operation_at_every_length_in_float32(string name)
    {
        var c = Cases[name];
        var rng = new Rng(UnaryKernelTests.StableSeed(name) + 1);
        for (int n = 0; n <= 70; n++)
        {
            var x = new float[n]; var y = new float[n];
            for (int i = 0; i < n; i++) { x[i] = (float)c.SampleX(rng); y[i] = (float)c.SampleY(rng); }
            float xs = (float)c.SampleX(rng), ys = (float)c.SampleY(rng);
            Run(name, c.F, x, y, xs, ys, c.RefF, (a, e) => Ulp.Distance(a, e) <= c.Ulps && (e != 0 || Ulp.SameBits(a, e)), n);
        }
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Every_pair_of_special_values_in_float64(string name)
    {
        var c = Cases[name];
        var s = UnaryKernelTests.SpecialDoubles;
        // All pairs, laid out in one long vector (so they land in vector bodies and tails), and each value as the scalar operand.
        var x = new double[s.Length * s.Length]; var y = new double[x.Length];
        for (int i = 0; i < s.Length; i++)
            for (int j = 0; j < s.Length; j++) { x[i * s.Length + j] = s[i]; y[i * s.Length + j] = s[j]; }
        foreach (double v in s)
            Run(name, c.D, x, y, v, v, c.RefD, (a, e) => Ulp.Distance(a, e) <= c.Ulps && (e != 0 || Ulp.SameBits(a, e)), x.Length);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Every_pair_of_special_values_in_float32(string name)
    {
        var c = Cases[name];
        var s = UnaryKernelTests.SpecialFloats;
        var x = new float[s.Length * s.Length]; var y = new float[x.Length];
        for (int i = 0; i < s.Length; i++)
            for (int j = 0; j < s.Length; j++) { x[i * s.Length + j] = s[i]; y[i * s.Length + j] = s[j]; }
        foreach (float v in s)
            Run(name, c.F, x, y, v, v, c.RefF, (a, e) => Ulp.Distance(a, e) <= c.Ulps && (e != 0 || Ulp.SameBits(a, e)), x.Length);
    }

    private static void Run<T>(string name, Forms<T> k, T[] x, T[] y, T xs, T ys, Func<T, T, T> reference, Func<T, T, bool> close, int n)
        where T : struct
    {
        var d = new T[x.Length];
        k.Vv(x, y, d);
        for (int i = 0; i < d.Length; i++)
            Assert.True(close(d[i], reference(x[i], y[i])), $"{name} VV at length {n}: f({x[i]}, {y[i]}) = {d[i]}, expected {reference(x[i], y[i])}");
        k.Vs(x, ys, d);
        for (int i = 0; i < d.Length; i++)
            Assert.True(close(d[i], reference(x[i], ys)), $"{name} VS at length {n}: f({x[i]}, {ys}) = {d[i]}, expected {reference(x[i], ys)}");
        k.Sv(xs, y, d);
        for (int i = 0; i < d.Length; i++)
            Assert.True(close(d[i], reference(xs, y[i])), $"{name} SV at length {n}: f({xs}, {y[i]}) = {d[i]}, expected {reference(xs, y[i])}");
    }

    [Fact]
    public void Integer_powers_are_exact_products()
    {
        // The VS fast paths: x² is x·x (correctly rounded), x¹ is x, x⁰ is 1 even for NaN and ∞ (as Math.Pow).
        double[] x = [3, -1.5, 1e200, -0.0, double.NaN, double.NegativeInfinity, 1.0000000000000002];
        var d = new double[x.Length];
        PowKernel.VS<double>(x, 2, d);
        for (int i = 0; i < x.Length; i++) Assert.True(Ulp.SameBits(x[i] * x[i], d[i]), $"{x[i]}² = {d[i]}");
        PowKernel.VS<double>(x, 1, d);
        for (int i = 0; i < x.Length; i++) Assert.True(Ulp.SameBits(x[i], d[i]), $"{x[i]}¹ = {d[i]}");
        PowKernel.VS<double>(x, 0, d);
        Assert.All(d, v => Assert.Equal(1.0, v));
    }

    [Fact]
    public void Select_picks_x_where_the_mask_is_non_zero()
    {
        // −0 counts as zero; NaN is non-zero (NaN ≠ 0).
        double[] mask = [1, 0, -0.0, double.NaN, -2, 0.5];
        double[] x = [10, 11, 12, 13, 14, 15];
        double[] y = [20, 21, 22, 23, 24, 25];
        var d = new double[6];
        SelectKernel.Run<double>(mask, x, y, d);
        Assert.Equal([10, 21, 22, 13, 14, 15], d);
        var df = new float[6];
        SelectKernel.Run<float>([0, 1, 0, 1, 0, 1], [1, 2, 3, 4, 5, 6], [-1, -2, -3, -4, -5, -6], df);
        Assert.Equal([-1f, 2, -3, 4, -5, 6], df);
    }
}
