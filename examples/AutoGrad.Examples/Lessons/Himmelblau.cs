using System.Globalization;
using AutoGrad;
using AutoGrad.Examples.Plotting;
using AutoGrad.Optim;

namespace AutoGrad.Examples;

/// <summary>
/// Lesson 7: Himmelblau's function f(x, y) = (x² + y − 11)² + (x + y² − 7)², which has four minima of value 0 (and a
/// maximum and four saddles between them). Gradient descent, momentum, RMSProp, Adam and Newton start from the same point;
/// the lesson prints which minimum each reaches and in how many iterations, and plots their paths on log-spaced contours.
/// </summary>
public sealed class HimmelblauLesson : ILesson
{
    public string Name => "himmelblau";
    public int Order => 17;
    public string Summary => "five optimizers from one start on Himmelblau's function: which of the four minima each finds";

    /// <summary>The four minima, all with f = 0 (the last three to the digits usually quoted).</summary>
    public static IReadOnlyList<(double X, double Y)> Minima { get; } =
        [(3.0, 2.0), (-2.805118, 3.131312), (-3.779310, -3.283186), (3.584428, -1.848126)];

    /// <summary>Where every method starts: on the slope of the central maximum (−0.27, −0.92), where f is still concave and
    /// the valleys towards M1 and M4 part, so that the methods' different step rules send them different ways.</summary>
    public static (double X, double Y) Start { get; } = (0.0, -1.0);

    /// <summary>One method's run.</summary>
    /// <param name="Method">Its name and settings.</param>
    /// <param name="Path">Every iterate, from the start.</param>
    /// <param name="Iterations">The optimizer steps taken.</param>
    /// <param name="Reason">Why Minimize stopped.</param>
    /// <param name="MinimumIndex">The index in <see cref="Minima"/> of the nearest minimum.</param>
    /// <param name="Distance">The distance from the last iterate to that minimum.</param>
    /// <param name="Value">f at the last iterate.</param>
    /// <param name="HessianEigenvalues">The Hessian's eigenvalues at the last iterate, ascending: both positive at a minimum.</param>
    public sealed record MethodRun(string Method, IReadOnlyList<(double X, double Y)> Path, int Iterations, StopReason Reason,
        int MinimumIndex, double Distance, double Value, double[] HessianEigenvalues);

    /// <summary>Plain Newton iteration x ← x − H⁻¹∇f, without damping or line search, from the same start.</summary>
    /// <param name="Path">Every iterate.</param>
    /// <param name="End">The last iterate.</param>
    /// <param name="GradientNorm">‖∇f‖ there: about 0 when it converged to a stationary point.</param>
    /// <param name="HessianEigenvalues">The Hessian's eigenvalues there, ascending; their signs classify the point.</param>
    /// <param name="Kind">"minimum", "saddle" or "maximum".</param>
    public sealed record PureNewtonRun(IReadOnlyList<(double X, double Y)> Path, (double X, double Y) End, double GradientNorm, double[] HessianEigenvalues, string Kind);

    /// <summary>What the lesson computed.</summary>
    /// <param name="Runs">The five optimizers through Minimizer.Minimize.</param>
    /// <param name="StartEigenvalues">The Hessian's eigenvalues at the start, ascending.</param>
    /// <param name="PureNewton">Undamped Newton from the same start.</param>
    public sealed record Result(IReadOnlyList<MethodRun> Runs, double[] StartEigenvalues, PureNewtonRun PureNewton);

    public static Tensor F(Tensor p)
    {
        var x = p[0];
        var y = p[1];
        return (x * x + y - 11).Square() + (x + y * y - 7).Square();
    }

    public static double F(double x, double y) => Math.Pow(x * x + y - 11, 2) + Math.Pow(x + y * y - 7, 2);

