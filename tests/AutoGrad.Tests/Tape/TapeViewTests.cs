using AutoGrad;
using Xunit;

namespace AutoGrad.Tests;

public class TapeViewTests
{
    /// <summary>A logistic neuron on one example: σ(w·x + b), loss −log σ.</summary>
    private static (Tensor W, Tensor B, Tensor Loss) Neuron()
    {
        var w = Tensor.FromArray([0.5, -1.0]).RequireGrad();
        w.Name = "w";
        var b = Tensor.Scalar(0.25).RequireGrad();
        b.Name = "b";
        var x = Tensor.FromArray([2.0, 1.0]);
        x.Name = "x";
        var z = (w * x).Sum() + b;
        var p = z.Sigmoid();
        var loss = -p.Log();
        return (w, b, loss);
    }

    [Fact]
    public void Forward_lists_every_operation_with_its_value_in_recording_order()
    {
        var (_, _, loss) = Neuron();
        var text = TapeView.Forward(loss);
        var lines = text.TrimEnd().Split('\n');
        Assert.Contains(lines, l => l.StartsWith("w ") && l.Contains("[0.5, -1]"));
        int mul = Array.FindIndex(lines, l => l.Contains("Mul(w, x)"));
        int sig = Array.FindIndex(lines, l => l.Contains("Sigmoid("));
        Assert.True(mul >= 0 && sig > mul, text);
        // z = 0.5·2 − 1·1 + 0.25 = 0.25; σ(0.25) = 0.56218
        Assert.Contains("0.56218", lines[sig]);
    }

    [Fact]
    public void The_backward_trace_shows_local_derivatives_and_ends_with_the_true_gradients()
    {
        var (w, b, loss) = Neuron();
        var trace = TapeView.TraceBackward(loss);
        double s = 1 / (1 + Math.Exp(-0.25));
        // dL/dz = σ(z) − 1; dL/dw = (σ − 1)·x, dL/db = σ − 1.
        Assert.Equal(new[] { (s - 1) * 2, (s - 1) * 1 }, w.Grad!.ToArray(), new Tol(1e-14));
        Assert.Equal(s - 1, b.Grad!.Item(), 14);
        Assert.Equal("Neg", trace.Steps[0].Op);
        Assert.Equal("1", trace.Steps[0].Upstream);
        var sigmoid = trace.Steps.Single(st => st.Op == "Sigmoid");
        // Its local derivative is σ(z)(1 − σ(z)).
        Assert.StartsWith((s * (1 - s)).ToString("G5", System.Globalization.CultureInfo.InvariantCulture), sigmoid.Inputs[0].LocalDerivative);
        var text = trace.ToString();
        Assert.Contains("Leaf gradients:", text);
        Assert.Contains("local ∂", text);
        // The graph is retained: it can still be printed.
        Assert.Contains("grad", TapeView.Forward(loss));
    }

    [Fact]
    public void Dot_export_is_a_digraph_with_an_edge_per_input()
    {
        var (_, _, loss) = Neuron();
        var dot = TapeView.Dot(loss);
        Assert.StartsWith("digraph tape {", dot);
        Assert.Contains("\"w\" -> \"#1\"", dot);
        Assert.EndsWith("}\n", dot.Replace("\r\n", "\n"));
        int edges = dot.Split('\n').Count(l => l.Contains("->"));
        Assert.Equal(8, edges); // Mul 2, Sum 1, Add 2, Sigmoid 1, Log 1, Neg 1
    }

    [Fact]
    public void Printing_a_released_graph_says_how_to_keep_it()
    {
        var (_, _, loss) = Neuron();
        loss.Backward();
        var e = Assert.Throws<InvalidOperationException>(() => TapeView.Forward(loss));
        Assert.Contains("retainGraph", e.Message);
    }

    private sealed class Tol(double t) : IEqualityComparer<double>
    {
        public bool Equals(double a, double b) => Math.Abs(a - b) <= t;
        public int GetHashCode(double x) => 0;
    }
}
