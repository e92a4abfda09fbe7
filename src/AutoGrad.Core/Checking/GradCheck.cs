using System.Globalization;
using AutoGrad.Tape;

namespace AutoGrad;

/// <summary>
/// Compares the tape's derivatives of a function with central finite differences: the gradient
/// (<see cref="Check(Func{Tensor[], Tensor}, Tensor[], GradCheckOptions?)"/>) and the Hessian-vector product
/// (<see cref="CheckHvp(Func{Tensor[], Tensor}, Tensor[], GradCheckOptions?)"/>). Use it on a hand-written gradient,
/// a custom <see cref="Function"/> or any loss.
/// </summary>
/// <remarks>
/// <para>A function with a non-scalar result is checked through s(x) = ⟨u, f(x)⟩ with seeded random weights u,
/// which exercises every output with high probability at the cost of one backward pass.</para>
/// <para>Small inputs (up to <see cref="GradCheckOptions.MaxElementwise"/> elements) are checked element by
/// element; larger ones in seeded random directions v, comparing (s(x + hv) − s(x − hv))/2h with ⟨∇s, v⟩: two
/// evaluations per direction instead of two per element.</para>
/// <para>Where the one-sided differences (s(x + h) − s(x))/h and (s(x) − s(x − h))/h disagree, and keep
/// disagreeing at a ten times smaller step, the function has a kink there (relu at 0, a tie in max): the point
/// is reported in <see cref="GradCheckResult.NonDifferentiablePoints"/>, not as a wrong gradient, provided the
/// tape's value lies between the one-sided derivatives. Any other mismatch is retried with steps 10 and 100 times
/// smaller (a kink just beside x spoils only the larger step) before it counts. On a real failure, each recorded
/// operation is checked on its own and the first whose backward disagrees is named.</para>
/// </remarks>
public static class GradCheck
{
    /// <summary>Checks the gradient of a function of one tensor.</summary>
    public static GradCheckResult Check(Func<Tensor, Tensor> f, Tensor input, GradCheckOptions? options = null) =>
        Check(a => f(a[0]), [input], options);

    /// <summary>Checks the gradient of a function of several tensors with respect to each of them.</summary>
    /// <param name="f">The function; it may return any shape.</param>
    /// <param name="inputs">Where to check (float64; float32 only with <see cref="GradCheckOptions.ConvertFloat32"/>). They are not modified.</param>
    /// <param name="options">Step, tolerances, seed (null: <see cref="GradCheckOptions.Default"/>).</param>
    /// <exception cref="ArgumentException">A float32 input without <see cref="GradCheckOptions.ConvertFloat32"/>, or invalid options.</exception>
    public static GradCheckResult Check(Func<Tensor[], Tensor> f, Tensor[] inputs, GradCheckOptions? options = null)
    {
        var o = options ?? GradCheckOptions.Default;
        o.Validate();
        var xs = Prepare(inputs, o);
        var rng = new Rng(o.Seed);
        var u = Weights(f, xs, rng);
        double S(Tensor[] a) => Surrogate(f, a, u);
        var grads = Diff.Vjp(f, xs, u).Vjp;
        var cmp = new Comparison(o);
        int total = xs.Sum(x => x.Count);
        bool elementwise = total <= o.MaxElementwise;
        if (elementwise)
        {
            for (int i = 0; i < xs.Length; i++)
            {
                var ga = grads[i].ToArray();
                for (int k = 0; k < xs[i].Count; k++)
                {
                    var dir = Basis(xs, i, k);
                    double h = o.Step * Math.Max(1, Math.Abs(xs[i].At(Unflatten(xs[i], k))));
                    cmp.Add(new CheckPoint(i, k, -1, 0, ga[k]), t => S(Shift(xs, dir, t)), h);
                }
            }
        }
        else
        {
            for (int d = 0; d < o.Directions; d++)
            {
                var dir = RandomDirection(xs, rng);
                double ana = 0;
                for (int i = 0; i < xs.Length; i++) ana += Dot(grads[i], dir[i]);
                cmp.Add(new CheckPoint(-1, -1, d, 0, ana), t => S(Shift(xs, dir, t)), Scale(xs, o));
            }
        }
        string? failing = !cmp.Passed && o.LocateFailure ? Locate(f, xs, o) : null;
        return cmp.Result("gradient", elementwise, failing);
    }

    /// <summary>Checks the Hessian-vector product of a function of one tensor.</summary>
    public static GradCheckResult CheckHvp(Func<Tensor, Tensor> f, Tensor input, GradCheckOptions? options = null) =>
        CheckHvp(a => f(a[0]), [input], options);

