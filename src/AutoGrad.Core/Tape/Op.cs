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

    /// <summary>
    /// Forward mode: the tangent of the output, J·ẋ, given the inputs' tangents (null entries are zero); null for a
    /// zero tangent. It may have any shape that broadcasts to the output's. Written with tensor operations.
    /// </summary>
    /// <remarks>
    /// This default needs no rule of its own: the backward rule is linear in its upstream gradient u, so
    /// ẏ = ∂/∂u Σᵢ⟨Jᵢᵀu, ẋᵢ⟩ is one reverse pass over the recorded backward rule. Ops override it with a direct
    /// rule (elementwise: ẋ ⊙ f′; linear ops: the op itself applied to the tangents) to save that pass.
    /// </remarks>
    public virtual Tensor? Jvp(Node node, Tensor?[] tangents)
    {
        using var forwardOff = Forward.Suspend();
        using var record = GradMode.EnableGrad();
        var u = Tensor.ZerosLike(node.Output!).RequireGrad();
        var grads = new Tensor?[node.Arity];
        node.NeedsAll = true;
        try { Backward(node, u, grads); }
        finally { node.NeedsAll = false; }
        Tensor? s = null;
        for (int i = 0; i < grads.Length; i++)
        {
            if (grads[i] is not { } gi || tangents[i] is not { } ti) continue;
            var term = (Engine.Conform(node, i, node.Input(i), gi) * ti).Sum();
            s = s is null ? term : s + term;
        }
        if (s is null) return null;
        var r = Diff.Grad(s, [u])[0];
        return r;
    }

    /// <summary>For an elementwise op (diagonal Jacobian, so J = Jᵀ): the backward rule applied to the tangent.</summary>
    protected Tensor? DiagonalJvp(Node node, Tensor?[] tangents)
    {
        if (tangents[0] is not { } t) return null;
        var grads = new Tensor?[node.Arity];
        Backward(node, t, grads);
        return grads[0];
    }

    /// <summary>The sum of two optional tangents (null is zero).</summary>
    protected static Tensor? Sum(Tensor? a, Tensor? b) => a is null ? b : b is null ? a : a + b;

    /// <summary>Tangents with zeros in place of the missing ones, for linear ops whose rule is the op itself.</summary>
    protected static Tensor[] ZerosForMissing(Node node, Tensor?[] tangents)
    {
        var r = new Tensor[tangents.Length];
        for (int i = 0; i < r.Length; i++) r[i] = tangents[i] ?? Tensor.ZerosLike(node.Input(i));
        return r;
    }
}
