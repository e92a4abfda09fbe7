using System.Globalization;

namespace AutoGrad.Optim.Models;

/// <summary>
/// Modules applied one after another, as <c>torch.nn.Sequential</c>: the output of each is the input of the next.
/// The layers are children named "0", "1", …, so the parameters are "0.weight", "0.bias", "2.weight", ….
/// </summary>
/// <remarks>
/// The construction checks that consecutive layers agree on the number of features wherever both sizes are known
/// (<see cref="Linear"/>, <see cref="BatchNorm1d"/>, nested sequences; activations pass the size through), so a
/// mismatch is reported when the model is built, naming both layers, rather than at the first forward pass.
/// The check reads features on the last axis, the layout [N, features] of everything here; a
/// <see cref="BatchNorm1d"/> on [N, C, L] normalises axis 1, and a Linear acting on L before it would be refused.
/// An empty sequence is the identity.
/// </remarks>
public class Sequential : Module
{
    private readonly Module[] _layers;
    private readonly int? _in, _out;
    private readonly bool _keeps;

    /// <summary>The sequence <paramref name="layers"/>, applied in order.</summary>
    /// <exception cref="ArgumentException">A layer is null or repeated, or two consecutive layers disagree on the number of features.</exception>
    public Sequential(params Module[] layers)
    {
        ArgumentNullException.ThrowIfNull(layers);
        for (int i = 0; i < layers.Length; i++)
        {
            if (layers[i] is null) throw new ArgumentNullException(nameof(layers), FormattableString.Invariant($"Sequential: layer {i} is null."));
            for (int j = 0; j < i; j++)
                if (ReferenceEquals(layers[i], layers[j]))
                    throw new ArgumentException(FormattableString.Invariant($"Sequential: layer {i} is the same module as layer {j}; create a new module for each position."), nameof(layers));
        }
        (_in, _out, _keeps) = CheckFeatures(layers);
        _layers = (Module[])layers.Clone();
        for (int i = 0; i < _layers.Length; i++) RegisterModule(i.ToString(CultureInfo.InvariantCulture), _layers[i]);
    }

    /// <summary>The layers, in order.</summary>
    public IReadOnlyList<Module> Layers => _layers;

    /// <summary>The number of layers.</summary>
    public int Count => _layers.Length;

    /// <summary>The layer at <paramref name="index"/>.</summary>
    public Module this[int index] => _layers[index];

    /// <summary>Applies every layer in turn.</summary>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var x = input;
        foreach (var layer in _layers) x = layer.Forward(x);
        return x;
    }

    internal override int? InFeatureCount => _in;
    internal override int? OutFeatureCount => _out;
    internal override bool KeepsFeatures => _keeps;

    /// <summary>Walks the layers tracking the known number of features; throws at the first disagreement.</summary>
    private static (int? In, int? Out, bool Keeps) CheckFeatures(Module[] layers)
    {
        int? current = null, first = null;
        int producer = -1;
        bool started = false;
        for (int i = 0; i < layers.Length; i++)
        {
            var layer = layers[i];
            if (layer.KeepsFeatures) continue;
            if (!started)
            {
                first = layer.InFeatureCount;
                started = true;
            }
            if (current is int c && layer.InFeatureCount is int need && c != need)
                throw new ArgumentException(
                    FormattableString.Invariant($"Sequential: layer {i}, {layer.Describe()}, takes {need} features but layer {producer}, {layers[producer].Describe()}, produces {c}."), nameof(layers));
            current = layer.OutFeatureCount;
            producer = i;
        }
        return (first, current, !started);
    }
}