    /// <summary>
    /// Checks the exact Hessian-vector product H·v (the tape differentiating its own backward pass) against
    /// central differences of exact gradients, (∇s(x + hv) − ∇s(x − hv))/2h, element by element of the product.
    /// Inputs of up to 32 elements in all are checked along every coordinate direction (the whole Hessian);
    /// larger ones along <see cref="GradCheckOptions.Directions"/> random directions.
    /// </summary>
    public static GradCheckResult CheckHvp(Func<Tensor[], Tensor> f, Tensor[] inputs, GradCheckOptions? options = null)
    {
        var o = options ?? GradCheckOptions.Default;
        o.Validate();
        var xs = Prepare(inputs, o);
        var rng = new Rng(o.Seed);
        var u = Weights(f, xs, rng);
        Tensor[] G(Tensor[] a) => Diff.Vjp(f, a, u).Vjp;
        var cmp = new Comparison(o);
        int total = xs.Sum(x => x.Count);
        bool elementwise = total <= Math.Min(32, o.MaxElementwise);
        var dirs = new List<Tensor[]>();
        if (elementwise)
            for (int i = 0; i < xs.Length; i++)
                for (int k = 0; k < xs[i].Count; k++) dirs.Add(Basis(xs, i, k));
        else
            for (int d = 0; d < o.Directions; d++) dirs.Add(RandomDirection(xs, rng));

        for (int d = 0; d < dirs.Count; d++)
        {
            var v = dirs[d];
            var exact = Diff.Hvp(a => (f(a) * u).Sum(), xs, v, o.HvpMode);
            double h = Scale(xs, o);
            for (int i = 0; i < xs.Length; i++)
            {
                var ea = exact[i].ToArray();
                int input = i;
                for (int k = 0; k < ea.Length; k++)
                {
                    int element = k;
                    cmp.Add(new CheckPoint(i, k, d, 0, ea[k]), t => G(Shift(xs, v, t))[input].At(Unflatten(xs[input], element)), h, kinks: false);
                }
            }
        }
        string? failing = !cmp.Passed && o.LocateFailure ? LocateSecondOrder(f, xs, o) : null;
        return cmp.Result("Hessian-vector product", elementwise, failing);
    }

    // ---- comparison -------------------------------------------------------------------------

    /// <summary>Accumulates comparisons of analytical values with differences of a function along a line.</summary>
    private sealed class Comparison(GradCheckOptions o)
    {
        private readonly List<CheckPoint> _kinks = [];
        private CheckPoint? _worst;
        private double _worstRatio = -1, _maxAbs, _maxRel;
        private int _compared;
        public bool Passed { get; private set; } = true;

        /// <summary>Compares p.Analytical with the derivative at t = 0 of <paramref name="line"/>.</summary>
        public void Add(CheckPoint p, Func<double, double> line, double h, bool kinks = true)
        {
            _compared++;
            double plus = line(h), minus = line(-h);
            double num = (plus - minus) / (2 * h);
            if (kinks)
            {
                double s0 = line(0);
                double fwd = (plus - s0) / h, bwd = (s0 - minus) / h;
                if (Math.Abs(fwd - bwd) > Tol(Math.Max(Math.Abs(fwd), Math.Abs(bwd))) && IsKink(line, h, s0, p.Analytical))
                {
                    _kinks.Add(p with { Numerical = num });
                    return;
                }
            }
            if (!Agrees(p.Analytical, num))
            {
                // A kink within h of x spoils only the larger steps.
                foreach (double hh in (double[])[h / 10, h / 100])
                {
                    double n2 = Central(line, hh);
                    if (Math.Abs(n2 - p.Analytical) < Math.Abs(num - p.Analytical)) num = n2;
                    if (Agrees(p.Analytical, num)) break;
                }
            }
            p = p with { Numerical = num };
            bool ok = Agrees(p.Analytical, num);
            double ratio = p.AbsError / Tol(num);
            if (double.IsNaN(ratio)) ratio = double.PositiveInfinity;
            if (ratio > _worstRatio) { _worstRatio = ratio; _worst = p; }
            _maxAbs = Math.Max(_maxAbs, double.IsNaN(p.AbsError) ? double.PositiveInfinity : p.AbsError);
            _maxRel = Math.Max(_maxRel, double.IsNaN(p.RelError) ? double.PositiveInfinity : p.RelError);
            if (!ok) Passed = false;
        }

        private static double Central(Func<double, double> line, double h) => (line(h) - line(-h)) / (2 * h);

        private double Tol(double num) => o.AbsTolerance + o.RelTolerance * Math.Abs(num);

        private bool Agrees(double ana, double num) => Math.Abs(ana - num) <= Tol(num);

