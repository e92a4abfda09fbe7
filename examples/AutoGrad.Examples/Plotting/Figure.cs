using System.Globalization;
using System.Text;

namespace AutoGrad.Examples.Plotting;

/// <summary>
/// A 2-D plot written as SVG text: lines, markers, optimisation paths, contour lines and decision boundaries, with nice axes
/// and a legend. Every drawing method returns the figure, so calls chain.
/// </summary>
/// <example><code>
/// new Figure("Loss", "step", "loss") { LogY = true }.Line("SGD", steps, losses).Save("loss.svg");
/// </code></example>
public sealed class Figure
{
    private enum Kind { Line, Scatter, Path, Contours, Boundary, Point, HLine, VLine }

    private sealed record Item(Kind Kind, string? Label, string Color)
    {
        public IReadOnlyList<double> Xs { get; init; } = [];
        public IReadOnlyList<double> Ys { get; init; } = [];
        public bool Dashed { get; init; }
        public Func<double, double, double>? F { get; init; }
        public int Levels { get; init; }
        public bool LogSpaced { get; init; }
    }

    private const string Font = "DejaVu Sans, Helvetica, Arial, sans-serif";
    private const double TickFont = 12, LabelFont = 13, TitleFont = 16, LegendFont = 12;
    private const int MaxPathDots = 200;
    private const double LegendRow = 20;

    private readonly List<Item> _items = [];
    private int _nextColor;

