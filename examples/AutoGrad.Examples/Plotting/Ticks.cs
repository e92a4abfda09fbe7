using System.Globalization;

namespace AutoGrad.Examples.Plotting;

/// <summary>Tick positions and labels: 1, 2, 5 × 10^k steps on linear axes, powers of ten on log axes.</summary>
public static class Ticks
{
    /// <summary>The nice step (1, 2 or 5 × 10^k) that gives about <paramref name="target"/> intervals over <paramref name="span"/>.</summary>
    public static double NiceStep(double span, int target)
    {
        if (!(span > 0) || double.IsInfinity(span)) return 1;
        double raw = span / Math.Max(1, target);
        double magnitude = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        double fraction = raw / magnitude;
        double nice = fraction < 1.5 ? 1 : fraction < 3 ? 2 : fraction < 7 ? 5 : 10;
        return nice * magnitude;
    }

    /// <summary>Multiples of a nice step inside [min, max], about <paramref name="target"/> intervals apart.</summary>
    public static double[] Linear(double min, double max, int target = 6)
    {
        if (!double.IsFinite(min) || !double.IsFinite(max) || !(max > min)) return [];
        double step = NiceStep(max - min, target);
        // A little slack so a tick that sits on the boundary up to rounding is kept.
        double eps = step * 1e-9;
        long first = (long)Math.Ceiling((min - eps) / step), last = (long)Math.Floor((max + eps) / step);
        var ticks = new List<double>();
        for (long k = first; k <= last; k++)
        {
            double v = k * step;
            ticks.Add(Math.Abs(v) < eps ? 0 : v);
        }
        return [.. ticks];
    }

    /// <summary>Log-axis ticks in [min, max] (both positive): major ticks at powers of ten (every few decades when there are
    /// many), minor ticks at 2..9 × 10^k (when the axis spans few enough decades for them to be seen).</summary>
    public static (double[] Major, double[] Minor) Log(double min, double max)
    {
        if (!(min > 0) || !double.IsFinite(max) || !(max > min)) return ([], []);
        double lo = Math.Log10(min), hi = Math.Log10(max);
        int kFirst = (int)Math.Ceiling(lo - 1e-9), kLast = (int)Math.Floor(hi + 1e-9);
        int decades = kLast - kFirst + 1;
        int every = decades <= 8 ? 1 : decades <= 16 ? 2 : decades <= 30 ? 5 : (int)Math.Ceiling(decades / 6.0);
        var major = new List<double>();
        for (int k = kFirst; k <= kLast; k++)
            if (((k % every) + every) % every == 0) major.Add(Math.Pow(10, k));
        var minor = new List<double>();
        // Unlabelled powers of ten still get a tick, so the decades can be counted.
        if (every > 1)
            for (int k = kFirst; k <= kLast; k++)
                if (((k % every) + every) % every != 0) minor.Add(Math.Pow(10, k));
        if (hi - lo <= 10)
        {
            for (int k = (int)Math.Floor(lo); k <= (int)Math.Ceiling(hi); k++)
                for (int m = 2; m <= 9; m++)
                {
                    double v = m * Math.Pow(10, k);
                    if (v >= min && v <= max) minor.Add(v);
                }
            // Within less than a decade the powers of ten alone say too little: label the minor values instead.
            if (major.Count < 2)
            {
                double[] all = [.. major, .. minor];
                Array.Sort(all);
                return (all, []);
            }
        }
        return ([.. major], [.. minor]);
    }

    /// <summary>A compact, culture-independent tick label ("0.3", not "0.30000000000000004").</summary>
    public static string Format(double value)
    {
        if (!double.IsFinite(value)) return "";
        if (value == 0) return "0";
        return Exponent(value.ToString("G4", CultureInfo.InvariantCulture));
    }

    /// <summary>A tick label with just enough digits to tell ticks <paramref name="step"/> apart ("1000020", not "1E+06"
    /// on an axis from 10⁶ to 10⁶ + 40; "0.25" on a 0.05 step; "2e+07" far from 1).</summary>
    public static string Format(double value, double step)
    {
        if (!double.IsFinite(value)) return "";
        if (!(step > 0) || !double.IsFinite(step)) return Format(value);
        if (Math.Abs(value) < 1e-9 * step) return "0";
        int k = (int)Math.Floor(Math.Log10(step) + 1e-9);
        int magnitude = (int)Math.Floor(Math.Log10(Math.Max(Math.Abs(value), step)) + 1e-9);
        if (magnitude >= 7 || magnitude < -4)
        {
            int significant = Math.Clamp(magnitude - k + 1, 1, 15);
            return Exponent(value.ToString("G" + significant.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture));
        }
        return value.ToString("F" + Math.Max(0, -k).ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
    }

    // "1E+07" and "1E-05" read better as "1e7" and "1e-5".
    private static string Exponent(string s)
    {
        int e = s.IndexOf('E', StringComparison.Ordinal);
        if (e < 0) return s;
        string mantissa = s[..e], sign = s[e + 1] == '-' ? "-" : "";
        string digits = s[(e + 2)..].TrimStart('0');
        return mantissa + "e" + sign + (digits.Length == 0 ? "0" : digits);
    }
}
