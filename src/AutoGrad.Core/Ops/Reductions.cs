using AutoGrad.Kernels;
using AutoGrad.Tape;

namespace AutoGrad.Ops;

/// <summary>State saved by a reduction: the input's shape and the sorted axes reduced.</summary>
internal sealed record ReduceInfo(int[] InputDims, int[] Axes, bool KeepDims)
{
    /// <summary>Reshapes a reduced result (or its gradient) so that it broadcasts against the input.</summary>
    public Tensor Keep(Tensor t) => KeepDims ? t : t.Reshape(Shape.Reduced(InputDims, Axes, true));
}

/// <summary>
/// A reduction over a set of axes. Subclasses give the forward computation and the rule; the axes are
/// normalised, and saved with the input's shape for backward, here.
/// </summary>
internal abstract class ReductionOp : Op
{
    public Tensor Apply(Tensor x, int[]? axes, bool keepDims)
    {
        var ax = Shape.Axes(Name, axes, x.Dims);
        var y = Forward(x, ax, keepDims);
        if (GradMode.Record(this, y, x) is { } n) n.Saved = new ReduceInfo(x.Dims, ax, keepDims);
        return y;
    }

    /// <summary>The reduction of x over the sorted, normalised axes.</summary>
    protected abstract Tensor Forward(Tensor x, int[] axes, bool keepDims);

    public override Tensor Replay(Node n, Tensor[] inputs)
    {
        var info = (ReduceInfo)n.Saved!;
        return Apply(inputs[0], info.Axes, info.KeepDims);
    }

    public override Tensor? Jvp(Node n, Tensor?[] t)
    {
        // Each output depends on its own slice only, and backward seeded with ones gives ∂yⱼ/∂xᵢ at every i of slice j.
        if (t[0] is not { } dx) return null;
        var info = (ReduceInfo)n.Saved!;
        var grads = new Tensor?[1];
        Backward(n, Tensor.OnesLike(n.Output!), grads);
        return grads[0] is { } d ? (dx * d).Sum(info.Axes, info.KeepDims) : null;
    }
}

/// <summary>Σ over axes; backward broadcasts g back over the reduced axes.</summary>
internal sealed class SumOp : ReductionOp
{
    public static readonly SumOp I = new();
    public override string Name => "Sum";
    protected override Tensor Forward(Tensor x, int[] axes, bool keepDims) => Compute.Reduce<SumKernel>(x, axes, keepDims);

    public override Tensor Replay(Node n, Tensor[] inputs)
    {
        var info = (ReduceInfo)n.Saved!;
        return Apply(inputs[0], info.Axes, info.KeepDims);
    }

    public override void Backward(Node n, Tensor g, Tensor?[] grads)
    {
        var info = (ReduceInfo)n.Saved!;
        grads[0] = info.Keep(g).BroadcastTo(info.InputDims);
    }

    // Linear: the tangent rule is the op itself.
    public override Tensor? Jvp(Node n, Tensor?[] t) => Replay(n, ZerosForMissing(n, t));
}

/// <summary>Π over axes; gradient g·Π/xᵢ, computed without dividing where an input is zero.</summary>
internal sealed class ProdOp : ReductionOp
{
    public static readonly ProdOp I = new();
    public override string Name => "Prod";
    protected override Tensor Forward(Tensor x, int[] axes, bool keepDims) => Compute.Reduce<ProdKernel>(x, axes, keepDims);

    public override void Backward(Node n, Tensor g, Tensor?[] grads)
    {
        var info = (ReduceInfo)n.Saved!;
        var x = n.A!;
        var gk = info.Keep(g);
        if (x.Eq(0.0).ToArray().All(v => v == 0))
        {
            grads[0] = gk * info.Keep(n.Output!) / x;
            return;
        }
        // With zeros, Π_{j≠i} x_j is rebuilt as the product of the other entries: replace each zero by 1,
        // count zeros per slice, and keep only entries whose slice has no other zero.
        if (GradMode.IsEnabled)
            throw new NotSupportedException(FormattableString.Invariant($"Prod: second derivatives at inputs containing zeros are not supported (input shape {Shape.Format(x.Dims)})."));
        var isZero = x.Eq(0.0);
        var safe = Tensor.Where(isZero, 1.0, x);
        var pSafe = info.Keep(Compute.Reduce<ProdKernel>(safe, info.Axes, info.KeepDims));
        var zeros = info.Keep(Compute.Reduce<SumKernel>(isZero, info.Axes, info.KeepDims));
        // Entry i: if x_i = 0, the others' product is pSafe when it is the only zero; if x_i ≠ 0, pSafe/x_i when there is no zero.
        var others = Tensor.Where(isZero, Tensor.Where(zeros.Eq(1.0), pSafe, 0.0), Tensor.Where(zeros.Eq(0.0), pSafe / safe, 0.0));
        grads[0] = gk * others;
    }
}

/// <summary>max (or min) over axes; the gradient goes to the extreme entries, split equally among ties.</summary>
internal sealed class ExtremumOp : ReductionOp
{
    public static readonly ExtremumOp Max = new(true), Min = new(false);
    private readonly bool _max;
    private ExtremumOp(bool max) => _max = max;
    public override string Name => _max ? "Max" : "Min";

