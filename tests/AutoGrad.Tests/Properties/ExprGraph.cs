using System.Globalization;
using System.Text;

namespace AutoGrad.Tests.Properties;

/// <summary>
/// A small random expression DAG over one to three input tensors of broadcast-compatible shapes, built from the
/// library's differentiable ops — elementwise unary ops, broadcasting binary ops, Where with a constant mask,
/// reductions over random axes with or without keepDims, Softmax, LogSoftmax, LogSumExp, Reshape, BroadcastTo, SumTo,
/// slicing and indexing, Concat, Stack and MatMul — with a readable listing built alongside. Operands are picked among
/// all earlier nodes, so nodes are reused (fan-out) and gradients accumulate.
/// </summary>
/// <remarks>
/// <para>Every node carries a bound on |value|. Ops that could leave their domain or overflow are only applied
/// where they are safe: Log and Sqrt only to Softplus(t) + 0.1 or Exp(t), Exp only to values below 4 in size,
/// division only by Softplus(t) + 0.5, products only while the bound stays under 10³. Inputs lie in [−3, 3];
/// an input may also be scaled by 30 inside Sigmoid, Softplus, Tanh, LogSumExp or Softmax (saturated but finite).</para>
/// <para>The same seed and a smaller size give a prefix of the same graph, so shrinking the size shrinks the graph.
/// The output is the last node plus c·Sum(s) for every other node nobody uses, so no work is wasted.</para>
/// </remarks>
public sealed class ExprGraph
{
    public const int MaxElements = 48;
    private const double Cap = 1e3;
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    private sealed record Node(string Name, string Kind, string Text, int[] Shape, double Bound, int[] Args, Func<Tensor[], Tensor>? Apply);

    private readonly List<Node> _nodes = [];
    private readonly int _inputs;

    private ExprGraph(int inputs) => _inputs = inputs;

    /// <summary>The shapes of the inputs.</summary>
    public int[][] InputShapes => _nodes.Take(_inputs).Select(n => n.Shape).ToArray();

    /// <summary>The shape of the output.</summary>
    public int[] OutputShape => _nodes[^1].Shape;

    /// <summary>The kinds of operation in the graph ("Log(Softplus+0.1)", "Sum", "Sigmoid(30x)", …).</summary>
    public IEnumerable<string> Kinds => _nodes.Skip(_inputs).Select(n => n.Kind);

    /// <summary>The largest number of times one node is used as an operand.</summary>
    public int MaxFanOut => _nodes.SelectMany(n => n.Args).GroupBy(a => a).Select(g => g.Count()).DefaultIfEmpty(0).Max();

    /// <summary>Evaluates the graph on inputs of <see cref="InputShapes"/> (float64 or float32; constants follow the inputs' type).</summary>
    public Tensor Eval(Tensor[] xs)
    {
        if (xs.Length != _inputs) throw new ArgumentException($"ExprGraph: {xs.Length} inputs for a graph of {_inputs}.");
        var vals = new Tensor[_nodes.Count];
        for (int i = 0; i < _nodes.Count; i++)
            vals[i] = i < _inputs ? xs[i] : _nodes[i].Apply!(_nodes[i].Args.Select(a => vals[a]).ToArray());
        return vals[^1];
    }

    /// <summary>Seeded inputs of <see cref="InputShapes"/>: standard normal values truncated to [−3, 3].</summary>
    public Tensor[] RandomInputs(long seed, DType dtype = DType.Float64)
    {
        var rng = new Rng(seed);
        return InputShapes.Select(s => Values(rng, s, () => Truncated(rng)).To(dtype)).ToArray();
    }

    /// <summary>A seeded standard-normal tensor of the output's shape (a seed for a vector-Jacobian product).</summary>
    public Tensor RandomCotangent(long seed, DType dtype = DType.Float64)
    {
        var rng = new Rng(seed);
        return Values(rng, OutputShape, rng.NextGaussian).To(dtype);
    }

    private static double Truncated(Rng rng)
    {
        double v;
        do v = rng.NextGaussian(); while (Math.Abs(v) > 3);
        return v;
    }