    public static Result Compute(bool quick, IProgress<(string Task, double Fraction)>? progress = null, (double X, double Y)? start = null)
    {
        var s0 = start ?? Start;
        // Every method converges well within these budgets; quick mode changes nothing but the contour plot's resolution,
        // because the runs themselves take milliseconds.
        var methods = new (string Name, Func<Tensor, Optimizer> Make)[]
        {
            ("GD (η = 0.01)", x => new GradientDescent([x], 0.01)),
            ("momentum (η = 0.002, β = 0.9)", x => new Sgd([x], new SgdOptions(0.002, momentum: 0.9))),
            ("RMSProp (η = 0.01)", x => new RmsProp([x], new RmsPropOptions(learningRate: 0.01))),
            ("Adam (η = 0.1)", x => new Adam([x], new AdamOptions(learningRate: 0.1))),
            ("Newton (damped, line search)", x => new Newton([x])),
        };
        var options = new MinimizeOptions { MaxIterations = 20000, GradientTolerance = 1e-7, RecordIterates = true };
        var runs = new List<MethodRun>();
        for (int m = 0; m < methods.Length; m++)
        {
            progress?.Report(("himmelblau: " + methods[m].Name, m / (double)methods.Length));
            var x = Tensor.FromArray([s0.X, s0.Y]).RequireGrad();
            var r = Minimizer.Minimize(F, x, methods[m].Make(x), options);
            var path = r.Iterates!.Select(t => { var a = t.ToArray(); return (a[0], a[1]); }).ToArray();
            var end = r.Solution.ToArray();
            int best = 0;
            double bestDistance = double.PositiveInfinity;
            for (int k = 0; k < Minima.Count; k++)
            {
                double d = Math.Sqrt(Math.Pow(end[0] - Minima[k].X, 2) + Math.Pow(end[1] - Minima[k].Y, 2));
                if (d < bestDistance) (best, bestDistance) = (k, d);
            }
            var h = Diff.Hessian(F, Tensor.FromArray(end)).ToArray();
            runs.Add(new MethodRun(methods[m].Name, path, r.Iterations, r.Reason, best, bestDistance, r.Value, Eigenvalues2(h)));
        }
        progress?.Report(("himmelblau", 1));
        var startEigenvalues = Eigenvalues2(Diff.Hessian(F, Tensor.FromArray([s0.X, s0.Y])).ToArray());
        return new Result(runs, startEigenvalues, PlainNewton(s0));
    }

    /// <summary>Newton's iteration as on the blackboard: it seeks ∇f = 0, whatever the curvature there.</summary>
    public static PureNewtonRun PlainNewton((double X, double Y) start, int maxIterations = 100)
    {
        var p = new[] { start.X, start.Y };
        var path = new List<(double X, double Y)> { start };
        double gnorm = double.NaN;
        for (int k = 0; k <= maxIterations; k++)
        {
            var x = Tensor.FromArray(p);
            var g = Diff.Grad(F, x).ToArray();
            gnorm = Math.Sqrt(g[0] * g[0] + g[1] * g[1]);
            if (gnorm < 1e-10 || k == maxIterations) break;
            var h = Diff.Hessian(F, x).ToArray();
            double det = h[0] * h[3] - h[1] * h[2];
            p = [p[0] - (h[3] * g[0] - h[1] * g[1]) / det, p[1] - (h[0] * g[1] - h[2] * g[0]) / det];
            path.Add((p[0], p[1]));
        }
        var ev = Eigenvalues2(Diff.Hessian(F, Tensor.FromArray(p)).ToArray());
        string kind = ev[0] > 0 ? "minimum" : ev[1] < 0 ? "maximum" : "saddle";
        return new PureNewtonRun(path, (p[0], p[1]), gnorm, ev, kind);
    }

    /// <summary>The eigenvalues of a symmetric 2×2 matrix (row-major), ascending.</summary>
    public static double[] Eigenvalues2(double[] h)
    {
        double mean = 0.5 * (h[0] + h[3]);
        double radius = Math.Sqrt(0.25 * (h[0] - h[3]) * (h[0] - h[3]) + h[1] * h[2]);
        return [mean - radius, mean + radius];
    }

