namespace AutoGrad;

/// <summary>
/// How a loss combines the per-sample (or per-element) losses into its result, as PyTorch's <c>reduction</c>
/// argument (<c>"mean"</c>, <c>"sum"</c>, <c>"none"</c>).
/// </summary>
public enum Reduction
{
    /// <summary>The average over the samples: a 0-d tensor. The default of every <see cref="Loss"/>.</summary>
    Mean,
    /// <summary>The sum over the samples: a 0-d tensor.</summary>
    Sum,
    /// <summary>No reduction: one loss per sample (per element for the elementwise losses).</summary>
    None,
}
