using System.Globalization;
using System.Xml.Linq;
using AutoGrad.Examples.Plotting;

namespace AutoGrad.Tests.Examples;

public class PlottingTests
{
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    private static XDocument Parse(Figure fig) => XDocument.Parse(fig.ToSvg());

    private static Figure AllKinds()
    {
        double[] xs = [0, 1, 2, 3, 4];
        double[] ys = [1, 3, 2, 5, 4];
        return new Figure("All", "x", "y") { XRange = (-1, 5), YRange = (-1, 6) }
            .Line("line", xs, ys).Line("dashed", xs, ys, dashed: true).Scatter("dots", xs, ys)
            .Path("path", [(0, 0), (1, 1), (2, 1.5), (3, 1.7)]).Contours((x, y) => x * x + y * y, levels: 5)
            .Contours((x, y) => x * x + y * y + 1, levels: 5, logSpaced: true)
            .Boundary((x, y) => x - y, "boundary").Point("min", 0, 0).HLine(2, "h").VLine(1, "v");
    }

    [Fact]
    public void Output_IsSvgXml_WithEveryKindOfElement()
    {
        var doc = Parse(AllKinds());
        Assert.Equal(Svg + "svg", doc.Root!.Name);
        Assert.NotEmpty(doc.Descendants(Svg + "clipPath"));
        Assert.NotEmpty(doc.Descendants(Svg + "polyline"));
        Assert.NotEmpty(doc.Descendants(Svg + "circle"));
        Assert.NotEmpty(doc.Descendants(Svg + "polygon"));
        Assert.Contains(doc.Descendants(Svg + "text"), t => t.Value == "boundary");
    }

    [Fact]
    public void Fluent_MethodsReturnTheSameFigure()
    {
        var fig = new Figure("t", "x", "y");
        Assert.Same(fig, fig.Line("a", [0.0, 1], [0.0, 1]));
        Assert.Same(fig, fig.Point(null, 0, 0));
        Assert.Same(fig, fig.HLine(0.5, ""));
    }

    [Fact]
    public void Text_IsXmlEscaped()
    {
        var fig = new Figure("a<b&c", "x \"quoted\"", "y'").Line("<series & co>", [0.0, 1], [1.0, 2]);
        string svg = fig.ToSvg();
        Assert.Contains("a&lt;b&amp;c", svg);
        var doc = XDocument.Parse(svg);
        Assert.Contains(doc.Descendants(Svg + "text"), t => t.Value == "a<b&c");
        Assert.Contains(doc.Descendants(Svg + "text"), t => t.Value == "<series & co>");
    }

    [Fact]
    public void NonFiniteValues_AreSkipped_AndTheLineBreaks()
    {
        double[] xs = [0, 1, 2, 3, 4, 5, 6];
        double[] ys = [1, 2, double.NaN, 3, double.PositiveInfinity, 4, double.NegativeInfinity];
        var fig = new Figure("diverging", "step", "loss").Line("run", xs, ys).Scatter("pts", xs, ys).Path("p", [(0, 0), (double.NaN, 1), (2, 2)]);
        string svg = fig.ToSvg();
        Assert.DoesNotContain("NaN", svg);
        Assert.DoesNotContain("Infinity", svg);
        Assert.DoesNotContain("∞", svg);
        var doc = XDocument.Parse(svg);
        // The line is cut at the NaN and at +∞: (0,1)-(1,2) and (3,3), and (5,4) are the finite runs; runs of one point are not drawn.
        var solid = doc.Descendants(Svg + "polyline").Where(p => p.Attribute("stroke-dasharray") is null).ToList();
        Assert.Contains(solid, p => p.Attribute("points")!.Value.Split(' ').Length == 2);
    }

    [Fact]
    public void LogScale_SkipsNonPositiveValues()
    {
        var fig = new Figure("log", "x", "y") { LogY = true }.Line("l", [0.0, 1, 2, 3], [0.0, -1, 10, 1000]);
        string svg = fig.ToSvg();
        Assert.DoesNotContain("NaN", svg);
        XDocument.Parse(svg);
    }

