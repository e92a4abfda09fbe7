using AutoGrad.Kernels;

namespace AutoGrad.Tests.Kernels;

/// <summary>
/// The vectorised tanh against a double-double reference (rounded once more in float) over the whole range,
/// densely where its two formulas meet (0.625) and near 0, where TensorPrimitives' tanh cancels.
/// </summary>
public class TanhKernelTests
{
    private const long Ulps = 2;

    private static void Check(double[] x)
    {
        var y = new double[x.Length];
        TanhKernel.Run<double>(x, y);
        for (int i = 0; i < x.Length; i++)
        {
            double e = DoubleDouble.Tanh(x[i]);
            long d = Ulp.Distance(y[i], e);
            Assert.True(d <= Ulps && (e != 0 || Ulp.SameBits(y[i], e)),
                $"tanh({Ulp.R(x[i])}) = {Ulp.R(y[i])}, expected {Ulp.R(e)} ({d} ulps)");
        }
    }

    private static void Check(float[] x)
    {
        var y = new float[x.Length];
        TanhKernel.Run<float>(x, y);
        for (int i = 0; i < x.Length; i++)
        {
            float e = (float)DoubleDouble.Tanh(x[i]);
            long d = Ulp.Distance(y[i], e);
            Assert.True(d <= Ulps && (e != 0 || Ulp.SameBits(y[i], e)),
                $"tanh({x[i]:R}f) = {y[i]:R}, expected {e:R} ({d} ulps)");
        }
    }

    [Fact]
    public void Random_values_in_minus_20_to_20()
    {
        var rng = new Rng(20);
        var d = new double[40_000];
        for (int i = 0; i < d.Length; i++) d[i] = 40 * rng.NextDouble() - 20;
        Check(d);
        Check(d.Select(v => (float)v).ToArray());
    }

    [Fact]
    public void Dense_near_zero_over_every_binade()
    {
        // ±m·2^e for a spread of mantissas m in [1, 2) and every exponent from the subnormals up to 2⁰.
        var rng = new Rng(0);
        var d = new List<double>();
        for (int e = -1074; e <= 0; e++)
            for (int k = 0; k < 24; k++)
            {
                double v = Math.ScaleB(1 + rng.NextDouble(), e);
                d.Add(v); d.Add(-v);
            }
        Check(d.ToArray());
        var f = new List<float>();
        for (int e = -149; e <= 0; e++)
            for (int k = 0; k < 40; k++)
            {
                float v = MathF.ScaleB(1 + (float)rng.NextDouble(), e);
                f.Add(v); f.Add(-v);
            }
        Check(f.ToArray());
    }

    [Fact]
    public void Dense_around_the_switch_at_0_625()
    {
        var d = new List<double>();
        for (int k = -5000; k <= 5000; k++)
        {
            double v = BitConverter.Int64BitsToDouble(BitConverter.DoubleToInt64Bits(0.625) + k);
            d.Add(v); d.Add(-v);
        }
        var rng = new Rng(625);
        for (int i = 0; i < 10_000; i++) d.Add(0.55 + 0.15 * rng.NextDouble());
        Check(d.ToArray());
        var f = new List<float>();
        for (int k = -10_000; k <= 10_000; k++)
        {
            float v = BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits(0.625f) + k);
            f.Add(v); f.Add(-v);
        }
        Check(f.ToArray());
    }

    [Fact]
    public void Every_ten_thousandth_float_from_0_to_20()
    {
        int top = BitConverter.SingleToInt32Bits(20f);
        var f = new List<float>();
        for (int b = 0; b <= top; b += 9973)
        {
            float v = BitConverter.Int32BitsToSingle(b);
            f.Add(v); f.Add(-v);
        }
        Check(f.ToArray());
    }

    [Fact]
    public void Special_values()
    {
        double[] d = [0.0, -0.0, double.PositiveInfinity, double.NegativeInfinity, double.NaN, double.Epsilon, -double.Epsilon,
                      1e-300, -1e-300, 1e-8, -1e-8, 21.0, 40.0, 354, 356, 1e300, -1e300, double.MaxValue, -double.MaxValue];
        var y = new double[d.Length];
        TanhKernel.Run<double>(d, y);
        Assert.True(Ulp.SameBits(0.0, y[0]) && Ulp.SameBits(-0.0, y[1]));
        Assert.Equal([1.0, -1.0], y[2..4]);
        Assert.True(double.IsNaN(y[4]));
        Assert.Equal(d[5..11], y[5..11]);
        Assert.Equal([1.0, 1.0, 1.0, 1.0, 1.0, -1.0, 1.0, -1.0], y[11..]);
        Check(d);

        float[] f = [0f, -0f, float.PositiveInfinity, float.NegativeInfinity, float.NaN, float.Epsilon, -float.Epsilon,
                     1e-30f, -1e-30f, 1e-4f, -1e-4f, 10f, 12f, 44f, 45f, 1e30f, -1e30f, float.MaxValue, -float.MaxValue];
        var g = new float[f.Length];
        TanhKernel.Run<float>(f, g);
        Assert.True(Ulp.SameBits(0f, g[0]) && Ulp.SameBits(-0f, g[1]));
        Assert.Equal([1f, -1f], g[2..4]);
        Assert.True(float.IsNaN(g[4]));
        Assert.Equal(f[5..9], g[5..9]);
        Assert.Equal([1f, 1f, 1f, 1f, 1f, -1f, 1f, -1f], g[11..]);
        Check(f);
    }

    [Fact]
    public void In_place_equals_out_of_place()
    {
        var rng = new Rng(7);
        foreach (int n in Enumerable.Range(0, 71))
        {
            var x = Enumerable.Range(0, n).Select(_ => 4 * rng.NextDouble() - 2).ToArray();
            var y = new double[n];
            TanhKernel.Run<double>(x, y);
            TanhKernel.Run<double>(x, x);
            Assert.Equal(y, x);
        }
    }
}
