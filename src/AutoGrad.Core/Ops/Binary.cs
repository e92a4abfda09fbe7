using AutoGrad.Kernels;
using AutoGrad.Tape;

namespace AutoGrad.Ops;

/// <summary>
/// An elementwise function of two broadcast inputs. Rules return gradients of the output's shape;
/// the engine sums them back to each input's shape.
/// </summary>
internal abstract class BinaryOp : Op
{
    public Tensor Apply(Tensor a, Tensor b)
    {
        var y = Forward(a, b);
        GradMode.Record(this, y, a, b);
        return y;
    }

    protected abstract Tensor Forward(Tensor a, Tensor b);

    public override Tensor Replay(Node n, Tensor[] inputs) => Apply(inputs[0], inputs[1]);
}

/// <summary>a + b; gradients g, g.</summary>
internal sealed class AddOp : BinaryOp
{
    public static readonly AddOp I = new();
    public override string Name => "Add";
    protected override Tensor Forward(Tensor a, Tensor b) => Compute.Zip<AddKernel>(Name, a, b);
    public override void Backward(Node n, Tensor g, Tensor?[] grads) { grads[0] = g; grads[1] = g; }

    public override Tensor? Jvp(Node n, Tensor?[] t) => Sum(t[0], t[1]);
}

/// <summary>a − b; gradients g, −g.</summary>
internal sealed class SubOp : BinaryOp
{
    public static readonly SubOp I = new();
    public override string Name => "Sub";
    protected override Tensor Forward(Tensor a, Tensor b) => Compute.Zip<SubKernel>(Name, a, b);
    public override void Backward(Node n, Tensor g, Tensor?[] grads) { grads[0] = g; grads[1] = n.Needs(1) ? -g : null; }

    public override Tensor? Jvp(Node n, Tensor?[] t) => Sum(t[0], t[1] is { } tb ? -tb : null);
}

/// <summary>a · b; gradients g·b, g·a.</summary>
internal sealed class MulOp : BinaryOp
{
    public static readonly MulOp I = new();
    public override string Name => "Mul";
    protected override Tensor Forward(Tensor a, Tensor b) => Compute.Zip<MulKernel>(Name, a, b);
    public override void Backward(Node n, Tensor g, Tensor?[] grads)
    {
        if (n.Needs(0)) grads[0] = g * n.B!;
        if (n.Needs(1)) grads[1] = g * n.A!;
    }

    public override Tensor? Jvp(Node n, Tensor?[] t) => Sum(t[0] is { } ta ? ta * n.B! : null, t[1] is { } tb ? n.A! * tb : null);
}

/// <summary>a / b; gradients g/b, −g·a/b².</summary>
internal sealed class DivOp : BinaryOp
{
    public static readonly DivOp I = new();
    public override string Name => "Div";
    protected override Tensor Forward(Tensor a, Tensor b) => Compute.Zip<DivKernel>(Name, a, b);
    public override void Backward(Node n, Tensor g, Tensor?[] grads)
    {
        var gb = g / n.B!;
        if (n.Needs(0)) grads[0] = gb;
        if (n.Needs(1)) grads[1] = -gb * n.A! / n.B!;
    }

    public override Tensor? Jvp(Node n, Tensor?[] t) => Sum(t[0], t[1] is { } tb ? -n.Output! * tb : null) is { } s ? s / n.B! : null;
}

/// <summary>aᵇ; gradients g·b·aᵇ⁻¹ and g·aᵇ·ln a (the latter needs a &gt; 0).</summary>
internal sealed class PowOp : BinaryOp
{
    public static readonly PowOp I = new();
    public override string Name => "Pow";
    protected override Tensor Forward(Tensor a, Tensor b) => Compute.Zip<PowKernel>(Name, a, b);
    public override void Backward(Node n, Tensor g, Tensor?[] grads)
    {
        var a = n.A!; var b = n.B!;
        if (n.Needs(0)) grads[0] = g * b * a.Pow(b - 1.0);
        if (n.Needs(1)) grads[1] = g * n.Output! * a.Log();
    }

    public override Tensor? Jvp(Node n, Tensor?[] t) => Sum(t[0] is { } ta ? ta * n.B! * n.A!.Pow(n.B! - 1.0) : null, t[1] is { } tb ? tb * n.Output! * n.A!.Log() : null);
}