    private static Tensor Values(Rng rng, int[] shape, Func<double> draw)
    {
        var v = new double[Count(shape)];
        for (int i = 0; i < v.Length; i++) v[i] = draw();
        return Tensor.FromArray(v, [v.Length]).Reshape(shape);
    }

    public override string ToString()
    {
        var sb = new StringBuilder();
        for (int i = 0; i < _nodes.Count; i++)
        {
            var n = _nodes[i];
            sb.Append(CultureInfo.InvariantCulture, $"  {n.Name,-4}{Fmt(n.Shape),-12} = {n.Text}\n");
        }
        return sb.ToString();
    }

    // ---- generation ---------------------------------------------------------------------------

    /// <summary>
    /// Builds a graph of <paramref name="size"/> operations (plus the output sum) from <paramref name="seed"/>, over
    /// one to three inputs of random broadcast-compatible shapes, or over inputs of <paramref name="inputShapes"/>.
    /// </summary>
    public static ExprGraph Generate(long seed, int size, int[][]? inputShapes = null)
    {
        var r = new Rng(seed);
        inputShapes ??= RandomInputShapes(r);
        var g = new ExprGraph(inputShapes.Length);
        for (int i = 0; i < inputShapes.Length; i++)
            g._nodes.Add(new Node($"x{i}", "input", "input", inputShapes[i], 3, [], null));
        for (int k = 0; k < size; k++)
        {
            for (int attempt = 0; ; attempt++)
            {
                int family = r.NextInt(24);
                bool ok = family switch
                {
                    < 7 => g.TryUnary(r),
                    < 13 => g.TryBinary(r),
                    < 17 => g.TryReduce(r),
                    < 20 => g.TryMovement(r),
                    < 22 => g.TryIndexing(r),
                    _ => g.TryMatMul(r),
                };
                if (ok) break;
                if (attempt > 50) throw new InvalidOperationException($"ExprGraph: no op fits after {attempt} attempts (seed {seed}).\n{g}");
            }
        }
        g.AddOutput(r);
        return g;
    }

    /// <summary>One to three shapes that broadcast together: a base shape of at most 36 elements, the others with leading dimensions dropped and some set to 1.</summary>
    public static int[][] RandomInputShapes(Rng r)
    {
        int inputs = 1 + r.NextInt(3);
        int[] baseShape;
        do baseShape = RandomShape.Any(r); while (Count(baseShape) > 36);
        var shapes = new int[inputs][];
        for (int i = 0; i < inputs; i++)
            shapes[i] = i == 0 ? baseShape : baseShape.Skip(r.NextInt(baseShape.Length + 1)).Select(d => r.NextDouble() < 0.3 ? 1 : d).ToArray();
        return shapes;
    }

    /// <summary>An operand: the newest node with probability ⅓ (so chains grow deep), otherwise any node (so nodes are reused).</summary>
    private int Pick(Rng r) => r.NextInt(3) == 0 ? _nodes.Count - 1 : r.NextInt(_nodes.Count);

    private bool Add(string kind, string text, int[] shape, double bound, int[] args, Func<Tensor[], Tensor> apply)
    {
        if (!(bound <= Cap) || Count(shape) > MaxElements) return false;
        _nodes.Add(new Node($"t{_nodes.Count - _inputs}", kind, text, shape, bound, args, apply));
        return true;
    }

    private static string C(double c) => c.ToString("0.##", Inv);

    private static double Const(Rng r)
    {
        double c = Math.Round(4 * r.NextDouble() - 2, 2);
        return c == 0 ? 0.5 : c;
    }

