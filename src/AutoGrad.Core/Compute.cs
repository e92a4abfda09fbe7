using AutoGrad.Kernels;

namespace AutoGrad;

/// <summary>
/// The tensor layer's bridge to the kernels: allocates results, checks element types and dispatches
/// to the float64 or float32 instantiation of a kernel. Nothing here records on the tape.
/// </summary>
internal static partial class Compute
{
    /// <summary>
    /// A tensor with uninitialised elements (the caller writes them all). Inside a <see cref="TensorScope"/> the storage
    /// comes from the thread's pool and goes back when the scope ends; outside, it is a fresh array.
    /// </summary>
    public static Tensor Empty(int[] dims, DType dtype)
    {
        if (TensorScope.IsActive) return new Tensor(Memory.StoragePool.Current.Rent(Size(dims), dtype), dims, dtype, owns: true);
        return new Tensor(NewStorage(dims, dtype), dims, dtype);
    }

    /// <summary>A fresh tensor that no scope recycles: for values that outlive the step that computes them (leaf gradients).</summary>
    public static Tensor Lasting(int[] dims, DType dtype)
    {
        return new Tensor(NewStorage(dims, dtype), dims, dtype, scoped: false);
    }

    private static int Size(int[] dims) => dims.Length == 0 ? 1 : Shape.Size(dims);

    private static Array NewStorage(int[] dims, DType dtype) =>
        dtype == DType.Float64 ? new double[Size(dims)] : new float[Size(dims)];

    public static void SameType(string op, Tensor a, Tensor b)
    {
        if (a.DType != b.DType)
            throw new ArgumentException(
                $"{op}: element types differ ({a.DType.Name()} {Shape.Format(a.Dims)} and {b.DType.Name()} {Shape.Format(b.Dims)}); convert one with To(DType).");
    }

    public static Tensor Map<K>(Tensor x) where K : IUnaryKernel
    {
        var y = Empty(x.Dims, x.DType);
        if (x.DType == DType.Float64) ElementwiseParallel.Unary<K, double>(x.Span<double>(), y.Span<double>());
        else ElementwiseParallel.Unary<K, float>(x.Span<float>(), y.Span<float>());
        return y;
    }

    public static Tensor Zip<K>(string op, Tensor a, Tensor b) where K : IBinaryKernel
    {
        SameType(op, a, b);
        var shape = Shape.Broadcast(op, a.Dims, b.Dims);
        var d = Empty(shape, a.DType);
        if (a.DType == DType.Float64) Zip<K, double>(a, b, d);
        else Zip<K, float>(a, b, d);
        return d;
    }

