using AutoGrad.Tape;

namespace AutoGrad;

/// <summary>How a Hessian-vector product is computed. Both are exact; they differ in cost.</summary>
public enum HvpMode
{
    /// <summary>
    /// Forward over reverse, except inside another transformation (where the result must itself be
    /// differentiable) where reverse over reverse is used.
    /// </summary>
    Auto,
    /// <summary>
    /// Differentiate ⟨∇f(x), v⟩ by a second reverse pass over the recorded first one (PyTorch's way): the first
    /// backward is recorded, then swept. The result can be differentiated again.
    /// </summary>
    ReverseOverReverse,
    /// <summary>
    /// Carry the tangent v through the forward pass and the (unrecorded) backward sweep: the gradient's tangent is
    /// H·v. Nothing extra is recorded and each operation runs once with its tangent beside it.
    /// </summary>
    ForwardOverReverse,
}

public static partial class Diff
{
    /// <summary>The exact Hessian-vector product H·v of a scalar function of one tensor.</summary>
    /// <exception cref="ArgumentException"><paramref name="v"/> is not shaped like <paramref name="x"/>.</exception>
    /// <exception cref="InvalidOperationException">f does not return a single element.</exception>
    public static Tensor Hvp(Func<Tensor, Tensor> f, Tensor x, Tensor v, HvpMode mode = HvpMode.Auto) =>
        ValueGradHvp(a => f(a[0]), [x], [v], mode).Hvps[0];

    /// <summary>The exact Hessian-vector products of a scalar function of several tensors, one per input (vs shaped like xs).</summary>
    public static Tensor[] Hvp(Func<Tensor[], Tensor> f, Tensor[] xs, Tensor[] vs, HvpMode mode = HvpMode.Auto) =>
        ValueGradHvp(f, xs, vs, mode).Hvps;

    /// <summary>The value, gradient and Hessian-vector product of a scalar function of one tensor, from one evaluation.</summary>
    public static (Tensor Value, Tensor Grad, Tensor Hvp) ValueGradHvp(Func<Tensor, Tensor> f, Tensor x, Tensor v, HvpMode mode = HvpMode.Auto)
    {
        var (value, g, h) = ValueGradHvp(a => f(a[0]), [x], [v], mode);
        return (value, g[0], h[0]);
    }

    /// <summary>
    /// The value, the gradients and the Hessian-vector products of a scalar function of several tensors: for input i,
    /// Σⱼ ∂²f/∂xᵢ∂xⱼ · vⱼ. Exact (no differences).
    /// </summary>
    public static (Tensor Value, Tensor[] Grads, Tensor[] Hvps) ValueGradHvp(Func<Tensor[], Tensor> f, Tensor[] xs, Tensor[] vs, HvpMode mode = HvpMode.Auto)
    {
        CheckDirections("Hvp", xs, vs);
        if (mode == HvpMode.Auto) mode = Nested ? HvpMode.ReverseOverReverse : HvpMode.ForwardOverReverse;
        return mode == HvpMode.ForwardOverReverse ? ForwardOverReverse(f, xs, vs) : ReverseOverReverse(f, xs, vs);
    }

    private static (Tensor, Tensor[], Tensor[]) ReverseOverReverse(Func<Tensor[], Tensor> f, Tensor[] xs, Tensor[] vs)
    {
        var (value, vars) = Evaluate(f, xs);
        RequireScalar("Hvp", value);
        bool nested = Nested && GradMode.IsEnabled;
        var g = Grad(value, vars, createGraph: true);
        Tensor? s = null;
        for (int i = 0; i < g.Length; i++)
        {
            var term = (g[i] * vs[i]).Sum();
            s = s is null ? term : s + term;
        }
        var h = Grad(s!, vars, retainGraph: nested, createGraph: nested);
        if (!nested)
            for (int i = 0; i < g.Length; i++) g[i] = g[i].Detach();
        return (nested ? value : value.Detach(), g, h);
    }

    private static (Tensor, Tensor[], Tensor[]) ForwardOverReverse(Func<Tensor[], Tensor> f, Tensor[] xs, Tensor[] vs)
    {
        using var scope = Forward.Begin("Hvp");
        var (value, vars) = Evaluate(f, xs, vs);
        RequireScalar("Hvp", value);
        var g = Grad(value, vars);
        var h = new Tensor[g.Length];
        for (int i = 0; i < g.Length; i++)
        {
            h[i] = (g[i].Tangent ?? Tensor.ZerosLike(xs[i])).Detach();
            g[i] = g[i].Detach();
        }
        return (value.Detach(), g, h);
    }

    /// <summary>
    /// The dense Hessian of a scalar function of one tensor, shaped x.Shape followed by x.Shape, from one
    /// forward-over-reverse Hessian-vector product per element of x, made exactly symmetric by averaging with its
    /// transpose. For small inputs: it costs n products and n² memory; use <see cref="Hvp(Func{Tensor, Tensor}, Tensor, Tensor, HvpMode)"/>
    /// or <see cref="Curvature"/> for large ones.
    /// </summary>
    public static Tensor Hessian(Func<Tensor, Tensor> f, Tensor x)
    {
        int n = x.Count;
        var h = new double[n * n];
        for (int k = 0; k < n; k++)
        {
            var e = Tensor.ZerosLike(x);
            e.Set(k, 1.0);
            var col = Hvp(f, x, e).ToArray();
            for (int i = 0; i < n; i++) h[i * n + k] = col[i];
        }
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n; j++)
                h[i * n + j] = h[j * n + i] = 0.5 * (h[i * n + j] + h[j * n + i]);
        return Tensor.FromArray(h, [.. x.Dims, .. x.Dims]).To(x.DType);
    }

    private static void RequireScalar(string op, Tensor value)
    {
        if (value.Count != 1)
            throw new InvalidOperationException(
                FormattableString.Invariant($"{op}: the function returned shape {Shape.Format(value.Dims)}; a Hessian needs a single-element result."));
    }
}