    private bool TryUnary(Rng r)
    {
        int a = Pick(r);
        var x = _nodes[a];
        string s = x.Name;
        double b = x.Bound;
        var options = new List<(string Kind, string Text, Func<Tensor, Tensor> F, double Bound)>();
        if (a < _inputs && r.NextInt(3) == 0)
        {
            // Extreme but valid: a scaled input drives these ops into saturation (σ ≈ 0 or 1, softplus ≈ linear).
            options.Add(("Sigmoid(30x)", $"Sigmoid(30·{s})", t => (t * 30.0).Sigmoid(), 1));
            options.Add(("Softplus(30x)", $"Softplus(30·{s})", t => (t * 30.0).Softplus(), 30 * b + 0.7));
            options.Add(("Tanh(30x)", $"Tanh(30·{s})", t => (t * 30.0).Tanh(), 1));
        }
        else
        {
            double c = Const(r);
            double p = new[] { 0.5, 1.5, -1, -0.5, 2.5 }[r.NextInt(5)];
            options.Add(("Neg", $"-{s}", t => -t, b));
            options.Add(("Sin", $"Sin({s})", t => t.Sin(), 1));
            options.Add(("Cos", $"Cos({s})", t => t.Cos(), 1));
            options.Add(("Tanh", $"Tanh({s})", t => t.Tanh(), 1));
            options.Add(("Sigmoid", $"Sigmoid({s})", t => t.Sigmoid(), 1));
            options.Add(("Softplus", $"Softplus({s})", t => t.Softplus(), b + 0.7));
            options.Add(("Abs", $"Abs({s})", t => t.Abs(), b));
            options.Add(("Relu", $"Relu({s})", t => t.Relu(), b));
            options.Add(("Clamp", $"Clamp({s}, -0.5, 0.8)", t => t.Clamp(-0.5, 0.8), 0.8));
            options.Add(("MulConst", $"{s} * {C(c)}", t => t * c, b * Math.Abs(c)));
            options.Add(("AddConst", $"{C(c)} + {s}", t => c + t, b + Math.Abs(c)));
            options.Add(("Log(Softplus+0.1)", $"Log(Softplus({s}) + 0.1)", t => (t.Softplus() + 0.1).Log(), Math.Max(2.31, Math.Log(b + 0.8))));
            options.Add(("Sqrt(Softplus+0.1)", $"Sqrt(Softplus({s}) + 0.1)", t => (t.Softplus() + 0.1).Sqrt(), Math.Sqrt(b + 0.8)));
            options.Add(("Log1p(Softplus)", $"Log1p(Softplus({s}))", t => t.Softplus().Log1p(), Math.Log(b + 1.7)));
            options.Add(("Pow(Softplus+0.5)", $"Pow(Softplus({s}) + 0.5, {C(p)})", t => (t.Softplus() + 0.5).Pow(p), Math.Max(Math.Pow(b + 1.2, p), Math.Pow(0.5, p))));
            options.Add(("Square", $"Square({s})", t => t.Square(), b * b));
            options.Add(("Pow3", $"Pow({s}, 3)", t => t.Pow(3), b * b * b));
            if (b <= 4)
            {
                options.Add(("Exp", $"Exp({s})", t => t.Exp(), Math.Exp(b)));
                options.Add(("Log(Exp)", $"Log(Exp({s}))", t => t.Exp().Log(), b));
                options.Add(("Sqrt(Exp)", $"Sqrt(Exp({s}))", t => t.Exp().Sqrt(), Math.Exp(b / 2)));
            }
        }
        var o = options[r.NextInt(options.Count)];
        return Add(o.Kind, o.Text, x.Shape, o.Bound, [a], t => o.F(t[0]));
    }

