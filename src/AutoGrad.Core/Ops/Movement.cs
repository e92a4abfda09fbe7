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
        y.ShareVersionWith(x);
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
                if (infer >= 0) throw new ArgumentException(FormattableString.Invariant($"Reshape: only one dimension may be −1, got {Shape.Format(shape)} for a tensor of shape {Shape.Format(x.Dims)}."));
                infer = i;
            }
            else if (dims[i] < 0) throw new ArgumentException(FormattableString.Invariant($"Reshape: negative dimension {dims[i]} in {Shape.Format(shape)} (tensor shape {Shape.Format(x.Dims)})."));
            else known *= dims[i];
        }
        if (infer >= 0)
        {
            if (known == 0 || x.Count % known != 0)
                throw new ArgumentException(FormattableString.Invariant($"Reshape: cannot infer the −1 in {Shape.Format(shape)} for a tensor of shape {Shape.Format(x.Dims)} ({x.Count} elements)."));
            dims[infer] = (int)(x.Count / known);
            known *= dims[infer];
        }
        if (known != x.Count)
            throw new ArgumentException(FormattableString.Invariant($"Reshape: shape {Shape.Format(shape)} holds {known} elements but the tensor of shape {Shape.Format(x.Dims)} has {x.Count}."));
        return dims;
    }

    public override void Backward(Node n, Tensor g, Tensor?[] grads) => grads[0] = g.Reshape(n.A!.Dims);

    public override Tensor Replay(Node n, Tensor[] inputs) => Apply(inputs[0], (int[])n.Saved!);

    // Linear: the tangent rule is the op itself.
    public override Tensor? Jvp(Node n, Tensor?[] t) => Replay(n, ZerosForMissing(n, t));
}

/// <summary>Broadcasts x to a larger shape (copying); backward sums g back to x's shape.</summary>
internal sealed class BroadcastToOp : Op
{
    public static readonly BroadcastToOp I = new();
    public override string Name => "BroadcastTo";

    public Tensor Apply(Tensor x, int[] shape)
    {
        Shape.Validate(Name, shape);
        if (!Shape.BroadcastsTo(x.Dims, shape))
            throw new ArgumentException(FormattableString.Invariant($"BroadcastTo: shape {Shape.Format(x.Dims)} cannot be broadcast to {Shape.Format(shape)}."));
        if (Shape.Equal(x.Dims, shape)) return x;
        var y = Compute.Expand(x, (int[])shape.Clone());
        if (GradMode.Record(this, y, x) is { } n) n.Saved = y.Dims;
        return y;
    }

    public override void Backward(Node n, Tensor g, Tensor?[] grads) => grads[0] = g.SumTo(n.A!.Dims);

    public override Tensor Replay(Node n, Tensor[] inputs) => Apply(inputs[0], (int[])n.Saved!);

    // Linear: the tangent rule is the op itself.
    public override Tensor? Jvp(Node n, Tensor?[] t) => Replay(n, ZerosForMissing(n, t));
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

    // Linear: the tangent rule is the op itself.
    public override Tensor? Jvp(Node n, Tensor?[] t) => Replay(n, ZerosForMissing(n, t));
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

    // Linear: the tangent rule is the op itself.
    public override Tensor? Jvp(Node n, Tensor?[] t) => Replay(n, ZerosForMissing(n, t));
}

/// <summary>Reorders the axes (copying); backward permutes g by the inverse permutation.</summary>
internal sealed class PermuteOp : Op
{
    public static readonly PermuteOp I = new();
    public override string Name => "Permute";

    public Tensor Apply(Tensor x, int[] axes)
    {
        var perm = Check(x.Dims, axes);
        var strides = Shape.Strides(x.Dims);
        int r = perm.Length;
        var dims = new int[r];
        var read = new int[r];
        for (int i = 0; i < r; i++) { dims[i] = x.Dims[perm[i]]; read[i] = strides[perm[i]]; }
        var y = Compute.Gather(x, 0, read, dims);
        if (GradMode.Record(this, y, x) is { } n) n.Saved = perm;
        return y;
    }

