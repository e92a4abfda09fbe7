using System.Runtime.CompilerServices;
using AutoGrad.Tape;

namespace AutoGrad;

/// <summary>
/// A dense, row-major, n-dimensional array of float64 (default) or float32 values that can take part in
/// reverse-mode differentiation. A 0-d tensor is a scalar.
/// </summary>
/// <remarks>
/// <para>Operations on tensors that require gradients are recorded on the tape (see <see cref="GradMode"/>):
/// each result remembers the operation that made it. <see cref="Backward(Tensor?, bool, bool)"/> then
/// fills <see cref="Grad"/> of every leaf that requires it. Gradients accumulate across calls until
/// <see cref="ZeroGrad"/>, as in PyTorch.</para>
/// <para>Storage is always contiguous. <see cref="Reshape(int[])"/> shares storage with its input; permutes,
/// slices and broadcasts copy. Tensors are not thread-safe to mutate, but each thread records on its own.</para>
/// </remarks>
public sealed partial class Tensor
{
    /// <summary>The element storage: a <c>double[]</c> or a <c>float[]</c> of at least <see cref="Count"/> elements.</summary>
    /// <remarks>Replaced by an empty array when a <see cref="TensorScope"/> recycles the tensor.</remarks>
    internal Array Storage;
    internal readonly int[] Dims;
    private readonly int _count;
    private bool _requiresGrad;

    /// <summary>The operation that produced this tensor, when it was recorded; null for leaves.</summary>
    internal Node? GradFn;

    /// <summary>
    /// What few tensors need, kept apart so that the many intermediate tensors of a step stay small (64 bytes):
    /// a name, and forward mode's tangent (see Tape/Forward.cs), or the node whose rule will compute it, valid in one scope.
    /// </summary>
    private sealed class Extras
    {
        public string? Name;
        /// <summary>In-place changes so far (on the tensor that owns the storage; views read their base's).</summary>
        public int Version;
        /// <summary>For a view (reshape, detach): the tensor whose storage it shares, which keeps the version.</summary>
        public Tensor? Base;
        public Tensor? TangentValue;
        public Node? TangentSource;
        public int TangentScope;
    }

    private Extras? _extras;

    /// <summary>
    /// How many times the values of this tensor (or of a tensor sharing its storage) have been changed in place, as
    /// PyTorch's <c>_version</c>. Recorded operations remember the versions of what they saved, and backward refuses to
    /// use a tensor changed in place since: the gradient would be silently wrong.
    /// </summary>
    public int Version => (_extras?.Base ?? this)._extras?.Version ?? 0;

    /// <summary>Notes an in-place change of the values (every writer to existing storage calls it).</summary>
    internal void BumpVersion()
    {
        var root = _extras?.Base ?? this;
        (root._extras ??= new()).Version++;
    }

    /// <summary>Makes this new tensor a view of <paramref name="source"/>'s storage for versioning.</summary>
    internal void ShareVersionWith(Tensor source) => (_extras ??= new()).Base = source._extras?.Base ?? source;

    internal Tensor? TangentValue
    {
        get => _extras?.TangentValue;
        set { if (value is not null || _extras is not null) (_extras ??= new()).TangentValue = value; }
    }

    internal Node? TangentSource
    {
        get => _extras?.TangentSource;
        set { if (value is not null || _extras is not null) (_extras ??= new()).TangentSource = value; }
    }

    internal int TangentScope
    {
        get => _extras?.TangentScope ?? 0;
        set { if (value != 0 || _extras is not null) (_extras ??= new()).TangentScope = value; }
    }

    /// <summary>True when this tensor carries a tangent in the open forward-mode scope.</summary>
    internal bool HasTangent => TangentScope != 0 && TangentScope == Forward.Scope && (TangentValue is not null || TangentSource is not null);

    /// <summary>The tangent in the open forward-mode scope (computed now if pending), or null for zero.</summary>
    internal Tensor? Tangent
    {
        get
        {
            if (!HasTangent) return null;
            Forward.Resolve(this);
            return TangentValue;
        }
    }

    internal void SetTangent(Tensor? tangent)
    {
        TangentValue = tangent;
        TangentSource = null;
        TangentScope = Forward.Scope;
    }