    private bool TryBinary(Rng r)
    {
        int a = Pick(r);
        var x = _nodes[a];
        var partners = Enumerable.Range(0, _nodes.Count).Where(j => Broadcast(x.Shape, _nodes[j].Shape) is { } s && Count(s) <= MaxElements).ToArray();
        if (partners.Length == 0) return false;
        int bi = partners[r.NextInt(partners.Length)];
        var y = _nodes[bi];
        var shape = Broadcast(x.Shape, y.Shape)!;
        string p = x.Name, q = y.Name;
        double ba = x.Bound, bb = y.Bound;
        switch (r.NextInt(8))
        {
            case 0: return Add("Add", $"{p} + {q}", shape, ba + bb, [a, bi], t => t[0] + t[1]);
            case 1: return Add("Sub", $"{p} - {q}", shape, ba + bb, [a, bi], t => t[0] - t[1]);
            case 2: return Add("Mul", $"{p} * {q}", shape, ba * bb, [a, bi], t => t[0] * t[1]);
            case 3: return Add("Div", $"{p} / (Softplus({q}) + 0.5)", shape, 2 * ba, [a, bi], t => t[0] / (t[1].Softplus() + 0.5));
            case 4: return Add("Maximum", $"Maximum({p}, {q})", shape, Math.Max(ba, bb), [a, bi], t => Tensor.Maximum(t[0], t[1]));
            case 5: return Add("Minimum", $"Minimum({p}, {q})", shape, Math.Max(ba, bb), [a, bi], t => Tensor.Minimum(t[0], t[1]));
            case 6:
            {
                var maskShape = SubShape(r, shape);
                var bits = new double[Count(maskShape)];
                for (int i = 0; i < bits.Length; i++) bits[i] = r.NextInt(2);
                var text = $"Where({Fmt(maskShape)}{{{string.Join(",", bits)}}}, {p}, {q})";
                return Add("Where", text, shape, Math.Max(ba, bb), [a, bi],
                    t => Tensor.Where(Tensor.FromArray(bits, [bits.Length]).Reshape(maskShape).To(t[0].DType), t[0], t[1]));
            }
            default:
                return Add("PowTensor", $"Pow(Softplus({p}) + 0.5, Tanh({q}))", shape, ba + 2, [a, bi], t => (t[0].Softplus() + 0.5).Pow(t[1].Tanh()));
        }
    }

    private bool TryReduce(Rng r)
    {
        int a = Pick(r);
        var x = _nodes[a];
        string s = x.Name;
        double b = x.Bound;
        int rank = x.Shape.Length;
        bool keep = r.NextInt(2) == 0;
        int[]? axes = rank == 0 || r.NextInt(4) == 0 ? null : RandomAxes(r, rank);
        var norm = axes is null ? Enumerable.Range(0, rank).ToArray() : axes.Select(ax => ax < 0 ? ax + rank : ax).Order().ToArray();
        var outShape = Enumerable.Range(0, rank).Where(i => keep || !norm.Contains(i)).Select(i => norm.Contains(i) ? 1 : x.Shape[i]).ToArray();
        int n = norm.Aggregate(1, (acc, i) => acc * x.Shape[i]);
        string ax = (axes is null ? "all" : $"[{string.Join(",", axes)}]") + (keep ? ", keepDims" : "");
        int one = rank == 0 ? 0 : r.NextInt(rank) - (r.NextInt(2) == 0 ? rank : 0);
        bool extreme = a < _inputs && r.NextInt(3) == 0;
        switch (r.NextInt(extreme ? 2 : 9))
        {
            case 0 when extreme: return Add("LogSumExp(30x)", $"LogSumExp(30·{s}, {ax})", outShape, 30 * b + Math.Log(n), [a], t => (t[0] * 30.0).LogSumExp(axes, keep));
            case 1 when extreme && rank > 0: return Add("Softmax(30x)", $"Softmax(30·{s}, {one})", x.Shape, 1, [a], t => (t[0] * 30.0).Softmax(one));
            case 0: return Add("Sum", $"Sum({s}, {ax})", outShape, b * n, [a], t => t[0].Sum(axes, keep));
            case 1: return Add("Mean", $"Mean({s}, {ax})", outShape, b, [a], t => t[0].Mean(axes, keep));
            case 2: return Add("Max", $"Max({s}, {ax})", outShape, b, [a], t => t[0].Max(axes, keep));
            case 3: return Add("Min", $"Min({s}, {ax})", outShape, b, [a], t => t[0].Min(axes, keep));
            case 4: return Add("LogSumExp", $"LogSumExp({s}, {ax})", outShape, b + Math.Log(n), [a], t => t[0].LogSumExp(axes, keep));
            case 5: return Add("Var", $"Var({s}, {ax}, correction 0)", outShape, 4 * b * b, [a], t => t[0].Var(axes, keep, correction: 0));
            case 6: return Add("Prod(Softplus+0.5)", $"Prod(Softplus({s}) + 0.5, {ax})", outShape, Math.Pow(b + 1.2, n), [a], t => (t[0].Softplus() + 0.5).Prod(axes, keep));
            case 7 when rank > 0: return Add("Softmax", $"Softmax({s}, {one})", x.Shape, 1, [a], t => t[0].Softmax(one));
            case 8 when rank > 0: return Add("LogSoftmax", $"LogSoftmax({s}, {one})", x.Shape, 2 * b + Math.Log(x.Shape[one < 0 ? one + rank : one]), [a], t => t[0].LogSoftmax(one));
            default: return false;
        }
    }

