namespace AutoGrad.Tape;

/// <summary>Walks a recorded graph without recursion.</summary>
internal static class Graph
{
    /// <summary>The nodes that produced <paramref name="output"/>, in the order they were recorded (inputs before their users).</summary>
    public static List<Node> ForwardOrder(Tensor output)
    {
        var order = new List<Node>();
        if (output.GradFn is not { } root) return order;
        var seen = new HashSet<Node>(ReferenceEqualityComparer.Instance) { root };
        var stack = new Stack<(Node node, int next)>();
        stack.Push((root, 0));
        while (stack.Count > 0)
        {
            var (n, next) = stack.Pop();
            if (next < n.Arity && !n.Released)
            {
                stack.Push((n, next + 1));
                if (n.Input(next).GradFn is { } child && seen.Add(child)) stack.Push((child, 0));
            }
            else order.Add(n);
        }
        return order;
    }
}
