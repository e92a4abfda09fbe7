namespace AutoGrad;

public sealed partial class Tensor
{
    /// <summary>A float64 tensor holding a copy of <paramref name="data"/> with the given shape (1-d of its length when none is given).</summary>
    /// <exception cref="ArgumentException">The shape's size differs from the data's length, or a dimension is negative.</exception>
    public static Tensor FromArray(double[] data, params int[] shape) => FromSpan<double>(data, shape, DType.Float64);

    /// <summary>A float32 tensor holding a copy of <paramref name="data"/> with the given shape (1-d of its length when none is given).</summary>
    public static Tensor FromArray(float[] data, params int[] shape) => FromSpan<float>(data, shape, DType.Float32);

    /// <summary>A float64 tensor copied from a span, with the given shape.</summary>
    public static Tensor FromSpan(ReadOnlySpan<double> data, params int[] shape) => FromSpan<double>(data, shape, DType.Float64);

    /// <summary>A float32 tensor copied from a span, with the given shape.</summary>
    public static Tensor FromSpan(ReadOnlySpan<float> data, params int[] shape) => FromSpan<float>(data, shape, DType.Float32);

    private static Tensor FromSpan<T>(ReadOnlySpan<T> data, int[] shape, DType dtype) where T : unmanaged
    {
        var dims = shape.Length == 0 ? [data.Length] : AutoGrad.Shape.Validate("FromArray", shape);
        if (AutoGrad.Shape.Size(dims) != data.Length)
            throw new ArgumentException(FormattableString.Invariant($"FromArray: {data.Length} values do not fill shape {AutoGrad.Shape.Format(dims)} ({AutoGrad.Shape.Size(dims)} elements)."));
        var t = Compute.Empty(dims, dtype);
        data.CopyTo(t.Span<T>());
        return t;
    }

    /// <summary>A float64 matrix copied from a rectangular array.</summary>
    public static Tensor FromArray(double[,] data)
    {
        var t = Compute.Empty([data.GetLength(0), data.GetLength(1)], DType.Float64);
        Buffer.BlockCopy(data, 0, (double[])t.Storage, 0, t.Count * sizeof(double));
        return t;
    }

    /// <summary>A float32 matrix copied from a rectangular array.</summary>
    public static Tensor FromArray(float[,] data)
    {
        var t = Compute.Empty([data.GetLength(0), data.GetLength(1)], DType.Float32);
        Buffer.BlockCopy(data, 0, (float[])t.Storage, 0, t.Count * sizeof(float));
        return t;
    }

    /// <summary>A float64 matrix copied from a jagged array whose rows all have the same length.</summary>
    /// <exception cref="ArgumentException">The rows differ in length.</exception>
    public static Tensor FromArray(double[][] rows)
    {
        int n = rows.Length, m = n == 0 ? 0 : rows[0].Length;
        var t = Compute.Empty([n, m], DType.Float64);
        var s = t.Span<double>();
        for (int i = 0; i < n; i++)
        {
            if (rows[i].Length != m)
                throw new ArgumentException(FormattableString.Invariant($"FromArray: row {i} has {rows[i].Length} values but row 0 has {m}; a jagged array must be rectangular."));
            rows[i].CopyTo(s.Slice(i * m, m));
        }
        return t;
    }

    /// <summary>A 0-d tensor (a scalar).</summary>
    public static Tensor Scalar(double value, DType dtype = DType.Float64) => Full([], value, dtype);

    /// <summary>A float64 tensor of zeros.</summary>
    public static Tensor Zeros(params int[] shape) => Filled("Zeros", shape, 0.0, DType.Float64);

    /// <summary>A tensor of zeros of the given element type.</summary>
    public static Tensor Zeros(int[] shape, DType dtype) => Filled("Zeros", shape, 0.0, dtype);

    /// <summary>A float64 tensor of ones.</summary>
    public static Tensor Ones(params int[] shape) => Filled("Ones", shape, 1.0, DType.Float64);

    /// <summary>A tensor of ones of the given element type.</summary>
    public static Tensor Ones(int[] shape, DType dtype) => Filled("Ones", shape, 1.0, dtype);

    /// <summary>A tensor with every element equal to <paramref name="value"/>.</summary>
    public static Tensor Full(int[] shape, double value, DType dtype = DType.Float64) => Filled("Full", shape, value, dtype);

    /// <summary>A filled tensor; <paramref name="op"/> names the public factory in error messages.</summary>
    private static Tensor Filled(string op, int[] shape, double value, DType dtype)
    {
        var t = Compute.Empty(AutoGrad.Shape.Validate(op, shape), dtype);
        if (dtype == DType.Float64) t.Span<double>().Fill(value);
        else t.Span<float>().Fill((float)value);
        return t;
    }

    /// <summary>Zeros shaped and typed like <paramref name="like"/>.</summary>
    public static Tensor ZerosLike(Tensor like) => Full(like.Dims, 0.0, like.DType);

