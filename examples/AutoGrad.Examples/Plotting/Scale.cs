namespace AutoGrad.Examples.Plotting;

/// <summary>Maps data values on one axis to pixels, linearly or logarithmically.</summary>
/// <param name="Min">The data value at <paramref name="PixelFrom"/>.</param>
/// <param name="Max">The data value at <paramref name="PixelTo"/>.</param>
/// <param name="PixelFrom">The pixel coordinate of <paramref name="Min"/>.</param>
/// <param name="PixelTo">The pixel coordinate of <paramref name="Max"/> (smaller than PixelFrom on a y axis).</param>
/// <param name="Log">Whether values are placed by their base-10 logarithm.</param>
public readonly record struct Scale(double Min, double Max, double PixelFrom, double PixelTo, bool Log = false)
{
    /// <summary>The pixel coordinate of <paramref name="value"/>; NaN when it cannot be shown (non-finite, or not positive on a log axis).</summary>
    public double Map(double value)
    {
        if (!double.IsFinite(value) || (Log && value <= 0)) return double.NaN;
        double t = Log
            ? (Math.Log10(value) - Math.Log10(Min)) / (Math.Log10(Max) - Math.Log10(Min))
            : (value - Min) / (Max - Min);
        return PixelFrom + t * (PixelTo - PixelFrom);
    }

    /// <summary>The data value at a pixel coordinate.</summary>
    public double Invert(double pixel)
    {
        double t = (pixel - PixelFrom) / (PixelTo - PixelFrom);
        return Log ? Math.Pow(10, Math.Log10(Min) + t * (Math.Log10(Max) - Math.Log10(Min))) : Min + t * (Max - Min);
    }
}