        /// <summary>
        /// One-sided differences that disagree and keep disagreeing at a ten times smaller step mark a kink
        /// (for a smooth function their gap shrinks with the step); the tape's value must lie between them.
        /// </summary>
        private bool IsKink(Func<double, double> line, double h, double s0, double ana)
        {
            double fwd = (line(h) - s0) / h, bwd = (s0 - line(-h)) / h;
            double h2 = h / 10;
            double fwd2 = (line(h2) - s0) / h2, bwd2 = (s0 - line(-h2)) / h2;
            double gap = Math.Abs(fwd - bwd), gap2 = Math.Abs(fwd2 - bwd2);
            double tol = Tol(Math.Max(Math.Abs(fwd), Math.Abs(bwd)));
            return gap > tol && gap2 > 0.5 * gap
                && ana >= Math.Min(fwd2, bwd2) - tol && ana <= Math.Max(fwd2, bwd2) + tol;
        }

        public GradCheckResult Result(string what, bool elementwise, string? failing) =>
            new(what, elementwise, Passed, _worst, _maxAbs, _maxRel, _compared, _kinks, failing, o);
    }

    // ---- locating the failing operation ------------------------------------------------------

    /// <summary>Records f once and checks each operation's backward against differences of its own forward.</summary>
    private static string? Locate(Func<Tensor[], Tensor> f, Tensor[] xs, GradCheckOptions o)
    {
        var nodes = Record(f, xs);
        var rng = new Rng(o.Seed + 1);
        for (int k = 0; k < nodes.Count; k++)
        {
            var n = nodes[k];
            var ins = new Tensor[n.Arity];
            for (int i = 0; i < ins.Length; i++) ins[i] = n.Input(i);
            if (ins.Any(t => t.DType != DType.Float64)) continue;
            var vals = ins.Select(t => t.Detach()).ToArray();
            Tensor outp;
            using (GradMode.NoGrad()) outp = n.Op.Replay(n, vals);
            var u = Tensor.Randn(outp.Dims, rng);
            var dir = ins.Select(t => t.RequiresGrad ? Tensor.Randn(t.Dims, rng) : Tensor.ZerosLike(t)).ToArray();
            var grads = new Tensor?[n.Arity];
            double ana = 0;
            try
            {
                using (GradMode.NoGrad())
                {
                    n.Op.Backward(n, u, grads);
                    for (int i = 0; i < ins.Length; i++)
                        if (grads[i] is { } gi && ins[i].RequiresGrad) ana += Dot(Engine.Conform(n, i, ins[i], gi), dir[i]);
                }
            }
            catch (InvalidOperationException e)
            {
                return Describe(n, k, nodes.Count, ins, e.Message);
            }
            var cmp = new Comparison(o);
            cmp.Add(new CheckPoint(-1, -1, 0, 0, ana), t =>
            {
                using (GradMode.NoGrad()) return Dot(u, n.Op.Replay(n, Shift(vals, dir, t)));
            }, Scale(vals, o));
            var r = cmp.Result("gradient", false, null);
            if (!r.Passed)
                return Describe(n, k, nodes.Count, ins,
                    string.Create(CultureInfo.InvariantCulture, $"⟨u, J v⟩ by differences {r.Worst!.Value.Numerical:G8}, by its backward {ana:G8}"));
        }
        return null;
    }

    /// <summary>For a failed Hessian check, finds the first operation whose backward, recorded, has a wrong derivative.</summary>
    private static string? LocateSecondOrder(Func<Tensor[], Tensor> f, Tensor[] xs, GradCheckOptions o)
    {
        var nodes = Record(f, xs);
        var rng = new Rng(o.Seed + 2);
        for (int k = 0; k < nodes.Count; k++)
        {
            var n = nodes[k];
            var ins = Enumerable.Range(0, n.Arity).Select(n.Input).ToArray();
            if (ins.Any(t => t.DType != DType.Float64)) continue;
            Tensor outp;
            using (GradMode.NoGrad()) outp = n.Op.Replay(n, ins.Select(t => t.Detach()).ToArray());
            var u = Tensor.Randn(outp.Dims, rng);
            var differentiable = Enumerable.Range(0, n.Arity).Where(i => ins[i].RequiresGrad).ToArray();
            if (differentiable.Length == 0) continue;
            var values = ins.Select(t => t.Detach()).ToArray();
            // ½‖Jᵀu‖² as a function of the op's differentiable inputs (the others held fixed), with Jᵀu from the op's
            // backward through Diff.Vjp: recorded when differentiated, so its gradient runs through the derivative of
            // the backward rule, and computed afresh when the differences evaluate it without recording.
            Tensor HalfSquaredVjp(Tensor[] d)
            {
                var g = Diff.Vjp(z =>
                {
                    var all = (Tensor[])values.Clone();
                    for (int j = 0; j < z.Length; j++) all[differentiable[j]] = z[j];
                    return n.Op.Replay(n, all);
                }, d, u).Vjp;
                var acc = Tensor.Scalar(0.0);
                foreach (var gi in g) acc += (gi * gi).Sum() * 0.5;
                return acc;
            }
            GradCheckResult r;
            try
            {
                r = Check(HalfSquaredVjp, differentiable.Select(i => values[i]).ToArray(),
                    o with { LocateFailure = false, MaxElementwise = 0, Directions = 2 });
            }
            catch (InvalidOperationException e)
            {
                return Describe(n, k, nodes.Count, ins, e.Message);
            }
            if (!r.Passed) return Describe(n, k, nodes.Count, ins, "the derivative of its backward rule disagrees with differences");
        }
        return null;
    }