    /// <summary>The normalised permutation, or an exception naming the axes and the shape.</summary>
    private static int[] Check(int[] dims, int[] axes)
    {
        var perm = new int[axes.Length];
        bool ok = axes.Length == dims.Length;
        var seen = new bool[dims.Length];
        for (int i = 0; ok && i < axes.Length; i++)
        {
            int a = axes[i] < 0 ? axes[i] + dims.Length : axes[i];
            ok = a >= 0 && a < dims.Length && !seen[a];
            if (ok) { seen[a] = true; perm[i] = a; }
        }
        if (!ok)
            throw new ArgumentException(
                FormattableString.Invariant($"Permute: axes {Shape.Format(axes)} are not a permutation of the {dims.Length} axes of shape {Shape.Format(dims)}."));
        return perm;
    }

    public override void Backward(Node n, Tensor g, Tensor?[] grads)
    {
        var perm = (int[])n.Saved!;
        var inverse = new int[perm.Length];
        for (int i = 0; i < perm.Length; i++) inverse[perm[i]] = i;
        grads[0] = Apply(g, inverse);
    }

    public override Tensor Replay(Node n, Tensor[] inputs) => Apply(inputs[0], (int[])n.Saved!);

    // Linear: the tangent rule is the op itself.
    public override Tensor? Jvp(Node n, Tensor?[] t) => Replay(n, ZerosForMissing(n, t));
}

/// <summary>
/// A strided box of a tensor of <paramref name="InputDims"/>: the elements read from <paramref name="Offset"/> through
/// <paramref name="Strides"/> into a contiguous result of <paramref name="Dims"/>. Slices, selections and indexing are
/// all boxes; no two entries of a box read the same element.
/// </summary>
internal sealed record SliceInfo(int[] InputDims, int Offset, int[] Strides, int[] Dims)
{
    /// <summary>Entries start, start + step, … (<paramref name="count"/> of them) along <paramref name="axis"/>, the rest whole.</summary>
    public static SliceInfo Range(int[] dims, int axis, int start, int count, int step)
    {
        var strides = Shape.Strides(dims);
        var outDims = (int[])dims.Clone();
        outDims[axis] = count;
        int offset = count == 0 ? 0 : start * strides[axis];
        strides[axis] *= step;
        return new SliceInfo(dims, offset, strides, outDims);
    }

    /// <summary>The sub-tensor at fixed (normalised) leading coordinates, which are dropped from the shape.</summary>
    public static SliceInfo Leading(int[] dims, int[] index)
    {
        var strides = Shape.Strides(dims);
        int offset = 0;
        for (int i = 0; i < index.Length; i++) offset += index[i] * strides[i];
        return new SliceInfo(dims, offset, strides[index.Length..], dims[index.Length..]);
    }

    /// <summary>The sub-tensor at a fixed (normalised) coordinate along <paramref name="axis"/>, which is dropped from the shape.</summary>
    public static SliceInfo Select(int[] dims, int axis, int index)
    {
        var strides = Shape.Strides(dims);
        int offset = index * strides[axis];
        return new SliceInfo(dims, offset, [.. strides[..axis], .. strides[(axis + 1)..]], [.. dims[..axis], .. dims[(axis + 1)..]]);
    }
}

/// <summary>
/// Copies a strided box out of x (slicing, selecting, indexing); backward scatters g into zeros of x's shape
/// (<see cref="SliceScatterOp"/>), whose own backward is this slice again.
/// </summary>
internal sealed class SliceOp : Op
{
    public static readonly SliceOp I = new();
    public override string Name => "Slice";

    public Tensor Apply(Tensor x, SliceInfo box)
    {
        if (!Shape.Equal(x.Dims, box.InputDims))
            throw new ArgumentException(FormattableString.Invariant($"Slice: the box was made for shape {Shape.Format(box.InputDims)}, not {Shape.Format(x.Dims)}."));
        var y = Compute.Gather(x, box.Offset, box.Strides, box.Dims);
        if (GradMode.Record(this, y, x) is { } n) n.Saved = box;
        return y;
    }

    public override void Backward(Node n, Tensor g, Tensor?[] grads) => grads[0] = SliceScatterOp.I.Apply(g, (SliceInfo)n.Saved!);

    public override Tensor Replay(Node n, Tensor[] inputs) => Apply(inputs[0], (SliceInfo)n.Saved!);

