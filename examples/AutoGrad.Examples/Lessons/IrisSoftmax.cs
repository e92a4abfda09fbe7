using System.Globalization;
using AutoGrad;
using AutoGrad.Examples.Data;
using AutoGrad.Examples.Plotting;
using AutoGrad.Optim;
using AutoGrad.Optim.Training;

namespace AutoGrad.Examples;

/// <summary>
/// Lesson 22: softmax regression on a real data set, Fisher's Iris (150 flowers, 4 measurements, 3 species; shipped in
/// <c>Data/iris/</c> with its licence). The rows are shuffled with a fixed seed and split 70/30 into training and test
/// sets; the features are standardised with the training set's mean and standard deviation; W [4, 3] and b [3] start at
/// zero and Adam (η = 0.05) minimises the mean softmax cross-entropy over the full training batch.
/// </summary>
public sealed class IrisSoftmaxLesson : ILesson
{
    public string Name => "iris";
    public int Order => 22;
    public string Summary => "softmax regression on the Iris data set (CSV, standardised, train/test split, Adam): loss curve and test accuracy";

    public const int Seed = 22;
    public const double TrainFraction = 0.7;
    public const double LearningRate = 0.05;

    /// <summary>What the lesson computed; the losses have one entry per step, from the starting point on.</summary>
    public sealed record Result(int TrainCount, int TestCount, IReadOnlyList<string> ClassNames, IReadOnlyList<double> Losses,
        double TrainAccuracy, double TestAccuracy);

    /// <summary>The shipped Iris CSV, beside the assembly.</summary>
    public static string DataPath => CsvTable.DataFile("iris", "iris.csv");

    /// <summary>Loads the shipped Iris CSV: 150 × 4 features and the species as class indices.</summary>
    public static CsvTable LoadIris() => Csv.Load(DataPath, hasHeader: true, labelColumn: "species");

    public static Result Compute(bool quick)
    {
        int steps = quick ? 150 : 400;
        var data = LoadIris();
        int n = data.Rows, d = data.Features.Shape[1], classes = data.ClassNames!.Count;
        var x = data.Features.ToArray2D();
        var y = data.Labels!;

        var order = new Rng(Seed).Permutation(n);
        int nTrain = (int)Math.Round(TrainFraction * n);
        var train = order[..nTrain];
        var test = order[nTrain..];

        // Standardise with the training set's statistics only (the test set must not leak into the model).
        var mean = new double[d];
        var std = new double[d];
        for (int j = 0; j < d; j++)
        {
            mean[j] = train.Average(i => x[i, j]);
            std[j] = Math.Sqrt(train.Sum(i => (x[i, j] - mean[j]) * (x[i, j] - mean[j])) / (train.Length - 1));
        }
        Tensor Rows(int[] idx)
        {
            var a = new double[idx.Length, d];
            for (int r = 0; r < idx.Length; r++)
                for (int j = 0; j < d; j++) a[r, j] = (x[idx[r], j] - mean[j]) / std[j];
            return Tensor.FromArray(a);
        }
        var xTrain = Rows(train);
        var xTest = Rows(test);
        var yTrain = train.Select(i => y[i]).ToArray();
        var yTest = test.Select(i => y[i]).ToArray();

        var w = Tensor.Zeros(d, classes).RequireGrad();
        var b = Tensor.Zeros(classes).RequireGrad();
        var optimizer = new Adam([w, b], new AdamOptions(learningRate: LearningRate));
        var losses = new List<double>(steps + 1);
        for (int step = 0; step <= steps; step++)
        {
            using var scope = TensorScope.Begin();
            optimizer.ZeroGrad();
            var loss = Loss.SoftmaxCrossEntropy(xTrain.MatMul(w) + b, yTrain);
            losses.Add(loss.Item());
            if (step == steps) break;   // the last entry is the loss at the final parameters
            loss.Backward();
            optimizer.Step();
        }

        double trainAccuracy, testAccuracy;
        using (GradMode.NoGrad())
        {
            trainAccuracy = Metrics.Accuracy(xTrain.MatMul(w) + b, yTrain);
            testAccuracy = Metrics.Accuracy(xTest.MatMul(w) + b, yTest);
        }
        return new Result(train.Length, test.Length, data.ClassNames, losses, trainAccuracy, testAccuracy);
    }

    public int Run(LessonContext context)
    {
        context.Progress?.Report(("iris softmax regression", 0));
        var r = Compute(context.Quick);
        context.Progress?.Report(("iris softmax regression", 1));
        var o = context.Out;
        int steps = r.Losses.Count - 1;
        o.WriteLine($"Iris ({DataPath}): {r.TrainCount + r.TestCount} flowers, classes {string.Join(", ", r.ClassNames)}.");
        o.WriteLine($"Split {r.TrainCount} train / {r.TestCount} test (seed {Seed}); features standardised with the training statistics.");
        o.WriteLine($"Softmax regression (W 4x3, b 3, from zero), Adam with eta = {F(LearningRate)}, full batch, {steps} steps.");
        o.WriteLine();
        o.WriteLine("       step   cross-entropy");
        foreach (int k in new[] { 0, 1, 2, 5, 10, 20, 50, 100, 200, 400 }.Where(k => k <= steps).Append(steps).Distinct())
            o.WriteLine($"  {k,9}   {r.Losses[k].ToString("F6", CultureInfo.InvariantCulture),13}");
        o.WriteLine();
        o.WriteLine($"Loss {r.Losses[0].ToString("F4", CultureInfo.InvariantCulture)} (= ln 3) -> {r.Losses[^1].ToString("F4", CultureInfo.InvariantCulture)}; " +
                    $"training accuracy {F(r.TrainAccuracy)}, test accuracy {F(r.TestAccuracy)}.");

        var stepAxis = Enumerable.Range(0, r.Losses.Count).Select(k => (double)k).ToArray();
        string curve = context.PathOf("iris-loss.svg");
        new Figure("Iris: softmax regression with Adam", "step", "training cross-entropy", width: 720, height: 480) { LogY = true }
            .Line("cross-entropy", stepAxis, r.Losses.ToArray())
            .Save(curve);
        o.WriteLine($"Plot: {curve}");
        return r.TestAccuracy >= 0.9 ? 0 : 1;
    }

    private static string F(double v) => v.ToString("G4", CultureInfo.InvariantCulture);
}
