using System.Globalization;
using AutoGrad;
using AutoGrad.Examples.Plotting;
using AutoGrad.Optim;

namespace AutoGrad.Examples;

/// <summary>
/// Lesson 9: a saddle point. f(x, y) = x² − y² + y⁴/4 has a saddle at the origin (curving up along x, down along y) and
/// minima at (0, ±√2). Gradient descent started exactly on the saddle's stable manifold (y = 0) never sees a y-gradient and
/// converges to the saddle; started 10⁻⁶ beside it, the unstable direction amplifies the perturbation by 1 + 2η per step
/// and the iterate escapes to a minimum, after lingering near the saddle.
/// </summary>
public sealed class SaddleLesson : ILesson
{
    public string Name => "saddle";
    public int Order => 19;
    public string Summary => "GD on a saddle's stable manifold converges to the saddle; 1e-6 beside it, it escapes to a minimum";

    public const double LearningRate = 0.1;

    /// <summary>The perturbation of the second start.</summary>
    public const double Offset = 1e-6;

    /// <summary>One gradient-descent run.</summary>
    /// <param name="Label">Which start.</param>
    /// <param name="Path">Every iterate.</param>
    /// <param name="Iterations">Steps until ‖∇f‖ ≤ 1e-8.</param>
    /// <param name="End">The last iterate.</param>
    /// <param name="MaxAbsYGradient">The largest |∂f/∂y| over the iterates.</param>
    /// <param name="IterationsNearSaddle">How many iterates lie within 0.01 of the origin.</param>
    /// <param name="EndEigenvalues">The Hessian's eigenvalues at the end, ascending.</param>
    public sealed record GdRun(string Label, IReadOnlyList<(double X, double Y)> Path, int Iterations, (double X, double Y) End,
        double MaxAbsYGradient, int IterationsNearSaddle, double[] EndEigenvalues);

    /// <summary>What the lesson computed.</summary>
    /// <param name="SaddleEigenvalues">The Hessian's eigenvalues at the origin, ascending.</param>
    /// <param name="Stuck">GD from (1, 0).</param>
    /// <param name="Escaped">GD from (1, 1e-6).</param>
    public sealed record Result(double[] SaddleEigenvalues, GdRun Stuck, GdRun Escaped);

    public static Tensor F(Tensor p)
    {
        var x = p[0];
        var y = p[1];
        return x.Square() - y.Square() + 0.25 * y.Pow(4);
    }

    public static double F(double x, double y) => x * x - y * y + 0.25 * y * y * y * y;

    public static Result Compute()
    {
        // Both runs take under 200 steps of a two-parameter function, so quick mode has nothing to cut.
        var saddle = SmallEigen.Symmetric(Diff.Hessian(F, Tensor.FromArray([0.0, 0.0])).ToArray());
        return new Result(saddle, Descend("on the stable manifold, y₀ = 0", 1, 0), Descend("beside it, y₀ = 1e-6", 1, Offset));
    }

    private static GdRun Descend(string label, double x0, double y0)
    {
        var p = Tensor.FromArray([x0, y0]).RequireGrad();
        var r = Minimizer.Minimize(F, p, new GradientDescent([p], LearningRate),
            new MinimizeOptions { MaxIterations = 2000, GradientTolerance = 1e-8, RecordIterates = true });
        var path = r.Iterates!.Select(t => { var v = t.ToArray(); return (X: v[0], Y: v[1]); }).ToArray();
        double maxYGrad = path.Max(q => Math.Abs(Diff.Grad(F, Tensor.FromArray([q.X, q.Y])).ToArray()[1]));
        int near = path.Count(q => Math.Sqrt(q.X * q.X + q.Y * q.Y) < 0.01);
        var end = path[^1];
        var ev = SmallEigen.Symmetric(Diff.Hessian(F, Tensor.FromArray([end.X, end.Y])).ToArray());
        return new GdRun(label, path, r.Iterations, end, maxYGrad, near, ev);
    }

    public int Run(LessonContext context)
    {
        var r = Compute();
        context.Progress?.Report(("saddle", 1));
        var o = context.Out;
        o.WriteLine("f(x, y) = x² − y² + y⁴/4: ∇f = (2x, −2y + y³), a saddle at (0, 0), minima at (0, ±√2) with f = −1.");
        o.WriteLine(Fmt($"Diff.Hessian at the saddle: eigenvalues {r.SaddleEigenvalues[0]:G6} and {r.SaddleEigenvalues[1]:G6} (one negative, one positive)."));
        o.WriteLine(Fmt($"Gradient descent, η = {LearningRate:G}, from x₀ = 1, until ‖∇f‖ ≤ 1e-8:"));
        o.WriteLine("  start                              iterations  end point                     f at the end  max |∂f/∂y|  iterates within 0.01 of (0,0)  Hessian eigenvalues at the end");
        foreach (var g in new[] { r.Stuck, r.Escaped })
            o.WriteLine(Fmt($"  {g.Label,-33}  {g.Iterations,10}  ({g.End.X,11:0.000e+00}, {g.End.Y,11:0.000e+00})  {F(g.End.X, g.End.Y),12:F6}  {g.MaxAbsYGradient,11:0.00e+00}  {g.IterationsNearSaddle,30}  {g.EndEigenvalues[0]:G4}, {g.EndEigenvalues[1]:G4}"));
        o.WriteLine("On y = 0 the y-gradient −2y + y³ is exactly zero, so GD can only move in x and converges to the saddle, a point it");
        o.WriteLine("cannot tell from a minimum by the gradient alone (the Hessian there has a negative eigenvalue).");
        o.WriteLine(Fmt($"Beside it, y grows by 1 + 2η = {1 + 2 * LearningRate:G} per step: from 1e-6 to order 1 takes about ln(1e6)/ln(1.2) ≈ {Math.Log(1e6) / Math.Log(1 + 2 * LearningRate):F0} steps,"));
        o.WriteLine(Fmt($"spent near the saddle, where the gradient is tiny; then it falls into the minimum (0, {r.Escaped.End.Y:F6}), √2 = {Math.Sqrt(2):F6}."));

        var fig = new Figure("x² − y² + y⁴/4: the saddle and its stable manifold", "x", "y");
        fig.XRange = (-1.2, 1.2);
        fig.YRange = (-2, 2);
        fig.Contours(F, levels: context.Quick ? 12 : 20);
        fig.Path("GD " + r.Stuck.Label, r.Stuck.Path);
        fig.Path("GD " + r.Escaped.Label, r.Escaped.Path);
        fig.Point("saddle", 0, 0, color: "black");
        fig.Point("minima", 0, Math.Sqrt(2), color: "black");
        fig.Point(null, 0, -Math.Sqrt(2), color: "black");
        string path = context.PathOf("saddle.svg");
        fig.Save(path);
        o.WriteLine($"Plot: {path}");
        bool ok = r.Stuck.End.Y == 0 && Math.Abs(r.Stuck.End.X) < 1e-8 && Math.Abs(Math.Abs(r.Escaped.End.Y) - Math.Sqrt(2)) < 1e-6;
        return ok ? 0 : 1;
    }

    private static string Fmt(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
