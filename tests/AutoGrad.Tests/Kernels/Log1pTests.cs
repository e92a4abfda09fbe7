using AutoGrad.Kernels;

namespace AutoGrad.Tests.Kernels;

/// <summary>
/// <see cref="Scalar.Log1p{T}"/> (which softplus and the Log1p op rely on) against a double-double reference,
/// from |x| = 1e−300 up to the largest double.
/// </summary>
public class Log1pTests
{
    private static readonly double[] Mantissas = [1, 1.0000000000000002, 1.2345678901234567, 2.5, 3.7, 5.123, 7.77, 9.999999999999998];

    /// <summary>±m·10⁻ᵉ for e = 0..300 and several mantissas, both signs, plus values near −1 and large ones.</summary>
    private static IEnumerable<double> Grid()
    {
        for (int e = 0; e <= 300; e++)
            foreach (double m in Mantissas)
            {
                double x = m * Math.Pow(10, -e);
                if (x < 1) { yield return x; yield return -x; }
            }
        for (int e = 1; e <= 308; e++)
            foreach (double m in Mantissas)
                if (m * Math.Pow(10, e) is var x && double.IsFinite(x)) yield return x;
        var r = new Rng(11);
        for (int i = 0; i < 2000; i++) yield return -1 + 2 * r.NextDouble();
        for (int i = 0; i < 200; i++) yield return -1 + Math.Pow(10, -1 - 15 * r.NextDouble());
        yield return double.MaxValue;
        yield return -0.5;
        yield return -0.9999999999999999;
    }

    [Fact]
    public void The_reference_agrees_with_known_values()
    {
        // ln(1 + x) rounded to the nearest double, from mpmath at 50 digits (x as the double nearest its literal).
        (double X, double Exact)[] known =
        [
            (1, 0.6931471805599453), (9, 2.302585092994046), (1e-10, 9.999999999500001e-11), (1e-5, 9.999950000333332e-06),
            (-0.3, -0.35667494393873234), (3.7, 1.547562508716013), (1e20, 46.051701859880914),
            (double.MaxValue, 709.782712893384), (-0.9999999999999999, -36.7368005696771),
        ];
        foreach (var (x, exact) in known)
            Assert.True(Ulp.Distance(exact, DoubleDouble.Log1p(x)) == 0, $"reference ln(1 + {Ulp.R(x)}) = {Ulp.R(DoubleDouble.Log1p(x))}, exact {Ulp.R(exact)}");
    }

    [Fact]
    public void Float64_is_within_two_ulps_from_1e_minus_300_to_the_largest_double()
    {
        long worst = 0; double worstX = 0;
        foreach (double x in Grid())
        {
            long d = Ulp.Distance(Scalar.Log1p(x), DoubleDouble.Log1p(x));
            if (d > worst) (worst, worstX) = (d, x);
        }
        Assert.True(worst <= 2, $"Log1p({Ulp.R(worstX)}) = {Ulp.R(Scalar.Log1p(worstX))}, reference {Ulp.R(DoubleDouble.Log1p(worstX))}: {worst} ulps");
    }

    [Fact]
    public void Float64_tiny_arguments_are_returned_exactly()
    {
        foreach (double x in (double[])[1e-300, -1e-300, 1e-200, 1e-17, -1e-17, double.Epsilon, -double.Epsilon, 1e-310])
            Assert.True(Ulp.SameBits(x, Scalar.Log1p(x)), $"Log1p({Ulp.R(x)}) = {Ulp.R(Scalar.Log1p(x))}");
    }

    [Fact]
    public void Float32_is_within_two_ulps_over_its_whole_range()
    {
        long worst = 0; float worstX = 0;
        for (int e = -45; e <= 38; e++)
            foreach (double m in Mantissas)
                foreach (int sign in (int[])[1, -1])
                {
                    float x = (float)(sign * m * Math.Pow(10, e));
                    if (x <= -1 || !float.IsFinite(x)) continue;
                    long d = Ulp.Distance(Scalar.Log1p(x), (float)DoubleDouble.Log1p(x));
                    if (d > worst) (worst, worstX) = (d, x);
                }
        var r = new Rng(12);
        for (int i = 0; i < 2000; i++)
        {
            float x = (float)(-1 + 3 * r.NextDouble());
            if (x <= -1) continue;
            long d = Ulp.Distance(Scalar.Log1p(x), (float)DoubleDouble.Log1p(x));
            if (d > worst) (worst, worstX) = (d, x);
        }
        long atMax = Ulp.Distance(Scalar.Log1p(float.MaxValue), (float)DoubleDouble.Log1p(float.MaxValue));
        if (atMax > worst) (worst, worstX) = (atMax, float.MaxValue);
        Assert.True(worst <= 2, $"Log1p({worstX:R}f) = {Scalar.Log1p(worstX):R}, reference {(float)DoubleDouble.Log1p(worstX):R}: {worst} ulps");
    }

    [Fact]
    public void Edges_follow_ieee_log()
    {
        Assert.Equal(double.NegativeInfinity, Scalar.Log1p(-1.0));
        Assert.True(double.IsNaN(Scalar.Log1p(-1.5)));
        Assert.True(double.IsNaN(Scalar.Log1p(double.NegativeInfinity)));
        Assert.True(double.IsNaN(Scalar.Log1p(double.NaN)));
        Assert.Equal(double.PositiveInfinity, Scalar.Log1p(double.PositiveInfinity));
        Assert.True(Ulp.SameBits(-0.0, Scalar.Log1p(-0.0)));
        Assert.True(Ulp.SameBits(0.0, Scalar.Log1p(0.0)));
        Assert.Equal(float.NegativeInfinity, Scalar.Log1p(-1f));
        Assert.Equal(float.PositiveInfinity, Scalar.Log1p(float.PositiveInfinity));
        Assert.True(float.IsNaN(Scalar.Log1p(-2f)));
    }
}
