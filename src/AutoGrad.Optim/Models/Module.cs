using System.Text;

namespace AutoGrad.Optim.Models;

/// <summary>A tensor with its qualified name in a module tree ("0.weight", "norm.runningMean").</summary>
/// <param name="Name">The dotted path: child names, then the parameter's or buffer's own name.</param>
/// <param name="Tensor">The tensor.</param>
public readonly record struct NamedTensor(string Name, Tensor Tensor);

/// <summary>
/// A building block of a model, in the manner of <c>torch.nn.Module</c>: a differentiable function
/// <see cref="Forward"/> of one tensor, holding named parameters (tensors that require gradients and are trained),
/// named buffers (state that is saved but not trained, such as running averages) and named child modules.
/// </summary>
/// <remarks>
/// <para>A subclass registers its parameters, buffers and children in its constructor with
/// <see cref="RegisterParameter"/>, <see cref="RegisterBuffer"/> and <see cref="RegisterModule{T}"/>, and reads
/// them back through the returned <see cref="Slot"/> on every forward pass (so that
/// <see cref="FunctionalCall"/> can substitute other tensors).</para>
/// <para><see cref="Parameters"/> lists the parameters of the whole tree with qualified names, own parameters
/// first and then each child's in registration order, as <c>named_parameters()</c>; a tensor registered twice is
/// listed once. Pass the collection to an <see cref="Optimizer"/>.</para>
/// <para>Modules start in training mode. <see cref="Eval"/> and <see cref="Train"/> switch the whole tree: layers
/// such as <see cref="BatchNorm1d"/> use batch statistics when training and running averages in evaluation.</para>
/// <para>Parameters are float64. Modules are not thread-safe.</para>
/// </remarks>
public abstract class Module
{
    private readonly List<Slot> _parameters = [];
    private readonly List<Slot> _buffers = [];
    private readonly List<(string Name, Module Module)> _children = [];
    private Module? _parent;
    private string? _nameInParent;

    /// <summary>A registered parameter or buffer: its local name and the tensor it currently holds.</summary>
    protected sealed class Slot
    {
        internal Slot(string name, Tensor value)
        {
            Name = name;
            Value = value;
        }

        /// <summary>The local name given at registration ("weight").</summary>
        public string Name { get; }

        /// <summary>
        /// The tensor: the module's own, or a substitute during <see cref="FunctionalCall"/>. Read it on every
        /// forward pass; do not cache it.
        /// </summary>
        public Tensor Value { get; internal set; }
    }

    /// <summary>True in training mode (the initial mode), false in evaluation mode.</summary>
    public bool Training { get; private set; } = true;

    /// <summary>Computes the module's output for <paramref name="input"/>, recording on the tape when gradients are needed.</summary>
    public abstract Tensor Forward(Tensor input);

    /// <summary>Sets training mode (or evaluation mode for false) on this module and every descendant; returns this module.</summary>
    public Module Train(bool training = true)
    {
        Training = training;
        foreach (var (_, child) in _children) child.Train(training);
        return this;
    }

    /// <summary>Sets evaluation mode on this module and every descendant (<c>Train(false)</c>); returns this module.</summary>
    public Module Eval() => Train(false);

    /// <summary>The parameters of this module and its descendants with qualified names (a snapshot of the current tree).</summary>
    public ParameterCollection Parameters()
    {
        var names = new List<string>();
        var tensors = new List<Tensor>();
        var seen = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        foreach (var (name, slot) in ParameterSlots(""))
            if (seen.Add(slot.Value))
            {
                names.Add(name);
                tensors.Add(slot.Value);
            }
        return new ParameterCollection([.. names], [.. tensors]);
    }

    /// <summary>The buffers (state that is not trained, such as running averages) of this module and its descendants, with qualified names.</summary>
    public IReadOnlyList<NamedTensor> Buffers() => BufferSlots("").Select(s => new NamedTensor(s.Name, s.Slot.Value)).ToArray();