    protected override Tensor Forward(Tensor x, int[] axes, bool keepDims)
    {
        // Only an empty reduced axis makes a slice empty; zero slices of a non-empty axis (an empty batch) give an
        // empty result, as every other reduction does.
        foreach (int a in axes)
            if (x.Dims[a] == 0)
                throw new ArgumentException(FormattableString.Invariant(
                    $"{Name}: the tensor is empty along axis {a} (shape {Shape.Format(x.Dims)}); the extremum of nothing is undefined."));
        return _max ? Compute.Reduce<MaxReduceKernel>(x, axes, keepDims) : Compute.Reduce<MinReduceKernel>(x, axes, keepDims);
    }

    public override void Backward(Node n, Tensor g, Tensor?[] grads)
    {
        var info = (ReduceInfo)n.Saved!;
        var hit = n.A!.Eq(info.Keep(n.Output!.Detach()));
        var count = Compute.Reduce<SumKernel>(hit, info.Axes, true);
        grads[0] = info.Keep(g) * (hit / count);
    }
}

/// <summary>
/// log Σ exp over axes, shifted by the maximum: a primitive for stability. When a slice is all −∞ the
/// value is −∞ and the gradient is the limit softmax (uniform), not NaN. Gradient g·softmax(x).
/// </summary>
internal sealed class LogSumExpOp : ReductionOp
{
    public static readonly LogSumExpOp I = new();
    public override string Name => "LogSumExp";

    protected override Tensor Forward(Tensor x, int[] axes, bool keepDims)
    {
        var m = Compute.Reduce<MaxReduceKernel>(x, axes, true);
        // A non-finite maximum (all −∞, or a +∞) is not subtracted: the shifted sum then gives −∞ or +∞ exactly.
        var shift = Tensor.Where(Compute.Zip<SubKernel>("LogSumExp", m, m).Ne(0.0), 0.0, m);
        var s = Compute.Reduce<SumKernel>(Compute.Map<ExpKernel>(Compute.Zip<SubKernel>("LogSumExp", x, shift)), axes, true);
        var y = Compute.Zip<AddKernel>("LogSumExp", Compute.Map<LogKernel>(s), shift);
        return keepDims ? y : y.Reshape(Shape.Reduced(x.Dims, axes, false));
    }

    public override void Backward(Node n, Tensor g, Tensor?[] grads)
    {
        var info = (ReduceInfo)n.Saved!;
        grads[0] = info.Keep(g) * SoftmaxOp.I.Apply(n.A!, info.Axes);
    }
}

/// <summary>
/// softmax over axes: exp(x − max) / Σ exp(x − max). Entries equal to the maximum are shifted to exactly 0,
/// so a slice of all −∞ gives the uniform distribution and +∞ entries share the mass. Backward y ⊙ (g − Σ g⊙y).
/// </summary>
internal sealed class SoftmaxOp : Op
{
    public static readonly SoftmaxOp I = new();
    public override string Name => "Softmax";

    public Tensor Apply(Tensor x, int[] axes)
    {
        var z = Shifted(x, axes);
        var e = Compute.Map<ExpKernel>(z);
        var y = Compute.Zip<DivKernel>(Name, e, Compute.Reduce<SumKernel>(e, axes, true));
        if (GradMode.Record(this, y, x) is { } n) n.Saved = axes;
        return y;
    }

    /// <summary>x − max(x) over axes, exactly 0 where x equals its maximum (so ±∞ maxima give no NaN).</summary>
    internal static Tensor Shifted(Tensor x, int[] axes)
    {
        var m = Compute.Reduce<MaxReduceKernel>(x, axes, true);
        using (GradMode.NoGrad())
            return Tensor.Where(x.Eq(m), 0.0, x - m);
    }

    public override Tensor Replay(Node n, Tensor[] inputs) => Apply(inputs[0], (int[])n.Saved!);

    public override void Backward(Node n, Tensor g, Tensor?[] grads)
    {
        var axes = (int[])n.Saved!;
        var y = n.Output!;
        grads[0] = y * (g - (g * y).Sum(axes, keepDims: true));
    }

    // The softmax Jacobian diag(y) − yyᵀ is symmetric, so the backward rule applied to the tangent is the tangent rule.
    public override Tensor? Jvp(Node n, Tensor?[] t) => DiagonalJvp(n, t);
}

/// <summary>log softmax over axes: z − log Σ exp z with z the shifted input (see <see cref="SoftmaxOp"/>). Backward g − softmax ⊙ Σ g.</summary>
internal sealed class LogSoftmaxOp : Op
{
    public static readonly LogSoftmaxOp I = new();
    public override string Name => "LogSoftmax";

    public Tensor Apply(Tensor x, int[] axes)
    {
        var z = SoftmaxOp.Shifted(x, axes);
        var lse = Compute.Map<LogKernel>(Compute.Reduce<SumKernel>(Compute.Map<ExpKernel>(z), axes, true));
        var y = Compute.Zip<SubKernel>(Name, z, lse);
        if (GradMode.Record(this, y, x) is { } n) n.Saved = axes;
        return y;
    }

    public override Tensor Replay(Node n, Tensor[] inputs) => Apply(inputs[0], (int[])n.Saved!);

    public override void Backward(Node n, Tensor g, Tensor?[] grads)
    {
        var axes = (int[])n.Saved!;
        grads[0] = g - n.Output!.Exp() * g.Sum(axes, keepDims: true);
    }

    public override Tensor? Jvp(Node n, Tensor?[] t) => t[0] is { } dx ? dx - (n.Output!.Exp() * dx).Sum((int[])n.Saved!, keepDims: true) : null;
}
