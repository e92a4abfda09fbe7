using AutoGrad.Tape;

namespace AutoGrad.Ops;

/// <summary>
/// C = op(A) · op(B) over stacks of matrices with broadcast batch dimensions, where op transposes the last two
/// axes when the node's flag says so (the stored operand is read transposed; nothing is copied). The public
/// MatMul records the plain product; the transposed forms come from its own backward, and the family is closed:
/// the gradients of any form are products of the same family, so every derivative order uses one kernel.
/// </summary>
/// <remarks>
/// Backward (without flags): dA = G·Bᵀ, dB = Aᵀ·G. The results have the output's batch dimensions; the engine
/// sums them back over the dimensions an operand was broadcast along.
/// </remarks>
internal sealed class MatMulOp : Op
{
    public static readonly MatMulOp I = new();
    public override string Name => "MatMul";

    /// <summary>The transpose flags of one recorded product (four shared instances, so recording allocates nothing).</summary>
    private sealed record Flags(bool TransA, bool TransB)
    {
        public static readonly Flags[] All = [new(false, false), new(false, true), new(true, false), new(true, true)];
        public static Flags Of(bool ta, bool tb) => All[(ta ? 2 : 0) + (tb ? 1 : 0)];
    }

    public Tensor Apply(Tensor a, Tensor b, bool transA = false, bool transB = false)
    {
        Compute.SameType(Name, a, b);
        if (a.Rank < 2 || b.Rank < 2)
            throw new ArgumentException(FormattableString.Invariant($"MatMul: the batched product needs operands of rank ≥ 2, got shapes {Shape.Format(a.Dims)} and {Shape.Format(b.Dims)}."));
        int m = transA ? a.Dims[^1] : a.Dims[^2], ka = transA ? a.Dims[^2] : a.Dims[^1];
        int kb = transB ? b.Dims[^1] : b.Dims[^2], n = transB ? b.Dims[^2] : b.Dims[^1];
        if (ka != kb)
            throw new ArgumentException(
                FormattableString.Invariant($"MatMul: shapes {Shape.Format(a.Dims)}{(transA ? "ᵀ" : "")} and {Shape.Format(b.Dims)}{(transB ? "ᵀ" : "")} are not aligned: the contracted dimensions are {ka} and {kb}."));
        var batchA = a.Dims[..^2]; var batchB = b.Dims[..^2];
        for (int i = 1; i <= Math.Min(batchA.Length, batchB.Length); i++)
            if (batchA[^i] != batchB[^i] && batchA[^i] != 1 && batchB[^i] != 1)
                throw new ArgumentException(
                    FormattableString.Invariant($"MatMul: shapes {Shape.Format(a.Dims)} and {Shape.Format(b.Dims)}: the batch dimensions {Shape.Format(batchA)} and {Shape.Format(batchB)} cannot be broadcast together."));
        var batch = Shape.Broadcast(Name, batchA, batchB);
        if (Forward.Active && batch.Length == 0 && a.HasTangent != b.HasTangent)
            return WithTangent(a, b, transA, transB, m, ka, n);
        var y = Compute.MatMul(a, transA, b, transB, batch, m, ka, n);
        if (GradMode.Record(this, y, a, b) is { } node) node.Saved = Flags.Of(transA, transB);
        return y;
    }

    /// <summary>
    /// Forward mode with a tangent on one operand only, when that operand is a vector (a matrix-vector product, as in
    /// every linear model): the value and the tangent come from one sweep over the other operand, usually the data
    /// matrix, instead of two. This keeps forward-over-reverse Hessian-vector products near the cost of a gradient.
    /// </summary>
    private Tensor WithTangent(Tensor a, Tensor b, bool transA, bool transB, int m, int k, int n)
    {
        bool onA = a.HasTangent;
        var dot = (onA ? a.Tangent : b.Tangent)!;
        Tensor y, dy;
        if (!onA && n == 1 && !transA)
        {
            // A·b and A·ḃ for a vector b: two dots per row of A.
            y = Compute.Empty([m, 1], a.DType); dy = Compute.Empty([m, 1], a.DType);
            Compute.DualMatVec(a, b, dot, y, dy, m, k);
        }
        else if (onA && m == 1 && !transB)
        {
            // aᵀB and ȧᵀB for a vector a: each row of B scaled into both.
            y = Compute.Empty([1, n], a.DType); dy = Compute.Empty([1, n], a.DType);
            Compute.DualVecMat(a, dot, b, y, dy, k, n);
        }
        else
        {
            y = Compute.MatMul(a, transA, b, transB, [], m, k, n);
            dy = onA ? Compute.MatMul(dot, transA, b, transB, [], m, k, n) : Compute.MatMul(a, transA, dot, transB, [], m, k, n);
        }
        if (GradMode.Record(this, y, a, b) is { } node) node.Saved = Flags.Of(transA, transB);
        y.SetTangent(dy);
        return y;
    }

    public override void Backward(Node n, Tensor g, Tensor?[] grads)
    {
        var (ta, tb) = (Flags)n.Saved!;
        var a = n.A!; var b = n.B!;
        // C = op(A)·op(B): d op(A) = G·op(B)ᵀ and d op(B) = op(A)ᵀ·G, each transposed back when its operand was.
        if (n.Needs(0)) grads[0] = ta ? Apply(b, g, tb, true) : Apply(g, b, false, !tb);
        if (n.Needs(1)) grads[1] = tb ? Apply(g, a, true, ta) : Apply(a, g, !ta, false);
    }

    public override Tensor Replay(Node n, Tensor[] inputs)
    {
        var (ta, tb) = (Flags)n.Saved!;
        return Apply(inputs[0], inputs[1], ta, tb);
    }

    public override Tensor? Jvp(Node n, Tensor?[] t)
    {
        // Bilinear: d(op(A)·op(B)) = op(Ȧ)·op(B) + op(A)·op(Ḃ).
        var (ta, tb) = (Flags)n.Saved!;
        return Sum(t[0] is { } da ? Apply(da, n.B!, ta, tb) : null, t[1] is { } db ? Apply(n.A!, db, ta, tb) : null);
    }
}