    /// <summary>The direct children with their local names, in registration order.</summary>
    public IReadOnlyList<(string Name, Module Module)> Children() => _children.ToArray();

    /// <summary>Sets the gradient of every parameter to zero (keeping its buffer), as <see cref="Optimizer.ZeroGrad"/>.</summary>
    public void ZeroGrad()
    {
        foreach (var p in Parameters()) p.ZeroGrad();
    }

    /// <summary>
    /// Copies of every parameter and buffer by qualified name, detached from the graph, as <c>state_dict()</c>:
    /// a snapshot that <see cref="LoadStateDict"/> restores (early stopping keeps the best one).
    /// </summary>
    public IReadOnlyDictionary<string, Tensor> StateDict()
    {
        var state = new Dictionary<string, Tensor>();
        foreach (var p in Parameters().Named) state[p.Name] = p.Tensor.Detach().Copy();
        foreach (var b in Buffers()) state[b.Name] = b.Tensor.Detach().Copy();
        return state;
    }

    /// <summary>
    /// Copies the values of a <see cref="StateDict"/> into this module's parameters and buffers, in place (so an
    /// optimizer bound to the parameters keeps working). Strict, as torch's default: the names must match exactly.
    /// </summary>
    /// <exception cref="ArgumentException">A name is missing or unknown, or a shape or element type differs.</exception>
    public void LoadStateDict(IReadOnlyDictionary<string, Tensor> state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var targets = Parameters().Named.Concat(Buffers()).ToArray();
        foreach (var key in state.Keys)
            if (!targets.Any(t => t.Name == key))
                throw new ArgumentException(FormattableString.Invariant($"LoadStateDict: '{key}' is not a parameter or buffer of {Describe()}; it has {string.Join(", ", targets.Select(t => t.Name))}."), nameof(state));
        foreach (var (name, tensor) in targets)
        {
            if (!state.TryGetValue(name, out var value))
                throw new ArgumentException(FormattableString.Invariant($"LoadStateDict: the state has no entry '{name}' for {Describe()}."), nameof(state));
            if (!Shape.Equal(value.Dims, tensor.Dims) || value.DType != tensor.DType)
                throw new ArgumentException(
                    FormattableString.Invariant($"LoadStateDict: '{name}' is {value.DType.Name()} {Shape.Format(value.Dims)} in the state but {tensor.DType.Name()} {Shape.Format(tensor.Dims)} in {Describe()}."), nameof(state));
        }
        foreach (var (name, tensor) in targets) Assign(tensor, state[name]);
    }

    /// <summary>
    /// Saves <see cref="StateDict"/> to <paramref name="path"/> as an <c>.npz</c> archive keyed by qualified name
    /// (atomically, see <see cref="Checkpoint"/>); <c>np.load</c> reads it in Python.
    /// </summary>
    public void Save(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        Checkpoint.SaveNpz(path, StateDict());
    }

