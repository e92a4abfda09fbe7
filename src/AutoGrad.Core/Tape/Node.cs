namespace AutoGrad.Tape;

/// <summary>
/// One recorded operation: the op, its inputs, its output and whatever else its backward needs.
/// Inputs up to two are held in fields; more (concat, custom ops) in <see cref="Many"/>.
/// </summary>
/// <remarks>
/// Only its output tensor refers to a node (through <see cref="Tensor.GradFn"/>), so when a <see cref="TensorScope"/>
/// recycles that tensor the node goes back to the thread's pool (see the Rent methods) for the next recorded operation.
/// </remarks>
internal sealed class Node
{
    public Op Op = null!;
    public Tensor? A, B;
    public Tensor[]? Many;
    public Tensor? Output;
    /// <summary>Op-specific state saved for backward (axes, shapes, a context object).</summary>
    public object? Saved;
    /// <summary>A scalar argument saved for backward (an exponent, a clamp bound).</summary>
    public double Arg0, Arg1;
    public bool Released;
    public int Arity;

    /// <summary>The inputs' and the output's <see cref="Tensor.Version"/> when recorded (more than two inputs: in
    /// <see cref="VersionMany"/>, only when one of them was non-zero).</summary>
    public int VersionA, VersionB, VersionOut;
    public int[]? VersionMany;

    /// <summary>Where user code recorded this node, kept only inside <see cref="Anomaly.Detect"/>.</summary>
    public string? RecordedAt;

    // Scratch for one reverse sweep (see Engine): the sweep that last visited, and this node's slot in it.
    internal int Stamp, Slot;

    [ThreadStatic] private static Stack<Node>? _pool;

    private Node() { }

    /// <summary>A node for an op with one or two inputs, from this thread's pool when it has one.</summary>
    public static Node Rent(Op op, Tensor output, Tensor a, Tensor? b)
    {
        var n = _pool is { Count: > 0 } p ? p.Pop() : new Node();
        n.Op = op; n.Output = output; n.A = a; n.B = b;
        n.Arity = b is null ? 1 : 2;
        return n;
    }

    /// <summary>A node for an op with any number of inputs.</summary>
    public static Node Rent(Op op, Tensor output, Tensor[] inputs)
    {
        var n = _pool is { Count: > 0 } p ? p.Pop() : new Node();
        n.Op = op; n.Output = output; n.Many = inputs;
        n.Arity = inputs.Length;
        return n;
    }

    /// <summary>Called by the recycled output tensor: nothing else can reach this node any more.</summary>
    public void Return()
    {
        A = B = null; Many = null; Output = null; Saved = null; Op = null!;
        Arg0 = Arg1 = 0; Released = false; NeedsAll = false; Arity = 0; Stamp = 0; Slot = 0;
        VersionA = VersionB = VersionOut = 0; VersionMany = null; RecordedAt = null;
        (_pool ??= new()).Push(this);
    }

    /// <summary>
    /// Throws if an input or the output was changed in place after this node recorded it (its version moved): its
    /// backward rule would read the new values and return a wrong gradient.
    /// </summary>
    public void CheckVersions()
    {
        for (int i = 0; i < Arity; i++)
        {
            var x = Input(i);
            int then = Many is not null ? VersionMany?[i] ?? 0 : i == 0 ? VersionA : VersionB;
            if (x.Version != then) ThrowModified($"its input {i}", x, then);
        }
        if (Output is { } y && y.Version != VersionOut) ThrowModified("its output", y, VersionOut);
    }

    private void ThrowModified(string which, Tensor t, int then) => throw new InvalidOperationException(
        $"Backward through {Op.Name}: {which} (shape {Shape.Format(t.Dims)}) was changed in place after {Op.Name} recorded it " +
        $"(version {t.Version}, recorded at version {then}), so its gradient would be wrong. Change a copy instead, or make the " +
        "change before the operation that uses the tensor (optimizers update parameters after backward for this reason).");

    public Tensor Input(int i) => Many is not null ? Many[i] : i == 0 ? A! : B!;

    /// <summary>True if input i needs a gradient (it requires one, or a forward-mode rule asks for every input's).</summary>
    public bool Needs(int i) => NeedsAll || Input(i).RequiresGrad;

    /// <summary>Set while <see cref="Op.Jvp"/>'s default rule runs the backward for every input.</summary>
    internal bool NeedsAll;

    public void Release()
    {
        // A pending tangent still needs the saved values.
        if (Output is not null) Forward.Resolve(Output);
        A = B = null; Many = null; Output = null; Saved = null;
        Released = true;
    }
}
