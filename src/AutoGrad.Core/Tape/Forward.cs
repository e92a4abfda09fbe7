namespace AutoGrad.Tape;

/// <summary>
/// Forward mode: while a scope is open, tensors may carry a tangent (a directional derivative), and every
/// operation with a tangent-carrying input gives its result a tangent through its op's <see cref="Op.Jvp"/>
/// rule. Tangents ride along whatever runs, the reverse sweep included, which is how forward-over-reverse
/// Hessian-vector products work: the gradient's tangent is H·v.
/// </summary>
/// <remarks>
/// A result's tangent is computed when the result is first used by another operation (or read), after its op
/// has saved its arguments in the node; so the computation never recurses over the graph. Tangents carry the
/// id of their scope, so tangents left on tensors by an earlier scope are never mistaken for current ones.
/// Rules run with recording and tangent propagation off: tangents are not themselves differentiated.
/// </remarks>
internal static class Forward
{
    private static int _counter;
    [ThreadStatic] private static int _scope;
    [ThreadStatic] private static int _suspended;

    /// <summary>The id of the open scope on this thread (0 when none).</summary>
    public static int Scope => _scope;

    /// <summary>True when operations should propagate tangents on this thread.</summary>
    public static bool Active => _scope != 0 && _suspended == 0;

    /// <summary>Opens a forward-mode scope; scopes do not nest (tangents would mix).</summary>
    public static ScopeHandle Begin(string op)
    {
        if (_scope != 0)
            throw new NotSupportedException(
                $"{op}: forward mode inside forward mode is not supported (the two tangents would mix); use reverse mode for the outer derivative.");
        _scope = Interlocked.Increment(ref _counter);
        return new ScopeHandle(0);
    }

    /// <summary>Stops tangent propagation until disposed (while a rule computes a tangent).</summary>
    public static ScopeHandle Suspend()
    {
        _suspended++;
        return new ScopeHandle(1);
    }

    internal readonly struct ScopeHandle(int kind) : IDisposable
    {
        public void Dispose()
        {
            if (kind == 0) _scope = 0;
            else _suspended--;
        }
    }

    /// <summary>Computes the pending tangent of <paramref name="t"/> from its op's rule.</summary>
    public static void Resolve(Tensor t)
    {
        if (t.TangentSource is not { } n || t.TangentScope != _scope) return;
        t.TangentSource = null;
        var ts = new Tensor?[n.Arity];
        for (int i = 0; i < ts.Length; i++) ts[i] = n.Input(i).Tangent;
        Tensor? tan;
        using (Suspend())
        using (GradMode.NoGrad())
        {
            tan = n.Op.Jvp(n, ts);
            if (tan is not null && !Shape.Equal(tan.Dims, t.Dims))
            {
                if (!Shape.BroadcastsTo(tan.Dims, t.Dims))
                    throw new InvalidOperationException(
                        $"{n.Op.Name}: its forward-mode rule returned a tangent of shape {Shape.Format(tan.Dims)} for a result of shape {Shape.Format(t.Dims)}.");
                tan = Compute.Expand(tan, t.Dims);
            }
        }
        t.TangentValue = tan;
    }
}
