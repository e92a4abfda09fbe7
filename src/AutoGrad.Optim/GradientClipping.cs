using System.Numerics;
using TP = System.Numerics.Tensors.TensorPrimitives;

namespace AutoGrad.Optim;

/// <summary>
/// Gradient clipping, in place on the parameters' <see cref="Tensor.Grad"/>, with the semantics of
/// <c>torch.nn.utils.clip_grad_norm_</c> and <c>clip_grad_value_</c>. Call it between the backward pass and the
/// optimizer step. Parameters whose gradient is null are skipped.
/// </summary>
/// <remarks>
/// Clipping by norm keeps the direction of the whole update and bounds its length (R. Pascanu, T. Mikolov and
/// Y. Bengio, "On the difficulty of training recurrent neural networks", ICML 2013); clipping by value bounds each
/// coordinate and so can change the direction.
/// </remarks>
public static class GradientClipping
{
    /// <summary>
    /// Scales all gradients together so that their total 2-norm is at most <paramref name="maxNorm"/>, and returns the
    /// total norm before clipping.
    /// </summary>
    /// <remarks>
    /// <para>The total norm is ‖(‖g₁‖, …, ‖gₖ‖)‖₂ = √(Σᵢ‖gᵢ‖²) over the gradients of all parameters together, accumulated
    /// in float64 for float32 gradients too. Every gradient is multiplied by min(1, maxNorm / (norm + 1e-6)), as in
    /// PyTorch: the 1e-6 guards a zero norm, and a gradient whose norm is just above maxNorm ends slightly below it.</para>
    /// <para>A non-finite total norm (a NaN or infinite gradient element, or overflow) throws when
    /// <paramref name="errorIfNonfinite"/> is set; otherwise it is applied as PyTorch does: a NaN norm makes every
    /// gradient NaN, and an infinite one multiplies every gradient by 0 (infinite elements become NaN).</para>
    /// </remarks>
    /// <param name="parameters">The parameters whose gradients are clipped (typically <see cref="Optimizer.Parameters"/>).</param>
    /// <param name="maxNorm">The largest total norm allowed, finite and ≥ 0.</param>
    /// <param name="errorIfNonfinite">Throw instead of clipping when the total norm is NaN or infinite. Default false.</param>
    /// <returns>The total 2-norm of the gradients before clipping; 0 when no parameter has a gradient.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxNorm"/> is negative or not finite.</exception>
    /// <exception cref="InvalidOperationException">The total norm is not finite and <paramref name="errorIfNonfinite"/> is set; no gradient is changed.</exception>
    public static double ClipByNorm(IEnumerable<Tensor> parameters, double maxNorm, bool errorIfNonfinite = false)
    {
        var grads = Gradients("ClipByNorm", parameters);
        Hyper.NonNegative("ClipByNorm", nameof(maxNorm), maxNorm);
        double sum = 0;
        foreach (var g in grads)
        {
            double n = g.DType == DType.Float64 ? Math.Sqrt(TP.SumOfSquares(g.Span<double>())) : Norm(g.Span<float>());
            sum += n * n;
        }
        double total = Math.Sqrt(sum);
        if (errorIfNonfinite && !double.IsFinite(total))
            throw new InvalidOperationException(
                FormattableString.Invariant($"ClipByNorm: the total norm of the gradients is {total}; they contain NaN or infinite values (or overflowed). Pass errorIfNonfinite: false to clip anyway."));
        double coefficient = Math.Min(maxNorm / (total + 1e-6), 1.0); // NaN stays NaN, as torch.clamp
        if (coefficient != 1.0)
            foreach (var g in grads)
            {
                if (g.DType == DType.Float64) TP.Multiply(g.Span<double>(), coefficient, g.Span<double>());
                else TP.Multiply(g.Span<float>(), (float)coefficient, g.Span<float>());
                g.BumpVersion();
            }
        return total;
    }

    /// <summary>
    /// Clamps every gradient element to [−<paramref name="clipValue"/>, <paramref name="clipValue"/>] in place. NaN
    /// elements stay NaN.
    /// </summary>
    /// <param name="parameters">The parameters whose gradients are clipped.</param>
    /// <param name="clipValue">The largest magnitude allowed, finite and ≥ 0.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="clipValue"/> is negative or not finite.</exception>
    public static void ClipByValue(IEnumerable<Tensor> parameters, double clipValue)
    {
        var grads = Gradients("ClipByValue", parameters);
        Hyper.NonNegative("ClipByValue", nameof(clipValue), clipValue);
        foreach (var g in grads)
        {
            if (g.DType == DType.Float64) Clamp(g.Span<double>(), clipValue);
            else Clamp(g.Span<float>(), (float)clipValue);
            g.BumpVersion();
        }
    }

    private static void Clamp<T>(Span<T> g, T c) where T : unmanaged, IFloatingPointIeee754<T>
    {
        // IEEE maximum and minimum propagate NaN, as torch.clamp does.
        TP.Max(g, -c, g);
        TP.Min(g, c, g);
    }

    /// <summary>‖x‖₂ of float32 values, accumulated in float64 (PyTorch's CPU accumulation type for float).</summary>
    private static double Norm(ReadOnlySpan<float> x)
    {
        double s = 0;
        foreach (float v in x) s += (double)v * v;
        return Math.Sqrt(s);
    }

    private static List<Tensor> Gradients(string owner, IEnumerable<Tensor> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        var grads = new List<Tensor>();
        int i = 0;
        foreach (var p in parameters)
        {
            if (p is null) throw new ArgumentNullException(nameof(parameters), FormattableString.Invariant($"{owner}: parameter {i} is null."));
            if (p.Grad is { } g) grads.Add(g);
            i++;
        }
        return grads;
    }
}
