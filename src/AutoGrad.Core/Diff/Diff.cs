using AutoGrad.Tape;

namespace AutoGrad;

/// <summary>
/// Function transformations: gradients, values with gradients and vector-Jacobian products of ordinary
/// C# functions of tensors, in the manner of JAX's <c>grad</c> and PyTorch's <c>torch.autograd.grad</c>.
/// </summary>
/// <remarks>
/// The functional forms differentiate with respect to fresh copies of the arguments, so they never touch
/// <see cref="Tensor.Grad"/>. They nest: a <c>Grad</c> evaluated inside the function of another <c>Grad</c>
/// records its own backward pass, so the outer one differentiates through it (Hessians, mixed partials), and
/// the two never mix their variables (no perturbation confusion).
/// </remarks>
public static partial class Diff
{
    [ThreadStatic] private static int _level;

    /// <summary>True while the function of a functional transformation is being evaluated on this thread.</summary>
    internal static bool Nested => _level > 0;

    /// <summary>The gradient of a scalar function at <paramref name="x"/>, shaped like <paramref name="x"/>.</summary>
    /// <exception cref="InvalidOperationException">f returns a tensor with more than one element.</exception>
    public static Tensor Grad(Func<Tensor, Tensor> f, Tensor x) => ValueAndGrad(f, x).Grad;

    /// <summary>The gradients of a scalar function of several tensors, one per argument.</summary>
    public static Tensor[] Grad(Func<Tensor[], Tensor> f, params Tensor[] xs) => ValueAndGrad(f, xs).Grads;

    /// <summary>The value of a scalar function and its gradient at <paramref name="x"/>, from one forward and one backward pass.</summary>
    public static (Tensor Value, Tensor Grad) ValueAndGrad(Func<Tensor, Tensor> f, Tensor x)
    {
        var (v, g) = ValueAndGrad(a => f(a[0]), [x]);
        return (v, g[0]);
    }

    /// <summary>The value of a scalar function of several tensors and its gradient with respect to each.</summary>
    public static (Tensor Value, Tensor[] Grads) ValueAndGrad(Func<Tensor[], Tensor> f, params Tensor[] xs)
    {
        var (value, vars) = Evaluate(f, xs);
        if (value.Count != 1)
            throw new InvalidOperationException(
                FormattableString.Invariant($"Grad: the function returned shape {Shape.Format(value.Dims)}; a gradient needs a single-element result (use Vjp for a vector-valued function)."));
        return (Nested ? value : value.Detach(), Pullback(value, vars, null));
    }

    /// <summary>
    /// The vector-Jacobian product vᵀ·J of <paramref name="f"/> at <paramref name="xs"/>: one backward pass seeded with
    /// <paramref name="v"/>, which must have the shape of f's result. Returns f's value too.
    /// </summary>
    public static (Tensor Value, Tensor[] Vjp) Vjp(Func<Tensor[], Tensor> f, Tensor[] xs, Tensor v)
    {
        var (value, vars) = Evaluate(f, xs);
        if (!Shape.Equal(v.Dims, value.Dims))
            throw new ArgumentException(FormattableString.Invariant($"Vjp: v has shape {Shape.Format(v.Dims)} but the function returned shape {Shape.Format(value.Dims)}."));
        return (Nested ? value : value.Detach(), Pullback(value, vars, v));
    }

    /// <summary>
    /// The gradients of <paramref name="output"/> with respect to <paramref name="inputs"/> on an existing graph,
    /// as <c>torch.autograd.grad</c>: nothing accumulates into <see cref="Tensor.Grad"/>. An output that does not
    /// depend on an input gives zeros for it.
    /// </summary>
    /// <param name="output">The tensor to differentiate; a seed is needed unless it has one element.</param>
    /// <param name="inputs">Tensors that require gradients (leaves or intermediate results).</param>
    /// <param name="seed">The vector of the vector-Jacobian product, shaped like <paramref name="output"/>.</param>
    /// <param name="retainGraph">Keep the saved values for another backward (defaults to <paramref name="createGraph"/>).</param>
    /// <param name="createGraph">Record the backward pass so that the gradients can be differentiated again.</param>
    /// <exception cref="ArgumentException">An input does not require gradients.</exception>
    public static Tensor[] Grad(Tensor output, Tensor[] inputs, Tensor? seed = null, bool retainGraph = false, bool createGraph = false)
    {
        for (int i = 0; i < inputs.Length; i++)
            if (!inputs[i].RequiresGrad)
                throw new ArgumentException(
                    FormattableString.Invariant($"Grad: input {i} (shape {Shape.Format(inputs[i].Dims)}) does not require gradients; set RequiresGrad on it before computing the output."));
        if (!output.RequiresGrad)
        {
            if (seed is null && output.Count != 1)
                throw new InvalidOperationException(FormattableString.Invariant($"Grad: the output has shape {Shape.Format(output.Dims)}, not a single element; pass a seed of that shape."));
            var zeros = new Tensor[inputs.Length];
            for (int i = 0; i < zeros.Length; i++) zeros[i] = Tensor.ZerosLike(inputs[i]);
            return zeros;
        }
        return Engine.Backward([output], seed is null ? null : [seed], inputs, retainGraph || createGraph, createGraph)!;
    }

    /// <summary>
    /// Runs f on variables standing for <paramref name="xs"/>: fresh leaves, or, when an outer transformation
    /// differentiates through xs, recorded copies of them. A copy is a variable of its own: the pullback counts only
    /// the paths through it, not those where f reaches the outer tensor directly (perturbation confusion), while the
    /// outer transformation still differentiates through the copy.
    /// </summary>
    private static (Tensor Value, Tensor[] Vars) Evaluate(Func<Tensor[], Tensor> f, Tensor[] xs, Tensor[]? tangents = null)
    {
        bool nested = Nested && GradMode.IsEnabled;
        var vars = new Tensor[xs.Length];
        for (int i = 0; i < xs.Length; i++)
        {
            vars[i] = nested && xs[i].RequiresGrad ? xs[i].Clone() : xs[i].Detach().RequireGrad();
            if (tangents is not null) vars[i].SetTangent(tangents[i].Detach());
        }
        _level++;
        try
        {
            using var mode = GradMode.EnableGrad();
            return (f(vars), vars);
        }
        finally { _level--; }
    }

    private static Tensor[] Pullback(Tensor value, Tensor[] vars, Tensor? seed)
    {
        bool nested = Nested && GradMode.IsEnabled;
        return Grad(value, vars, seed, retainGraph: nested, createGraph: nested);
    }
}
