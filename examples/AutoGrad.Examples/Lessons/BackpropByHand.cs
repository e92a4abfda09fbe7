using System.Globalization;
using AutoGrad;

namespace AutoGrad.Examples;

/// <summary>
/// Lesson 11: backpropagation by hand. A logistic neuron on one example, p = σ(w·x + b) with loss −log p, is recorded
/// on the tape; the tape is printed node by node with its forward values, then the reverse pass step by step (each
/// local derivative, the gradient passed back by the chain rule and the gradient accumulated at each input), and the
/// result is compared with the derivative worked out on paper: ∂L/∂w = (p − 1)·x, ∂L/∂b = p − 1.
/// </summary>
public sealed class BackpropByHandLesson : ILesson
{
    public string Name => "backprop";
    public int Order => 21;
    public string Summary => "a logistic neuron's tape, forward and backward step by step, and its graph as DOT";

    /// <summary>What the lesson computed.</summary>
    public sealed record Result(string Forward, BackwardTrace Trace, string Dot, double[] TapeGradW, double TapeGradB, double[] HandGradW, double HandGradB);

    public static Result Compute()
    {
        var w = Tensor.FromArray([0.5, -1.0]).RequireGrad();
        w.Name = "w";
        var b = Tensor.Scalar(0.25).RequireGrad();
        b.Name = "b";
        var x = Tensor.FromArray([2.0, 1.0]);
        x.Name = "x";

        var z = (w * x).Sum() + b;   // the neuron's input
        z.Name = "z";
        var p = z.Sigmoid();         // its output: the probability of class 1
        p.Name = "p";
        var loss = -p.Log();         // the loss when the label is 1
        loss.Name = "loss";

        string forward = TapeView.Forward(loss);
        var trace = TapeView.TraceBackward(loss);
        string dot = TapeView.Dot(loss);

        // On paper: dL/dp = −1/p, dp/dz = p(1 − p), so dL/dz = p − 1; dz/dw = x, dz/db = 1.
        double pv = p.Item();
        double[] xs = x.ToArray();
        return new Result(forward, trace, dot, w.Grad!.ToArray(), b.Grad!.Item(),
            xs.Select(v => (pv - 1) * v).ToArray(), pv - 1);
    }

    public int Run(LessonContext context)
    {
        var r = Compute();
        var o = context.Out;
        o.WriteLine("A logistic neuron on one example: z = w·x + b, p = σ(z), loss = −log p (label 1).");
        o.WriteLine();
        o.WriteLine("The tape, in the order the operations were recorded (forward pass):");
        o.WriteLine(r.Forward);
        o.WriteLine("The reverse pass, from the loss back to the leaves:");
        o.WriteLine(r.Trace.ToString());
        o.WriteLine("The same derivatives on paper: dL/dz = p − 1, so dL/dw = (p − 1)·x and dL/db = p − 1:");
        o.WriteLine($"  tape:    dL/dw = [{Fmt(r.TapeGradW)}]   dL/db = {Fmt([r.TapeGradB])}");
        o.WriteLine($"  by hand: dL/dw = [{Fmt(r.HandGradW)}]   dL/db = {Fmt([r.HandGradB])}");
        double diff = r.TapeGradW.Zip(r.HandGradW, (a, c) => Math.Abs(a - c)).Append(Math.Abs(r.TapeGradB - r.HandGradB)).Max();
        o.WriteLine($"  largest difference {diff.ToString("G3", CultureInfo.InvariantCulture)}");
        string path = context.PathOf("neuron.dot");
        File.WriteAllText(path, r.Dot);
        o.WriteLine();
        o.WriteLine($"Graph written to {path} (render it with: dot -Tsvg {Path.GetFileName(path)} -o neuron.svg).");
        return diff < 1e-12 ? 0 : 1;
    }

    private static string Fmt(double[] v) => string.Join(", ", v.Select(a => a.ToString("G6", CultureInfo.InvariantCulture)));
}
