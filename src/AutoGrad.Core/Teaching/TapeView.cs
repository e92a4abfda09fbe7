using System.Globalization;
using System.Text;
using AutoGrad.Tape;

namespace AutoGrad;

/// <summary>
/// The recorded graph made visible, for teaching and debugging: every operation with its inputs, shapes and values
/// (<see cref="Forward"/>), the reverse pass step by step with each local derivative and accumulated gradient
/// (<see cref="TraceBackward"/>), and the graph as Graphviz DOT (<see cref="Dot"/>).
/// </summary>
/// <remarks>
/// Entries are labelled by <see cref="Tensor.Name"/> when set; otherwise leaves (tensors you created) are <c>leaf0</c>,
/// <c>leaf1</c>, … and results <c>#k</c>, the k-th recorded operation. Values are shown rounded to
/// <see cref="TapeViewOptions.Digits"/> significant digits and cut after <see cref="TapeViewOptions.MaxElements"/>.
/// The graph must still hold its saved values: print before backward, or after a backward with <c>retainGraph: true</c>.
/// </remarks>
public static class TapeView
{
    /// <summary>The operations that produced <paramref name="output"/>, one line each, inputs before their users.</summary>
    public static string Forward(Tensor output, TapeViewOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(output);
        var o = options ?? TapeViewOptions.Default;
        var g = Index.Of(output, "TapeView.Forward");
        var sb = new StringBuilder();
        foreach (var leaf in g.Leaves)
            sb.AppendLine($"{g.Label(leaf),-8} leaf      {Shape.Format(leaf.Dims),-10} = {Values(leaf, o)}{GradSuffix(leaf, o)}");
        foreach (var n in g.Nodes)
        {
            var inputs = string.Join(", ", Enumerable.Range(0, n.Arity).Select(i => g.Label(n.Input(i))));
            sb.AppendLine($"{g.Label(n.Output!),-8} {n.Op.Name,-9} {Shape.Format(n.Output!.Dims),-10} = {Values(n.Output!, o)}   ← {n.Op.Name}({inputs}){Args(n)}");
        }
        return sb.ToString();
    }

    /// <summary>
    /// Runs reverse mode from the one-element <paramref name="output"/> (seed 1), accumulating into the leaves'
    /// <see cref="Tensor.Grad"/> like <see cref="Tensor.Backward(Tensor?, bool, bool)"/>, and records each step: the
    /// gradient arriving at an operation's output, for each input the local derivative ∂out/∂in (exact when the output
    /// has one element) and the gradient passed to the input, and that input's gradient accumulated so far.
    /// The graph is retained, so <see cref="Forward"/> and <see cref="Dot"/> still work afterwards.
    /// </summary>
    /// <exception cref="InvalidOperationException">The output does not require gradients or has more than one element.</exception>
    public static BackwardTrace TraceBackward(Tensor output, TapeViewOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (!output.RequiresGrad || output.Count != 1)
            throw new InvalidOperationException(
                $"TapeView.TraceBackward: the output (shape {Shape.Format(output.Dims)}) must be a single element that requires gradients.");
        var o = options ?? TapeViewOptions.Default;
        var g = Index.Of(output, "TapeView.TraceBackward");
        var steps = new List<BackwardStep>();
        var accumulated = new Dictionary<Tensor, Tensor>(ReferenceEqualityComparer.Instance);
        Engine.Observer = (node, upstream, grads) =>
        {
            var inputs = new List<BackwardInput>();
            for (int i = 0; i < node.Arity; i++)
            {
                var x = node.Input(i);
                if (grads[i] is not { } gi || !x.RequiresGrad) continue;
                var sum = accumulated.TryGetValue(x, out var prev) ? prev + gi : gi.Copy(lasting: true);
                accumulated[x] = sum;
                inputs.Add(new BackwardInput(g.Label(x), Local(node, i, o), Values(gi, o), Values(sum, o)));
            }
            steps.Add(new BackwardStep(g.Label(node.Output!), node.Op.Name, Values(upstream, o), inputs));
        };
        try { Engine.Backward([output], null, null, retainGraph: true, createGraph: false); }
        finally { Engine.Observer = null; }
        return new BackwardTrace(steps, g.Leaves.Select(l => (g.Label(l),
            l.Grad is not null ? Values(l.Grad, o) : l.RequiresGrad ? "none (not reached)" : "none (RequiresGrad is off)")).ToArray());
    }