    private static void Zip<K, T>(Tensor a, Tensor b, Tensor d) where K : IBinaryKernel where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        Span<T> ds = d.Span<T>();
        ReadOnlySpan<T> xs = a.Span<T>(), ys = b.Span<T>();
        if (a.Count == d.Count && b.Count == d.Count) ElementwiseParallel.VV<K, T>(xs, ys, ds);
        else if (b.Count == 1 && a.Count == d.Count) ElementwiseParallel.VS<K, T>(xs, ys[0], ds);
        else if (a.Count == 1 && b.Count == d.Count) ElementwiseParallel.SV<K, T>(xs[0], ys, ds);
        else Strided.Binary<K, T>(xs, Shape.BroadcastStrides(a.Dims, d.Dims), ys, Shape.BroadcastStrides(b.Dims, d.Dims), ds, d.Dims);
    }

    /// <summary>x op scalar, the scalar taking x's element type.</summary>
    public static Tensor ZipScalar<K>(Tensor a, double s) where K : IBinaryKernel
    {
        var d = Empty(a.Dims, a.DType);
        if (a.DType == DType.Float64) ElementwiseParallel.VS<K, double>(a.Span<double>(), s, d.Span<double>());
        else ElementwiseParallel.VS<K, float>(a.Span<float>(), (float)s, d.Span<float>());
        return d;
    }

    /// <summary>
    /// The input gradient K(g, x, y) of an elementwise op, as a new tensor of g's shape: g the upstream gradient,
    /// x the op's input and y its saved output, all of one shape; x or y may be null when K does not read it.
    /// </summary>
    public static Tensor Derivative<K>(Tensor g, Tensor? x, Tensor? y) where K : IDerivativeKernel
    {
        if (x is not null) SameType("derivative", g, x);
        if (y is not null) SameType("derivative", g, y);
        var d = Empty(g.Dims, g.DType);
        if (g.DType == DType.Float64)
            ElementwiseParallel.Derivative<K, double>(g.Span<double>(), x is null ? default : x.Span<double>(), y is null ? default : y.Span<double>(), d.Span<double>());
        else
            ElementwiseParallel.Derivative<K, float>(g.Span<float>(), x is null ? default : x.Span<float>(), y is null ? default : y.Span<float>(), d.Span<float>());
        return d;
    }

    public static Tensor Reduce<K>(Tensor x, int[] axes, bool keepDims) where K : IReduceKernel
    {
        var y = Empty(Shape.Reduced(x.Dims, axes, keepDims), x.DType);
        if (x.DType == DType.Float64) Strided.Reduce<K, double>(x.Span<double>(), x.Dims, axes, y.Span<double>());
        else Strided.Reduce<K, float>(x.Span<float>(), x.Dims, axes, y.Span<float>());
        return y;
    }

    /// <summary>A contiguous tensor of <paramref name="dims"/> read from <paramref name="x"/> at <paramref name="offset"/> through <paramref name="strides"/>.</summary>
    public static Tensor Gather(Tensor x, int offset, int[] strides, int[] dims)
    {
        var y = Empty(dims, x.DType);
        if (x.DType == DType.Float64) Strided.Copy<double>(x.Span<double>(), offset, strides, y.Span<double>(), dims);
        else Strided.Copy<float>(x.Span<float>(), offset, strides, y.Span<float>(), dims);
        return y;
    }

    /// <summary>Adds <paramref name="src"/> into <paramref name="dst"/> through strides: the adjoint of <see cref="Gather"/>.</summary>
    public static void ScatterAdd(Tensor src, Tensor dst, int offset, int[] strides)
    {
        if (src.DType == DType.Float64) Strided.AddInto<double>(src.Span<double>(), dst.Span<double>(), offset, strides, src.Dims);
        else Strided.AddInto<float>(src.Span<float>(), dst.Span<float>(), offset, strides, src.Dims);
    }

    public static Tensor Where(Tensor mask, Tensor a, Tensor b, int[] dims)
    {
        var d = Empty(dims, a.DType);
        var m = Expand(mask, dims); var x = Expand(a, dims); var y = Expand(b, dims);
        if (a.DType == DType.Float64) SelectKernel.Run<double>(m.Span<double>(), x.Span<double>(), y.Span<double>(), d.Span<double>());
        else SelectKernel.Run<float>(m.Span<float>(), x.Span<float>(), y.Span<float>(), d.Span<float>());
        return d;
    }

    /// <summary>x broadcast (copied) to <paramref name="dims"/>; x itself when the shapes already agree.</summary>
    public static Tensor Expand(Tensor x, int[] dims) =>
        Shape.Equal(x.Dims, dims) ? x : Gather(x, 0, Shape.BroadcastStrides(x.Dims, dims), dims);

    public static Tensor Cast(Tensor x, DType to)
    {
        var y = Empty(x.Dims, to);
        if (to == DType.Float32) { var s = x.Span<double>(); var d = y.Span<float>(); for (int i = 0; i < s.Length; i++) d[i] = (float)s[i]; }
        else { var s = x.Span<float>(); var d = y.Span<double>(); for (int i = 0; i < s.Length; i++) d[i] = s[i]; }
        return y;
    }
}
