namespace AutoGrad;

public sealed partial class Tensor
{
    /// <summary>
    /// Overwrites this tensor's values with <paramref name="source"/>'s (same shape and element type), in place, and
    /// returns this tensor. Not recorded: it is for data, buffers and manual parameter updates.
    /// </summary>
    /// <remarks>Every in-place change increments <see cref="Version"/>; a recorded operation that saved this tensor
    /// then refuses to run backward rather than return a wrong gradient. While recording is on, changing a leaf that
    /// requires gradients, or the result of a recorded operation, is refused (as in PyTorch): do it under
    /// <see cref="GradMode.NoGrad"/>, as optimizers do.</remarks>
    /// <exception cref="ArgumentException">The shapes or element types differ.</exception>
    /// <exception cref="InvalidOperationException">Recording is on and this tensor is part of the graph.</exception>
    public Tensor CopyFrom(Tensor source)
    {
        ArgumentNullException.ThrowIfNull(source);
        CheckInPlace("CopyFrom");
        source.EnsureLive();
        if (!AutoGrad.Shape.Equal(Dims, source.Dims) || DType != source.DType)
            throw new ArgumentException(
                $"CopyFrom: the source has shape {AutoGrad.Shape.Format(source.Dims)} ({source.DType.Name()}) but this tensor has shape {AutoGrad.Shape.Format(Dims)} ({DType.Name()}).",
                nameof(source));
        Array.Copy(source.Storage, Storage, Count);
        BumpVersion();
        return this;
    }

    /// <summary>Sets every element to <paramref name="value"/>, in place, and returns this tensor (see <see cref="CopyFrom"/>).</summary>
    /// <exception cref="InvalidOperationException">Recording is on and this tensor is part of the graph.</exception>
    public Tensor Fill(double value)
    {
        CheckInPlace("Fill");
        if (DType == DType.Float64) Span<double>().Fill(value);
        else Span<float>().Fill((float)value);
        BumpVersion();
        return this;
    }

    private void CheckInPlace(string op)
    {
        EnsureLive();
        if (!GradMode.IsEnabled) return;
        if (GradFn is not null)
            throw new InvalidOperationException(
                $"{op}: the tensor of shape {AutoGrad.Shape.Format(Dims)} is the result of a recorded {GradFn.Op.Name}; changing it in place would make gradients through it wrong. Change a Detach()ed copy, or work under GradMode.NoGrad().");
        if (RequiresGrad)
            throw new InvalidOperationException(
                $"{op}: the tensor of shape {AutoGrad.Shape.Format(Dims)} is a leaf that requires gradients; change it in place only under GradMode.NoGrad() (as optimizers do), so that the change is not mistaken for part of the computation.");
    }
}
