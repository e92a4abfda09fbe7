using System.Globalization;

namespace AutoGrad.Optim;

public abstract partial class Optimizer
{
    /// <summary>The version of the state layout, stored as the value of the <c>type.&lt;Name&gt;</c> entry.</summary>
    private const int StateFormat = 1;

    /// <summary>
    /// The optimizer's state as named arrays: <c>type.&lt;Name&gt;</c> (the optimizer, value = the layout version),
    /// <c>step_count</c>, <c>learning_rate</c>, <c>parameter_count</c>, <c>param.&lt;i&gt;.shape</c> and
    /// <c>param.&lt;i&gt;.dtype</c> (64 or 32) for every parameter, then the rule's own entries (per-parameter step counts and
    /// buffers <c>param.&lt;i&gt;.&lt;name&gt;</c> such as <c>exp_avg</c>, L-BFGS's history, …). Counts are stored as
    /// float64 0-d arrays, buffers in their parameter's shape and element type. The arrays are copies.
    /// </summary>
    public IReadOnlyDictionary<string, Tensor> ExportState()
    {
        var w = new StateWriter(this);
        w.Scalar("type." + Name, StateFormat);
        w.Scalar("step_count", StepCount);
        w.Scalar("learning_rate", LearningRate);
        w.Scalar("parameter_count", Parameters.Count);
        for (int i = 0; i < Parameters.Count; i++)
        {
            var p = Parameters[i];
            w.Vector($"param.{Inv(i)}.shape", p.Dims.Select(d => (double)d).ToArray());
            w.Scalar($"param.{Inv(i)}.dtype", p.DType == DType.Float64 ? 64 : 32);
        }
        WriteState(w);
        return w.Entries;
    }

    /// <summary>
    /// Restores a state made by <see cref="ExportState"/> of an optimizer of the same type over parameters of the same
    /// shapes and element types (the parameters' values are not part of it). Everything is checked before anything
    /// changes: on an exception this optimizer is as it was.
    /// </summary>
    /// <exception cref="ArgumentException">The state is for another optimizer, other parameters or other options (a
    /// buffer the options need is missing, or one they do not use is present), or an entry is malformed.</exception>
    public void ImportState(IReadOnlyDictionary<string, Tensor> state)
    {
        ArgumentNullException.ThrowIfNull(state);
        Import(state, what => new ArgumentException($"{Name}.ImportState: {what}", nameof(state)));
    }

    /// <summary>Saves <see cref="ExportState"/> to <paramref name="path"/> as an <c>.npz</c> archive (atomically, see <see cref="Checkpoint"/>).</summary>
    public void SaveState(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        Checkpoint.SaveNpz(path, ExportState());
    }

    /// <summary>
    /// Loads a state saved by <see cref="SaveState"/> from <paramref name="path"/>, with the checks of
    /// <see cref="ImportState"/>; on an exception this optimizer is as it was.
    /// </summary>
    /// <exception cref="InvalidDataException">The file is not a valid npz archive, or its state does not fit this
    /// optimizer (another type, parameter count, shape, element type or options); the message names the file and the entry.</exception>
    public void LoadState(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var state = Checkpoint.LoadNpz(path);
        Import(state, what => new InvalidDataException($"{Name}.LoadState: '{path}': {what}"));
    }

    private void Import(IReadOnlyDictionary<string, Tensor> state, Func<string, Exception> fail)
    {
        var r = new StateReader(this, state, fail);
        string type = "type." + Name;
        if (!state.ContainsKey(type))
        {
            var other = state.Keys.FirstOrDefault(k => k.StartsWith("type.", StringComparison.Ordinal));
            throw fail(other is null
                ? $"no '{type}' entry: this is not an optimizer state."
                : $"the state is for {other["type.".Length..]}, not {Name}.");
        }
        int version = r.Int(type);
        if (version != StateFormat)
            throw fail($"state layout version {Inv(version)} is not supported (this library writes and reads {Inv(StateFormat)}).");
        int count = r.Int("parameter_count");
        if (count != Parameters.Count)
            throw fail($"the state is for {Inv(count)} parameters, this {Name} has {Inv(Parameters.Count)}.");
        for (int i = 0; i < count; i++)
        {
            var p = Parameters[i];
            var dims = r.Vector($"param.{Inv(i)}.shape", -1);
            int dtype = r.Int($"param.{Inv(i)}.dtype");
            if (!dims.SequenceEqual(p.Dims.Select(d => (double)d)) || dtype != (p.DType == DType.Float64 ? 64 : 32))
                throw fail($"parameter {Inv(i)} is float{Inv(dtype)} of shape {FormatDims(dims)} in the state but {p.DType.Name()} of shape {Shape.Format(p.Dims)} here.");
        }
        int stepCount = r.Int("step_count");
        double lr = r.Scalar("learning_rate");
        if (!(lr >= 0) || !double.IsFinite(lr)) throw fail($"the learning rate {Inv(lr)} is not finite and ≥ 0.");
        var commit = ReadState(r);
        r.CheckAllUsed();
        StepCount = stepCount;
        SetScheduledLearningRate(lr);
        commit();
    }

