using AutoGrad.Tape;

namespace AutoGrad;

/// <summary>How <see cref="Diff.Jacobian(Func{Tensor, Tensor}, Tensor, JacobianMode)"/> builds the matrix.</summary>
public enum JacobianMode
{
    /// <summary>Reverse mode when the output has at most as many elements as the input, else forward mode.</summary>
    Auto,
    /// <summary>One forward pass, then one backward pass per output element (a row each).</summary>
    Reverse,
    /// <summary>One forward pass with a tangent per input element (a column each).</summary>
    Forward,
}

public static partial class Diff
{
    /// <summary>
    /// The Jacobian-vector product J·v of <paramref name="f"/> at <paramref name="xs"/> in forward mode: one evaluation of f
    /// carrying the tangents <paramref name="vs"/> (shaped like the inputs) through every operation. Returns f's value and
    /// the directional derivative, shaped like it.
    /// </summary>
    /// <remarks>Forward mode cannot nest inside forward mode; the tangent is not differentiable by an outer reverse pass.</remarks>
    /// <exception cref="ArgumentException">The numbers or shapes of inputs and tangents differ.</exception>
    public static (Tensor Value, Tensor Jvp) Jvp(Func<Tensor[], Tensor> f, Tensor[] xs, Tensor[] vs)
    {
        CheckDirections("Jvp", xs, vs);
        using var scope = Forward.Begin("Jvp");
        var vars = new Tensor[xs.Length];
        for (int i = 0; i < xs.Length; i++)
        {
            vars[i] = Nested && GradMode.IsEnabled && xs[i].RequiresGrad ? xs[i].Clone() : xs[i].Detach();
            vars[i].SetTangent(vs[i].Detach());
        }
        var y = f(vars);
        var t = y.Tangent ?? Tensor.ZerosLike(y);
        return (Nested ? y : y.Detach(), t.Detach());
    }

    /// <summary>The Jacobian-vector product J·v of a function of one tensor (see <see cref="Jvp(Func{Tensor[], Tensor}, Tensor[], Tensor[])"/>).</summary>
    public static (Tensor Value, Tensor Jvp) Jvp(Func<Tensor, Tensor> f, Tensor x, Tensor v) => Jvp(a => f(a[0]), [x], [v]);

    /// <summary>
    /// The Jacobian of <paramref name="f"/> at <paramref name="x"/>, shaped f(x).Shape followed by x.Shape (as PyTorch's
    /// <c>autograd.functional.jacobian</c>). Reverse mode costs one backward pass per output element, forward mode one
    /// forward pass per input element; <see cref="JacobianMode.Auto"/> picks the fewer passes.
    /// </summary>
    public static Tensor Jacobian(Func<Tensor, Tensor> f, Tensor x, JacobianMode mode = JacobianMode.Auto)
    {
        int n = x.Count;
        if (mode == JacobianMode.Auto)
        {
            Tensor probe;
            using (GradMode.NoGrad()) probe = f(x.Detach());
            mode = probe.Count <= n ? JacobianMode.Reverse : JacobianMode.Forward;
        }
        return mode == JacobianMode.Reverse ? ReverseJacobian(f, x) : ForwardJacobian(f, x);
    }

    private static Tensor ReverseJacobian(Func<Tensor, Tensor> f, Tensor x)
    {
        var (y, vars) = Evaluate(a => f(a[0]), [x]);
        int m = y.Count, n = x.Count;
        var rows = new double[m * n];
        for (int i = 0; i < m; i++)
        {
            var seed = Tensor.ZerosLike(y);
            seed.Set(i, 1.0);
            var g = y.RequiresGrad ? Engine.Backward([y], [seed], vars, retainGraph: i < m - 1, createGraph: false)![0] : Tensor.ZerosLike(x);
            g.ToArray().CopyTo(rows, i * n);
        }
        return Tensor.FromArray(rows, [.. y.Dims, .. x.Dims]).To(x.DType);
    }

    private static Tensor ForwardJacobian(Func<Tensor, Tensor> f, Tensor x)
    {
        int n = x.Count;
        double[]? cols = null;
        int[]? yDims = null;
        for (int k = 0; k < n; k++)
        {
            var e = Tensor.ZerosLike(x);
            e.Set(k, 1.0);
            var (y, t) = Jvp(f, x, e);
            var tv = t.ToArray();
            yDims ??= y.Dims;
            cols ??= new double[tv.Length * n];
            for (int i = 0; i < tv.Length; i++) cols[i * n + k] = tv[i];
        }
        yDims ??= f(x.Detach()).Dims;
        return Tensor.FromArray(cols ?? [], [.. yDims, .. x.Dims]).To(x.DType);
    }

    private static void CheckDirections(string op, Tensor[] xs, Tensor[] vs)
    {
        if (xs.Length != vs.Length)
            throw new ArgumentException(FormattableString.Invariant($"{op}: {vs.Length} directions for {xs.Length} inputs; give one per input, shaped like it."));
        for (int i = 0; i < xs.Length; i++)
            if (!Shape.Equal(xs[i].Dims, vs[i].Dims) || xs[i].DType != vs[i].DType)
                throw new ArgumentException(
                    FormattableString.Invariant($"{op}: direction {i} has shape {Shape.Format(vs[i].Dims)} ({vs[i].DType.Name()}) but input {i} has shape {Shape.Format(xs[i].Dims)} ({xs[i].DType.Name()})."));
    }
}