    /// <summary>A figure of the given pixel size.</summary>
    public Figure(string title, string xLabel, string yLabel, int width = 720, int height = 480)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 200);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 150);
        Title = title ?? "";
        XLabel = xLabel ?? "";
        YLabel = yLabel ?? "";
        Width = width;
        Height = height;
    }

    /// <summary>The title above the plot.</summary>
    public string Title { get; }

    /// <summary>The x-axis label.</summary>
    public string XLabel { get; }

    /// <summary>The y-axis label.</summary>
    public string YLabel { get; }

    /// <summary>The width in pixels.</summary>
    public int Width { get; }

    /// <summary>The height in pixels.</summary>
    public int Height { get; }

    /// <summary>Whether the y axis is logarithmic (non-positive values are then left out).</summary>
    public bool LogY { get; set; }

    /// <summary>Whether one unit has the same length on both axes (for contour plots of functions of two like variables);
    /// ignored on a log scale.</summary>
    public bool EqualAspect { get; set; }

    /// <summary>A fixed x range; null to fit the data. Required for <see cref="Contours"/> and <see cref="Boundary"/>.</summary>
    public (double Min, double Max)? XRange { get; set; }

    /// <summary>A fixed y range; null to fit the data. Required for <see cref="Contours"/> and <see cref="Boundary"/>.</summary>
    public (double Min, double Max)? YRange { get; set; }

    private string NextColor(string? color) => color ?? Colors.Palette[_nextColor++ % Colors.Palette.Count];

    /// <summary>A line through (xs[i], ys[i]); it breaks at non-finite values.</summary>
    public Figure Line(string? label, IReadOnlyList<double> xs, IReadOnlyList<double> ys, string? color = null, bool dashed = false)
    {
        CheckLengths(xs, ys);
        _items.Add(new Item(Kind.Line, label, NextColor(color)) { Xs = xs, Ys = ys, Dashed = dashed });
        return this;
    }

    /// <summary>A circle marker at each (xs[i], ys[i]).</summary>
    public Figure Scatter(string? label, IReadOnlyList<double> xs, IReadOnlyList<double> ys, string? color = null)
    {
        CheckLengths(xs, ys);
        _items.Add(new Item(Kind.Scatter, label, NextColor(color)) { Xs = xs, Ys = ys });
        return this;
    }

    /// <summary>An optimisation path: a line with a dot at each iterate (the first 200), a hollow circle at the start and a
    /// filled square at the end.</summary>
    public Figure Path(string? label, IReadOnlyList<(double X, double Y)> points, string? color = null)
    {
        ArgumentNullException.ThrowIfNull(points);
        _items.Add(new Item(Kind.Path, label, NextColor(color))
        {
            Xs = [.. points.Select(p => p.X)],
            Ys = [.. points.Select(p => p.Y)],
        });
        return this;
    }

    /// <summary>Contour lines of <paramref name="f"/> over <see cref="XRange"/> × <see cref="YRange"/>, coloured by level
    /// (viridis, dark for low values). Use <paramref name="logSpaced"/> when the values span decades.</summary>
    public Figure Contours(Func<double, double, double> f, int levels = 15, bool logSpaced = false)
    {
        ArgumentNullException.ThrowIfNull(f);
        ArgumentOutOfRangeException.ThrowIfLessThan(levels, 1);
        _items.Add(new Item(Kind.Contours, null, "") { F = f, Levels = levels, LogSpaced = logSpaced });
        return this;
    }

    /// <summary>The zero level set of <paramref name="f"/> (a decision boundary), drawn thick.</summary>
    public Figure Boundary(Func<double, double, double> f, string? label, string? color = null)
    {
        ArgumentNullException.ThrowIfNull(f);
        _items.Add(new Item(Kind.Boundary, label, NextColor(color)) { F = f });
        return this;
    }

    /// <summary>A single star marker with its label written beside it (a minimum, a saddle point).</summary>
    public Figure Point(string? label, double x, double y, string? color = null)
    {
        _items.Add(new Item(Kind.Point, label, NextColor(color)) { Xs = [x], Ys = [y] });
        return this;
    }

    /// <summary>A dashed horizontal reference line across the plot.</summary>
    public Figure HLine(double y, string? label, string? color = null)
    {
        _items.Add(new Item(Kind.HLine, label, NextColor(color)) { Ys = [y] });
        return this;
    }

    /// <summary>A dashed vertical reference line across the plot.</summary>
    public Figure VLine(double x, string? label, string? color = null)
    {
        _items.Add(new Item(Kind.VLine, label, NextColor(color)) { Xs = [x] });
        return this;
    }

    /// <summary>Writes the figure as a UTF-8 SVG file.</summary>
    public void Save(string path) => File.WriteAllText(path, ToSvg(), new UTF8Encoding(false));

    private static void CheckLengths(IReadOnlyList<double> xs, IReadOnlyList<double> ys)
    {
        ArgumentNullException.ThrowIfNull(xs);
        ArgumentNullException.ThrowIfNull(ys);
        if (xs.Count != ys.Count)
            throw new ArgumentException($"xs has {xs.Count} values but ys has {ys.Count}.", nameof(ys));
    }

    // ---------------------------------------------------------------- rendering

    /// <summary>The figure as SVG text.</summary>
    public string ToSvg()
    {
        var (xMin, xMax) = FitRange(XRange, Kind.VLine, useX: true, log: false);
        var (yMin, yMax) = FitRange(YRange, Kind.HLine, useX: false, log: LogY);
        // Boundaries are traced once, in data coordinates: the legend placement needs them before they are drawn.
        var boundaries = _items.Where(i => i.Kind == Kind.Boundary)
            .ToDictionary(i => i, i => new ContourGrid(i.F!, (xMin, xMax), (yMin, yMax)).Trace(0));

        var legend = _items.Where(i => !string.IsNullOrEmpty(i.Label) && i.Kind != Kind.Point && i.Kind != Kind.Contours).ToList();
        double legendWidth = legend.Count == 0 ? 0 : Math.Min(52 + legend.Max(i => TextWidth(i.Label!, LegendFont)), Width * 0.4);
        double legendHeight = 10 + LegendRow * legend.Count;

        // A legend goes inside the plot, in the first corner where it covers no data, and outside on the right otherwise.
        var layout = MakeLayout(xMin, xMax, yMin, yMax, 0);
        (double X, double Y)? legendAt = null;
        if (legend.Count > 0)
        {
            var obstacles = Obstacles(layout.Xs, layout.Ys, boundaries);
            const double inset = 8;
            foreach (var (lx, ly) in (ReadOnlySpan<(double, double)>)[
                (layout.Right - inset - legendWidth, layout.Top + inset), (layout.Left + inset, layout.Top + inset),
                (layout.Right - inset - legendWidth, layout.Bottom - inset - legendHeight), (layout.Left + inset, layout.Bottom - inset - legendHeight)])
            {
                if (legendWidth < 0.45 * (layout.Right - layout.Left) && legendHeight < 0.45 * (layout.Bottom - layout.Top)
                    && !obstacles.Any(o => o.Hits(lx - 4, ly - 4, lx + legendWidth + 4, ly + legendHeight + 4)))
                {
                    legendAt = (lx, ly);
                    break;
                }
            }
            if (legendAt is null)
            {
                layout = MakeLayout(xMin, xMax, yMin, yMax, legendWidth + 28);
                legendAt = (layout.Right + 16, layout.Top);
                // A long legend beside a short plot makes the picture taller rather than run off it.
                layout = layout with { SvgHeight = Math.Max(layout.SvgHeight, (int)Math.Ceiling(layout.Top + legendHeight + 10)) };
            }
        }
        var (left, right, top, bottom, xs, ys, xTicks, yTicks, svgWidth, svgHeight) = layout;

        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture,
            $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{svgWidth}\" height=\"{svgHeight}\" viewBox=\"0 0 {svgWidth} {svgHeight}\" font-family=\"{Font}\">\n");
        string clipId = "plot-area-" + StableHash(Title + "|" + XLabel + "|" + YLabel);
        svg.Append($"<defs><clipPath id=\"{clipId}\"><rect x=\"{F(left)}\" y=\"{F(top)}\" width=\"{F(right - left)}\" height=\"{F(bottom - top)}\"/></clipPath></defs>\n");
        svg.Append($"<rect width=\"{svgWidth}\" height=\"{svgHeight}\" fill=\"white\"/>\n");

        // Grid.
        svg.Append("<g stroke-width=\"1\" fill=\"none\">\n");
        foreach (double t in yTicks.Minor) HLineSvg(svg, ys.Map(t), left, right, "#f2f2f2");
        foreach (double t in xTicks.Major) VLineSvg(svg, xs.Map(t), top, bottom, "#e3e3e3");
        foreach (double t in yTicks.Major) HLineSvg(svg, ys.Map(t), left, right, "#e3e3e3");
        svg.Append("</g>\n");

        // Data, clipped to the plot area: contours underneath, then the series in the order they were added, points on top.
        svg.Append($"<g clip-path=\"url(#{clipId})\" fill=\"none\" stroke-linejoin=\"round\" stroke-linecap=\"round\">\n");
        foreach (var item in _items.Where(i => i.Kind == Kind.Contours)) DrawContours(svg, item, xs, ys);
        foreach (var item in _items.Where(i => i.Kind is not (Kind.Contours or Kind.Point))) DrawSeries(svg, item, xs, ys, boundaries);
        svg.Append("</g>\n");
        foreach (var item in _items.Where(i => i.Kind == Kind.Point)) DrawPoint(svg, item, xs, ys, left, right, top, bottom);

        // Frame, ticks and labels.
        svg.Append($"<rect x=\"{F(left)}\" y=\"{F(top)}\" width=\"{F(right - left)}\" height=\"{F(bottom - top)}\" fill=\"none\" stroke=\"#555\" stroke-width=\"1\"/>\n");
        svg.Append("<g stroke=\"#555\" stroke-width=\"1\">\n");
        foreach (double t in xTicks.Major) VLineSvg(svg, xs.Map(t), bottom, bottom + 5, null);
        foreach (double t in yTicks.Major) HLineSvg(svg, ys.Map(t), left - 5, left, null);
        foreach (double t in yTicks.Minor) HLineSvg(svg, ys.Map(t), left - 3, left, null);
        svg.Append("</g>\n");
        svg.Append($"<g font-size=\"{F(TickFont)}\" fill=\"#333\">\n");
        foreach (double t in xTicks.Major)
            svg.Append($"<text x=\"{F(xs.Map(t))}\" y=\"{F(bottom + 19)}\" text-anchor=\"middle\">{Escape(Ticks.Format(t, Step(xTicks.Major)).Replace('-', '\u2212'))}</text>\n");
        foreach (double t in yTicks.Major)
            svg.Append($"<text x=\"{F(left - 8)}\" y=\"{F(ys.Map(t) + 4)}\" text-anchor=\"end\">{TickLabelSvg(t, LogY, Step(yTicks.Major))}</text>\n");
        svg.Append("</g>\n");
        svg.Append($"<text x=\"{F((left + right) / 2)}\" y=\"{F(bottom + 40)}\" text-anchor=\"middle\" font-size=\"{F(LabelFont)}\" fill=\"#222\">{Escape(XLabel)}</text>\n");
        svg.Append($"<text transform=\"translate(18 {F((top + bottom) / 2)}) rotate(-90)\" text-anchor=\"middle\" font-size=\"{F(LabelFont)}\" fill=\"#222\">{Escape(YLabel)}</text>\n");
        if (!string.IsNullOrEmpty(Title))
            svg.Append($"<text x=\"{F((left + right) / 2)}\" y=\"{F(top - 16)}\" text-anchor=\"middle\" font-size=\"{F(TitleFont)}\" font-weight=\"bold\" fill=\"#111\">{Escape(Title)}</text>\n");

        if (legendAt is { } at) DrawLegend(svg, legend, at.X, at.Y, legendWidth, inside: at.X < right);
        svg.Append("</svg>\n");
        return svg.ToString();
    }

    private sealed record Layout(double Left, double Right, double Top, double Bottom, Scale Xs, Scale Ys,
        (double[] Major, double[] Minor) XTicks, (double[] Major, double[] Minor) YTicks, int SvgWidth, int SvgHeight);

    /// <summary>The plot area and axes, leaving <paramref name="legendSpace"/> pixels on the right: the y tick labels decide
    /// the left margin.</summary>
    private Layout MakeLayout(double xMin, double xMax, double yMin, double yMax, double legendSpace)
    {
        int width = Width, height = Height;
        double top = string.IsNullOrEmpty(Title) ? 20 : 44, bottom = Height - 52;
        var yTicks = MakeTicks(yMin, yMax, LogY, Math.Max(2, (int)((bottom - top) / 60)));
        double yLabelWidth = yTicks.Major.Select(t => TextWidth(TickLabelPlain(t, LogY, Step(yTicks.Major)), TickFont)).DefaultIfEmpty(0).Max();
        double left = Math.Max(56, 30 + yLabelWidth + 14);
        double right = Width - Math.Max(24, legendSpace);
        if (EqualAspect && !LogY)
        {
            // One unit is as long on both axes: shrink the longer side, and the picture with it rather than leave a blank band.
            double scale = Math.Min((right - left) / (xMax - xMin), (bottom - top) / (yMax - yMin));
            double newRight = left + scale * (xMax - xMin), newBottom = top + scale * (yMax - yMin);
            width -= (int)Math.Floor(right - newRight);
            height -= (int)Math.Floor(bottom - newBottom);
            (right, bottom) = (newRight, newBottom);
        }
        var xTicks = MakeTicks(xMin, xMax, false, Math.Max(2, (int)Math.Round((right - left) / 75)));
        return new Layout(left, right, top, bottom, new Scale(xMin, xMax, left, right), new Scale(yMin, yMax, bottom, top, LogY), xTicks, yTicks, width, height);
    }

    /// <summary>A drawn segment (or point, when both ends coincide) in pixels, for keeping the legend off the data.</summary>
    private readonly record struct Obstacle(double X0, double Y0, double X1, double Y1)
    {
        /// <summary>Whether the segment meets the rectangle (Liang–Barsky clipping).</summary>
        public bool Hits(double left, double top, double right, double bottom)
        {
            double t0 = 0, t1 = 1, dx = X1 - X0, dy = Y1 - Y0;
            foreach (var (p, q) in (ReadOnlySpan<(double, double)>)[(-dx, X0 - left), (dx, right - X0), (-dy, Y0 - top), (dy, bottom - Y0)])
            {
                if (p == 0) { if (q < 0) return false; continue; }
                double r = q / p;
                if (p < 0) { if (r > t1) return false; t0 = Math.Max(t0, r); }
                else { if (r < t0) return false; t1 = Math.Min(t1, r); }
            }
            return true;
        }
    }

    private List<Obstacle> Obstacles(Scale xs, Scale ys, Dictionary<Item, List<(double X, double Y)[]>> boundaries)
    {
        var result = new List<Obstacle>();
        void AddPolyline(IReadOnlyList<double> dataX, IReadOnlyList<double> dataY, bool joined, double radius)
        {
            double lx = double.NaN, ly = double.NaN;
            for (int i = 0; i < dataX.Count; i++)
            {
                double px = xs.Map(dataX[i]), py = ys.Map(dataY[i]);
                if (double.IsNaN(px) || double.IsNaN(py)) { lx = ly = double.NaN; continue; }
                (px, py) = (Clamp(px), Clamp(py));
                if (joined && !double.IsNaN(lx)) result.Add(new Obstacle(lx, ly, px, py));
                // A marker is a small square of obstacle: its two diagonals.
                if (radius > 0)
                {
                    result.Add(new Obstacle(px - radius, py - radius, px + radius, py + radius));
                    result.Add(new Obstacle(px - radius, py + radius, px + radius, py - radius));
                }
                (lx, ly) = (px, py);
            }
        }
        foreach (var item in _items)
        {
            switch (item.Kind)
            {
                case Kind.Line: AddPolyline(item.Xs, item.Ys, true, 0); break;
                case Kind.Scatter: AddPolyline(item.Xs, item.Ys, false, 4); break;
                case Kind.Path: AddPolyline(item.Xs, item.Ys, true, 5); break;
                case Kind.Point: AddPolyline(item.Xs, item.Ys, false, 8); break;
                case Kind.HLine: AddPolyline([xs.Min, xs.Max], [item.Ys[0], item.Ys[0]], true, 0); break;
                case Kind.VLine: AddPolyline([item.Xs[0], item.Xs[0]], [ys.Min, ys.Max], true, 0); break;
                case Kind.Boundary:
                    foreach (var line in boundaries[item]) AddPolyline([.. line.Select(p => p.X)], [.. line.Select(p => p.Y)], true, 0);
                    break;
            }
        }
        return result;
    }

    private (double Min, double Max) FitRange((double Min, double Max)? fixedRange, Kind referenceKind, bool useX, bool log)
    {
        if (fixedRange is { } r)
        {
            if (!double.IsFinite(r.Min) || !double.IsFinite(r.Max) || !(r.Max > r.Min))
                throw new InvalidOperationException($"The {(useX ? "x" : "y")} range ({r.Min}, {r.Max}) must be finite with Min < Max.");
            if (log && r.Min <= 0) throw new InvalidOperationException("A log-scale range must be positive.");
            return r;
        }
        if (_items.Any(i => i.Kind is Kind.Contours or Kind.Boundary))
            throw new InvalidOperationException("Contours and Boundary need fixed XRange and YRange.");
        double min = double.PositiveInfinity, max = double.NegativeInfinity;
        foreach (var item in _items)
        {
            if (item.Kind is Kind.HLine or Kind.VLine && item.Kind != referenceKind) continue;
            foreach (double v in useX ? item.Xs : item.Ys)
                if (double.IsFinite(v) && (!log || v > 0)) { min = Math.Min(min, v); max = Math.Max(max, v); }
        }
        if (log)
        {
            if (!(min <= max)) return (1, 10);
            double lo = Math.Log10(min), hi = Math.Log10(max);
            if (hi - lo < 1e-9) { lo -= 0.5; hi += 0.5; }
            double pad = 0.04 * (hi - lo);
            return (Math.Pow(10, lo - pad), Math.Pow(10, hi + pad));
        }
        if (!(min <= max)) return (0, 1);
        if (max - min < 1e-12 * Math.Max(1, Math.Abs(max)))
        {
            double half = min == 0 ? 1 : Math.Abs(min) * 0.1;
            return (min - half, max + half);
        }
        double padding = 0.05 * (max - min);
        return (min - padding, max + padding);
    }

    private static (double[] Major, double[] Minor) MakeTicks(double min, double max, bool log, int target) =>
        log ? Ticks.Log(min, max) : (Ticks.Linear(min, max, target), []);

    private static double Step(double[] ticks) => ticks.Length > 1 ? ticks[1] - ticks[0] : 0;

    private static string TickLabelPlain(double t, bool log, double step)
    {
        if (log && t > 0)
        {
            int k = (int)Math.Round(Math.Log10(t));
            if (Math.Abs(k) >= 4 && Math.Abs(t - Math.Pow(10, k)) < 1e-9 * t) return "10" + k.ToString(CultureInfo.InvariantCulture);
            return Ticks.Format(t);
        }
        return Ticks.Format(t, step);
    }

    private static string TickLabelSvg(double t, bool log, double step)
    {
        if (log && t > 0)
        {
            int k = (int)Math.Round(Math.Log10(t));
            // Large and small powers of ten read best as 10 with a superscript exponent.
            if (Math.Abs(k) >= 4 && Math.Abs(t - Math.Pow(10, k)) < 1e-9 * t)
                return "10<tspan dy=\"-6\" font-size=\"9\">" + k.ToString(CultureInfo.InvariantCulture).Replace('-', '\u2212') + "</tspan>";
            return Escape(Ticks.Format(t).Replace('-', '\u2212'));
        }
        return Escape(Ticks.Format(t, step).Replace('-', '\u2212'));
    }

    private static void DrawSeries(StringBuilder svg, Item item, Scale xs, Scale ys, Dictionary<Item, List<(double X, double Y)[]>> boundaries)
    {
        switch (item.Kind)
        {
            case Kind.Line:
                Polylines(svg, item.Xs, item.Ys, xs, ys, item.Color, 2, item.Dashed ? "7 4" : null);
                break;
            case Kind.Scatter:
                svg.Append($"<g fill=\"{item.Color}\" fill-opacity=\"0.75\" stroke=\"{item.Color}\" stroke-width=\"1\">\n");
                for (int i = 0; i < item.Xs.Count; i++)
                {
                    double px = xs.Map(item.Xs[i]), py = ys.Map(item.Ys[i]);
                    if (double.IsNaN(px) || double.IsNaN(py)) continue;
                    svg.Append($"<circle cx=\"{F(px)}\" cy=\"{F(py)}\" r=\"3.5\"/>");
                }
                svg.Append("\n</g>\n");
                break;
            case Kind.Path:
                DrawPath(svg, item, xs, ys);
                break;
            case Kind.Boundary:
                foreach (var line in boundaries[item])
                    Polylines(svg, [.. line.Select(p => p.X)], [.. line.Select(p => p.Y)], xs, ys, item.Color, 3, null);
                break;
            case Kind.HLine:
            {
                double py = ys.Map(item.Ys[0]);
                if (!double.IsNaN(py))
                    svg.Append($"<line x1=\"{F(xs.PixelFrom)}\" y1=\"{F(py)}\" x2=\"{F(xs.PixelTo)}\" y2=\"{F(py)}\" stroke=\"{item.Color}\" stroke-width=\"1.5\" stroke-dasharray=\"6 4\"/>\n");
                break;
            }
            case Kind.VLine:
            {
                double px = xs.Map(item.Xs[0]);
                if (!double.IsNaN(px))
                    svg.Append($"<line x1=\"{F(px)}\" y1=\"{F(ys.PixelFrom)}\" x2=\"{F(px)}\" y2=\"{F(ys.PixelTo)}\" stroke=\"{item.Color}\" stroke-width=\"1.5\" stroke-dasharray=\"6 4\"/>\n");
                break;
            }
        }
    }

    private static void DrawPath(StringBuilder svg, Item item, Scale xs, Scale ys)
    {
        Polylines(svg, item.Xs, item.Ys, xs, ys, item.Color, 1.8, null);
        var shown = new List<(double X, double Y)>();
        for (int i = 0; i < item.Xs.Count; i++)
        {
            double px = xs.Map(item.Xs[i]), py = ys.Map(item.Ys[i]);
            if (!double.IsNaN(px) && !double.IsNaN(py)) shown.Add((Clamp(px), Clamp(py)));
        }
        if (shown.Count == 0) return;
        // Dots for the early iterates only: later ones pile up at the minimum and would only make the file large.
        // Dots closer than a dot's width would merge into a thick line, so those are left out too.
        svg.Append($"<g fill=\"{item.Color}\">");
        var (lastX, lastY) = shown[0];
        for (int i = 1; i < Math.Min(shown.Count - 1, MaxPathDots); i++)
        {
            if (Math.Abs(shown[i].X - lastX) < 4 && Math.Abs(shown[i].Y - lastY) < 4) continue;
            svg.Append($"<circle cx=\"{F(shown[i].X)}\" cy=\"{F(shown[i].Y)}\" r=\"2.2\"/>");
            (lastX, lastY) = shown[i];
        }
        svg.Append("</g>\n");
        var (sx, sy) = shown[0];
        svg.Append($"<circle cx=\"{F(sx)}\" cy=\"{F(sy)}\" r=\"5.5\" fill=\"white\" stroke=\"{item.Color}\" stroke-width=\"2\"/>\n");
        if (shown.Count > 1)
        {
            var (ex, ey) = shown[^1];
            svg.Append($"<rect x=\"{F(ex - 5)}\" y=\"{F(ey - 5)}\" width=\"10\" height=\"10\" fill=\"{item.Color}\" stroke=\"white\" stroke-width=\"1\"/>\n");
        }
    }

    private static void DrawContours(StringBuilder svg, Item item, Scale xs, Scale ys)
    {
        var grid = new ContourGrid(item.F!, (xs.Min, xs.Max), (ys.Min, ys.Max));
        if (!(grid.Max > grid.Min)) return;
        var levels = ContourLevels(grid.Min, grid.Max, item.Levels, item.LogSpaced);
        for (int k = 0; k < levels.Length; k++)
        {
            // The bright yellow end of viridis vanishes on white, so the scale stops short of it.
            string color = Colors.Viridis(levels.Length == 1 ? 0.4 : 0.85 * k / (levels.Length - 1));
            foreach (var line in grid.Trace(levels[k]))
                Polylines(svg, [.. line.Select(p => p.X)], [.. line.Select(p => p.Y)], xs, ys, color, 1, null, 0.9);
        }
    }

    /// <summary>Contour levels strictly between <paramref name="min"/> and <paramref name="max"/>: evenly spaced, or spaced
    /// evenly in log(f − min + δ) so that the shape near the minimum and the walls far from it are both drawn.</summary>
    public static double[] ContourLevels(double min, double max, int count, bool logSpaced)
    {
        var levels = new double[count];
        double range = max - min;
        if (!logSpaced)
        {
            for (int k = 0; k < count; k++) levels[k] = min + range * (k + 1) / (count + 1);
            return levels;
        }
        double lo = range * 1e-3, hi = range * 0.9;
        for (int k = 0; k < count; k++)
            levels[k] = min + lo * Math.Pow(hi / lo, count == 1 ? 0.5 : (double)k / (count - 1));
        return levels;
    }

    private static void DrawPoint(StringBuilder svg, Item item, Scale xs, Scale ys, double left, double right, double top, double bottom)
    {
        double px = xs.Map(item.Xs[0]), py = ys.Map(item.Ys[0]);
        if (double.IsNaN(px) || double.IsNaN(py) || px < left - 1 || px > right + 1 || py < top - 1 || py > bottom + 1) return;
        var star = new StringBuilder();
        for (int k = 0; k < 10; k++)
        {
            double r = k % 2 == 0 ? 8 : 3.4, a = -Math.PI / 2 + k * Math.PI / 5;
            star.Append(k == 0 ? "" : " ").Append(F(px + r * Math.Cos(a))).Append(',').Append(F(py + r * Math.Sin(a)));
        }
        svg.Append($"<polygon points=\"{star}\" fill=\"{item.Color}\" stroke=\"#222\" stroke-width=\"0.8\" stroke-linejoin=\"round\"/>\n");
        if (!string.IsNullOrEmpty(item.Label))
        {
            // Beside the marker, on the side with room; the white halo keeps it readable over contour lines.
            bool onLeft = px + 11 + TextWidth(item.Label, LegendFont) > right;
            double tx = onLeft ? px - 11 : px + 11, ty = py < top + 18 ? py + 18 : py - 8;
            svg.Append($"<text x=\"{F(tx)}\" y=\"{F(ty)}\" font-size=\"{F(LegendFont)}\" text-anchor=\"{(onLeft ? "end" : "start")}\" fill=\"#222\" stroke=\"white\" stroke-width=\"3\" stroke-linejoin=\"round\" paint-order=\"stroke\">{Escape(item.Label)}</text>\n");
        }
    }

    private static void DrawLegend(StringBuilder svg, List<Item> entries, double x, double top, double width, bool inside)
    {
        double rowHeight = LegendRow, height = 10 + rowHeight * entries.Count;
        svg.Append($"<g font-size=\"{F(LegendFont)}\">\n");
        svg.Append($"<rect x=\"{F(x)}\" y=\"{F(top)}\" width=\"{F(width)}\" height=\"{F(height)}\" rx=\"4\" fill=\"white\"{(inside ? " fill-opacity=\"0.85\"" : "")} stroke=\"#ccc\"/>\n");
        for (int i = 0; i < entries.Count; i++)
        {
            var e = entries[i];
            double cy = top + 5 + rowHeight * (i + 0.5), x0 = x + 8, x1 = x + 32;
            switch (e.Kind)
            {
                case Kind.Scatter:
                    svg.Append($"<circle cx=\"{F((x0 + x1) / 2)}\" cy=\"{F(cy)}\" r=\"4\" fill=\"{e.Color}\" fill-opacity=\"0.75\" stroke=\"{e.Color}\"/>\n");
                    break;
                case Kind.Path:
                    svg.Append($"<line x1=\"{F(x0)}\" y1=\"{F(cy)}\" x2=\"{F(x1)}\" y2=\"{F(cy)}\" stroke=\"{e.Color}\" stroke-width=\"1.8\"/>");
                    svg.Append($"<circle cx=\"{F(x0 + 3)}\" cy=\"{F(cy)}\" r=\"3.5\" fill=\"white\" stroke=\"{e.Color}\" stroke-width=\"1.6\"/>");
                    svg.Append($"<rect x=\"{F(x1 - 7)}\" y=\"{F(cy - 3.5)}\" width=\"7\" height=\"7\" fill=\"{e.Color}\"/>\n");
                    break;
                default:
                    double w = e.Kind == Kind.Boundary ? 3 : e.Kind is Kind.HLine or Kind.VLine ? 1.5 : 2;
                    string dash = e.Dashed || e.Kind is Kind.HLine or Kind.VLine ? " stroke-dasharray=\"6 3\"" : "";
                    svg.Append($"<line x1=\"{F(x0)}\" y1=\"{F(cy)}\" x2=\"{F(x1)}\" y2=\"{F(cy)}\" stroke=\"{e.Color}\" stroke-width=\"{F(w)}\"{dash}/>\n");
                    break;
            }
            svg.Append($"<text x=\"{F(x1 + 8)}\" y=\"{F(cy + 4)}\" fill=\"#222\">{Escape(e.Label!)}</text>\n");
        }
        svg.Append("</g>\n");
    }

    /// <summary>Draws (xs[i], ys[i]) as polylines broken wherever a point cannot be shown, dropping points that move less
    /// than half a pixel (long runs converge onto one spot).</summary>
    private static void Polylines(StringBuilder svg, IReadOnlyList<double> dataX, IReadOnlyList<double> dataY, Scale xs, Scale ys,
        string color, double width, string? dash, double opacity = 1)
    {
        var runs = new List<StringBuilder>();
        StringBuilder? run = null;
        int runLength = 0;
        double lastX = double.NaN, lastY = double.NaN;
        for (int i = 0; i < dataX.Count; i++)
        {
            double px = xs.Map(dataX[i]), py = ys.Map(dataY[i]);
            if (double.IsNaN(px) || double.IsNaN(py))
            {
                if (run is not null && runLength > 1) runs.Add(run);
                run = null;
                continue;
            }
            px = Clamp(px);
            py = Clamp(py);
            bool last = i == dataX.Count - 1;
            if (run is null) { run = new StringBuilder(); runLength = 0; }
            else if (!last && Math.Abs(px - lastX) < 0.5 && Math.Abs(py - lastY) < 0.5) continue;
            run.Append(runLength == 0 ? "" : " ").Append(F(px)).Append(',').Append(F(py));
            runLength++;
            (lastX, lastY) = (px, py);
        }
        if (run is not null && runLength > 1) runs.Add(run);
        if (runs.Count == 0) return;
        string style = $"stroke=\"{color}\" stroke-width=\"{F(width)}\"" + (dash is null ? "" : $" stroke-dasharray=\"{dash}\"")
            + (opacity < 1 ? $" stroke-opacity=\"{F(opacity)}\"" : "");
        foreach (var r in runs) svg.Append($"<polyline {style} points=\"{r}\"/>\n");
    }

    private static void HLineSvg(StringBuilder svg, double y, double x1, double x2, string? stroke)
    {
        if (double.IsNaN(y)) return;
        svg.Append($"<line x1=\"{F(x1)}\" y1=\"{F(y)}\" x2=\"{F(x2)}\" y2=\"{F(y)}\"{(stroke is null ? "" : $" stroke=\"{stroke}\"")}/>\n");
    }

    private static void VLineSvg(StringBuilder svg, double x, double y1, double y2, string? stroke)
    {
        if (double.IsNaN(x)) return;
        svg.Append($"<line x1=\"{F(x)}\" y1=\"{F(y1)}\" x2=\"{F(x)}\" y2=\"{F(y2)}\"{(stroke is null ? "" : $" stroke=\"{stroke}\"")}/>\n");
    }

    // Points far outside the plot are pulled in so coordinates stay short; the clip path hides them anyway.
    private static double Clamp(double pixel) => Math.Clamp(pixel, -20000, 20000);

    /// <summary>A pixel coordinate rounded to 0.1 px, invariant culture.</summary>
    private static string F(double v) => double.IsFinite(v) ? Math.Round(v, 1).ToString("0.#", CultureInfo.InvariantCulture) : "0";

    /// <summary>An estimate of a text's width (no font metrics here): 0.6 em per character.</summary>
    private static double TextWidth(string text, double fontSize) => 0.62 * fontSize * text.Length;

    /// <summary>Escapes text for XML content and attribute values.</summary>
    public static string Escape(string text)
    {
        var sb = new StringBuilder(text.Length);
        foreach (char c in text)
        {
            switch (c)
            {
                case '&': sb.Append("&amp;"); break;
                case '<': sb.Append("&lt;"); break;
                case '>': sb.Append("&gt;"); break;
                case '"': sb.Append("&quot;"); break;
                case '\'': sb.Append("&apos;"); break;
                default:
                    // Control characters other than tab and newline are not allowed in XML 1.0 at all.
                    if (c >= 0x20 || c is '\t' or '\n' or '\r') sb.Append(c);
                    break;
            }
        }
        return sb.ToString();
    }

    private static string StableHash(string s)
    {
        uint h = 2166136261;
        foreach (char c in s) h = (h ^ c) * 16777619;
        return h.ToString("x8", CultureInfo.InvariantCulture);
    }
}
