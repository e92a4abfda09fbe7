namespace AutoGrad.Optim.Training;

/// <summary>One mini-batch: the examples at <see cref="Indices"/> of a <see cref="DataSet"/>.</summary>
/// <param name="Epoch">The epoch it belongs to.</param>
/// <param name="Index">Its position in the epoch, from 0.</param>
/// <param name="Indices">The indices of its examples in the data set.</param>
/// <param name="Features">Their features, [b, …]: a copy, or the data set's own tensor for a whole epoch in the original order.</param>
/// <param name="Targets">Their targets, [b, …], likewise.</param>
public sealed record Batch(int Epoch, int Index, int[] Indices, Tensor Features, Tensor Targets)
{
    /// <summary>The number of examples b.</summary>
    public int Count => Indices.Length;
}

/// <summary>
/// The mini-batches of a <see cref="DataSet"/>, epoch by epoch: each epoch visits every example exactly once, in an
/// order drawn afresh per epoch (as <c>torch.utils.data.DataLoader(shuffle=True)</c>). A batch size of 1 gives
/// stochastic gradient descent, k a mini-batch method, and <see cref="All"/> (or any size ≥ n) one batch of
/// everything: batch gradient descent.
/// </summary>
/// <remarks>
/// The order of epoch e depends only on the seed and e (a generator seeded from both), not on which epochs were
/// drawn before, so any epoch can be reproduced on its own. With <c>dropLast</c>, a last batch smaller than the batch
/// size is left out (its examples are then not visited in that epoch, and differ from epoch to epoch when shuffling).
/// </remarks>
public sealed class MiniBatches
{
    /// <summary>A batch size meaning "every example in one batch" (batch gradient descent).</summary>
    public const int All = int.MaxValue;

    /// <summary>The mini-batches of <paramref name="data"/>.</summary>
    /// <param name="data">The examples.</param>
    /// <param name="batchSize">Examples per batch, ≥ 1; a size ≥ n (such as <see cref="All"/>) makes one batch of all n.</param>
    /// <param name="shuffle">Draw a new order each epoch (default); otherwise the data set's order every epoch.</param>
    /// <param name="dropLast">Leave out a last batch smaller than the batch size.</param>
    /// <param name="seed">Seeds the orders.</param>
    /// <exception cref="ArgumentOutOfRangeException">The batch size is not positive.</exception>
    public MiniBatches(DataSet data, int batchSize, bool shuffle = true, bool dropLast = false, long seed = 0)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (batchSize <= 0)
            throw new ArgumentOutOfRangeException(nameof(batchSize), FormattableString.Invariant($"MiniBatches: the batch size must be ≥ 1 (or MiniBatches.All), got {batchSize}."));
        Data = data;
        BatchSize = Math.Min(batchSize, data.Count);
        Shuffle = shuffle;
        DropLast = dropLast;
        Seed = seed;
    }

    /// <summary>The examples.</summary>
    public DataSet Data { get; }

    /// <summary>The batch size in use: the requested one, or n when that was larger.</summary>
    public int BatchSize { get; }

    /// <summary>Whether each epoch draws a new order.</summary>
    public bool Shuffle { get; }

    /// <summary>Whether a last, smaller batch is left out.</summary>
    public bool DropLast { get; }

    /// <summary>The seed of the orders.</summary>
    public long Seed { get; }

    /// <summary>The number of batches in each epoch: ⌈n/b⌉, or ⌊n/b⌋ with <see cref="DropLast"/>.</summary>
    public int BatchesPerEpoch => DropLast ? Data.Count / BatchSize : (Data.Count + BatchSize - 1) / BatchSize;

    /// <summary>The order in which epoch <paramref name="epoch"/> visits the examples: a permutation of 0 … n − 1.</summary>
    public int[] Order(int epoch)
    {
        if (!Shuffle)
        {
            var identity = new int[Data.Count];
            for (int i = 0; i < identity.Length; i++) identity[i] = i;
            return identity;
        }
        return new Rng(EpochSeed(Seed, epoch)).Permutation(Data.Count);
    }

    /// <summary>The indices of each batch of epoch <paramref name="epoch"/>, in order.</summary>
    public int[][] BatchIndices(int epoch)
    {
        var order = Order(epoch);
        var batches = new int[BatchesPerEpoch][];
        for (int k = 0; k < batches.Length; k++)
            batches[k] = order[(k * BatchSize)..Math.Min((k + 1) * BatchSize, order.Length)];
        return batches;
    }

    /// <summary>The batches of epoch <paramref name="epoch"/>, each copied from the data set when it is reached.</summary>
    public IEnumerable<Batch> Epoch(int epoch)
    {
        var indices = BatchIndices(epoch);
        for (int k = 0; k < indices.Length; k++)
            yield return new Batch(epoch, k, indices[k], Take(Data.Features, indices[k]), Take(Data.Targets, indices[k]));
    }

    /// <summary>The rows at <paramref name="indices"/>; the whole tensor when they are 0 … n − 1 in order (batch gradient descent without shuffling).</summary>
    private static Tensor Take(Tensor t, int[] indices)
    {
        bool identity = indices.Length == t.Dims[0];
        for (int i = 0; identity && i < indices.Length; i++) identity = indices[i] == i;
        return identity ? t : t.IndexSelect(0, indices);
    }

    /// <summary>A seed for one epoch, mixing the seed and the epoch through SplitMix64's finaliser so that nearby pairs give unrelated orders.</summary>
    private static long EpochSeed(long seed, int epoch)
    {
        ulong z = Mix((ulong)seed) ^ ((ulong)(uint)epoch * 0x9E3779B97F4A7C15UL);
        return (long)Mix(z);

        static ulong Mix(ulong x)
        {
            x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
            x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
            return x ^ (x >> 31);
        }
    }
}
