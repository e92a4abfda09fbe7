using System.Globalization;

namespace AutoGrad.Examples.Plotting;

/// <summary>The colours of the plots: the Okabe–Ito palette for series and viridis for contour levels.</summary>
public static class Colors
{
    /// <summary>Okabe–Ito, distinguishable with the common colour-vision deficiencies; yellow last because it is faint on white.</summary>
    public static IReadOnlyList<string> Palette { get; } =
        ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442"];

    // Viridis sampled at nine points; linear interpolation between them is indistinguishable from the full table at line widths.
    private static readonly (double R, double G, double B)[] ViridisStops =
    [
        (68, 1, 84), (71, 44, 122), (59, 81, 139), (44, 113, 142), (33, 144, 141),
        (39, 173, 129), (92, 200, 99), (170, 220, 50), (253, 231, 37),
    ];

    /// <summary>Viridis at <paramref name="t"/> in [0, 1] (dark purple to yellow), as "#rrggbb".</summary>
    public static string Viridis(double t)
    {
        t = double.IsFinite(t) ? Math.Clamp(t, 0, 1) : 0;
        double s = t * (ViridisStops.Length - 1);
        int i = Math.Min((int)s, ViridisStops.Length - 2);
        double f = s - i;
        var (a, b) = (ViridisStops[i], ViridisStops[i + 1]);
        static int C(double x) => (int)Math.Round(Math.Clamp(x, 0, 255));
        return string.Create(CultureInfo.InvariantCulture,
            $"#{C(a.R + f * (b.R - a.R)):x2}{C(a.G + f * (b.G - a.G)):x2}{C(a.B + f * (b.B - a.B)):x2}");
    }
}
