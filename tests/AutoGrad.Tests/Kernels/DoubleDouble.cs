namespace AutoGrad.Tests.Kernels;

/// <summary>
/// Double-double arithmetic (an unevaluated sum hi + lo, about 106 bits), enough for reference values
/// that are exact to well under an ulp of a double. Dekker's and Knuth's error-free transformations.
/// </summary>
public readonly record struct DoubleDouble(double Hi, double Lo)
{
    public static implicit operator DoubleDouble(double v) => new(v, 0);

    /// <summary>a + b exactly, as hi + lo (Knuth's TwoSum).</summary>
    public static DoubleDouble TwoSum(double a, double b)
    {
        double s = a + b, bb = s - a;
        return new(s, (a - (s - bb)) + (b - bb));
    }

    private static DoubleDouble QuickTwoSum(double a, double b)
    {
        double s = a + b;
        return new(s, b - (s - a));
    }

    public static DoubleDouble operator +(DoubleDouble a, DoubleDouble b)
    {
        var s = TwoSum(a.Hi, b.Hi);
        var t = TwoSum(a.Lo, b.Lo);
        var u = QuickTwoSum(s.Hi, s.Lo + t.Hi);
        return QuickTwoSum(u.Hi, u.Lo + t.Lo);
    }

    public static DoubleDouble operator -(DoubleDouble a) => new(-a.Hi, -a.Lo);

    public static DoubleDouble operator -(DoubleDouble a, DoubleDouble b) => a + -b;

    public static DoubleDouble operator *(DoubleDouble a, DoubleDouble b)
    {
        double p = a.Hi * b.Hi;
        double e = Math.FusedMultiplyAdd(a.Hi, b.Hi, -p) + (a.Hi * b.Lo + a.Lo * b.Hi);
        return QuickTwoSum(p, e);
    }

    public static DoubleDouble operator /(DoubleDouble a, DoubleDouble b)
    {
        double q1 = a.Hi / b.Hi;
        var r = a - b * q1;
        double q2 = r.Hi / b.Hi;
        r -= b * q2;
        double q3 = r.Hi / b.Hi;
        return QuickTwoSum(q1, q2) + q3;
    }

    /// <summary>The value rounded to the nearest double.</summary>
    public double ToDouble() => Hi + Lo;

    /// <summary>ln 2 to double-double precision.</summary>
    public static readonly DoubleDouble Ln2 = new(0.6931471805599453094, 2.319046813846299558e-17);

    /// <summary>
    /// ln(1 + x) for x &gt; −1 to about 100 bits: 1 + x is formed exactly, scaled by 2⁻ᵏ into [0.75, 1.5),
    /// and ln(m) = 2·atanh((m − 1)/(m + 1)) is summed as a series in z² ≤ 1/25.
    /// </summary>
    public static double Log1p(double x)
    {
        if (double.IsNaN(x) || x < -1) return double.NaN;
        if (x == -1) return double.NegativeInfinity;
        if (double.IsPositiveInfinity(x)) return x;
        // Below 2⁻⁵³ the correctly rounded ln(1 + x) = x − x²/2 + … is x itself (x²/2 is under half an ulp of x).
        if (Math.Abs(x) < 1.1102230246251565e-16) return x;
        var u = TwoSum(1, x);
        int k = 0;
        // 1 + x may be huge: scale its hi part into [0.75, 1.5) by a power of two (exact in both parts).
        while (u.Hi >= 1.5) { u = new(u.Hi * 0.5, u.Lo * 0.5); k++; }
        while (u.Hi < 0.75) { u = new(u.Hi * 2, u.Lo * 2); k--; }
        var f = u - 1.0;
        var z = f / (u + 1.0);
        var z2 = z * z;
        DoubleDouble sum = 0, term = z;
        for (int n = 1; n < 80; n += 2)
        {
            var add = term / (double)n;
            sum += add;
            if (Math.Abs(add.Hi) < 1e-40 * Math.Abs(sum.Hi) || add.Hi == 0) break;
            term *= z2;
        }
        var r = sum * 2.0 + Ln2 * (double)k;
        return r.ToDouble();
    }

    /// <summary>
    /// tanh x to about 100 bits as sinh/cosh, both summed as their Taylor series, whose terms are all positive for
    /// x &gt; 0 so nothing cancels; beyond 20 the correctly rounded result is ±1 (1 − tanh 20 ≈ 8e−18 is under half an ulp).
    /// </summary>
    public static double Tanh(double x)
    {
        if (double.IsNaN(x)) return x;
        if (x == 0) return x;
        double a = Math.Abs(x);
        if (a > 20) return Math.CopySign(1, x);
        DoubleDouble s = a, c = 1, term = a, a2 = (DoubleDouble)a * a;
        for (int n = 1; n < 200; n++)
        {
            // term = aⁿ/n! alternately feeds cosh (even n) and sinh (odd n).
            term = term * a2 / ((double)(2 * n) * (2 * n + 1));
            var even = term * (2 * n + 1) / a;
            c += even;
            s += term;
            if (term.Hi < 1e-36 * s.Hi && even.Hi < 1e-36 * c.Hi) break;
        }
        return Math.CopySign((s / c).ToDouble(), x);
    }
}
