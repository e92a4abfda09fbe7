using System.Reflection;
using BenchmarkDotNet.Running;

namespace AutoGrad.Benchmarks;

/// <summary>
/// Entry point: BenchmarkDotNet's switcher over every workload class, so that
/// <c>dotnet run -c Release --project benchmarks/AutoGrad.Benchmarks -- --filter '*W3*'</c> runs one workload and
/// <c>-- --filter '*W3*' --job short</c> runs it quickly (3 warm-up and 3 measured iterations, one launch).
/// </summary>
public static class Program
{
    public static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(Assembly.GetExecutingAssembly()).Run(args);
}