    public int Run(LessonContext context)
    {
        var r = Compute(context.Quick, context.Progress);
        var o = context.Out;
        var ci = CultureInfo.InvariantCulture;
        o.WriteLine("Himmelblau's function f(x, y) = (x² + y − 11)² + (x + y² − 7)² has four minima, all with f = 0:");
        for (int k = 0; k < Minima.Count; k++)
            o.WriteLine(string.Create(ci, $"  M{k + 1} = ({Minima[k].X,9:F6}, {Minima[k].Y,9:F6})"));
        o.WriteLine(string.Create(ci, $"Every method starts at ({Start.X:G}, {Start.Y:G}) and stops when ‖∇f‖ ≤ 1e-7."));
        o.WriteLine();
        o.WriteLine("method                          reaches  iterations  distance to it  f at the end  Hessian eigenvalues there");
        foreach (var run in r.Runs)
        {
            var m = Minima[run.MinimumIndex];
            o.WriteLine(string.Create(ci,
                $"{run.Method,-30}  M{run.MinimumIndex + 1}  {run.Iterations,14}  {Sci(run.Distance),14}  {Sci(run.Value),12}  {run.HessianEigenvalues[0]:F2}, {run.HessianEigenvalues[1]:F2}"));
        }
        o.WriteLine();
        var reached = r.Runs.Select(x => x.MinimumIndex).Distinct().Count();
        o.WriteLine(string.Create(ci,
            $"From one start the five methods find {reached} different minima: on a non-convex function the minimum found depends on the step rule, not only on the start."));
        var pn = r.PureNewton;
        o.WriteLine(string.Create(ci,
            $"At the start the Hessian's eigenvalues are {r.StartEigenvalues[0]:F2} and {r.StartEigenvalues[1]:F2}: f curves {Curving(r.StartEigenvalues)} there."));
        o.WriteLine("The Newton optimizer is the damped variant (H is shifted until positive definite, then a line search), so every");
        o.WriteLine("step descends and only a minimum can attract it. Plain Newton, x ← x − H⁻¹∇f, seeks ∇f = 0 whatever the curvature:");
        o.WriteLine(string.Create(ci,
            $"from the same start it goes to ({pn.End.X:F6}, {pn.End.Y:F6}) in {pn.Path.Count - 1} steps, ‖∇f‖ = {Sci(pn.GradientNorm)}, f = {F(pn.End.X, pn.End.Y):F4},"));
        o.WriteLine(string.Create(ci,
            $"where the Hessian's eigenvalues are {pn.HessianEigenvalues[0]:F2} and {pn.HessianEigenvalues[1]:F2}: a {pn.Kind}."));

        var fig = new Figure("Himmelblau: five optimizers from one start", "x", "y");
        fig.XRange = (-5, 5);
        fig.YRange = (-5, 5);
        fig.Contours(F, levels: context.Quick ? 10 : 20, logSpaced: true);
        foreach (var run in r.Runs) fig.Path(run.Method, run.Path);
        fig.Path("plain Newton (undamped)", pn.Path);
        for (int k = 0; k < Minima.Count; k++) fig.Point("M" + (k + 1).ToString(ci), Minima[k].X, Minima[k].Y, color: "black");
        string path = context.PathOf("himmelblau.svg");
        fig.Save(path);
        o.WriteLine($"Plot: {path}");
        bool ok = pn.GradientNorm < 1e-6 && r.Runs.All(x => x.Distance < 1e-4 && x.HessianEigenvalues[0] > 0);
        return ok ? 0 : 1;
    }

    private static string Curving(double[] ev) =>
        ev[0] > 0 ? "upwards in every direction" : ev[1] < 0 ? "downwards in every direction (concave)" : "up in one direction and down in another";

    private static string Sci(double v) => v.ToString("0.00e+00", CultureInfo.InvariantCulture);
}