    /// <summary>Adds the rule's own entries to an export (nothing for stateless rules).</summary>
    private protected virtual void WriteState(StateWriter w) { }

    /// <summary>
    /// Reads and checks the rule's own entries, changing nothing, and returns the action that installs them (run only
    /// once every entry has been checked).
    /// </summary>
    private protected virtual Action ReadState(StateReader r) => static () => { };

    private static string FormatDims(double[] dims) => "[" + string.Join(", ", dims.Select(d => Inv(d))) + "]";

    internal static string Inv(double x) => x.ToString("R", CultureInfo.InvariantCulture);

    internal static string Inv(int x) => x.ToString(CultureInfo.InvariantCulture);
}

/// <summary>Collects an optimizer's state as fresh (lasting) tensors.</summary>
internal sealed class StateWriter(Optimizer owner)
{
    public Dictionary<string, Tensor> Entries { get; } = new(StringComparer.Ordinal);

    public void Scalar(string key, double value)
    {
        var t = Compute.Lasting([], DType.Float64);
        t.Span<double>()[0] = value;
        Entries.Add(key, t);
    }

    public void Vector(string key, ReadOnlySpan<double> values) => Matrix(key, values, [values.Length]);

    public void Matrix(string key, ReadOnlySpan<double> values, int[] dims)
    {
        var t = Compute.Lasting(dims, DType.Float64);
        values.CopyTo(t.Span<double>());
        Entries.Add(key, t);
    }

    /// <summary><c>param.&lt;i&gt;.step</c> for every parameter.</summary>
    public void Steps(int[] steps)
    {
        for (int i = 0; i < steps.Length; i++) Scalar($"param.{Optimizer.Inv(i)}.step", steps[i]);
    }

    /// <summary>
    /// <c>param.&lt;i&gt;.&lt;name&gt;</c> in the parameter's shape and type, for every parameter that has taken a step, when
    /// the options use the buffer. Before its first step a buffer's contents do not matter (each rule sets it then).
    /// </summary>
    public void Buffers(string name, Array?[] slots, int[] steps, bool used)
    {
        if (!used) return;
        for (int i = 0; i < slots.Length; i++)
        {
            if (steps[i] == 0) continue;
            var p = owner.Parameters[i];
            var a = slots[i] ?? throw new InvalidOperationException($"{owner.Name}: parameter {Optimizer.Inv(i)} has taken steps but has no '{name}' buffer.");
            var t = Compute.Lasting((int[])p.Dims.Clone(), p.DType);
            Array.Copy(a, t.Storage, t.Count);
            Entries.Add($"param.{Optimizer.Inv(i)}.{name}", t);
        }
    }
}

/// <summary>Reads and checks an optimizer's state, recording which entries were used so leftovers can be refused.</summary>
internal sealed class StateReader(Optimizer owner, IReadOnlyDictionary<string, Tensor> state, Func<string, Exception> fail)
{
    private readonly HashSet<string> _used = new(StringComparer.Ordinal);

    public Exception Fail(string what) => fail(what);

    public bool Has(string key) => state.ContainsKey(key);

    private Tensor Get(string key)
    {
        if (!state.TryGetValue(key, out var t) || t is null)
            throw fail($"the entry '{key}' is missing.");
        _used.Add(key);
        return t;
    }