    private bool TryMovement(Rng r)
    {
        int a = Pick(r);
        var x = _nodes[a];
        string s = x.Name;
        switch (r.NextInt(3))
        {
            case 0:
            {
                var shape = Refactor(r, Count(x.Shape));
                return Add("Reshape", $"Reshape({s}, {Fmt(shape)})", shape, x.Bound, [a], t => t[0].Reshape(shape));
            }
            case 1:
            {
                var shape = x.Shape.Select(d => d == 1 && r.NextInt(2) == 0 ? 2 + r.NextInt(2) : d).ToArray();
                if (r.NextInt(3) == 0 || shape.SequenceEqual(x.Shape)) shape = [2 + r.NextInt(2), .. shape];
                return Add("BroadcastTo", $"BroadcastTo({s}, {Fmt(shape)})", shape, x.Bound, [a], t => t[0].BroadcastTo(shape));
            }
            default:
            {
                var shape = SubShape(r, x.Shape);
                double ratio = (double)Count(x.Shape) / Math.Max(1, Count(shape));
                return Add("SumTo", $"SumTo({s}, {Fmt(shape)})", shape, x.Bound * ratio, [a], t => t[0].SumTo(shape));
            }
        }
    }

    private bool TryIndexing(Rng r)
    {
        int a = Pick(r);
        var x = _nodes[a];
        string s = x.Name;
        int rank = x.Shape.Length;
        if (rank == 0) return false;
        int axis = r.NextInt(rank), len = x.Shape[axis];
        int negAxis = r.NextInt(2) == 0 ? axis - rank : axis;
        int[] Indices(int n) => Enumerable.Range(0, n).Select(_ => r.NextInt(2 * len) - len).ToArray();
        string L(int[] v) => "[" + string.Join(",", v) + "]";
        switch (r.NextInt(7))
        {
            case 0:
            {
                int start = r.NextInt(len), stop = start + 1 + r.NextInt(len - start), step = 1 + r.NextInt(2);
                if (r.NextInt(2) == 0) start -= len;
                var shape = (int[])x.Shape.Clone();
                int lo = start < 0 ? start + len : start;
                shape[axis] = (stop - lo + step - 1) / step;
                return Add("Slice", $"Slice({s}, {negAxis}, {start}, {stop}, {step})", shape, x.Bound, [a], t => t[0].Slice(negAxis, start, stop, step));
            }
            case 1:
            {
                int i = r.NextInt(2 * len) - len;
                var shape = x.Shape.Where((_, d) => d != axis).ToArray();
                return Add("Select", $"Select({s}, {negAxis}, {i})", shape, x.Bound, [a], t => t[0].Select(negAxis, i));
            }
            case 2:
            {
                var idx = Indices(1 + r.NextInt(4));
                var shape = (int[])x.Shape.Clone();
                shape[axis] = idx.Length;
                return Add("IndexSelect", $"IndexSelect({s}, {negAxis}, {L(idx)})", shape, x.Bound, [a], t => t[0].IndexSelect(negAxis, idx));
            }
            case 3:
            {
                var shape = x.Shape.Select((d, k) => k == axis ? 1 + r.NextInt(3) : 1 + r.NextInt(d)).ToArray();
                var idx = Indices(Count(shape));
                return Add("Gather", $"Gather({s}, {negAxis}, {L(idx)}, {Fmt(shape)})", shape, x.Bound, [a], t => t[0].Gather(negAxis, idx, shape));
            }
            case 4:
            {
                // The source is gathered from Tanh(x) itself, so it has a shape the scatter accepts.
                var shape = x.Shape.Select((d, k) => k == axis ? 1 + r.NextInt(3) : 1 + r.NextInt(d)).ToArray();
                var from = Indices(Count(shape));
                var to = Indices(Count(shape));
                int k = shape[axis];
                return Add("ScatterAdd", $"ScatterAdd({s}, {negAxis}, {L(to)}, Gather(Tanh({s}), {negAxis}, {L(from)}, {Fmt(shape)}))", x.Shape, x.Bound + k, [a],
                    t => t[0].ScatterAdd(negAxis, to, t[0].Tanh().Gather(negAxis, from, shape)));
            }
            case 5:
            {
                var from = Indices(1 + r.NextInt(4));
                var to = Indices(from.Length);
                return Add("IndexAdd", $"IndexAdd({s}, {negAxis}, {L(to)}, Sin(IndexSelect({s}, {negAxis}, {L(from)})))", x.Shape, x.Bound + from.Length, [a],
                    t => t[0].IndexAdd(negAxis, to, t[0].IndexSelect(negAxis, from).Sin()));
            }
            default:
            {
                // Concat with a node of matching shape off the axis (often the node itself), or Stack with one of the same shape.
                bool stack = r.NextInt(2) == 0;
                var partners = Enumerable.Range(0, _nodes.Count).Where(j =>
                {
                    var o = _nodes[j].Shape;
                    return stack ? o.SequenceEqual(x.Shape) : o.Length == rank && Enumerable.Range(0, rank).All(d => d == axis || o[d] == x.Shape[d]);
                }).ToArray();
                int b = partners[r.NextInt(partners.Length)];
                var y = _nodes[b];
                if (stack)
                {
                    int at = r.NextInt(rank + 1);
                    int[] shape = [.. x.Shape[..at], 2, .. x.Shape[at..]];
                    return Add("Stack", $"Stack([{s}, {y.Name}], {at})", shape, Math.Max(x.Bound, y.Bound), [a, b], t => Tensor.Stack([t[0], t[1]], at));
                }
                var cshape = (int[])x.Shape.Clone();
                cshape[axis] += y.Shape[axis];
                return Add("Concat", $"Concat([{s}, {y.Name}], {negAxis})", cshape, Math.Max(x.Bound, y.Bound), [a, b], t => Tensor.Concat([t[0], t[1]], negAxis));
            }
        }
    }