    /// <summary>
    /// Loads parameters and buffers saved by <see cref="Save"/> into this module in place, with the checks of
    /// <see cref="LoadStateDict"/>: on an exception nothing has changed.
    /// </summary>
    /// <exception cref="InvalidDataException">The file is not a valid npz archive, or its entries do not match this
    /// module's names, shapes and element types (the message names the file and the entry).</exception>
    public void Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var state = Checkpoint.LoadNpz(path);
        try
        {
            LoadStateDict(state);
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"Module.Load: '{path}': {e.Message}", e);
        }
    }

    /// <summary>
    /// <see cref="Forward"/> with the parameters replaced by <paramref name="parameters"/>, given in the order of
    /// <see cref="Parameters"/>, as <c>torch.func.functional_call</c>: the output is a function of those tensors, so
    /// <see cref="GradCheck"/>, <see cref="Diff"/> and <see cref="Curvature"/> can differentiate a loss with respect
    /// to a model's parameters. The module's own parameters are restored afterwards (also on exceptions) and their
    /// gradients are not touched; buffers are the module's own (a <see cref="BatchNorm1d"/> in training mode updates
    /// its running averages).
    /// </summary>
    /// <exception cref="ArgumentException">The number of tensors, or a shape or element type, differs from the parameters'.</exception>
    public Tensor FunctionalCall(IReadOnlyList<Tensor> parameters, Tensor input)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        var slots = new List<(string Name, Slot Slot)>();
        var seen = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        var groups = new List<List<Slot>>();
        foreach (var (name, slot) in ParameterSlots(""))
        {
            // A tensor registered in several places is one parameter: every slot holding it gets the substitute.
            if (seen.Add(slot.Value))
            {
                slots.Add((name, slot));
                groups.Add([slot]);
            }
            else groups[slots.FindIndex(s => ReferenceEquals(s.Slot.Value, slot.Value))].Add(slot);
        }
        if (parameters.Count != slots.Count)
            throw new ArgumentException(FormattableString.Invariant($"FunctionalCall: {parameters.Count} tensors for the {slots.Count} parameters of {Describe()}."), nameof(parameters));
        for (int i = 0; i < slots.Count; i++)
        {
            var (name, slot) = slots[i];
            var p = parameters[i] ?? throw new ArgumentNullException(nameof(parameters), FormattableString.Invariant($"FunctionalCall: tensor {i} (for '{name}') is null."));
            if (!Shape.Equal(p.Dims, slot.Value.Dims) || p.DType != slot.Value.DType)
                throw new ArgumentException(
                    FormattableString.Invariant($"FunctionalCall: tensor {i} is {p.DType.Name()} {Shape.Format(p.Dims)} but parameter '{name}' is {slot.Value.DType.Name()} {Shape.Format(slot.Value.Dims)}."), nameof(parameters));
        }
        var saved = slots.Select(s => s.Slot.Value).ToArray();
        try
        {
            for (int i = 0; i < groups.Count; i++)
                foreach (var slot in groups[i]) slot.Value = parameters[i];
            return Forward(input);
        }
        finally
        {
            for (int i = 0; i < groups.Count; i++)
                foreach (var slot in groups[i]) slot.Value = saved[i];
        }
    }

    /// <summary>
    /// Registers a trainable parameter under <paramref name="name"/>: the tensor (a leaf, float64) is marked as
    /// requiring gradients and named if it has no name. Call it from the constructor; read the tensor back through
    /// the returned slot.
    /// </summary>
    /// <exception cref="ArgumentException">The name is empty, contains '.', or is taken; or the tensor is not a leaf.</exception>
    protected Slot RegisterParameter(string name, Tensor value)
    {
        CheckName(name);
        ArgumentNullException.ThrowIfNull(value);
        if (!value.IsLeaf)
            throw new ArgumentException(FormattableString.Invariant($"{GetType().Name}: parameter '{name}' must be a leaf tensor (created, not computed); pass value.Detach() or a copy."), nameof(value));
        value.RequiresGrad = true;
        value.Name ??= name;
        var slot = new Slot(name, value);
        _parameters.Add(slot);
        return slot;
    }

    /// <summary>
    /// Registers a buffer under <paramref name="name"/>: state saved by <see cref="StateDict"/> but not trained
    /// (running averages). Update it in place or through the slot.
    /// </summary>
    /// <exception cref="ArgumentException">The name is empty, contains '.', or is taken.</exception>
    protected Slot RegisterBuffer(string name, Tensor value)
    {
        CheckName(name);
        ArgumentNullException.ThrowIfNull(value);
        value.Name ??= name;
        var slot = new Slot(name, value);
        _buffers.Add(slot);
        return slot;
    }

    /// <summary>Registers a child module under <paramref name="name"/> and returns it. Its parameters are listed after this module's own.</summary>
    /// <exception cref="ArgumentException">The name is empty, contains '.', or is taken; or the child is this module or one of its ancestors.</exception>
    protected T RegisterModule<T>(string name, T module) where T : Module
    {
        CheckName(name);
        ArgumentNullException.ThrowIfNull(module);
        for (Module? m = this; m is not null; m = m._parent)
            if (ReferenceEquals(m, module))
                throw new ArgumentException(FormattableString.Invariant($"{GetType().Name}: cannot register module '{name}' inside itself."), nameof(module));
        if (module._parent is null)
        {
            module._parent = this;
            module._nameInParent = name;
        }
        _children.Add((name, module));
        return module;
    }

    /// <summary>
    /// The arguments shown between the parentheses of <see cref="ToString"/>, as torch's <c>extra_repr</c>
    /// ("in 3, out 2, bias"). Empty by default.
    /// </summary>
    protected virtual string ExtraRepr => "";

    /// <summary>
    /// A readable tree in the manner of torch's module printout: <c>Linear(in 3, out 2, bias)</c>, or for a module
    /// with children one line per child, <c>(name): child</c>, indented.
    /// </summary>
    public override string ToString()
    {
        var sb = new StringBuilder();
        sb.Append(GetType().Name).Append('(').Append(ExtraRepr);
        if (_children.Count > 0)
        {
            sb.Append('\n');
            foreach (var (name, child) in _children)
                sb.Append("  (").Append(name).Append("): ").Append(child.ToString().Replace("\n", "\n  ")).Append('\n');
        }
        return sb.Append(')').ToString();
    }

    /// <summary>
    /// The module in messages: its type and arguments, and its path in the tree when it has a parent,
    /// e.g. "Linear(in 3, out 2, bias) at '2'".
    /// </summary>
    internal string Describe()
    {
        string head = FormattableString.Invariant($"{GetType().Name}({ExtraRepr})");
        return _parent is null ? head : FormattableString.Invariant($"{head} at '{Path}'");
    }

    /// <summary>The dotted path from the root of the tree this module was first registered in.</summary>
    internal string Path => _parent is null ? "" : _parent._parent is null ? _nameInParent! : FormattableString.Invariant($"{_parent.Path}.{_nameInParent}");

    // Feature sizes for Sequential's construction-time check: what the module takes and gives along the last axis.
    // Null means unknown (any custom module); KeepsFeatures marks elementwise modules that pass the size through.

    /// <summary>The number of input features (last axis) the module requires, or null when it does not fix it.</summary>
    internal virtual int? InFeatureCount => null;

    /// <summary>The number of output features (last axis) the module produces, or null when unknown.</summary>
    internal virtual int? OutFeatureCount => null;

    /// <summary>True for modules whose output has the input's number of features whatever it is (activations).</summary>
    internal virtual bool KeepsFeatures => false;

    private IEnumerable<(string Name, Slot Slot)> ParameterSlots(string prefix)
    {
        foreach (var s in _parameters) yield return (prefix + s.Name, s);
        foreach (var (name, child) in _children)
            foreach (var x in child.ParameterSlots(prefix + name + ".")) yield return x;
    }

    private IEnumerable<(string Name, Slot Slot)> BufferSlots(string prefix)
    {
        foreach (var s in _buffers) yield return (prefix + s.Name, s);
        foreach (var (name, child) in _children)
            foreach (var x in child.BufferSlots(prefix + name + ".")) yield return x;
    }

    private void CheckName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name.Length == 0 || name.Contains('.'))
            throw new ArgumentException(FormattableString.Invariant($"{GetType().Name}: the name '{name}' must be non-empty and contain no '.'."), nameof(name));
        if (_parameters.Any(s => s.Name == name) || _buffers.Any(s => s.Name == name) || _children.Any(c => c.Name == name))
            throw new ArgumentException(FormattableString.Invariant($"{GetType().Name}: the name '{name}' is already registered."), nameof(name));
    }

    /// <summary>Copies <paramref name="source"/>'s values into <paramref name="target"/> in place (same shape and element type; not recorded).</summary>
    internal static void Assign(Tensor target, Tensor source)
    {
        source.EnsureLive();
        Array.Copy(source.Storage, target.Storage, target.Count);
        target.BumpVersion();
    }
}
