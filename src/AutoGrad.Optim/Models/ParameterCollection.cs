using System.Collections;

namespace AutoGrad.Optim.Models;

/// <summary>
/// The parameters of a module tree with their qualified names, as returned by <see cref="Module.Parameters"/>: a
/// read-only list of tensors (pass it to an <see cref="Optimizer"/>) that can also be read by name.
/// </summary>
/// <remarks>A snapshot: it holds the tensors themselves (so it sees their current values and gradients) but not
/// parameters registered after it was taken.</remarks>
public sealed class ParameterCollection : IReadOnlyList<Tensor>
{
    private readonly string[] _names;
    private readonly Tensor[] _tensors;

    internal ParameterCollection(string[] names, Tensor[] tensors)
    {
        _names = names;
        _tensors = tensors;
    }

    /// <summary>The number of parameter tensors.</summary>
    public int Count => _tensors.Length;

    /// <summary>The parameter at <paramref name="index"/>, in enumeration order.</summary>
    public Tensor this[int index] => _tensors[index];

    /// <summary>The parameter with qualified name <paramref name="name"/> ("0.weight").</summary>
    /// <exception cref="KeyNotFoundException">There is no parameter of that name; the message lists the names.</exception>
    public Tensor this[string name]
    {
        get
        {
            int i = Array.IndexOf(_names, name);
            if (i < 0) throw new KeyNotFoundException(FormattableString.Invariant($"Parameters: no parameter named '{name}'; the names are {string.Join(", ", _names)}."));
            return _tensors[i];
        }
    }

    /// <summary>The qualified names, in enumeration order.</summary>
    public IReadOnlyList<string> Names => _names;

    /// <summary>The parameters with their names, in enumeration order.</summary>
    public IEnumerable<NamedTensor> Named => _names.Select((n, i) => new NamedTensor(n, _tensors[i]));

    /// <summary>The total number of scalars over all parameters (the dimension of the parameter space).</summary>
    public long ElementCount => _tensors.Sum(t => (long)t.Count);

    /// <summary>True when a parameter has the qualified name <paramref name="name"/>.</summary>
    public bool Contains(string name) => Array.IndexOf(_names, name) >= 0;

    /// <inheritdoc/>
    public IEnumerator<Tensor> GetEnumerator() => ((IEnumerable<Tensor>)_tensors).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
