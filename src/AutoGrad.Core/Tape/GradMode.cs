using AutoGrad.Tape;

namespace AutoGrad;

/// <summary>
/// Whether operations are recorded on the tape. Recording is on by default and is per thread: each thread
/// records on its own tape.
/// </summary>
public static class GradMode
{
    [ThreadStatic] private static int _disabledDepth;

    /// <summary>True when operations on tensors that require gradients are being recorded on this thread.</summary>
    public static bool IsEnabled => _disabledDepth == 0;

    /// <summary>
    /// Turns recording off on this thread until the returned scope is disposed:
    /// <c>using (GradMode.NoGrad()) { ... }</c>. Results computed inside do not require gradients. Scopes nest.
    /// </summary>
    public static NoGradScope NoGrad()
    {
        _disabledDepth++;
        return new NoGradScope(true);
    }

    /// <summary>Turns recording on inside a <see cref="NoGrad"/> scope until the returned scope is disposed.</summary>
    public static EnableGradScope EnableGrad()
    {
        int saved = _disabledDepth;
        _disabledDepth = 0;
        return new EnableGradScope(saved);
    }

    /// <summary>A scope that restores the current mode, i.e. changes nothing.</summary>
    internal static EnableGradScope Unchanged() => new(_disabledDepth);

    internal static void Leave() => _disabledDepth--;
    internal static void Restore(int depth) => _disabledDepth = depth;

    /// <summary>Records <paramref name="op"/> as the producer of <paramref name="output"/> if recording is on and an input requires gradients.</summary>
    internal static Node? Record(Op op, Tensor output, Tensor a, Tensor? b = null)
    {
        bool record = _disabledDepth == 0 && (a.RequiresGrad || (b is not null && b.RequiresGrad));
        bool tangent = Forward.Active && (a.HasTangent || (b is not null && b.HasTangent));
        if (!record && !tangent)
        {
            if (Anomaly.IsEnabled) Anomaly.CheckForward(op, output, b is null ? [a] : [a, b], null);
            return null;
        }
        var n = Node.Rent(op, output, a, b);
        n.VersionA = a.Version;
        n.VersionB = b?.Version ?? 0;
        n.VersionOut = output.Version;
        if (Anomaly.IsEnabled)
        {
            n.RecordedAt = Anomaly.UserFrame();
            Anomaly.CheckForward(op, output, b is null ? [a] : [a, b], n);
        }
        if (record) output.MarkRecorded(n);
        if (tangent)
        {
            // The inputs' tangents are computed now, while their nodes are complete, so that no later read recurses.
            Forward.Resolve(a);
            if (b is not null) Forward.Resolve(b);
            output.TangentSource = n;
            output.TangentScope = Forward.Scope;
        }
        return n;
    }

    /// <summary>Records an op with any number of inputs.</summary>
    internal static Node? Record(Op op, Tensor output, Tensor[] inputs)
    {
        bool record = false, tangent = false;
        foreach (var t in inputs)
        {
            record |= t.RequiresGrad;
            tangent |= t.HasTangent;
        }
        record &= _disabledDepth == 0;
        tangent &= Forward.Active;
        if (!record && !tangent)
        {
            if (Anomaly.IsEnabled) Anomaly.CheckForward(op, output, inputs, null);
            return null;
        }
        var n = Node.Rent(op, output, inputs);
        n.VersionOut = output.Version;
        for (int i = 0; i < inputs.Length; i++)
            if (inputs[i].Version != 0)
            {
                n.VersionMany = new int[inputs.Length];
                for (int k = 0; k < inputs.Length; k++) n.VersionMany[k] = inputs[k].Version;
                break;
            }
        if (Anomaly.IsEnabled)
        {
            n.RecordedAt = Anomaly.UserFrame();
            Anomaly.CheckForward(op, output, inputs, n);
        }
        if (record) output.MarkRecorded(n);
        if (tangent)
        {
            foreach (var t in inputs) Forward.Resolve(t);
            output.TangentSource = n;
            output.TangentScope = Forward.Scope;
        }
        return n;
    }
}

/// <summary>The scope returned by <see cref="GradMode.NoGrad"/>; disposing it turns recording back on.</summary>
public readonly struct NoGradScope : IDisposable
{
    private readonly bool _active;
    internal NoGradScope(bool active) => _active = active;

    /// <summary>Ends the scope.</summary>
    public void Dispose()
    {
        if (_active) GradMode.Leave();
    }
}

/// <summary>The scope returned by <see cref="GradMode.EnableGrad"/>; disposing it restores the previous mode.</summary>
public readonly struct EnableGradScope : IDisposable
{
    private readonly int _saved;
    internal EnableGradScope(int saved) => _saved = saved;

    /// <summary>Ends the scope.</summary>
    public void Dispose() => GradMode.Restore(_saved);
}
