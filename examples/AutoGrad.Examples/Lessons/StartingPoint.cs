using System.Globalization;
using AutoGrad;
using AutoGrad.Examples.Plotting;

namespace AutoGrad.Examples;

/// <summary>
/// Lesson 5: on a non-convex function the starting point decides which minimum gradient descent finds. For
/// f(x) = x²/10 + sin(2x), which has three local minima in [−4, 4], the stationary points are located numerically
/// (sign changes of f′ on a fine grid, refined by Newton's method on f′ with f″ from the tape), then gradient descent
/// is run from many starts and each start is labelled by the minimum it reaches: the local maxima split [−4, 4] into
/// basins of attraction.
/// </summary>
public sealed class StartingPointLesson : ILesson
{
    public string Name => "starting-point";
    public int Order => 15;
    public string Summary => "gradient descent from many starts on a function with three minima: basins of attraction";

    public const double Low = -4, High = 4;
    public const double LearningRate = 0.1;

    public static Tensor F(Tensor x) => 0.1 * x.Square() + (2.0 * x).Sin();
    public static double FValue(double x) => 0.1 * x * x + Math.Sin(2 * x);

    // Starts: The starting points.
    // Ends: Where gradient descent ended from each start.
    // Basin: Index into Minima of the minimum each start reached (−1: none).
    public sealed record Result(double[] Minima, double[] Maxima, double[] Starts, double[] Ends, int[] Basin, int Iterations);

    public static Result Compute(bool quick)
    {
        var (minima, maxima) = StationaryPoints(2001);
        int count = quick ? 41 : 161;
        int iterations = quick ? 300 : 600;
        var starts = Enumerable.Range(0, count).Select(i => Low + (High - Low) * i / (count - 1)).ToArray();

        // f is applied elementwise, so the gradient of Σ f(xᵢ) holds f′(xᵢ) for every start: one tape runs all of them.
        var x = Tensor.FromArray((double[])starts.Clone());
        for (int k = 0; k < iterations; k++)
        {
            using var scope = TensorScope.Begin();
            var g = Diff.Grad(v => F(v).Sum(), x).ToArray();
            var xs = x.ToArray();
            for (int i = 0; i < xs.Length; i++) xs[i] -= LearningRate * g[i];
            x = scope.Keep(Tensor.FromArray(xs));
        }
        var ends = x.ToArray();
        var basin = ends.Select(e =>
        {
            int best = Enumerable.Range(0, minima.Length).MinBy(j => Math.Abs(minima[j] - e));
            return Math.Abs(minima[best] - e) < 1e-6 ? best : -1;
        }).ToArray();
        return new Result(minima, maxima, starts, ends, basin, iterations);
    }

    /// <summary>The local minima and maxima of f in [Low, High]: sign changes of f′ on a grid, then Newton on f′.</summary>
    public static (double[] Minima, double[] Maxima) StationaryPoints(int gridPoints)
    {
        var grid = Enumerable.Range(0, gridPoints).Select(i => Low + (High - Low) * i / (gridPoints - 1)).ToArray();
        var slope = Diff.Grad(v => F(v).Sum(), Tensor.FromArray(grid)).ToArray();
        var minima = new List<double>();
        var maxima = new List<double>();
        for (int i = 1; i < grid.Length; i++)
        {
            if (Math.Sign(slope[i - 1]) == Math.Sign(slope[i])) continue;
            double x = 0.5 * (grid[i - 1] + grid[i]);
            for (int k = 0; k < 50; k++)
            {
                var t = Tensor.FromArray([x]);
                double d1 = Diff.Grad(v => F(v).Sum(), t).Item();
                double d2 = Diff.Hessian(v => F(v).Sum(), t).Item();
                double step = d1 / d2;
                x -= step;
                if (Math.Abs(step) < 1e-15) break;
            }
            (slope[i - 1] < 0 ? minima : maxima).Add(x);
        }
        return (minima.ToArray(), maxima.ToArray());
    }

    public int Run(LessonContext context)
    {
        context.Progress?.Report(("starting points", 0));
        var r = Compute(context.Quick);
        context.Progress?.Report(("starting points", 1));
        var o = context.Out;
        o.WriteLine($"f(x) = x^2/10 + sin(2x) on [{Fm(Low)}, {Fm(High)}]; stationary points by Newton's method on f' (f'' from the tape):");
        o.WriteLine($"  local minima  {string.Join("   ", r.Minima.Select(m => $"x = {Fm(m)} (f = {Fm(FValue(m))})"))}");
        o.WriteLine($"  local maxima  {string.Join("   ", r.Maxima.Select(m => $"x = {Fm(m)} (f = {Fm(FValue(m))})"))}");
        o.WriteLine();
        o.WriteLine($"Gradient descent, eta = {Fm(LearningRate)}, {r.Iterations} steps, from {r.Starts.Length} evenly spaced starts:");
        o.WriteLine("  starts in               reach minimum   starts");
        int begin = 0;
        for (int i = 1; i <= r.Starts.Length; i++)
        {
            if (i < r.Starts.Length && r.Basin[i] == r.Basin[begin]) continue;
            string target = r.Basin[begin] >= 0 ? $"x = {Fm(r.Minima[r.Basin[begin]])}" : "(none)";
            o.WriteLine($"  [{Fm(r.Starts[begin]),7}, {Fm(r.Starts[i - 1]),7}]   {target,15}   {i - begin,6}");
            begin = i;
        }
        int lost = r.Basin.Count(b => b < 0);
        o.WriteLine();
        o.WriteLine($"Conclusion: every start ended at one of the {r.Minima.Length} minima ({lost} did not); the basins are separated by the " +
                    $"local maxima at {string.Join(", ", r.Maxima.Select(Fm))}, and only the starts in the basin of x = {Fm(r.Minima.MinBy(FValue))} find the global minimum.");

        string path = context.PathOf("starting-point.svg");
        var xs = Enumerable.Range(0, 401).Select(i => Low + (High - Low) * i / 400.0).ToArray();
        var fig = new Figure("Which minimum gradient descent reaches from each start", "x", "f(x)", width: 720, height: 480)
            .Line("f(x) = x^2/10 + sin(2x)", xs, xs.Select(FValue).ToArray(), color: "#333333");
        string[] colors = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e"];
        for (int j = 0; j < r.Minima.Length; j++)
        {
            var idx = Enumerable.Range(0, r.Starts.Length).Where(i => r.Basin[i] == j).ToArray();
            string color = colors[j % colors.Length];
            if (idx.Length > 0)
                fig.Scatter($"starts reaching x = {Fm(r.Minima[j])}", idx.Select(i => r.Starts[i]).ToArray(), idx.Select(i => FValue(r.Starts[i])).ToArray(), color);
            fig.Point($"minimum {Fm(r.Minima[j])}", r.Minima[j], FValue(r.Minima[j]), color);
        }
        foreach (double m in r.Maxima) fig.VLine(m, $"local max {Fm(m)}");
        fig.Save(path);
        o.WriteLine($"Plot: {path}");
        return lost == 0 ? 0 : 1;
    }

    private static string Fm(double v) => v.ToString("F3", CultureInfo.InvariantCulture);
}
