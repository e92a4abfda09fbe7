using TP = System.Numerics.Tensors.TensorPrimitives;

namespace AutoGrad.Optim;

/// <summary>
/// The parameters of a closure-driven method as one flat float64 vector of n = Σ counts (parameter order, row-major
/// within each): reads and writes of the point, evaluations of the closure, and gradients, Hessian rows and
/// Hessian-vector products in that layout. Float32 parameters are widened on reading and rounded on writing.
/// </summary>
internal sealed class FlatParameters
{
    private readonly string _owner;
    private readonly Tensor[] _params;
    private readonly int[] _offsets;

    public FlatParameters(string owner, IReadOnlyList<Tensor> parameters)
    {
        _owner = owner;
        _params = [.. parameters];
        _offsets = new int[_params.Length + 1];
        long n = 0;
        for (int i = 0; i < _params.Length; i++)
        {
            _offsets[i] = (int)n;
            n += _params[i].Count;
            if (n > Array.MaxLength)
                throw new ArgumentException(FormattableString.Invariant($"{owner}: the parameters have more than {Array.MaxLength} elements in all; they cannot be flattened into one vector."), nameof(parameters));
        }
        if (n == 0) throw new ArgumentException(FormattableString.Invariant($"{owner}: the parameters have no elements."), nameof(parameters));
        _offsets[^1] = (int)n;
        Count = (int)n;
    }

    /// <summary>n, the number of elements over all parameters.</summary>
    public int Count { get; }

    /// <summary>
    /// The rounding allowed when two values of f are compared: 100 units of roundoff of the loss's element type
    /// (2⁻⁵² for float64, 2⁻²³ for float32) times |f|. Near a minimum the decrease of f falls below its rounding, which
    /// cancellation inside f (a quadratic ½θᵀAθ − bᵀθ, say) makes several units of |f|·ε; tests of f alone then see noise.
    /// </summary>
    public double Noise(double f) => 100 * _roundoff * Math.Abs(f);

    private double _roundoff = Math.ScaleB(1, -52);

    /// <summary>Copies the current point into <paramref name="x"/>.</summary>
    public void Read(Span<double> x)
    {
        for (int i = 0; i < _params.Length; i++)
        {
            var dst = x.Slice(_offsets[i], _params[i].Count);
            if (_params[i].DType == DType.Float64) _params[i].Span<double>().CopyTo(dst);
            else
            {
                var src = _params[i].Span<float>();
                for (int j = 0; j < src.Length; j++) dst[j] = src[j];
            }
        }
    }

    /// <summary>Sets the parameters to <paramref name="x"/>.</summary>
    public void Write(ReadOnlySpan<double> x) => Write(x, 0, x);

    /// <summary>Sets the parameters to x0 + t·d.</summary>
    public void Write(ReadOnlySpan<double> x0, double t, ReadOnlySpan<double> d)
    {
        for (int i = 0; i < _params.Length; i++)
        {
            int o = _offsets[i], c = _params[i].Count;
            var a = x0.Slice(o, c);
            var b = d.Slice(o, c);
            if (_params[i].DType == DType.Float64)
            {
                var p = _params[i].Span<double>();
                if (t == 0) a.CopyTo(p);
                else TP.MultiplyAdd(b, t, a, p);
            }
            else
            {
                var p = _params[i].Span<float>();
                for (int j = 0; j < c; j++) p[j] = (float)(a[j] + t * b[j]);
            }
        }
    }

    /// <summary>
    /// Counts one in-place change of every parameter (<see cref="Tensor.Version"/>). Called once per optimizer step
    /// rather than per write: the trial points of a line search or trust region are written and restored exactly, and the
    /// graph recorded at the starting point (for Hessian-vector products) stays valid in between.
    /// </summary>
    public void MarkChanged()
    {
        foreach (var p in _params) p.BumpVersion();
    }

    /// <summary>Moves the parameters in place by t·d (torch's <c>_add_grad</c>).</summary>
    public void Add(double t, ReadOnlySpan<double> d)
    {
        for (int i = 0; i < _params.Length; i++)
        {
            int o = _offsets[i], c = _params[i].Count;
            var b = d.Slice(o, c);
            if (_params[i].DType == DType.Float64)
            {
                var p = _params[i].Span<double>();
                TP.MultiplyAdd(b, t, p, p);
            }
            else
            {
                var p = _params[i].Span<float>();
                for (int j = 0; j < c; j++) p[j] = (float)(p[j] + t * b[j]);
            }
        }
    }

