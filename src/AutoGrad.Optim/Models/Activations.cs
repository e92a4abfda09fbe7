namespace AutoGrad.Optim.Models;

/// <summary>The elementwise activations that <see cref="Mlp"/> puts between its linear layers.</summary>
public enum Activation
{
    /// <summary>max(x, 0) (<see cref="Models.Relu"/>). The usual choice with <see cref="Init.HeNormal"/>.</summary>
    Relu,
    /// <summary>tanh x (<see cref="Models.Tanh"/>).</summary>
    Tanh,
    /// <summary>1/(1 + e⁻ˣ) (<see cref="Models.Sigmoid"/>).</summary>
    Sigmoid,
    /// <summary>x (<see cref="Models.Identity"/>): the network is then linear, whatever its depth.</summary>
    Identity,
}

/// <summary>Turns an <see cref="Activation"/> into its module.</summary>
public static class ActivationExtensions
{
    /// <summary>A new module computing <paramref name="activation"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An undefined enum value.</exception>
    public static Module ToModule(this Activation activation) => activation switch
    {
        Activation.Relu => new Relu(),
        Activation.Tanh => new Tanh(),
        Activation.Sigmoid => new Sigmoid(),
        Activation.Identity => new Identity(),
        _ => throw new ArgumentOutOfRangeException(nameof(activation), FormattableString.Invariant($"Activation: unknown value {(int)activation}; use Relu, Tanh, Sigmoid or Identity.")),
    };
}

/// <summary>
/// A module applying a function elementwise (an activation): the number of features passes through, which
/// <see cref="Sequential"/> relies on when it checks consecutive layers' sizes. Derive from it for activations of one's own.
/// </summary>
public abstract class ElementwiseModule : Module
{
    /// <summary>For derived activations.</summary>
    protected ElementwiseModule() { }

    internal override bool KeepsFeatures => true;
}

/// <summary>max(x, 0) elementwise, as <c>torch.nn.ReLU</c>. Convention at the kink: relu′(0) = 0 (see <see cref="Tensor.Relu"/>).</summary>
public sealed class Relu : ElementwiseModule
{
    /// <inheritdoc/>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return input.Relu();
    }
}

/// <summary>tanh x elementwise, as <c>torch.nn.Tanh</c>.</summary>
public sealed class Tanh : ElementwiseModule
{
    /// <inheritdoc/>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return input.Tanh();
    }
}

/// <summary>The logistic function 1/(1 + e⁻ˣ) elementwise, as <c>torch.nn.Sigmoid</c> (never overflows; see <see cref="Tensor.Sigmoid"/>).</summary>
public sealed class Sigmoid : ElementwiseModule
{
    /// <inheritdoc/>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return input.Sigmoid();
    }
}

/// <summary>The identity: returns its input, as <c>torch.nn.Identity</c>.</summary>
public sealed class Identity : ElementwiseModule
{
    /// <inheritdoc/>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return input;
    }
}
