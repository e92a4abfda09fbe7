using AutoGrad;
using AutoGrad.Optim;
using AutoGrad.Optim.Models;
using AutoGrad.Optim.Training;
using Xunit;

namespace AutoGrad.Tests.Reliability;

/// <summary>Heap measurements need the process to themselves: this collection runs after the parallel ones, alone.</summary>
[CollectionDefinition("Alone", DisableParallelization = true)]
public class AloneCollection;

/// <summary>Each thread records on its own tape; long runs neither leak nor corrupt anything.</summary>
[Collection("Alone")]
public class ThreadAndMemoryTests
{
    /// <summary>Trains an MLP (big enough that its products and updates take the multi-threaded kernels) and returns its weights.</summary>
    private static double[] Train(long seed)
    {
        var rng = new Rng(seed);
        var x = Tensor.Randn([128, 64], rng);
        var y = (x.Slice(1, 0, 1) * 2.0 - x.Slice(1, 1, 2)).Tanh();
        var model = new Mlp([64, 256, 256, 1], seed: seed);
        var adam = new Adam(model.Parameters(), new AdamOptions(learningRate: 1e-3));
        Trainer.Fit(model, new DataSet(x, y), (p, t) => Loss.MeanSquaredError(p, t), adam,
            new TrainOptions { Epochs = 2, BatchSize = 64, Seed = seed });
        return model.Parameters().SelectMany(p => p.ToArray()).ToArray();
    }

    [Fact]
    public void Two_models_trained_on_two_threads_match_training_them_one_after_the_other_bit_for_bit()
    {
        var sequential = new[] { Train(1), Train(2) };
        var results = new double[2][];
        var threads = new[] { 0, 1 }.Select(i => new Thread(() => results[i] = Train(i + 1))).ToArray();
        foreach (var t in threads) t.Start();
        foreach (var t in threads) t.Join();
        Assert.Equal(sequential[0], results[0]);
        Assert.Equal(sequential[1], results[1]);
        Assert.NotEqual(results[0], results[1]);
    }

    [Fact]
    public void Recording_is_per_thread()
    {
        var w = Tensor.FromArray([1.0, 2.0]).RequireGrad();
        Tensor? other = null;
        using (GradMode.NoGrad())
        {
            var t = new Thread(() => other = w * 3.0);   // recording is on in the other thread
            t.Start();
            t.Join();
            Assert.False((w * 3.0).RequiresGrad);
        }
        Assert.True(other!.RequiresGrad);
    }

    [Fact]
    public void A_hundred_thousand_value_and_gradient_steps_keep_the_managed_heap_flat()
    {
        var rng = new Rng(5);
        var x = Tensor.Randn([16, 8], rng);
        var y = Tensor.Randn([16, 1], rng);
        var w = Tensor.Randn([8, 1], rng).RequireGrad();
        var sgd = new Sgd([w], new SgdOptions(learningRate: 1e-3));
        void Step()
        {
            using var scope = TensorScope.Begin();
            sgd.ZeroGrad();
            Loss.MeanSquaredError(x.MatMul(w).Tanh(), y).Backward();
            sgd.Step();
        }
        for (int i = 0; i < 10_000; i++) Step();
        long before = GC.GetTotalMemory(forceFullCollection: true);
        for (int i = 0; i < 100_000; i++) Step();
        long after = GC.GetTotalMemory(forceFullCollection: true);
        // The bound, 1 MB over 10⁵ steps (10 bytes a step), is below the smallest object a step could leak (24 bytes);
        // what remains is runtime noise (the JIT's later tiers, the test host).
        Assert.True(after - before < 1 << 20, $"heap grew by {after - before} bytes over 100000 steps");
        Assert.True(double.IsFinite(w.ToArray()[0]));
    }

    [Fact]
    public void Without_a_scope_the_garbage_collector_reclaims_every_step()
    {
        var x = Tensor.Randn([16, 8], seed: 6);
        var w = Tensor.Randn([8, 1], seed: 7).RequireGrad();
        for (int i = 0; i < 10_000; i++) { (x.MatMul(w)).Square().Sum().Backward(); w.ZeroGrad(); }
        long before = GC.GetTotalMemory(true);
        for (int i = 0; i < 100_000; i++) { (x.MatMul(w)).Square().Sum().Backward(); w.ZeroGrad(); }
        long after = GC.GetTotalMemory(true);
        Assert.True(after - before < 1 << 20, $"heap grew by {after - before} bytes over 100000 steps");
    }

    [Fact]
    public void One_tensor_used_a_hundred_thousand_times_gets_the_summed_gradient()
    {
        var x = Tensor.Scalar(0.5).RequireGrad();
        Tensor sum = Tensor.Scalar(0.0);
        for (int i = 0; i < 100_000; i++) sum = sum + x * 2.0;
        sum.Backward();
        Assert.Equal(200_000.0, x.Grad!.Item());
    }
}