    // Linear: the tangent rule is the op itself.
    public override Tensor? Jvp(Node n, Tensor?[] t) => Replay(n, ZerosForMissing(n, t));
}

/// <summary>Zeros of the box's input shape with g written into the box (the adjoint of <see cref="SliceOp"/>); backward slices g.</summary>
internal sealed class SliceScatterOp : Op
{
    public static readonly SliceScatterOp I = new();
    public override string Name => "SliceScatter";

    public Tensor Apply(Tensor g, SliceInfo box)
    {
        if (!Shape.Equal(g.Dims, box.Dims))
            throw new ArgumentException(FormattableString.Invariant($"SliceScatter: the box has shape {Shape.Format(box.Dims)}, not {Shape.Format(g.Dims)}."));
        var y = Tensor.Zeros(box.InputDims, g.DType);
        Compute.ScatterAdd(g, y, box.Offset, box.Strides);
        if (GradMode.Record(this, y, g) is { } n) n.Saved = box;
        return y;
    }

    public override void Backward(Node n, Tensor g, Tensor?[] grads) => grads[0] = SliceOp.I.Apply(g, (SliceInfo)n.Saved!);

    public override Tensor Replay(Node n, Tensor[] inputs) => Apply(inputs[0], (SliceInfo)n.Saved!);

    // Linear: the tangent rule is the op itself.
    public override Tensor? Jvp(Node n, Tensor?[] t) => Replay(n, ZerosForMissing(n, t));
}

/// <summary>An axis and normalised indices along it, saved by the index-driven ops.</summary>
internal sealed record IndexInfo(int Axis, int[] Index, int[] IndexDims);

/// <summary>Shared checks of the index-driven ops.</summary>
internal static class Indexing
{
    /// <summary>The indices with negative ones counted from the end, or an exception naming the op, the index and the shape.</summary>
    public static int[] Normalize(string op, int[] index, int axis, int[] dims)
    {
        int size = dims[axis];
        var r = new int[index.Length];
        for (int i = 0; i < index.Length; i++)
        {
            int j = index[i] < 0 ? index[i] + size : index[i];
            if (j < 0 || j >= size)
                throw new ArgumentOutOfRangeException("index", 
                    FormattableString.Invariant($"{op}: index {index[i]} (entry {i}) is out of range for axis {axis} of size {size} in shape {Shape.Format(dims)}."));
            r[i] = j;
        }
        return r;
    }

    /// <summary>One index along <paramref name="axis"/>, negative counting from the end, or an exception naming the op, the index and the shape.</summary>
    public static int One(string op, int index, int axis, int[] dims)
    {
        int size = dims[axis], j = index < 0 ? index + size : index;
        if (j < 0 || j >= size)
            throw new ArgumentOutOfRangeException("index", FormattableString.Invariant($"{op}: index {index} is out of range for axis {axis} of size {size} in shape {Shape.Format(dims)}."));
        return j;
    }
}

/// <summary>
/// Entries of x at the given indices along one axis (NumPy take); backward adds g's slices back at those indices
/// (<see cref="IndexAddOp"/>), so repeated indices accumulate.
/// </summary>
internal sealed class IndexSelectOp : Op
{
    public static readonly IndexSelectOp I = new();
    public override string Name => "IndexSelect";

    public Tensor Apply(Tensor x, int axis, int[] index)
    {
        int ax = Shape.Axis(Name, axis, x.Dims);
        var idx = Indexing.Normalize(Name, index, ax, x.Dims);
        var y = Compute.Take(x, ax, idx);
        if (GradMode.Record(this, y, x) is { } n) n.Saved = new IndexInfo(ax, idx, [idx.Length]);
        return y;
    }

    public override void Backward(Node n, Tensor g, Tensor?[] grads)
    {
        var info = (IndexInfo)n.Saved!;
        grads[0] = IndexAddOp.I.Apply(Tensor.Zeros(n.A!.Dims, g.DType), info.Axis, info.Index, g);
    }

    public override Tensor Replay(Node n, Tensor[] inputs)
    {
        var info = (IndexInfo)n.Saved!;
        return Apply(inputs[0], info.Axis, info.Index);
    }

    // Linear: the tangent rule is the op itself.
    public override Tensor? Jvp(Node n, Tensor?[] t) => Replay(n, ZerosForMissing(n, t));
}