    [Theory]
    [InlineData(0.0, 1.0)]
    [InlineData(-3.7, 12.2)]
    [InlineData(0.1, 0.3)]
    [InlineData(1e6, 1e6 + 37)]
    [InlineData(-0.004, -0.001)]
    public void LinearTicks_AreNiceAndCoverTheRange(double min, double max)
    {
        var ticks = Ticks.Linear(min, max, 6);
        Assert.InRange(ticks.Length, 3, 12);
        double step = ticks[1] - ticks[0];
        double magnitude = Math.Pow(10, Math.Floor(Math.Log10(step) + 1e-9));
        double mantissa = step / magnitude;
        Assert.Contains([1.0, 2.0, 5.0, 10.0], m => Math.Abs(m - mantissa) < 1e-6);
        foreach (double t in ticks)
        {
            Assert.InRange(t, min - 1e-9 * Math.Abs(step), max + 1e-9 * Math.Abs(step));
            double k = t / step;
            Assert.True(Math.Abs(k - Math.Round(k)) < 1e-6, $"{t} is not a multiple of {step}");
        }
        Assert.True(ticks[0] - min <= step + 1e-12 && max - ticks[^1] <= step + 1e-12, "ticks leave a gap of more than one step");
    }

    [Fact]
    public void TickLabels_AreCompact_AndCultureInvariant()
    {
        var old = CultureInfo.CurrentCulture;
        try
        {
            CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo("de-DE");
            Assert.Equal("0.3", Ticks.Format(0.1 + 0.2));
            Assert.Equal("0.3", Ticks.Format(0.1 + 0.2, 0.1));
            Assert.Equal("1.5", Ticks.Format(1.5, 0.5));
            Assert.Equal(["0", "0.1", "0.2", "0.3"], Ticks.Linear(0, 0.3, 3).Select(t => Ticks.Format(t)));
            string svg = new Figure("t", "x", "y").Line("a", [0.0, 0.3], [0.0, 0.7]).ToSvg();
            Assert.DoesNotContain("0000000", svg);
            Assert.DoesNotContain("0,", svg.Replace("points=", ""), StringComparison.Ordinal);
        }
        finally { CultureInfo.CurrentCulture = old; }
    }

    [Theory]
    [InlineData(1e6, 1e6 + 37)]
    [InlineData(0.1, 0.3)]
    [InlineData(-2e-6, 3e-6)]
    [InlineData(0, 5e8)]
    public void TickLabels_TellTheTicksApart(double min, double max)
    {
        var ticks = Ticks.Linear(min, max, 6);
        var labels = ticks.Select(t => Ticks.Format(t, ticks[1] - ticks[0])).ToList();
        Assert.Equal(labels.Count, labels.Distinct().Count());
        Assert.All(labels, l => Assert.True(l.Length <= 8, l));
        Assert.All(ticks.Zip(labels), p => Assert.Equal(p.First, double.Parse(p.Second, CultureInfo.InvariantCulture), 1e-9 * Math.Max(1, max)));
    }

    [Fact]
    public void LogTicks_ArePowersOfTen_WithMinorTicks()
    {
        var (major, minor) = Ticks.Log(0.5, 2000);
        Assert.Equal([1.0, 10, 100, 1000], major);
        Assert.Contains(2.0, minor);
        Assert.Contains(900.0, minor, new ToleranceComparer());
        Assert.All(minor, m => Assert.InRange(m, 0.5, 2000));
    }

    [Fact]
    public void LogTicks_OverManyDecades_LabelEveryFewAndTickTheRest()
    {
        var (major, minor) = Ticks.Log(1e-30, 10);
        Assert.InRange(major.Length, 3, 8);
        Assert.All(major, m => Assert.Equal(Math.Round(Math.Log10(m)), Math.Log10(m), 9));
        Assert.Equal(32, major.Length + minor.Length); // one tick per decade, 1e-30 … 1e1
    }

    [Fact]
    public void LogScale_MapsPowersOfTenToEquallySpacedPixels()
    {
        var scale = new Scale(1, 1000, 400, 40, Log: true);
        double p1 = scale.Map(1), p10 = scale.Map(10), p100 = scale.Map(100);
        Assert.Equal(p10 - p1, p100 - p10, 9);
        Assert.Equal(400, p1, 9);
        Assert.True(double.IsNaN(scale.Map(0)) && double.IsNaN(scale.Map(-1)));
    }

    [Fact]
    public void Contour_OfSquaredRadius_IsACircle()
    {
        const double r = 1.5;
        var lines = ContourGrid.Lines((x, y) => x * x + y * y, (-2, 2), (-2, 2), r * r, resolution: 120);
        Assert.Single(lines);
        var circle = lines[0];
        Assert.True(circle.Length > 100);
        Assert.Equal(circle[0], circle[^1]); // closed
        double cell = 4.0 / 120;
        foreach (var (x, y) in circle)
            Assert.InRange(Math.Sqrt(x * x + y * y), r - cell, r + cell);
        // It goes all the way round.
        Assert.Contains(circle, p => p.X > r - cell);
        Assert.Contains(circle, p => p.X < -r + cell);
    }

