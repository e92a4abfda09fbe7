namespace AutoGrad.Examples.Plotting;

/// <summary>A function sampled on a regular grid, and its level sets traced by marching squares.</summary>
public sealed class ContourGrid
{
    private readonly double[,] _values;

    /// <summary>Samples <paramref name="f"/> at (resolution + 1)² points spanning the two ranges.</summary>
    public ContourGrid(Func<double, double, double> f, (double Min, double Max) xRange, (double Min, double Max) yRange,
        int resolution = 120)
    {
        ArgumentNullException.ThrowIfNull(f);
        ArgumentOutOfRangeException.ThrowIfLessThan(resolution, 2);
        XRange = xRange;
        YRange = yRange;
        Resolution = resolution;
        _values = new double[resolution + 1, resolution + 1];
        double min = double.PositiveInfinity, max = double.NegativeInfinity;
        for (int j = 0; j <= resolution; j++)
            for (int i = 0; i <= resolution; i++)
            {
                double v = f(X(i), Y(j));
                _values[i, j] = v;
                if (double.IsFinite(v)) { min = Math.Min(min, v); max = Math.Max(max, v); }
            }
        (Min, Max) = (min, max);
    }

    /// <summary>The sampled x range.</summary>
    public (double Min, double Max) XRange { get; }

    /// <summary>The sampled y range.</summary>
    public (double Min, double Max) YRange { get; }

    /// <summary>Cells per side.</summary>
    public int Resolution { get; }

    /// <summary>The smallest finite sample (+∞ when there is none).</summary>
    public double Min { get; }

    /// <summary>The largest finite sample (−∞ when there is none).</summary>
    public double Max { get; }

    private double X(int i) => XRange.Min + (XRange.Max - XRange.Min) * i / Resolution;
    private double Y(int j) => YRange.Min + (YRange.Max - YRange.Min) * j / Resolution;

    /// <summary>The level set f = <paramref name="level"/> as polylines in data coordinates (closed curves repeat their first point).
    /// Cells with a non-finite corner are skipped, so the curves stop there.</summary>
    public List<(double X, double Y)[]> Trace(double level)
    {
        int n = Resolution;
        // Edge ids: horizontal edge from grid point (i, j) to (i+1, j) is 2·(j(n+1)+i); vertical edge to (i, j+1) is that + 1.
        // Neighbouring cells name a shared edge by the same id, which is how segments are joined without comparing floats.
        int H(int i, int j) => 2 * (j * (n + 1) + i);
        int V(int i, int j) => 2 * (j * (n + 1) + i) + 1;
        var segments = new List<(int A, int B)>();
        var crossing = new Dictionary<int, (double X, double Y)>();

        bool Crosses(double a, double b) => (a > level) != (b > level);
        (double, double) Interpolate(double xa, double ya, double va, double xb, double yb, double vb)
        {
            double t = (level - va) / (vb - va);
            return (xa + t * (xb - xa), ya + t * (yb - ya));
        }

        Span<int> edges = stackalloc int[4];
        for (int j = 0; j < n; j++)
            for (int i = 0; i < n; i++)
            {
                double v00 = _values[i, j], v10 = _values[i + 1, j], v11 = _values[i + 1, j + 1], v01 = _values[i, j + 1];
                if (!double.IsFinite(v00) || !double.IsFinite(v10) || !double.IsFinite(v11) || !double.IsFinite(v01)) continue;
                int bottom = H(i, j), right = V(i + 1, j), top = H(i, j + 1), left = V(i, j);
                int count = 0;
                if (Crosses(v00, v10)) { edges[count++] = bottom; crossing.TryAdd(bottom, Interpolate(X(i), Y(j), v00, X(i + 1), Y(j), v10)); }
                if (Crosses(v10, v11)) { edges[count++] = right; crossing.TryAdd(right, Interpolate(X(i + 1), Y(j), v10, X(i + 1), Y(j + 1), v11)); }
                if (Crosses(v01, v11)) { edges[count++] = top; crossing.TryAdd(top, Interpolate(X(i), Y(j + 1), v01, X(i + 1), Y(j + 1), v11)); }
                if (Crosses(v00, v01)) { edges[count++] = left; crossing.TryAdd(left, Interpolate(X(i), Y(j), v00, X(i), Y(j + 1), v01)); }
                if (count == 2) segments.Add((edges[0], edges[1]));
                else if (count == 4)
                {
                    // A saddle cell: the centre value decides whether the two corners on v00's diagonal are connected.
                    double centre = 0.25 * (v00 + v10 + v11 + v01);
                    if ((centre > level) == (v00 > level)) { segments.Add((bottom, right)); segments.Add((top, left)); }
                    else { segments.Add((left, bottom)); segments.Add((right, top)); }
                }
            }

        // Join segments into polylines: every edge touches at most two segments.
        var byEdge = new Dictionary<int, List<int>>();
        for (int s = 0; s < segments.Count; s++)
        {
            foreach (int e in (ReadOnlySpan<int>)[segments[s].A, segments[s].B])
            {
                if (!byEdge.TryGetValue(e, out var list)) byEdge[e] = list = new List<int>(2);
                list.Add(s);
            }
        }
        var used = new bool[segments.Count];
        var lines = new List<(double X, double Y)[]>();

        List<int> Walk(int s, int from)
        {
            var chain = new List<int> { from };
            int at = from;
            while (true)
            {
                used[s] = true;
                int next = segments[s].A == at ? segments[s].B : segments[s].A;
                chain.Add(next);
                at = next;
                int following = -1;
                foreach (int t in byEdge[at])
                    if (!used[t]) { following = t; break; }
                if (following < 0) return chain;
                s = following;
            }
        }

        // Open curves first (they start at an edge with one segment: the grid border or a skipped cell), then closed ones.
        foreach (var (edge, list) in byEdge)
            if (list.Count == 1 && !used[list[0]])
                lines.Add([.. Walk(list[0], edge).Select(e => crossing[e])]);
        for (int s = 0; s < segments.Count; s++)
            if (!used[s])
                lines.Add([.. Walk(s, segments[s].A).Select(e => crossing[e])]);
        return lines;
    }

    /// <summary>Convenience: the level set of <paramref name="f"/> at <paramref name="level"/> over the given ranges.</summary>
    public static List<(double X, double Y)[]> Lines(Func<double, double, double> f, (double Min, double Max) xRange,
        (double Min, double Max) yRange, double level, int resolution = 120) =>
        new ContourGrid(f, xRange, yRange, resolution).Trace(level);
}
