using System.Globalization;
using AutoGrad;
using AutoGrad.Examples.Plotting;
using AutoGrad.Optim;
using AutoGrad.Optim.Models;

namespace AutoGrad.Examples;

/// <summary>
/// Lesson 10: why weights are initialised at random. A 2→16→16→1 ReLU perceptron is trained on two moons with Adam and
/// the logistic loss, once from zero weights, once from equal nonzero weights and once from He initialisation. Units that
/// start equal receive equal gradients and stay equal: the symmetry never breaks, and the layer is as good as one unit (with
/// zeros, not even that: every gradient but the output bias's is zero). He's random start makes the units distinct and the
/// network fits the moons. Dead ReLU units (zero on every training input) are counted in each run.
/// </summary>
public sealed class MlpInitLesson : ILesson
{
    public string Name => "mlp-init";
    public int Order => 20;
    public string Summary => "zero or constant initialisation never breaks the hidden units' symmetry; He initialisation does";

    public const int Hidden = 16;

    /// <summary>One trained network.</summary>
    /// <param name="Init">The initialisation's name.</param>
    /// <param name="Losses">The training loss at every step.</param>
    /// <param name="Accuracy">The training accuracy at the end.</param>
    /// <param name="MaxRowDifference">The largest Euclidean distance between two rows of the first weight matrix (two hidden units' input weights) after training.</param>
    /// <param name="MinRowDifference">The smallest such distance.</param>
    /// <param name="DeadUnits">Per hidden layer, the units whose ReLU output is 0 on every training input.</param>
    /// <param name="Model">The trained network.</param>
    public sealed record TrainedNet(string Init, IReadOnlyList<double> Losses, double Accuracy, double MaxRowDifference, double MinRowDifference,
        int[] DeadUnits, Mlp Model)
    {
        /// <summary>
        /// The network's logit on a grid, bilinearly interpolated: the plot asks for tens of thousands of points, and one
        /// batched forward pass costs what a handful of single-point passes do.
        /// </summary>
        public Func<double, double, double> LogitSurface((double Min, double Max) xRange, (double Min, double Max) yRange, int resolution = 160)
        {
            int m = resolution + 1;
            var points = new double[2 * m * m];
            for (int j = 0; j < m; j++)
                for (int i = 0; i < m; i++)
                {
                    points[2 * (j * m + i)] = xRange.Min + (xRange.Max - xRange.Min) * i / resolution;
                    points[2 * (j * m + i) + 1] = yRange.Min + (yRange.Max - yRange.Min) * j / resolution;
                }
            double[] z;
            using (GradMode.NoGrad())
            using (TensorScope.Begin())
                z = Model.Forward(Tensor.FromArray(points, m * m, 2)).ToArray();
            return (x, y) =>
            {
                double u = Math.Clamp((x - xRange.Min) / (xRange.Max - xRange.Min) * resolution, 0, resolution);
                double v = Math.Clamp((y - yRange.Min) / (yRange.Max - yRange.Min) * resolution, 0, resolution);
                int i = Math.Min((int)u, resolution - 1), j = Math.Min((int)v, resolution - 1);
                double fu = u - i, fv = v - j;
                return (1 - fv) * ((1 - fu) * z[j * m + i] + fu * z[j * m + i + 1]) + fv * ((1 - fu) * z[(j + 1) * m + i] + fu * z[(j + 1) * m + i + 1]);
            };
        }
    }

    /// <summary>What the lesson computed.</summary>
    /// <param name="X">The inputs, n×2 row-major.</param>
    /// <param name="Labels">0 or 1 per input.</param>
    /// <param name="Steps">Adam steps per network.</param>
    /// <param name="Nets">Zeros, constant 0.5 and He normal, in that order.</param>
    public sealed record Result(double[] X, double[] Labels, int Steps, IReadOnlyList<TrainedNet> Nets);

    /// <summary>Two interleaved half circles (the upper one labelled 0) with Gaussian noise, as scikit-learn's make_moons.</summary>
    public static (double[] X, double[] Labels) TwoMoons(int n, double noise, long seed)
    {
        var rng = new Rng(seed);
        var x = new double[2 * n];
        var labels = new double[n];
        for (int i = 0; i < n; i++)
        {
            int label = i % 2;
            double t = Math.PI * rng.NextDouble();
            x[2 * i] = (label == 0 ? Math.Cos(t) : 1 - Math.Cos(t)) + noise * rng.NextGaussian();
            x[2 * i + 1] = (label == 0 ? Math.Sin(t) : 0.5 - Math.Sin(t)) + noise * rng.NextGaussian();
            labels[i] = label;
        }
        return (x, labels);
    }

    public static Result Compute(bool quick, IProgress<(string Task, double Fraction)>? progress = null)
    {
        int n = quick ? 100 : 400, steps = quick ? 150 : 1000;
        var (xData, labels) = TwoMoons(n, noise: 0.1, seed: 3);
        var inits = new (string Name, Init Init)[] { ("zeros", Init.Zeros()), ("constant 0.5", Init.Constant(0.5)), ("He normal", Init.HeNormal()) };
        var nets = new List<TrainedNet>();
        for (int k = 0; k < inits.Length; k++)
        {
            int index = k;
            nets.Add(Train(inits[k].Name, inits[k].Init, xData, labels, steps,
                f => progress?.Report(("mlp-init: " + inits[index].Name, (index + f) / inits.Length))));
        }
        return new Result(xData, labels, steps, nets);
    }