    /// <summary>
    /// The graph in Graphviz DOT: leaves as ellipses, operations as boxes, with shapes and values (and gradients of
    /// leaves that have them); edges run from inputs to the operations that use them. Render with
    /// <c>dot -Tsvg graph.dot -o graph.svg</c>.
    /// </summary>
    public static string Dot(Tensor output, TapeViewOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(output);
        var o = options ?? TapeViewOptions.Default;
        var g = Index.Of(output, "TapeView.Dot");
        var sb = new StringBuilder();
        sb.AppendLine("digraph tape {");
        sb.AppendLine("  rankdir=LR;");
        sb.AppendLine("  node [fontname=\"Helvetica\", fontsize=11];");
        foreach (var leaf in g.Leaves)
        {
            string grad = leaf.Grad is null ? "" : $"\\ngrad {Escape(Values(leaf.Grad, o))}";
            sb.AppendLine($"  \"{g.Label(leaf)}\" [shape=ellipse, style=filled, fillcolor=\"#e8f0fe\", label=\"{Escape(g.Label(leaf))} {Shape.Format(leaf.Dims)}\\n{Escape(Values(leaf, o))}{grad}\"];");
        }
        foreach (var n in g.Nodes)
        {
            var y = n.Output!;
            sb.AppendLine($"  \"{g.Label(y)}\" [shape=box, style=\"rounded,filled\", fillcolor=\"#fef7e0\", label=\"{Escape(g.Label(y))} {n.Op.Name}{Escape(Args(n))} {Shape.Format(y.Dims)}\\n{Escape(Values(y, o))}\"];");
            for (int i = 0; i < n.Arity; i++) sb.AppendLine($"  \"{g.Label(n.Input(i))}\" -> \"{g.Label(y)}\";");
        }
        sb.AppendLine("}");
        return sb.ToString();
    }

    /// <summary>∂out/∂in for input i: the rule applied to a seed of ones, which is the exact local gradient when the output has one element.</summary>
    private static string Local(Node n, int i, TapeViewOptions o)
    {
        using var noGrad = GradMode.NoGrad();
        var grads = new Tensor?[n.Arity];
        n.Op.Backward(n, Tensor.OnesLike(n.Output!), grads);
        if (grads[i] is not { } d) return "0";
        var x = n.Input(i);
        d = Engine.Conform(n, i, x, d);
        // With several outputs the rule gives Jᵀ·1 (for elementwise ops, the diagonal of the Jacobian).
        return n.Output!.Count == 1 ? Values(d, o) : $"Jᵀ1 = {Values(d, o)}";
    }

    private static string GradSuffix(Tensor t, TapeViewOptions o) => t.Grad is null ? "" : $"   grad = {Values(t.Grad, o)}";

    private static string Args(Node n) => n.Op.Name switch
    {
        "Affine" => $" a={Num(n.Arg0, 6)}, b={Num(n.Arg1, 6)}",
        "Pow" => $" p={Num(n.Arg0, 6)}",
        "Clamp" => $" [{Num(n.Arg0, 6)}, {Num(n.Arg1, 6)}]",
        _ => "",
    };

    /// <summary>The values of a tensor, rounded and truncated: <c>0.5</c>, <c>[1, 2, 3]</c>, <c>[1, 2, …, 9] (9 values)</c>.</summary>
    internal static string Values(Tensor t, TapeViewOptions o)
    {
        if (t.IsRecycled) return "(recycled)";
        var v = t.ToArray();
        if (t.Rank == 0) return Num(v[0], o.Digits);
        if (v.Length <= o.MaxElements) return "[" + string.Join(", ", v.Select(x => Num(x, o.Digits))) + "]";
        int head = Math.Max(1, o.MaxElements - 1);
        return "[" + string.Join(", ", v.Take(head).Select(x => Num(x, o.Digits))) + $", …, {Num(v[^1], o.Digits)}] ({v.Length} values)";
    }

    private static string Num(double x, int digits) => x.ToString("G" + digits, CultureInfo.InvariantCulture);

