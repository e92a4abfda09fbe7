// Bridges to arrays, spans and System.Numerics.Tensors. In System.Numerics.Tensors 11.0.0 Tensor<T>, TensorSpan<T> and
// ReadOnlyTensorSpan<T> are no longer [Experimental] (no SYSLIB5001 is raised), so no diagnostic is suppressed here.

using NT = System.Numerics.Tensors;

namespace AutoGrad;

public sealed partial class Tensor
{
    /// <summary>
    /// A float64 tensor whose storage IS <paramref name="data"/>: no copy. Writes through the array are visible in the
    /// tensor and the other way round (compare <see cref="FromArray(double[], int[])"/>, which copies).
    /// </summary>
    /// <remarks>The memory is shared: after writing through the array, call <see cref="MarkChanged"/> so that a recorded
    /// graph that saved this tensor refuses to run backward rather than return a wrong gradient. A wrapped tensor is
    /// never recycled by a <see cref="TensorScope"/> and its array is never given to the storage pool.</remarks>
    /// <param name="data">The array to share; its length must equal the shape's size.</param>
    /// <param name="shape">The dimensions (1-d of the array's length when none is given).</param>
    /// <exception cref="ArgumentException">The shape's size differs from the array's length, or a dimension is negative.</exception>
    public static Tensor Wrap(double[] data, params int[] shape) => WrapArray(data, shape, DType.Float64);

    /// <summary>A float32 tensor whose storage IS <paramref name="data"/>: no copy (see <see cref="Wrap(double[], int[])"/>).</summary>
    /// <param name="data">The array to share; its length must equal the shape's size.</param>
    /// <param name="shape">The dimensions (1-d of the array's length when none is given).</param>
    /// <exception cref="ArgumentException">The shape's size differs from the array's length, or a dimension is negative.</exception>
    public static Tensor Wrap(float[] data, params int[] shape) => WrapArray(data, shape, DType.Float32);

