using System.Globalization;
using AutoGrad;
using CsvHelper;

namespace AutoGrad.Examples.Data;

/// <summary>A numeric table read by <see cref="Csv.Load(string, bool, string?)"/>.</summary>
/// <param name="Features">The numeric columns, [n, d], float64, in file order (the label column left out).</param>
/// <param name="FeatureNames">The header names of the feature columns (or "column1", … without a header).</param>
/// <param name="Labels">The class index of each row, or null when no label column was asked for.</param>
/// <param name="ClassNames">The label text of each class index, in order of first appearance; null without labels.</param>
public sealed record CsvTable(Tensor Features, IReadOnlyList<string> FeatureNames, int[]? Labels, IReadOnlyList<string>? ClassNames)
{
    /// <summary>The number of rows.</summary>
    public int Rows => Features.Shape[0];

    /// <summary>The path of a data file shipped with the examples (copied beside the assembly), e.g. <c>DataFile("iris", "iris.csv")</c>.</summary>
    public static string DataFile(params string[] parts) => Path.Combine([AppContext.BaseDirectory, "Data", .. parts]);
}

/// <summary>
/// A loader of numeric CSV files (comma-separated, RFC 4180 quoting, parsed by CsvHelper; numbers in the invariant culture):
/// every cell is a number except, optionally, one label column whose texts become class indices.
/// </summary>
public static class Csv
{
    /// <summary>Loads a CSV file whose label column (if any) is given by its header name.</summary>
    /// <param name="path">The file.</param>
    /// <param name="hasHeader">Whether the first line holds column names.</param>
    /// <param name="labelColumn">The header name of the label column, or null for none (requires <paramref name="hasHeader"/>).</param>
    /// <exception cref="FormatException">A cell is not a number (naming file, line and column), a row has the wrong
    /// number of cells, the label column does not exist, or the file has no data rows.</exception>
    public static CsvTable Load(string path, bool hasHeader, string? labelColumn = null)
    {
        if (labelColumn is not null && !hasHeader)
            throw new ArgumentException("A label column given by name needs a header; pass its zero-based index instead.", nameof(labelColumn));
        return LoadCore(path, hasHeader, header => labelColumn is null ? -1 : IndexOf(path, header, labelColumn));
    }

    /// <summary>Loads a CSV file whose label column is given by its zero-based index.</summary>
    /// <inheritdoc cref="Load(string, bool, string?)"/>
    public static CsvTable Load(string path, bool hasHeader, int labelColumn)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(labelColumn);
        return LoadCore(path, hasHeader, header => labelColumn < header.Length
            ? labelColumn
            : throw new FormatException($"{path}: there is no column {labelColumn + 1} (the file has {header.Length})."));
    }

    private static int IndexOf(string path, string[] header, string name)
    {
        int i = Array.IndexOf(header, name);
        return i >= 0 ? i : throw new FormatException($"{path}: no column named '{name}' (columns: {string.Join(", ", header)}).");
    }

    private static CsvTable LoadCore(string path, bool hasHeader, Func<string[], int> labelIndex)
    {
        ArgumentNullException.ThrowIfNull(path);
        var options = new CsvReaderOptions { HasHeader = hasHeader, TrimWhitespace = true, TrackLineNumbers = true, SkipEmptyLines = true };
        using var csv = CsvReader.FromFile(path, options);

        string[]? header = hasHeader ? csv.Headers.ToArray() : null;
        int label = header is null ? -1 : labelIndex(header);
        var values = new List<double>();
        var labels = new List<int>();
        var classes = new List<string>();
        var classIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        int rows = 0;
        while (csv.Read())
        {
            long line = csv.LineNumber;
            if (header is null)
            {
                header = Enumerable.Range(1, csv.FieldCount).Select(c => "column" + c.ToString(CultureInfo.InvariantCulture)).ToArray();
                label = labelIndex(header);
            }
            if (csv.FieldCount != header.Length)
                throw new FormatException($"{path}, line {line}: {csv.FieldCount} cells where the {(hasHeader ? "header" : "first row")} has {header.Length}.");
            for (int c = 0; c < header.Length; c++)
            {
                string cell = csv.GetString(c);
                if (c == label)
                {
                    if (!classIndex.TryGetValue(cell, out int k))
                    {
                        k = classes.Count;
                        classIndex.Add(cell, k);
                        classes.Add(cell);
                    }
                    labels.Add(k);
                }
                else if (double.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out double v))
                    values.Add(v);
                else
                    throw new FormatException($"{path}, line {line}, column {c + 1} ('{header[c]}'): '{cell}' is not a number.");
            }
            rows++;
        }
        if (header is null || rows == 0)
            throw new FormatException($"{path}: no data rows.");

        int d = header.Length - (label >= 0 ? 1 : 0);
        var names = header.Where((_, c) => c != label).ToArray();
        var features = Tensor.FromArray(values.ToArray(), rows, d);
        return label >= 0
            ? new CsvTable(features, names, labels.ToArray(), classes)
            : new CsvTable(features, names, null, null);
    }
}
