using System.Reflection;
using AutoGrad;

namespace AutoGrad.Tests;

/// <summary>
/// The op table: one static property per op family (in this folder), each a list of <see cref="OpCase"/> lines.
/// <see cref="All"/> gathers every family, so a new family file needs no registration.
/// </summary>
public static partial class OpTable
{
    public static IEnumerable<OpCase> All =>
        typeof(OpTable).GetProperties(BindingFlags.Public | BindingFlags.Static)
            .Where(p => p.PropertyType == typeof(IEnumerable<OpCase>) && p.Name != nameof(All))
            .OrderBy(p => p.Name)
            .SelectMany(p => (IEnumerable<OpCase>)p.GetValue(null)!);

    /// <summary>xunit member data: one row per line.</summary>
    public static IEnumerable<object[]> Rows => All.Select(c => new object[] { c.Name });

    public static OpCase Find(string name) => All.Single(c => c.Name == name);
}