    public double Scalar(string key)
    {
        var t = Get(key);
        if (t.Rank != 0 || t.DType != DType.Float64)
            throw fail($"the entry '{key}' must be a float64 scalar (shape ()), got {t.DType.Name()} {Shape.Format(t.Dims)}.");
        return t.Span<double>()[0];
    }

    public int Int(string key)
    {
        double v = Scalar(key);
        if (!(v >= 0 && v <= int.MaxValue) || v != Math.Floor(v))
            throw fail($"the entry '{key}' must be a whole number in [0, {Optimizer.Inv(int.MaxValue)}], got {Optimizer.Inv(v)}.");
        return (int)v;
    }

    /// <summary>A float64 vector, of <paramref name="length"/> elements unless that is −1.</summary>
    public double[] Vector(string key, int length)
    {
        var t = Get(key);
        if (t.Rank != 1 || t.DType != DType.Float64 || (length >= 0 && t.Dims[0] != length))
            throw fail($"the entry '{key}' must be a float64 vector{(length >= 0 ? $" of {Optimizer.Inv(length)} elements" : "")}, got {t.DType.Name()} {Shape.Format(t.Dims)}.");
        return t.Span<double>().ToArray();
    }

    /// <summary>A float64 matrix of <paramref name="rows"/> × <paramref name="cols"/>, row-major.</summary>
    public double[] Matrix(string key, int rows, int cols)
    {
        var t = Get(key);
        if (t.Rank != 2 || t.DType != DType.Float64 || t.Dims[0] != rows || t.Dims[1] != cols)
            throw fail($"the entry '{key}' must be float64 of shape {Shape.Format([rows, cols])}, got {t.DType.Name()} {Shape.Format(t.Dims)}.");
        return t.Span<double>().ToArray();
    }

    /// <summary>The per-parameter step counts <c>param.&lt;i&gt;.step</c>.</summary>
    public int[] Steps()
    {
        var steps = new int[owner.Parameters.Count];
        for (int i = 0; i < steps.Length; i++) steps[i] = Int($"param.{Optimizer.Inv(i)}.step");
        return steps;
    }

    /// <summary>
    /// Copies of the buffers <see cref="StateWriter.Buffers"/> wrote: present exactly for the parameters that have taken
    /// a step when the options use the buffer, in the parameter's shape and type. Null where there is none.
    /// </summary>
    public Array?[] Buffers(string name, int[] steps, bool used, string option)
    {
        var result = new Array?[steps.Length];
        for (int i = 0; i < steps.Length; i++)
        {
            string key = $"param.{Optimizer.Inv(i)}.{name}";
            if (!used || steps[i] == 0)
            {
                if (Has(key))
                    throw fail(used
                        ? $"the entry '{key}' is present but parameter {Optimizer.Inv(i)} has taken no step."
                        : $"the entry '{key}' is present but this {owner.Name} does not use it ({option}): the state was saved with other options.");
                continue;
            }
            if (!Has(key))
                throw fail($"the entry '{key}' is missing: parameter {Optimizer.Inv(i)} has taken {Optimizer.Inv(steps[i])} steps and this {owner.Name} uses it ({option}); the state was saved with other options or is incomplete.");
            var t = Get(key);
            var p = owner.Parameters[i];
            if (t.DType != p.DType || !Shape.Equal(t.Dims, p.Dims))
                throw fail($"the entry '{key}' is {t.DType.Name()} {Shape.Format(t.Dims)}, but parameter {Optimizer.Inv(i)} is {p.DType.Name()} {Shape.Format(p.Dims)}.");
            var copy = Array.CreateInstance(t.Storage.GetType().GetElementType()!, t.Count);
            Array.Copy(t.Storage, copy, t.Count);
            result[i] = copy;
        }
        return result;
    }

    /// <summary>Refuses entries that nothing read: a state with extra entries was made by other code or other options.</summary>
    public void CheckAllUsed()
    {
        foreach (var key in state.Keys.Order(StringComparer.Ordinal))
            if (!_used.Contains(key))
                throw fail($"unexpected entry '{key}' (not part of a {owner.Name} state with these options).");
    }

    /// <summary>Installs loaded buffers into <paramref name="slots"/>, keeping the current ones where none was loaded.</summary>
    public static void Install(Array?[] slots, Array?[] loaded)
    {
        for (int i = 0; i < slots.Length; i++)
            if (loaded[i] is { } a) slots[i] = a;
    }
}