    /// <summary>A matrix product with a partner whose shape aligns (NumPy's matmul rules), or else x·xᵀ.</summary>
    private bool TryMatMul(Rng r)
    {
        int a = Pick(r);
        var x = _nodes[a];
        if (x.Shape.Length == 0) return false;
        var partners = Enumerable.Range(0, _nodes.Count).Where(j => MatMulShape(x.Shape, _nodes[j].Shape) is { } s && Count(s) <= MaxElements).ToArray();
        if (partners.Length == 0 || r.NextInt(3) == 0)
        {
            if (x.Shape.Length < 2)
                return Add("MatMul", $"Dot({x.Name}, {x.Name})", [], x.Bound * x.Bound * x.Shape[0], [a], t => Tensor.Dot(t[0], t[0]));
            var gram = MatMulShape(x.Shape, [.. x.Shape[..^2], x.Shape[^1], x.Shape[^2]])!;
            return Add("MatMul", $"MatMul({x.Name}, Transpose({x.Name}))", gram, x.Bound * x.Bound * x.Shape[^1], [a], t => t[0].MatMul(t[0].Transpose()));
        }
        int b = partners[r.NextInt(partners.Length)];
        var y = _nodes[b];
        return Add("MatMul", $"MatMul({x.Name}, {y.Name})", MatMulShape(x.Shape, y.Shape)!, x.Bound * y.Bound * x.Shape[^1], [a, b], t => t[0].MatMul(t[1]));
    }

