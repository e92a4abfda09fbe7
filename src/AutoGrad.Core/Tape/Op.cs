namespace AutoGrad.Tape;

/// <summary>
/// A differentiable primitive. One instance serves every recorded use (per-use state lives in the
/// <see cref="Node"/>), so recording allocates no closure. Subclasses sit beside their forward code in
/// the op family files under Ops/.
/// </summary>
internal abstract class Op
{
    /// <summary>The name used in messages and tape printouts.</summary>
    public abstract string Name { get; }

    /// <summary>
    /// True when the gradients this op returns may have the broadcast output's shape and are summed back
    /// to each input's shape by the engine. Custom ops must return exact shapes.
    /// </summary>
    public virtual bool GradientsMayBroadcast => true;

    /// <summary>
    /// Writes into <paramref name="grads"/>[i] the gradient with respect to input i, given the gradient
    /// <paramref name="g"/> of the output; null means zero. Written with differentiable tensor operations,
    /// so that it is recorded when a higher derivative is asked for.
    /// </summary>
    public abstract void Backward(Node node, Tensor g, Tensor?[] grads);

    /// <summary>
    /// Recomputes this op's output from other input values, with the arguments saved in <paramref name="node"/>
    /// (axes, exponents, shapes). GradCheck uses it to check one recorded operation on its own.
    /// </summary>
    public abstract Tensor Replay(Node node, Tensor[] inputs);
}