/// <summary>x with the slices of src added at the given indices along one axis (torch index_add); gradients g and g's slices at the indices.</summary>
internal sealed class IndexAddOp : Op
{
    public static readonly IndexAddOp I = new();
    public override string Name => "IndexAdd";

    public Tensor Apply(Tensor x, int axis, int[] index, Tensor src)
    {
        Compute.SameType(Name, x, src);
        int ax = Shape.Axis(Name, axis, x.Dims);
        var idx = Indexing.Normalize(Name, index, ax, x.Dims);
        var expected = (int[])x.Dims.Clone();
        expected[ax] = idx.Length;
        if (!Shape.Equal(src.Dims, expected))
            throw new ArgumentException(
                FormattableString.Invariant($"IndexAdd: the source has shape {Shape.Format(src.Dims)} but {idx.Length} indices along axis {ax} of shape {Shape.Format(x.Dims)} need {Shape.Format(expected)}."));
        var y = x.Copy();
        Compute.TakeAdd(src, ax, idx, y);
        if (GradMode.Record(this, y, x, src) is { } n) n.Saved = new IndexInfo(ax, idx, [idx.Length]);
        return y;
    }

    public override void Backward(Node n, Tensor g, Tensor?[] grads)
    {
        var info = (IndexInfo)n.Saved!;
        grads[0] = g;
        if (n.Needs(1)) grads[1] = IndexSelectOp.I.Apply(g, info.Axis, info.Index);
    }

    public override Tensor Replay(Node n, Tensor[] inputs)
    {
        var info = (IndexInfo)n.Saved!;
        return Apply(inputs[0], info.Axis, info.Index, inputs[1]);
    }

    // Linear: the tangent rule is the op itself.
    public override Tensor? Jvp(Node n, Tensor?[] t) => Replay(n, ZerosForMissing(n, t));
}

/// <summary>
/// torch.gather: out[i] = x[i with its axis coordinate replaced by index[i]], out shaped like the index; backward
/// scatter-adds g (<see cref="ScatterAddOp"/>), so repeated indices accumulate.
/// </summary>
internal sealed class GatherOp : Op
{
    public static readonly GatherOp I = new();
    public override string Name => "Gather";

    public Tensor Apply(Tensor x, int axis, int[] index, int[] indexDims)
    {
        var info = Check(Name, "the index", x.Dims, axis, index, indexDims);
        var y = Compute.GatherAxis(x, info.Axis, info.Index, info.IndexDims);
        if (GradMode.Record(this, y, x) is { } n) n.Saved = info;
        return y;
    }

    /// <summary>
    /// Checks an index of <paramref name="indexDims"/> against a tensor of <paramref name="dims"/> (same rank, no larger
    /// off the axis, entries in range along it) and normalises it. <paramref name="what"/> names the tensor whose shape
    /// the index takes: the index itself for Gather, the source for ScatterAdd.
    /// </summary>
    internal static IndexInfo Check(string op, string what, int[] dims, int axis, int[] index, int[] indexDims)
    {
        int ax = Shape.Axis(op, axis, dims);
        indexDims = Shape.Validate(op, indexDims);
        if (indexDims.Length != dims.Length)
            throw new ArgumentException(FormattableString.Invariant($"{op}: {what} has shape {Shape.Format(indexDims)} but the tensor has shape {Shape.Format(dims)}; their ranks must agree."));
        for (int d = 0; d < dims.Length; d++)
            if (d != ax && indexDims[d] > dims[d])
                throw new ArgumentException(
                    FormattableString.Invariant($"{op}: {what} of shape {Shape.Format(indexDims)} is larger than the tensor of shape {Shape.Format(dims)} along axis {d} (only axis {ax} is indexed)."));
        if (index.Length != Shape.Size(indexDims))
            throw new ArgumentException(FormattableString.Invariant($"{op}: {index.Length} indices for {what} of shape {Shape.Format(indexDims)} ({Shape.Size(indexDims)} entries); there must be one per entry."));
        return new IndexInfo(ax, Indexing.Normalize(op, index, ax, dims), indexDims);
    }

