using System.Globalization;
using System.Text;

namespace AutoGrad;

public sealed partial class Tensor
{
    /// <summary>Tensors with more elements than this are printed with only their edges along each dimension.</summary>
    private const int SummarizeAbove = 1000;
    private const int EdgeItems = 3;

    /// <summary>
    /// A readable form: the values nested by dimension (the middle elided with "..." for tensors over 1000 elements),
    /// then the shape, the element type and whether the tensor requires gradients, e.g.
    /// <c>tensor([[1, 2], [3, 4]], shape=[2, 2], float64, requiresGrad)</c>.
    /// </summary>
    public override string ToString()
    {
        var sb = new StringBuilder("tensor(");
        bool summarize = Count > SummarizeAbove;
        var values = ToArray();
        int width = 0;
        foreach (var v in values) width = Math.Max(width, FormatValue(v).Length);
        if (summarize) width = Math.Min(width, 12);
        var strides = AutoGrad.Shape.Strides(Dims);
        Append(sb, values, strides, 0, 0, summarize, width, 7);
        sb.Append(", shape=").Append(AutoGrad.Shape.Format(Dims)).Append(", ").Append(DType.Name());
        if (GradFn is not null) sb.Append(", grad_fn=").Append(GradFn.Op.Name);
        else if (RequiresGrad) sb.Append(", requiresGrad");
        if (Name is not null) sb.Append(", name=").Append(Name);
        return sb.Append(')').ToString();
    }

    private void Append(StringBuilder sb, double[] v, int[] strides, int dim, int offset, bool summarize, int width, int indent)
    {
        if (dim == Rank)
        {
            sb.Append(FormatValue(v[offset]).PadLeft(width));
            return;
        }
        sb.Append('[');
        int n = Dims[dim];
        for (int i = 0; i < n; i++)
        {
            if (summarize && n > 2 * EdgeItems && i == EdgeItems)
            {
                sb.Append("...");
                i = n - EdgeItems - 1;
                sb.Append(dim == Rank - 1 ? ", " : ",\n" + new string(' ', indent + dim + 1));
                continue;
            }
            Append(sb, v, strides, dim + 1, offset + i * strides[dim], summarize, width, indent);
            if (i < n - 1) sb.Append(dim == Rank - 1 ? ", " : ",\n" + new string(' ', indent + dim + 1));
        }
        sb.Append(']');
    }

    private string FormatValue(double v) =>
        DType == DType.Float64 ? v.ToString("G6", CultureInfo.InvariantCulture) : ((float)v).ToString("G6", CultureInfo.InvariantCulture);
}
