namespace AutoGrad;

/// <summary>The element type of a <see cref="Tensor"/>.</summary>
/// <remarks>
/// Operations never mix element types silently: combining a float64 tensor with a float32 tensor
/// throws, naming the operation; convert explicitly with <see cref="Tensor.To(DType)"/>.
/// C# scalars (<see cref="double"/>) combined with a tensor take the tensor's element type.
/// </remarks>
public enum DType : byte
{
    /// <summary>IEEE 754 double precision (the default).</summary>
    Float64,
    /// <summary>IEEE 754 single precision.</summary>
    Float32,
}

/// <summary>Names and sizes of <see cref="DType"/> values.</summary>
public static class DTypeExtensions
{
    /// <summary>The lower-case name used in messages and <see cref="Tensor.ToString()"/>: "float64" or "float32".</summary>
    public static string Name(this DType dtype) => dtype == DType.Float64 ? "float64" : "float32";

    /// <summary>Size of one element in bytes.</summary>
    public static int ElementSize(this DType dtype) => dtype == DType.Float64 ? 8 : 4;
}
