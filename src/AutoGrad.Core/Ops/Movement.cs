using AutoGrad.Tape;

namespace AutoGrad.Ops;

/// <summary>A new shape over the same storage; backward reshapes g back.</summary>
internal sealed class ReshapeOp : Op
{
    public static readonly ReshapeOp I = new();
    public override string Name => "Reshape";

    public Tensor Apply(Tensor x, int[] shape)
    {
        var dims = Resolve(x, shape);
        if (Shape.Equal(dims, x.Dims) && !x.RequiresGrad) return x;
        var y = new Tensor(x.Storage, dims, x.DType);
        if (GradMode.Record(this, y, x) is { } n) n.Saved = dims;
        return y;
    }

    /// <summary>Fills in one −1 dimension and checks that the element count is kept.</summary>
    private static int[] Resolve(Tensor x, int[] shape)
    {
        var dims = (int[])shape.Clone();
        int infer = -1; long known = 1;
        for (int i = 0; i < dims.Length; i++)
        {
            if (dims[i] == -1)
            {
                if (infer >= 0) throw new ArgumentException($"Reshape: only one dimension may be −1, got {Shape.Format(shape)} for a tensor of shape {Shape.Format(x.Dims)}.");
                infer = i;
            }
            else if (dims[i] < 0) throw new ArgumentException($"Reshape: negative dimension {dims[i]} in {Shape.Format(shape)} (tensor shape {Shape.Format(x.Dims)}).");
            else known *= dims[i];
        }
        if (infer >= 0)
        {
            if (known == 0 || x.Count % known != 0)
                throw new ArgumentException($"Reshape: cannot infer the −1 in {Shape.Format(shape)} for a tensor of shape {Shape.Format(x.Dims)} ({x.Count} elements).");
            dims[infer] = (int)(x.Count / known);
            known *= dims[infer];
        }
        if (known != x.Count)
            throw new ArgumentException($"Reshape: shape {Shape.Format(shape)} holds {known} elements but the tensor of shape {Shape.Format(x.Dims)} has {x.Count}.");
        return dims;
    }

    public override void Backward(Node n, Tensor g, Tensor?[] grads) => grads[0] = g.Reshape(n.A!.Dims);

    public override Tensor Replay(Node n, Tensor[] inputs) => Apply(inputs[0], (int[])n.Saved!);
}

/// <summary>Broadcasts x to a larger shape (copying); backward sums g back to x's shape.</summary>
internal sealed class BroadcastToOp : Op
{
    public static readonly BroadcastToOp I = new();
    public override string Name => "BroadcastTo";

    public Tensor Apply(Tensor x, int[] shape)
    {
        if (!Shape.BroadcastsTo(x.Dims, shape))
            throw new ArgumentException($"BroadcastTo: shape {Shape.Format(x.Dims)} cannot be broadcast to {Shape.Format(shape)}.");
        if (Shape.Equal(x.Dims, shape)) return x;
        var y = Compute.Expand(x, (int[])shape.Clone());
        if (GradMode.Record(this, y, x) is { } n) n.Saved = y.Dims;
        return y;
    }

    public override void Backward(Node n, Tensor g, Tensor?[] grads) => grads[0] = g.SumTo(n.A!.Dims);

    public override Tensor Replay(Node n, Tensor[] inputs) => Apply(inputs[0], (int[])n.Saved!);
}

/// <summary>Changes the element type; backward casts g back.</summary>
internal sealed class CastOp : Op
{
    public static readonly CastOp I = new();
    public override string Name => "To";

    public Tensor Apply(Tensor x, DType to)
    {
        if (x.DType == to) return x;
        var y = Compute.Cast(x, to);
        if (GradMode.Record(this, y, x) is { } n) n.Saved = to;
        return y;
    }

    public override void Backward(Node n, Tensor g, Tensor?[] grads) => grads[0] = g.To(n.A!.DType);

    public override Tensor Replay(Node n, Tensor[] inputs) => Apply(inputs[0], (DType)n.Saved!);
}

/// <summary>A copy with its own storage; backward passes g through.</summary>
internal sealed class CloneOp : Op
{
    public static readonly CloneOp I = new();
    public override string Name => "Clone";

    public Tensor Apply(Tensor x)
    {
        var y = x.Copy();
        GradMode.Record(this, y, x);
        return y;
    }

    public override void Backward(Node n, Tensor g, Tensor?[] grads) => grads[0] = g;

    public override Tensor Replay(Node n, Tensor[] inputs) => Apply(inputs[0]);
}