    private static TrainedNet Train(string name, Init init, double[] xData, double[] labels, int steps, Action<double> report)
    {
        int n = labels.Length;
        var x = Tensor.FromArray(xData, n, 2);
        var y = Tensor.FromArray(labels, n, 1);
        var model = new Mlp([2, Hidden, Hidden, 1], Activation.Relu, init, seed: 11);
        var optimizer = new Adam(model.Parameters(), new AdamOptions(learningRate: 0.01));
        var losses = new List<double>();
        for (int step = 0; step < steps; step++)
        {
            using var scope = TensorScope.Begin();
            optimizer.ZeroGrad();
            var loss = Loss.BinaryCrossEntropyWithLogits(model.Forward(x), y);
            losses.Add(loss.Item());
            loss.Backward();
            optimizer.Step();
            if (step % 50 == 0) report(step / (double)steps);
        }

        double accuracy;
        var dead = new List<int>();
        using (GradMode.NoGrad())
        using (TensorScope.Begin())
        {
            var h = x;
            foreach (var layer in model.Layers)
            {
                h = layer.Forward(h);
                if (layer is Relu)
                {
                    var a = h.ToArray();
                    int units = a.Length / n, count = 0;
                    for (int u = 0; u < units; u++)
                    {
                        bool allZero = true;
                        for (int i = 0; i < n && allZero; i++) allZero = a[i * units + u] == 0;
                        if (allZero) count++;
                    }
                    dead.Add(count);
                }
            }
            var logits = h.ToArray();
            accuracy = Enumerable.Range(0, n).Count(i => (logits[i] > 0 ? 1.0 : 0.0) == labels[i]) / (double)n;
        }

        var w = model.Linears[0].Weight.ToArray();   // [Hidden, 2], one row per hidden unit
        double maxDiff = 0, minDiff = double.PositiveInfinity;
        for (int i = 0; i < Hidden; i++)
            for (int j = i + 1; j < Hidden; j++)
            {
                double d = Math.Sqrt(Math.Pow(w[2 * i] - w[2 * j], 2) + Math.Pow(w[2 * i + 1] - w[2 * j + 1], 2));
                maxDiff = Math.Max(maxDiff, d);
                minDiff = Math.Min(minDiff, d);
            }
        return new TrainedNet(name, losses, accuracy, maxDiff, minDiff, dead.ToArray(), model);
    }

    public int Run(LessonContext context)
    {
        var r = Compute(context.Quick, context.Progress);
        var o = context.Out;
        int n = r.Labels.Length;
        o.WriteLine(Fmt($"Two moons, {n} points (noise 0.1); a 2→{Hidden}→{Hidden}→1 ReLU perceptron, logistic loss, Adam (η = 0.01), {r.Steps} full-batch steps."));
        o.WriteLine("  initialisation   final loss   accuracy   first-layer rows: max / min pairwise distance   dead ReLU units (layer 1, layer 2)");
        foreach (var net in r.Nets)
            o.WriteLine(Fmt($"  {net.Init,-15}  {net.Losses[^1],10:F4}   {net.Accuracy,8:P1}   {net.MaxRowDifference,20:0.00e+00} / {net.MinRowDifference,-20:0.00e+00}  {net.DeadUnits[0],2} / {Hidden}, {net.DeadUnits[1],2} / {Hidden}"));
        var (zeros, constant, he) = (r.Nets[0], r.Nets[1], r.Nets[2]);
        o.WriteLine("Units that start equal get equal gradients, so every update keeps them equal: after training the rows of the first");
        o.WriteLine(Fmt($"weight matrix still coincide (max distance {zeros.MaxRowDifference:G3} from zeros, {constant.MaxRowDifference:G3} from the constant). From zeros nothing"));
        o.WriteLine("moves at all but the output bias: the ReLUs output 0, so every weight's gradient is 0 and all units count as dead;");
        o.WriteLine("the net predicts one class everywhere. From a constant each layer's sixteen units act as one unit, whose boundary");
        o.WriteLine("is all but a straight line.");
        o.WriteLine(Fmt($"He initialisation draws distinct rows (min distance {he.MinRowDifference:G3}) and fits the moons: accuracy {he.Accuracy:P1}."));

        var fig = new Figure("Two moons: decision boundaries after training", "x₁", "x₂");
        (double, double) xRange = (-1.5, 2.5), yRange = (-1, 1.5);
        fig.XRange = xRange;
        fig.YRange = yRange;
        var xs = r.X;
        for (int c = 0; c <= 1; c++)
        {
            var idx = Enumerable.Range(0, n).Where(i => r.Labels[i] == c).ToArray();
            fig.Scatter("moon " + c.ToString(CultureInfo.InvariantCulture), idx.Select(i => xs[2 * i]).ToArray(), idx.Select(i => xs[2 * i + 1]).ToArray());
        }
        foreach (var net in r.Nets)
        {
            string note = net.MaxRowDifference == 0 && net.DeadUnits.All(d => d == Hidden) ? ", constant logit: no boundary" : "";
            fig.Boundary(net.LogitSurface(xRange, yRange), Fmt($"{net.Init} ({net.Accuracy:P0}{note})"));
        }
        string path = context.PathOf("mlp-init-boundaries.svg");
        fig.Save(path);

        var curves = new Figure("Training loss by initialisation", "step", "logistic loss");
        curves.LogY = true;
        foreach (var net in r.Nets)
            curves.Line(net.Init, Enumerable.Range(0, net.Losses.Count).Select(i => (double)i).ToArray(), net.Losses.ToArray());
        string lossPath = context.PathOf("mlp-init-loss.svg");
        curves.Save(lossPath);
        o.WriteLine($"Plots: {path}, {lossPath}");

        bool ok = zeros.MaxRowDifference < 1e-12 && he.MinRowDifference > 1e-3 && he.Accuracy > zeros.Accuracy;
        return ok ? 0 : 1;
    }

    private static string Fmt(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