    private static Tensor WrapArray(Array data, int[] shape, DType dtype)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(shape);
        var dims = shape.Length == 0 ? [data.Length] : AutoGrad.Shape.Validate("Wrap", shape);
        int size = AutoGrad.Shape.Size(dims);
        if (size != data.Length)
            throw new ArgumentException(FormattableString.Invariant(
                $"Wrap: the array has {data.Length} elements but shape {AutoGrad.Shape.Format(dims)} has {size}; Wrap shares the array as it is, so they must be equal."),
                nameof(data));
        // Not scoped: a scope must neither recycle the tensor nor give the caller's array to the pool.
        return new Tensor(data, dims, dtype, owns: false, scoped: false);
    }

    /// <summary>
    /// Notes that the values were changed from outside (through a wrapped array, or a span taken earlier): increments
    /// <see cref="Version"/>, so that a recorded graph that saved this tensor refuses to run backward.
    /// </summary>
    /// <exception cref="ObjectDisposedException">The tensor has been recycled.</exception>
    public void MarkChanged()
    {
        EnsureLive();
        BumpVersion();
    }

    /// <summary>The element type that <typeparamref name="T"/> stands for, or an exception for any type but double and float.</summary>
    private static DType DTypeOf<T>(string op)
    {
        if (typeof(T) == typeof(double)) return DType.Float64;
        if (typeof(T) == typeof(float)) return DType.Float32;
        throw new NotSupportedException($"{op}: element type {typeof(T).Name} is not supported; AutoGrad tensors hold double (float64) or float (float32).");
    }

    /// <summary>Checks that <typeparamref name="T"/> is this tensor's element type and that the tensor is live.</summary>
    private void CheckElementType<T>(string op)
    {
        var dtype = DTypeOf<T>(op);
        if (dtype != DType)
            throw new InvalidOperationException(
                $"{op}: the tensor of shape {AutoGrad.Shape.Format(Dims)} holds {DType.Name()} ({(DType == DType.Float64 ? "double" : "float")}) but {typeof(T).Name} ({dtype.Name()}) was asked for; convert with To(DType) first.");
        EnsureLive();
    }

    /// <summary>The elements in row-major order, without a copy, read-only.</summary>
    /// <typeparam name="T"><c>double</c> for a float64 tensor, <c>float</c> for a float32 one.</typeparam>
    /// <remarks>The span is valid until the tensor is recycled by its <see cref="TensorScope"/>.</remarks>
    /// <exception cref="InvalidOperationException"><typeparamref name="T"/> does not match <see cref="DType"/>.</exception>
    /// <exception cref="NotSupportedException"><typeparamref name="T"/> is neither double nor float.</exception>
    public ReadOnlySpan<T> AsReadOnlySpan<T>() where T : unmanaged
    {
        CheckElementType<T>("AsReadOnlySpan");
        return Span<T>();
    }

    /// <summary>The elements in row-major order, without a copy, writable. Taking it counts as an in-place change
    /// (<see cref="Version"/> is incremented), as writes through it are assumed.</summary>
    /// <typeparam name="T"><c>double</c> for a float64 tensor, <c>float</c> for a float32 one.</typeparam>
    /// <remarks>As <see cref="CopyFrom"/>, it is refused while recording for a leaf that requires gradients or the result
    /// of a recorded operation: take it under <see cref="GradMode.NoGrad"/>.</remarks>
    /// <exception cref="InvalidOperationException"><typeparamref name="T"/> does not match <see cref="DType"/>, or recording
    /// is on and this tensor is part of the graph.</exception>
    /// <exception cref="NotSupportedException"><typeparamref name="T"/> is neither double nor float.</exception>
    public Span<T> AsSpan<T>() where T : unmanaged
    {
        CheckElementType<T>("AsSpan");
        CheckInPlace("AsSpan");
        BumpVersion();
        return Span<T>();
    }

    /// <summary>Copies the elements, in row-major order, into <paramref name="destination"/> (converting from float32 if need be).</summary>
    /// <exception cref="ArgumentException">The destination is shorter than <see cref="Count"/>.</exception>
    public void CopyTo(Span<double> destination)
    {
        EnsureLive();
        CheckDestination(destination.Length);
        if (DType == DType.Float64) Span<double>().CopyTo(destination);
        else
        {
            var s = Span<float>();
            for (int i = 0; i < s.Length; i++) destination[i] = s[i];
        }
    }

    /// <summary>Copies the elements, in row-major order, into <paramref name="destination"/> (rounding from float64 if need be).</summary>
    /// <exception cref="ArgumentException">The destination is shorter than <see cref="Count"/>.</exception>
    public void CopyTo(Span<float> destination)
    {
        EnsureLive();
        CheckDestination(destination.Length);
        if (DType == DType.Float32) Span<float>().CopyTo(destination);
        else
        {
            var s = Span<double>();
            for (int i = 0; i < s.Length; i++) destination[i] = (float)s[i];
        }
    }

    private void CheckDestination(int length)
    {
        if (length < Count)
            throw new ArgumentException(FormattableString.Invariant(
                $"CopyTo: the destination has room for {length} elements but the tensor of shape {AutoGrad.Shape.Format(Dims)} has {Count}."), "destination");
    }

    /// <summary>This tensor's dimensions as System.Numerics.Tensors lengths (a scalar is given length [1]).</summary>
    private nint[] NumericsLengths()
    {
        if (Dims.Length == 0) return [1];
        var lengths = new nint[Dims.Length];
        for (int i = 0; i < lengths.Length; i++) lengths[i] = Dims[i];
        return lengths;
    }

    /// <summary>A new <see cref="NT.Tensor{T}"/> holding a copy of the values, with this tensor's shape (a scalar becomes shape [1]).</summary>
    /// <typeparam name="T"><c>double</c> for a float64 tensor, <c>float</c> for a float32 one.</typeparam>
    /// <exception cref="InvalidOperationException"><typeparamref name="T"/> does not match <see cref="DType"/>.</exception>
    /// <exception cref="NotSupportedException"><typeparamref name="T"/> is neither double nor float.</exception>
    public NT.Tensor<T> ToNumericsTensor<T>() where T : unmanaged
    {
        CheckElementType<T>("ToNumericsTensor");
        var copy = Span<T>().ToArray();
        return NT.Tensor.Create(copy, NumericsLengths());
    }

    /// <summary>A <see cref="NT.TensorSpan{T}"/> over this tensor's storage, with its shape: no copy, and writes through it
    /// change this tensor. Taking it counts as an in-place change, with the same checks as <see cref="AsSpan{T}"/>.</summary>
    /// <typeparam name="T"><c>double</c> for a float64 tensor, <c>float</c> for a float32 one.</typeparam>
    /// <exception cref="InvalidOperationException"><typeparamref name="T"/> does not match <see cref="DType"/>, or recording
    /// is on and this tensor is part of the graph.</exception>
    /// <exception cref="NotSupportedException"><typeparamref name="T"/> is neither double nor float.</exception>
    public NT.TensorSpan<T> AsTensorSpan<T>() where T : unmanaged
    {
        CheckElementType<T>("AsTensorSpan");
        CheckInPlace("AsTensorSpan");
        BumpVersion();
        return new NT.TensorSpan<T>(Span<T>(), NumericsLengths());
    }

    /// <summary>A read-only <see cref="NT.ReadOnlyTensorSpan{T}"/> over this tensor's storage, with its shape: no copy.</summary>
    /// <typeparam name="T"><c>double</c> for a float64 tensor, <c>float</c> for a float32 one.</typeparam>
    /// <exception cref="InvalidOperationException"><typeparamref name="T"/> does not match <see cref="DType"/>.</exception>
    /// <exception cref="NotSupportedException"><typeparamref name="T"/> is neither double nor float.</exception>
    public NT.ReadOnlyTensorSpan<T> AsReadOnlyTensorSpan<T>() where T : unmanaged
    {
        CheckElementType<T>("AsReadOnlyTensorSpan");
        return new NT.ReadOnlyTensorSpan<T>(Span<T>(), NumericsLengths());
    }

    /// <summary>A new tensor holding a copy of <paramref name="source"/>'s values in row-major order, with its lengths.
    /// Strided (sliced, transposed) sources are copied element by element in logical order.</summary>
    /// <typeparam name="T"><c>double</c> (gives float64) or <c>float</c> (gives float32).</typeparam>
    /// <exception cref="NotSupportedException"><typeparamref name="T"/> is neither double nor float.</exception>
    /// <exception cref="ArgumentException">A length does not fit in an <see cref="int"/>.</exception>
    public static Tensor FromNumerics<T>(NT.ReadOnlyTensorSpan<T> source) where T : unmanaged
    {
        var dtype = DTypeOf<T>("FromNumerics");
        var lengths = source.Lengths;
        var dims = new int[lengths.Length];
        for (int i = 0; i < dims.Length; i++)
        {
            if (lengths[i] > int.MaxValue)
                throw new ArgumentException(FormattableString.Invariant($"FromNumerics: length {lengths[i]} of dimension {i} is larger than a tensor dimension can be ({int.MaxValue})."), nameof(source));
            dims[i] = (int)lengths[i];
        }
        dims = AutoGrad.Shape.Validate("FromNumerics", dims);
        var t = Compute.Empty(dims, dtype);
        // FlattenTo walks the strides, so a non-contiguous source comes out in row-major order.
        source.FlattenTo(t.Span<T>());
        return t;
    }

    /// <summary>A new tensor holding a copy of <paramref name="source"/>'s values, with its lengths (see
    /// <see cref="FromNumerics{T}(NT.ReadOnlyTensorSpan{T})"/>).</summary>
    /// <typeparam name="T"><c>double</c> (gives float64) or <c>float</c> (gives float32).</typeparam>
    /// <exception cref="NotSupportedException"><typeparamref name="T"/> is neither double nor float.</exception>
    public static Tensor FromNumerics<T>(NT.Tensor<T> source) where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(source);
        return FromNumerics(source.AsReadOnlyTensorSpan());
    }
}
