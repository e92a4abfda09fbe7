namespace AutoGrad.Tape;

/// <summary>
/// The reverse sweep. It orders the recorded nodes reachable from the outputs (an iterative depth-first
/// search, so a chain of a million operations needs no deep stack), then visits them outputs-first,
/// handing each node's accumulated gradient to its op's backward rule and adding the results into the
/// gradients of the node's inputs. Broadcasting is undone here, once, for every rule.
/// </summary>
internal static class Engine
{
    private static int _stampCounter;
    [ThreadStatic] private static int _depth;

    /// <summary>The outermost sweep's lists and arrays, kept per thread so that a steady training loop allocates none.</summary>
    private sealed class Workspace
    {
        public readonly List<Node> Order = [];
        public readonly Stack<(Node, int)> Stack = new();
        public Tensor?[] Pending = [];
        public readonly Tensor?[] Grads = new Tensor?[8];
        public readonly Tensor[] Seed = new Tensor[1];
    }

    [ThreadStatic] private static Workspace? _workspace;

    /// <summary>Called after each node's backward rule with the node, its upstream gradient and the gradients for its inputs (shaped like them); set by <see cref="TapeView.TraceBackward"/>.</summary>
    [ThreadStatic] internal static Action<Node, Tensor, Tensor?[]>? Observer;

    /// <summary>
    /// Backpropagates from <paramref name="outputs"/> seeded with <paramref name="seeds"/> (ones for one-element outputs).
    /// With <paramref name="inputs"/> null, gradients accumulate into <see cref="Tensor.Grad"/> of leaves that require them;
    /// otherwise the gradients with respect to <paramref name="inputs"/> are returned (zeros where unreachable) and no
    /// <see cref="Tensor.Grad"/> changes.
    /// </summary>
    public static Tensor[]? Backward(Tensor[] outputs, Tensor?[]? seeds, Tensor[]? inputs, bool retainGraph, bool createGraph)
    {
        // Nested sweeps (a backward inside a backward rule or a forward-mode rule) get their own.
        var ws = _depth == 0 ? _workspace ??= new Workspace() : null;
        var seedList = ws is not null && outputs.Length == 1 ? ws.Seed : new Tensor[outputs.Length];
        for (int k = 0; k < outputs.Length; k++)
        {
            var o = outputs[k];
            var s = seeds?[k];
            if (s is null)
            {
                if (o.Count != 1)
                    throw new InvalidOperationException(
                        $"Backward: the output has shape {Shape.Format(o.Dims)}, not a single element; pass a seed of that shape (the vector of the vector-Jacobian product).");
                s = Tensor.OnesLike(o);
            }
            else if (!Shape.Equal(s.Dims, o.Dims) || s.DType != o.DType)
                throw new ArgumentException(
                    $"Backward: the seed has shape {Shape.Format(s.Dims)} ({s.DType.Name()}) but the output has shape {Shape.Format(o.Dims)} ({o.DType.Name()}).");
            seedList[k] = s;
        }

        int stamp = Interlocked.Increment(ref _stampCounter);
        bool nested = _depth > 0;
        List<(Node node, int stamp, int slot)>? restore = nested ? new() : null;
        var order = ws?.Order ?? new List<Node>();
        order.Clear();
        var result = inputs is null ? null : new Tensor?[inputs.Length];
        _depth++;
        try
        {
            int maxArity = Sort(outputs, inputs, stamp, order, restore, ws?.Stack ?? new());
            Tensor?[] pending, grads;
            if (ws is not null)
            {
                if (ws.Pending.Length < order.Count) ws.Pending = new Tensor?[Math.Max(order.Count, 2 * ws.Pending.Length)];
                pending = ws.Pending;
                grads = maxArity <= ws.Grads.Length ? ws.Grads : new Tensor?[maxArity];
            }
            else
            {
                pending = new Tensor?[order.Count];
                grads = new Tensor?[Math.Max(maxArity, 1)];
            }

            // Two scope structs rather than one boxed IDisposable: nothing allocated per sweep.
            using var off = createGraph ? default : GradMode.NoGrad();
            using var on = createGraph ? GradMode.EnableGrad() : GradMode.Unchanged();

            for (int k = 0; k < outputs.Length; k++)
                Deliver(outputs[k], seedList[k], pending, inputs, result, createGraph);

            for (int idx = 0; idx < order.Count; idx++)
            {
                var n = order[idx];
                var g = pending[idx];
                pending[idx] = null;
                if (g is not null)
                {
                    if (n.Released)
                        throw new InvalidOperationException(
                            $"Backward through {n.Op.Name} a second time: its saved values were released after the first backward. Pass retainGraph: true to the first call to keep them.");
                    n.CheckVersions();
                    n.Op.Backward(n, g, grads);
                    // Debugging hooks see each input's gradient in that input's shape (conforming twice is a no-op).
                    if (Anomaly.IsEnabled || Observer is not null)
                    {
                        for (int i = 0; i < n.Arity; i++)
                            if (grads[i] is { } gi) grads[i] = Conform(n, i, n.Input(i), gi);
                        if (Anomaly.IsEnabled) Anomaly.CheckBackward(n, g, grads);
                        Observer?.Invoke(n, g, grads);
                    }
                    for (int i = 0; i < n.Arity; i++)
                    {
                        var gi = grads[i];
                        grads[i] = null;
                        var x = n.Input(i);
                        if (gi is null || !x.RequiresGrad) continue;
                        Deliver(x, Conform(n, i, x, gi), pending, inputs, result, createGraph);
                    }
                }
                if (!retainGraph) n.Release();
            }
        }
        finally
        {
            if (ws is not null)
            {
                // Nothing of this sweep may stay reachable from the thread's workspace.
                Array.Clear(ws.Pending, 0, Math.Min(order.Count, ws.Pending.Length));
                Array.Clear(ws.Grads);
                ws.Seed[0] = null!;
                order.Clear();
                ws.Stack.Clear();
            }
            _depth--;
            if (restore is not null)
                foreach (var (node, s, slot) in restore) { node.Stamp = s; node.Slot = slot; }
        }

        if (result is null) return null;
        var r = new Tensor[result.Length];
        for (int j = 0; j < r.Length; j++) r[j] = result[j] ?? Tensor.ZerosLike(inputs![j]);
        return r;
    }