    /// <summary>Ones shaped and typed like <paramref name="like"/>.</summary>
    public static Tensor OnesLike(Tensor like) => Full(like.Dims, 1.0, like.DType);

    /// <summary>The values start, start + step, … below <paramref name="stop"/> (above it for a negative step), as NumPy's arange.</summary>
    /// <exception cref="ArgumentException">The step is zero or not finite.</exception>
    public static Tensor Arange(double start, double stop, double step = 1.0, DType dtype = DType.Float64)
    {
        if (step == 0 || !double.IsFinite(step) || !double.IsFinite(start) || !double.IsFinite(stop))
            throw new ArgumentException(FormattableString.Invariant($"Arange: start {start}, stop {stop} and step {step} must be finite, with a non-zero step."));
        int n = Math.Max(0, (int)Math.Ceiling((stop - start) / step));
        var t = Compute.Empty([n], dtype);
        for (int i = 0; i < n; i++) t.Set(i, start + i * step);
        return t;
    }

    /// <summary>The values 0, 1, …, <paramref name="stop"/> − 1.</summary>
    public static Tensor Arange(int stop) => Arange(0, stop);

    /// <summary><paramref name="num"/> evenly spaced values from <paramref name="start"/> to <paramref name="stop"/> inclusive.</summary>
    /// <exception cref="ArgumentException"><paramref name="num"/> is negative.</exception>
    public static Tensor Linspace(double start, double stop, int num, DType dtype = DType.Float64)
    {
        if (num < 0) throw new ArgumentException(FormattableString.Invariant($"Linspace: num must be ≥ 0, got {num}."));
        var t = Compute.Empty([num], dtype);
        double step = num > 1 ? (stop - start) / (num - 1) : 0;
        for (int i = 0; i < num; i++) t.Set(i, i == num - 1 && num > 1 ? stop : start + i * step);
        return t;
    }

    /// <summary>The n×m identity matrix (square when <paramref name="m"/> is omitted).</summary>
    public static Tensor Eye(int n, int? m = null, DType dtype = DType.Float64)
    {
        int cols = m ?? n;
        var t = Zeros(AutoGrad.Shape.Validate("Eye", [n, cols]), dtype);
        for (int i = 0; i < Math.Min(n, cols); i++) t.Set(i * cols + i, 1.0);
        return t;
    }

    /// <summary>Uniform values in [0, 1) drawn from a generator seeded with <paramref name="seed"/>: the same seed gives the same tensor on every machine.</summary>
    public static Tensor Rand(int[] shape, int seed, DType dtype = DType.Float64) => Rand(shape, new Rng(seed), dtype);

    /// <summary>Uniform values in [0, 1) drawn from <paramref name="rng"/>.</summary>
    public static Tensor Rand(int[] shape, Rng rng, DType dtype = DType.Float64)
    {
        var t = Compute.Empty(AutoGrad.Shape.Validate("Rand", shape), dtype);
        // Rounding to float32 would turn draws within 2⁻²⁵ of 1 into 1.0f; cap them at the largest float below 1.
        double top = dtype == DType.Float32 ? 1 - 1.0 / (1 << 24) : 1;
        for (int i = 0; i < t.Count; i++) t.Set(i, Math.Min(rng.NextDouble(), top));
        return t;
    }

    /// <summary>Standard normal values drawn from a generator seeded with <paramref name="seed"/>.</summary>
    public static Tensor Randn(int[] shape, int seed, DType dtype = DType.Float64) => Randn(shape, new Rng(seed), dtype);

    /// <summary>Standard normal values drawn from <paramref name="rng"/>.</summary>
    public static Tensor Randn(int[] shape, Rng rng, DType dtype = DType.Float64)
    {
        var t = Compute.Empty(AutoGrad.Shape.Validate("Randn", shape), dtype);
        for (int i = 0; i < t.Count; i++) t.Set(i, rng.NextGaussian());
        return t;
    }

    /// <summary>Writes element <paramref name="flat"/> (row-major) of a tensor being built; not recorded.</summary>
    internal void Set(int flat, double v)
    {
        if (DType == DType.Float64) Span<double>()[flat] = v;
        else Span<float>()[flat] = (float)v;
    }

    /// <summary>A fresh copy of the data, outside the graph; with <paramref name="lasting"/>, one that no <see cref="TensorScope"/> recycles.</summary>
    internal Tensor Copy(bool lasting = false)
    {
        EnsureLive();
        var t = lasting ? Compute.Lasting(Dims, DType) : Compute.Empty(Dims, DType);
        Array.Copy(Storage, t.Storage, Count);
        return t;
    }

    /// <summary>this += g elementwise, in place, not recorded (g has this shape).</summary>
    internal void AddInPlace(Tensor g)
    {
        BumpVersion();
        if (DType == DType.Float64) System.Numerics.Tensors.TensorPrimitives.Add(Span<double>(), g.Span<double>(), Span<double>());
        else System.Numerics.Tensors.TensorPrimitives.Add(Span<float>(), g.Span<float>(), Span<float>());
    }
}