    [Fact]
    public void Contour_CutByTheGridBorder_IsOpen()
    {
        var lines = ContourGrid.Lines((x, y) => x * x + y * y, (0, 2), (0, 2), 1, resolution: 50);
        var arc = Assert.Single(lines);
        Assert.NotEqual(arc[0], arc[^1]);
        Assert.All(arc, p => Assert.InRange(Math.Sqrt(p.X * p.X + p.Y * p.Y), 1 - 0.04, 1 + 0.04));
    }

    [Fact]
    public void ContourLevels_LogSpaced_AreGeometricAboveTheMinimum()
    {
        var levels = Figure.ContourLevels(10, 1010, 4, logSpaced: true);
        var ratios = levels.Zip(levels.Skip(1), (a, b) => (b - 10) / (a - 10)).ToList();
        Assert.All(ratios, q => Assert.Equal(ratios[0], q, 9));
        Assert.All(levels, l => Assert.InRange(l, 10, 1010));
    }

    [Fact]
    public void Contours_WithoutFixedRanges_Throw()
    {
        var fig = new Figure("t", "x", "y").Contours((x, y) => x);
        Assert.Throws<InvalidOperationException>(() => fig.ToSvg());
    }

    [Fact]
    public void LongPaths_StaySmall()
    {
        var points = Enumerable.Range(0, 20000).Select(i => (Math.Cos(i * 1e-3) * Math.Exp(-i * 1e-4), Math.Sin(i * 1e-3) * Math.Exp(-i * 1e-4))).ToList();
        string svg = new Figure("long", "x", "y").Path("run", points).ToSvg();
        Assert.True(svg.Length < 150_000, $"{svg.Length} characters");
        Assert.InRange(XDocument.Parse(svg).Descendants(Svg + "circle").Count(), 10, 201);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Legend_DoesNotCoverData(bool crowded)
    {
        // A dense rising line leaves the top-left and bottom-right corners free; with noise everywhere no corner is.
        var rng = new Random(3);
        var xs = Enumerable.Range(0, 500).Select(i => i / 499.0).ToArray();
        var ys = xs.Select(x => crowded ? rng.NextDouble() : x).ToArray();
        var doc = Parse(new Figure("t", "x", "y").Line("a long series name", xs, ys).Line("another", [0.0, 1], [0.4, 0.6]));
        double Attr(XElement e, string n) => double.Parse(e.Attribute(n)!.Value, CultureInfo.InvariantCulture);
        var legend = doc.Descendants(Svg + "rect").First(r => r.Attribute("stroke")?.Value == "#ccc");
        double lx = Attr(legend, "x"), ly = Attr(legend, "y"), lw = Attr(legend, "width"), lh = Attr(legend, "height");
        var vertices = doc.Descendants(Svg + "polyline").SelectMany(p => p.Attribute("points")!.Value.Split(' '))
            .Select(pt => pt.Split(',').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray()).ToList();
        Assert.True(vertices.Count > 100);
        Assert.DoesNotContain(vertices, v => v[0] >= lx && v[0] <= lx + lw && v[1] >= ly && v[1] <= ly + lh);
        var frame = doc.Root!.Elements(Svg + "rect").First(r => r.Attribute("stroke")?.Value == "#555");
        bool outside = lx > Attr(frame, "x") + Attr(frame, "width");
        Assert.Equal(crowded, outside);
    }

    [Fact]
    public void Save_WritesUtf8WithoutBom()
    {
        string path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"plot-{Guid.NewGuid():N}.svg");
        try
        {
            new Figure("η → 0", "x", "y").Line("a", [0.0, 1], [0.0, 1]).Save(path);
            byte[] bytes = File.ReadAllBytes(path);
            Assert.Equal((byte)'<', bytes[0]);
            Assert.Contains("η → 0", File.ReadAllText(path));
        }
        finally { File.Delete(path); }
    }

    private sealed class ToleranceComparer : IEqualityComparer<double>
    {
        public bool Equals(double a, double b) => Math.Abs(a - b) <= 1e-9 * Math.Max(1, Math.Abs(a));
        public int GetHashCode(double obj) => 0;
    }
}
