namespace AutoGrad;

/// <summary>Shape arithmetic on <c>int[]</c> dimension lists: sizes, strides, broadcasting, axes.</summary>
internal static class Shape
{
    public static readonly int[] Scalar = [];

    public static int Size(ReadOnlySpan<int> shape)
    {
        // Saturate instead of multiplying through: four dimensions of 65536 wrap a long around to exactly 0, which
        // would turn an impossible shape into a silently empty tensor. A zero dimension still makes the size 0.
        long n = 1;
        bool tooLarge = false;
        foreach (int d in shape)
        {
            if (d == 0) return 0;
            if (!tooLarge) { n *= d; tooLarge = n > Array.MaxLength; }
        }
        if (tooLarge) throw new ArgumentException(FormattableString.Invariant($"Tensor of shape {Format(shape)} is too large ({Array.MaxLength} elements at most)."));
        return (int)n;
    }

    // Invariant: a culture's minus sign (U+2212 in some) would make "[2, −1]" differ from what the user wrote.
    public static string Format(ReadOnlySpan<int> shape) =>
        "[" + string.Join(", ", shape.ToArray().Select(d => d.ToString(System.Globalization.CultureInfo.InvariantCulture))) + "]";

    public static bool Equal(ReadOnlySpan<int> a, ReadOnlySpan<int> b) => a.SequenceEqual(b);

    /// <summary>Row-major strides (in elements).</summary>
    public static int[] Strides(ReadOnlySpan<int> shape)
    {
        var s = new int[shape.Length];
        int acc = 1;
        for (int i = shape.Length - 1; i >= 0; i--) { s[i] = acc; acc *= shape[i]; }
        return s;
    }

    /// <summary>Checks a user-supplied shape: every dimension ≥ 0, and the element count fits in an array.</summary>
    public static int[] Validate(string op, ReadOnlySpan<int> shape)
    {
        foreach (int d in shape)
            if (d < 0) throw new ArgumentException(FormattableString.Invariant($"{op}: negative dimension {d} in shape {Format(shape)}."));
        try { Size(shape); }
        catch (ArgumentException e) { throw new ArgumentException($"{op}: {e.Message}"); }
        return shape.ToArray();
    }

    /// <summary>NumPy broadcasting of two shapes, or an exception naming <paramref name="op"/> and both shapes.</summary>
    public static int[] Broadcast(string op, int[] a, int[] b)
    {
        if (Equal(a, b)) return a;
        // The common cases (a bias row, a scalar) need no new array.
        if (BroadcastsTo(b, a)) return a;
        if (BroadcastsTo(a, b)) return b;
        int n = Math.Max(a.Length, b.Length);
        var r = new int[n];
        for (int i = 0; i < n; i++)
        {
            int da = i < n - a.Length ? 1 : a[i - (n - a.Length)];
            int db = i < n - b.Length ? 1 : b[i - (n - b.Length)];
            if (da == db || db == 1) r[i] = da;
            else if (da == 1) r[i] = db;
            else throw new ArgumentException(
                FormattableString.Invariant($"{op}: shapes {Format(a)} and {Format(b)} cannot be broadcast together (dimension {i} of the result: {da} vs {db})."));
        }
        return r;
    }

    /// <summary>True if <paramref name="from"/> broadcasts to exactly <paramref name="to"/>.</summary>
    public static bool BroadcastsTo(int[] from, int[] to)
    {
        if (from.Length > to.Length) return false;
        int off = to.Length - from.Length;
        for (int i = 0; i < from.Length; i++)
            if (from[i] != 1 && from[i] != to[i + off]) return false;
        return true;
    }

    /// <summary>Strides of <paramref name="shape"/> viewed as <paramref name="target"/> (0 along broadcast axes).</summary>
    public static int[] BroadcastStrides(int[] shape, int[] target)
    {
        var own = Strides(shape);
        var r = new int[target.Length];
        int off = target.Length - shape.Length;
        for (int i = 0; i < shape.Length; i++)
            r[i + off] = shape[i] == 1 && target[i + off] != 1 ? 0 : own[i];
        return r;
    }

    /// <summary>Normalises a possibly negative axis, or throws naming the operation, axis and shape.</summary>
    public static int Axis(string op, int axis, int[] shape, bool allowEnd = false)
    {
        int rank = shape.Length + (allowEnd ? 1 : 0);
        int a = axis < 0 ? axis + rank : axis;
        if (a < 0 || a >= rank)
            throw new ArgumentOutOfRangeException(nameof(axis),
                FormattableString.Invariant($"{op}: axis {axis} is out of range for a tensor of shape {Format(shape)} (rank {shape.Length})."));
        return a;
    }

    /// <summary>Normalised, sorted, distinct axes; null or empty means every axis.</summary>
    public static int[] Axes(string op, int[]? axes, int[] shape)
    {
        if (axes is null || axes.Length == 0)
        {
            var all = new int[shape.Length];
            for (int i = 0; i < all.Length; i++) all[i] = i;
            return all;
        }
        var r = new int[axes.Length];
        for (int i = 0; i < axes.Length; i++) r[i] = Axis(op, axes[i], shape);
        Array.Sort(r);
        for (int i = 1; i < r.Length; i++)
            if (r[i] == r[i - 1]) throw new ArgumentException(FormattableString.Invariant($"{op}: axis {r[i]} is repeated in {Format(axes)} for shape {Format(shape)}."));
        return r;
    }

    /// <summary>The shape after reducing <paramref name="axes"/> (sorted, normalised).</summary>
    public static int[] Reduced(int[] shape, int[] axes, bool keepDims)
    {
        var r = new List<int>(shape.Length);
        for (int i = 0; i < shape.Length; i++)
        {
            bool reduced = Array.IndexOf(axes, i) >= 0;
            if (!reduced) r.Add(shape[i]);
            else if (keepDims) r.Add(1);
        }
        return r.ToArray();
    }
}