    public override void Backward(Node n, Tensor g, Tensor?[] grads)
    {
        var info = (IndexInfo)n.Saved!;
        grads[0] = ScatterAddOp.I.Apply(Tensor.Zeros(n.A!.Dims, g.DType), info.Axis, info.Index, g);
    }

    public override Tensor Replay(Node n, Tensor[] inputs)
    {
        var info = (IndexInfo)n.Saved!;
        return Apply(inputs[0], info.Axis, info.Index, info.IndexDims);
    }

    // Linear: the tangent rule is the op itself.
    public override Tensor? Jvp(Node n, Tensor?[] t) => Replay(n, ZerosForMissing(n, t));
}

/// <summary>
/// torch.scatter_add: x with each src[i] added at i with its axis coordinate replaced by index[i] (index shaped like
/// src); gradients g and g gathered at the index.
/// </summary>
internal sealed class ScatterAddOp : Op
{
    public static readonly ScatterAddOp I = new();
    public override string Name => "ScatterAdd";

    public Tensor Apply(Tensor x, int axis, int[] index, Tensor src)
    {
        Compute.SameType(Name, x, src);
        var info = GatherOp.Check(Name, "the source", x.Dims, axis, index, src.Dims);
        var y = x.Copy();
        Compute.ScatterAxis(src, info.Axis, info.Index, y);
        if (GradMode.Record(this, y, x, src) is { } n) n.Saved = info;
        return y;
    }

    public override void Backward(Node n, Tensor g, Tensor?[] grads)
    {
        var info = (IndexInfo)n.Saved!;
        grads[0] = g;
        if (n.Needs(1)) grads[1] = GatherOp.I.Apply(g, info.Axis, info.Index, info.IndexDims);
    }

    public override Tensor Replay(Node n, Tensor[] inputs)
    {
        var info = (IndexInfo)n.Saved!;
        return Apply(inputs[0], info.Axis, info.Index, inputs[1]);
    }

    // Linear: the tangent rule is the op itself.
    public override Tensor? Jvp(Node n, Tensor?[] t) => Replay(n, ZerosForMissing(n, t));
}

/// <summary>Joins tensors along an existing axis; backward slices g back into one piece per input.</summary>
internal sealed class ConcatOp : Op
{
    public static readonly ConcatOp I = new();
    public override string Name => "Concat";

    public Tensor Apply(Tensor[] xs, int axis)
    {
        if (xs.Length == 0) throw new ArgumentException("Concat: no tensors to join; pass at least one.");
        var first = xs[0];
        if (first.Rank == 0)
            throw new ArgumentException("Concat: tensor 0 is 0-d (shape []); 0-d tensors cannot be joined along an axis (use Stack).");
        int ax = Shape.Axis(Name, axis, first.Dims);
        var dims = (int[])first.Dims.Clone();
        for (int i = 1; i < xs.Length; i++)
        {
            var x = xs[i];
            Compute.SameType(Name, first, x);
            bool ok = x.Rank == first.Rank;
            for (int d = 0; ok && d < dims.Length; d++) ok = d == ax || x.Dims[d] == first.Dims[d];
            if (!ok)
                throw new ArgumentException(
                    FormattableString.Invariant($"Concat: tensor {i} has shape {Shape.Format(x.Dims)} but tensor 0 has shape {Shape.Format(first.Dims)}; they must agree except along axis {ax}."));
            dims[ax] += x.Dims[ax];
        }
        var y = Compute.Concat(xs, ax, dims);
        if (GradMode.Record(this, y, (Tensor[])xs.Clone()) is { } n) n.Arg0 = ax;
        return y;
    }

    public override void Backward(Node n, Tensor g, Tensor?[] grads)
    {
        int axis = (int)n.Arg0, start = 0;
        for (int i = 0; i < n.Arity; i++)
        {
            var x = n.Input(i);
            int size = x.Dims[axis];
            if (n.Needs(i)) grads[i] = SliceOp.I.Apply(g, SliceInfo.Range(g.Dims, axis, start, size, 1));
            start += size;
        }
    }

    public override Tensor Replay(Node n, Tensor[] inputs) => Apply(inputs, (int)n.Arg0);

    // Linear: the tangent rule is the op itself.
    public override Tensor? Jvp(Node n, Tensor?[] t) => Replay(n, ZerosForMissing(n, t));
}