    private static string Escape(string s) => s.Replace("\\", "\\\\").Replace("\"", "\\\"");

    /// <summary>The nodes in recording order, the leaves they read, and the labels of both.</summary>
    private sealed class Index
    {
        public readonly List<Node> Nodes;
        public readonly List<Tensor> Leaves = [];
        private readonly Dictionary<Tensor, string> _labels = new(ReferenceEqualityComparer.Instance);

        private Index(List<Node> nodes)
        {
            Nodes = nodes;
            int k = 0;
            foreach (var n in nodes)
                for (int i = 0; i < n.Arity; i++)
                {
                    var x = n.Input(i);
                    if (x.GradFn is null && !_labels.ContainsKey(x))
                    {
                        _labels[x] = x.Name ?? $"leaf{Leaves.Count}";
                        Leaves.Add(x);
                    }
                }
            // A named result is shown by its name, others by their place in the recording order.
            foreach (var n in nodes)
            {
                k++;
                _labels[n.Output!] = n.Output!.Name ?? $"#{k}";
            }
        }

        public static Index Of(Tensor output, string what)
        {
            if (output.GradFn is null)
                throw new InvalidOperationException($"{what}: the tensor (shape {Shape.Format(output.Dims)}) was not produced by a recorded operation; set RequiresGrad on an input first.");
            var nodes = Graph.ForwardOrder(output);
            if (nodes.Any(n => n.Released))
                throw new InvalidOperationException($"{what}: the graph was released by a backward pass; call Backward(retainGraph: true) (or TapeView.TraceBackward, which retains it) to print it afterwards.");
            return new Index(nodes);
        }

        public string Label(Tensor t) => _labels.TryGetValue(t, out var l) ? l : "const";
    }
}

/// <summary>How <see cref="TapeView"/> shows values.</summary>
/// <param name="MaxElements">Values shown per tensor before the rest is cut.</param>
/// <param name="Digits">Significant digits per value.</param>
public sealed record TapeViewOptions(int MaxElements = 6, int Digits = 5)
{
    /// <summary>6 values, 5 significant digits.</summary>
    public static TapeViewOptions Default { get; } = new();
}

/// <summary>The reverse pass recorded by <see cref="TapeView.TraceBackward"/>.</summary>
/// <param name="Steps">One step per operation, outputs first (the order backward visits them).</param>
/// <param name="LeafGradients">Each leaf's label and its gradient after the pass.</param>
public sealed record BackwardTrace(IReadOnlyList<BackwardStep> Steps, IReadOnlyList<(string Leaf, string Gradient)> LeafGradients)
{
    /// <summary>The steps as text, one block per operation.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder();
        foreach (var s in Steps)
        {
            sb.AppendLine($"{s.Node} {s.Op}: gradient arriving = {s.Upstream}");
            foreach (var i in s.Inputs)
                sb.AppendLine($"    → {i.Input,-8} local ∂{s.Node}/∂{i.Input} = {i.LocalDerivative,-14} passed back = {i.Passed,-14} accumulated = {i.Accumulated}");
        }
        sb.AppendLine("Leaf gradients:");
        foreach (var (leaf, grad) in LeafGradients) sb.AppendLine($"    {leaf,-8} {grad}");
        return sb.ToString();
    }
}

/// <summary>One operation's backward step.</summary>
/// <param name="Node">The operation's label (<c>#3</c>).</param>
/// <param name="Op">The operation's name.</param>
/// <param name="Upstream">The gradient of the final output with respect to this operation's output.</param>
/// <param name="Inputs">What went to each input that needed a gradient.</param>
public sealed record BackwardStep(string Node, string Op, string Upstream, IReadOnlyList<BackwardInput> Inputs);

/// <summary>What one backward step sent to one input.</summary>
/// <param name="Input">The input's label.</param>
/// <param name="LocalDerivative">∂output/∂input of this operation alone.</param>
/// <param name="Passed">The gradient passed to the input: upstream times the local derivative (chain rule).</param>
/// <param name="Accumulated">The input's gradient summed over every use seen so far.</param>
public sealed record BackwardInput(string Input, string LocalDerivative, string Passed, string Accumulated);