    /// <summary>Records f on fresh leaves standing for xs and returns its nodes in the order they were recorded.</summary>
    private static List<Node> Record(Func<Tensor[], Tensor> f, Tensor[] xs)
    {
        var leaves = xs.Select(x => x.Detach().RequireGrad()).ToArray();
        using (GradMode.EnableGrad()) return Graph.ForwardOrder(f(leaves));
    }

    private static string Describe(Node n, int k, int count, Tensor[] ins, string detail) =>
        FormattableString.Invariant($"{n.Op.Name} (operation {k + 1} of {count}; input shapes {string.Join(", ", ins.Select(t => Shape.Format(t.Dims)))}): {detail}");

    // ---- helpers -----------------------------------------------------------------------------

    private static Tensor[] Prepare(Tensor[] inputs, GradCheckOptions o)
    {
        var xs = new Tensor[inputs.Length];
        for (int i = 0; i < xs.Length; i++)
        {
            var x = inputs[i];
            if (x.DType == DType.Float32)
            {
                if (!o.ConvertFloat32)
                    throw new ArgumentException(
                        FormattableString.Invariant($"GradCheck: input {i} (shape {Shape.Format(x.Dims)}) is float32; finite differences in float32 (about 7 digits) cannot check a gradient. ") +
                        "Convert it with To(DType.Float64), or set GradCheckOptions.ConvertFloat32 to have GradCheck do it.");
                xs[i] = Compute.Cast(x, DType.Float64);
            }
            else xs[i] = x.Copy();
        }
        return xs;
    }

    /// <summary>Seeded standard-normal weights of f's output shape (a scalar 1 for one-element outputs).</summary>
    private static Tensor Weights(Func<Tensor[], Tensor> f, Tensor[] xs, Rng rng)
    {
        Tensor y;
        using (GradMode.NoGrad()) y = f(xs);
        return y.Count == 1 ? Tensor.OnesLike(y) : Tensor.Randn(y.Dims, rng, y.DType);
    }

    private static double Surrogate(Func<Tensor[], Tensor> f, Tensor[] a, Tensor u)
    {
        using (GradMode.NoGrad()) return Dot(u, f(a));
    }

    private static double Dot(Tensor a, Tensor b)
    {
        var x = a.ToArray(); var y = b.ToArray();
        double s = 0;
        for (int i = 0; i < x.Length; i++) s += x[i] * y[i];
        return s;
    }

    private static Tensor[] Shift(Tensor[] xs, Tensor[] dir, double t)
    {
        if (t == 0) return xs;
        var r = new Tensor[xs.Length];
        using (GradMode.NoGrad())
            for (int i = 0; i < xs.Length; i++) r[i] = xs[i] + dir[i] * t;
        return r;
    }

    private static Tensor[] Basis(Tensor[] xs, int input, int element)
    {
        var r = xs.Select(Tensor.ZerosLike).ToArray();
        r[input].Set(element, 1.0);
        return r;
    }

    /// <summary>A seeded random direction over all inputs with unit Euclidean norm.</summary>
    private static Tensor[] RandomDirection(Tensor[] xs, Rng rng)
    {
        var r = xs.Select(x => Tensor.Randn(x.Dims, rng)).ToArray();
        double norm = Math.Sqrt(r.Sum(t => Dot(t, t)));
        using (GradMode.NoGrad()) return norm == 0 ? r : r.Select(t => t / norm).ToArray();
    }

    /// <summary>The step along a direction: Step·max(1, largest |x|).</summary>
    private static double Scale(Tensor[] xs, GradCheckOptions o)
    {
        double m = 1;
        foreach (var x in xs) foreach (var v in x.ToArray()) if (double.IsFinite(v)) m = Math.Max(m, Math.Abs(v));
        return o.Step * m;
    }

    private static int[] Unflatten(Tensor x, int flat)
    {
        var idx = new int[x.Rank];
        for (int i = x.Rank - 1; i >= 0; i--) { idx[i] = flat % x.Dims[i]; flat /= x.Dims[i]; }
        return idx;
    }
}