    /// <summary>The shape of MatMul(a, b) under NumPy's rules, or null when they do not align.</summary>
    public static int[]? MatMulShape(int[] a, int[] b)
    {
        if (a.Length == 0 || b.Length == 0) return null;
        int k = a[^1];
        if ((b.Length == 1 ? b[0] : b[^2]) != k) return null;
        if (a.Length == 1 && b.Length == 1) return [];
        if (b.Length == 1) return a[..^1];
        if (a.Length == 1) return [.. b[..^2], b[^1]];
        var batch = Broadcast(a[..^2], b[..^2]);
        return batch is null ? null : [.. batch, a[^2], b[^1]];
    }

    /// <summary>out = last + Σ cₖ·Sum(sinkₖ) over the other nodes that nothing uses.</summary>
    private void AddOutput(Rng r)
    {
        int last = _nodes.Count - 1;
        var used = _nodes.SelectMany(n => n.Args).ToHashSet();
        var sinks = Enumerable.Range(_inputs, last - _inputs).Where(i => !used.Contains(i)).ToArray();
        if (sinks.Length == 0) return;
        var cs = sinks.Select(_ => Const(r)).ToArray();
        var text = _nodes[last].Name + string.Concat(sinks.Select((k, i) => $" + {C(cs[i])}·Sum({_nodes[k].Name})"));
        double bound = _nodes[last].Bound + sinks.Select((k, i) => Math.Abs(cs[i]) * _nodes[k].Bound * Count(_nodes[k].Shape)).Sum();
        int[] args = [last, .. sinks];
        _nodes.Add(new Node("out", "Output", text, _nodes[last].Shape, bound, args, t =>
        {
            var acc = t[0];
            for (int i = 0; i < cs.Length; i++) acc = acc + t[i + 1].Sum() * cs[i];
            return acc;
        }));
    }

    // ---- shapes --------------------------------------------------------------------------------

    public static int Count(int[] shape) => shape.Aggregate(1, (acc, d) => acc * d);

    public static string Fmt(int[] shape) => "[" + string.Join(",", shape) + "]";

    /// <summary>The NumPy broadcast of two shapes, or null when they do not broadcast.</summary>
    public static int[]? Broadcast(int[] a, int[] b)
    {
        int n = Math.Max(a.Length, b.Length);
        var r = new int[n];
        for (int i = 0; i < n; i++)
        {
            int da = i < n - a.Length ? 1 : a[i - (n - a.Length)];
            int db = i < n - b.Length ? 1 : b[i - (n - b.Length)];
            if (da != db && da != 1 && db != 1) return null;
            r[i] = Math.Max(da, db);
        }
        return r;
    }

    /// <summary>A shape that broadcasts to <paramref name="shape"/>: leading dimensions dropped, some others set to 1.</summary>
    public static int[] SubShape(Rng r, int[] shape) =>
        shape.Skip(r.NextInt(shape.Length + 1)).Select(d => r.NextInt(3) == 0 ? 1 : d).ToArray();

    /// <summary>A random shape of rank 0 to 3 holding <paramref name="count"/> elements (rank ≥ 1 unless count is 1).</summary>
    public static int[] Refactor(Rng r, int count)
    {
        int rank = count == 1 ? r.NextInt(3) : 1 + r.NextInt(3);
        var dims = Enumerable.Repeat(1, rank).ToArray();
        int m = count;
        for (int f = 2; m > 1; f++)
            while (m % f == 0) { dims[r.NextInt(rank)] *= f; m /= f; }
        return dims;
    }

    private static int[] RandomAxes(Rng r, int rank)
    {
        var chosen = Enumerable.Range(0, rank).Where(_ => r.NextInt(2) == 0).ToList();
        if (chosen.Count == 0) chosen.Add(r.NextInt(rank));
        return chosen.Select(i => r.NextInt(2) == 0 ? i - rank : i).ToArray();
    }
}
