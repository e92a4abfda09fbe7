using System.Diagnostics;
using AutoGrad.Tape;

namespace AutoGrad;

/// <summary>
/// Anomaly detection, an opt-in per-thread scope for debugging a loss that turns into NaN:
/// <code>using (Anomaly.Detect()) { var loss = MyLoss(w); loss.Backward(); }</code>
/// Inside it, the first operation whose result contains NaN or ±∞ — in the forward pass, or in a backward rule —
/// throws <see cref="AnomalyException"/> naming the operation, its input shapes and the line of your code that
/// recorded it. Outside it nothing is checked and nothing costs anything. PyTorch's counterpart is
/// <c>torch.autograd.detect_anomaly()</c>.
/// </summary>
/// <remarks>Each operation's result is scanned once, and each recorded operation keeps the stack trace of its
/// recording: expect forward and backward to run several times slower while the scope is open.</remarks>
public static class Anomaly
{
    [ThreadStatic] private static int _depth;

    /// <summary>True while a <see cref="Detect"/> scope is open on this thread.</summary>
    public static bool IsEnabled => _depth > 0;

    /// <summary>Opens an anomaly-detection scope on this thread; dispose it to end detection. Scopes nest.</summary>
    public static AnomalyScope Detect()
    {
        _depth++;
        return new AnomalyScope(true);
    }

    internal static void Leave() => _depth--;

    /// <summary>Forward check, called for every operation's result while detection is on.</summary>
    internal static void CheckForward(Op op, Tensor output, ReadOnlySpan<Tensor> inputs, Node? node)
    {
        if (NonFinite(output) is not { } what) return;
        string where = node?.RecordedAt ?? UserFrame();
        var inputsAlready = new List<string>();
        for (int i = 0; i < inputs.Length; i++)
            if (NonFinite(inputs[i]) is { } w) inputsAlready.Add($"input {i} already contained {w}");
        string cause = inputsAlready.Count > 0
            ? $" ({string.Join("; ", inputsAlready)}: it came from before this operation, from data or an unrecorded computation)"
            : "";
        throw new AnomalyException(op.Name, "forward", Shapes(inputs), where,
            $"Anomaly: {op.Name} produced {what} in the forward pass, from inputs of shape {Shapes(inputs)}{cause}. Recorded at {where}.");
    }

    /// <summary>Backward check: the gradients a node's rule returned for its inputs.</summary>
    internal static void CheckBackward(Node n, Tensor upstream, Tensor?[] grads)
    {
        for (int i = 0; i < n.Arity; i++)
        {
            if (grads[i] is not { } g || NonFinite(g) is not { } what) continue;
            var inputs = new Tensor[n.Arity];
            for (int k = 0; k < inputs.Length; k++) inputs[k] = n.Input(k);
            string where = n.RecordedAt ?? "an unknown place (the operation was recorded outside Anomaly.Detect())";
            string upstreamNote = NonFinite(upstream) is { } u ? $" (the gradient arriving at its output already contained {u})" : "";
            throw new AnomalyException(n.Op.Name, "backward", Shapes(inputs), where,
                $"Anomaly: the backward rule of {n.Op.Name} produced {what} in the gradient of its input {i}, from inputs of shape {Shapes(inputs)}{upstreamNote}. The operation was recorded at {where}.");
        }
    }

    /// <summary>The first line outside AutoGrad's own assemblies on the current stack: where user code called in.</summary>
    internal static string UserFrame()
    {
        var trace = new StackTrace(1, fNeedFileInfo: true);
        var core = typeof(Tensor).Assembly;
        foreach (var frame in trace.GetFrames())
        {
            var m = frame.GetMethod();
            var asm = m?.DeclaringType?.Assembly;
            if (m is null || asm == core || asm?.GetName().Name == "AutoGrad.Optim") continue;
            string file = frame.GetFileName() is { } f ? $" in {Path.GetFileName(f)}:line {frame.GetFileLineNumber()}" : "";
            return $"{m.DeclaringType?.FullName}.{m.Name}{file}";
        }
        return "(no caller outside AutoGrad)";
    }

    private static string? NonFinite(Tensor t)
    {
        if (t.IsRecycled) return null;
        bool nan = false, inf = false;
        if (t.DType == DType.Float64)
            foreach (var v in t.Span<double>()) { nan |= double.IsNaN(v); inf |= double.IsInfinity(v); }
        else
            foreach (var v in t.Span<float>()) { nan |= float.IsNaN(v); inf |= float.IsInfinity(v); }
        return nan && inf ? "NaN and ±∞" : nan ? "NaN" : inf ? "±∞" : null;
    }

    private static string Shapes(ReadOnlySpan<Tensor> inputs)
    {
        var parts = new string[inputs.Length];
        for (int i = 0; i < parts.Length; i++) parts[i] = Shape.Format(inputs[i].Dims);
        return string.Join(" and ", parts);
    }
}

/// <summary>The scope returned by <see cref="Anomaly.Detect"/>; disposing it ends detection.</summary>
public readonly struct AnomalyScope : IDisposable
{
    private readonly bool _active;
    internal AnomalyScope(bool active) => _active = active;

    /// <summary>Ends the scope.</summary>
    public void Dispose()
    {
        if (_active) Anomaly.Leave();
    }
}

/// <summary>Thrown inside <see cref="Anomaly.Detect"/> by the first operation that produces NaN or ±∞.</summary>
public sealed class AnomalyException : ArithmeticException
{
    internal AnomalyException(string operation, string phase, string inputShapes, string recordedAt, string message) : base(message)
    {
        Operation = operation;
        Phase = phase;
        InputShapes = inputShapes;
        RecordedAt = recordedAt;
    }

    /// <summary>The operation's name (as in tape printouts), e.g. "Log".</summary>
    public string Operation { get; }

    /// <summary>"forward" or "backward".</summary>
    public string Phase { get; }

    /// <summary>The shapes of the operation's inputs, e.g. "[3] and [3]".</summary>
    public string InputShapes { get; }

    /// <summary>The method, file and line of user code that recorded (or ran) the operation.</summary>
    public string RecordedAt { get; }
}