    /// <summary>A tensor over <paramref name="storage"/>. In an open <see cref="TensorScope"/> it is recycled with the
    /// scope, and so is its storage when <paramref name="owns"/> is true (fresh storage from <see cref="Compute.Empty"/>).</summary>
    internal Tensor(Array storage, int[] dims, DType dtype, bool owns = false, bool scoped = true)
    {
        Storage = storage;
        Dims = dims;
        DType = dtype;
        _count = dims.Length == 0 ? 1 : AutoGrad.Shape.Size(dims);
        if (scoped) TensorScope.Track(this, owns ? storage : null);
    }

    private static readonly double[] RecycledF64 = [];
    private static readonly float[] RecycledF32 = [];

    /// <summary>Called when the scope that made this tensor ends: it lets go of its storage and its place in the graph.</summary>
    internal void Recycle()
    {
        Storage = DType == DType.Float64 ? RecycledF64 : RecycledF32;
        // Only this tensor refers to the node that made it (see Node).
        GradFn?.Return();
        GradFn = null;
        Grad = null;
        if (_extras is not null) { _extras.TangentValue = null; _extras.TangentSource = null; _extras.TangentScope = 0; }
        _recycled = true;
    }

    private bool _recycled;

    /// <summary>True once the <see cref="TensorScope"/> this tensor was created in has ended; its values are gone.</summary>
    public bool IsRecycled => _recycled;

