namespace AutoGrad.Tape;

/// <summary>
/// One recorded operation: the op, its inputs, its output and whatever else its backward needs.
/// Inputs up to two are held in fields; more (concat, custom ops) in <see cref="Many"/>.
/// </summary>
internal sealed class Node
{
    public readonly Op Op;
    public Tensor? A, B;
    public Tensor[]? Many;
    public Tensor? Output;
    /// <summary>Op-specific state saved for backward (axes, shapes, a context object).</summary>
    public object? Saved;
    /// <summary>A scalar argument saved for backward (an exponent, a clamp bound).</summary>
    public double Arg0, Arg1;
    public bool Released;
    public readonly int Arity;

    // Scratch for one reverse sweep (see Engine): the sweep that last visited, and this node's slot in it.
    internal int Stamp, Slot;

    public Node(Op op, Tensor output, Tensor a, Tensor? b)
    {
        Op = op; Output = output; A = a; B = b;
        Arity = b is null ? 1 : 2;
    }

    public Node(Op op, Tensor output, Tensor[] inputs)
    {
        Op = op; Output = output; Many = inputs;
        Arity = inputs.Length;
    }

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
