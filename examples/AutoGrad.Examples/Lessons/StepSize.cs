using System.Globalization;
using AutoGrad;
using AutoGrad.Examples.Plotting;
using AutoGrad.Optim;

namespace AutoGrad.Examples;

/// <summary>
/// Lesson 4: how the step size decides gradient descent's fate on f(x) = ½·a·x² with a = 4. A step multiplies x by
/// (1 − η·a): for η &lt; 1/a the iterates creep monotonically to 0, at η = 1/a one step lands on the minimum, between
/// 1/a and 2/a = 0.5 they overshoot and alternate in sign while shrinking, and beyond 2/a they alternate and grow
/// until the loss blows up. The divergence is detected by the minimiser and reported, not left to overflow.
/// </summary>
public sealed class StepSizeLesson : ILesson
{
    public string Name => "step-size";
    public int Order => 14;
    public string Summary => "gradient descent on a·x²/2 with a too small, a good, a too large and a divergent step size";

    public const double A = 4.0;
    public const double Start = 1.0;

    /// <summary>One run: the iterates x₀, x₁, … and how it ended.</summary>
    public sealed record Run1(string Label, double LearningRate, double Factor, double[] Iterates, StopReason Reason, int Iterations)
    {
        public bool Diverged => Reason == StopReason.Diverged;
        public bool Converged => Reason is StopReason.GradientTolerance or StopReason.ValueTolerance;
    }

    public sealed record Result(IReadOnlyList<Run1> Runs)
    {
        public Run1 Slow => Runs.Single(r => r.Label == "small");
        public Run1 Optimal => Runs.Single(r => r.Label == "1/a");
        public Run1 Oscillating => Runs.Single(r => r.Label == "near 2/a");
        public Run1 Divergent => Runs.Single(r => r.Label == "above 2/a");
    }

    public static Result Compute(bool quick)
    {
        // Quick mode changes nothing: the four runs together take milliseconds.
        _ = quick;
        const int budget = 1000;
        var runs = new List<Run1>();
        foreach (var (label, eta) in new[] { ("small", 0.01), ("1/a", 1 / A), ("near 2/a", 0.48), ("above 2/a", 0.55) })
        {
            var x = Tensor.FromArray([Start]).RequireGrad();
            var result = Minimizer.Minimize(v => 0.5 * A * v.Square().Sum(), x, new GradientDescent([x], eta),
                new MinimizeOptions { GradientTolerance = 1e-8, MaxIterations = budget, RecordIterates = true });
            var iterates = result.Iterates!.Select(t => t.Item()).ToArray();
            runs.Add(new Run1(label, eta, 1 - eta * A, iterates, result.Reason, result.Iterations));
        }
        return new Result(runs);
    }

    public int Run(LessonContext context)
    {
        var r = Compute(context.Quick);
        var o = context.Out;
        o.WriteLine($"Gradient descent on f(x) = a x^2 / 2 with a = {F(A)} from x0 = {F(Start)}: each step multiplies x by (1 - eta a); 2/a = {F(2 / A)}.");
        o.WriteLine();
        o.WriteLine("  step size      eta   1 - eta a   outcome");
        foreach (var run in r.Runs)
        {
            string outcome = run.Reason switch
            {
                StopReason.Diverged => $"diverged at iteration {run.Iterations} (|x| = {run.Iterates[^1].ToString("0.00E+00", CultureInfo.InvariantCulture)}; loss beyond 1e10 f(x0))",
                StopReason.GradientTolerance or StopReason.ValueTolerance =>
                    $"converged in {run.Iterations} iteration{(run.Iterations == 1 ? "" : "s")}{(SignChanges(run.Iterates) > 0 ? $", x changed sign {SignChanges(run.Iterates)} times" : ", monotonically")}",
                _ => $"not converged after {run.Iterations} iterations (|x| = {Math.Abs(run.Iterates[^1]).ToString("0.00E+00", CultureInfo.InvariantCulture)})",
            };
            o.WriteLine($"  {run.Label,-10} {F(run.LearningRate),8} {F(run.Factor),11}   {outcome}");
        }
        o.WriteLine();
        o.WriteLine($"Conclusion: too small a step ({F(r.Slow.LearningRate)}) needs {r.Slow.Iterations} iterations; 1/a needs {r.Optimal.Iterations}; " +
                    $"near 2/a the iterates alternate in sign; above 2/a they alternate and grow until the run is stopped as diverged " +
                    $"at iteration {r.Divergent.Iterations}.");

        string path = context.PathOf("step-size.svg");
        var fig = new Figure("Gradient descent on 2x^2: |x_k| for four step sizes", "iteration k", "|x_k|", width: 720, height: 480) { LogY = true };
        foreach (var run in r.Runs)
        {
            // The 1/a run hits x = 0 exactly, which a log axis cannot show: plot only its positive part.
            var ks = Enumerable.Range(0, run.Iterates.Length).Where(k => run.Iterates[k] != 0).ToArray();
            fig.Line($"eta = {F(run.LearningRate)} ({run.Label})", ks.Select(k => (double)k).ToArray(), ks.Select(k => Math.Abs(run.Iterates[k])).ToArray());
        }
        fig.Point($"eta = {F(r.Optimal.LearningRate)}: x_1 = 0 exactly", 1, Math.Abs(r.Optimal.Iterates[0]), "#999999");
        fig.Save(path);

        // The log plot hides the signs; the first iterates on a linear axis show the overshoot.
        string signed = context.PathOf("step-size-signed.svg");
        var fig2 = new Figure("The first 20 iterates x_k", "iteration k", "x_k", width: 720, height: 480)
        {
            YRange = (-4, 4),
        };
        foreach (var run in r.Runs)
        {
            int m = Math.Min(21, run.Iterates.Length);
            fig2.Line($"eta = {F(run.LearningRate)} ({run.Label})", Enumerable.Range(0, m).Select(k => (double)k).ToArray(), run.Iterates.Take(m).ToArray());
        }
        fig2.HLine(0, "minimum x = 0");
        fig2.Save(signed);
        o.WriteLine($"Plots: {path}, {signed}");
        return 0;
    }

    public static int SignChanges(IReadOnlyList<double> xs) => Enumerable.Range(1, xs.Count - 1).Count(k => xs[k] * xs[k - 1] < 0);

    private static string F(double v) => v.ToString("G4", CultureInfo.InvariantCulture);
}
