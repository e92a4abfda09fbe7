using AutoGrad.Memory;

namespace AutoGrad;

/// <summary>
/// A region of code whose tensors give their storage back when it ends, so that a loop that runs the same
/// computation every step (a training step, an optimizer iteration) reuses the same arrays instead of
/// allocating new ones:
/// <code>
/// for (int step = 0; step &lt; steps; step++)
/// {
///     using var scope = TensorScope.Begin();
///     var loss = Loss.SoftmaxCrossEntropy(model.Forward(x), labels);
///     loss.Backward();
///     optimizer.Step();
/// }
/// </code>
/// </summary>
/// <remarks>
/// <para>Every tensor created on this thread while the scope is open (results, intermediate values of backward,
/// views) is recycled when it is disposed: its storage goes back to the thread's pool and the tensor itself becomes
/// unusable. Reading a recycled tensor throws <see cref="ObjectDisposedException"/>; nothing ever sees another
/// tensor's values. Copy out what you need first (<see cref="Tensor.Item"/>, <see cref="Tensor.ToArray"/>) or
/// <see cref="Keep"/> the tensor.</para>
/// <para>Tensors created before the scope (parameters, data) are untouched, as are the gradients that
/// <see cref="Tensor.Backward(Tensor?, bool, bool)"/> accumulates into <see cref="Tensor.Grad"/> of leaves, and
/// in-place updates of parameters by optimizers. Scopes nest, and belong to the thread that began them; dispose them
/// in reverse order of beginning (a <c>using</c> does).</para>
/// <para>This is .NET's counterpart of the reference counting with which PyTorch frees a step's intermediate
/// tensors as soon as the step drops them: without a scope they are simply left to the garbage collector.</para>
/// </remarks>
public readonly struct TensorScope : IDisposable
{
    private readonly Frame? _frame;
    private readonly int _generation;

    private TensorScope(Frame frame)
    {
        _frame = frame;
        _generation = frame.Generation;
    }

    [ThreadStatic] private static List<Frame>? _frames;
    [ThreadStatic] private static int _depth;
    [ThreadStatic] private static Frame? _innermost;

    /// <summary>Opens a scope on this thread; dispose it to recycle the tensors created inside.</summary>
    public static TensorScope Begin()
    {
        var frames = _frames ??= [];
        if (_depth == frames.Count) frames.Add(new Frame(_depth));
        var f = frames[_depth++];
        f.Generation++;
        f.Open = true;
        _innermost = f;
        return new TensorScope(f);
    }

    /// <summary>True when a scope is open on this thread.</summary>
    public static bool IsActive => _innermost is not null;

    /// <summary>
    /// Exempts <paramref name="tensor"/> from this scope: it survives the scope's end, moving to the enclosing scope if
    /// there is one (then that scope recycles it). Returns the tensor. Tensors that share its storage (views made in the
    /// scope) are still recycled, but its storage is not reused.
    /// </summary>
    /// <exception cref="InvalidOperationException">The scope has ended, or the tensor was not created in it.</exception>
    public Tensor Keep(Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        var f = Live("Keep");
        if (!Remove(f.Tensors, tensor))
            throw new InvalidOperationException(
                FormattableString.Invariant($"TensorScope.Keep: the tensor of shape {Shape.Format(tensor.Dims)} was not created in this scope (it was created before it, in an inner scope that kept it, or already kept)."));
        bool owned = Remove(f.Owned, tensor.Storage);
        if (f.Depth > 0 && _frames![f.Depth - 1] is { Open: true } outer)
        {
            outer.Tensors.Add(tensor);
            if (owned) outer.Owned.Add(tensor.Storage);
        }
        return tensor;
    }

    /// <summary>Ends the scope: the tensors created in it (and not kept) are recycled.</summary>
    /// <exception cref="InvalidOperationException">An inner scope is still open, or the scope belongs to another thread.</exception>
    public void Dispose()
    {
        if (_frame is null || _frame.Generation != _generation || !_frame.Open) return;
        if (!ReferenceEquals(_innermost, _frame))
            throw new InvalidOperationException(
                _frames is not null && _frames.Contains(_frame)
                    ? "TensorScope.Dispose: an inner scope is still open; dispose scopes in the reverse order of Begin."
                    : "TensorScope.Dispose: the scope was begun on another thread.");
        var pool = StoragePool.Current;
        foreach (var t in _frame.Tensors) t.Recycle();
        foreach (var a in _frame.Owned) pool.Return(a);
        _frame.Tensors.Clear();
        _frame.Owned.Clear();
        _frame.Open = false;
        _depth--;
        _innermost = _depth > 0 ? _frames![_depth - 1] : null;
    }

    /// <summary>Registers a tensor made on this thread (storage it owns or shares) with the innermost open scope.</summary>
    internal static void Track(Tensor t, Array? owned)
    {
        if (_innermost is not { } f) return;
        f.Tensors.Add(t);
        if (owned is not null) f.Owned.Add(owned);
    }

    private Frame Live(string what)
    {
        if (_frame is null || _frame.Generation != _generation || !_frame.Open)
            throw new InvalidOperationException(FormattableString.Invariant($"TensorScope.{what}: the scope has ended."));
        if (_frames is null || !_frames.Contains(_frame))
            throw new InvalidOperationException(FormattableString.Invariant($"TensorScope.{what}: the scope was begun on another thread."));
        return _frame;
    }

    private static bool Remove<T>(List<T> list, T item) where T : class
    {
        for (int i = list.Count - 1; i >= 0; i--)
            if (ReferenceEquals(list[i], item)) { list.RemoveAt(i); return true; }
        return false;
    }

    /// <summary>One nesting level's bookkeeping, reused by every scope begun at that depth on this thread.</summary>
    private sealed class Frame(int depth)
    {
        public readonly int Depth = depth;
        public readonly List<Tensor> Tensors = [];
        public readonly List<Array> Owned = [];
        public int Generation;
        public bool Open;
    }
}
