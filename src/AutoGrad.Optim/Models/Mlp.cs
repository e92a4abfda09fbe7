namespace AutoGrad.Optim.Models;

/// <summary>
/// A multilayer perceptron: <see cref="Linear"/> layers of the given sizes with an activation after each but the
/// last, as a <see cref="Sequential"/>. <c>new Mlp([2, 16, 16, 1], Activation.Relu)</c> is
/// Linear(2 → 16), ReLU, Linear(16 → 16), ReLU, Linear(16 → 1), with parameters "0.weight", "0.bias", "2.weight", ….
/// </summary>
/// <remarks>The output layer has no activation: it gives scores or logits for a loss that applies its own link
/// (<see cref="Loss.Logistic"/>, <see cref="Loss.SoftmaxCrossEntropy(Tensor, int[], Reduction)"/>) or predictions
/// for a regression loss.</remarks>
public sealed class Mlp : Sequential
{
    /// <summary>
    /// A perceptron with layer sizes <paramref name="sizes"/> (input, hidden…, output), initialised from one generator
    /// seeded with <paramref name="seed"/>, layer by layer.
    /// </summary>
    /// <param name="sizes">At least two positive sizes: the number of inputs, of each hidden layer's units, and of outputs.</param>
    /// <param name="activation">The activation between layers (default ReLU).</param>
    /// <param name="init">The initialisation of every linear layer; null for <see cref="Init.TorchDefault"/>, as <see cref="Linear"/>.</param>
    /// <param name="seed">Seeds the initialisation (default 0).</param>
    /// <exception cref="ArgumentException">Fewer than two sizes, or a size that is not positive.</exception>
    public Mlp(int[] sizes, Activation activation = Activation.Relu, Init? init = null, long seed = 0)
        : base(Build(sizes, activation, init, seed))
    {
        Sizes = (int[])sizes.Clone();
        Activation = activation;
        Linears = Layers.OfType<Linear>().ToArray();
    }

    /// <summary>The layer sizes: input, hidden…, output.</summary>
    public IReadOnlyList<int> Sizes { get; }

    /// <summary>The activation between layers.</summary>
    public Activation Activation { get; }

    /// <summary>The linear layers, from input to output (<c>Linears[0].Weight</c> holds the first hidden layer's units as rows).</summary>
    public IReadOnlyList<Linear> Linears { get; }

    private static Module[] Build(int[] sizes, Activation activation, Init? init, long seed)
    {
        ArgumentNullException.ThrowIfNull(sizes);
        if (sizes.Length < 2)
            throw new ArgumentException(FormattableString.Invariant($"Mlp: needs at least two sizes (inputs and outputs), got {Shape.Format(sizes)}."), nameof(sizes));
        for (int i = 0; i < sizes.Length; i++)
            if (sizes[i] <= 0)
                throw new ArgumentException(FormattableString.Invariant($"Mlp: sizes[{i}] = {sizes[i]} in {Shape.Format(sizes)}; every layer size must be positive."), nameof(sizes));
        _ = activation.ToModule();
        var rng = new Rng(seed);
        var layers = new List<Module>();
        for (int i = 0; i + 1 < sizes.Length; i++)
        {
            layers.Add(new Linear(sizes[i], sizes[i + 1], rng, bias: true, init));
            if (i + 2 < sizes.Length) layers.Add(activation.ToModule());
        }
        return [.. layers];
    }
}
