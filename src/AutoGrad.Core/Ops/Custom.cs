using AutoGrad.Tape;

namespace AutoGrad;

/// <summary>
/// A user-defined differentiable operation, like PyTorch's <c>autograd.Function</c>: subclass it, compute the
/// result in <see cref="Forward"/> and the gradients in <see cref="Backward"/>, then call <see cref="Apply"/>.
/// </summary>
/// <remarks>
/// <see cref="Forward"/> runs without recording. <see cref="Backward"/> runs without recording for first
/// derivatives; when a higher derivative is asked for it is recorded, so write it with tensor operations
/// for second derivatives to be right. It must return one gradient per input, each of that input's exact
/// shape and element type (or null for zero); anything else fails at once naming the operation, the input
/// index and both shapes. <c>GradCheck</c> checks a custom operation against finite differences.
/// </remarks>
public abstract class Function
{
    /// <summary>The name shown in messages and tape printouts (the class name by default).</summary>
    public virtual string Name => GetType().Name;

    /// <summary>Computes the result from the inputs; save what backward needs in <paramref name="ctx"/>.</summary>
    protected internal abstract Tensor Forward(FunctionContext ctx, Tensor[] inputs);

    /// <summary>The gradient with respect to each input given the output gradient <paramref name="gradOutput"/>; null entries mean zero.</summary>
    protected internal abstract Tensor?[] Backward(FunctionContext ctx, Tensor gradOutput);

    /// <summary>Runs the operation on <paramref name="inputs"/>, recording it when an input requires gradients.</summary>
    public Tensor Apply(params Tensor[] inputs)
    {
        var ctx = new FunctionContext(inputs);
        Tensor y;
        using (GradMode.NoGrad()) y = Forward(ctx, inputs);
        // The result must be a tensor of its own: recording on an input would rewire that input's history.
        if (Array.IndexOf(inputs, y) >= 0) y = y.Copy();
        if (GradMode.Record(new CustomOp(this), y, inputs) is { } n) n.Saved = ctx;
        return y;
    }
}

/// <summary>What a <see cref="Function"/> keeps between its forward and backward.</summary>
public sealed class FunctionContext
{
    internal FunctionContext(Tensor[] inputs) => Inputs = inputs;

    /// <summary>The inputs of the call.</summary>
    public IReadOnlyList<Tensor> Inputs { get; }

    /// <summary>Tensors saved by <see cref="SaveForBackward"/>.</summary>
    public IReadOnlyList<Tensor> Saved { get; private set; } = [];

    /// <summary>Saves tensors for backward (replacing what was saved before).</summary>
    public void SaveForBackward(params Tensor[] tensors) => Saved = tensors;
}

/// <summary>The tape's view of a <see cref="Function"/>.</summary>
internal sealed class CustomOp(Function f) : Op
{
    public override string Name => f.Name;
    public override bool GradientsMayBroadcast => false;

    public override void Backward(Node n, Tensor g, Tensor?[] grads)
    {
        var r = f.Backward((FunctionContext)n.Saved!, g);
        if (r.Length != n.Arity)
            throw new InvalidOperationException(FormattableString.Invariant($"{Name}: backward returned {r.Length} gradients for {n.Arity} inputs."));
        r.CopyTo(grads, 0);
    }

    public override Tensor Replay(Node n, Tensor[] inputs) => f.Apply(inputs);
}