/// <summary>max(a, b); the gradient goes to the larger input, split equally at ties.</summary>
internal sealed class MaximumOp : BinaryOp
{
    public static readonly MaximumOp I = new();
    public override string Name => "Maximum";
    protected override Tensor Forward(Tensor a, Tensor b) => Compute.Zip<MaxKernel>(Name, a, b);
    public override void Backward(Node n, Tensor g, Tensor?[] grads) => Split(n, g, grads, Compute.Zip<CompareKernel<Gt>>(Name, n.A!, n.B!));

    /// <summary>The weights (w, 1 − w) of a and b: w is 1 where a wins, ½ at ties, 0 where b wins. Masks, not recorded.</summary>
    private static (Tensor A, Tensor B) Weights(Node n, Tensor aWins)
    {
        var ties = Compute.Zip<CompareKernel<Eq>>("Maximum", n.A!, n.B!);
        var w = Compute.Zip<AddKernel>("Maximum", aWins, Compute.ZipScalar<MulKernel>(ties, 0.5));
        return (w, Compute.ZipScalar<SubKernel>(w, 1.0).Neg());
    }

    /// <summary>The tangent ȧ·w + ḃ·(1 − w) with the weights of <see cref="Split"/>.</summary>
    internal static Tensor? SplitJvp(Node n, Tensor?[] t, Tensor aWins)
    {
        var (wa, wb) = Weights(n, aWins);
        return Sum(t[0] is { } ta ? ta * wa : null, t[1] is { } tb ? tb * wb : null);
    }

    /// <summary>Sends g·w to a and g·(1 − w) to b (see <see cref="Weights"/>).</summary>
    internal static void Split(Node n, Tensor g, Tensor?[] grads, Tensor aWins)
    {
        var (wa, wb) = Weights(n, aWins);
        if (n.Needs(0)) grads[0] = g * wa;
        if (n.Needs(1)) grads[1] = g * wb;
    }

    public override Tensor? Jvp(Node n, Tensor?[] t) => SplitJvp(n, t, Compute.Zip<CompareKernel<Gt>>(Name, n.A!, n.B!));
}

/// <summary>min(a, b); the gradient goes to the smaller input, split equally at ties.</summary>
internal sealed class MinimumOp : BinaryOp
{
    public static readonly MinimumOp I = new();
    public override string Name => "Minimum";
    protected override Tensor Forward(Tensor a, Tensor b) => Compute.Zip<MinKernel>(Name, a, b);
    public override void Backward(Node n, Tensor g, Tensor?[] grads) => MaximumOp.Split(n, g, grads, Compute.Zip<CompareKernel<Lt>>(Name, n.A!, n.B!));

    public override Tensor? Jvp(Node n, Tensor?[] t) => MaximumOp.SplitJvp(n, t, Compute.Zip<CompareKernel<Lt>>(Name, n.A!, n.B!));
}

/// <summary>where(mask, a, b); gradients where(mask, g, 0) and where(mask, 0, g). The mask is saved, not differentiated.</summary>
internal sealed class WhereOp : Op
{
    public static readonly WhereOp I = new();
    public override string Name => "Where";

    public Tensor Apply(Tensor mask, Tensor a, Tensor b)
    {
        Compute.SameType(Name, a, b);
        Compute.SameType(Name, mask, a);
        var dims = Shape.Broadcast(Name, Shape.Broadcast(Name, mask.Dims, a.Dims), b.Dims);
        var y = Compute.Where(mask, a, b, dims);
        if (GradMode.Record(this, y, a, b) is { } n) n.Saved = mask;
        return y;
    }

    public override void Backward(Node n, Tensor g, Tensor?[] grads)
    {
        var mask = (Tensor)n.Saved!;
        var zero = g.ScalarLike(0);
        if (n.Needs(0)) grads[0] = Apply(mask, g, zero);
        if (n.Needs(1)) grads[1] = Apply(mask, zero, g);
    }

    public override Tensor Replay(Node n, Tensor[] inputs) => Apply((Tensor)n.Saved!, inputs[0], inputs[1]);

    public override Tensor? Jvp(Node n, Tensor?[] t) =>
        t[0] is null && t[1] is null ? null
        : Apply((Tensor)n.Saved!, t[0] ?? n.A!.ScalarLike(0), t[1] ?? n.B!.ScalarLike(0));
}