    /// <summary>Throws <see cref="ObjectDisposedException"/> if this tensor has been recycled.</summary>
    internal void EnsureLive()
    {
        if (_recycled) ThrowRecycled();
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ThrowRecycled() => throw new ObjectDisposedException(nameof(Tensor),
        $"The tensor of shape {AutoGrad.Shape.Format(Dims)}{(Name is null ? "" : $" ('{Name}')")} was created inside a TensorScope that has ended, so its storage has been reused. " +
        "Copy what you need out of it before the scope ends (Item, ToArray), or exempt it with scope.Keep(tensor).");

    /// <summary>The element type.</summary>
    public DType DType { get; }

    /// <summary>The dimensions (a copy). Empty for a scalar.</summary>
    public int[] Shape => (int[])Dims.Clone();

    /// <summary>The number of dimensions (0 for a scalar).</summary>
    public int Rank => Dims.Length;

    /// <summary>The number of elements (1 for a scalar).</summary>
    public int Count => _count;

    /// <summary>The size of dimension <paramref name="axis"/> (negative counts from the end).</summary>
    public int Dim(int axis) => Dims[AutoGrad.Shape.Axis("Dim", axis, Dims)];

    /// <summary>An optional name shown in tape printouts and error messages.</summary>
    public string? Name
    {
        get => _extras?.Name;
        set { if (value is not null || _extras is not null) (_extras ??= new()).Name = value; }
    }

    /// <summary>
    /// Whether gradients flow to this tensor. Set it on leaves (tensors you created); results of recorded
    /// operations report true and cannot be changed (use <see cref="Detach"/> instead).
    /// </summary>
    public bool RequiresGrad
    {
        get => _requiresGrad;
        set
        {
            if (GradFn is not null && !value)
                throw new InvalidOperationException(
                    $"RequiresGrad: cannot clear it on the result of {GradFn.Op.Name}; call Detach() to get a tensor outside the graph.");
            _requiresGrad = value;
        }
    }

    /// <summary>Sets <see cref="RequiresGrad"/> and returns this tensor, for fluent construction.</summary>
    public Tensor RequireGrad(bool requires = true)
    {
        RequiresGrad = requires;
        return this;
    }

    /// <summary>True for tensors not produced by a recorded operation (created by the user, or detached).</summary>
    public bool IsLeaf => GradFn is null;

    /// <summary>
    /// The accumulated gradient of the last <see cref="Backward(Tensor?, bool, bool)"/> calls (null before the first).
    /// It has this tensor's shape and element type.
    /// </summary>
    public Tensor? Grad { get; set; }

    internal void MarkRecorded(Node node)
    {
        GradFn = node;
        _requiresGrad = true;
    }

    /// <summary>The elements as a span of <typeparamref name="T"/>; the caller has checked <see cref="DType"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal Span<T> Span<T>() where T : unmanaged
    {
        var a = Unsafe.As<T[]>(Storage);
        if (_recycled) ThrowRecycled();
        return System.Runtime.InteropServices.MemoryMarshal.CreateSpan(ref System.Runtime.InteropServices.MemoryMarshal.GetArrayDataReference(a), _count);
    }

    /// <summary>The single value of a one-element tensor, as a double.</summary>
    public double Item()
    {
        if (_count != 1)
            throw new InvalidOperationException($"Item: the tensor has shape {AutoGrad.Shape.Format(Dims)} ({_count} elements); Item needs exactly one.");
        return DType == DType.Float64 ? Span<double>()[0] : Span<float>()[0];
    }

    /// <summary>The value at a full index (one entry per dimension, negative counts from the end), as a double.</summary>
    public double At(params int[] index)
    {
        if (index.Length != Dims.Length)
            throw new ArgumentException(FormattableString.Invariant($"At: {index.Length} indices for a tensor of shape {AutoGrad.Shape.Format(Dims)}."));
        int flat = 0;
        for (int i = 0; i < index.Length; i++)
        {
            int d = Dims[i], j = index[i] < 0 ? index[i] + d : index[i];
            if (j < 0 || j >= d)
                throw new ArgumentOutOfRangeException("index", FormattableString.Invariant($"At: index {index[i]} is out of range for dimension {i} of shape {AutoGrad.Shape.Format(Dims)}."));
            flat = flat * d + j;
        }
        return DType == DType.Float64 ? Span<double>()[flat] : Span<float>()[flat];
    }

    /// <summary>A copy of the elements in row-major order, as doubles.</summary>
    public double[] ToArray()
    {
        if (DType == DType.Float64) return Span<double>().ToArray();
        var r = new double[_count];
        var s = Span<float>();
        for (int i = 0; i < r.Length; i++) r[i] = s[i];
        return r;
    }

    /// <summary>A copy of the elements in row-major order, as floats (rounded from float64 if need be).</summary>
    public float[] ToFloatArray()
    {
        if (DType == DType.Float32) return Span<float>().ToArray();
        var r = new float[_count];
        var s = Span<double>();
        for (int i = 0; i < r.Length; i++) r[i] = (float)s[i];
        return r;
    }

    /// <summary>A copy of a 2-d tensor as a rectangular array.</summary>
    public double[,] ToArray2D()
    {
        if (Rank != 2) throw new InvalidOperationException($"ToArray2D: the tensor has shape {AutoGrad.Shape.Format(Dims)}, not 2 dimensions.");
        var flat = ToArray();
        var r = new double[Dims[0], Dims[1]];
        Buffer.BlockCopy(flat, 0, r, 0, flat.Length * sizeof(double));
        return r;
    }

    /// <summary>
    /// A tensor sharing this one's storage but outside the graph: no gradient flows through it, and it does
    /// not require gradients.
    /// </summary>
    public Tensor Detach()
    {
        if (_recycled) ThrowRecycled();
        var d = new Tensor(Storage, Dims, DType);
        d.ShareVersionWith(this);
        return d;
    }

    /// <summary>
    /// Runs reverse mode from this tensor and accumulates d(this)/d(leaf) into <see cref="Grad"/> of every leaf
    /// that requires gradients.
    /// </summary>
    /// <param name="seed">The vector in the vector-Jacobian product, shaped like this tensor. Required unless
    /// this tensor has one element (then it defaults to 1).</param>
    /// <param name="retainGraph">Keep the values saved for backward so that a second backward through the same
    /// graph works; otherwise they are released as each node's backward runs. Defaults to <paramref name="createGraph"/>.</param>
    /// <param name="createGraph">Record the backward computation itself, so that the gradients are differentiable
    /// (for Hessian-vector products and higher derivatives).</param>
    /// <exception cref="InvalidOperationException">This tensor does not require gradients, or is not a scalar and
    /// no seed is given, or the graph was already released.</exception>
    public void Backward(Tensor? seed = null, bool retainGraph = false, bool createGraph = false)
    {
        if (!RequiresGrad)
            throw new InvalidOperationException(
                $"Backward: the tensor of shape {AutoGrad.Shape.Format(Dims)} does not require gradients: no input of the computation that made it had RequiresGrad set (or it ran under NoGrad).");
        Engine.Backward([this], seed is null ? null : [seed], null, retainGraph || createGraph, createGraph);
    }

    /// <summary>Sets the accumulated gradient to zero (in place, keeping its buffer) if there is one.</summary>
    public void ZeroGrad()
    {
        if (Grad is null) return;
        if (Grad.GradFn is not null) { Grad = null; return; }
        Grad.EnsureLive();
        Array.Clear(Grad.Storage, 0, Grad.Count);
        Grad.BumpVersion();
    }
}