    /// <summary>f at the current point, evaluated without recording (a trial point of a line search or trust region).</summary>
    public double Value(Func<Tensor> closure)
    {
        using var mode = GradMode.NoGrad();
        return Scalar(closure());
    }

    /// <summary>f and its gradient (into <paramref name="g"/>) at the current point; the loss comes back detached.</summary>
    public Tensor ValueAndGrad(Func<Tensor> closure, Span<double> g)
    {
        using var mode = GradMode.EnableGrad();
        var loss = closure();
        Scalar(loss);
        Flatten(Diff.Grad(loss, _params), g);
        return loss.Detach();
    }

    /// <summary>
    /// f and its gradient (into <paramref name="g"/>) at the current point, with the backward pass recorded so that the
    /// returned <see cref="Curvature"/> can differentiate the gradient again. The parameters must hold this point
    /// whenever the curvature is used (its saved values share their storage).
    /// </summary>
    public (Tensor Loss, SecondOrder Curvature) ValueGradAndCurvature(Func<Tensor> closure, Span<double> g)
    {
        using var mode = GradMode.EnableGrad();
        var loss = closure();
        Scalar(loss);
        var grads = Diff.Grad(loss, _params, createGraph: true);
        Flatten(grads, g);
        return (loss.Detach(), new SecondOrder(this, grads));
    }

    private double Scalar(Tensor loss)
    {
        if (loss is null)
            throw new InvalidOperationException(FormattableString.Invariant($"{_owner}: the closure returned null; it must return the loss."));
        if (loss.Count != 1)
            throw new InvalidOperationException(FormattableString.Invariant($"{_owner}: the closure returned shape {Shape.Format(loss.Dims)}; the loss must be a single element."));
        _roundoff = Math.ScaleB(1, loss.DType == DType.Float32 ? -23 : -52);
        return loss.Item();
    }

    private void Flatten(Tensor[] parts, Span<double> flat)
    {
        for (int i = 0; i < parts.Length; i++)
        {
            var dst = flat.Slice(_offsets[i], _params[i].Count);
            if (parts[i].DType == DType.Float64) parts[i].Span<double>().CopyTo(dst);
            else
            {
                var src = parts[i].Span<float>();
                for (int j = 0; j < src.Length; j++) dst[j] = src[j];
            }
        }
    }

    /// <summary>Second derivatives at one point, from a recorded gradient: H·v and the rows of H, by reverse over reverse.</summary>
    internal sealed class SecondOrder(FlatParameters owner, Tensor[] grads)
    {
        /// <summary>H·v for a flat v, into <paramref name="hv"/>: one reverse pass over the recorded gradient, ∇⟨g, v⟩.</summary>
        public void Hvp(ReadOnlySpan<double> v, Span<double> hv)
        {
            using var mode = GradMode.EnableGrad();
            Tensor? s = null;
            for (int i = 0; i < grads.Length; i++)
            {
                if (!grads[i].RequiresGrad) continue;
                var p = owner._params[i];
                var vi = Tensor.FromSpan(v.Slice(owner._offsets[i], p.Count), p.Shape);
                if (p.DType != DType.Float64) vi = vi.To(p.DType);
                var term = (grads[i] * vi).Sum();
                s = s is null ? term : s + term;
            }
            if (s is null) { hv.Clear(); return; }
            owner.Flatten(Diff.Grad(s, owner._params, retainGraph: true), hv);
        }

        /// <summary>Row k of H, ∇(∂f/∂xₖ), into <paramref name="row"/>: one reverse pass seeded with a unit vector.</summary>
        public void Row(int k, Span<double> row)
        {
            int i = 0;
            while (owner._offsets[i + 1] <= k) i++;
            if (!grads[i].RequiresGrad) { row.Clear(); return; }
            var seed = Tensor.ZerosLike(grads[i]);
            seed.Set(k - owner._offsets[i], 1.0);
            owner.Flatten(Diff.Grad(grads[i], owner._params, seed, retainGraph: true), row);
        }
    }
}
