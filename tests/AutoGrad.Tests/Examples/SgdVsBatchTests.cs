using System.Xml.Linq;
using AutoGrad.Examples;

namespace AutoGrad.Tests.Examples;

public class SgdVsBatchTests
{
    private static readonly SgdVsBatchLesson.Result R = SgdVsBatchLesson.Compute(quick: true);

    [Fact]
    public void SGD_ends_within_10_percent_of_batch_GD_and_above_the_minimum()
    {
        Assert.True(R.Batch.FinalLoss < R.MinimumLoss * (1 + 1e-3), $"batch GD {R.Batch.FinalLoss}, minimum {R.MinimumLoss}");
        Assert.InRange(R.Sgd.FinalLoss, R.MinimumLoss - 1e-12, 1.10 * R.Batch.FinalLoss);
        Assert.InRange(R.MiniBatch.FinalLoss, R.MinimumLoss - 1e-12, 1.10 * R.Batch.FinalLoss);
        // The decaying step removes most of the constant step's noise floor.
        Assert.True(R.SgdDecaying.FinalLoss - R.MinimumLoss < 0.2 * (R.Sgd.FinalLoss - R.MinimumLoss));
    }

    [Fact]
    public void Per_gradient_evaluation_SGD_makes_faster_early_progress_than_batch_GD()
    {
        int n = R.Points;
        // One epoch's worth of evaluations: n SGD steps against a single batch step.
        Assert.True(R.Sgd.LossAfter(n) < 0.5 * R.Batch.LossAfter(n), $"SGD {R.Sgd.LossAfter(n)}, batch {R.Batch.LossAfter(n)}");
        Assert.True(R.MiniBatch.LossAfter(n) < R.Batch.LossAfter(n));
        // Batch GD spends all n evaluations on its first step, so its curve has not moved before n.
        Assert.Equal(R.Batch.Curve[0].Loss, R.Batch.LossAfter(n - 1));
        Assert.True(R.Sgd.LossAfter(n / 2) < R.Batch.LossAfter(n / 2));
        Assert.Equal(R.Epochs + 1, R.Sgd.EpochLosses.Length);
    }

    [Fact]
    public void Run_returns_0_and_writes_both_plots()
    {
        var output = new StringWriter();
        var context = LessonContext.ForTests(output);
        Assert.Equal(0, new SgdVsBatchLesson().Run(context));
        Assert.Contains("Minimum of the empirical risk", output.ToString());
        foreach (var name in new[] { "sgd-vs-batch-epochs.svg", "sgd-vs-batch-evaluations.svg" })
            Assert.Equal("svg", XDocument.Load(context.PathOf(name)).Root!.Name.LocalName);
    }
}