    /// <summary>
    /// Post-order depth-first search without recursion; fills <paramref name="order"/> outputs-first and sets each
    /// node's slot. With requested <paramref name="inputs"/>, only nodes through which some input is reached are
    /// kept (their slot is −1 otherwise), as PyTorch's engine does.
    /// </summary>
    private static int Sort(Tensor[] outputs, Tensor[]? inputs, int stamp, List<Node> order, List<(Node, int, int)>? restore,
        Stack<(Node node, int next)> stack)
    {
        int maxArity = 0;
        foreach (var o in outputs)
        {
            if (o.GradFn is not { } root || root.Stamp == stamp) continue;
            Visit(root);
            while (stack.Count > 0)
            {
                var (n, next) = stack.Pop();
                if (next < n.Arity && !n.Released)
                {
                    stack.Push((n, next + 1));
                    if (n.Input(next).GradFn is { } child && child.Stamp != stamp) Visit(child);
                }
                else
                {
                    // A released node has lost its inputs; keep it so that a gradient reaching it fails clearly.
                    n.Slot = inputs is null || n.Released || LeadsToInput(n) ? 0 : -1;
                    order.Add(n);
                }
            }
        }
        if (inputs is not null) order.RemoveAll(n => n.Slot < 0);
        order.Reverse();
        for (int i = 0; i < order.Count; i++) order[i].Slot = i;
        return maxArity;

        // Children finish before their parent, so their slots already say whether they lead to an input.
        bool LeadsToInput(Node n)
        {
            for (int i = 0; i < n.Arity; i++)
            {
                var x = n.Input(i);
                if (Array.IndexOf(inputs!, x) >= 0 || (x.GradFn is { } c && c.Stamp == stamp && c.Slot >= 0)) return true;
            }
            return false;
        }

        void Visit(Node n)
        {
            restore?.Add((n, n.Stamp, n.Slot));
            n.Stamp = stamp;
            n.Slot = -1;
            maxArity = Math.Max(maxArity, n.Arity);
            stack.Push((n, 0));
        }
    }

    /// <summary>Checks a rule's gradient against its input and sums broadcast dimensions back to the input's shape.</summary>
    internal static Tensor Conform(Node n, int i, Tensor x, Tensor g)
    {
        if (g.DType != x.DType)
            throw new InvalidOperationException(
                $"{n.Op.Name}: backward returned a {g.DType.Name()} gradient for input {i}, which is {x.DType.Name()}.");
        if (Shape.Equal(g.Dims, x.Dims)) return g;
        if (n.Op.GradientsMayBroadcast && Shape.BroadcastsTo(x.Dims, g.Dims)) return g.SumTo(x.Dims);
        throw new InvalidOperationException(
            $"{n.Op.Name}: backward returned a gradient of shape {Shape.Format(g.Dims)} for input {i}, whose shape is {Shape.Format(x.Dims)}.");
    }

    private static void Deliver(Tensor t, Tensor g, Tensor?[] pending, Tensor[]? inputs, Tensor?[]? result, bool createGraph)
    {
        // A recycled input has lost its graph: stopping here would return a silently truncated gradient.
        t.EnsureLive();
        if (inputs is not null)
        {
            // Every entry: the same tensor may be requested twice, and each gets the whole gradient.
            for (int j = 0; j < inputs.Length; j++)
                if (ReferenceEquals(inputs[j], t)) result![j] = result[j] is null ? g : result[j]! + g;
        }
        if (t.GradFn is { } node)
        {
            // Nodes that lead to no requested input were dropped from the sweep (slot −1).
            if (node.Slot >= 0)
            {
                ref var p = ref pending[node.Slot];
                p = p is null ? g : p + g;
            }
            return;
        }
        if (inputs is not null) return;
        if (!t.RequiresGrad) return;
        if (t.Grad is null)
            t.Grad = createGraph && g.GradFn is not null ? g : g.Copy(lasting: true);
        else if (!Shape.Equal(t.Grad.Dims, t.Dims) || t.Grad.DType != t.DType)
            throw new InvalidOperationException(
                $"Backward: the existing Grad of a leaf has shape {Shape.Format(t.Grad.Dims)} ({t.Grad.DType.Name()}) but the leaf has shape {Shape.Format(t.Dims)} ({t.DType.Name()}).");
        else if (createGraph || t.Grad.GradFn is not null)
            t.Grad = t.Grad + g;
        else
            t.Grad.AddInPlace(g);
    }
}
